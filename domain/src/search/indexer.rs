//! The indexer: applies the outbox (`search_outbox`) to the index — products re-read and written, the signals
//! for listings, synonyms ([`super::synonyms::SYNONYMS_CHANGED`]) and an admin's rebuild ([`super::rebuilds::REBUILD`])
//! — and reports what changed, for the page cache.

use std::collections::HashSet;
use std::sync::Arc;

use sqlx::Row;

use super::{load_docs, rebuilds, synonyms, SearchIndex};
use crate::catalog::CatalogError;
use crate::platform::db::Db;

/// Applies outbox rows to the index.
pub struct Indexer {
    db: Db,
    index: Arc<dyn SearchIndex>,
    batch: i64,
}

impl Indexer {
    pub fn new(db: Db, index: Arc<dyn SearchIndex>) -> Indexer {
        Indexer { db, index, batch: 500 }
    }

    /// Applies up to one batch of outbox rows; returns the product ids it re-indexed (for cache invalidation).
    /// Rows are deleted only after the index accepted them, so a crash in between re-applies them (harmless:
    /// applying a product twice gives the same document).
    pub async fn run_once(&self) -> Result<Vec<i64>, CatalogError> {
        let rows = sqlx::query("SELECT id, product_id FROM search_outbox ORDER BY id LIMIT $1")
            .bind(self.batch)
            .fetch_all(self.db.pool())
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut row_ids = Vec::with_capacity(rows.len());
        let mut products: Vec<i64> = Vec::new();
        for row in &rows {
            row_ids.push(row.try_get::<i64, _>("id")?);
            let product: i64 = row.try_get("product_id")?;
            if !products.contains(&product) {
                products.push(product);
            }
        }
        // Product ids are positive; the rest are signals (`LISTINGS_ONLY`, `SYNONYMS_CHANGED`, `REBUILD`).
        let changed: Vec<i64> = products.iter().copied().filter(|id| *id > 0).collect();
        if products.contains(&synonyms::SYNONYMS_CHANGED) {
            self.apply_synonyms().await?;
        }
        if products.contains(&rebuilds::REBUILD) {
            rebuilds::run(&self.db, &*self.index).await?;
        }
        if !changed.is_empty() {
            let docs = load_docs(&self.db, Some(&changed)).await?;
            let present: HashSet<i64> = docs.iter().map(|d| d.id).collect();
            let gone: Vec<i64> = changed.iter().copied().filter(|id| !present.contains(id)).collect();
            self.index
                .apply(docs, gone)
                .await
                .map_err(|e| CatalogError::Search(e.to_string()))?;
        }
        // Exactly the rows read: a row committed meanwhile with a smaller id is not lost.
        let list = row_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        self.db
            .write_one(sqlx::query(&format!("DELETE FROM search_outbox WHERE id IN ({list})")))
            .await?;
        Ok(products)
    }

    /// Hands the index the synonyms as the database holds them.
    pub async fn apply_synonyms(&self) -> Result<(), CatalogError> {
        let synonyms = synonyms::load(&self.db).await?;
        self.index
            .set_synonyms(synonyms)
            .await
            .map_err(|e| CatalogError::Search(e.to_string()))
    }

    /// Drains the outbox until it is empty. A batch that fails after earlier ones were applied still reports the
    /// applied ones (their outbox rows are gone, so their cached pages must be dropped now); the failed batch's rows
    /// stay and are tried again on the next drain, which reports the failure if it lasts.
    pub async fn drain(&self) -> Result<Vec<i64>, CatalogError> {
        let mut all = Vec::new();
        loop {
            let done = match self.run_once().await {
                Ok(done) => done,
                Err(e) if !all.is_empty() => {
                    tracing::warn!(error = %e, "indexer batch failed; will retry");
                    return Ok(all);
                }
                Err(e) => return Err(e),
            };
            if done.is_empty() {
                return Ok(all);
            }
            all.extend(done);
        }
    }
}
