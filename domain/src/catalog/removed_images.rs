//! Pictures taken off a product or replaced as a store's logo, and the deletion of their files. Keys are content
//! hashes, so one file may show on several products, or come back with an upload of the same picture: a removal
//! is recorded in the transaction that takes the picture off, and a sweep deletes the files once [`GRACE_MS`] has
//! passed (pages cached or shared meanwhile still load) and nothing shows the picture any more.
//!
//! Only an upload can make a picture show again (the editor and the import keep or drop a product's own
//! pictures), so an upload holds a turn ([`upload_turn`]) from storing its files to committing its row, and the
//! sweep takes every turn while it checks and deletes: a picture uploaded again at that moment is never left
//! without its files. The turns are of one process (decision 0020 says what several instances need).

use sqlx::AnyConnection;

use super::images::ImageStore;
use super::CatalogError;
use crate::platform::clock::now_ms;
use crate::platform::Db;

/// How long a removed picture's files stay.
pub const GRACE_MS: i64 = 24 * 3_600_000;
/// Pictures one sweep looks at (the next sweep takes the rest).
const SWEEP_BATCH: i64 = 200;

/// A removal as the sweep sees it under the turn.
#[derive(sqlx::FromRow)]
struct Removal {
    /// 1 while the removal is still the one found due.
    due: i64,
    /// Products, logos and reviews that show the picture.
    shown: i64,
}

static UPLOADS: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Held by an upload from before its files are stored until its row is committed.
pub async fn upload_turn() -> tokio::sync::RwLockReadGuard<'static, ()> {
    UPLOADS.read().await
}

/// Records, in the caller's transaction, that these pictures were taken off.
pub async fn record(conn: &mut AnyConnection, keys: &[String]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    for key in keys {
        sqlx::query(
            "INSERT INTO image_removals (image_key, removed_at) VALUES ($1, $2) \
             ON CONFLICT (image_key) DO UPDATE SET removed_at = excluded.removed_at",
        )
        .bind(key)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Deletes the files of pictures removed at least `grace_ms` ago that no product, logo or review shows; returns how many
/// pictures were deleted. A picture shown again loses its removal and stays. A file that cannot be deleted keeps
/// its removal, so the next sweep tries again.
pub async fn sweep(db: &Db, images: &dyn ImageStore, grace_ms: i64) -> Result<usize, CatalogError> {
    let cutoff = now_ms() - grace_ms;
    let due: Vec<String> =
        sqlx::query_scalar("SELECT image_key FROM image_removals WHERE removed_at <= $1 ORDER BY removed_at LIMIT $2")
            .bind(cutoff)
            .bind(SWEEP_BATCH)
            .fetch_all(db.pool())
            .await?;
    let mut deleted = 0;
    for key in due {
        let _no_uploads = UPLOADS.write().await;
        // Checked again under the turn: a removal recorded again meanwhile starts its day again.
        let now: Removal = sqlx::query_as(
            "SELECT CAST((SELECT COUNT(*) FROM image_removals WHERE image_key = $1 AND removed_at <= $2) AS BIGINT) \
             AS due, CAST((SELECT COUNT(*) FROM product_images WHERE image_key = $1) \
             + (SELECT COUNT(*) FROM sellers WHERE logo_key = $1) \
             + (SELECT COUNT(*) FROM review_pictures WHERE image_key = $1) AS BIGINT) AS shown",
        )
        .bind(&key)
        .bind(cutoff)
        .fetch_one(db.pool())
        .await?;
        if now.due == 0 {
            continue;
        }
        if now.shown == 0 {
            if let Err(e) = images.delete(&key).await {
                // Its row stays, so the next sweep tries again; the pictures after it are not held up.
                tracing::warn!(error = %e, key, "a removed picture could not be deleted");
                continue;
            }
            deleted += 1;
        }
        // Not a removal recorded again meanwhile (its day starts again).
        db.write_one(
            sqlx::query("DELETE FROM image_removals WHERE image_key = $1 AND removed_at <= $2")
                .bind(&key)
                .bind(cutoff),
        )
        .await?;
    }
    Ok(deleted)
}
