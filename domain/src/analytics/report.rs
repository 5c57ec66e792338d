//! The admin's analytics screen over a period (the dashboard's period rules, days in the platform's time zone):
//! the funnel per day, page views per page type, the top searches and those that found nothing, read from the
//! day rollups the flushes keep (`write`) — and "paid" from the orders the recorded visitors placed — and each
//! table as CSV. Admins only.

use std::collections::BTreeMap;

use model::admin_analytics::{Analytics, AnalyticsTable, FunnelDay, PageTraffic, SearchCount};
use model::format_date;
use model::money::SalesRange;
use sqlx::AnyConnection;

use super::{PageType, Step};
use crate::admin::{require_admin, AdminError};
use crate::money::dashboard::period;
use crate::money::rollups::DAY_MS;
use crate::platform::clock::now_ms;
use crate::platform::zones;
use crate::platform::{Actor, Db};

/// Searches each list shows (the CSV has the same).
const TOP: i64 = 50;

#[derive(Debug, sqlx::FromRow)]
struct StepDay {
    day: i64,
    step: String,
    visitors: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct PaidDay {
    day: i64,
    visitors: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct PageRow {
    page_type: String,
    views: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct SearchRow {
    query: String,
    searches: i64,
    empty: i64,
}

pub async fn screen(db: &Db, actor: &Actor, range: &SalesRange, zone: &str) -> Result<Analytics, AdminError> {
    require_admin(actor)?;
    let (first, end, label) = period(range, zones::day_in(zone, now_ms())).map_err(AdminError::Invalid)?;
    let mut conn = db.pool().acquire().await?;
    let funnel = funnel(&mut conn, first, end).await?;
    let mut total = FunnelDay {
        date: "Total".to_string(),
        ..FunnelDay::default()
    };
    for day in &funnel {
        total.visits += day.visits;
        total.product_views += day.product_views;
        total.added_to_cart += day.added_to_cart;
        total.checkout_started += day.checkout_started;
        total.paid += day.paid;
    }
    Ok(Analytics {
        range: range.clone(),
        label,
        time_zone: zone.to_string(),
        funnel,
        total,
        pages: pages(&mut conn, first, end).await?,
        top_searches: searches(&mut conn, first, end, "").await?,
        empty_searches: searches(&mut conn, first, end, "HAVING SUM(empty) > 0").await?,
    })
}

/// Each day from `first` to before `end`, with the visitors of each step.
async fn funnel(conn: &mut AnyConnection, first: i64, end: i64) -> Result<Vec<FunnelDay>, sqlx::Error> {
    let mut days: BTreeMap<i64, FunnelDay> = (first..end)
        .map(|day| {
            let date = format_date(day * DAY_MS);
            (
                day,
                FunnelDay {
                    date,
                    ..FunnelDay::default()
                },
            )
        })
        .collect();
    let steps: Vec<StepDay> =
        sqlx::query_as("SELECT day, step, visitors FROM analytics_funnel WHERE day >= $1 AND day < $2")
            .bind(first)
            .bind(end)
            .fetch_all(&mut *conn)
            .await?;
    for row in steps {
        let Some(day) = days.get_mut(&row.day) else { continue };
        let slot = match row.step.as_str() {
            s if s == Step::Visit.as_str() => &mut day.visits,
            s if s == Step::ProductView.as_str() => &mut day.product_views,
            s if s == Step::AddToCart.as_str() => &mut day.added_to_cart,
            s if s == Step::CheckoutStarted.as_str() => &mut day.checkout_started,
            _ => continue,
        };
        *slot = row.visitors;
    }
    // Paid: the visitors whose checkout placed that day was paid (whatever happened to it afterwards).
    let paid: Vec<PaidDay> = sqlx::query_as(
        "SELECT e.day AS day, COUNT(DISTINCT e.visitor) AS visitors FROM analytics_events e \
         JOIN order_groups g ON g.number = e.subject \
         WHERE e.kind = 'order_placed' AND e.day >= $1 AND e.day < $2 AND EXISTS (SELECT 1 FROM payments p \
           WHERE p.group_id = g.id AND p.status IN ('succeeded', 'refunded', 'partially_refunded')) \
         GROUP BY e.day",
    )
    .bind(first)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    for row in paid {
        if let Some(day) = days.get_mut(&row.day) {
            day.paid = row.visitors;
        }
    }
    Ok(days.into_values().collect())
}

async fn pages(conn: &mut AnyConnection, first: i64, end: i64) -> Result<Vec<PageTraffic>, sqlx::Error> {
    let rows: Vec<PageRow> = sqlx::query_as(
        "SELECT page_type, CAST(SUM(events) AS BIGINT) AS views FROM analytics_days \
         WHERE kind = 'page_view' AND day >= $1 AND day < $2 GROUP BY page_type ORDER BY 2 DESC, 1",
    )
    .bind(first)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            PageType::parse(&r.page_type).map(|t| PageTraffic {
                label: t.label().to_string(),
                views: r.views,
            })
        })
        .collect())
}

/// The period's searches, most frequent first (`having` is ours: only those that found nothing, sorted by that).
async fn searches(
    conn: &mut AnyConnection,
    first: i64,
    end: i64,
    having: &str,
) -> Result<Vec<SearchCount>, sqlx::Error> {
    let order = if having.is_empty() { "2 DESC" } else { "3 DESC, 2 DESC" };
    let rows: Vec<SearchRow> = sqlx::query_as(&format!(
        "SELECT query, CAST(SUM(searches) AS BIGINT) AS searches, CAST(SUM(empty) AS BIGINT) AS empty \
         FROM analytics_searches WHERE day >= $1 AND day < $2 GROUP BY query {having} ORDER BY {order}, 1 LIMIT {TOP}"
    ))
    .bind(first)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SearchCount {
            query: r.query,
            searches: r.searches,
            empty: r.empty,
        })
        .collect())
}

/// One of the screen's tables as CSV.
pub async fn csv(
    db: &Db,
    actor: &Actor,
    range: &SalesRange,
    zone: &str,
    table: AnalyticsTable,
) -> Result<Vec<u8>, AdminError> {
    let screen = screen(db, actor, range, zone).await?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    match table {
        AnalyticsTable::Funnel => {
            let head = [
                "Date",
                "Visits",
                "Viewed a product",
                "Added to cart",
                "Started checkout",
                "Paid",
            ];
            rows.push(head.map(str::to_string).to_vec());
            for day in screen.funnel.iter().chain([&screen.total]) {
                let mut row = vec![day.date.clone()];
                row.extend(day.steps().iter().map(|(_, n)| n.to_string()));
                rows.push(row);
            }
        }
        AnalyticsTable::Pages => {
            rows.push(vec!["Page type".into(), "Views".into()]);
            rows.extend(screen.pages.iter().map(|p| vec![p.label.clone(), p.views.to_string()]));
        }
        AnalyticsTable::Searches | AnalyticsTable::EmptySearches => {
            rows.push(vec!["Search".into(), "Searches".into(), "Found nothing".into()]);
            let list = if table == AnalyticsTable::Searches {
                &screen.top_searches
            } else {
                &screen.empty_searches
            };
            for s in list {
                rows.push(vec![
                    crate::catalog::transfer::neutralise(&s.query),
                    s.searches.to_string(),
                    s.empty.to_string(),
                ]);
            }
        }
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AdminError::Db(sqlx::Error::Protocol(e.to_string()));
    for row in rows {
        out.write_record(&row).map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| AdminError::Db(sqlx::Error::Protocol(e.to_string())))
}
