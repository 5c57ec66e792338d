//! The sales dashboard on `/seller`: revenue, orders, units, average order and refunds for a period (the last 7,
//! 30 or 90 days, or chosen days; days in the store's time zone) against the period just before it, each day of it, and the best-selling
//! products, all read from the daily rollups (`rollups`), never from the orders.

use model::catalog::Money;
use model::money::{DayFigure, SalesDashboard, SalesFigures, SalesRange, TopProduct, SALES_RANGES};
use model::{format_date, parse_date, FieldError};
use sqlx::AnyConnection;

use super::rollups::{zone_of, DAY_MS};
use crate::catalog::editor::CURRENCY;
use crate::platform::clock::now_ms;
use crate::platform::zones;
use crate::platform::{Actor, Db};
use crate::sellers::SellerError;

/// The longest custom period, in days (a year and a day: a leap year's whole).
const MAX_DAYS: i64 = 366;

/// The period asked for, as day numbers: the first day and the day after the last, and its label; `today` is the
/// store's.
fn period(range: &SalesRange, today: i64) -> Result<(i64, i64, String), SellerError> {
    let (from, to) = (range.from.trim(), range.to.trim());
    if from.is_empty() && to.is_empty() {
        let days = SALES_RANGES
            .iter()
            .find(|(key, _, _)| *key == range.range.trim())
            .map_or(30, |r| r.2);
        let end = today + 1;
        return Ok((end - days, end, format!("the last {days} days")));
    }
    let mut errors = Vec::new();
    let mut day = |name: &str, text: &str| match parse_date(text) {
        Some(ms) => Some(ms.div_euclid(DAY_MS)),
        None => {
            errors.push(FieldError::new(name, "Enter a date as YYYY-MM-DD."));
            None
        }
    };
    let (first, last) = (day("from", from), day("to", to));
    if let (Some(first), Some(last)) = (first, last) {
        if last < first {
            errors.push(FieldError::new("to", "The last day must be on or after the first."));
        } else if last - first + 1 > MAX_DAYS {
            errors.push(FieldError::new("to", "Choose at most 366 days."));
        } else if errors.is_empty() {
            return Ok((first, last + 1, format!("{from} to {to}")));
        }
    }
    Err(SellerError::Invalid(errors))
}

#[derive(Debug, sqlx::FromRow)]
struct Sums {
    orders: i64,
    units: i64,
    revenue: i64,
    refunds: i64,
    refund_count: i64,
    cancelled: i64,
    returns: i64,
}

impl Sums {
    fn figures(&self) -> SalesFigures {
        SalesFigures {
            revenue: Money::new(self.revenue, CURRENCY),
            orders: self.orders,
            units: self.units,
            refunds: Money::new(self.refunds, CURRENCY),
            refund_count: self.refund_count,
            cancelled: self.cancelled,
            returns: self.returns,
        }
    }
}

const SUMS: &str =
    "CAST(COALESCE(SUM(orders), 0) AS BIGINT) AS orders, CAST(COALESCE(SUM(units), 0) AS BIGINT) AS units, \
     CAST(COALESCE(SUM(revenue), 0) AS BIGINT) AS revenue, CAST(COALESCE(SUM(refunds), 0) AS BIGINT) AS refunds, \
     CAST(COALESCE(SUM(refund_count), 0) AS BIGINT) AS refund_count, \
     CAST(COALESCE(SUM(cancelled), 0) AS BIGINT) AS cancelled, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns";

async fn sums(conn: &mut AnyConnection, store: i64, first: i64, end: i64) -> Result<Sums, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {SUMS} FROM seller_daily_sales WHERE seller_id = $1 AND day >= $2 AND day < $3"
    ))
    .bind(store)
    .bind(first)
    .bind(end)
    .fetch_one(&mut *conn)
    .await
}

