//! Disputes in the stores' money (decision 0030). A case is split over its payment's store orders by what each
//! still holds of the payment (parts summing to the disputed amount). Under the policy in force when it opens,
//! a store's share is either reversed at once (a `dispute` entry, given back by `dispute_won`) or held (the
//! order's money stays pending; the entry is made only if the case is lost). A lost case gives the share's
//! commission back as a refund does; the provider's fee is the platform's.

use model::disputes::DisputeStatus;
use model::money::EntryKind;
use sqlx::AnyConnection;

use super::ledger::{append, NewEntry};
use super::policy;
use crate::notifications::{self, templates};
use crate::orders::{lifecycle, OrderStatus};
use crate::payments::{DisputeReport, Payment};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::split::shares;

#[derive(Debug, Clone, sqlx::FromRow)]
struct Case {
    id: i64,
    status: String,
    mode: String,
    currency: String,
}

impl Case {
    fn status(&self) -> Option<DisputeStatus> {
        DisputeStatus::parse(&self.status)
    }

    fn held(&self) -> bool {
        self.mode == "hold"
    }
}

#[derive(Debug, sqlx::FromRow)]
struct Share {
    order_id: i64,
    seller_id: i64,
    amount: i64,
    number: String,
    total: i64,
    refunded: i64,
    status: String,
}

/// Applies a provider's report of a case on `payment`: opens the case when it is new, then moves it to the
/// reported status. Returns whether anything changed.
pub async fn apply(
    conn: &mut AnyConnection,
    payment: &Payment,
    provider: &str,
    report: &DisputeReport,
) -> Result<bool, sqlx::Error> {
    let opened = open(conn, payment, provider, report).await?;
    let case: Case =
        sqlx::query_as("SELECT id, status, mode, currency FROM disputes WHERE provider = $1 AND provider_dispute = $2")
            .bind(provider)
            .bind(&report.dispute)
            .fetch_one(&mut *conn)
            .await?;
    // Only forward: a late "needs response" after the evidence went changes nothing.
    let moved = match case.status() {
        Some(now) if now.open() && now != report.status && report.status != DisputeStatus::NeedsResponse => {
            move_to(conn, &case, report.status).await?
        }
        _ => false,
    };
    Ok(opened || moved)
}

/// Records a new case and its shares, reverses or holds them, notes it on the orders and tells the stores.
async fn open(
    conn: &mut AnyConnection,
    payment: &Payment,
    provider: &str,
    report: &DisputeReport,
) -> Result<bool, sqlx::Error> {
    let hold = policy::read(conn).await?.dispute_hold == 1;
    let id = next_id();
    let now = now_ms();
    let currency: String = sqlx::query_scalar("SELECT currency FROM payments WHERE id = $1")
        .bind(payment.id)
        .fetch_one(&mut *conn)
        .await?;
    let fresh = sqlx::query(
        "INSERT INTO disputes (id, payment_id, group_id, provider, provider_dispute, amount, fee, currency, reason, \
         status, mode, respond_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (provider, provider_dispute) DO NOTHING",
    )
    .bind(id)
    .bind(payment.id)
    .bind(payment.group_id)
    .bind(provider)
    .bind(&report.dispute)
    .bind(report.amount)
    .bind(report.fee.max(0))
    .bind(&currency)
    .bind(crate::platform::text::line(&report.reason, 40).unwrap_or_default())
    .bind(DisputeStatus::NeedsResponse.as_str())
    .bind(if hold { "hold" } else { "reverse" })
    .bind(report.respond_by)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !fresh {
        return Ok(false);
    }
    book_shares(conn, payment.group_id, id, report.amount, &currency, hold).await?;
    let case = Case {
        id,
        status: DisputeStatus::NeedsResponse.as_str().to_string(),
        mode: if hold { "hold" } else { "reverse" }.to_string(),
        currency,
    };
    tell(conn, &case, DisputeStatus::NeedsResponse).await?;
    Ok(true)
}

/// Splits case `id` over group `group_id`'s store orders and reverses or holds each share.
async fn book_shares(
    conn: &mut AnyConnection,
    group_id: i64,
    id: i64,
    amount: i64,
    currency: &str,
    hold: bool,
) -> Result<(), sqlx::Error> {
    // By store, ascending: the order every writer takes stores' balance rows in.
    let orders: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, seller_id, total - refunded, total FROM orders WHERE group_id = $1 ORDER BY seller_id, id",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await?;
    let left: Vec<i64> = orders.iter().map(|o| o.2.max(0)).collect();
    let weights = if left.iter().sum::<i64>() > 0 {
        left
    } else {
        orders.iter().map(|o| o.3).collect()
    };
    let parts = shares(amount, &weights);
    for ((order_id, seller_id, _, _), share) in orders.into_iter().zip(parts) {
        sqlx::query("INSERT INTO dispute_shares (dispute_id, order_id, seller_id, amount) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(order_id)
            .bind(seller_id)
            .bind(share)
            .execute(&mut *conn)
            .await?;
        if share == 0 {
            continue;
        }
        if hold {
            sqlx::query("UPDATE orders SET dispute_hold = 1 WHERE id = $1")
                .bind(order_id)
                .execute(&mut *conn)
                .await?;
        } else {
            let entry = entry(seller_id, currency, EntryKind::Dispute, -share, order_id, id);
            append(conn, &entry).await?;
        }
    }
    Ok(())
}

fn entry(seller_id: i64, currency: &str, kind: EntryKind, amount: i64, order_id: i64, case: i64) -> NewEntry<'_> {
    let mut entry = NewEntry::for_order(seller_id, currency, kind, amount, order_id, case);
    entry.key = format!("{}:{case}:{order_id}", kind.as_str());
    entry.note = match kind {
        EntryKind::DisputeWon => "The bank decided the dispute for you",
        EntryKind::Dispute => "The shopper's bank disputed the payment",
        _ => "Dispute lost",
    };
    entry
}

