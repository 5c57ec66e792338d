//! What an order's money means to its store's ledger: the sale with its commission (frozen on the lines when it
//! was paid) and the tax on that commission; each refund, and the commission (and tax) it gives back.

use model::money::EntryKind;
use sqlx::AnyConnection;

use super::ledger::{append, NewEntry};
use super::policy;
use crate::orders::OrderStatus;
use crate::platform::split::shares;

/// Basis points in a whole.
const WHOLE_BP: i64 = 10_000;

#[derive(Debug, sqlx::FromRow)]
struct OrderMoney {
    seller_id: i64,
    currency: String,
    total: i64,
    commission: i64,
}

async fn order_money(conn: &mut AnyConnection, order_id: i64) -> Result<OrderMoney, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.seller_id AS seller_id, g.currency AS currency, o.total AS total, \
         (SELECT CAST(COALESCE(SUM(l.commission), 0) AS BIGINT) FROM order_lines l WHERE l.order_id = o.id) \
         AS commission FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await
}

/// The sum of order `order_id`'s entries of `kind` so far.
async fn booked(conn: &mut AnyConnection, order_id: i64, kind: EntryKind) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM seller_ledger WHERE order_id = $1 AND kind = $2",
    )
    .bind(order_id)
    .bind(kind.as_str())
    .fetch_one(&mut *conn)
    .await
}

/// Books the sale of every order of paid group `group_id`, store by store in ascending order (the order every
/// writer takes stores' balance rows in). When the stores bear the provider's fee, the payment's fee is split over
/// its orders by their totals (the parts sum to the fee) and booked with each sale.
pub async fn record_sales(conn: &mut AnyConnection, group_id: i64) -> Result<(), sqlx::Error> {
    let orders: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, total FROM orders WHERE group_id = $1 ORDER BY seller_id, id")
            .bind(group_id)
            .fetch_all(&mut *conn)
            .await?;
    let rule = policy::fee_rule(conn).await?;
    let paid: i64 = orders.iter().map(|(_, total)| total).sum();
    let fee = if rule.seller_pays_fee == 1 && paid > 0 {
        rule.fee_on(paid)
    } else {
        0
    };
    let weights: Vec<i64> = orders.iter().map(|(_, total)| *total).collect();
    let mut booked = false;
    for ((order_id, _), fee) in orders.iter().zip(shares(fee, &weights)) {
        booked |= record_sale(conn, *order_id, fee).await?;
    }
    // Once per group: only with its first sale entries (a free checkout has none: the payment's settlement books a
    // group when it turns paid, and only then).
    if !booked && paid > 0 {
        return Ok(());
    }
    let currency: String = sqlx::query_scalar("SELECT currency FROM order_groups WHERE id = $1")
        .bind(group_id)
        .fetch_one(&mut *conn)
        .await?;
    super::rollups::add_platform_sale(conn, group_id, &currency, paid).await
}

/// Books the sale of paid order `order_id` (its commission frozen already): what the shopper paid for it (goods
/// after the discount, shipping and tax) in, the commission and the tax on it out, and its share `fee` of the
/// provider's fee out. Once per order: whether its sale was booked now.
pub async fn record_sale(conn: &mut AnyConnection, order_id: i64, fee: i64) -> Result<bool, sqlx::Error> {
    let o = order_money(conn, order_id).await?;
    let tax_bp = policy::read(conn).await?.commission_tax_bp;
    let tax = (o.commission * tax_bp + WHOLE_BP / 2) / WHOLE_BP;
    let entry = |kind, amount| NewEntry::for_order(o.seller_id, &o.currency, kind, amount, order_id, order_id);
    let booked = append(conn, &entry(EntryKind::Sale, o.total)).await?.is_some();
    if booked {
        super::rollups::add_sale(conn, o.seller_id, order_id, o.total).await?;
    }
    append(conn, &entry(EntryKind::Commission, -o.commission)).await?;
    append(conn, &entry(EntryKind::CommissionTax, -tax)).await?;
    append(conn, &entry(EntryKind::ProcessingFee, -fee)).await?;
    Ok(booked)
}

#[derive(Debug, sqlx::FromRow)]
struct LineUnits {
    quantity: i64,
    shipped: i64,
    commission: i64,
    /// Units of the line in completed refunds: cancelled ones, and all of them.
    cancelled_done: i64,
    refunded_done: i64,
}

/// The units of a line in completed refunds (`state` succeeded: a claim still waiting for the provider, or one it
/// refused, gives nothing back), of the kind `$2` or of any kind when it is NULL.
const UNITS_DONE: &str = "CAST(COALESCE((SELECT SUM(rl.quantity) FROM order_refund_lines rl \
     JOIN order_refunds r ON r.id = rl.refund_id WHERE r.order_id = l.order_id AND rl.variant_id = l.variant_id \
     AND r.state = 'succeeded' AND ($2 IS NULL OR r.kind = $2)), 0) AS BIGINT)";

