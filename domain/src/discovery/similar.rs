//! "Similar items": active products of the same category, the ones sharing most of the product's attribute
//! values first, then the nearest in price (decision 0044). Candidates are the nearest in price on each side,
//! read from the listing index, so a category of 10,000 products costs what one of 50 does.

use std::collections::HashMap;

use crate::catalog::STORE_SELLS;
use crate::Db;

/// Candidates read on each side of the product's price.
const EACH_SIDE: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidate {
    id: i64,
    price: i64,
    shared: i64,
}

/// Up to `limit` products like `product`, none of `exclude`, the most alike first.
pub async fn like(db: &Db, product: i64, exclude: &[i64], limit: usize) -> Result<Vec<i64>, sqlx::Error> {
    let Some((category, price)) =
        sqlx::query_as::<_, (i64, i64)>("SELECT category_id, min_price FROM products WHERE id = $1")
            .bind(product)
            .fetch_optional(db.pool())
            .await?
    else {
        return Ok(Vec::new());
    };
    let near: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT id, min_price FROM (SELECT p.id, p.min_price FROM products p WHERE p.status = 'active' AND {STORE_SELLS} \
           AND p.category_id = $1 AND p.min_price >= $2 AND p.id <> $3 ORDER BY p.min_price, p.id LIMIT {EACH_SIDE}) a \
         UNION ALL SELECT id, min_price FROM (SELECT p.id, p.min_price FROM products p WHERE p.status = 'active' \
           AND {STORE_SELLS} AND p.category_id = $1 AND p.min_price < $2 ORDER BY p.min_price DESC, p.id \
           LIMIT {EACH_SIDE}) b"
    ))
    .bind(category)
    .bind(price)
    .bind(product)
    .fetch_all(db.pool())
    .await?;
    if near.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = near.iter().map(|(id, _)| *id).collect();
    let list = crate::platform::ids::sql_list(&ids);
    let shared: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(&format!(
        "SELECT b.product_id, COUNT(*) FROM product_attributes a JOIN product_attributes b \
           ON b.name = a.name AND b.value = a.value \
         WHERE a.product_id = $1 AND b.product_id IN ({list}) GROUP BY b.product_id"
    ))
    .bind(product)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .collect();
    let candidates = near
        .into_iter()
        .filter(|(id, _)| !exclude.contains(id))
        .map(|(id, p)| Candidate {
            id,
            price: p,
            shared: shared.get(&id).copied().unwrap_or(0),
        })
        .collect();
    Ok(rank(candidates, price, limit))
}

/// Most shared attribute values first, then the nearest price, then the older product (a stable order).
fn rank(mut candidates: Vec<Candidate>, price: i64, limit: usize) -> Vec<i64> {
    candidates.sort_by_key(|c| (-c.shared, (c.price - price).abs(), c.id));
    candidates.into_iter().take(limit).map(|c| c.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, price: i64, shared: i64) -> Candidate {
        Candidate { id, price, shared }
    }

    #[test]
    fn shared_values_win_then_the_nearest_price() {
        let ranked = rank(vec![c(1, 1000, 0), c(2, 5000, 2), c(3, 1100, 2), c(4, 990, 0)], 1000, 3);
        assert_eq!(ranked, vec![3, 2, 1]);
    }
}
