//! A store's money as its seller reads it (`/seller/money`): the balances (pending, available, paid out), the
//! statement (entries newest first, each with the balance after it), the period's totals per kind, and the same
//! entries as CSV. Read only, for the store's own seller.

use model::catalog::Money;
use model::money::{Balances, EntryKind, KindTotal, MoneyScreen, StatementEntry, StatementFilter};
use model::{parse_date, FieldError};
use sqlx::AnyConnection;

use super::policy::{self, DAY_MS};
use crate::catalog::editor::CURRENCY;
use crate::platform::clock::now_ms;
use crate::platform::{zones, Actor, Db};
use crate::sellers::SellerError;

/// Entries per statement page.
pub const PAGE: i64 = 50;

/// Store `seller_id`'s balances at `now`. Pending is what orders whose money is not released yet brought; the rest
/// of the balance is available (below zero: owed).
pub async fn balances(conn: &mut AnyConnection, seller_id: i64, now: i64) -> Result<Balances, sqlx::Error> {
    let total: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM seller_balances WHERE seller_id = $1 AND currency = $2")
            .bind(seller_id)
            .bind(CURRENCY)
            .fetch_optional(&mut *conn)
            .await?;
    // Each order's net booked is kept on it (`ledger::append`): pending reads the orders not released yet, not
    // their entries. (One currency: the shop's.)
    let mut pending: (i64, Option<i64>) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(o.booked), 0) AS BIGINT), MIN(o.funds_release_at) FROM orders o \
         WHERE o.seller_id = $1 AND (o.funds_release_at IS NULL OR o.funds_release_at > $2)",
    )
    .bind(seller_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    // What released orders an open dispute holds have not paid out yet stays pending until the bank decides (what
    // was paid out before the case opened is gone: a lost case is then taken back from a Stripe transfer, or owed).
    let held: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM orders o JOIN seller_ledger l ON l.order_id = o.id \
         WHERE o.seller_id = $1 AND o.dispute_hold = 1 AND o.funds_release_at <= $2 \
         AND NOT EXISTS (SELECT 1 FROM seller_transfer_items i WHERE i.entry_id = l.id)",
    )
    .bind(seller_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    pending.0 += held;
    // Transfers out less what reversals took back, from the store's days.
    let paid_out: i64 = sqlx::query_scalar(
        "SELECT CAST(-COALESCE(SUM(amount), 0) AS BIGINT) FROM seller_ledger_days \
         WHERE seller_id = $1 AND currency = $2 AND kind = 'transfer'",
    )
    .bind(seller_id)
    .bind(CURRENCY)
    .fetch_one(&mut *conn)
    .await?;
    let hold_days = policy::read(conn).await?.hold_days;
    let money = |amount| Money::new(amount, CURRENCY);
    Ok(Balances {
        pending: money(pending.0),
        available: money(total.unwrap_or(0) - pending.0),
        paid_out: money(paid_out),
        next_release: pending.1,
        hold_days,
    })
}

/// A statement filter, checked: the first day and the day after the last (day numbers in the store's time zone),
/// the moments they begin, and the kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub first_day: Option<i64>,
    pub end_day: Option<i64>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub kind: Option<EntryKind>,
}

impl Period {
    /// Reads a filter as typed, its dates in time zone `zone`; each wrong field says what it wants.
    pub fn parse(filter: &StatementFilter, zone: &str) -> Result<Period, SellerError> {
        let mut errors = Vec::new();
        let mut date = |name: &str, text: &str| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let day = parse_date(text).map(|ms| ms.div_euclid(DAY_MS));
            if day.is_none() {
                errors.push(FieldError::new(name, "Enter a date as YYYY-MM-DD."));
            }
            day
        };
        let first_day = date("from", &filter.from);
        let end_day = date("to", &filter.to).map(|day| day + 1);
        let from = first_day.map(|day| zones::day_starts(zone, day));
        let until = end_day.map(|day| zones::day_starts(zone, day));
        let kind = match filter.kind.trim() {
            "" => None,
            typed => {
                let kind = EntryKind::parse(typed);
                if kind.is_none() {
                    errors.push(FieldError::new("kind", "Choose a kind from the list."));
                }
                kind
            }
        };
        if let (Some(from), Some(until)) = (from, until) {
            if until <= from {
                errors.push(FieldError::new("to", "The last day must be on or after the first."));
            }
        }
        if errors.is_empty() {
            Ok(Period {
                first_day,
                end_day,
                from,
                until,
                kind,
            })
        } else {
            Err(SellerError::Invalid(errors))
        }
    }

    /// The SQL condition on `l.` entries, binding from `$first`: the first and last entry numbers (see
    /// [`Period::numbers`]) and the kind (bound even when unset, so every query binds the same).
    fn condition(&self, first: usize) -> String {
        let kind = if self.kind.is_some() {
            "l.kind = $%k"
        } else {
            "$%k IS NULL"
        };
        format!("l.seq >= $%f AND l.seq <= $%u AND {kind}")
            .replace("%f", &first.to_string())
            .replace("%u", &(first + 1).to_string())
            .replace("%k", &(first + 2).to_string())
    }

    /// The first and last entry numbers of the period's days. Entries are numbered in the order they are made, so
    /// a period of days is a range of numbers, and every page of it is read along one index (by kind or not).
    async fn numbers(&self, conn: &mut AnyConnection, store: i64) -> Result<(i64, i64), sqlx::Error> {
        let first = match self.from {
            None => 0,
            Some(from) => sqlx::query_scalar(
                "SELECT seq FROM seller_ledger WHERE seller_id = $1 AND currency = $2 AND created_at >= $3 \
                 ORDER BY created_at, seq LIMIT 1",
            )
            .bind(store)
            .bind(CURRENCY)
            .bind(from)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(i64::MAX),
        };
        let last = match self.until {
            None => i64::MAX,
            Some(until) => sqlx::query_scalar(
                "SELECT seq FROM seller_ledger WHERE seller_id = $1 AND currency = $2 AND created_at < $3 \
                 ORDER BY created_at DESC, seq DESC LIMIT 1",
            )
            .bind(store)
            .bind(CURRENCY)
            .bind(until)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(0),
        };
        Ok((first, last))
    }
}