/// Each day from `first` to before `end`, days without sales as zeros.
async fn series(conn: &mut AnyConnection, store: i64, first: i64, end: i64) -> Result<Vec<DayFigure>, sqlx::Error> {
    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT day, orders, units, revenue, refunds FROM seller_daily_sales \
         WHERE seller_id = $1 AND day >= $2 AND day < $3 ORDER BY day",
    )
    .bind(store)
    .bind(first)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    let mut rows = rows.into_iter().peekable();
    Ok((first..end)
        .map(|day| {
            let (orders, units, revenue, refunds) = match rows.peek() {
                Some(r) if r.0 == day => rows.next().map_or((0, 0, 0, 0), |r| (r.1, r.2, r.3, r.4)),
                _ => (0, 0, 0, 0),
            };
            DayFigure {
                date: format_date(day * DAY_MS),
                orders,
                units,
                revenue: Money::new(revenue, CURRENCY),
                refunds: Money::new(refunds, CURRENCY),
            }
        })
        .collect())
}

#[derive(Debug, sqlx::FromRow)]
struct TopRow {
    product_id: i64,
    title: String,
    units: i64,
    revenue: i64,
    orders: i64,
    views: i64,
}

/// The period's five products first by `order` (`revenue` or `views`), of those that have any.
async fn top(
    conn: &mut AnyConnection,
    store: i64,
    (first, end): (i64, i64),
    order: &str,
) -> Result<Vec<TopProduct>, sqlx::Error> {
    // `order` is one of our two column names, never input.
    let rows: Vec<TopRow> = sqlx::query_as(&format!(
        "SELECT s.product_id AS product_id, COALESCE(p.title, '') AS title, CAST(SUM(s.units) AS BIGINT) AS units, \
         CAST(SUM(s.revenue) AS BIGINT) AS revenue, CAST(SUM(s.orders) AS BIGINT) AS orders, \
         CAST(SUM(s.views) AS BIGINT) AS views FROM product_daily_sales s \
         LEFT JOIN products p ON p.id = s.product_id \
         WHERE s.seller_id = $1 AND s.day >= $2 AND s.day < $3 \
         GROUP BY s.product_id, p.title HAVING SUM(s.{order}) > 0 ORDER BY {order} DESC, s.product_id LIMIT 5"
    ))
    .bind(store)
    .bind(first)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TopProduct {
            product_id: r.product_id,
            title: if r.title.is_empty() {
                "A removed product".into()
            } else {
                r.title
            },
            units: r.units,
            revenue: Money::new(r.revenue, CURRENCY),
            orders: r.orders,
            views: r.views,
        })
        .collect())
}

/// The store's product page views over the period.
async fn views(conn: &mut AnyConnection, store: i64, first: i64, end: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) FROM product_daily_sales \
         WHERE seller_id = $1 AND day >= $2 AND day < $3",
    )
    .bind(store)
    .bind(first)
    .bind(end)
    .fetch_one(&mut *conn)
    .await
}

/// The actor's store's sales dashboard for `range`.
pub async fn screen(db: &Db, actor: &Actor, range: &SalesRange) -> Result<SalesDashboard, SellerError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let time_zone = zone_of(&mut conn, store).await?;
    let (first, end, label) = period(range, zones::day_in(&time_zone, now_ms()))?;
    let days = end - first;
    let current = sums(&mut conn, store, first, end).await?.figures();
    let previous = sums(&mut conn, store, first - days, first).await?.figures();
    Ok(SalesDashboard {
        range: range.clone(),
        label,
        days,
        current,
        previous,
        series: series(&mut conn, store, first, end).await?,
        top: top(&mut conn, store, (first, end), "revenue").await?,
        viewed: top(&mut conn, store, (first, end), "views").await?,
        views: views(&mut conn, store, first, end).await?,
        time_zone,
    })
}

/// The period's days as CSV (date, orders, units, revenue, refunds), then its totals.
pub async fn csv(db: &Db, actor: &Actor, range: &SalesRange) -> Result<Vec<u8>, SellerError> {
    let dashboard = screen(db, actor, range).await?;
    let mut out = String::from("Date,Orders,Units,Revenue,Refunds,Currency\n");
    for d in &dashboard.series {
        out.push_str(&format!(
            "{},{},{},{},{},{CURRENCY}\n",
            d.date,
            d.orders,
            d.units,
            d.revenue.plain(),
            d.refunds.plain()
        ));
    }
    let c = &dashboard.current;
    out.push_str(&format!(
        "Total,{},{},{},{},{CURRENCY}\n",
        c.orders,
        c.units,
        c.revenue.plain(),
        c.refunds.plain()
    ));
    Ok(out.into_bytes())
}
