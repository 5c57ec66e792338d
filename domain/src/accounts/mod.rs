//! The accounts context: registration, login with throttling, profile, password changes and resets, email
//! changes confirmed from the new address, admins made by the operator, sessions and saved addresses. Owns `users`,
//! `login_failures`, `sessions`, `password_resets`, `email_changes` and `addresses`. It is the only maker of signed-in [`Actor`]s: from a user row it has just read.
//!
//! Inputs are parsed into newtypes (`Email`, `DisplayName`, `NewPassword`) before anything touches the database,
//! and every problem with a form comes back as a `FieldError` on the field the user must fix.

pub mod addresses;
pub mod devices;
pub mod email_change;
pub mod kept;
pub mod passkeys;
mod passwords;
pub mod privacy;
pub mod resets;
pub mod sessions;
pub mod standing;
pub mod step_up;
pub mod throttle;
pub mod two_factor;
pub mod verification;

use std::fmt;

use model::{limits, FieldError, Role, UserView};
use sqlx::Row;

use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::ids::next_id;
use crate::platform::{Actor, ActorKind};
pub use passwords::{hash_password, verify_password, PasswordHash};
pub use throttle::{ClientKey, ThrottlePolicy};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The same answer for an unknown email, a wrong password and a disabled account.
    #[error("email or password is incorrect")]
    BadCredentials,
    #[error("too many failed attempts; retry after {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error("the user does not exist")]
    NotFound,
    /// Only an admin may do this.
    #[error("not allowed")]
    Forbidden,
    /// The request was fine but the account's state does not allow it; the message says why.
    #[error("refused: {0}")]
    Refused(String),
    /// The password was right, but an admin suspended the account.
    #[error("the account is suspended")]
    Suspended,
    #[error("password hashing failed")]
    Hashing,
    /// A passkey's stored or generated data could not be read or written (not the person's doing).
    #[error("passkey data: {0}")]
    Passkey(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl AccountError {
    fn field(field: &str, message: &str) -> Self {
        AccountError::Invalid(vec![FieldError::new(field, message)])
    }
}

/// A normalised email address: trimmed and lowercased, so uniqueness is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, FieldError> {
        let email = raw.trim().to_lowercase();
        let invalid = || FieldError::new("email", "Enter an email address like name@example.com.");
        if email.is_empty() {
            return Err(FieldError::new("email", "Enter your email address."));
        }
        if email.chars().count() > limits::EMAIL_MAX_CHARS {
            return Err(FieldError::new("email", "That email address is too long."));
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || !domain_ok || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name shown in the header and on orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new("name", "Enter your name."));
        }
        if name.chars().count() > limits::NAME_MAX_CHARS {
            return Err(FieldError::new(
                "name",
                format!("Use at most {} characters.", limits::NAME_MAX_CHARS),
            ));
        }
        if name.chars().any(|c| c.is_control()) {
            return Err(FieldError::new(
                "name",
                "The name contains characters that are not allowed.",
            ));
        }
        Ok(DisplayName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that passed the rules (OWASP ASVS: 8–128 characters, not a common password). Not `Debug`-printable.
#[derive(Clone)]
pub struct NewPassword(String);

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub fn parse(field: &str, raw: &str) -> Result<NewPassword, FieldError> {
        let chars = raw.chars().count();
        if chars < limits::PASSWORD_MIN_CHARS {
            return Err(FieldError::new(
                field,
                format!("Use at least {} characters.", limits::PASSWORD_MIN_CHARS),
            ));
        }
        if chars > limits::PASSWORD_MAX_CHARS {
            return Err(FieldError::new(
                field,
                format!("Use at most {} characters.", limits::PASSWORD_MAX_CHARS),
            ));
        }
        if passwords::is_common(raw) {
            return Err(FieldError::new(
                field,
                "This password is one of the most common and easy to guess; choose another.",
            ));
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A user row. Not a wire type: it holds the password hash; `to_view` makes the wire type.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    /// The store this account runs, if it is a seller's.
    pub store_id: Option<i64>,
    /// When the account's address was confirmed (by a link sent to it); `None` until then.
    pub email_verified_at: Option<i64>,
    /// When two-factor sign-in was turned on; `None` while it is off.
    pub two_factor_at: Option<i64>,
    password_hash: PasswordHash,
}

impl User {
    /// Who this user acts as. Only a row read from the database makes a `User`, so this is the one way to a
    /// signed-in actor. A disabled account acts as a visitor; a seller account without a store as a shopper.
    pub fn actor(&self) -> Actor {
        if self.disabled_at.is_some() {
            return Actor::visitor();
        }
        Actor::from_kind(match (self.role, self.store_id) {
            // An admin acts as one only with two-factor sign-in on; until then, as a visitor (decision 0038).
            (Role::Admin, _) if self.two_factor_at.is_some() => ActorKind::Admin { user_id: self.id },
            (Role::Admin, _) => ActorKind::Visitor,
            (Role::Seller, Some(store_id)) => ActorKind::Seller {
                user_id: self.id,
                store_id,
            },
            _ => ActorKind::Shopper { user_id: self.id },
        })
    }

    pub fn to_view(&self) -> UserView {
        UserView {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            created_at: self.created_at,
            email_verified: self.email_verified_at.is_some(),
            two_factor: self.two_factor_at.is_some(),
        }
    }

    fn from_row(row: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
        let role_text: String = row.try_get("role")?;
        let role = Role::parse(&role_text).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "role".into(),
            source: format!("unknown role {role_text:?}").into(),
        })?;
        Ok(User {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            role,
            created_at: row.try_get("created_at")?,
            disabled_at: row.try_get("disabled_at")?,
            store_id: row.try_get("store_id")?,
            email_verified_at: row.try_get("email_verified_at")?,
            two_factor_at: row.try_get("two_factor_at")?,
            password_hash: PasswordHash::from_stored(row.try_get("password_hash")?),
        })
    }
}