async fn shares_of(conn: &mut AnyConnection, case: i64) -> Result<Vec<Share>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.order_id, s.seller_id, s.amount, o.number, o.total, o.refunded, o.status FROM dispute_shares s \
         JOIN orders o ON o.id = s.order_id WHERE s.dispute_id = $1 ORDER BY s.seller_id, s.order_id",
    )
    .bind(case)
    .fetch_all(&mut *conn)
    .await
}

/// Moves an open case on, once (a conditional update): under review changes no money; a decision books it.
async fn move_to(conn: &mut AnyConnection, case: &Case, to: DisputeStatus) -> Result<bool, sqlx::Error> {
    let closed_at = (!to.open()).then(now_ms);
    let moved = sqlx::query(
        "UPDATE disputes SET status = $1, closed_at = $2 WHERE id = $3 AND status IN ('needs_response', 'under_review')",
    )
    .bind(to.as_str())
    .bind(closed_at)
    .bind(case.id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !moved || to.open() {
        return Ok(moved);
    }
    let give_commission_back = policy::read(conn).await?.commission_back == 1;
    for share in shares_of(conn, case.id).await? {
        if share.amount == 0 {
            continue;
        }
        let at = |kind, amount| entry(share.seller_id, &case.currency, kind, amount, share.order_id, case.id);
        match (to, case.held()) {
            (DisputeStatus::Won, false) => {
                append(conn, &at(EntryKind::DisputeWon, share.amount)).await?;
            }
            (DisputeStatus::Lost, true) => {
                append(conn, &at(EntryKind::Dispute, -share.amount)).await?;
            }
            _ => {}
        }
        if to == DisputeStatus::Lost && give_commission_back {
            commission_back(conn, case, &share).await?;
        }
        if case.held() {
            sqlx::query("UPDATE orders SET dispute_hold = 0 WHERE id = $1")
                .bind(share.order_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    tell(conn, case, to).await?;
    Ok(true)
}

/// The commission (and its tax) of the part of the order the bank took back, as a refund of that amount gives
/// it: commission still charged × share ÷ what the order still held (its total less refunds: nothing is refunded
/// while a case is open), rounded down, never more than is still charged.
async fn commission_back(conn: &mut AnyConnection, case: &Case, share: &Share) -> Result<(), sqlx::Error> {
    for (charged, back) in [
        (EntryKind::Commission, EntryKind::CommissionBack),
        (EntryKind::CommissionTax, EntryKind::CommissionTaxBack),
    ] {
        let still: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(-SUM(amount), 0) AS BIGINT) FROM seller_ledger WHERE order_id = $1 \
             AND kind IN ($2, $3)",
        )
        .bind(share.order_id)
        .bind(charged.as_str())
        .bind(back.as_str())
        .fetch_one(&mut *conn)
        .await?;
        let held = share.total - share.refunded;
        if still <= 0 || held <= 0 {
            continue;
        }
        let amount = (i128::from(still) * i128::from(share.amount) / i128::from(held)) as i64;
        let mut entry = entry(
            share.seller_id,
            &case.currency,
            back,
            amount.min(still),
            share.order_id,
            case.id,
        );
        entry.key = format!("dispute-{}:{}:{}", back.as_str(), case.id, share.order_id);
        entry.note = "On the dispute lost";
        append(conn, &entry).await?;
    }
    Ok(())
}

/// Notes the case's step on each order's timeline and emails each store.
async fn tell(conn: &mut AnyConnection, case: &Case, step: DisputeStatus) -> Result<(), sqlx::Error> {
    for share in shares_of(conn, case.id).await? {
        let money = model::catalog::Money::new(share.amount, case.currency.as_str()).display();
        let note = match step {
            DisputeStatus::NeedsResponse => format!("The shopper's bank disputed {money} of this order's payment"),
            DisputeStatus::UnderReview => "The dispute's evidence went to the bank".to_string(),
            DisputeStatus::Won => format!("The bank decided the dispute for the store: {money} stays with it"),
            DisputeStatus::Lost => format!("The bank decided the dispute for the shopper: {money} went back"),
        };
        if let Some(status) = OrderStatus::parse(&share.status) {
            lifecycle::note_on_timeline(conn, share.order_id, status, &note).await?;
        }
        if step == DisputeStatus::UnderReview {
            continue;
        }
        let email: Option<String> =
            sqlx::query_scalar("SELECT u.email FROM sellers s JOIN users u ON u.id = s.user_id WHERE s.id = $1")
                .bind(share.seller_id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(email) = email {
            let mail = templates::dispute_step(&email, &share.number, &note, case.id);
            let key = format!("dispute:{}:{}:{}", case.id, share.order_id, step.as_str());
            notifications::enqueue(conn, &key, &mail).await?;
        }
    }
    Ok(())
}

/// Whether group `group_id`'s payment is in a case that is open or was lost: the bank holds or took the money,
/// so nothing may be refunded from it (Stripe refuses too).
pub async fn blocks_refund(conn: &mut AnyConnection, group_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM disputes WHERE group_id = $1 AND status IN ('needs_response', 'under_review', 'lost')",
    )
    .bind(group_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}
