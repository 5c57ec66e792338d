//! The seller's stock screen: units available and reserved per variant per warehouse, and the history. Scoped
//! by the acting seller's own store.

use model::sellers::{MovementView, StockCell, StockLine, StockPage};

use super::movements::Reason;
use super::InventoryError;
use super::ReservationState;
use crate::platform::{Actor, Db};

/// Variants per page.
pub const PAGE: i64 = 25;
/// Movements shown under the table.
pub const HISTORY: i64 = 30;

#[derive(sqlx::FromRow)]
struct LineRow {
    variant_id: i64,
    product_id: i64,
    product_title: String,
    variant_title: String,
    sku: String,
    threshold: i64,
    own_threshold: Option<i64>,
    available: i64,
}

/// A variant's units in one warehouse: on the shelf, and held for orders being paid.
#[derive(sqlx::FromRow)]
struct CellRow {
    warehouse_id: i64,
    available: i64,
    reserved: i64,
}

#[derive(sqlx::FromRow)]
struct MovementRow {
    created_at: i64,
    product_title: String,
    variant_title: String,
    sku: String,
    warehouse: String,
    /// 1 when the variant has been removed since (a CASE, which both databases read as a number).
    variant_removed: i64,
    warehouse_removed: i64,
    delta: i64,
    level_after: i64,
    reason: String,
    who: Option<String>,
}

/// The store the stock screen is of, with its default low-stock threshold.
#[derive(sqlx::FromRow)]
struct SellerRow {
    store_name: String,
    slug: String,
    low_stock_default: i64,
}

