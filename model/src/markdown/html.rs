//! Descriptions to and from HTML: the catalog's CSV export writes a description as the HTML the product page
//! shows (Shopify's `Body (HTML)`), and the import reads a Shopify body back into our subset: paragraphs, lists and
//! bold survive, every other tag is dropped. Text only: nothing here is ever rendered as markup.

use super::{parse_markdown, Block, Inline};
use crate::escape_html;

fn inline_html(parts: &[Inline], out: &mut String) {
    for part in parts {
        match part {
            Inline::Text(t) => out.push_str(&escape_html(t)),
            Inline::Strong(t) => {
                out.push_str("<strong>");
                out.push_str(&escape_html(t));
                out.push_str("</strong>");
            }
        }
    }
}

/// A description as the HTML the product page shows (the Body (HTML) of an export).
pub fn markdown_to_html(source: &str) -> String {
    let mut out = String::new();
    for block in parse_markdown(source) {
        match block {
            Block::Paragraph(parts) => {
                out.push_str("<p>");
                inline_html(&parts, &mut out);
                out.push_str("</p>");
            }
            Block::List(items) => {
                out.push_str("<ul>");
                for item in items {
                    out.push_str("<li>");
                    inline_html(&item, &mut out);
                    out.push_str("</li>");
                }
                out.push_str("</ul>");
            }
        }
    }
    out
}

/// Replaces the character references a product description uses; an unknown one stays as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // A reference is short: its ';' within 12 bytes (';' is ASCII, so the position is a character boundary
        // even when the text around it is not).
        let Some(end) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            "ndash" => Some('–'),
            "mdash" => Some('—'),
            "hellip" => Some('…'),
            "lsquo" => Some('‘'),
            "rsquo" => Some('’'),
            "ldquo" => Some('“'),
            "rdquo" => Some('”'),
            "copy" => Some('©'),
            "reg" => Some('®'),
            "trade" => Some('™'),
            "deg" => Some('°'),
            "times" => Some('×'),
            "euro" => Some('€'),
            "pound" => Some('£'),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32)
                .filter(|c| !c.is_control() || c.is_whitespace()),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Tags whose content is not text a shopper should read.
const HIDDEN: [&str; 9] = [
    "script", "style", "head", "template", "noscript", "iframe", "svg", "object", "title",
];
/// Tags that end a paragraph.
const BLOCKS: [&str; 22] = [
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "table",
    "tr",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "figure",
    "main",
    "aside",
    "dl",
];

/// Product HTML (a Shopify Body) as our description: paragraphs, lists and bold survive, every other tag is
/// dropped and the text of scripts, styles and the like with it. The result is text the product page escapes,
/// so nothing in the HTML can run; this only decides what is kept readable.
pub fn html_to_markdown(html: &str) -> String {
    let mut s = Reading::default();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            s.text(&decode_entities(rest).replace("**", "* *"));
            break;
        };
        s.text(&decode_entities(&rest[..open]).replace("**", "* *"));
        rest = &rest[open..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else {
            // A lone '<' is text.
            s.text(&decode_entities(rest));
            break;
        };
        s.tag(&rest[1..close]);
        rest = &rest[close + 1..];
    }
    s.end_list();
    s.end_paragraph();
    s.blocks.join("\n\n")
}

/// What reading HTML has made so far: finished blocks, the paragraph or list item being written, and how deep
/// inside hidden elements (a script's text) the reader is.
#[derive(Default)]
struct Reading {
    blocks: Vec<String>,
    paragraph: String,
    list: Vec<String>,
    item: Option<String>,
    hidden: usize,
}

impl Reading {
    fn target(&mut self) -> &mut String {
        match self.item.as_mut() {
            Some(item) => item,
            None => &mut self.paragraph,
        }
    }

    /// Text between tags, runs of whitespace as one space; nothing inside a hidden element.
    fn text(&mut self, text: &str) {
        if self.hidden > 0 {
            return;
        }
        let target = self.target();
        for c in text.chars() {
            if c.is_whitespace() {
                if !target.is_empty() && !target.ends_with(' ') {
                    target.push(' ');
                }
            } else {
                target.push(c);
            }
        }
    }

    /// A tag (the text between `<` and `>`): what it does to the blocks.
    fn tag(&mut self, tag: &str) {
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if HIDDEN.contains(&name.as_str()) {
            if closing {
                self.hidden = self.hidden.saturating_sub(1);
            } else if !tag.ends_with('/') {
                self.hidden += 1;
            }
            return;
        }
        if self.hidden > 0 {
            return;
        }
        match name.as_str() {
            "ul" | "ol" if closing => self.end_list(),
            "ul" | "ol" => self.end_paragraph(),
            "li" => {
                self.end_item();
                if !closing {
                    self.end_paragraph();
                    self.item = Some(String::new());
                }
            }
            "strong" | "b" => self.target().push_str("**"),
            "td" | "th" | "dd" | "dt" => self.text(" "),
            _ if BLOCKS.contains(&name.as_str()) => self.block(&name, closing),
            _ => {}
        }
    }