#[derive(Debug, sqlx::FromRow)]
struct EntryRow {
    id: i64,
    seq: i64,
    created_at: i64,
    kind: String,
    amount: i64,
    balance: i64,
    number: Option<String>,
    note: String,
}

impl EntryRow {
    /// The entry as shown, dated in time zone `zone`.
    fn view(self, zone: &str) -> Option<StatementEntry> {
        Some(StatementEntry {
            id: self.id,
            seq: self.seq,
            date: zones::date_in(zone, self.created_at),
            kind: EntryKind::parse(&self.kind)?,
            amount: Money::new(self.amount, CURRENCY),
            balance: Money::new(self.balance, CURRENCY),
            order: self.number,
            note: self.note,
        })
    }
}

/// `/seller/money` for the actor's store: balances, the filtered period's totals, and a page of entries older
/// than entry number `after` (newest first).
pub async fn screen(
    db: &Db,
    actor: &Actor,
    filter: &StatementFilter,
    after: Option<&str>,
    connect: bool,
) -> Result<MoneyScreen, SellerError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let zone = super::rollups::zone_of(&mut conn, store).await?;
    // A filter typed wrong shows the whole statement with what is wrong, in the portal, with what was typed.
    let (period, problem) = match Period::parse(filter, &zone) {
        Ok(period) => (period, Vec::new()),
        Err(SellerError::Invalid(fields)) => (Period::default(), fields),
        Err(e) => return Err(e),
    };
    let after = after.and_then(|a| a.trim().parse::<i64>().ok()).unwrap_or(i64::MAX);
    let names = crate::sellers::portal::store_names(&mut conn, store)
        .await?
        .ok_or(SellerError::NotFound)?;
    let balances = balances(&mut conn, store, now_ms()).await?;
    let (first, last) = period.numbers(&mut conn, store).await?;
    let sql = format!(
        "SELECT l.id AS id, l.seq AS seq, l.created_at AS created_at, l.kind AS kind, l.amount AS amount, \
         l.balance AS balance, o.number AS number, l.note AS note FROM seller_ledger l \
         LEFT JOIN orders o ON o.id = l.order_id \
         WHERE l.seller_id = $1 AND l.currency = $2 AND l.seq < $3 AND {} ORDER BY l.seq DESC LIMIT $7",
        period.condition(4)
    );
    let rows: Vec<EntryRow> = sqlx::query_as(&sql)
        .bind(store)
        .bind(CURRENCY)
        .bind(after)
        .bind(first)
        .bind(last)
        .bind(period.kind.map(EntryKind::as_str))
        .bind(PAGE + 1)
        .fetch_all(&mut *conn)
        .await?;
    let more = rows.len() as i64 > PAGE;
    let entries: Vec<StatementEntry> = rows
        .into_iter()
        .take(PAGE as usize)
        .filter_map(|row| row.view(&zone))
        .collect();
    let next = more.then(|| entries.last().map(|e| e.seq.to_string())).flatten();
    Ok(MoneyScreen {
        store_name: names.store_name,
        store_slug: names.slug,
        balances,
        filter: filter.clone(),
        totals: totals(&mut conn, store, &period).await?,
        entries,
        next,
        problem,
        disputes: super::dispute_screens::store_rows(&mut conn, store).await?,
        stripe: match connect {
            true => Some(super::connect::payouts(&mut conn, store).await?),
            false => None,
        },
    })
}