const USER_COLUMNS: &str = "id, email, name, role, created_at, disabled_at, password_hash, email_verified_at, \
     (SELECT MIN(s.id) FROM sellers s WHERE s.user_id = users.id) AS store_id, \
     (SELECT MIN(t.enabled_at) FROM two_factor t WHERE t.user_id = users.id) AS two_factor_at";

/// What the registration form sends.
#[derive(Debug, Clone)]
pub struct Registration {
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Creates a shopper account, its address not yet confirmed. Every invalid field is reported at once; an address
/// another account uses is refused (the registration page answers through [`verification::sign_up`], which never
/// tells).
pub async fn register(db: &Db, input: &Registration) -> Result<User, AccountError> {
    create_user(db, input, Role::Shopper, None).await
}

/// Creates an admin (the `bazaar create-admin` command). The operator typed the address: it counts as confirmed.
pub async fn create_admin(db: &Db, input: &Registration) -> Result<User, AccountError> {
    create_user(db, input, Role::Admin, Some(now_ms())).await
}

async fn create_user(
    db: &Db,
    input: &Registration,
    role: Role,
    verified_at: Option<i64>,
) -> Result<User, AccountError> {
    let new = NewAccount::parse(input).await?;
    let mut tx = db.begin_write().await?;
    let user = new.insert(&mut tx, role, verified_at).await?.ok_or_else(email_taken)?;
    tx.commit().await?;
    Ok(user)
}

/// A registration checked and its password hashed, not yet stored.
pub(crate) struct NewAccount {
    name: DisplayName,
    email: Email,
    hash: PasswordHash,
}

impl NewAccount {
    /// Checks every field (all problems at once), then hashes the password.
    pub(crate) async fn parse(input: &Registration) -> Result<NewAccount, AccountError> {
        let mut errors = Vec::new();
        let name = DisplayName::parse(&input.name).map_err(|e| errors.push(e)).ok();
        let email = Email::parse(&input.email).map_err(|e| errors.push(e)).ok();
        let password = NewPassword::parse("password", &input.password)
            .map_err(|e| errors.push(e))
            .ok();
        let (Some(name), Some(email), Some(password)) = (name, email, password) else {
            return Err(AccountError::Invalid(errors));
        };
        let hash = hash_password(password).await?;
        Ok(NewAccount { name, email, hash })
    }

    pub(crate) fn email(&self) -> &Email {
        &self.email
    }

