//! Settling a payment: a provider's event (the webhook, the shopper's return from the hosted page, the test
//! gateway's page) is recorded in the payments inbox exactly once and applied, in the same transaction, to the
//! payment, the orders, the stock, the cart, the promo code's uses, the mail outbox and the search outbox.

use model::catalog::Money;
use sqlx::AnyConnection;

use crate::checkout::promo;
use crate::notifications::{self, templates};
use crate::orders::{lifecycle, views, GroupStatus, OrderStatus, HOLD_MS};
use crate::payments::stripe::{parse_event, verify_signature, WebhookFailure};
use crate::payments::{self, EventKind, GatewayError, Payment, PaymentEvent, PaymentGateway, PaymentStatus};
use crate::platform::clock::now_ms;
use crate::platform::{outbox, Db};
use crate::{cart, inventory};

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Seen before: nothing changed.
    Duplicate,
    /// Not about a payment of ours, or nothing left to change.
    Ignored,
    /// About a payment we cannot match yet (a refund reported before the success): kept in the inbox and
    /// applied when the success arrives.
    Waiting,
    Paid {
        group_id: i64,
    },
    Failed {
        group_id: i64,
        reason: String,
    },
    Refunded {
        group_id: i64,
    },
    /// A case was opened on the payment or moved on.
    Disputed {
        group_id: i64,
    },
    /// The money arrived after the reservation expired and the stock is gone: [`receive`] refunds it.
    MustRefund {
        group_id: i64,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<SettleError> for crate::platform::Problem {
    fn from(err: SettleError) -> Self {
        use crate::platform::Problem;
        match err {
            SettleError::Gateway(e) => Problem::Unavailable {
                message: "The payment provider could not be reached; please try again in a few minutes.".to_string(),
                cause: e.to_string(),
            },
            SettleError::Db(e) => e.into(),
        }
    }
}

/// Records and applies a provider event exactly once.
pub async fn apply_event(db: &Db, event: &PaymentEvent) -> Result<Applied, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    if !payments::record_event(&mut tx, event).await? {
        return Ok(Applied::Duplicate);
    }
    let Some(payment) = payments::by_ref(&mut tx, &event.provider, &event.provider_ref).await? else {
        // Not ours, or not matchable yet: kept, unapplied, until a success names this payment.
        payments::mark_event(&mut tx, &event.provider, &event.event_id, false).await?;
        tx.commit().await?;
        return Ok(Applied::Waiting);
    };
    let provider_payment = match &event.kind {
        EventKind::Succeeded => event.provider_payment.as_deref(),
        _ => None,
    };
    let mut applied = apply_kind(&mut tx, &event.provider, &payment, &event.kind, provider_payment).await?;
    if let Some(provider_payment) = provider_payment {
        // Events that came before this one and name the provider's payment (a refund reported first).
        for waiting in payments::waiting_for(&mut tx, &event.provider, provider_payment).await? {
            // Read again: the success above changed its status.
            let Some(payment) = payments::by_ref(&mut tx, &event.provider, provider_payment).await? else {
                break;
            };
            let later = apply_kind(&mut tx, &event.provider, &payment, &waiting.kind, None).await?;
            if later != Applied::Ignored {
                applied = later;
            }
            payments::mark_event(&mut tx, &event.provider, &waiting.event_id, true).await?;
        }
    }
    tx.commit().await?;
    Ok(applied)
}

async fn apply_kind(
    conn: &mut AnyConnection,
    provider: &str,
    payment: &Payment,
    kind: &EventKind,
    provider_payment: Option<&str>,
) -> Result<Applied, sqlx::Error> {
    match kind {
        EventKind::Succeeded => succeeded(conn, payment, provider_payment).await,
        EventKind::Failed(reason) => failed(conn, payment, reason).await,
        EventKind::Refunded(total) => refunded(conn, payment, *total).await,
        // Only money that was taken can be disputed.
        EventKind::Dispute(report)
            if payment.status != PaymentStatus::Pending && payment.status != PaymentStatus::Failed =>
        {
            if crate::money::disputes::apply(conn, payment, provider, report).await? {
                Ok(Applied::Disputed {
                    group_id: payment.group_id,
                })
            } else {
                Ok(Applied::Ignored)
            }
        }
        EventKind::Dispute(_) => Ok(Applied::Ignored),
    }
}

