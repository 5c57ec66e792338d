//! Password reset: "Forgot password" sends a single-use link (a random token, stored only as its SHA-256 hash,
//! expiring in an hour) to the account's address; the answer is the same whether or not the address has an
//! account. Using the link sets a new password under the registration rules, ends every session of the account,
//! clears its login throttling and spends every other link it had.

use sha2::{Digest, Sha256};

use super::{find_user_by_email, hash_password, throttle, AccountError, Email, NewPassword};
use crate::notifications::{self, templates};
use crate::platform::clock::now_ms;
use crate::platform::ids::random_token;
use crate::platform::Db;

/// How long a link works.
pub const LINK_MS: i64 = 60 * 60 * 1000;
/// Links sent to one account within [`LINK_MS`]; more requests send nothing (a flood of requests cannot fill
/// someone's mailbox), and the answer stays the same.
const LINKS_PER_HOUR: i64 = 3;

/// The SHA-256 of a link's token, as kept (a read of the table gives no working link).
pub(super) fn hashed(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// The address a reset link is asked for, checked (only its form: whether an account uses it is never told).
pub fn check_address(raw_email: &str) -> Result<Email, AccountError> {
    Email::parse(raw_email).map_err(|e| AccountError::Invalid(vec![e]))
}

/// Sends a reset link to `email` if an account uses it (and it is not disabled, and fewer than three links went
/// to it this hour); nothing otherwise. The caller answers the same either way, before this runs.
pub async fn send_link(db: &Db, email: &Email) -> Result<(), AccountError> {
    let Some(user) = find_user_by_email(db, email).await? else {
        tracing::info!("password reset asked for an address without an account");
        return Ok(());
    };
    if user.disabled_at.is_some() {
        return Ok(());
    }
    let now = now_ms();
    let token = random_token() + &random_token();
    let mut tx = db.begin_write().await?;
    // The account's row first: two requests at once count one after the other (the limit holds on PostgreSQL).
    hold_user(&mut tx, user.id).await?;
    let recent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2")
        .bind(user.id)
        .bind(now - LINK_MS)
        .fetch_one(&mut *tx)
        .await?;
    if recent >= LINKS_PER_HOUR {
        tracing::info!(user_id = user.id, "password reset asked again too soon: no link sent");
        return Ok(());
    }
    // The account's links of past days are of no use any more.
    sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND created_at < $2")
        .bind(user.id)
        .bind(now - 24 * LINK_MS)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hashed(&token))
        .bind(user.id)
        .bind(now)
        .bind(now + LINK_MS)
        .execute(&mut *tx)
        .await?;
    let mail = templates::password_reset(&user.email, &format!("/reset-password?token={token}"));
    notifications::enqueue(&mut tx, &format!("password-reset:{}", hashed(&token)), &mail).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, "password reset link sent");
    Ok(())
}

/// Spends every link the account has that still works (reset and email change): after its password or email
/// changes, a link sent before must not change them again (a pending email change asked by someone who knew the
/// old password would move the account after the owner changed it).
pub(super) async fn spend_links(conn: &mut sqlx::AnyConnection, user_id: i64, now: i64) -> Result<(), sqlx::Error> {
    for table in ["password_resets", "email_changes"] {
        // `table` is one of ours, never input.
        sqlx::query(&format!(
            "UPDATE {table} SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL"
        ))
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Spends link `token` of `table` (one of ours) once: the account's row is held first, as every change of its
/// links takes it (two of its links used at once wait, never deadlock), then the link is spent by a conditional
/// update (of two uses at once, one finds it unspent). The account and the link's `column`; `None` when the link
/// is unknown, used or expired.
pub(super) async fn spend_link(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    column: &str,
    token: &str,
    now: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let owner: Option<i64> = sqlx::query_scalar(&format!("SELECT user_id FROM {table} WHERE token_hash = $1"))
        .bind(hashed(token))
        .fetch_optional(&mut *conn)
        .await?;
    let Some(user_id) = owner else {
        return Ok(None);
    };
    hold_user(conn, user_id).await?;
    let value: Option<String> = sqlx::query_scalar(&format!(
        "UPDATE {table} SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING {column}"
    ))
    .bind(now)
    .bind(hashed(token))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(value.map(|v| (user_id, v)))
}

/// Takes account `user_id`'s row for the caller's transaction.
pub(super) async fn hold_user(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// [`send_link`] after the caller has answered, so how long the answer takes does not tell whether an account
/// uses the address either.
pub fn send_link_later(db: Db, email: Email) {
    tokio::spawn(async move {
        if let Err(e) = send_link(&db, &email).await {
            tracing::error!(error = %e, "a password reset link could not be sent");
        }
    });
}

/// Whether `token` is a link that still works (the page shows the form, or says to ask for a new link).
pub async fn link_works(db: &Db, token: &str) -> Result<bool, AccountError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(hashed(token))
    .bind(now_ms())
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

fn link_spent() -> AccountError {
    AccountError::field(
        "token",
        "This link was already used or has expired. Ask for a new one below.",
    )
}

/// Sets `new` as the password of the account link `token` was sent to, once: the link is spent, with every
/// other link of the account, every session of the account ends, and its login throttling is cleared.
pub async fn reset(db: &Db, token: &str, new: &str) -> Result<(), AccountError> {
    let new = NewPassword::parse("password", new).map_err(|e| AccountError::Invalid(vec![e]))?;
    if !link_works(db, token).await? {
        return Err(link_spent());
    }
    // Hashed before the transaction: the single writer is never held for the work of argon2.
    let hash = hash_password(new).await?;
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let Some((user_id, _)) = spend_link(&mut tx, "password_resets", "token_hash", token, now).await? else {
        return Err(link_spent());
    };
    spend_links(&mut tx, user_id, now).await?;
    // A link sent before the account was disabled sets nothing. The link reached the account's address, which
    // confirms it (an account someone else opened with this address is now its owner's).
    let email: Option<String> = sqlx::query_scalar(
        "UPDATE users SET password_hash = $1, updated_at = $2, email_verified_at = COALESCE(email_verified_at, $2) \
         WHERE id = $3 AND disabled_at IS NULL RETURNING email",
    )
    .bind(hash.as_str())
    .bind(now)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(email) = email else {
        return Err(link_spent());
    };
    super::sessions::delete_user_sessions(&mut tx, user_id, None).await?;
    sqlx::query("DELETE FROM login_failures WHERE scope = $1")
        .bind(throttle::account_scope(&email))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(user_id, "password reset; every session ended");
    Ok(())
}
