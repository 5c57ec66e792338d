//! The sales dashboard on `/seller`: revenue, orders, units, average order and refunds for a period (the last 7,
//! 30 or 90 days, or chosen days; days in the store's time zone) against the period just before it, each day of
//! it, and the best-selling products, all read from the daily rollups (`rollups`), never from the orders; and
//! each of its tables as CSV.

use model::catalog::Money;
use model::money::{
    change_percent, rate_tenths, tenths_label, DayFigure, SalesDashboard, SalesFigures, SalesRange, TopProduct,
    HEALTH_THRESHOLDS, SALES_RANGES,
};
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
/// day in the zone the dashboard counts days in (the store's, or the platform's).
pub(crate) fn period(range: &SalesRange, today: i64) -> Result<(i64, i64, String), Vec<FieldError>> {
    let (from, to) = (range.from.trim(), range.to.trim());
    if from.is_empty() && to.is_empty() {
        let days = SALES_RANGES
            .iter()
            .find(|(key, _, _)| *key == range.range.trim())
            .map_or(30, |r| r.2);
        let end = today + 1;
        let label = if days == 1 {
            "today".to_string()
        } else {
            format!("the last {days} days")
        };
        return Ok((end - days, end, label));
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
    Err(errors)
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

/// Which of the period's products a list holds, in which order (SQL of ours, never input).
struct Pick {
    /// Which products count: those with any sales, any views, or either.
    having: &'static str,
    order: &'static str,
    limit: i64,
}

const TOP_BY_REVENUE: Pick = Pick {
    having: "SUM(s.revenue) > 0",
    order: "revenue",
    limit: 5,
};
const TOP_BY_VIEWS: Pick = Pick {
    having: "SUM(s.views) > 0",
    order: "views",
    limit: 5,
};
/// Every product the CSV lists: sold or viewed in the period (at most this many).
const ALL_PRODUCTS: Pick = Pick {
    having: "SUM(s.revenue) > 0 OR SUM(s.views) > 0",
    order: "revenue",
    limit: 10_000,
};

/// The period's products `pick` asks for.
async fn top(
    conn: &mut AnyConnection,
    store: i64,
    (first, end): (i64, i64),
    pick: Pick,
) -> Result<Vec<TopProduct>, sqlx::Error> {
    let Pick { having, order, limit } = pick;
    let rows: Vec<TopRow> = sqlx::query_as(&format!(
        "SELECT s.product_id AS product_id, COALESCE(p.title, '') AS title, CAST(SUM(s.units) AS BIGINT) AS units, \
         CAST(SUM(s.revenue) AS BIGINT) AS revenue, CAST(SUM(s.orders) AS BIGINT) AS orders, \
         CAST(SUM(s.views) AS BIGINT) AS views FROM product_daily_sales s \
         LEFT JOIN products p ON p.id = s.product_id \
         WHERE s.seller_id = $1 AND s.day >= $2 AND s.day < $3 \
         GROUP BY s.product_id, p.title HAVING {having} ORDER BY {order} DESC, s.product_id LIMIT $4"
    ))
    .bind(store)
    .bind(first)
    .bind(end)
    .bind(limit)
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

/// The store and the days a dashboard covers: the first day and the day after the last.
struct Window {
    store: i64,
    first: i64,
    end: i64,
}

/// The actor's store's sales dashboard for `range`.
pub async fn screen(db: &Db, actor: &Actor, range: &SalesRange) -> Result<SalesDashboard, SellerError> {
    Ok(dashboard(db, actor, range).await?.0)
}

async fn dashboard(db: &Db, actor: &Actor, range: &SalesRange) -> Result<(SalesDashboard, Window), SellerError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let time_zone = zone_of(&mut conn, store).await?;
    let (first, end, label) = period(range, zones::day_in(&time_zone, now_ms())).map_err(SellerError::Invalid)?;
    let days = end - first;
    let current = sums(&mut conn, store, first, end).await?.figures();
    let previous = sums(&mut conn, store, first - days, first).await?.figures();
    let dashboard = SalesDashboard {
        range: range.clone(),
        label,
        days,
        current,
        previous,
        series: series(&mut conn, store, first, end).await?,
        top: top(&mut conn, store, (first, end), TOP_BY_REVENUE).await?,
        viewed: top(&mut conn, store, (first, end), TOP_BY_VIEWS).await?,
        views: views(&mut conn, store, first, end).await?,
        time_zone,
    };
    Ok((dashboard, Window { store, first, end }))
}

/// A table of the dashboard as CSV: `days` (or nothing: each day, then the totals), `summary` (every figure of the
/// period against the period before) or `products` (each product sold or viewed, with its conversion).
pub async fn csv(db: &Db, actor: &Actor, range: &SalesRange, table: &str) -> Result<Vec<u8>, SellerError> {
    let rows = match table.trim() {
        "" | "days" => days_rows(&screen(db, actor, range).await?),
        "summary" => {
            let (dashboard, w) = dashboard(db, actor, range).await?;
            let mut conn = db.pool().acquire().await?;
            let before = views(&mut conn, w.store, w.first - (w.end - w.first), w.first).await?;
            summary_rows(&dashboard, before)
        }
        "products" => {
            let (_, w) = dashboard(db, actor, range).await?;
            let mut conn = db.pool().acquire().await?;
            products_rows(top(&mut conn, w.store, (w.first, w.end), ALL_PRODUCTS).await?)
        }
        _ => {
            return Err(SellerError::Invalid(vec![FieldError::new(
                "table",
                "Choose the days, the summary or the products.",
            )]))
        }
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| SellerError::Db(sqlx::Error::Protocol(e.to_string()));
    for row in rows {
        out.write_record(&row).map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| SellerError::Db(sqlx::Error::Protocol(e.to_string())))
}

/// Each day of the period (date, orders, units, revenue, refunds), then its totals.
fn days_rows(d: &SalesDashboard) -> Vec<Vec<String>> {
    let mut rows = vec![cells(&["Date", "Orders", "Units", "Revenue", "Refunds", "Currency"])];
    for day in &d.series {
        rows.push(vec![
            day.date.clone(),
            day.orders.to_string(),
            day.units.to_string(),
            day.revenue.plain(),
            day.refunds.plain(),
            CURRENCY.into(),
        ]);
    }
    let c = &d.current;
    rows.push(vec![
        "Total".into(),
        c.orders.to_string(),
        c.units.to_string(),
        c.revenue.plain(),
        c.refunds.plain(),
        CURRENCY.into(),
    ]);
    rows
}

/// A figure of the summary, as its cell shows it.
#[derive(Clone, Copy)]
enum Figure {
    Count(i64),
    /// Minor units (none: no average without an order).
    Money(Option<i64>),
    /// Part of a whole, as a rate (none without a base).
    Rate(i64, i64),
}

impl Figure {
    fn text(self) -> String {
        match self {
            Figure::Count(n) => n.to_string(),
            Figure::Money(m) => m.map_or_else(String::new, |m| Money::new(m, CURRENCY).plain()),
            Figure::Rate(part, whole) => rate_tenths(part, whole).map_or_else(String::new, tenths_label),
        }
    }

    /// The change from `before` to this, in whole percent (counts and amounts only, and only with a base).
    fn change_from(self, before: Figure) -> String {
        let percent = match (self, before) {
            (Figure::Count(a), Figure::Count(b)) => change_percent(a, b),
            (Figure::Money(Some(a)), Figure::Money(Some(b))) => change_percent(a, b),
            _ => None,
        };
        percent.map_or_else(String::new, |p| format!("{p} %"))
    }
}

/// Every figure of the dashboard, this period and the one before, and the change (none without a base).
fn summary_rows(d: &SalesDashboard, views_before: i64) -> Vec<Vec<String>> {
    use Figure::{Count, Money as Amount, Rate};
    let (now, before) = (&d.current, &d.previous);
    let average = |f: &SalesFigures| f.average_order().map(|m| m.amount);
    let mut figures: Vec<(String, Figure, Figure)> = vec![
        ("Days".into(), Count(d.days), Count(d.days)),
        (
            "Revenue".into(),
            Amount(Some(now.revenue.amount)),
            Amount(Some(before.revenue.amount)),
        ),
        ("Orders".into(), Count(now.orders), Count(before.orders)),
        ("Units".into(), Count(now.units), Count(before.units)),
        ("Average order".into(), Amount(average(now)), Amount(average(before))),
        (
            "Refunds".into(),
            Amount(Some(now.refunds.amount)),
            Amount(Some(before.refunds.amount)),
        ),
        (
            "Refund count".into(),
            Count(now.refund_count),
            Count(before.refund_count),
        ),
        ("Product page views".into(), Count(d.views), Count(views_before)),
        (
            "Conversion".into(),
            Rate(now.orders, d.views),
            Rate(before.orders, views_before),
        ),
    ];
    let health = [(now.cancelled, before.cancelled), (now.returns, before.returns)];
    for ((name, limit), (this, that)) in HEALTH_THRESHOLDS.into_iter().zip(health) {
        figures.push((name.into(), Count(this), Count(that)));
        let rate_name = format!("{name} rate (threshold {})", tenths_label(limit));
        figures.push((rate_name, Rate(this, now.orders), Rate(that, before.orders)));
    }
    let mut rows = vec![cells(&["Figure", "This period", "Period before", "Change", "Currency"])];
    for (name, this, that) in figures {
        let currency = if matches!(this, Amount(_)) { CURRENCY } else { "" };
        let change = if name == "Days" {
            String::new()
        } else {
            this.change_from(that)
        };
        rows.push(vec![name, this.text(), that.text(), change, currency.into()]);
    }
    rows
}

/// Each product sold or viewed over the period, best selling first.
fn products_rows(products: Vec<TopProduct>) -> Vec<Vec<String>> {
    let mut rows = vec![cells(&[
        "Product",
        "Units",
        "Revenue",
        "Orders",
        "Views",
        "Conversion",
        "Currency",
    ])];
    for p in products {
        rows.push(vec![
            crate::catalog::transfer::neutralise(&p.title),
            p.units.to_string(),
            p.revenue.plain(),
            p.orders.to_string(),
            p.views.to_string(),
            rate_tenths(p.orders, p.views).map_or_else(String::new, tenths_label),
            CURRENCY.into(),
        ]);
    }
    rows
}

fn cells(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}
