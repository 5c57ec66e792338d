//! The sales rollups (`seller_daily_sales`, `product_daily_sales`, and the marketplace's `platform_sales`): one row per store and day — the date in the
//! store's time zone when the row was raised — and per product and day, raised by the ledger's writers in their own transaction when a sale or a refund is booked
//! (once: only a new entry raises them), read by the sales dashboard. (A product's day also holds its page views:
//! `views`.)

use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::platform::zones;

pub const DAY_MS: i64 = 86_400_000;
/// The marketplace's rollup counts in quarter hours: every zone's midnight falls on one.
pub const QUARTER_MS: i64 = 900_000;

/// Store `seller_id`'s time zone (UTC for a store that is gone).
pub async fn zone_of(conn: &mut AnyConnection, seller_id: i64) -> Result<String, sqlx::Error> {
    let zone: Option<String> = sqlx::query_scalar("SELECT time_zone FROM sellers WHERE id = $1")
        .bind(seller_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(zone.unwrap_or_else(|| zones::UTC.to_string()))
}

/// Today's day number in store `seller_id`'s time zone.
pub async fn store_today(conn: &mut AnyConnection, seller_id: i64) -> Result<i64, sqlx::Error> {
    Ok(zones::day_in(&zone_of(conn, seller_id).await?, now_ms()))
}

/// Adds paid order `order_id` to its store's and its products' day.
pub async fn add_sale(conn: &mut AnyConnection, seller_id: i64, order_id: i64, total: i64) -> Result<(), sqlx::Error> {
    let day = store_today(conn, seller_id).await?;
    let lines: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT product_id, quantity, unit_price * quantity - discount FROM order_lines WHERE order_id = $1 \
         ORDER BY product_id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    let units: i64 = lines.iter().map(|l| l.1).sum();
    sqlx::query(
        "INSERT INTO seller_daily_sales (seller_id, day, orders, units, revenue) VALUES ($1, $2, 1, $3, $4) \
         ON CONFLICT (seller_id, day) DO UPDATE SET orders = seller_daily_sales.orders + 1, \
         units = seller_daily_sales.units + excluded.units, revenue = seller_daily_sales.revenue + excluded.revenue",
    )
    .bind(seller_id)
    .bind(day)
    .bind(units)
    .bind(total)
    .execute(&mut *conn)
    .await?;
    // One order per product, however many of its variants the order holds (the lines come by product).
    let mut products: Vec<(i64, i64, i64)> = Vec::new();
    for (product_id, quantity, revenue) in lines {
        match products.last_mut() {
            Some(last) if last.0 == product_id => (last.1, last.2) = (last.1 + quantity, last.2 + revenue),
            _ => products.push((product_id, quantity, revenue)),
        }
    }
    for (product_id, quantity, revenue) in products {
        sqlx::query(
            "INSERT INTO product_daily_sales (seller_id, day, product_id, units, revenue, orders) \
             VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (seller_id, day, product_id) DO UPDATE SET \
             units = product_daily_sales.units + excluded.units, \
             revenue = product_daily_sales.revenue + excluded.revenue, orders = product_daily_sales.orders + 1",
        )
        .bind(seller_id)
        .bind(day)
        .bind(product_id)
        .bind(quantity)
        .bind(revenue)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Rows of the marketplace's rollup per quarter and currency: checkouts paid at once update different rows.
const SHARDS: i64 = 16;

/// Order `order_id`'s group, and when its sale was booked (unix milliseconds; the group's first sale entry): the
/// moment its refunds count at, so that a refund restates its sale's day. Now for an order paid before the ledger
/// kept sales.
async fn sale_of(conn: &mut AnyConnection, order_id: i64) -> Result<(i64, i64), sqlx::Error> {
    let (group_id, at): (i64, Option<i64>) = sqlx::query_as(
        "SELECT o.group_id, (SELECT MIN(l.created_at) FROM seller_ledger l JOIN orders s ON s.id = l.order_id \
         WHERE s.group_id = o.group_id AND l.kind = 'sale') FROM orders o WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((group_id, at.unwrap_or_else(now_ms)))
}

/// Adds a refund of `amount` on order `order_id` to the day of its sale: its store's day, and the marketplace's
/// quarter hour in `currency`.
pub async fn add_refund(
    conn: &mut AnyConnection,
    seller_id: i64,
    order_id: i64,
    currency: &str,
    amount: i64,
) -> Result<(), sqlx::Error> {
    let (group_id, at) = sale_of(conn, order_id).await?;
    let day = zones::day_in(&zone_of(conn, seller_id).await?, at);
    sqlx::query(
        "INSERT INTO seller_daily_sales (seller_id, day, refunds, refund_count) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (seller_id, day) DO UPDATE SET refunds = seller_daily_sales.refunds + excluded.refunds, \
         refund_count = seller_daily_sales.refund_count + 1",
    )
    .bind(seller_id)
    .bind(day)
    .bind(amount)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO platform_sales (quarter, currency, shard, refunds, refund_count) VALUES ($1, $2, $3, $4, 1) \
         ON CONFLICT (quarter, currency, shard) DO UPDATE SET refunds = platform_sales.refunds + excluded.refunds, \
         refund_count = platform_sales.refund_count + 1",
    )
    .bind(at.div_euclid(QUARTER_MS))
    .bind(currency)
    .bind(group_id.rem_euclid(SHARDS))
    .bind(amount)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds paid checkout `group_id` (`paid` in `currency`) to the marketplace's quarter hour of its sale.
pub async fn add_platform_sale(
    conn: &mut AnyConnection,
    group_id: i64,
    currency: &str,
    paid: i64,
) -> Result<(), sqlx::Error> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(l.created_at) FROM seller_ledger l JOIN orders o ON o.id = l.order_id \
         WHERE o.group_id = $1 AND l.kind = 'sale'",
    )
    .bind(group_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO platform_sales (quarter, currency, shard, orders, gmv) VALUES ($1, $2, $3, 1, $4) \
         ON CONFLICT (quarter, currency, shard) DO UPDATE SET orders = platform_sales.orders + 1, \
         gmv = platform_sales.gmv + excluded.gmv",
    )
    .bind(at.unwrap_or_else(now_ms).div_euclid(QUARTER_MS))
    .bind(currency)
    .bind(group_id.rem_euclid(SHARDS))
    .bind(paid)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Counts paid order `order_id` that ended cancelled in its store's day (an order never paid has no sale entry and
/// counts nothing).
pub async fn add_cancelled(conn: &mut AnyConnection, order_id: i64) -> Result<(), sqlx::Error> {
    add_to_day(conn, order_id, "cancelled", true).await
}

/// Counts a return request of order `order_id` in its store's day.
pub async fn add_return(conn: &mut AnyConnection, order_id: i64) -> Result<(), sqlx::Error> {
    add_to_day(conn, order_id, "returns", false).await
}

/// Adds one to `column` (one of ours, never input) of order `order_id`'s store's day; `paid_only`: only when the
/// order's sale was booked.
async fn add_to_day(conn: &mut AnyConnection, order_id: i64, column: &str, paid_only: bool) -> Result<(), sqlx::Error> {
    let paid = if paid_only {
        "AND EXISTS (SELECT 1 FROM seller_ledger l WHERE l.entry_key = 'sale:' || CAST(o.id AS TEXT))"
    } else {
        ""
    };
    let seller_id: i64 = sqlx::query_scalar("SELECT seller_id FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await?;
    let day = store_today(conn, seller_id).await?;
    sqlx::query(&format!(
        "INSERT INTO seller_daily_sales (seller_id, day, {column}) SELECT o.seller_id, $1, 1 FROM orders o \
         WHERE o.id = $2 {paid} ON CONFLICT (seller_id, day) DO UPDATE SET \
         {column} = seller_daily_sales.{column} + 1"
    ))
    .bind(day)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
