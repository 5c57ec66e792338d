//! Reads for the seller portal's overview: the store and what needs the seller's attention. Every query is
//! scoped by the acting seller's own store id, never by an id from the request.

use model::sellers::{ProductRef, SellerHome, StockRef};

use super::SellerError;
use crate::platform::{Actor, Db};

/// How many items each attention list shows (the counts behind them link to the full lists).
pub const ATTENTION_ITEMS: i64 = 10;

#[derive(sqlx::FromRow)]
struct StockRow {
    product_id: i64,
    product_title: String,
    variant_title: String,
    sku: String,
    available: i64,
    threshold: i64,
}

impl From<StockRow> for StockRef {
    fn from(r: StockRow) -> StockRef {
        StockRef {
            product_id: r.product_id,
            product_title: r.product_title,
            variant_title: r.variant_title,
            sku: r.sku,
            available: r.available,
            threshold: r.threshold,
        }
    }
}

/// Variants of live products (not archived) with their units across the store's warehouses and threshold;
/// `{cond}` filters on `available` and `threshold`.
fn stock_query(cond: &str) -> String {
    format!(
        "SELECT product_id, product_title, variant_title, sku, available, threshold FROM ( \
           SELECT p.id AS product_id, p.title AS product_title, v.title AS variant_title, v.sku, \
                  CAST(COALESCE((SELECT SUM(st.available) FROM stock st WHERE st.variant_id = v.id), 0) AS BIGINT) \
                    AS available, \
                  COALESCE(v.low_stock_threshold, s.low_stock_default) AS threshold, v.id AS variant_id \
           FROM variants v JOIN products p ON p.id = v.product_id JOIN sellers s ON s.id = p.seller_id \
           WHERE p.seller_id = $1 AND p.status <> 'archived') levels \
         WHERE {cond} ORDER BY available, product_title, variant_id LIMIT $2"
    )
}

/// A store's name and address (`slug`), as every portal screen's frame shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoreNames {
    pub store_name: String,
    pub slug: String,
}

/// The names of store `store`, if it exists.
pub async fn store_names(conn: &mut sqlx::AnyConnection, store: i64) -> Result<Option<StoreNames>, sqlx::Error> {
    sqlx::query_as("SELECT store_name, slug FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_optional(&mut *conn)
        .await
}

/// The overview of the actor's own store.
pub async fn home(db: &Db, actor: &Actor) -> Result<SellerHome, SellerError> {
    let store = actor.own_store()?;
    let StoreNames { store_name, slug } = {
        let mut conn = db.pool().acquire().await?;
        store_names(&mut conn, store).await?.ok_or(SellerError::NotFound)?
    };
    let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE seller_id = $1")
        .bind(store)
        .fetch_one(db.pool())
        .await?;
    let (status, note, held): (String, String, Option<i64>) =
        sqlx::query_as("SELECT status, suspension_note, transfers_held_at FROM sellers WHERE id = $1")
            .bind(store)
            .fetch_one(db.pool())
            .await?;
    let suspended = super::SellerStatus::parse(&status) == Some(super::SellerStatus::Suspended);
    let refs = |rows: Vec<(i64, String)>| -> Vec<ProductRef> {
        rows.into_iter().map(|(id, title)| ProductRef { id, title }).collect()
    };
    let drafts: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, title FROM products WHERE seller_id = $1 AND status = 'draft' ORDER BY updated_at DESC, id LIMIT $2",
    )
    .bind(store)
    .bind(ATTENTION_ITEMS)
    .fetch_all(db.pool())
    .await?;
    let without_pictures: Vec<(i64, String)> = sqlx::query_as(
        "SELECT p.id, p.title FROM products p WHERE p.seller_id = $1 AND p.status <> 'archived' \
         AND NOT EXISTS (SELECT 1 FROM product_images i WHERE i.product_id = p.id) \
         ORDER BY p.updated_at DESC, p.id LIMIT $2",
    )
    .bind(store)
    .bind(ATTENTION_ITEMS)
    .fetch_all(db.pool())
    .await?;
    let low: Vec<StockRow> = sqlx::query_as(&stock_query("available > 0 AND available <= threshold"))
        .bind(store)
        .bind(ATTENTION_ITEMS)
        .fetch_all(db.pool())
        .await?;
    let out: Vec<StockRow> = sqlx::query_as(&stock_query("available <= 0"))
        .bind(store)
        .bind(ATTENTION_ITEMS)
        .fetch_all(db.pool())
        .await?;
    Ok(SellerHome {
        store_name,
        slug,
        suspension: suspended.then_some(note),
        payouts_held: suspended || held.is_some(),
        products,
        drafts: refs(drafts),
        without_pictures: refs(without_pictures),
        low_stock: low.into_iter().map(StockRef::from).collect(),
        out_of_stock: out.into_iter().map(StockRef::from).collect(),
    })
}
