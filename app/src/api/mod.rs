//! Server functions, one module per context. Each is a thin wrapper: services and user from context, one domain
//! use case, a wire type back.

pub mod accounts;
pub mod admin;
pub mod back_in_stock;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod messages;
pub mod notifications;
pub mod passkeys;
pub mod password_reset;
pub mod privacy;
pub mod returns;
pub mod reviews;
pub mod sellers;
pub mod sign_ins;
pub mod two_factor;
pub mod wishlist;

/// A redirect target supplied by the client must stay on this site: a path, not `//host` or `https://…`.
pub fn safe_next(next: &str) -> String {
    // Browsers drop tabs and line breaks from a URL and read `\\` as `/`, so `/\t/evil.example` is `//evil.example`:
    // no control character, whitespace or backslash anywhere.
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if ok {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// The (variant, units typed) pairs of a form's lines. Our pages send the two lists side by side; lists of
/// different lengths were not sent by them, and are refused rather than paired up wrongly.
#[cfg(feature = "ssr")]
pub(crate) fn form_lines(variant: Vec<i64>, qty: Vec<String>) -> Result<Vec<(i64, String)>, crate::error::AppError> {
    if variant.len() != qty.len() {
        return Err(crate::ssr::fail(crate::error::AppError::Validation(vec![
            model::FieldError::new("qty[0]", "The form is out of date: open the page again."),
        ])));
    }
    Ok(variant.into_iter().zip(qty).collect())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next("/account"), "/account");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n/evil.example"), "/");
        assert_eq!(safe_next("/ /evil.example"), "/");
        assert_eq!(safe_next("/\u{a0}/evil.example"), "/");
        assert_eq!(safe_next("/seller/stock?page=2"), "/seller/stock?page=2");
    }
}