    /// A tag that ends a paragraph; a heading reads as a bold paragraph of its own.
    fn block(&mut self, name: &str, closing: bool) {
        let heading = name.len() == 2 && name.starts_with('h') && name != "hr";
        if self.item.is_some() {
            self.text(" ");
            return;
        }
        if heading && closing {
            self.paragraph.push_str("**");
        }
        self.end_list();
        self.end_paragraph();
        if heading && !closing {
            self.paragraph.push_str("**");
        }
    }

    fn end_paragraph(&mut self) {
        let text = tidy(&self.paragraph);
        if !text.is_empty() {
            self.blocks.push(text);
        }
        self.paragraph.clear();
    }

    fn end_item(&mut self) {
        if let Some(item) = self.item.take() {
            let text = tidy(&item);
            if !text.is_empty() {
                self.list.push(format!("- {text}"));
            }
        }
    }

    fn end_list(&mut self) {
        self.end_item();
        if !self.list.is_empty() {
            self.blocks.push(self.list.join("\n"));
            self.list.clear();
        }
    }
}

/// Drops empty bold markers and the spaces around the text.
fn tidy(text: &str) -> String {
    let mut t = text.trim().to_string();
    for empty in ["** **", "****"] {
        while t.contains(empty) {
            t = t.replace(empty, " ");
        }
    }
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether two descriptions read the same on the product page (line breaks and runs of spaces aside).
pub fn same_description(a: &str, b: &str) -> bool {
    fn normal(source: &str) -> Vec<Block> {
        let squash = |t: &String| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let inline = |parts: Vec<Inline>| -> Vec<Inline> {
            parts
                .into_iter()
                .map(|p| match p {
                    Inline::Text(t) => Inline::Text(squash(&t)),
                    Inline::Strong(t) => Inline::Strong(squash(&t)),
                })
                .filter(|p| !matches!(p, Inline::Text(t) | Inline::Strong(t) if t.is_empty()))
                .collect()
        };
        parse_markdown(source)
            .into_iter()
            .map(|b| match b {
                Block::Paragraph(parts) => Block::Paragraph(inline(parts)),
                Block::List(items) => Block::List(items.into_iter().map(inline).collect()),
            })
            .collect()
    }
    normal(a) == normal(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_our_markdown_and_scripts_vanish() {
        let html = "<h2>Care</h2><p>Hand <b>wash</b> only&nbsp;&amp; dry.<br>Made in Italy.</p>\
                    <ul><li>1.5 litres</li><li><strong>Induction</strong> ready</li></ul>\
                    <script>alert(1)</script><style>p{}</style><p onclick=\"x()\">Fin<!-- note --></p>";
        assert_eq!(
            html_to_markdown(html),
            "**Care**\n\nHand **wash** only & dry.\n\nMade in Italy.\n\n- 1.5 litres\n- **Induction** ready\n\nFin"
        );
        assert_eq!(html_to_markdown("plain text, no tags"), "plain text, no tags");
        assert_eq!(html_to_markdown("&lt;script&gt; stays text"), "<script> stays text");
        assert_eq!(html_to_markdown(""), "");
    }

    #[test]
    fn text_beyond_ascii_is_never_cut_inside_a_character() {
        // Each of these once sliced a byte position inside a character (a 500 for the whole upload).
        assert_eq!(decode_entities("Café &amp; thé — crème"), "Café & thé — crème");
        assert_eq!(decode_entities("茶&amp;茶器のセット"), "茶&茶器のセット");
        assert_eq!(decode_entities("&茶器のセット;"), "&茶器のセット;");
        assert_eq!(decode_entities("🎁&🎁🎁🎁;"), "🎁&🎁🎁🎁;");
        assert_eq!(
            html_to_markdown(&markdown_to_html("Café & thé — crème 🍵 茶")),
            "Café & thé — crème 🍵 茶"
        );
    }

    #[test]
    fn our_descriptions_survive_the_round_trip() {
        for md in [
            "Hammered copper.\n\n- 1.5 litres\n- **Induction** ready",
            "A line\nwrapped  here, <b>not</b> bold & fine.",
            "**Bold start** then text",
            "Odd **marker",
        ] {
            let back = html_to_markdown(&markdown_to_html(md));
            assert!(same_description(md, &back), "{md:?} came back as {back:?}");
        }
        assert!(!same_description("One", "Two"));
    }
}
