//! The account's part of "Your data" (decision 0041): what the export says of the account itself, and erasing
//! what the accounts context holds of a person. The row in `users` stays (orders name it) with its email, name
//! and password replaced; everything else of the account here is deleted.

use serde::Serialize;
use sqlx::AnyConnection;

use super::{find_user, hash_password, verify_password, AccountError, NewPassword, User};
use crate::platform::ids::random_token;
use crate::platform::Db;

/// The account as the export lists it (never the password hash or a two-factor secret).
#[derive(Debug, Clone, Serialize)]
pub struct AccountRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
    pub email_verified_at: Option<i64>,
    pub two_factor_on: bool,
    /// Names and dates only (the public keys are of no use to the person).
    pub passkeys: Vec<super::passkeys::PasskeyRecord>,
    pub addresses: Vec<AddressRecord>,
    pub sign_ins: Vec<SignInRecord>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AddressRecord {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postal: String,
    pub country: String,
    pub last_used_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignInRecord {
    pub device: String,
    pub signed_in_at: Option<i64>,
}

/// What the accounts context holds of `user`, for the export.
pub async fn record(db: &Db, user: &User) -> Result<AccountRecord, AccountError> {
    let addresses: Vec<AddressRecord> = sqlx::query_as(
        "SELECT name, line1, line2, city, postal, country, last_used_at FROM addresses WHERE user_id = $1 \
         ORDER BY last_used_at DESC, id",
    )
    .bind(user.id)
    .fetch_all(db.pool())
    .await?;
    let sign_ins = super::sessions::sign_ins(db, user.id, None)
        .await?
        .into_iter()
        .map(|s| SignInRecord {
            device: s.device,
            signed_in_at: s.signed_in_at,
        })
        .collect();
    Ok(AccountRecord {
        id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role.as_str().to_string(),
        created_at: user.created_at,
        email_verified_at: user.email_verified_at,
        two_factor_on: user.two_factor_at.is_some(),
        passkeys: super::passkeys::list(db, user.id).await?,
        addresses,
        sign_ins,
    })
}

/// The signed-in account, after checking its password (a field error on `password` when it is wrong).
pub async fn confirmed_owner(db: &Db, user_id: i64, password: &str) -> Result<User, AccountError> {
    let user = find_user(db, user_id).await?.ok_or(AccountError::NotFound)?;
    if !verify_password(password, &user.password_hash).await? {
        return Err(AccountError::field("password", "The password is not correct."));
    }
    Ok(user)
}

/// The address an erased account's row keeps instead of its email: unique, and in a domain that never receives
/// mail (RFC 2606 reserves `.invalid`).
pub fn erased_email(user_id: i64) -> String {
    format!("erased-{user_id}@erased.invalid")
}

/// A password hash nobody knows the password of, made before the erasing transaction (hashing is slow).
pub async fn unknowable_password() -> Result<super::PasswordHash, AccountError> {
    hash_password(NewPassword(random_token())).await
}

/// Every address the account proved it reads (a link sent there was opened): its email once confirmed, and the
/// ones it confirmed before. An address it only typed may be someone else's: its mail is never touched.
pub async fn addresses_of(conn: &mut AnyConnection, user: &User) -> Result<Vec<String>, sqlx::Error> {
    let mut known: Vec<String> = sqlx::query_scalar(
        "SELECT new_email FROM email_changes WHERE user_id = $1 AND used_at IS NOT NULL \
         UNION SELECT email FROM email_verifications WHERE user_id = $1 AND used_at IS NOT NULL",
    )
    .bind(user.id)
    .fetch_all(&mut *conn)
    .await?;
    if user.email_verified_at.is_some() {
        known.push(user.email.clone());
    }
    known.sort();
    known.dedup();
    Ok(known)
}

/// The keys the account's own links were mailed under (a change of email's, an address confirmation's), wherever
/// they went: the mail the account caused goes with it, even to an address it only typed.
pub async fn own_mail_keys(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT 'email-change:' || token_hash FROM email_changes WHERE user_id = $1 \
         UNION ALL SELECT 'verify-email:' || token_hash FROM email_verifications WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// Erases what the accounts context holds of `user` in the caller's transaction: sessions, links, two-factor,
/// recovery codes, passkeys and the passkey handle, saved addresses and failed sign-ins are deleted; the row keeps
/// only its id, role and dates.
/// Returns false when the row was erased already (two erasures at once: the second does nothing).
pub async fn erase(
    conn: &mut AnyConnection,
    user: &User,
    password: &super::PasswordHash,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET email = $1, name = 'Erased account', password_hash = $2, disabled_at = $3, \
         erased_at = $3, email_verified_at = NULL, updated_at = $3 WHERE id = $4 AND erased_at IS NULL",
    )
    .bind(erased_email(user.id))
    .bind(password.as_str())
    .bind(now)
    .bind(user.id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    for table in [
        "sessions",
        "password_resets",
        "email_changes",
        "email_verifications",
        "two_factor",
        "recovery_codes",
        "passkeys",
        "passkey_users",
        "addresses",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user.id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM login_failures WHERE scope = $1")
        .bind(super::throttle::account_scope(&user.email))
        .execute(&mut *conn)
        .await?;
    Ok(true)
}
