//! Platform-wide settings (`platform_settings`): switches an operator sets with `bazaar setting`, read where a
//! rule depends on them. An unknown or unset setting is off.

use sqlx::AnyConnection;

use super::Db;

/// The settings there are, with what each switches.
pub const SETTINGS: [(&str, &str); 1] = [(
    FREE_ITEMS,
    "whether sellers may price a variant at 0.00 (off: every price must be above zero)",
)];

/// Whether a variant may be priced 0.00.
pub const FREE_ITEMS: &str = "free_items";

/// Whether the switch `name` is on.
pub async fn is_on(conn: &mut AnyConnection, name: &str) -> Result<bool, sqlx::Error> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM platform_settings WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(value.as_deref() == Some("on"))
}

/// Turns the switch `name` on or off. `false` for a name that is no setting.
pub async fn set(db: &Db, name: &str, on: bool) -> Result<bool, sqlx::Error> {
    if !SETTINGS.iter().any(|(n, _)| *n == name) {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM platform_settings WHERE name = $1")
        .bind(name)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO platform_settings (name, value) VALUES ($1, $2)")
        .bind(name)
        .bind(if on { "on" } else { "off" })
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}
