//! What a visitor typed into a form that was sent back to them (a wrong field, a picture upload), kept until the
//! page they are sent to shows it once. A product form with a hundred variants is larger than a session may
//! grow (`sessions::MAX_SESSION_BYTES`), so the form is kept here and the session holds only its id: a random
//! 128-bit name nobody else can guess.

use crate::platform::clock::now_ms;
use crate::platform::Db;

/// The largest form kept (far above the largest product form the editor's limits allow). A larger one is not
/// kept: the visitor sees the page without it.
pub const KEPT_MAX: usize = 512 * 1024;
/// How long a kept form waits to be shown.
pub const KEPT_FOR_MS: i64 = 3_600_000;

/// Keeps a form as JSON; its id, or `None` when it is over [`KEPT_MAX`].
pub async fn keep_value<T: serde::Serialize>(db: &Db, form: &T) -> Result<Option<String>, sqlx::Error> {
    let data = serde_json::to_string(form).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    keep(db, &data).await
}

/// The form kept under `id` as JSON, once; `None` also for one that no longer reads as `T` (kept by an earlier
/// version of the shop).
pub async fn take_value<T: serde::de::DeserializeOwned>(db: &Db, id: &str) -> Result<Option<T>, sqlx::Error> {
    Ok(take(db, id).await?.and_then(|data| serde_json::from_str(&data).ok()))
}

/// Keeps `data`; its id, or `None` when it is over [`KEPT_MAX`].
pub async fn keep(db: &Db, data: &str) -> Result<Option<String>, sqlx::Error> {
    if data.len() > KEPT_MAX {
        return Ok(None);
    }
    let id = format!("{:032x}", rand::random::<u128>());
    db.write_one(
        sqlx::query("INSERT INTO kept_forms (id, data, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(data)
            .bind(now_ms()),
    )
    .await?;
    Ok(Some(id))
}

/// The form kept under `id`, once (it is deleted as it is read).
pub async fn take(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let data: Option<String> =
        sqlx::query_scalar("DELETE FROM kept_forms WHERE id = $1 AND created_at > $2 RETURNING data")
            .bind(id)
            .bind(now_ms() - KEPT_FOR_MS)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(data)
}

/// Deletes forms nobody came back for; returns how many.
pub async fn purge_expired(db: &Db) -> Result<u64, sqlx::Error> {
    Ok(db
        .write_one(sqlx::query("DELETE FROM kept_forms WHERE created_at <= $1").bind(now_ms() - KEPT_FOR_MS))
        .await?
        .rows_affected())
}
