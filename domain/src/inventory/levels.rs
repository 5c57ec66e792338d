//! The seller's stock screen: units available and reserved per variant per warehouse, and the history. Scoped
//! by the acting seller's own store.

use model::sellers::{MovementView, StockCell, StockLine, StockPage};

use super::movements::Reason;
use super::InventoryError;
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

#[derive(sqlx::FromRow)]
struct MovementRow {
    created_at: i64,
    product_title: String,
    variant_title: String,
    sku: String,
    warehouse: String,
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
    let pattern = {
        let q = crate::platform::text::search_words(q, 200);
        let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
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
    let warehouses: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM warehouses WHERE seller_id = $1 ORDER BY created_at, id")
            .bind(store)
            .fetch_all(db.pool())
            .await?;
    let mut out = Vec::new();
    for line in lines {
        let cells: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT w.id, CAST(COALESCE((SELECT st.available FROM stock st WHERE st.variant_id = $1 \
             AND st.warehouse_id = w.id), 0) AS BIGINT), \
             CAST(COALESCE((SELECT SUM(r.quantity) FROM reservations r WHERE r.variant_id = $1 \
             AND r.warehouse_id = w.id AND r.state = 'held'), 0) AS BIGINT) \
             FROM warehouses w WHERE w.seller_id = $2 ORDER BY w.created_at, w.id",
        )
        .bind(line.variant_id)
        .bind(store)
        .fetch_all(db.pool())
        .await?;
        out.push(StockLine {
            variant_id: line.variant_id,
            product_id: line.product_id,
            product_title: line.product_title,
            variant_title: line.variant_title,
            sku: line.sku,
            threshold: line.threshold,
            own_threshold: line.own_threshold,
            available: line.available,
            cells: cells
                .into_iter()
                .map(|(id, available, reserved)| StockCell {
                    warehouse_id: id,
                    warehouse: warehouses
                        .iter()
                        .find(|(w, _)| *w == id)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                    available,
                    reserved,
                })
                .collect(),
        });
    }
    let movements: Vec<MovementRow> = sqlx::query_as(
        "SELECT m.created_at, p.title AS product_title, v.title AS variant_title, v.sku, w.name AS warehouse, \
         m.delta, m.level_after, m.reason, u.name AS who \
         FROM stock_movements m JOIN variants v ON v.id = m.variant_id JOIN products p ON p.id = v.product_id \
         JOIN warehouses w ON w.id = m.warehouse_id LEFT JOIN users u ON u.id = m.user_id \
         WHERE p.seller_id = $1 ORDER BY m.created_at DESC, m.id DESC LIMIT $2",
    )
    .bind(store)
    .bind(HISTORY)
    .fetch_all(db.pool())
    .await?;
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
                delta: m.delta,
                level_after: m.level_after,
                reason: Reason::label(&m.reason).to_string(),
                who: m.who.unwrap_or_else(|| "Bazaar (orders)".to_string()),
            })
            .collect(),
    })
}
