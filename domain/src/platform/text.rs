//! Text helpers every context shares, and the one rule per kind of free-text field: a field a person types is
//! either one line ([`line`]: titles, names, option values, alt text) or several ([`lines`]: descriptions,
//! policies), has a length limit in characters, and holds no control character (NUL, escape, a line break in a
//! one-line field). Every context checks its fields through these, so a value that passed one form can be shown,
//! exported, mailed and imported anywhere else.

/// Why a typed text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    TooLong {
        max: usize,
    },
    /// A line break in a one-line field, or another control character anywhere.
    Control {
        multiline: bool,
    },
}

impl TextProblem {
    /// The message for the field, in the shop's words.
    pub fn message(self) -> String {
        match self {
            TextProblem::TooLong { max } => format!("Use at most {max} characters."),
            TextProblem::Control { multiline: false } => {
                "Keep this to one line, without tabs or other invisible characters.".to_string()
            }
            TextProblem::Control { multiline: true } => {
                "This text holds invisible characters that are not allowed; retype it or paste it as plain text."
                    .to_string()
            }
        }
    }
}

/// `text` as a `LIKE` pattern that matches it literally (with `ESCAPE '\\'`): its `%`, `_` and `\` escaped.
pub fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Text from elsewhere (a search box, a file name, a provider's message) made safe to keep and show: control
/// characters dropped, at most `max` characters.
pub fn cleaned(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// A one-line field as stored: trimmed, at most `max` characters, no control character at all.
pub fn line(typed: &str, max: usize) -> Result<String, TextProblem> {
    let text = typed.trim();
    if text.chars().any(char::is_control) {
        return Err(TextProblem::Control { multiline: false });
    }
    if text.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(text.to_string())
}

/// A multi-line field as stored: trimmed, line breaks as `\n` (browsers send `\r\n`), at most `max` characters;
/// line breaks and tabs are its only control characters.
pub fn lines(typed: &str, max: usize) -> Result<String, TextProblem> {
    let text = typed.replace("\r\n", "\n");
    let text = text.trim();
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(TextProblem::Control { multiline: true });
    }
    if text.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(text.to_string())
}

/// Words typed into a search box, as a query compares them: control characters dropped (a NUL would make
/// PostgreSQL refuse the whole query), trimmed, lowercase, at most `max` characters.
pub fn search_words(typed: &str, max: usize) -> String {
    typed
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect::<String>()
        .trim()
        .to_lowercase()
}

/// The address form of a name: lowercase ASCII letters and digits joined by single hyphens ("Oak & Iron" →
/// "oak-iron"). Used for store and product addresses.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_per_kind_of_field() {
        assert_eq!(line("  Copper kettle ", 20), Ok("Copper kettle".into()));
        assert_eq!(line("Café 茶 🎁", 8), Ok("Café 茶 🎁".into()));
        for bad in ["a\nb", "a\tb", "a\0b", "a\u{1b}[31mb", "a\rb", "a\u{85}b"] {
            assert_eq!(line(bad, 20), Err(TextProblem::Control { multiline: false }), "{bad:?}");
        }
        assert_eq!(line(&"é".repeat(21), 20), Err(TextProblem::TooLong { max: 20 }));
        assert_eq!(lines("One\r\n\tTwo\n", 20), Ok("One\n\tTwo".into()));
        assert_eq!(lines("a\0b", 20), Err(TextProblem::Control { multiline: true }));
        assert_eq!(lines(&"x".repeat(21), 20), Err(TextProblem::TooLong { max: 20 }));
    }

    #[test]
    fn names_become_hyphenated_lowercase_addresses() {
        assert_eq!(slugify("Oak & Iron Goods"), "oak-iron-goods");
        assert_eq!(slugify("  Café 42!! "), "caf-42");
        assert_eq!(slugify("---"), "");
    }
}
