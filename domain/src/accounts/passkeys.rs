//! Passkeys (WebAuthn level 3 through `webauthn-rs`, decision 0047): an optional second way to sign in, without
//! the password and without a two-factor code (a passkey always verifies its user: a fingerprint, a face or the
//! device's PIN, so it is two factors in one and cannot be phished).
//!
//! Each ceremony has two requests: the options for the browser (a fresh challenge), then the browser's signed
//! answer. What the first step must remember ([`Pending`]) is kept in the caller's session, never sent to the
//! browser; it names its kind, its account and when it began, and works once for five minutes.
//!
//! Sign-in is "discoverable": nobody types an email. The browser offers the passkeys it holds for this shop; the
//! answer carries the account's passkey handle (a random UUID per account, not its id or email) and the
//! credential id, which find the stored public key.

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url,
    Uuid, Webauthn, WebauthnBuilder, WebauthnError,
};

use super::two_factor::{self, password_again};
use super::{find_user, AccountError, ThrottlePolicy, User};
use crate::notifications::{self, templates};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{text, Db};

/// Passkeys one account may hold (a phone, a laptop, a security key or two, with room to replace one).
pub const MAX_PER_ACCOUNT: usize = 10;
/// The most characters of a passkey's name.
pub const NAME_MAX_CHARS: usize = 60;
/// How long the browser may take between the two steps of a ceremony.
const CEREMONY_MS: i64 = 5 * 60 * 1000;
/// Larger browser answers are refused unread: a real one is a few kilobytes.
const ANSWER_MAX_BYTES: usize = 64 * 1024;

/// The shop as a WebAuthn relying party: its id (the host name passkeys are bound to) and origin.
#[derive(Debug)]
pub struct RelyingParty {
    webauthn: Webauthn,
    origin: String,
}

impl RelyingParty {
    /// From the address shoppers use (`PUBLIC_URL`, e.g. `https://shop.example.com`). Browsers bind passkeys to a
    /// host name, never an IP address: a shop reached by an IP address (local runs without `PUBLIC_URL`) takes
    /// passkeys at `localhost` on any port instead.
    pub fn new(public_url: &str) -> Result<RelyingParty, String> {
        let url = Url::parse(public_url).map_err(|e| format!("{public_url:?} is not an address: {e}"))?;
        let host = url.host_str().ok_or_else(|| format!("{public_url:?} has no host"))?;
        let loopback = host == "localhost" || matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)));
        let origin = if loopback {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            Url::parse(&format!("{}://localhost{port}", url.scheme())).map_err(|e| e.to_string())?
        } else {
            url.clone()
        };
        let rp_id = origin.host_str().unwrap_or("localhost").to_string();
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)
            .map_err(|e| format!("passkeys cannot use {public_url:?}: {e}"))?
            .rp_name("Bazaar")
            .allow_any_port(loopback)
            .build()
            .map_err(|e| format!("passkeys cannot use {public_url:?}: {e}"))?;
        let origin = origin.as_str().trim_end_matches('/').to_string();
        Ok(RelyingParty { webauthn, origin })
    }

    /// Where passkeys work: pages served elsewhere (another host name or an IP address) cannot use them.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

/// A passkey as its owner's security page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PasskeyRecord {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What the first step of a ceremony leaves for the second, kept in the caller's session (JSON).
#[derive(Debug, Serialize, Deserialize)]
pub struct Pending {
    kind: PendingKind,
    started_at: i64,
}

#[derive(Debug, Serialize, Deserialize)]
enum PendingKind {
    Adding { user_id: i64, state: PasskeyRegistration },
    SigningIn { state: DiscoverableAuthentication },
}

impl Pending {
    fn new(kind: PendingKind) -> Pending {
        Pending {
            kind,
            started_at: now_ms(),
        }
    }

    fn expired(&self) -> bool {
        now_ms() - self.started_at > CEREMONY_MS
    }
}

/// The options for the browser's `navigator.credentials` call (JSON), and what the second step needs.
#[derive(Debug)]
pub struct Started {
    pub options: String,
    pub pending: Pending,
}

fn problem(message: &str) -> AccountError {
    AccountError::field("passkey", message)
}

fn unknown_passkey() -> AccountError {
    problem("This passkey does not open an account here (it may have been removed). Sign in with your password.")
}

/// A ceremony's second step without its first (expired, used, or begun in another browser).
pub const START_AGAIN: &str = "That took too long or was already used: start again.";

fn start_again() -> AccountError {
    problem(START_AGAIN)
}

/// The browser's answer as `T`, refused when it is not one.
fn answer<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, AccountError> {
    if json.len() > ANSWER_MAX_BYTES {
        return Err(problem("The browser's answer is too large."));
    }
    serde_json::from_str(json).map_err(|_| problem("The browser's answer could not be read: start again."))
}

fn data_error(e: serde_json::Error) -> AccountError {
    AccountError::Passkey(e.to_string())
}

fn options_json<T: Serialize>(options: &T) -> Result<String, AccountError> {
    serde_json::to_string(options).map_err(data_error)
}

