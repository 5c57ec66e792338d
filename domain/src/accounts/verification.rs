//! Confirming an account's address: a single-use link (24 hours; only its token's SHA-256 is kept) goes to the
//! address at registration and again on request (three an hour). An unconfirmed account can shop; it cannot
//! apply to sell. Registration answers the same whether or not the address already has an account: the owner of
//! an existing account gets a "someone tried to register" mail instead (at most one an hour), so the form does not
//! tell an attacker which addresses are customers'.

use super::resets::{hashed, hold_user, spend_link};
use super::{AccountError, NewAccount, Registration, Role};
use crate::notifications::{self, templates};
use crate::platform::clock::now_ms;
use crate::platform::ids::random_token;
use crate::platform::Db;

/// How long a link works.
pub const LINK_MS: i64 = 24 * 60 * 60 * 1000;
const HOUR_MS: i64 = 60 * 60 * 1000;
/// Links sent to one account within an hour; asking for more is refused with what to do.
const LINKS_PER_HOUR: i64 = 3;

/// Registers a shopper. A new address gets its account and a link to confirm it; an address an account already
/// uses gets a mail telling its owner, and nothing else changes. Both answer `Ok` after the same work (the
/// password is hashed either way), so the caller's answer is the same. Field errors are reported as usual: they
/// depend only on what was typed.
pub async fn sign_up(db: &Db, input: &Registration) -> Result<(), AccountError> {
    let new = NewAccount::parse(input).await?;
    let email = new.email().clone();
    let mut tx = db.begin_write().await?;
    match new.insert(&mut tx, Role::Shopper, None).await? {
        Some(user) => {
            queue_link(&mut tx, user.id, &user.email, now_ms()).await?;
        }
        None => {
            // The account's id and state, read in this transaction: the address is taken, so the row exists.
            let owner: Option<(i64, Option<i64>)> =
                sqlx::query_as("SELECT id, disabled_at FROM users WHERE email = $1")
                    .bind(email.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((user_id, None)) = owner {
                // One such mail an hour at most: a flood of attempts cannot fill the owner's mailbox. Counted
                // under the account's row, so attempts at once send one.
                hold_user(&mut tx, user_id).await?;
                let now = now_ms();
                let recent: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE dedupe_key LIKE $1 AND created_at > $2")
                        .bind(format!("register-attempt:{user_id}:%"))
                        .bind(now - HOUR_MS)
                        .fetch_one(&mut *tx)
                        .await?;
                if recent == 0 {
                    let mail = templates::registration_attempted(email.as_str());
                    notifications::enqueue(&mut tx, &format!("register-attempt:{user_id}:{now}"), &mail).await?;
                }
            }
            tracing::info!("registration with an address that has an account: its owner is told");
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Stores a new link for account `user_id` and queues the mail that carries it to `email`.
async fn queue_link(conn: &mut sqlx::AnyConnection, user_id: i64, email: &str, now: i64) -> Result<(), sqlx::Error> {
    let token = random_token() + &random_token();
    sqlx::query(
        "INSERT INTO email_verifications (token_hash, user_id, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hashed(&token))
    .bind(user_id)
    .bind(email)
    .bind(now)
    .bind(now + LINK_MS)
    .execute(&mut *conn)
    .await?;
    let mail = templates::verify_email(email, &format!("/verify-email?token={token}"));
    notifications::enqueue(conn, &format!("verify-email:{}", hashed(&token)), &mail).await?;
    Ok(())
}

/// Sends account `user_id` a new link to confirm its address. Refused when it is confirmed already, or when
/// three links went out this hour.
pub async fn resend(db: &Db, user_id: i64) -> Result<(), AccountError> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    // The account's row first: two requests at once count one after the other.
    hold_user(&mut tx, user_id).await?;
    let state: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT email, email_verified_at FROM users WHERE id = $1 AND disabled_at IS NULL")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((email, verified_at)) = state else {
        return Err(AccountError::NotFound);
    };
    if verified_at.is_some() {
        return Err(AccountError::field("email", "Your email is already confirmed."));
    }
    let sent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM email_verifications WHERE user_id = $1 AND created_at > $2")
            .bind(user_id)
            .bind(now - HOUR_MS)
            .fetch_one(&mut *tx)
            .await?;
    if sent >= LINKS_PER_HOUR {
        return Err(AccountError::field(
            "email",
            "We sent three links this hour: open the newest one, or ask again later.",
        ));
    }
    queue_link(&mut tx, user_id, &email, now).await?;
    tx.commit().await?;
    tracing::info!(user_id, "email confirmation link sent again");
    Ok(())
}

/// The address link `token` would confirm, if it still works.
pub async fn pending(db: &Db, token: &str) -> Result<Option<String>, AccountError> {
    Ok(sqlx::query_scalar(
        "SELECT email FROM email_verifications WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(hashed(token))
    .bind(now_ms())
    .fetch_optional(db.pool())
    .await?)
}

/// Confirms the address link `token` was sent to, once (every link of the account is spent with it). A link
/// that was used or expired, or one sent to an address the account no longer uses, confirms nothing.
pub async fn confirm(db: &Db, token: &str) -> Result<(), AccountError> {
    let now = now_ms();
    let spent = || AccountError::field("token", "This link was already used or has expired.");
    let mut tx = db.begin_write().await?;
    let Some((user_id, email)) = spend_link(&mut tx, "email_verifications", "email", token, now).await? else {
        return Err(spent());
    };
    let confirmed = sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 \
         WHERE id = $2 AND email = $3 AND disabled_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(&email)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if confirmed == 0 {
        return Err(AccountError::field(
            "token",
            "This link was sent to an address your account no longer uses.",
        ));
    }
    sqlx::query("UPDATE email_verifications SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(user_id, "email confirmed");
    Ok(())
}

/// Whether account `user_id` has confirmed its address, read on `conn` (a caller's transaction).
pub async fn is_verified(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<bool, sqlx::Error> {
    let at: Option<Option<i64>> = sqlx::query_scalar("SELECT email_verified_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(matches!(at, Some(Some(_))))
}
