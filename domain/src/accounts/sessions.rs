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
/// The cart of the session: a guest cart, or the account's cart once signed in.
pub const CART_ID_KEY: &str = "cart_id";

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
    /// Writes `record`; `on_conflict` decides between "never overwrite" (create) and "upsert" (save).
    async fn write(&self, record: &Record, on_conflict: &str) -> session_store::Result<u64> {
        let data = encode(record)?;
        let sql = format!("INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) {on_conflict}");
        let done = self
            .db
            .write_one(
                sqlx::query(&sql)
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
        while self.write(record, "ON CONFLICT (id) DO NOTHING").await? != 1 {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        if self.unchanged(&record.id.to_string(), &data, expiry_ms(record)) {
            return Ok(());
        }
        self.write(
            record,
            "ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, \
             expires_at = excluded.expires_at",
        )
        .await?;
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