/// Holds the account's row for a change to its passkeys; `NotFound` once it is disabled or erased (an erasure
/// committing meanwhile is seen, and leaves no passkey behind).
async fn hold_active(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<(), AccountError> {
    let held = sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1 AND disabled_at IS NULL")
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if held == 1 {
        Ok(())
    } else {
        Err(AccountError::NotFound)
    }
}

fn credential_key(id: &[u8]) -> String {
    hex::encode(id)
}

/// The account's passkey handle, made at its first passkey (what the browser stores as the user's id: random, so a
/// passkey tells nothing of the account's id or email).
async fn handle_of(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<Uuid, AccountError> {
    let kept: Option<String> = sqlx::query_scalar("SELECT handle FROM passkey_users WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(uuid) = kept.as_deref().and_then(|h| Uuid::parse_str(h).ok()) {
        return Ok(uuid);
    }
    let fresh = Uuid::new_v4();
    sqlx::query("INSERT INTO passkey_users (user_id, handle) VALUES ($1, $2)")
        .bind(user_id)
        .bind(fresh.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(fresh)
}

async fn stored_passkeys(db: &Db, user_id: i64) -> Result<Vec<Passkey>, AccountError> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT credential FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|c| serde_json::from_str(c).map_err(data_error))
        .collect()
}

/// What step one of adding a passkey asks: the password again, and a code from the app when two-factor sign-in is
/// on (a passkey signs in without one, so adding it must not be easier than turning codes off).
#[derive(Debug, Clone, Copy)]
pub struct Proof<'a> {
    pub password: &'a str,
    pub code: &'a str,
}

/// Step one of adding a passkey to account `user_id`, after [`Proof`] (a signed-in browser left open must not be
/// enough to add a way in; wrong passwords and codes are throttled as at the login). The options exclude the
/// passkeys the account holds, so the same authenticator is not added twice.
pub async fn start_adding(
    db: &Db,
    party: &RelyingParty,
    policy: &ThrottlePolicy,
    user_id: i64,
    proof: Proof<'_>,
) -> Result<Started, AccountError> {
    let user = find_user(db, user_id).await?.ok_or(AccountError::NotFound)?;
    password_again(db, policy, &user, proof.password).await?;
    if user.two_factor_at.is_some() {
        two_factor::check(db, policy, user_id, proof.code).await?;
    }
    let held = stored_passkeys(db, user_id).await?;
    if held.len() >= MAX_PER_ACCOUNT {
        return Err(problem(&format!(
            "An account holds at most {MAX_PER_ACCOUNT} passkeys: remove one you no longer use first."
        )));
    }
    let mut tx = db.begin_write().await?;
    hold_active(&mut tx, user_id).await?;
    let handle = handle_of(&mut tx, user_id).await?;
    tx.commit().await?;
    let exclude = held.iter().map(|p| p.cred_id().clone()).collect();
    let (options, state) = party
        .webauthn
        .start_passkey_registration(handle, &user.email, &user.name, Some(exclude))
        .map_err(|_| problem("Passkeys cannot be added right now."))?;
    // The authenticator must keep the passkey itself ("discoverable"): sign-in asks for any passkey of the shop,
    // so one it does not keep could never be offered. Phones' and password managers' passkeys always are; a
    // security key without room says so before anything is added.
    let mut options = serde_json::to_value(&options).map_err(data_error)?;
    if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection") {
        selection["residentKey"] = serde_json::Value::from("required");
        selection["requireResidentKey"] = serde_json::Value::from(true);
    }
    Ok(Started {
        options: options_json(&options)?,
        pending: Pending::new(PendingKind::Adding { user_id, state }),
    })
}

/// A passkey's name as typed (checked before a ceremony's state is spent on it), empty when left empty.
pub fn check_name(typed: &str) -> Result<String, AccountError> {
    text::line(typed, NAME_MAX_CHARS).map_err(|p| AccountError::field("name", &p.message()))
}

/// A passkey's name as typed, or "Passkey N" when left empty.
fn passkey_name(typed: &str, count: usize) -> Result<String, AccountError> {
    let name = check_name(typed)?;
    Ok(if name.is_empty() {
        format!("Passkey {}", count + 1)
    } else {
        name
    })
}

