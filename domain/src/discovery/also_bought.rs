//! "Customers also bought": co-purchase counts of paid order groups (decision 0044). A group is counted once,
//! in the transaction that marks it paid (`workflows::settle_payment`); `recount` starts again from the orders.

use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::{Backend, Db};

/// At most this many of a group's products are paired (the lowest ids): 30 make 870 pairs, and a basket of
/// hundreds of products says little about what goes together.
pub const MAX_PAIRED: usize = 30;

/// A pair is shown once at least this many paid orders held it: one shopper's single basket is never on show.
pub const MIN_ORDERS: i64 = 2;

/// Counts a group's products as bought together; a group already counted changes nothing.
pub async fn count_paid_group(conn: &mut AnyConnection, group_id: i64) -> Result<(), sqlx::Error> {
    let first = sqlx::query(
        "INSERT INTO co_purchase_groups (group_id, counted_at) VALUES ($1, $2) ON CONFLICT (group_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if first == 0 {
        return Ok(());
    }
    let products: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT l.product_id FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE o.group_id = $1 ORDER BY l.product_id",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await?;
    add_pairs(conn, &products[..products.len().min(MAX_PAIRED)]).await
}

/// One statement for every ordered pair. The pairs go in ascending order, so two payments sharing pairs take
/// their rows' locks in the same order and cannot deadlock on PostgreSQL.
async fn add_pairs(conn: &mut AnyConnection, products: &[i64]) -> Result<(), sqlx::Error> {
    let pairs = ordered_pairs(products);
    if pairs.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..pairs.len())
        .map(|i| format!("(${}, ${}, 1)", 2 * i + 1, 2 * i + 2))
        .collect();
    let sql = format!(
        "INSERT INTO co_purchases (product_id, other_id, orders) VALUES {} \
         ON CONFLICT (product_id, other_id) DO UPDATE SET orders = co_purchases.orders + 1",
        rows.join(", ")
    );
    let query = pairs.iter().fold(sqlx::query(&sql), |q, (a, b)| q.bind(*a).bind(*b));
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Every ordered pair of distinct products, sorted.
fn ordered_pairs(products: &[i64]) -> Vec<(i64, i64)> {
    let mut distinct = products.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let mut pairs = Vec::with_capacity(distinct.len() * distinct.len().saturating_sub(1));
    for &a in &distinct {
        for &b in &distinct {
            if a != b {
                pairs.push((a, b));
            }
        }
    }
    pairs
}

/// What a recount found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recount {
    pub groups: i64,
    pub pairs: i64,
}

/// Counts every paid group again from the orders, in one transaction (after a restore, or for a shop that had
/// orders before this table existed). On PostgreSQL the groups' table is locked first, so a payment committing
/// meanwhile is either seen by the recount or waits for it and is counted after. Payments wait for it (2.2 s for
/// 100,000 orders on SQLite, 6.0 s on PostgreSQL: README), so it is for a quiet moment, as its command says.
pub async fn recount(db: &Db) -> Result<Recount, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    if db.backend() == Backend::Postgres {
        sqlx::query("LOCK TABLE co_purchase_groups IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM co_purchases").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM co_purchase_groups").execute(&mut *tx).await?;
    // The rule of the payment path: the groups `mark_paid` paid (and only those), whatever happened after.
    let groups = sqlx::query(&format!(
        "INSERT INTO co_purchase_groups (group_id, counted_at) SELECT g.id, $1 FROM order_groups g WHERE {}",
        crate::orders::GROUP_WAS_PAID
    ))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // The same pairs `count_paid_group` adds: each group's distinct products, the lowest MAX_PAIRED of them.
    let pairs = sqlx::query(&format!(
        "WITH bought AS (SELECT r.group_id, r.product_id FROM (SELECT d.group_id, d.product_id, \
           ROW_NUMBER() OVER (PARTITION BY d.group_id ORDER BY d.product_id) AS n FROM (SELECT DISTINCT \
           o.group_id, l.product_id FROM order_lines l JOIN orders o ON o.id = l.order_id \
           JOIN co_purchase_groups c ON c.group_id = o.group_id) d) r WHERE r.n <= {MAX_PAIRED}) \
         INSERT INTO co_purchases (product_id, other_id, orders) \
         SELECT a.product_id, b.product_id, COUNT(*) FROM bought a \
         JOIN bought b ON b.group_id = a.group_id AND b.product_id <> a.product_id \
         GROUP BY a.product_id, b.product_id"
    ))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(Recount {
        groups: groups as i64,
        pairs: pairs as i64,
    })
}

/// The products most often bought with any of `products` (none of them), the most often first, at most `limit`.
/// Each pair counts only once [`MIN_ORDERS`] paid orders held it: a cart of A and B is never offered C because one
/// basket held A, B and C.
pub async fn partners(db: &Db, products: &[i64], limit: usize) -> Result<Vec<i64>, sqlx::Error> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    if let [product] = products {
        // One product (a product page): its own pairs in the `co_purchases_top` index's order, no grouping.
        return sqlx::query_scalar(&format!(
            "SELECT other_id FROM co_purchases WHERE product_id = $1 AND orders >= {MIN_ORDERS} \
             ORDER BY orders DESC, other_id DESC LIMIT {limit}"
        ))
        .bind(product)
        .fetch_all(db.pool())
        .await;
    }
    let list = crate::platform::ids::sql_list(products);
    sqlx::query_scalar(&format!(
        "SELECT other_id FROM co_purchases WHERE product_id IN ({list}) AND other_id NOT IN ({list}) \
         AND orders >= {MIN_ORDERS} GROUP BY other_id ORDER BY SUM(orders) DESC, other_id DESC LIMIT {limit}"
    ))
    .fetch_all(db.pool())
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_distinct_both_ways_and_sorted() {
        assert_eq!(
            ordered_pairs(&[3, 1, 3, 2]),
            vec![(1, 2), (1, 3), (2, 1), (2, 3), (3, 1), (3, 2)]
        );
        assert!(ordered_pairs(&[5, 5]).is_empty());
        assert!(ordered_pairs(&[]).is_empty());
    }
}
