//! Notification preferences (decision 0045): which optional messages an account gets. No row means the defaults
//! ([`NotificationSettings::default`]). The outbox asks again when it sends, so a setting turned off (on the page or
//! by a one-click unsubscribe) also stops what is already queued.

use model::notifications::{NotificationSettings, Topic};
use model::FieldError;
use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::platform::ids::random_token;
use crate::platform::{Db, Problem};

/// A phone number in international form has at most 15 digits (ITU-T E.164), and no country's is shorter than 8.
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 8..=15;

#[derive(sqlx::FromRow)]
struct PrefsRow {
    marketing: i64,
    review_reminders: i64,
    price_drops: i64,
    texts: i64,
    phone: String,
}

impl From<PrefsRow> for NotificationSettings {
    fn from(row: PrefsRow) -> Self {
        NotificationSettings {
            marketing: row.marketing != 0,
            review_reminders: row.review_reminders != 0,
            price_drops: row.price_drops != 0,
            texts: row.texts != 0,
            phone: row.phone,
        }
    }
}

async fn read(conn: &mut AnyConnection, user_id: i64) -> Result<NotificationSettings, sqlx::Error> {
    let row: Option<PrefsRow> = sqlx::query_as(
        "SELECT marketing, review_reminders, price_drops, texts, phone FROM notification_prefs WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(Into::into).unwrap_or_default())
}

/// The account's settings.
pub async fn settings(db: &Db, user_id: i64) -> Result<NotificationSettings, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    read(&mut conn, user_id).await
}

/// Whether the account gets mail of `topic` now.
pub async fn allows(conn: &mut AnyConnection, user_id: i64, topic: Topic) -> Result<bool, sqlx::Error> {
    let s = read(conn, user_id).await?;
    Ok(match topic {
        Topic::Marketing => s.marketing,
        Topic::ReviewReminders => s.review_reminders,
        Topic::PriceDrops => s.price_drops,
    })
}

/// The number the account's order texts go to, when it asked for them.
pub async fn texts_to(conn: &mut AnyConnection, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    let s = read(conn, user_id).await?;
    Ok((s.texts && !s.phone.is_empty()).then_some(s.phone))
}

/// The account's unsubscribe token, made (with the default settings) on first use; two first uses at once make one.
pub async fn unsubscribe_token(conn: &mut AnyConnection, user_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query(
        "INSERT INTO notification_prefs (user_id, unsubscribe_token, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(random_token())
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT unsubscribe_token FROM notification_prefs WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await
}

/// A phone number as typed, in the form texts are sent to (`+` and digits), or why it is not one. Spaces, dots,
/// dashes and brackets are what people type between digit groups; anything else is refused.
pub fn phone_number(typed: &str) -> Result<String, String> {
    let typed = typed.trim();
    let Some(rest) = typed.strip_prefix('+').or_else(|| typed.strip_prefix("00")) else {
        return Err("Start with + and the country code, e.g. +44 7700 900123.".into());
    };
    if rest.chars().any(|c| !(c.is_ascii_digit() || " .-()".contains(c))) {
        return Err("Use only digits, spaces and dashes after the +.".into());
    }
    // "+44 (0) 20 …": the (0) is the trunk prefix dialled at home, never after the country code.
    let rest = rest.replacen("(0)", "", 1);
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if !PHONE_DIGITS.contains(&digits.len()) || digits.starts_with('0') {
        return Err("That is not a whole number in international form: + then 8 to 15 digits.".into());
    }
    Ok(format!("+{digits}"))
}

/// Saves the account's settings as the form sent them. Texts need a number; a number may be kept with texts off.
pub async fn save(db: &Db, user_id: i64, form: &NotificationSettings) -> Result<NotificationSettings, Problem> {
    let phone = if form.phone.trim().is_empty() {
        String::new()
    } else {
        phone_number(&form.phone).map_err(|message| Problem::Invalid(vec![FieldError::new("phone", message)]))?
    };
    if form.texts && phone.is_empty() {
        return Err(Problem::Invalid(vec![FieldError::new(
            "phone",
            "Add the number to text, or leave texts off.",
        )]));
    }
    let saved = NotificationSettings { phone, ..form.clone() };
    let mut tx = db.begin_write().await?;
    unsubscribe_token(&mut tx, user_id).await?;
    sqlx::query(
        "UPDATE notification_prefs SET marketing = $1, review_reminders = $2, price_drops = $3, texts = $4, \
         phone = $5, updated_at = $6 WHERE user_id = $7",
    )
    .bind(i64::from(saved.marketing))
    .bind(i64::from(saved.review_reminders))
    .bind(i64::from(saved.price_drops))
    .bind(i64::from(saved.texts))
    .bind(&saved.phone)
    .bind(now_ms())
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Turns `topic` off for the account whose unsubscribe token is `token`; false when no account has it. Saying it
/// twice changes nothing the second time (a mail client may post the one-click request more than once).
pub async fn unsubscribe(db: &Db, token: &str, topic: Topic) -> Result<bool, sqlx::Error> {
    let column = match topic {
        Topic::Marketing => "marketing",
        Topic::ReviewReminders => "review_reminders",
        Topic::PriceDrops => "price_drops",
    };
    let matched = db
        .write_one(
            sqlx::query(&format!(
                "UPDATE notification_prefs SET {column} = 0, updated_at = $1 WHERE unsubscribe_token = $2"
            ))
            .bind(now_ms())
            .bind(token),
        )
        .await?
        .rows_affected();
    Ok(matched == 1)
}

/// Deletes the account's settings and every message queued or sent for it by account (texts to its phone among
/// them): an erasure, in the caller's transaction.
pub async fn forget(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    for table in ["notification_prefs", "mail_outbox"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::phone_number;

    #[test]
    fn phone_numbers_in_international_form() {
        assert_eq!(phone_number(" +44 7700 900-123 ").as_deref(), Ok("+447700900123"));
        assert_eq!(phone_number("0049 (30) 1234567").as_deref(), Ok("+49301234567"));
        assert_eq!(phone_number("+44 (0) 20 7946 0958").as_deref(), Ok("+442079460958"));
        assert!(phone_number("07700 900123").is_err(), "no country code");
        assert!(phone_number("+44 7700\u{0}900123").is_err(), "control character");
        assert!(phone_number("+1 234").is_err(), "too short");
        assert!(phone_number("+1234567890123456").is_err(), "too long");
        assert!(phone_number("+0 7700 900123").is_err(), "no country code starts with 0");
        assert!(phone_number("+٤٤٧٧٠٠٩٠٠١٢٣").is_err(), "only ASCII digits");
    }
}
