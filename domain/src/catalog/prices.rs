//! Price history (decision 0042): every price a variant had, from when. The "was" price a product page may show
//! is the lowest price of the 30 days before the current one began, and only when it is above the current one
//! (EU Omnibus directive, art. 6a): a seller's compare-at price, raised the day before a "sale", is never shown.

use std::collections::HashMap;

use sqlx::AnyConnection;

/// How far back the "was" price looks.
pub const LOOK_BACK_MS: i64 = 30 * 86_400_000;

/// Records that variant `variant_id` costs `price` from `now`, unless that is already its price. Two changes in
/// the same millisecond keep the last.
pub async fn record(conn: &mut AnyConnection, variant_id: i64, price: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO variant_prices (variant_id, price, started_at) SELECT $1, $2, $3 \
         WHERE COALESCE((SELECT h.price FROM variant_prices h WHERE h.variant_id = $1 \
         ORDER BY h.started_at DESC LIMIT 1), -1) <> $2 \
         ON CONFLICT (variant_id, started_at) DO UPDATE SET price = excluded.price",
    )
    .bind(variant_id)
    .bind(price)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// For each variant of product `product_id` whose price now is below the lowest price of the 30 days before it
/// began: that lowest price. One query, on the caller's connection (the product page's, or a save's transaction
/// that just changed a price).
pub async fn was_prices_in(conn: &mut AnyConnection, product_id: i64) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT c.variant_id, c.price, MIN(h.price) FROM \
         (SELECT l.variant_id, l.price, l.started_at FROM variant_prices l JOIN variants v ON v.id = l.variant_id \
          WHERE v.product_id = $1 AND l.started_at = (SELECT MAX(m.started_at) FROM variant_prices m \
          WHERE m.variant_id = l.variant_id)) c \
         JOIN variant_prices h ON h.variant_id = c.variant_id AND h.started_at < c.started_at \
         AND (h.started_at > c.started_at - $2 OR h.started_at = (SELECT MAX(e.started_at) FROM variant_prices e \
              WHERE e.variant_id = c.variant_id AND e.started_at <= c.started_at - $2)) \
         GROUP BY c.variant_id, c.price",
    )
    .bind(product_id)
    .bind(LOOK_BACK_MS)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, now, lowest)| lowest > now)
        .map(|(variant, _, lowest)| (variant, lowest))
        .collect())
}
