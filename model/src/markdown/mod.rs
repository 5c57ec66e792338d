//! The tiny markdown subset product descriptions use: paragraphs, `- ` lists and `**bold**`. The product page
//! renders it (escaping every string), and the catalog's CSV export and import translate it to and from HTML, so
//! the one parser lives here, shared by both; `html` converts to and from HTML.

pub mod html;

/// One block of a description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    List(Vec<Vec<Inline>>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Strong(String),
}

/// Parses paragraphs, `- ` lists and `**bold**`. Everything is text: no HTML from the source is ever
/// interpreted, so no script or event handler can survive (the view escapes every string).
pub fn parse_markdown(source: &str) -> Vec<Block> {
    fn inlines(line: &str) -> Vec<Inline> {
        let mut out = Vec::new();
        for (i, part) in line.split("**").enumerate() {
            if part.is_empty() {
                continue;
            }
            out.push(if i % 2 == 1 {
                Inline::Strong(part.to_string())
            } else {
                Inline::Text(part.to_string())
            });
        }
        out
    }
    let mut blocks = Vec::new();
    // Browsers send a textarea's line breaks as CRLF: the preview of an unsaved description must read the same.
    let source = source.replace("\r\n", "\n");
    for chunk in source.split("\n\n") {
        let lines: Vec<&str> = chunk.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if lines.is_empty() {
            continue;
        }
        if lines.iter().all(|l| l.starts_with("- ") || l.starts_with("* ")) {
            blocks.push(Block::List(lines.iter().map(|l| inlines(&l[2..])).collect()));
        } else {
            blocks.push(Block::Paragraph(inlines(&lines.join(" "))));
        }
    }
    blocks
}
