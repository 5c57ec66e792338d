//! Our tower-sessions store over the `sessions` table (both databases, the one sqlx in the graph).
//!
//! The record's data is stored as JSON text. The signed-in user's id is copied into its own column, so logout
//! everywhere, password changes and account removal end sessions with one indexed DELETE.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::Row;
use time::OffsetDateTime;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::session_store::{self, ExpiredDeletion, SessionStore};

// Session expiries come from tower-sessions' wall clock, so they are compared with it (never a moved clock).
use crate::platform::clock::wall_ms;
use crate::platform::db::Db;

/// The session key under which the signed-in user's id is kept.
pub const USER_ID_KEY: &str = "user_id";
/// The session key holding when the user signed in (unix ms), for the absolute timeout.
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// The session key holding when the signed-in account last gave its password again (unix ms), for step-up.
pub const CONFIRMED_AT_KEY: &str = "confirmed_at";
/// The session key holding the device it was signed in from, as [`super::devices::describe`] names it.
pub const DEVICE_KEY: &str = "device";
/// The account whose password was right and whose second step (a two-factor code) is awaited; not signed in.
pub const TWO_FACTOR_USER_KEY: &str = "two_factor_user";
/// When that password was right (unix ms): the second step must come within [`TWO_FACTOR_WAIT_MS`].
pub const TWO_FACTOR_SINCE_KEY: &str = "two_factor_since";
pub const TWO_FACTOR_WAIT_MS: i64 = 5 * 60 * 1000;
/// Set in a session that gave a two-factor code (or turned two-factor sign-in on): an account with it on is
/// signed in only in such a session.
pub const TWO_FACTOR_PASSED_KEY: &str = "two_factor_passed";
/// A passkey ceremony begun by this browser (`accounts::passkeys::Pending`): the second step needs it.
pub const PASSKEY_PENDING_KEY: &str = "passkey_pending";
/// Recovery codes just made, shown once by the next page and then dropped from the session.
pub const FRESH_RECOVERY_CODES_KEY: &str = "fresh_recovery_codes";
/// The cart of the session: a guest cart, or the account's cart once signed in.
pub const CART_ID_KEY: &str = "cart_id";
/// The session's wishlist (a guest's, or the account's put there at sign-in).
pub const WISHLIST_ID_KEY: &str = "wishlist_id";

/// The largest session we store. Every value the shop keeps in a session is bounded (a checkout draft is cut to
/// its fields' limits); this is the backstop, so no visitor can make their session row grow without end.
pub const MAX_SESSION_BYTES: usize = 32 * 1024;

/// A session's expiry is written again only when it moved this much: an unchanged session costs no write on
/// most requests (tower-sessions asks to save on every request to slide the idle deadline).
const EXPIRY_REFRESH_MS: i64 = 60_000;

/// What this process last read or wrote of a session: its data's fingerprint and the expiry written.
type Written = HashMap<String, (u64, i64)>;

#[derive(Clone, Debug)]
pub struct SqlSessionStore {
    db: Db,
    written: std::sync::Arc<std::sync::Mutex<Written>>,
}

impl SqlSessionStore {
    pub fn new(db: Db) -> Self {
        SqlSessionStore {
            db,
            written: Default::default(),
        }
    }

    /// Remembers what the database holds for a session (bounded: forgotten wholesale when large; a forgotten
    /// session simply gets written).
    fn remember(&self, id: &str, data: &str, expires_at: i64) {
        if let Ok(mut written) = self.written.lock() {
            if written.len() > 50_000 {
                written.clear();
            }
            written.insert(id.to_string(), (fingerprint(data), expires_at));
        }
    }

    fn forget(&self, id: &str) {
        if let Ok(mut written) = self.written.lock() {
            written.remove(id);
        }
    }

    /// Whether saving would change nothing but an expiry that moved less than [`EXPIRY_REFRESH_MS`].
    fn unchanged(&self, id: &str, data: &str, expires_at: i64) -> bool {
        self.written
            .lock()
            .ok()
            .and_then(|w| w.get(id).copied())
            .is_some_and(|(hash, written_expiry)| {
                hash == fingerprint(data) && (expires_at - written_expiry).abs() < EXPIRY_REFRESH_MS
            })
    }

