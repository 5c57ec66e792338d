//! The admin dashboard on `/admin`: the marketplace's paid checkouts, GMV, average order and refunds over a period
//! against the period before, each day of it, per currency (two currencies are never summed), and the accounts
//! and stores that joined; read from the quarter-hour rollup `platform_sales` (`money::rollups`), never from the
//! orders, with days in the platform's time zone. The same period rules as a store's dashboard
//! (`money::dashboard::period`), and the same "no change without a base".

use std::collections::BTreeMap;

use model::admin_dashboard::{Compared, CurrencySales, PlatformDashboard, PlatformDay, PlatformFigures};
use model::catalog::Money;
use model::format_date;
use model::money::SalesRange;
use sqlx::AnyConnection;

use super::{require_admin, AdminError};
use crate::catalog::editor::CURRENCY;
use crate::money::dashboard::period;
use crate::money::rollups::{DAY_MS, QUARTER_MS};
use crate::platform::clock::now_ms;
use crate::platform::zones;
use crate::platform::{Actor, Db};

/// The sales of one currency over a span of quarter hours, summed by the database.
#[derive(Debug, sqlx::FromRow)]
struct SpanSums {
    currency: String,
    orders: i64,
    gmv: i64,
    refunds: i64,
    refund_count: i64,
}

/// A day's sums in one currency.
#[derive(Debug, sqlx::FromRow)]
struct DayRow {
    day: i64,
    #[sqlx(flatten)]
    sums: SpanSums,
}

/// Quarter hours in a day of 24 hours.
const DAY_QUARTERS: i64 = DAY_MS / QUARTER_MS;

/// Quarter hours the database sums in one query: `[from, to)`, either a run of 24-hour days whose quarter `q`
/// falls on day `(q + shift) / 96` (the zone's offset in quarters is `shift`, the same over the run), or one day of
/// another length (a change of the clocks) read alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Run { from: i64, to: i64, shift: i64 },
    Day { from: i64, to: i64, day: i64 },
}

/// The days a dashboard covers, as day numbers in `zone` (the first, and the day after the last), and the moments
/// each begins: `starts[i]` is when day `first - days + i` begins, from the period before's first day to the end.
struct Days {
    first: i64,
    end: i64,
    starts: Vec<i64>,
}

impl Days {
    fn new(zone: &str, first: i64, end: i64) -> Self {
        let days = end - first;
        let starts = (first - days..=end).map(|day| zones::day_starts(zone, day)).collect();
        Days { first, end, starts }
    }

    fn len(&self) -> i64 {
        self.end - self.first
    }

    /// The spans of quarter hours that cover both periods, in order: runs of whole days with one offset, and the
    /// days the clocks change alone. Every zone's day begins on a quarter hour.
    fn spans(&self) -> Vec<Span> {
        let mut spans: Vec<Span> = Vec::new();
        for (i, pair) in self.starts.windows(2).enumerate() {
            let day = self.first - self.len() + i as i64;
            let (from, to) = (pair[0].div_euclid(QUARTER_MS), pair[1].div_euclid(QUARTER_MS));
            if to - from != DAY_QUARTERS {
                spans.push(Span::Day { from, to, day });
                continue;
            }
            let shift = day * DAY_QUARTERS - from;
            match spans.last_mut() {
                Some(Span::Run { to: end, shift: s, .. }) if *s == shift && *end == from => *end = to,
                _ => spans.push(Span::Run { from, to, shift }),
            }
        }
        spans
    }

    /// The day number the moment `ms` falls on, if within the two periods (`starts` are ascending).
    #[cfg(test)]
    fn day_of(&self, ms: i64) -> Option<i64> {
        let after = self.starts.partition_point(|start| *start <= ms);
        (after > 0 && after < self.starts.len()).then(|| self.first - self.len() + after as i64 - 1)
    }
}

/// The sum of one currency's quarters over each period, and over each day of the current one.
struct Tally {
    current: PlatformFigures,
    previous: PlatformFigures,
    days: BTreeMap<i64, PlatformDay>,
}

impl Tally {
    fn new(currency: &str) -> Self {
        Tally {
            current: PlatformFigures::zero(currency),
            previous: PlatformFigures::zero(currency),
            days: BTreeMap::new(),
        }
    }

    fn add(&mut self, row: &SpanSums, day: i64, first: i64) {
        let figures = if day >= first {
            &mut self.current
        } else {
            &mut self.previous
        };
        figures.orders += row.orders;
        figures.gmv.amount += row.gmv;
        figures.refunds.amount += row.refunds;
        figures.refund_count += row.refund_count;
        if day >= first {
            let entry = self.days.entry(day).or_insert_with(|| empty_day(day, &row.currency));
            entry.orders += row.orders;
            entry.gmv.amount += row.gmv;
            entry.refunds.amount += row.refunds;
        }
    }