/// The period's entries summed per kind, in the order of [`EntryKind::ALL`], from the store's days (the period is
/// whole days, so its days are exactly its entries).
async fn totals(conn: &mut AnyConnection, store: i64, period: &Period) -> Result<Vec<KindTotal>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT kind, CAST(SUM(entries) AS BIGINT), CAST(SUM(amount) AS BIGINT) FROM seller_ledger_days \
         WHERE seller_id = $1 AND currency = $2 AND ($3 IS NULL OR day >= $3) AND ($4 IS NULL OR day < $4) \
         AND ($5 IS NULL OR kind = $5) GROUP BY kind",
    )
    .bind(store)
    .bind(CURRENCY)
    .bind(period.first_day)
    .bind(period.end_day)
    .bind(period.kind.map(EntryKind::as_str))
    .fetch_all(&mut *conn)
    .await?;
    let mut totals: Vec<KindTotal> = rows
        .into_iter()
        .filter_map(|(kind, entries, amount)| {
            Some(KindTotal {
                kind: EntryKind::parse(&kind)?,
                entries,
                amount: Money::new(amount, CURRENCY),
            })
        })
        .collect();
    totals.sort_by_key(|t| EntryKind::ALL.iter().position(|k| *k == t.kind));
    Ok(totals)
}

/// A statement line with what ties it to the world outside the shop.
#[derive(Debug, sqlx::FromRow)]
struct CsvRow {
    #[sqlx(flatten)]
    entry: EntryRow,
    refund_id: Option<i64>,
    provider_payment: Option<String>,
    paid_out_in: Option<String>,
}

/// The statement's columns.
const CSV_HEADER: [&str; 12] = [
    "Entry",
    "Number",
    "Date",
    "Kind",
    "Description",
    "Order",
    "Refund",
    "Amount",
    "Currency",
    "Balance",
    "Payment",
    "Paid out in",
];

/// The filtered entries as CSV, oldest first: each tied to its order, its refund, the provider's payment (a Stripe
/// payment intent) and the payout that covered it.
pub async fn csv(db: &Db, actor: &Actor, filter: &StatementFilter) -> Result<Vec<u8>, SellerError> {
    let store = actor.own_store()?;
    let (zone, period, (first, last)) = {
        let mut conn = db.pool().acquire().await?;
        let zone = super::rollups::zone_of(&mut conn, store).await?;
        let period = Period::parse(filter, &zone)?;
        let numbers = period.numbers(&mut conn, store).await?;
        (zone, period, numbers)
    };
    let sql = format!(
        "SELECT l.id AS id, l.seq AS seq, l.created_at AS created_at, l.kind AS kind, l.amount AS amount, \
         l.balance AS balance, o.number AS number, l.refund_id AS refund_id, l.note AS note, \
         (SELECT MIN(p.provider_payment) FROM payments p WHERE p.group_id = o.group_id) AS provider_payment, \
         (SELECT t.reference FROM seller_transfer_items i JOIN seller_transfers t ON t.id = i.transfer_id \
          WHERE i.entry_id = l.id) AS paid_out_in \
         FROM seller_ledger l LEFT JOIN orders o ON o.id = l.order_id \
         WHERE l.seller_id = $1 AND l.currency = $2 AND {} ORDER BY l.seq",
        period.condition(3)
    );
    let rows: Vec<CsvRow> = sqlx::query_as(&sql)
        .bind(store)
        .bind(CURRENCY)
        .bind(first)
        .bind(last)
        .bind(period.kind.map(EntryKind::as_str))
        .fetch_all(db.pool())
        .await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| SellerError::Db(sqlx::Error::Protocol(e.to_string()));
    out.write_record(CSV_HEADER).map_err(fail)?;
    for r in rows {
        let e = r.entry;
        let Some(kind) = EntryKind::parse(&e.kind) else {
            continue;
        };
        let amount = |minor: i64| Money::new(minor, CURRENCY).plain();
        out.write_record([
            e.id.to_string(),
            e.seq.to_string(),
            zones::date_in(&zone, e.created_at),
            kind.label().to_string(),
            crate::catalog::transfer::neutralise(&e.note),
            e.number.unwrap_or_default(),
            r.refund_id.map(|id| id.to_string()).unwrap_or_default(),
            amount(e.amount),
            CURRENCY.to_string(),
            amount(e.balance),
            r.provider_payment.unwrap_or_default(),
            crate::catalog::transfer::neutralise(&r.paid_out_in.unwrap_or_default()),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| SellerError::Db(sqlx::Error::Protocol(e.to_string())))
}
