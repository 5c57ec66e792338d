//! Changing an account's email: asked with the current password, it takes effect only when the single-use link sent
//! to the new address is opened (24 hours; only its token's hash is kept), so a mistyped address or a stolen
//! session cannot move the account to an address its owner does not read. The old address is told when the change
//! is asked and when it is made.

use model::FieldError;

use super::resets::{hashed, hold_user, spend_link, spend_links};
use super::{find_user, verify_password, AccountError, Email};
use crate::notifications::{self, templates};
use crate::platform::clock::now_ms;
use crate::platform::db::is_unique_violation;
use crate::platform::ids::random_token;
use crate::platform::Db;

/// How long a link works.
pub const LINK_MS: i64 = 24 * 60 * 60 * 1000;
/// Changes asked per account in an hour; more are refused (each one mails the old address).
const ASKED_PER_HOUR: i64 = 3;
const HOUR_MS: i64 = 60 * 60 * 1000;

/// Asks to move account `user_id` to `new_email`, checking `password`: sends the link to the new address and
/// tells the old one. Nothing changes until the link is opened.
pub async fn request(db: &Db, user_id: i64, new_email: &str, password: &str) -> Result<(), AccountError> {
    let user = find_user(db, user_id).await?.ok_or(AccountError::NotFound)?;
    let mut errors = Vec::new();
    let email = Email::parse(new_email).map_err(|e| errors.push(e)).ok();
    if !verify_password(password, &user.password_hash).await? {
        errors.push(FieldError::new("password", "The password is not correct."));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(AccountError::Invalid(errors));
    };
    if email.as_str() == user.email {
        return Err(AccountError::field("email", "This is already your address."));
    }
    let now = now_ms();
    let token = random_token() + &random_token();
    let mut tx = db.begin_write().await?;
    hold_user(&mut tx, user_id).await?;
    let asked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM email_changes WHERE user_id = $1 AND created_at > $2")
        .bind(user_id)
        .bind(now - HOUR_MS)
        .fetch_one(&mut *tx)
        .await?;
    if asked >= ASKED_PER_HOUR {
        return Err(AccountError::field(
            "email",
            "You asked for three changes this hour: open one of the links sent, or try again later.",
        ));
    }
    sqlx::query(
        "INSERT INTO email_changes (token_hash, user_id, new_email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hashed(&token))
    .bind(user_id)
    .bind(email.as_str())
    .bind(now)
    .bind(now + LINK_MS)
    .execute(&mut *tx)
    .await?;
    let link = format!("/account/email?token={token}");
    let key = hashed(&token);
    notifications::enqueue(
        &mut tx,
        &format!("email-change:{key}"),
        &templates::email_change_link(email.as_str(), &link),
    )
    .await?;
    notifications::enqueue(
        &mut tx,
        &format!("email-change-asked:{key}"),
        &templates::email_change_asked(&user.email, email.as_str()),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id, "email change asked; link sent to the new address");
    Ok(())
}

/// The new address link `token` would set, if the link still works.
pub async fn pending(db: &Db, token: &str) -> Result<Option<String>, AccountError> {
    Ok(sqlx::query_scalar(
        "SELECT new_email FROM email_changes WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(hashed(token))
    .bind(now_ms())
    .fetch_optional(db.pool())
    .await?)
}

/// Makes the change link `token` was sent for, once; the new address. The old address is told. A link that was
/// used or expired, or an address another account took meanwhile, changes nothing.
pub async fn confirm(db: &Db, token: &str) -> Result<String, AccountError> {
    let now = now_ms();
    let spent = || AccountError::field("token", "This link was already used or has expired.");
    let mut tx = db.begin_write().await?;
    let Some((user_id, new_email)) = spend_link(&mut tx, "email_changes", "new_email", token, now).await? else {
        return Err(spent());
    };
    let old: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    // The link was opened from the new address's mail: the new address is confirmed with the change.
    let moved = sqlx::query(
        "UPDATE users SET email = $1, updated_at = $2, email_verified_at = $2 WHERE id = $3 AND disabled_at IS NULL",
    )
    .bind(&new_email)
    .bind(now)
    .bind(user_id)
    .execute(&mut *tx)
    .await;
    match moved {
        Ok(done) if done.rows_affected() == 0 => return Err(spent()),
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(AccountError::field(
                "token",
                "Another account uses this address now: your email stays as it was.",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    // Reset links sent to the old address, and other pending changes, stop working.
    spend_links(&mut tx, user_id, now).await?;
    notifications::enqueue(
        &mut tx,
        &format!("email-changed:{}", hashed(token)),
        &templates::email_changed(&old, &new_email),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id, "email changed");
    Ok(new_email)
}