    fn into_sales(mut self, currency: String, days: &Days) -> CurrencySales {
        let series = (days.first..days.end)
            .map(|day| self.days.remove(&day).unwrap_or_else(|| empty_day(day, &currency)))
            .collect();
        CurrencySales {
            currency,
            current: self.current,
            previous: self.previous,
            days: series,
        }
    }
}

fn empty_day(day: i64, currency: &str) -> PlatformDay {
    PlatformDay {
        date: format_date(day * DAY_MS),
        orders: 0,
        gmv: Money::new(0, currency),
        refunds: Money::new(0, currency),
    }
}

const SUMS: &str = "currency, CAST(SUM(orders) AS BIGINT) AS orders, CAST(SUM(gmv) AS BIGINT) AS gmv, \
     CAST(SUM(refunds) AS BIGINT) AS refunds, CAST(SUM(refund_count) AS BIGINT) AS refund_count";

/// Each day's sums per currency over both periods: one query per span, each summed by the database (a year of
/// quarter-hour rows is never read into memory).
async fn day_rows(conn: &mut AnyConnection, days: &Days) -> Result<Vec<DayRow>, sqlx::Error> {
    let mut rows = Vec::new();
    for span in days.spans() {
        match span {
            Span::Run { from, to, shift } => {
                let found: Vec<DayRow> = sqlx::query_as(&format!(
                    "SELECT (quarter + $1) / {DAY_QUARTERS} AS day, {SUMS} FROM platform_sales \
                     WHERE quarter >= $2 AND quarter < $3 GROUP BY 1, 2"
                ))
                .bind(shift)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *conn)
                .await?;
                rows.extend(found);
            }
            Span::Day { from, to, day } => {
                let found: Vec<SpanSums> = sqlx::query_as(&format!(
                    "SELECT {SUMS} FROM platform_sales WHERE quarter >= $1 AND quarter < $2 GROUP BY currency"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(&mut *conn)
                .await?;
                rows.extend(found.into_iter().map(|sums| DayRow { day, sums }));
            }
        }
    }
    Ok(rows)
}

/// Each currency's figures over both periods, the shop's own currency first; the shop's own as zeros when nothing
/// was sold in either.
async fn sales(conn: &mut AnyConnection, days: &Days) -> Result<Vec<CurrencySales>, sqlx::Error> {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for row in day_rows(conn, days).await? {
        let currency = &row.sums.currency;
        tallies
            .entry(currency.clone())
            .or_insert_with(|| Tally::new(currency))
            .add(&row.sums, row.day, days.first);
    }
    tallies
        .entry(CURRENCY.to_string())
        .or_insert_with(|| Tally::new(CURRENCY));
    let mut sales: Vec<CurrencySales> = tallies
        .into_iter()
        .map(|(currency, tally)| tally.into_sales(currency, days))
        .collect();
    // The shop's own currency first, then the others as sorted.
    sales.sort_by_key(|s| s.currency != CURRENCY);
    Ok(sales)
}

/// How many rows of `table` were created from `from` to before `to` (unix milliseconds); `extra` is a condition
/// of ours, never input.
async fn created(
    conn: &mut AnyConnection,
    table: &str,
    extra: &str,
    (from, to): (i64, i64),
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {table} WHERE created_at >= $1 AND created_at < $2 {extra}"
    ))
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await
}

/// The period's and the period before's count of new rows of `table`.
async fn compared(conn: &mut AnyConnection, table: &str, extra: &str, days: &Days) -> Result<Compared, sqlx::Error> {
    let n = days.len() as usize;
    let (before, now, end) = (days.starts[0], days.starts[n], days.starts[2 * n]);
    Ok(Compared {
        now: created(conn, table, extra, (now, end)).await?,
        before: created(conn, table, extra, (before, now)).await?,
    })
}

/// The marketplace's dashboard for `range`, its days in `zone` (the platform's). Admins only.
pub async fn screen(db: &Db, actor: &Actor, range: &SalesRange, zone: &str) -> Result<PlatformDashboard, AdminError> {
    require_admin(actor)?;
    let (first, end, label) = period(range, zones::day_in(zone, now_ms())).map_err(AdminError::Invalid)?;
    let days = Days::new(zone, first, end);
    let mut conn = db.pool().acquire().await?;
    let pending_applications = sqlx::query_scalar("SELECT COUNT(*) FROM seller_applications WHERE status = 'pending'")
        .fetch_one(&mut *conn)
        .await?;
    Ok(PlatformDashboard {
        range: range.clone(),
        label,
        days: days.len(),
        time_zone: zone.to_string(),
        sales: sales(&mut conn, &days).await?,
        new_accounts: compared(&mut conn, "users", "", &days).await?,
        new_stores: compared(&mut conn, "sellers", "AND status <> 'pending'", &days).await?,
        pending_applications,
    })
}