/// A page of the actor's own variants (by product title), optionally only those at or below their threshold or
/// matching `q` (title or SKU); `after` is the cursor a page gave.
pub async fn page(db: &Db, actor: &Actor, q: &str, low_only: bool, after: &str) -> Result<StockPage, InventoryError> {
    let store = actor.own_store()?;
    let seller: SellerRow = sqlx::query_as("SELECT store_name, slug, low_stock_default FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_optional(db.pool())
        .await?
        .ok_or(InventoryError::NotFound)?;
    let (lines, next) = lines_of(db, store, q, low_only, after).await?;
    let warehouses: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM warehouses WHERE seller_id = $1 ORDER BY created_at, id")
            .bind(store)
            .fetch_all(db.pool())
            .await?;
    let mut out = Vec::new();
    for line in lines {
        let cells = cells_of(db, store, line.variant_id, &warehouses).await?;
        out.push(StockLine {
            variant_id: line.variant_id,
            product_id: line.product_id,
            product_title: line.product_title,
            variant_title: line.variant_title,
            sku: line.sku,
            threshold: line.threshold,
            own_threshold: line.own_threshold,
            available: line.available,
            cells,
        });
    }
    let movements = history(db, store).await?;
    Ok(StockPage {
        store_name: seller.store_name,
        store_slug: seller.slug,
        default_threshold: seller.low_stock_default,
        lines: out,
        next,
        movements: movements
            .into_iter()
            .map(|m| MovementView {
                at: m.created_at,
                product_title: m.product_title,
                variant_title: m.variant_title,
                sku: m.sku,
                warehouse: m.warehouse,
                variant_removed: m.variant_removed == 1,
                warehouse_removed: m.warehouse_removed == 1,
                delta: m.delta,
                level_after: m.level_after,
                reason: Reason::label(&m.reason).to_string(),
                who: m.who.unwrap_or_else(|| "Bazaar (orders)".to_string()),
            })
            .collect(),
    })
}

/// A page of the store's variants by product title, with the cursor of the next page.
async fn lines_of(
    db: &Db,
    store: i64,
    q: &str,
    low_only: bool,
    after: &str,
) -> Result<(Vec<LineRow>, Option<String>), sqlx::Error> {
    let pattern = {
        let q = crate::platform::text::search_words(q, 200);
        let escaped = crate::platform::text::like_literal(&q);
        format!("%{escaped}%")
    };
    let (after_title, after_id) = after
        .split_once('~')
        // No title holds a control character: such a cursor is crafted (and a NUL would fail the query).
        .filter(|(_, title)| !title.chars().any(char::is_control))
        .and_then(|(id, title)| Some((title.to_string(), id.parse::<i64>().ok()?)))
        .unwrap_or((String::new(), i64::MIN));
    let mut lines: Vec<LineRow> = sqlx::query_as(
        "SELECT * FROM ( \
           SELECT v.id AS variant_id, p.id AS product_id, p.title AS product_title, v.title AS variant_title, v.sku, \
                  COALESCE(v.low_stock_threshold, s.low_stock_default) AS threshold, \
                  v.low_stock_threshold AS own_threshold, \
                  CAST(COALESCE((SELECT SUM(st.available) FROM stock st WHERE st.variant_id = v.id), 0) AS BIGINT) \
                    AS available \
           FROM variants v JOIN products p ON p.id = v.product_id JOIN sellers s ON s.id = p.seller_id \
           WHERE p.seller_id = $1 AND (LOWER(p.title) LIKE $2 ESCAPE '\\' OR LOWER(v.sku) LIKE $2 ESCAPE '\\')) l \
         WHERE ($3 = 0 OR available <= threshold) AND (product_title > $4 OR (product_title = $4 AND variant_id > $5)) \
         ORDER BY product_title, variant_id LIMIT $6",
    )
    .bind(store)
    .bind(&pattern)
    .bind(i64::from(low_only))
    .bind(&after_title)
    .bind(after_id)
    .bind(PAGE + 1)
    .fetch_all(db.pool())
    .await?;
    let next = if lines.len() as i64 > PAGE {
        lines.truncate(PAGE as usize);
        lines.last().map(|l| format!("{}~{}", l.variant_id, l.product_title))
    } else {
        None
    };
    Ok((lines, next))
}

/// A variant's units in each of the store's warehouses (named from `warehouses`).
async fn cells_of(
    db: &Db,
    store: i64,
    variant_id: i64,
    warehouses: &[(i64, String)],
) -> Result<Vec<StockCell>, sqlx::Error> {
    let cells: Vec<CellRow> = sqlx::query_as(
        "SELECT w.id AS warehouse_id, CAST(COALESCE((SELECT st.available FROM stock st WHERE st.variant_id = $1 \
         AND st.warehouse_id = w.id), 0) AS BIGINT) AS available, \
         CAST(COALESCE((SELECT SUM(r.quantity) FROM reservations r WHERE r.variant_id = $1 \
         AND r.warehouse_id = w.id AND r.state = $3), 0) AS BIGINT) AS reserved \
         FROM warehouses w WHERE w.seller_id = $2 ORDER BY w.created_at, w.id",
    )
    .bind(variant_id)
    .bind(store)
    .bind(ReservationState::Held.as_str())
    .fetch_all(db.pool())
    .await?;
    Ok(cells
        .into_iter()
        .map(|c| StockCell {
            warehouse_id: c.warehouse_id,
            warehouse: warehouses
                .iter()
                .find(|(w, _)| *w == c.warehouse_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            available: c.available,
            reserved: c.reserved,
        })
        .collect())
}

/// The store's latest movements, removed variants and warehouses included (under the names they had).
async fn history(db: &Db, store: i64) -> Result<Vec<MovementRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.created_at, COALESCE(p.title, rv.product_title) AS product_title, \
         COALESCE(v.title, rv.variant_title) AS variant_title, COALESCE(v.sku, rv.sku) AS sku, \
         COALESCE(w.name, rw.name) AS warehouse, CASE WHEN v.id IS NULL THEN 1 ELSE 0 END AS variant_removed, \
         CASE WHEN w.id IS NULL THEN 1 ELSE 0 END AS warehouse_removed, m.delta, m.level_after, m.reason, u.name AS who \
         FROM stock_movements m \
         LEFT JOIN variants v ON v.id = m.variant_id LEFT JOIN products p ON p.id = v.product_id \
         LEFT JOIN removed_variants rv ON rv.id = m.variant_id \
         LEFT JOIN warehouses w ON w.id = m.warehouse_id LEFT JOIN removed_warehouses rw ON rw.id = m.warehouse_id \
         LEFT JOIN users u ON u.id = m.user_id \
         WHERE COALESCE(w.seller_id, rw.seller_id) = $1 AND COALESCE(p.title, rv.product_title) IS NOT NULL \
         ORDER BY m.created_at DESC, m.id DESC LIMIT $2",
    )
    .bind(store)
    .bind(HISTORY)
    .fetch_all(db.pool())
    .await
}