/// The commission order `order_id`'s refunds have given back by now, in all: each line's commission in
/// proportion to its units given back (rounded down, so a line given back whole returns its commission exactly).
/// Cancelled units always count (nothing of them was sold), and so do the units that never shipped of an order that
/// ended; refunded units that had shipped count when the policy gives commission back. Only completed refunds count.
async fn commission_due_back(
    conn: &mut AnyConnection,
    order_id: i64,
    back_on_refund: bool,
) -> Result<i64, sqlx::Error> {
    let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await?;
    let sql = format!(
        "SELECT l.quantity AS quantity, l.shipped AS shipped, COALESCE(l.commission, 0) AS commission, \
         {} AS cancelled_done, {} AS refunded_done FROM order_lines l WHERE l.order_id = $1",
        UNITS_DONE.replace("$2", "'cancel'"),
        UNITS_DONE.replace("$2 IS NULL OR r.kind = $2", "1 = 1")
    );
    let lines: Vec<LineUnits> = sqlx::query_as(&sql).bind(order_id).fetch_all(&mut *conn).await?;
    let ended = status == OrderStatus::Refunded.as_str();
    let cancelled = status == OrderStatus::Cancelled.as_str();
    Ok(lines
        .iter()
        .map(|l| {
            let units = if cancelled || (ended && back_on_refund) {
                l.quantity
            } else if ended {
                l.cancelled_done.max(l.quantity - l.shipped)
            } else if back_on_refund {
                l.refunded_done
            } else {
                l.cancelled_done
            };
            if l.quantity == 0 {
                0
            } else {
                l.commission * units.clamp(0, l.quantity) / l.quantity
            }
        })
        .sum())
}

/// Books refund `refund_id` of `amount` on order `order_id` (completed in the caller's transaction, after the
/// order's lines record what went back): the refund out, and the commission and its tax that are due back by now
/// and were not given back yet in. Once per refund.
pub async fn record_refund(
    conn: &mut AnyConnection,
    order_id: i64,
    refund_id: i64,
    amount: i64,
) -> Result<(), sqlx::Error> {
    let o = order_money(conn, order_id).await?;
    let mut refund = NewEntry::for_order(
        o.seller_id,
        &o.currency,
        EntryKind::Refund,
        -amount,
        order_id,
        refund_id,
    );
    refund.refund_id = Some(refund_id);
    // A refund of nothing (free units cancelled) still gives their commission back.
    if amount != 0 {
        if append(conn, &refund).await?.is_none() {
            return Ok(());
        }
        super::rollups::add_refund(conn, o.seller_id, order_id, &o.currency, amount).await?;
    }
    give_back(conn, &o, order_id, refund_id).await
}

/// A refund made at the provider (its dashboard) that ended order `order_id` refunded in full: what of its total
/// had not been refunded yet goes out, keyed by the order (it ends once).
pub async fn record_provider_refund(conn: &mut AnyConnection, order_id: i64, amount: i64) -> Result<(), sqlx::Error> {
    let o = order_money(conn, order_id).await?;
    if book_provider_refund(conn, &o, order_id, amount, format!("provider_refund:{order_id}")).await? {
        give_back(conn, &o, order_id, order_id).await?;
    }
    Ok(())
}

/// Order `order_id`'s share `amount` of a partial refund made at the provider (its dashboard), which named no
/// store: the refund out, keyed by the order and the payment's refunded total the provider reported (each report
/// books once; whether it was new). No units came back, so no commission comes back (an admin adjustment can give
/// it).
pub async fn record_provider_share(
    conn: &mut AnyConnection,
    order_id: i64,
    amount: i64,
    reported_total: i64,
) -> Result<bool, sqlx::Error> {
    let o = order_money(conn, order_id).await?;
    let key = format!("provider_refund:{order_id}:{reported_total}");
    book_provider_refund(conn, &o, order_id, amount, key).await
}

/// Books `amount` refunded at the provider on order `order_id` under `key`, with the store's day; whether it was
/// new.
async fn book_provider_refund(
    conn: &mut AnyConnection,
    o: &OrderMoney,
    order_id: i64,
    amount: i64,
    key: String,
) -> Result<bool, sqlx::Error> {
    let entry = NewEntry::for_order(o.seller_id, &o.currency, EntryKind::Refund, -amount, order_id, order_id);
    if append(conn, &NewEntry { key, ..entry }).await?.is_none() {
        return Ok(false);
    }
    super::rollups::add_refund(conn, o.seller_id, order_id, &o.currency, amount).await?;
    Ok(true)
}

/// The commission (and its tax, in the same proportion of the tax charged at the sale) due back on order
/// `order_id` now and not yet given back, keyed by `cause`.
async fn give_back(conn: &mut AnyConnection, o: &OrderMoney, order_id: i64, cause: i64) -> Result<(), sqlx::Error> {
    let back_on_refund = policy::read(conn).await?.commission_back == 1;
    // Never more than was charged (an order paid before the ledger existed was charged nothing in it).
    let charged_commission = -booked(conn, order_id, EntryKind::Commission).await?;
    let due = commission_due_back(conn, order_id, back_on_refund)
        .await?
        .min(charged_commission);
    let given = booked(conn, order_id, EntryKind::CommissionBack).await?;
    let entry = |kind, amount| NewEntry::for_order(o.seller_id, &o.currency, kind, amount, order_id, cause);
    if due > given {
        append(conn, &entry(EntryKind::CommissionBack, due - given)).await?;
    }
    let charged = -booked(conn, order_id, EntryKind::CommissionTax).await?;
    if charged > 0 && charged_commission > 0 {
        // The tax due back is the charged tax's share of the commission due back (the last share is the rest).
        let tax_due = shares(charged, &[due, charged_commission - due])[0];
        let tax_given = booked(conn, order_id, EntryKind::CommissionTaxBack).await?;
        if tax_due > tax_given {
            append(conn, &entry(EntryKind::CommissionTaxBack, tax_due - tax_given)).await?;
        }
    }
    Ok(())
}
