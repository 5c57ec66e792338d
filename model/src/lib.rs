//! Wire types shared by the browser (wasm) and the server.
//!
//! Nothing here may pull in a server-only dependency: the wasm bundle compiles this crate.
//! Rows from the database are not wire types; the server converts them into these views.

use serde::{Deserialize, Serialize};

pub mod admin;
pub mod admin_analytics;
pub mod admin_dashboard;
pub mod admin_orders;
pub mod admin_search;
pub mod admin_stores;
pub mod cart;
pub mod catalog;
pub mod disputes;
pub mod markdown;
pub mod messages;
pub mod money;
pub mod notifications;
pub mod orders;
pub mod privacy;
pub mod product_form;
pub mod promotions;
pub mod returns;
pub mod reviews;
pub mod seller_orders;
pub mod sellers;
pub mod wishlist;

/// Text as HTML character data or an attribute value: `&`, `<`, `>`, `"` and `'` as references. The one escaper
/// for the places where markup is written by hand (a page title, a textarea, an export's HTML, an error page).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `path` with the non-empty `(name, value)` pairs as its query, each value encoded: a list's address with its
/// filters.
pub fn href_with(path: &str, pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", url_encode(value)))
        .collect();
    if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// Percent-encodes a query value (space as `+`, as HTML forms do).
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// "1 unit", "3 units": a count with its noun in the right number.
pub fn count_of(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Limits the forms can show before a request is made; the server enforces the same numbers.
pub mod limits {
    pub const PASSWORD_MIN_CHARS: usize = 8;
    pub const PASSWORD_MAX_CHARS: usize = 128;
    pub const NAME_MAX_CHARS: usize = 80;
    pub const EMAIL_MAX_CHARS: usize = 254;
    pub const REVIEW_TITLE_MAX_CHARS: usize = 120;
    pub const REVIEW_BODY_MAX_CHARS: usize = 4000;
    /// Pictures one review may show.
    pub const REVIEW_PICTURES_MAX: usize = 4;
    pub const STORE_RATING_COMMENT_MAX_CHARS: usize = 500;
    pub const REVIEW_REPLY_MAX_CHARS: usize = 2000;
}

/// What a user may do on the platform. Everyone who registers is a shopper; sellers and admins are granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Shopper,
    Seller,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Shopper, Role::Seller, Role::Admin];

    /// The spelling stored in the database (a CHECK constraint lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Shopper => "shopper",
            Role::Seller => "seller",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Shopper => "Shopper",
            Role::Seller => "Seller",
            Role::Admin => "Admin",
        }
    }
}

/// The signed-in user as the UI sees them. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Whether the address was confirmed by a link sent to it.
    pub email_verified: bool,
    /// Whether signing in asks for a code from an authenticator app.
    pub two_factor: bool,
}

impl UserView {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The first letter of the name, for the avatar in the account menu.
    pub fn initial(&self) -> String {
        self.name
            .chars()
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_else(|| "?".to_string())
    }
}

/// One live sign-in of the account, on its security page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInView {
    /// Names the sign-in in the form that ends it (a hash: the session's id is never shown).
    pub handle: String,
    pub device: String,
    /// Unix milliseconds; `None` when not known.
    pub signed_in_at: Option<i64>,
    /// The sign-in of the browser looking at the page.
    pub current: bool,
}

/// One of the account's passkeys, on its security page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: i64,
    pub name: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// One problem with one form field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// `YYYY-MM-DD` (UTC) from unix milliseconds, without a date crate in the wasm bundle.
pub fn format_date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `YYYY-MM-DD HH:MM` (UTC) from unix milliseconds.
pub fn format_time(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000).rem_euclid(24 * 60);
    format!("{} {:02}:{:02}", format_date(ms), minutes / 60, minutes % 60)
}

/// A day as a date input sends it (`YYYY-MM-DD`), or empty for anything else: what a filter shows back (a
/// hand-edited address narrows nothing).
pub fn date_input(text: String) -> String {
    if parse_date(&text).is_some() {
        text
    } else {
        String::new()
    }
}

/// Unix milliseconds at the start (UTC) of a `YYYY-MM-DD` day, as a date input sends it; `None` for anything
/// else (the inverse of [`format_date`]).
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let mut number = |len: usize| {
        let part = parts.next()?;
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit())).then(|| part.parse::<i64>().ok())?
    };
    let (year, month, day) = (number(4)?, number(2)?, number(2)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&month) || day < 1 || day > month_days[(month - 1) as usize] {
        return None;
    }
    // Days-from-civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400_000)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_date_reads_back_as_it_was_written() {
        for ms in [
            0,
            951_782_400_000,
            1_709_164_800_000,
            1_796_083_200_000,
            4_102_444_800_000,
        ] {
            assert_eq!(super::parse_date(&super::format_date(ms)), Some(ms));
        }
        for bad in [
            "",
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-01x",
            "２０２６-01-01",
            "2024-00-10",
        ] {
            assert_eq!(super::parse_date(bad), None, "{bad:?}");
        }
        assert!(super::parse_date("2024-02-29").is_some());
    }

    use super::*;

    #[test]
    fn role_round_trips_through_its_stored_spelling() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn initial_is_the_uppercased_first_letter() {
        let user = UserView {
            id: 1,
            name: "émile".into(),
            email: "e@example.com".into(),
            role: Role::Shopper,
            created_at: 0,
            email_verified: true,
            two_factor: false,
        };
        assert_eq!(user.initial(), "É");
    }
}
