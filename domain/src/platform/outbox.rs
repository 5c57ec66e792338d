//! The change log. A context that changes what shoppers see of a product (price, stock, status) records it here
//! in the same transaction; the search indexer reads the log, re-reads the product, updates the index and drops
//! cached pages. The writer never needs to know who listens, so catalog, orders and inventory do not import
//! search (docs/decisions/0006).

use sqlx::AnyConnection;

use super::clock::now_ms;
use super::ids::next_id;

/// The outbox's product id for "the listings changed, no product did" (a store's rating moved): the indexer
/// re-reads nothing and drops the cached listings.
pub const LISTINGS_ONLY: i64 = 0;

/// Records, inside the caller's transaction, that what listings show changed though no product did.
pub async fn listings_changed(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    product_changed(conn, LISTINGS_ONLY).await
}

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