/// Step two of adding a passkey: the browser's answer checked against step one, then kept under `name`.
pub async fn finish_adding(
    db: &Db,
    party: &RelyingParty,
    user_id: i64,
    pending: Pending,
    name: &str,
    browser_answer: &str,
) -> Result<PasskeyRecord, AccountError> {
    let expired = pending.expired();
    let state = match pending.kind {
        PendingKind::Adding { user_id: owner, state } if owner == user_id && !expired => state,
        _ => return Err(start_again()),
    };
    let held = stored_passkeys(db, user_id).await?;
    let name = passkey_name(name, held.len())?;
    let credential: RegisterPublicKeyCredential = answer(browser_answer)?;
    if credential
        .extensions
        .cred_props
        .as_ref()
        .is_some_and(|p| p.rk == Some(false))
    {
        return Err(problem(
            "This device cannot keep a passkey for this shop (a security key may be full): use your phone, your \
             computer's screen lock or a password manager.",
        ));
    }
    let passkey = party
        .webauthn
        .finish_passkey_registration(&credential, &state)
        .map_err(|_| {
            problem("The passkey could not be checked: start again, and let your device confirm it is you.")
        })?;
    let stored = serde_json::to_string(&passkey).map_err(data_error)?;
    let record = PasskeyRecord {
        id: next_id(),
        name,
        created_at: now_ms(),
        last_used_at: None,
    };
    let mut tx = db.begin_write().await?;
    hold_active(&mut tx, user_id).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_PER_ACCOUNT {
        return Err(problem(&format!(
            "An account holds at most {MAX_PER_ACCOUNT} passkeys."
        )));
    }
    // The credential id is unique across accounts: one authenticator's key opens one account.
    let inserted = sqlx::query(
        "INSERT INTO passkeys (id, user_id, credential_key, credential, name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (credential_key) DO NOTHING",
    )
    .bind(record.id)
    .bind(user_id)
    .bind(credential_key(passkey.cred_id().as_slice()))
    .bind(&stored)
    .bind(&record.name)
    .bind(record.created_at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(problem("This passkey was added already."));
    }
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    let mail = templates::passkey_added(&email, &record.name);
    notifications::enqueue(&mut tx, &format!("passkey-added:{}", record.id), &mail).await?;
    tx.commit().await?;
    Ok(record)
}

/// Step one of signing in with a passkey: a challenge any of this shop's passkeys may answer.
pub fn start_sign_in(party: &RelyingParty) -> Result<Started, AccountError> {
    let (options, state) = party
        .webauthn
        .start_discoverable_authentication()
        .map_err(|_| problem("Passkeys cannot be used right now."))?;
    let mut options = serde_json::to_value(&options).map_err(data_error)?;
    // Asked for by a button, not offered in the email field's autofill: the browser's own window opens at once.
    if let Some(object) = options.as_object_mut() {
        object.remove("mediation");
    }
    Ok(Started {
        options: options_json(&options)?,
        pending: Pending::new(PendingKind::SigningIn { state }),
    })
}

/// A stored passkey row, found by the credential the browser used.
#[derive(sqlx::FromRow)]
struct Found {
    id: i64,
    user_id: i64,
    credential: String,
}

/// Step two of signing in: the account whose passkey signed the challenge, its use recorded. A disabled or
/// erased account, a removed passkey or a signature that does not verify is refused with the same message.
pub async fn finish_sign_in(
    db: &Db,
    party: &RelyingParty,
    pending: Pending,
    browser_answer: &str,
) -> Result<User, AccountError> {
    let expired = pending.expired();
    let state = match pending.kind {
        PendingKind::SigningIn { state } if !expired => state,
        _ => return Err(start_again()),
    };
    let credential: PublicKeyCredential = answer(browser_answer)?;
    let (handle, credential_id) = party
        .webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(|_| unknown_passkey())?;
    let found: Found = sqlx::query_as(
        "SELECT p.id, p.user_id, p.credential FROM passkeys p JOIN passkey_users u ON u.user_id = p.user_id \
         WHERE p.credential_key = $1 AND u.handle = $2",
    )
    .bind(credential_key(credential_id))
    .bind(handle.to_string())
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(unknown_passkey)?;
    let mut passkey: Passkey = serde_json::from_str(&found.credential).map_err(data_error)?;
    let result = party
        .webauthn
        .finish_discoverable_authentication_v2(&credential, state, &passkey)
        .map_err(|e| match e {
            // Another tab began a newer sign-in in this browser: this answer is for the older challenge.
            WebauthnError::MismatchedChallenge => start_again(),
            _ => unknown_passkey(),
        })?;
    let user = match find_user(db, found.user_id).await? {
        Some(user) if user.disabled_at.is_none() => user,
        _ => return Err(unknown_passkey()),
    };
    // The signature counter moves forward (authenticators that count) and the backup flags follow the device:
    // kept only if nobody changed the row since it was read, so a cloned key racing the real one loses.
    let changed = passkey.update_credential(&result) == Some(true);
    let updated = if changed {
        serde_json::to_string(&passkey).map_err(data_error)?
    } else {
        found.credential.clone()
    };
    let done = sqlx::query("UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3 AND credential = $4")
        .bind(&updated)
        .bind(now_ms())
        .bind(found.id)
        .bind(&found.credential)
        .execute(db.pool())
        .await?
        .rows_affected();
    if done == 0 {
        return Err(unknown_passkey());
    }
    Ok(user)
}

/// The passkeys of account `user_id`, newest first.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<PasskeyRecord>, AccountError> {
    Ok(sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// Removes passkey `id` of account `user_id` (another account's passkey is not found).
pub async fn remove(db: &Db, user_id: i64, id: i64) -> Result<(), AccountError> {
    let done = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db.pool())
        .await?
        .rows_affected();
    if done == 0 {
        return Err(AccountError::NotFound);
    }
    Ok(())
}
