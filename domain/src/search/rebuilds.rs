//! An admin's "Rebuild the search index" (`search_rebuilds`): asked from `/admin/search`, done by the indexer (the
//! request is an outbox row, [`REBUILD`]), its state — waiting, rebuilding, done with the number of products, or
//! failed — shown on the same screen. A rebuild already waiting or running takes no second one.
//! Product changes wait in the outbox while it runs (the same indexer applies them after).

use model::admin::AuditAction;
use model::admin_search::RebuildView;

use super::SearchIndex;
use crate::admin::require_admin;
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{is_unique_violation, outbox, Actor, Db, Problem};

/// The outbox's product id for "an admin asked for a rebuild".
pub const REBUILD: i64 = -2;

#[derive(sqlx::FromRow)]
struct RebuildRow {
    requested_by: String,
    requested_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    documents: Option<i64>,
    failed: i64,
}

/// The rebuild asked last, if any.
pub async fn latest(db: &Db) -> Result<Option<RebuildView>, sqlx::Error> {
    let row: Option<RebuildRow> = sqlx::query_as(
        "SELECT requested_by, requested_at, started_at, finished_at, documents, failed FROM search_rebuilds \
         ORDER BY requested_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| RebuildView {
        requested_by: r.requested_by,
        requested_at: r.requested_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
        documents: r.documents,
        failed: r.failed == 1,
    }))
}

/// Asks the indexer for a rebuild, audited. `false` when one is waiting or running already (nothing is added): the
/// unique `unfinished` column decides, so two admins asking at once make one rebuild.
pub async fn request(db: &Db, actor: &Actor) -> Result<bool, Problem> {
    require_admin(actor)?;
    let mut tx = db.begin_write().await?;
    let id = next_id();
    let asked = sqlx::query(
        "INSERT INTO search_rebuilds (id, requested_by, requested_at, unfinished) \
         VALUES ($1, COALESCE((SELECT name FROM users WHERE id = $2), 'an admin'), $3, 1)",
    )
    .bind(id)
    .bind(actor.user_id())
    .bind(now_ms())
    .execute(&mut *tx)
    .await;
    match asked {
        Ok(_) => {}
        // One is waiting or running (the transaction is given up: PostgreSQL refuses anything after the error).
        Err(e) if is_unique_violation(&e) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    let entry = Entry::new(
        AuditAction::SearchRebuilt,
        Subject::new("search", id, "the search index"),
    )
    .change("state", "", "waiting");
    audit::record(&mut tx, actor, &entry).await?;
    outbox::product_changed(&mut tx, REBUILD).await?;
    tx.commit().await?;
    Ok(true)
}

/// Runs the rebuild asked, if one is still unfinished (a signal met twice rebuilds once): marks it started,
/// rebuilds, marks it done with the count, or failed. Listings answer from the database while it runs (Meilisearch
/// empties its index before adding the documents back) and, after a failure, until a rebuild succeeds. Called by the
/// indexer when it meets a [`REBUILD`] row.
pub(crate) async fn run(db: &Db, index: &dyn SearchIndex) -> Result<(), sqlx::Error> {
    db.write_one(
        sqlx::query("UPDATE search_rebuilds SET started_at = $1 WHERE unfinished = 1 AND started_at IS NULL")
            .bind(now_ms()),
    )
    .await?;
    let unfinished: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_rebuilds WHERE unfinished = 1")
        .fetch_one(db.pool())
        .await?;
    if unfinished == 0 {
        return Ok(());
    }
    index.set_ready(false);
    let (documents, failed) = match super::reindex(db, index).await {
        Ok(n) => {
            index.set_ready(true);
            (Some(n as i64), 0)
        }
        Err(error) => {
            tracing::error!(%error, "the search index rebuild an admin asked for failed; listings answer from the database");
            (None, 1)
        }
    };
    db.write_one(
        sqlx::query(
            "UPDATE search_rebuilds SET finished_at = $1, documents = $2, failed = $3, unfinished = NULL \
             WHERE unfinished = 1",
        )
        .bind(now_ms())
        .bind(documents)
        .bind(failed),
    )
    .await?;
    Ok(())
}
