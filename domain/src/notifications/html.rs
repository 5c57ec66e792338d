//! The HTML part of every email, made from its text (decision 0045): one set of words per message, so the two
//! parts never say different things. Paragraphs are the text's blank-line blocks, the shop's paths and web
//! addresses become links, and everything else is escaped: nothing a seller or shopper typed becomes markup.
//! Inline styles only (mail clients drop style sheets), one column, readable at 360 px.

use super::Mail;

const BODY_STYLE: &str = "margin:0;padding:16px 8px;background:#f4f3ef;color:#1f1f1c;\
     font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5";
const CARD_STYLE: &str = "max-width:600px;margin:0 auto;padding:24px;background:#ffffff;border-radius:8px";
const LINK_STYLE: &str = "color:#0b5cad;text-decoration:underline;word-break:break-all";

/// The whole HTML document of `mail`; `site` (the shop's address) makes its paths full links.
pub fn render(mail: &Mail, site: Option<&str>) -> String {
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title></head>\
         <body style=\"{BODY_STYLE}\"><main style=\"{CARD_STYLE}\">\
         <p style=\"margin:0 0 16px;font-size:20px;font-weight:700\">Bazaar</p>",
        escape(&mail.subject)
    );
    for block in mail.body.split("\n\n").map(|block| block.trim_matches('\n')) {
        if block.trim().is_empty() {
            continue;
        }
        html.push_str("<p style=\"margin:0 0 16px\">");
        for (i, line) in block.lines().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            push_line(&mut html, line, site);
        }
        html.push_str("</p>");
    }
    html.push_str("</main></body></html>");
    html
}

/// One line: its words, the links among them made anchors, the spaces kept (indented item lines stay indented).
fn push_line(html: &mut String, line: &str, site: Option<&str>) {
    let mut rest = line;
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_end);
        push_word(html, word, site);
        let space_end = after.find(|c: char| !c.is_whitespace()).unwrap_or(after.len());
        html.push_str(&"&nbsp;".repeat(space_end.min(8).saturating_sub(1)));
        if space_end > 0 {
            html.push(' ');
        }
        rest = &after[space_end..];
    }
}

fn push_word(html: &mut String, word: &str, site: Option<&str>) {
    // A sentence's full stop or a closing bracket after an address is not part of it.
    let link = word.trim_end_matches(['.', ',', ')', ';', ':']);
    let tail = &word[link.len()..];
    let href = if link.starts_with("https://") || link.starts_with("http://") {
        Some(link.to_string())
    } else if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/\\") && link.len() > 1 {
        Some(format!("{}{link}", site.unwrap_or("").trim_end_matches('/')))
    } else {
        None
    };
    match href {
        Some(href) => {
            html.push_str(&format!(
                "<a href=\"{}\" style=\"{LINK_STYLE}\">{}</a>{}",
                escape(&href),
                escape(link),
                escape(tail)
            ));
        }
        None => html.push_str(&escape(word)),
    }
}

/// Escaped as the shop escapes all hand-written markup; a control character (none should reach here) is a space.
fn escape(text: &str) -> String {
    model::escape_html(&text.replace(char::is_control, " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(body: &str) -> Mail {
        Mail {
            to: "a@example.com".into(),
            subject: "Order <BZ-1> & more".into(),
            body: body.into(),
        }
    }

    #[test]
    fn paragraphs_links_and_escaping() {
        let html = render(
            &mail("Hello <b>Ada</b>.\n\nYour order: /orders/BZ-1.\nFollow it: https://track.example/?a=1&b=2\n"),
            Some("https://shop.example/"),
        );
        assert!(html.contains("<title>Order &lt;BZ-1&gt; &amp; more</title>"), "{html}");
        assert!(html.contains("Hello &lt;b&gt;Ada&lt;/b&gt;."), "{html}");
        assert!(
            html.contains("<a href=\"https://shop.example/orders/BZ-1\"") && html.contains(">/orders/BZ-1</a>."),
            "{html}"
        );
        assert!(html.contains("href=\"https://track.example/?a=1&amp;b=2\""), "{html}");
        assert_eq!(
            html.matches("<p style").count(),
            3,
            "the name and two paragraphs: {html}"
        );
    }

    #[test]
    fn nothing_typed_becomes_markup() {
        let html = render(
            &mail("/\"onmouseover=alert(1) javascript:alert(1) //evil.example"),
            None,
        );
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("href=\"//evil"), "{html}");
        assert!(html.contains("href=\"/&quot;onmouseover=alert(1\""), "{html}");
    }
}