    /// Stores the account; `None` when another account has the address (nothing is stored, and the
    /// transaction stays usable: the insert does not fail, it does nothing).
    pub(crate) async fn insert(
        self,
        conn: &mut sqlx::AnyConnection,
        role: Role,
        verified_at: Option<i64>,
    ) -> Result<Option<User>, AccountError> {
        let now = now_ms();
        let id = next_id();
        let inserted = sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at, email_verified_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7) ON CONFLICT (email) DO NOTHING",
        )
        .bind(id)
        .bind(self.email.as_str())
        .bind(self.name.as_str())
        .bind(self.hash.as_str())
        .bind(role.as_str())
        .bind(now)
        .bind(verified_at)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(None);
        }
        tracing::info!(user_id = id, role = role.as_str(), "account created");
        Ok(Some(User {
            id,
            email: self.email.as_str().to_string(),
            name: self.name.as_str().to_string(),
            role,
            created_at: now,
            disabled_at: None,
            store_id: None,
            email_verified_at: verified_at,
            two_factor_at: None,
            password_hash: self.hash,
        }))
    }
}

fn email_taken() -> AccountError {
    AccountError::field(
        "email",
        "An account with this email already exists. Log in instead, or use another address.",
    )
}

pub async fn find_user(db: &Db, id: i64) -> Result<Option<User>, AccountError> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.as_ref().map(User::from_row).transpose()?)
}

/// The account that uses `raw_email` (as typed: trimmed, any case), if any (the operator's commands).
pub async fn find_by_email(db: &Db, raw_email: &str) -> Result<Option<User>, AccountError> {
    match Email::parse(raw_email) {
        Ok(email) => find_user_by_email(db, &email).await,
        Err(_) => Ok(None),
    }
}

async fn find_user_by_email(db: &Db, email: &Email) -> Result<Option<User>, AccountError> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
        .bind(email.as_str())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.as_ref().map(User::from_row).transpose()?)
}

/// Checks an email and password. Unknown email, wrong password and disabled account all answer
/// `BadCredentials` after the same amount of hashing work. Repeated failures per account or per client answer
/// `Throttled` until the oldest failure in the window ages out, so the real owner always gets back in.
pub async fn login(
    db: &Db,
    policy: &ThrottlePolicy,
    client: &ClientKey,
    raw_email: &str,
    password: &str,
) -> Result<User, AccountError> {
    // An unparseable email cannot match an account; it is still counted against the client.
    let email = Email::parse(raw_email).ok();
    let account_scope = email.as_ref().map(|e| throttle::account_scope(e.as_str()));
    let client_scope = throttle::client_scope(client);
    let scopes: Vec<(&str, u32)> = account_scope
        .as_deref()
        .map(|s| (s, policy.per_account))
        .into_iter()
        .chain(std::iter::once((client_scope.as_str(), policy.per_client)))
        .collect();
    if let Some(retry_after_secs) = throttle::retry_after(db, policy, &scopes).await? {
        return Err(AccountError::Throttled { retry_after_secs });
    }

    let user = match &email {
        Some(email) => find_user_by_email(db, email).await?,
        None => None,
    };
    let verified = match &user {
        Some(user) => verify_password(password, &user.password_hash).await?,
        None => {
            passwords::burn_equal_time(password).await?;
            false
        }
    };
    match user {
        Some(user) if verified && user.disabled_at.is_none() => {
            if let Some(scope) = &account_scope {
                throttle::clear(db, scope).await?;
            }
            Ok(user)
        }
        // Only the account's owner (who knows its password) learns it is suspended rather than wrong.
        Some(_) if verified => Err(AccountError::Suspended),
        _ => {
            let scope_names: Vec<&str> = scopes.iter().map(|(s, _)| *s).collect();
            throttle::record_failure(db, &scope_names).await?;
            Err(AccountError::BadCredentials)
        }
    }
}

/// What the profile form sends.
/// What the profile form sends (the email changes apart, confirmed from the new address: `email_change`).
#[derive(Debug, Clone)]
pub struct ProfileUpdate {
    pub name: String,
}

pub async fn update_profile(db: &Db, user_id: i64, input: &ProfileUpdate) -> Result<User, AccountError> {
    let name = DisplayName::parse(&input.name).map_err(|e| AccountError::Invalid(vec![e]))?;
    let done = db
        .write_one(
            sqlx::query("UPDATE users SET name = $1, updated_at = $2 WHERE id = $3")
                .bind(name.as_str())
                .bind(now_ms())
                .bind(user_id),
        )
        .await?;
    if done.rows_affected() == 0 {
        return Err(AccountError::NotFound);
    }
    find_user(db, user_id).await?.ok_or(AccountError::NotFound)
}

