//! Stock movements (the history of every change to a variant's units in a warehouse) and low-stock alerts (one
//! per crossing of the threshold). Both take the caller's connection: a movement commits with its change.

use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;

/// Why units changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Received,
    Damaged,
    Count,
    Returned,
    /// The product form's figure.
    Edited,
    /// A catalog import's figure.
    Imported,
    Reserved,
    Released,
    Restocked,
    /// Units sent to a shopper in place of returned ones (an exchange).
    Replacement,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Received => "received",
            Reason::Damaged => "damaged",
            Reason::Count => "count",
            Reason::Returned => "returned",
            Reason::Edited => "edited",
            Reason::Imported => "imported",
            Reason::Reserved => "reserved",
            Reason::Released => "released",
            Reason::Restocked => "restocked",
            Reason::Replacement => "replacement",
        }
    }

    /// The reasons a seller picks for an adjustment.
    pub fn for_seller(text: &str) -> Option<Reason> {
        Some(match text {
            "received" => Reason::Received,
            "damaged" => Reason::Damaged,
            "count" => Reason::Count,
            "returned" => Reason::Returned,
            _ => return None,
        })
    }

    pub fn label(text: &str) -> &'static str {
        match text {
            "received" => "Received",
            "damaged" => "Damaged",
            "count" => "Count correction",
            "returned" => "Returned",
            "edited" => "Product form",
            "imported" => "Catalog import",
            "reserved" => "Order placed",
            "released" => "Order not paid (released)",
            "restocked" => "Order cancelled (restocked)",
            "replacement" => "Replacement sent",
            _ => "Other",
        }
    }
}

/// One change of a variant's units in a warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    pub variant_id: i64,
    pub warehouse_id: i64,
    pub delta: i64,
    /// The warehouse's units after the change.
    pub level_after: i64,
    pub reason: Reason,
    /// The signed-in account that made it; `None` for the shop (an order, an expiry).
    pub user_id: Option<i64>,
    pub group_id: Option<i64>,
}

/// Records a movement in the caller's transaction.
pub async fn record(conn: &mut AnyConnection, m: Movement) -> Result<(), sqlx::Error> {
    record_all(conn, &[m]).await
}

/// Records several movements in one statement per 500 (a new product's first counts, an import's).
pub async fn record_all(conn: &mut AnyConnection, all: &[Movement]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    for chunk in all.chunks(500) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = i * 9;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5,
                    n + 6,
                    n + 7,
                    n + 8,
                    n + 9
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO stock_movements (id, variant_id, warehouse_id, delta, level_after, reason, user_id, group_id, \
             created_at) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for m in chunk {
            query = query
                .bind(next_id())
                .bind(m.variant_id)
                .bind(m.warehouse_id)
                .bind(m.delta)
                .bind(m.level_after)
                .bind(m.reason.as_str())
                .bind(m.user_id)
                .bind(m.group_id)
                .bind(now);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Keeps the names of a variant about to be removed, so its movements still say what moved (call it in the
/// transaction that removes it).
pub async fn remember_variant(conn: &mut AnyConnection, variant_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO removed_variants (id, seller_id, product_title, variant_title, sku, removed_at) \
         SELECT v.id, p.seller_id, p.title, v.title, v.sku, $2 FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE v.id = $1 ON CONFLICT (id) DO NOTHING",
    )
    .bind(variant_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps the name of a warehouse about to be removed, so its movements still say where (call it in the
/// transaction that removes it).
pub async fn remember_warehouse(conn: &mut AnyConnection, warehouse_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO removed_warehouses (id, seller_id, name, removed_at) \
         SELECT id, seller_id, name, $2 FROM warehouses WHERE id = $1 ON CONFLICT (id) DO NOTHING",
    )
    .bind(warehouse_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A variant that has just fallen to or below its threshold (and was not already alerted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowStock {
    pub variant_id: i64,
    pub sku: String,
    pub title: String,
    pub available: i64,
    pub threshold: i64,
    /// Where the alert goes: the account that runs the store, else the store's support address.
    pub to: String,
}

/// Checks a variant against its threshold after a change: `Some` exactly when it crossed downwards now (the
/// alert row is made, so the next order below the threshold says nothing); rising above it again clears the row.
pub async fn crossing(conn: &mut AnyConnection, variant_id: i64) -> Result<Option<LowStock>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Level {
        sku: String,
        title: String,
        available: i64,
        threshold: i64,
        to: Option<String>,
    }
    let level: Option<Level> = sqlx::query_as(
        "SELECT v.sku, p.title || CASE WHEN v.title = 'Default' THEN '' ELSE ' (' || v.title || ')' END AS title, \
         CAST(COALESCE((SELECT SUM(st.available) FROM stock st WHERE st.variant_id = v.id), 0) AS BIGINT) AS available, \
         COALESCE(v.low_stock_threshold, s.low_stock_default) AS threshold, \
         COALESCE((SELECT u.email FROM users u WHERE u.id = s.user_id), NULLIF(s.support_email, '')) AS \"to\" \
         FROM variants v JOIN products p ON p.id = v.product_id JOIN sellers s ON s.id = p.seller_id WHERE v.id = $1",
    )
    .bind(variant_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(level) = level else {
        return Ok(None);
    };
    if level.available > level.threshold {
        sqlx::query("DELETE FROM low_stock_alerts WHERE variant_id = $1")
            .bind(variant_id)
            .execute(&mut *conn)
            .await?;
        return Ok(None);
    }
    let Some(to) = level.to else {
        return Ok(None);
    };
    let new = sqlx::query(
        "INSERT INTO low_stock_alerts (variant_id, alerted_at) VALUES ($1, $2) ON CONFLICT (variant_id) DO NOTHING",
    )
    .bind(variant_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok((new == 1).then_some(LowStock {
        variant_id,
        sku: level.sku,
        title: level.title,
        available: level.available,
        threshold: level.threshold,
        to,
    }))
}