/// Tells the search indexer (and the page cache) that the stock of a group's products changed.
async fn stock_changed(conn: &mut AnyConnection, group_id: i64) -> Result<(), sqlx::Error> {
    for product in inventory::products_of(conn, group_id).await? {
        outbox::product_changed(conn, product).await?;
    }
    Ok(())
}

/// An unpaid group ends (payment failed or cancelled, hold expired): its stock goes back on sale and the promo
/// code's use is given back (a late payment that re-takes the stock keeps its discount).
pub(crate) async fn end_unpaid_group(
    conn: &mut AnyConnection,
    group_id: i64,
    to: OrderStatus,
    note: &str,
) -> Result<(), sqlx::Error> {
    lifecycle::end_unpaid(conn, group_id, to, note).await?;
    inventory::release(conn, group_id).await?;
    promo::release(conn, group_id).await?;
    stock_changed(conn, group_id).await
}

/// The money arrived: the stock is sold, the group and its orders are paid, the bought lines leave the cart, the
/// confirmation is queued (once: its dedupe key is the group), and search learns the new stock.
async fn succeeded(
    conn: &mut AnyConnection,
    payment: &Payment,
    provider_payment: Option<&str>,
) -> Result<Applied, sqlx::Error> {
    if !matches!(payment.status, PaymentStatus::Pending | PaymentStatus::Failed) {
        return Ok(Applied::Ignored);
    }
    if !payments::mark_succeeded(conn, payment.id, provider_payment).await? {
        return Ok(Applied::Ignored);
    }
    let group_id = payment.group_id;
    match lifecycle::group_status(conn, group_id).await? {
        Some(GroupStatus::PendingPayment) => {}
        // Paid after the hold ran out (or after a failure): the stock was given back, so take it again if it is
        // still there; otherwise the money goes back.
        Some(GroupStatus::Expired | GroupStatus::PaymentFailed) => {
            if !reserve_again(conn, group_id).await? {
                return Ok(Applied::MustRefund { group_id });
            }
        }
        _ => return Ok(Applied::Ignored),
    }
    inventory::commit(conn, group_id).await?;
    lifecycle::mark_paid(conn, group_id).await?;
    // The sale: each seller order's commission is frozen now, at the rates of this moment.
    for (order_id, _) in lifecycle::orders_of(conn, group_id).await? {
        crate::money::commission::freeze(conn, order_id).await?;
    }
    crate::money::sales::record_sales(conn, group_id).await?;
    // "Customers also bought" learns the basket in the same transaction, once per group.
    crate::discovery::also_bought::count_paid_group(conn, group_id).await?;
    if let Some(cart_id) = lifecycle::cart_of(conn, group_id).await? {
        let bought: Vec<i64> = lifecycle::lines_of(conn, group_id)
            .await?
            .into_iter()
            .map(|l| l.variant_id)
            .collect();
        cart::remove_bought(conn, cart_id, &bought).await?;
    }
    let confirmation = views::confirmation(conn, group_id).await?;
    notifications::enqueue(
        conn,
        &format!("order-confirmation:{group_id}"),
        &templates::order_confirmation(&confirmation),
    )
    .await?;
    // Each store hears of its own order, once.
    for notice in views::store_notices(conn, group_id).await? {
        if notice.email.is_empty() {
            continue;
        }
        let mail = templates::new_order_for_store(&notice.email, &notice.number, notice.units, notice.ship_by);
        notifications::enqueue(conn, &format!("new-order:{}", notice.order_id), &mail).await?;
    }
    stock_changed(conn, group_id).await?;
    Ok(Applied::Paid { group_id })
}

/// Holds the group's lines again (a payment that arrived after the hold ran out). All or nothing, inside a
/// savepoint: returns false, changing nothing, when any line is no longer in stock.
async fn reserve_again(conn: &mut AnyConnection, group_id: i64) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    let lines = lifecycle::lines_of(conn, group_id).await?;
    let mut savepoint = conn.begin().await?;
    let until = now_ms() + HOLD_MS;
    for line in lines {
        if inventory::reserve(
            &mut savepoint,
            group_id,
            line.order_id,
            line.variant_id,
            line.quantity,
            until,
        )
        .await?
        .is_err()
        {
            savepoint.rollback().await?;
            return Ok(false);
        }
    }
    savepoint.commit().await?;
    Ok(true)
}

