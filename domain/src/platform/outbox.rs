//! The change log. A context that changes what shoppers see of a product (price, stock, status) records it here
//! in the same transaction; the search indexer reads the log, re-reads the product, updates the index and drops
//! cached pages. The writer never needs to know who listens, so catalog, orders and inventory do not import
//! search (docs/decisions/0006).

use sqlx::AnyConnection;

use super::clock::now_ms;
use super::ids::next_id;

/// Records, inside the caller's transaction, that a product must be re-read by the indexer.
pub async fn product_changed(conn: &mut AnyConnection, product_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO search_outbox (id, product_id, created_at) VALUES ($1, $2, $3)")
        .bind(next_id())
        .bind(product_id)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}