    /// How many live sessions a user has (for tests and the account page).
    pub async fn count_for_user(&self, user_id: i64) -> Result<i64, sqlx::Error> {
        let row = sqlx::query("SELECT COUNT(*) AS session_count FROM sessions WHERE user_id = $1 AND expires_at > $2")
            .bind(user_id)
            .bind(wall_ms())
            .fetch_one(self.db.pool())
            .await?;
        row.try_get("session_count")
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry_ms(record: &Record) -> i64 {
    (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64
}

fn user_id_of(record: &Record) -> Option<i64> {
    record.data.get(USER_ID_KEY).and_then(|v| v.as_i64())
}

impl SqlSessionStore {
    /// Inserts `record` unless a session has its id; returns how many rows were written.
    async fn insert(&self, record: &Record) -> session_store::Result<u64> {
        let data = encode(record)?;
        let done = self
            .db
            .write_one(
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(record.id.to_string())
                .bind(user_id_of(record))
                .bind(&data)
                .bind(expiry_ms(record)),
            )
            .await
            .map_err(backend)?;
        if done.rows_affected() == 1 {
            self.remember(&record.id.to_string(), &data, expiry_ms(record));
        }
        Ok(done.rows_affected())
    }
}

fn encode(record: &Record) -> session_store::Result<String> {
    let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    if data.len() > MAX_SESSION_BYTES {
        return Err(session_store::Error::Encode(format!(
            "session of {} bytes is over the {MAX_SESSION_BYTES}-byte limit",
            data.len()
        )));
    }
    Ok(data)
}

/// FNV-1a of the session's data: enough to tell "the same as last time" (not a security hash).
fn fingerprint(data: &str) -> u64 {
    data.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random 128-bit id practically never collides; if it does, draw another instead of overwriting
        // somebody else's session.
        while self.insert(record).await? != 1 {
            record.id = Id::default();
        }
        Ok(())
    }

    /// Saves a session that was loaded (tower-sessions creates new ones with `create`). An update, never an
    /// insert: a session ended meanwhile (signed out from another device, a password change) stays ended even
    /// when a request it was making finishes afterwards.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        let id = record.id.to_string();
        if self.unchanged(&id, &data, expiry_ms(record)) {
            return Ok(());
        }
        let done = self
            .db
            .write_one(
                sqlx::query("UPDATE sessions SET user_id = $1, data = $2, expires_at = $3 WHERE id = $4")
                    .bind(user_id_of(record))
                    .bind(&data)
                    .bind(expiry_ms(record))
                    .bind(&id),
            )
            .await
            .map_err(backend)?;
        if done.rows_affected() == 1 {
            self.remember(&id, &data, expiry_ms(record));
        } else {
            self.forget(&id);
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id.to_string())
            .bind(wall_ms())
            .fetch_optional(self.db.pool())
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data").map_err(backend)?;
        let expires_at: i64 = row.try_get("expires_at").map_err(backend)?;
        self.remember(&id.to_string(), &data, expires_at);
        let data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires_at) * 1_000_000)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.forget(&id.to_string());
        self.db
            .write_one(sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id.to_string()))
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for SqlSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        purge_expired(&self.db).await.map_err(backend)?;
        Ok(())
    }
}

/// Deletes expired sessions; returns how many.
pub async fn purge_expired(db: &Db) -> Result<u64, sqlx::Error> {
    let done = db
        .write_one(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(wall_ms()))
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session of a user except `keep` (the one making the change), inside the caller's transaction.
pub async fn delete_user_sessions(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// One of an account's live sign-ins, as its security page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// Names the session in a form without showing its id (which is the sign-in itself): a hash of the id.
    pub handle: String,
    /// The browser and system it signed in from ("Firefox on Linux"), or "Unknown device".
    pub device: String,
    /// When it signed in (unix ms); `None` for a session older than this record.
    pub signed_in_at: Option<i64>,
    /// Whether it is the session asking.
    pub current: bool,
}

/// The handle of session `id`: the first 24 hex digits of its SHA-256 (the audit log names sessions by it too).
fn handle_of(id: &str) -> String {
    crate::platform::actor::SessionHandle::of(id).as_hex()
}

/// The live sign-ins of account `user_id`, newest first; `current` is the asking session's id.
pub async fn sign_ins(db: &Db, user_id: i64, current: Option<&str>) -> Result<Vec<SignIn>, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, data FROM sessions WHERE user_id = $1 AND expires_at > $2")
            .bind(user_id)
            .bind(wall_ms())
            .fetch_all(db.pool())
            .await?;
    let mut list: Vec<SignIn> = rows
        .into_iter()
        .map(|(id, data)| {
            let data: HashMap<String, serde_json::Value> = serde_json::from_str(&data).unwrap_or_default();
            SignIn {
                handle: handle_of(&id),
                device: data
                    .get(DEVICE_KEY)
                    .and_then(|v| v.as_str())
                    .unwrap_or(super::devices::UNKNOWN)
                    .chars()
                    .take(60)
                    .collect(),
                signed_in_at: data.get(SIGNED_IN_AT_KEY).and_then(|v| v.as_i64()),
                current: current == Some(id.as_str()),
            }
        })
        .collect();
    list.sort_by_key(|s| (!s.current, std::cmp::Reverse(s.signed_in_at)));
    Ok(list)
}

/// Ends account `user_id`'s sign-in named `handle`; whether there was one. The asking session (`current`) is not
/// ended this way (that is "Log out"), nor is another account's.
pub async fn end_sign_in(db: &Db, user_id: i64, handle: &str, current: Option<&str>) -> Result<bool, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(db.pool())
        .await?;
    let Some(id) = ids
        .into_iter()
        .find(|id| handle_of(id) == handle.trim() && current != Some(id.as_str()))
    else {
        return Ok(false);
    };
    let done = db
        .write_one(
            sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
                .bind(&id)
                .bind(user_id),
        )
        .await?;
    tracing::info!(user_id, "a sign-in was ended from the account's security page");
    Ok(done.rows_affected() == 1)
}

/// Ends every sign-in of account `user_id` but the asking one; how many.
pub async fn end_other_sign_ins(db: &Db, user_id: i64, current: Option<&str>) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let ended = delete_user_sessions(&mut tx, user_id, current).await?;
    tx.commit().await?;
    tracing::info!(user_id, ended, "every other sign-in was ended");
    Ok(ended)
}