async fn failed(conn: &mut AnyConnection, payment: &Payment, reason: &str) -> Result<Applied, sqlx::Error> {
    if !payments::mark_failed(conn, payment.id, reason).await? {
        return Ok(Applied::Ignored);
    }
    end_unpaid_group(conn, payment.group_id, OrderStatus::PaymentFailed, reason).await?;
    Ok(Applied::Failed {
        group_id: payment.group_id,
        reason: reason.to_string(),
    })
}

/// The provider reports the payment's refunded total. Refunds we made (an order cancelled) were recorded when we
/// made them, so their event changes nothing; a refund made elsewhere (the provider's dashboard) is recorded, and
/// a full one ends the orders: unpaid ones are cancelled and their held stock released, paid ones become
/// refunded and what had not shipped goes back on sale.
async fn refunded(conn: &mut AnyConnection, payment: &Payment, total: i64) -> Result<Applied, sqlx::Error> {
    if !payments::record_reported_refund_total(conn, payment, total).await? {
        return Ok(Applied::Ignored);
    }
    let group_id = payment.group_id;
    let full = total >= payment.amount;
    match lifecycle::group_status(conn, group_id).await? {
        Some(status) if status.unpaid() && full => {
            end_unpaid_group(
                conn,
                group_id,
                OrderStatus::Cancelled,
                "The payment was refunded before the order was confirmed",
            )
            .await?;
        }
        Some(GroupStatus::Paid) => refunded_elsewhere(conn, payment, total, full).await?,
        _ => {}
    }
    Ok(Applied::Refunded { group_id })
}

/// Refunds of a paid group beyond those we made. A full refund ends every order that can still become refunded;
/// what had not shipped goes back on sale. A partial one named no store: it is spread over the group's orders (see
/// [`spread_partial_refund`]). The shopper gets an email.
async fn refunded_elsewhere(
    conn: &mut AnyConnection,
    payment: &Payment,
    total: i64,
    full: bool,
) -> Result<(), sqlx::Error> {
    let group_id = payment.group_id;
    // The orders' rows first (after the payment's, which recording the total took), so a store's refund cannot
    // change what they hold between this read and the spread. Ours include refunds still being made: the orders
    // record them before the provider is asked.
    for (order_id, _) in lifecycle::orders_of(conn, group_id).await? {
        lifecycle::hold(conn, order_id).await?;
    }
    let recorded = lifecycle::refunded_total(conn, group_id).await?;
    if total <= recorded {
        return Ok(()); // our own refunds, recorded when made
    }
    let contact = views::contact(conn, group_id).await?;
    let amount = Money::new(total - recorded, contact.currency.as_str());
    if full {
        end_refunded_in_full(conn, group_id).await?;
    } else {
        let booked = spread_partial_refund(conn, group_id, &amount, total).await?;
        payments::add_refunded_elsewhere(conn, payment.id, booked).await?;
    }
    notifications::enqueue(
        conn,
        &format!("order-refunded:{group_id}:{total}"),
        &templates::order_refunded(&contact.email, &contact.number, &amount),
    )
    .await?;
    stock_changed(conn, group_id).await
}

/// A full refund made at the provider: every order that can still become refunded does, each booking what it had
/// left; what had not shipped goes back on sale.
async fn end_refunded_in_full(conn: &mut AnyConnection, group_id: i64) -> Result<(), sqlx::Error> {
    for (order_id, status) in lifecycle::orders_of(conn, group_id).await? {
        if !lifecycle::transition(
            conn,
            order_id,
            OrderStatus::Refunded,
            "Refunded in full through the payment provider",
        )
        .await?
        {
            continue;
        }
        let unrefunded = lifecycle::unrefunded(conn, order_id).await?;
        // Units that left are not on a shelf: only an order nothing of which shipped goes back on sale (a partly
        // shipped one keeps its stock as it is for the seller to count).
        if status == OrderStatus::Paid && lifecycle::units_shipped(conn, order_id).await? == 0 {
            inventory::restock(conn, group_id, order_id).await?;
        }
        lifecycle::record_refunded_in_full(conn, order_id).await?;
        crate::money::sales::record_provider_refund(conn, order_id, unrefunded).await?;
    }
    Ok(())
}

