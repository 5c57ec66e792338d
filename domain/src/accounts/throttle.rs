//! Login throttling: failures are counted per account and per client address over a sliding window.
//! When a scope reaches its limit, login answers "retry after N s" until the oldest failure in the window ages
//! out, so an attacker cannot lock the owner out for good, only slow everyone's guessing to the limit.

use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct ThrottlePolicy {
    pub per_account: u32,
    pub per_client: u32,
    pub window_ms: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            per_account: 5,
            per_client: 20,
            window_ms: 15 * 60 * 1000,
        }
    }
}

/// Who is trying: the client address as the server sees it (or as a trusted proxy reports it).
#[derive(Debug, Clone)]
pub struct ClientKey(pub String);

pub(super) fn account_scope(email: &str) -> String {
    format!("account:{email}")
}

pub(super) fn client_scope(client: &ClientKey) -> String {
    format!("client:{}", client.0)
}

/// `Some(seconds)` when any scope is at its limit.
pub(super) async fn retry_after(
    db: &Db,
    policy: &ThrottlePolicy,
    scopes: &[(&str, u32)],
) -> Result<Option<u64>, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    retry_after_on(&mut conn, policy, scopes).await
}

/// [`retry_after`] read on `conn` (a caller's transaction, which sees its own failures).
pub(super) async fn retry_after_on(
    conn: &mut sqlx::AnyConnection,
    policy: &ThrottlePolicy,
    scopes: &[(&str, u32)],
) -> Result<Option<u64>, sqlx::Error> {
    let now = now_ms();
    let since = now - policy.window_ms;
    let mut wait_ms: i64 = 0;
    for (scope, limit) in scopes {
        let limit = i64::from(*limit);
        // The limit-th newest failure: once it leaves the window the scope is below the limit again.
        let row = sqlx::query(
            "SELECT failed_at FROM login_failures WHERE scope = $1 AND failed_at > $2 \
             ORDER BY failed_at DESC LIMIT 1 OFFSET $3",
        )
        .bind(*scope)
        .bind(since)
        .bind(limit - 1)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = row {
            let at: i64 = row.try_get("failed_at")?;
            wait_ms = wait_ms.max(at + policy.window_ms - now);
        }
    }
    Ok((wait_ms > 0).then(|| (wait_ms as u64).div_ceil(1000).max(1)))
}

pub(super) async fn record_failure(db: &Db, scopes: &[&str]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    record_failure_on(&mut tx, scopes).await?;
    tx.commit().await
}

/// [`record_failure`] in a caller's transaction.
pub(super) async fn record_failure_on(conn: &mut sqlx::AnyConnection, scopes: &[&str]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    for scope in scopes {
        sqlx::query("INSERT INTO login_failures (scope, failed_at) VALUES ($1, $2)")
            .bind(*scope)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(super) async fn clear(db: &Db, scope: &str) -> Result<(), sqlx::Error> {
    db.write_one(sqlx::query("DELETE FROM login_failures WHERE scope = $1").bind(scope))
        .await?;
    Ok(())
}

/// Drops failures older than the window (run by the housekeeping task).
pub async fn purge_old_failures(db: &Db, policy: &ThrottlePolicy) -> Result<u64, sqlx::Error> {
    let done = db
        .write_one(sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1").bind(now_ms() - policy.window_ms))
        .await?;
    Ok(done.rows_affected())
}