/// Each day of the period, currency by currency, then each currency's totals, as CSV. Admins only.
pub async fn csv(db: &Db, actor: &Actor, range: &SalesRange, zone: &str) -> Result<Vec<u8>, AdminError> {
    let dashboard = screen(db, actor, range, zone).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AdminError::Db(sqlx::Error::Protocol(e.to_string()));
    out.write_record(["Date", "Orders", "GMV", "Refunds", "Currency"])
        .map_err(fail)?;
    for sales in &dashboard.sales {
        for day in &sales.days {
            let (orders, gmv, refunds) = (day.orders.to_string(), day.gmv.plain(), day.refunds.plain());
            out.write_record([&day.date, &orders, &gmv, &refunds, &sales.currency])
                .map_err(fail)?;
        }
        let c = &sales.current;
        let (orders, gmv, refunds) = (c.orders.to_string(), c.gmv.plain(), c.refunds.plain());
        out.write_record([
            "Total",
            orders.as_str(),
            gmv.as_str(),
            refunds.as_str(),
            sales.currency.as_str(),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| AdminError::Db(sqlx::Error::Protocol(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_counts_on_the_platforms_own_date() {
        // 2026-12-06 23:30 UTC is already the 7th in Berlin (UTC+1) and still the 6th in New York.
        let ms = 1_796_599_800_000;
        let day = ms / DAY_MS;
        for (zone, expected) in [("UTC", day), ("Europe/Berlin", day + 1), ("America/New_York", day)] {
            let days = Days::new(zone, day - 1, day + 2);
            assert_eq!(days.day_of(ms), Some(expected), "{zone}");
        }
        // Kathmandu is UTC+5:45: a quarter hour before its midnight is the day before, its midnight the day.
        let days = Days::new("Asia/Kathmandu", day - 1, day + 2);
        let midnight = zones::day_starts("Asia/Kathmandu", day);
        assert_eq!(days.day_of(midnight - QUARTER_MS), Some(day - 1));
        assert_eq!(days.day_of(midnight), Some(day));
    }

    /// Every quarter hour of both periods is in exactly one span, and a span puts it on the day `day_of` says.
    fn spans_agree_with_the_days(zone: &str, first: i64, end: i64) -> usize {
        let days = Days::new(zone, first, end);
        let spans = days.spans();
        let mut next = days.starts[0] / QUARTER_MS;
        for span in &spans {
            let (from, to) = match *span {
                Span::Run { from, to, .. } | Span::Day { from, to, .. } => (from, to),
            };
            assert_eq!(from, next, "{zone}: spans follow each other");
            next = to;
            for q in from..to {
                let day = match *span {
                    Span::Run { shift, .. } => (q + shift) / DAY_QUARTERS,
                    Span::Day { day, .. } => day,
                };
                assert_eq!(Some(day), days.day_of(q * QUARTER_MS), "{zone} quarter {q}");
            }
        }
        assert_eq!(
            next,
            days.starts[days.starts.len() - 1] / QUARTER_MS,
            "{zone}: up to the end"
        );
        spans.len()
    }

    #[test]
    fn spans_are_whole_days_and_the_days_the_clocks_change() {
        let today = 1_796_599_800_000 / DAY_MS;
        // A year and the year before it: one run in zones without summer time.
        for zone in ["UTC", "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            assert_eq!(spans_agree_with_the_days(zone, today - 365, today + 1), 1, "{zone}");
        }
        // New York and Berlin change their clocks twice a year: each change's day is read alone.
        for zone in ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"] {
            assert!(spans_agree_with_the_days(zone, today - 365, today + 1) >= 9, "{zone}");
            spans_agree_with_the_days(zone, today - 6, today + 1);
        }
    }

    #[test]
    fn moments_outside_both_periods_count_nowhere() {
        let days = Days::new("UTC", 100, 103);
        assert_eq!(days.day_of(97 * DAY_MS), Some(97), "the period before's first day");
        assert_eq!(days.day_of(97 * DAY_MS - 1), None);
        assert_eq!(days.day_of(103 * DAY_MS - 1), Some(102));
        assert_eq!(days.day_of(103 * DAY_MS), None);
    }
}
