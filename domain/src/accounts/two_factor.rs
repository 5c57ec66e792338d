//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238: HMAC-SHA1, six digits, 30-second steps, one
//! step either side for clocks that drift), plus ten single-use recovery codes kept only as SHA-256 hashes.
//! Required for admins (an admin's account acts as a visitor until it is on, and only the operator turns it on
//! for an admin: `bazaar two-factor`), offered to everyone else whose address is confirmed.
//!
//! A code is accepted once: the newest step accepted is kept, and a code must be for a later step (a conditional
//! update, so two sign-ins with the same code at once let one through). Wrong codes count like wrong passwords:
//! five in the throttle's window and the account's codes are refused until the oldest ages out.

use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

use super::resets::hold_user;
use super::{find_user, throttle, verify_password, AccountError, ThrottlePolicy};
use crate::platform::clock::now_ms;
use crate::platform::Db;

const STEP_SECS: u64 = 30;
const DIGITS: usize = 6;
/// Recovery codes made when two-factor sign-in is turned on.
pub const RECOVERY_CODES: usize = 10;
/// Wrong codes allowed per account within the throttle's window.
const WRONG_CODES_ALLOWED: u32 = 5;
const ISSUER: &str = "Bazaar";

/// What the set-up page shows: the secret as the app's "enter a key" wants it, and as a QR code.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Base32, as authenticator apps take it typed.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub address: String,
    /// The QR code of `address`, as an SVG document.
    pub qr_svg: String,
}

/// Whether two-factor sign-in is on for an account, and how many recovery codes it has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub enabled: bool,
    pub recovery_codes_left: i64,
}

fn totp(secret: &str) -> Result<TOTP, AccountError> {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .map_err(|_| AccountError::Hashing)?;
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECS, bytes).map_err(|_| AccountError::Hashing)
}

/// The wall clock's seconds: authenticator apps keep real time, whatever the shop's test clock says.
fn unix_secs() -> u64 {
    u64::try_from(crate::platform::clock::wall_ms() / 1000).unwrap_or_default()
}

