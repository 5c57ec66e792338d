//! The store's append-only ledger (decision 0028): every movement of a store's money is one entry, made once per
//! cause (its `entry_key`), numbered and balanced per store and currency in the order entries are made. Nothing
//! here updates or deletes an entry; the database refuses both (triggers from `domain/sql`).

use model::money::EntryKind;
use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;

/// What causes an entry and where it points.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub seller_id: i64,
    pub currency: &'a str,
    pub kind: EntryKind,
    pub amount: i64,
    pub order_id: Option<i64>,
    pub refund_id: Option<i64>,
    pub transfer_id: Option<i64>,
    pub note: &'a str,
    /// The cause, unique over the ledger: the same cause twice makes one entry.
    pub key: String,
    pub created_by: Option<i64>,
}

impl<'a> NewEntry<'a> {
    /// An entry about order `order_id`, keyed `kind:cause`.
    pub fn for_order(
        seller_id: i64,
        currency: &'a str,
        kind: EntryKind,
        amount: i64,
        order_id: i64,
        cause: i64,
    ) -> Self {
        NewEntry {
            seller_id,
            currency,
            kind,
            amount,
            order_id: Some(order_id),
            refund_id: None,
            transfer_id: None,
            note: "",
            key: format!("{}:{cause}", kind.as_str()),
            created_by: None,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
struct Numbered {
    seq: i64,
    balance: i64,
}

/// Appends `entry` in the caller's transaction; its id, or `None` when its cause has an entry already or it moves
/// nothing. The store's balance row is taken first, so a store's entries are made one at a time (callers that
/// touch several stores take them in ascending store order).
pub async fn append(conn: &mut AnyConnection, entry: &NewEntry<'_>) -> Result<Option<i64>, sqlx::Error> {
    if entry.amount == 0 {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO seller_balances (seller_id, currency, seq, balance, updated_at) VALUES ($1, $2, 0, 0, 0) \
         ON CONFLICT (seller_id, currency) DO NOTHING",
    )
    .bind(entry.seller_id)
    .bind(entry.currency)
    .execute(&mut *conn)
    .await?;
    // Takes the store's row before looking for the cause: a racing entry of the same cause has committed by then.
    let last: i64 = sqlx::query_scalar(
        "UPDATE seller_balances SET updated_at = updated_at WHERE seller_id = $1 AND currency = $2 \
         RETURNING updated_at",
    )
    .bind(entry.seller_id)
    .bind(entry.currency)
    .fetch_one(&mut *conn)
    .await?;
    // Read once the row is ours, and never before the store's last entry: numbers and times go up together, so a
    // period of days is a range of entry numbers (the statement reads it so).
    let now = now_ms().max(last);
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM seller_ledger WHERE entry_key = $1")
        .bind(&entry.key)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_some() {
        return Ok(None);
    }
    let n: Numbered = sqlx::query_as(
        "UPDATE seller_balances SET seq = seq + 1, balance = balance + $1, updated_at = $4 \
         WHERE seller_id = $2 AND currency = $3 RETURNING seq, balance",
    )
    .bind(entry.amount)
    .bind(entry.seller_id)
    .bind(entry.currency)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id = next_id();
    sqlx::query(
        "INSERT INTO seller_ledger (id, seller_id, currency, seq, kind, amount, balance, order_id, refund_id, \
         transfer_id, note, entry_key, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id)
    .bind(entry.seller_id)
    .bind(entry.currency)
    .bind(n.seq)
    .bind(entry.kind.as_str())
    .bind(entry.amount)
    .bind(n.balance)
    .bind(entry.order_id)
    .bind(entry.refund_id)
    .bind(entry.transfer_id)
    .bind(entry.note)
    .bind(&entry.key)
    .bind(entry.created_by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    roll_up(conn, entry, now).await?;
    Ok(Some(id))
}

/// Raises what the money screen reads instead of the ledger: the order's net booked, the store's day (in its time
/// zone) and kind.
async fn roll_up(conn: &mut AnyConnection, entry: &NewEntry<'_>, now: i64) -> Result<(), sqlx::Error> {
    if let Some(order_id) = entry.order_id {
        sqlx::query("UPDATE orders SET booked = booked + $1 WHERE id = $2")
            .bind(entry.amount)
            .bind(order_id)
            .execute(&mut *conn)
            .await?;
    }
    let zone = super::rollups::zone_of(conn, entry.seller_id).await?;
    let day = crate::platform::zones::day_in(&zone, now);
    sqlx::query(
        "INSERT INTO seller_ledger_days (seller_id, currency, day, kind, entries, amount) \
         VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (seller_id, currency, day, kind) DO UPDATE SET \
         entries = seller_ledger_days.entries + 1, amount = seller_ledger_days.amount + excluded.amount",
    )
    .bind(entry.seller_id)
    .bind(entry.currency)
    .bind(day)
    .bind(entry.kind.as_str())
    .bind(entry.amount)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Re-counts store `seller_id`'s days of the ledger (`seller_ledger_days`) in time zone `zone` from its entries'
/// own moments, in the caller's transaction: after the store changes its zone, the statement's totals for a
/// period stay the sum of the lines it lists (decision 0033). Takes the store's balance rows first, so no entry
/// is appended meanwhile.
pub async fn recount_days(conn: &mut AnyConnection, seller_id: i64, zone: &str) -> Result<(), sqlx::Error> {
    // The shop's currency's row made first if the store has none yet: a first entry appended meanwhile waits too.
    sqlx::query(
        "INSERT INTO seller_balances (seller_id, currency, seq, balance, updated_at) VALUES ($1, $2, 0, 0, 0) \
         ON CONFLICT (seller_id, currency) DO NOTHING",
    )
    .bind(seller_id)
    .bind(crate::catalog::editor::CURRENCY)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE seller_balances SET updated_at = updated_at WHERE seller_id = $1")
        .bind(seller_id)
        .execute(&mut *conn)
        .await?;
    let entries: Vec<(String, String, i64, i64)> =
        sqlx::query_as("SELECT currency, kind, created_at, amount FROM seller_ledger WHERE seller_id = $1")
            .bind(seller_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut days: std::collections::BTreeMap<(String, i64, String), (i64, i64)> = Default::default();
    for (currency, kind, at, amount) in entries {
        let day = days
            .entry((currency, crate::platform::zones::day_in(zone, at), kind))
            .or_default();
        *day = (day.0 + 1, day.1 + amount);
    }
    sqlx::query("DELETE FROM seller_ledger_days WHERE seller_id = $1")
        .bind(seller_id)
        .execute(&mut *conn)
        .await?;
    for ((currency, day, kind), (count, amount)) in days {
        sqlx::query(
            "INSERT INTO seller_ledger_days (seller_id, currency, day, kind, entries, amount) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(seller_id)
        .bind(&currency)
        .bind(day)
        .bind(&kind)
        .bind(count)
        .bind(amount)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