/// Makes a shopper account a seller's (an approved application). Only a shopper becomes a seller: an admin's
/// role is never lowered this way, and a suspended account opens no store.
pub async fn make_seller(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<(), AccountError> {
    let done = sqlx::query(
        "UPDATE users SET role = 'seller', updated_at = $1 WHERE id = $2 AND role IN ('shopper', 'seller') \
         AND disabled_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AccountError::NotFound);
    }
    Ok(())
}

/// The addresses of the admins who are not disabled (who hear of new seller applications).
pub async fn admin_emails(conn: &mut sqlx::AnyConnection) -> Result<Vec<String>, AccountError> {
    Ok(
        sqlx::query_scalar("SELECT email FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id")
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Changes the password after checking the current one, and ends every other session of the user in the same
/// transaction (a stolen session does not survive the owner changing the password).
pub async fn change_password(
    db: &Db,
    user_id: i64,
    current: &str,
    new: &str,
    keep_session_id: Option<&str>,
) -> Result<(), AccountError> {
    let user = find_user(db, user_id).await?.ok_or(AccountError::NotFound)?;
    if !verify_password(current, &user.password_hash).await? {
        return Err(AccountError::field(
            "current_password",
            "The current password is not correct.",
        ));
    }
    let new = NewPassword::parse("new_password", new).map_err(|e| AccountError::Invalid(vec![e]))?;
    if new.expose() == current {
        return Err(AccountError::field(
            "new_password",
            "The new password must differ from the current one.",
        ));
    }
    let hash = hash_password(new).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash.as_str())
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    crate::accounts::sessions::delete_user_sessions(&mut tx, user_id, keep_session_id).await?;
    resets::spend_links(&mut tx, user_id, now_ms()).await?;
    tx.commit().await?;
    tracing::info!(user_id, "password changed; other sessions ended, pending links spent");
    Ok(())
}

impl From<AccountError> for crate::platform::Problem {
    fn from(err: AccountError) -> Self {
        use crate::platform::Problem;
        match err {
            AccountError::Invalid(fields) => Problem::Invalid(fields),
            AccountError::BadCredentials => Problem::BadCredentials,
            AccountError::Throttled { retry_after_secs } => Problem::Throttled { retry_after_secs },
            AccountError::NotFound => Problem::NotFound,
            AccountError::Forbidden => Problem::Forbidden,
            AccountError::Refused(message) => Problem::Conflict(message),
            AccountError::Suspended => Problem::Conflict(
                "This account is suspended, so it cannot sign in. Write to the shop's support to ask why.".into(),
            ),
            other @ (AccountError::Hashing | AccountError::Passkey(_) | AccountError::Db(_)) => {
                Problem::Internal(other.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").map(|e| e.0),
            Ok("ada@example.com".to_string())
        );
    }

    #[test]
    fn email_without_a_dotted_domain_is_rejected() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@.com",
            "a b@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn password_length_rules_count_characters_not_bytes() {
        assert!(NewPassword::parse("password", "short1!").is_err());
        assert!(NewPassword::parse("password", "ééééééé€").is_ok());
        assert!(NewPassword::parse("password", &"x".repeat(129)).is_err());
        assert!(NewPassword::parse("password", &"Zq".repeat(64)).is_ok());
    }

    #[test]
    fn common_passwords_are_rejected_whatever_their_case() {
        assert!(NewPassword::parse("password", "Password123").is_err());
        assert!(NewPassword::parse("password", "QWERTYUIOP").is_err());
        assert!(NewPassword::parse("password", "lantern-orbit-97").is_ok());
    }

    #[test]
    fn new_password_debug_does_not_print_the_secret() {
        let p = NewPassword::parse("password", "lantern-orbit-97").expect("valid");
        assert!(!format!("{p:?}").contains("lantern"));
    }

    #[test]
    fn display_name_is_required_and_bounded() {
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"n".repeat(81)).is_err());
        assert_eq!(DisplayName::parse(" Ada ").map(|n| n.0), Ok("Ada".to_string()));
    }
}
