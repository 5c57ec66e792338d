//! Text helpers every context shares.

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
    use super::slugify;

    #[test]
    fn names_become_hyphenated_lowercase_addresses() {
        assert_eq!(slugify("Oak & Iron Goods"), "oak-iron-goods");
        assert_eq!(slugify("  Café 42!! "), "caf-42");
        assert_eq!(slugify("---"), "");
    }
}