/// A partial refund made at the provider (its dashboard) names no store: it is spread over the group's orders in
/// proportion to what each still holds (the parts add up to the refund, none more than its order holds), each
/// store's part recorded on its order (so what the store can still refund shrinks), booked in its ledger as a
/// refund (a transfer already made is then taken back by the sweep), and noted on its timeline. `total`: the
/// payment's refunded total the provider reported (keys the entries). The caller holds the orders' rows; what was
/// booked in all.
async fn spread_partial_refund(
    conn: &mut AnyConnection,
    group_id: i64,
    amount: &Money,
    total: i64,
) -> Result<i64, sqlx::Error> {
    let held: Vec<(i64, String, i64)> = sqlx::query_as(
        // By store: the order every writer of stores' money takes their balance rows in.
        "SELECT id, status, total - refunded FROM orders WHERE group_id = $1 AND status <> $2 \
         ORDER BY seller_id, id",
    )
    .bind(group_id)
    .bind(OrderStatus::Cancelled.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let weights: Vec<i64> = held.iter().map(|h| h.2.max(0)).collect();
    let spread = amount.amount.min(weights.iter().sum());
    if spread < amount.amount {
        tracing::warn!(
            group_id,
            refund = amount.amount,
            spread,
            "provider refund beyond what the orders hold"
        );
    }
    let parts = crate::platform::split::shares_within(spread, &weights);
    let mut booked = 0;
    for ((order_id, status, _), part) in held.into_iter().zip(parts) {
        // Booked first, once per order and reported total; the order's refunded amount follows only a new entry
        // (the orders' rows are held, so the part is still within what the order holds).
        if part == 0 || !crate::money::sales::record_provider_share(conn, order_id, part, total).await? {
            continue;
        }
        sqlx::query("UPDATE orders SET refunded = refunded + $1 WHERE id = $2")
            .bind(part)
            .bind(order_id)
            .execute(&mut *conn)
            .await?;
        booked += part;
        let note = format!(
            "A refund of {} was made through the payment provider; this order's share: {}",
            amount.display(),
            Money::new(part, amount.currency.as_str()).display()
        );
        let status = OrderStatus::parse(&status).unwrap_or(OrderStatus::Paid);
        lifecycle::note_on_timeline(conn, order_id, status, &note).await?;
    }
    Ok(booked)
}

/// Applies a provider event and, when money arrived for an order whose stock is gone, refunds it.
pub async fn receive(db: &Db, gateway: &dyn PaymentGateway, event: &PaymentEvent) -> Result<Applied, SettleError> {
    let applied = apply_event(db, event).await?;
    if let Applied::MustRefund { group_id } = applied {
        refund_unfulfillable(db, gateway, group_id).await?;
    }
    Ok(applied)
}

/// Refunds a payment that arrived for an order whose stock is gone, and cancels the order.
pub async fn refund_unfulfillable(db: &Db, gateway: &dyn PaymentGateway, group_id: i64) -> Result<(), SettleError> {
    let payment = {
        let mut conn = db.pool().acquire().await?;
        payments::of_group(&mut conn, group_id, &[PaymentStatus::Succeeded]).await?
    };
    let Some(payment) = payment else {
        return Ok(()); // refunded meanwhile
    };
    let key = format!("refund-unfulfillable-{}", payment.id);
    let amount = payment.amount - payment.refunded;
    gateway.refund(&payment.provider_ref, amount, &key).await?;
    let mut tx = db.begin_write().await?;
    if payments::record_refund(&mut tx, &key, &payment, None, amount).await? {
        end_unpaid_group(
            &mut tx,
            group_id,
            OrderStatus::Cancelled,
            "Paid after the reservation ran out and the items had sold out; the payment was refunded in full.",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `POST /webhooks/stripe`: verifies the raw body's signature, then records and applies the event exactly once.
/// `Ok(None)` for event types we do not act on.
pub async fn stripe_webhook(
    db: &Db,
    gateway: &dyn PaymentGateway,
    payload: &[u8],
    signature_header: &str,
    secret: &str,
) -> Result<Option<Applied>, WebhookFailure> {
    verify_signature(payload, signature_header, secret, now_ms() / 1000)?;
    let Some(event) = parse_event(payload)? else {
        return Ok(None);
    };
    receive(db, gateway, &event)
        .await
        .map(Some)
        .map_err(|e| WebhookFailure::Failed(e.to_string()))
}

/// Where the shopper of a provider's payment goes after paying: its order page. `None`: not a payment of ours.
pub async fn order_page_of_payment(db: &Db, provider: &str, provider_ref: &str) -> Result<Option<String>, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    match payments::group_of(&mut conn, provider, provider_ref).await? {
        Some(group_id) => views::confirmation_url(&mut conn, group_id).await,
        None => Ok(None),
    }
}

/// The shopper is back from the provider's hosted page (`success_url`). The webhook may not have arrived yet, so
/// the session's outcome is asked from the provider and applied (the webhook's event then changes nothing). A
/// provider that cannot be asked now is logged; its webhook settles the payment later. Returns the order page,
/// `None` for a session that is not ours.
pub async fn provider_return(
    db: &Db,
    gateway: &dyn PaymentGateway,
    provider_ref: &str,
) -> Result<Option<String>, SettleError> {
    let Some(page) = order_page_of_payment(db, gateway.provider(), provider_ref).await? else {
        return Ok(None);
    };
    match gateway.status(provider_ref).await {
        Ok(Some(event)) => {
            receive(db, gateway, &event).await?;
        }
        Ok(None) => {}
        // The webhook will still settle it; the order page shows "Awaiting payment" until then.
        Err(e) => tracing::warn!(error = %e, "could not ask the payment provider for the session's outcome"),
    }
    Ok(Some(page))
}

/// What the test gateway's card form led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestPayOutcome {
    /// Paid (or paid before): the order page.
    Paid(String),
    /// The card was not taken; the message is ours, for the shopper.
    Declined(String),
    NotFound,
}

/// The card form of the test gateway's page: the test gateway decides by test card; its event is then applied as
/// the provider's webhook would be.
pub async fn test_pay(
    db: &Db,
    gateway: &dyn PaymentGateway,
    test_gateway: &payments::TestGateway,
    session: &str,
    card: &str,
) -> Result<TestPayOutcome, SettleError> {
    let event = match test_gateway.pay(session, card).await {
        Ok(Some(event)) => event,
        Ok(None) => return Ok(TestPayOutcome::NotFound),
        Err(payments::PayError::Declined(message)) => return Ok(TestPayOutcome::Declined(message)),
        Err(payments::PayError::Db(e)) => return Err(e.into()),
    };
    receive(db, gateway, &event).await?;
    // The dispute card: the cardholder's bank disputes the payment once it is made.
    if let Some(dispute) = test_gateway.dispute_event(session).await? {
        receive(db, gateway, &dispute).await?;
    }
    Ok(match order_page_of_payment(db, "test", session).await? {
        Some(page) => TestPayOutcome::Paid(page),
        None => TestPayOutcome::NotFound,
    })
}

/// The test gateway's hosted page: its session and, once paid, the order page to go on to (a paid page offers no
/// form: Back after paying must not show a live "Pay" button).
pub async fn test_payment_page(
    db: &Db,
    test_gateway: &payments::TestGateway,
    session: &str,
) -> Result<Option<(payments::TestSession, Option<String>)>, sqlx::Error> {
    let Some(found) = test_gateway.session(session).await? else {
        return Ok(None);
    };
    let order_page = if found.status == "succeeded" {
        order_page_of_payment(db, "test", session).await?
    } else {
        None
    };
    Ok(Some((found, order_page)))
}

/// "Cancel and return to the shop" on the test gateway's page: the payment fails, the stock is released, the cart
/// is untouched.
pub async fn test_cancel(db: &Db, test_gateway: &payments::TestGateway, session: &str) -> Result<(), sqlx::Error> {
    if let Some(event) = test_gateway.cancel(session).await? {
        apply_event(db, &event).await?;
    }
    Ok(())
}