/// The step `code` is the code of, among the current step and one either side; `None` if none.
fn matching_step(secret: &str, code: &str, at_secs: u64) -> Result<Option<i64>, AccountError> {
    let totp = totp(secret)?;
    let now_step = at_secs / STEP_SECS;
    let found = [now_step.saturating_sub(1), now_step, now_step + 1]
        .into_iter()
        .find(|step| constant_time_eq(totp.generate(step * STEP_SECS).as_bytes(), code.as_bytes()));
    Ok(found.map(|s| i64::try_from(s).unwrap_or(i64::MAX)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A typed code without the spaces and dashes people type or paste with it, lowercased.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .take(64)
        .collect()
}

fn recovery_hash(code: &str) -> String {
    hex::encode(Sha256::digest(normalise(code).as_bytes()))
}

fn wrong_code() -> AccountError {
    AccountError::field(
        "code",
        "That code is not right. Use the newest code from your app (each works once), or a recovery code.",
    )
}

/// Whether `user` may enrol from its own account page. Not while the address is unconfirmed (someone who registered
/// another person's address must not lock its owner out), and not an admin: anyone holding an admin's password
/// could otherwise enrol their own app and act as the admin; the operator does it (`bazaar two-factor`).
fn may_enrol_itself(user: &super::User) -> Result<(), AccountError> {
    if user.role == model::Role::Admin {
        return Err(AccountError::field(
            "code",
            "An administrator's two-factor key is given by the shop's operator: ask them to run \
             `bazaar two-factor --email` with your address.",
        ));
    }
    if user.email_verified_at.is_none() {
        return Err(AccountError::field(
            "code",
            "Confirm your email address first: open the link we sent you, or send a new one from your account page.",
        ));
    }
    Ok(())
}

fn fresh_secret() -> String {
    Secret::Raw(rand::random::<[u8; 20]>().to_vec())
        .to_encoded()
        .to_string()
}

/// The set-up shown for `secret` of the account with address `email`.
fn described(email: &str, secret: String) -> Setup {
    let address = format!(
        "otpauth://totp/{ISSUER}:{}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        model::url_encode(email)
    );
    let qr_svg = qr_svg(&address);
    Setup {
        secret,
        address,
        qr_svg,
    }
}

/// Starts (or shows again) the set-up of account `user_id` from its own account page: a secret kept until a code
/// from it turns the feature on. Refused when it is on already, and as [`may_enrol_itself`] says.
pub async fn setup(db: &Db, user_id: i64) -> Result<Setup, AccountError> {
    let user = find_user(db, user_id).await?.ok_or(AccountError::NotFound)?;
    may_enrol_itself(&user)?;
    let fresh = fresh_secret();
    let mut tx = db.begin_write().await?;
    hold_user(&mut tx, user_id).await?;
    let row: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT secret, enabled_at FROM two_factor WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let secret = match row {
        Some((_, Some(_))) => {
            return Err(AccountError::field("code", "Two-factor sign-in is already on."));
        }
        // The page reloaded: the same secret, in case it was already added to the app.
        Some((secret, None)) => secret,
        None => {
            sqlx::query("INSERT INTO two_factor (user_id, secret, last_step, created_at) VALUES ($1, $2, 0, $3)")
                .bind(user_id)
                .bind(&fresh)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            fresh
        }
    };
    tx.commit().await?;
    Ok(described(&user.email, secret))
}

/// Turns two-factor sign-in on for account `user_id` with a code from the secret being set up; the recovery
/// codes, shown once (only their hashes are kept). Every other session of the account ends (they signed in with
/// the password alone); `keep` is the session doing this.
pub async fn enable(db: &Db, user_id: i64, code: &str, keep: Option<&str>) -> Result<Vec<String>, AccountError> {
    let user = find_user(db, user_id).await?.ok_or(AccountError::NotFound)?;
    may_enrol_itself(&user)?;
    let pending: Option<String> =
        sqlx::query_scalar("SELECT secret FROM two_factor WHERE user_id = $1 AND enabled_at IS NULL")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    let Some(secret) = pending else {
        return Err(AccountError::field(
            "code",
            "Start again: the set-up was finished or cancelled.",
        ));
    };
    let Some(step) = matching_step(&secret, &normalise(code), unix_secs())? else {
        return Err(wrong_code());
    };
    turn_on(db, user_id, &secret, step, Start::Pending { keep }).await
}

/// The operator gives account `user_id` a new key and recovery codes (`bazaar create-admin`, `bazaar two-factor`:
/// an admin's enrolment, or anyone's lost phone), shown in the terminal; every session of the account ends and its
/// wrong-code count is cleared, all in one transaction. No code was typed, so none is spent.
pub async fn issue_by_operator(db: &Db, user_id: i64) -> Result<(Setup, Vec<String>), AccountError> {
    let user = find_user(db, user_id).await?.ok_or(AccountError::NotFound)?;
    let secret = fresh_secret();
    let codes = turn_on(db, user_id, &secret, 0, Start::Replace).await?;
    Ok((described(&user.email, secret), codes))
}

/// How [`turn_on`] finds the secret: the one being set up (the session `keep` stays signed in), or a new one in
/// place of whatever the account had.
enum Start<'a> {
    Pending { keep: Option<&'a str> },
    Replace,
}

/// Turns the feature on with `secret`, `step` the newest step spent; new recovery codes. Every session of the
/// account but the one kept ends. One transaction under the account's row.
async fn turn_on(
    db: &Db,
    user_id: i64,
    secret: &str,
    step: i64,
    start: Start<'_>,
) -> Result<Vec<String>, AccountError> {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    hold_user(&mut tx, user_id).await?;
    let keep = match start {
        Start::Pending { keep } => {
            let turned_on = sqlx::query(
                "UPDATE two_factor SET enabled_at = $1, last_step = $2 WHERE user_id = $3 AND secret = $4 \
                 AND enabled_at IS NULL",
            )
            .bind(now)
            .bind(step)
            .bind(user_id)
            .bind(secret)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if turned_on == 0 {
                return Err(AccountError::field("code", "Two-factor sign-in is already on."));
            }
            keep
        }
        Start::Replace => {
            sqlx::query("DELETE FROM two_factor WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            // A lost phone's owner may have run into the wrong-code limit: the new key works at once.
            sqlx::query("DELETE FROM login_failures WHERE scope = $1")
                .bind(format!("two-factor:{user_id}"))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO two_factor (user_id, secret, enabled_at, last_step, created_at) VALUES ($1, $2, $3, $4, $3)",
            )
            .bind(user_id)
            .bind(secret)
            .bind(now)
            .bind(step)
            .execute(&mut *tx)
            .await?;
            None
        }
    };
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (code_hash, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(recovery_hash(code))
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    super::sessions::delete_user_sessions(&mut tx, user_id, keep).await?;
    tx.commit().await?;
    tracing::info!(
        user_id,
        "two-factor sign-in turned on; the account's other sessions ended"
    );
    Ok(codes)
}

/// Ten characters of an alphabet without look-alikes, shown as `xxxxx-xxxxx` (about 50 random bits).
fn recovery_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let chars: String = (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// Checks a code typed at sign-in (or to turn the feature off) for account `user_id`: a code from the app, once,
/// or a recovery code, once. Wrong codes are throttled per account.
pub async fn check(db: &Db, policy: &ThrottlePolicy, user_id: i64, code: &str) -> Result<(), AccountError> {
    checked(db, policy, user_id, code, None).await
}

/// [`check`], refused (as a sign-in to start again, with no code spent) when the account changed after
/// `unchanged_since` (unix ms): read under the account's row, so a reset committing meanwhile is seen.
async fn checked(
    db: &Db,
    policy: &ThrottlePolicy,
    user_id: i64,
    code: &str,
    unchanged_since: Option<i64>,
) -> Result<(), AccountError> {
    let scope = format!("two-factor:{user_id}");
    // One transaction under the account's row: attempts at once are counted one after the other, so parallel
    // guesses cannot all pass the limit before any failure is written.
    let mut tx = db.begin_write().await?;
    hold_user(&mut tx, user_id).await?;
    if let Some(since) = unchanged_since {
        let changed_at: Option<i64> = sqlx::query_scalar("SELECT updated_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if changed_at.is_none_or(|at| at > since) {
            return Err(AccountError::field(
                "code",
                "Your account changed since you typed your password: log in again with your password.",
            ));
        }
    }
    let limit = [(scope.as_str(), WRONG_CODES_ALLOWED)];
    if let Some(retry_after_secs) = throttle::retry_after_on(&mut tx, policy, &limit).await? {
        return Err(AccountError::Throttled { retry_after_secs });
    }
    if accept(&mut tx, user_id, &normalise(code)).await? {
        sqlx::query("DELETE FROM login_failures WHERE scope = $1")
            .bind(&scope)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(());
    }
    throttle::record_failure_on(&mut tx, &[&scope]).await?;
    tx.commit().await?;
    Err(wrong_code())
}

/// The second step of a sign-in: account `user_id`'s password was right at `password_at` (unix ms); `code` is
/// checked, and the account is returned to be signed in. Refused when the account changed since (a password
/// reset or change, an email change, a confirmation: the password step must be made again) or was disabled.
pub async fn second_step(
    db: &Db,
    policy: &ThrottlePolicy,
    user_id: i64,
    password_at: i64,
    code: &str,
) -> Result<super::User, AccountError> {
    let again = || AccountError::field("code", "Your sign-in waited too long: log in again with your password.");
    checked(db, policy, user_id, code, Some(password_at)).await?;
    find_user(db, user_id)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(again)
}

/// Whether `code` (normalised) is accepted for account `user_id`, spending it, on the caller's transaction.
async fn accept(conn: &mut sqlx::AnyConnection, user_id: i64, code: &str) -> Result<bool, AccountError> {
    let secret: Option<String> =
        sqlx::query_scalar("SELECT secret FROM two_factor WHERE user_id = $1 AND enabled_at IS NOT NULL")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(secret) = secret else {
        return Ok(false);
    };
    if code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
        let Some(step) = matching_step(&secret, code, unix_secs())? else {
            return Ok(false);
        };
        // Only a later step than the last one accepted: a code seen over a shoulder or replayed is refused.
        let spent = sqlx::query("UPDATE two_factor SET last_step = $1 WHERE user_id = $2 AND last_step < $1")
            .bind(step)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        return Ok(spent.rows_affected() == 1);
    }
    let spent =
        sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE code_hash = $2 AND user_id = $3 AND used_at IS NULL")
            .bind(now_ms())
            .bind(recovery_hash(code))
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    if spent.rows_affected() == 1 {
        tracing::info!(user_id, "a recovery code was used");
    }
    Ok(spent.rows_affected() == 1)
}

/// Turns two-factor sign-in off for account `user_id`, with its password and a code. Admins cannot: it is
/// required for them.
pub async fn disable(
    db: &Db,
    policy: &ThrottlePolicy,
    user_id: i64,
    password: &str,
    code: &str,
) -> Result<(), AccountError> {
    let user = find_user(db, user_id).await?.ok_or(AccountError::NotFound)?;
    if user.role == model::Role::Admin {
        return Err(AccountError::field(
            "code",
            "Two-factor sign-in is required for administrators: it stays on.",
        ));
    }
    password_again(db, policy, &user, password).await?;
    check(db, policy, user_id, code).await?;
    let mut tx = db.begin_write().await?;
    // The account's row first, as every change of its two-factor rows takes it.
    hold_user(&mut tx, user_id).await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM two_factor WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(user_id, "two-factor sign-in turned off");
    Ok(())
}

/// The signed-in account's password given again before a change to how it signs in. Wrong passwords here count
/// as at the login: a held session cannot be used to guess the password.
pub(super) async fn password_again(
    db: &Db,
    policy: &ThrottlePolicy,
    user: &super::User,
    password: &str,
) -> Result<(), AccountError> {
    let scope = throttle::account_scope(&user.email);
    if let Some(retry_after_secs) = throttle::retry_after(db, policy, &[(&scope, policy.per_account)]).await? {
        return Err(AccountError::Throttled { retry_after_secs });
    }
    if !verify_password(password, &user.password_hash).await? {
        throttle::record_failure(db, &[&scope]).await?;
        return Err(AccountError::field("password", "The password is not correct."));
    }
    Ok(())
}

/// Whether two-factor sign-in is on for account `user_id`, and its recovery codes left.
pub async fn status(db: &Db, user_id: i64) -> Result<Status, AccountError> {
    let enabled: Option<Option<i64>> = sqlx::query_scalar("SELECT enabled_at FROM two_factor WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(db.pool())
        .await?;
    Ok(Status {
        enabled: matches!(enabled, Some(Some(_))),
        recovery_codes_left: left,
    })
}

/// The code an app shows for `secret` at `at_secs` (tests and the operator's tools; never on a page).
pub fn code_at(secret: &str, at_secs: u64) -> Result<String, AccountError> {
    Ok(totp(secret)?.generate(at_secs))
}

/// An SVG drawing of a QR code of `text` (medium error correction, a four-module quiet zone), one path.
fn qr_svg(text: &str) -> String {
    use qrcodegen::{QrCode, QrCodeEcc};
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return String::new();
    };
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    let full = size + 8;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_sha1_vectors_hold() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890", eight digits there; the last six here.
        let secret = Secret::Raw(b"12345678901234567890".to_vec()).to_encoded().to_string();
        for (at, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(code_at(&secret, at).expect("code"), eight[2..], "at {at}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_one_either_side_only() {
        let secret = Secret::Raw(vec![7; 20]).to_encoded().to_string();
        let code = code_at(&secret, 3_000).expect("code");
        assert_eq!(matching_step(&secret, &code, 3_000).expect("check"), Some(100));
        assert_eq!(matching_step(&secret, &code, 3_030).expect("check"), Some(100));
        assert_eq!(matching_step(&secret, &code, 2_970).expect("check"), Some(100));
        assert_eq!(matching_step(&secret, &code, 3_090).expect("check"), None);
    }

    #[test]
    fn recovery_codes_are_compared_as_typed_without_spaces_dashes_or_case() {
        let code = recovery_code();
        assert_eq!(code.len(), 11);
        let typed = format!(" {} ", code.to_uppercase().replace('-', " "));
        assert_eq!(recovery_hash(&typed), recovery_hash(&code));
    }

    #[test]
    fn the_qr_code_is_an_svg_of_modules() {
        let svg = qr_svg("otpauth://totp/Bazaar:a%40b.example?secret=ABC&issuer=Bazaar");
        assert!(svg.starts_with("<svg") && svg.contains("<path d=\"M"), "{svg}");
    }
}
