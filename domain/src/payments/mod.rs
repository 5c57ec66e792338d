//! Payments. A [`PaymentGateway`] starts a hosted payment (the shopper types card details on the provider's
//! page, never on ours) and refunds; the provider reports the outcome as events, which [`apply_event`] records in
//! the `payment_events` inbox (keyed by provider and event id, so a redelivered event changes nothing) and
//! applies in the same transaction. The built-in [`TestGateway`] plays the provider for the demo shop and the
//! tests: its hosted page is `/pay/test/{session}`, its test cards decide the outcome.

pub mod stripe;

use std::fmt::Debug;

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use crate::clock::now_ms;
use crate::inventory;
use crate::orders::{self, OrderStatus};
use crate::Db;

/// What to ask the provider for.
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    /// Our payment row: the idempotency key of every provider call is derived from it.
    pub payment_id: i64,
    pub reference: String,
    pub amount: i64,
    pub currency: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentStart {
    pub provider_ref: String,
    /// Where to send the shopper to pay.
    pub redirect_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the payment provider could not be reached: {0}")]
    Unavailable(String),
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
}

#[async_trait]
pub trait PaymentGateway: Send + Sync + Debug {
    /// The name stored with each payment ("test", "stripe").
    fn provider(&self) -> &'static str;
    /// Shown to shoppers: no real money moves.
    fn test_mode(&self) -> bool;
    async fn start(&self, request: &PaymentRequest) -> Result<PaymentStart, GatewayError>;
    /// Starts the payment inside the order's own transaction when the provider lives in our database (the test
    /// gateway): one commit instead of three. `None`: a remote provider, called by [`Self::start`] after commit
    /// (never an HTTP call while holding the write lock).
    async fn start_in(
        &self,
        _conn: &mut AnyConnection,
        _request: &PaymentRequest,
    ) -> Result<Option<PaymentStart>, GatewayError> {
        Ok(None)
    }
    /// Refunds `amount` of a payment; `idempotency_key` makes a retried refund a no-op.
    async fn refund(&self, provider_ref: &str, amount: i64, idempotency_key: &str) -> Result<(), GatewayError>;
    /// The outcome of a hosted payment as the provider knows it now, as an event (the shopper's return to the
    /// shop can come before the provider's webhook); `None` while it is not finished.
    async fn status(&self, _provider_ref: &str) -> Result<Option<PaymentEvent>, GatewayError> {
        Ok(None)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Succeeded,
    Failed(String),
    /// The payment's refunded total so far (providers report the cumulative amount).
    Refunded(i64),
}

impl EventKind {
    fn name(&self) -> &'static str {
        match self {
            EventKind::Succeeded => "succeeded",
            EventKind::Failed(_) => "failed",
            EventKind::Refunded(_) => "refunded",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    pub provider: String,
    pub event_id: String,
    /// What the event names: our `provider_ref` (the hosted session) or the provider's payment behind it.
    pub provider_ref: String,
    /// On a success: the provider's payment behind the session (Stripe's PaymentIntent), which later refund
    /// events name.
    pub provider_payment: Option<String>,
    pub kind: EventKind,
}

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
    /// The money arrived after the reservation expired and the stock is gone: the caller refunds it
    /// (see [`refund_unfulfillable`]).
    MustRefund {
        group_id: i64,
    },
}

struct PaymentRow {
    id: i64,
    group_id: i64,
    amount: i64,
    status: String,
}

async fn payment_by_ref(
    conn: &mut AnyConnection,
    provider: &str,
    provider_ref: &str,
) -> Result<Option<PaymentRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, group_id, amount, status FROM payments \
         WHERE provider = $1 AND (provider_ref = $2 OR provider_payment = $2)",
    )
    .bind(provider)
    .bind(provider_ref)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(PaymentRow {
            id: r.try_get(0)?,
            group_id: r.try_get(1)?,
            amount: r.try_get(2)?,
            status: r.try_get(3)?,
        })
    })
    .transpose()
}

/// Records and applies a provider event exactly once.
pub async fn apply_event(db: &Db, event: &PaymentEvent) -> Result<Applied, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let payload = match &event.kind {
        EventKind::Succeeded => String::new(),
        EventKind::Failed(reason) => reason.clone(),
        EventKind::Refunded(amount) => amount.to_string(),
    };
    let fresh = sqlx::query(
        "INSERT INTO payment_events (provider, event_id, kind, payload, received_at, subject, applied) \
         VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (provider, event_id) DO NOTHING",
    )
    .bind(&event.provider)
    .bind(&event.event_id)
    .bind(event.kind.name())
    .bind(&payload)
    .bind(now_ms())
    .bind(&event.provider_ref)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if fresh == 0 {
        return Ok(Applied::Duplicate);
    }
    let Some(payment) = payment_by_ref(&mut tx, &event.provider, &event.provider_ref).await? else {
        // Not ours, or not matchable yet: kept, unapplied, until a success names this payment.
        sqlx::query("UPDATE payment_events SET applied = 0 WHERE provider = $1 AND event_id = $2")
            .bind(&event.provider)
            .bind(&event.event_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(Applied::Waiting);
    };
    let mut applied = apply_kind(&mut tx, &payment, &event.kind).await?;
    if let (EventKind::Succeeded, Some(provider_payment)) = (&event.kind, &event.provider_payment) {
        sqlx::query("UPDATE payments SET provider_payment = $1 WHERE id = $2")
            .bind(provider_payment)
            .bind(payment.id)
            .execute(&mut *tx)
            .await?;
        // Events that came before this one and name the provider's payment (a refund reported first).
        let waiting: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT event_id, kind, payload FROM payment_events \
             WHERE provider = $1 AND subject = $2 AND applied = 0 ORDER BY received_at",
        )
        .bind(&event.provider)
        .bind(provider_payment)
        .fetch_all(&mut *tx)
        .await?;
        for (event_id, kind, payload) in waiting {
            let kind = match kind.as_str() {
                "refunded" => EventKind::Refunded(payload.parse().unwrap_or(0)),
                "failed" => EventKind::Failed(payload),
                _ => EventKind::Succeeded,
            };
            // Read again: the success above changed its status.
            let Some(payment) = payment_by_ref(&mut tx, &event.provider, provider_payment).await? else {
                break;
            };
            let later = apply_kind(&mut tx, &payment, &kind).await?;
            if later != Applied::Ignored {
                applied = later;
            }
            sqlx::query("UPDATE payment_events SET applied = 1 WHERE provider = $1 AND event_id = $2")
                .bind(&event.provider)
                .bind(&event_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(applied)
}

async fn apply_kind(conn: &mut AnyConnection, payment: &PaymentRow, kind: &EventKind) -> Result<Applied, sqlx::Error> {
    match kind {
        EventKind::Succeeded => succeeded(conn, payment).await,
        EventKind::Failed(reason) => failed(conn, payment, reason).await,
        EventKind::Refunded(total) => refunded(conn, payment, *total).await,
    }
}

/// The provider reports the payment's refunded total. Refunds we made (an order cancelled) were recorded when we
/// made them, so their event changes nothing; a refund made elsewhere (the provider's dashboard) is recorded, and
/// a full one ends the orders: unpaid ones are cancelled and their held stock released, paid ones become
/// refunded and what had not shipped goes back on sale.
async fn refunded(conn: &mut AnyConnection, payment: &PaymentRow, total: i64) -> Result<Applied, sqlx::Error> {
    let status = if total >= payment.amount {
        "refunded"
    } else {
        "partially_refunded"
    };
    let changed =
        sqlx::query("UPDATE payments SET refunded = $1, status = $2, updated_at = $3 WHERE id = $4 AND refunded < $1")
            .bind(total)
            .bind(status)
            .bind(now_ms())
            .bind(payment.id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if changed == 0 {
        return Ok(Applied::Ignored);
    }
    let group_status = group_status(conn, payment.group_id).await?;
    let full = total >= payment.amount;
    match group_status.as_str() {
        "pending_payment" | "expired" | "payment_failed" if full => {
            orders::end_unpaid_group(
                conn,
                payment.group_id,
                OrderStatus::Cancelled,
                "The payment was refunded before the order was confirmed",
            )
            .await?;
        }
        "paid" => orders::refunded_elsewhere(conn, payment.group_id, total, full).await?,
        _ => {}
    }
    Ok(Applied::Refunded {
        group_id: payment.group_id,
    })
}

async fn group_status(conn: &mut AnyConnection, group_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT status FROM order_groups WHERE id = $1")
        .bind(group_id)
        .fetch_one(&mut *conn)
        .await
}

async fn succeeded(conn: &mut AnyConnection, payment: &PaymentRow) -> Result<Applied, sqlx::Error> {
    if !matches!(payment.status.as_str(), "pending" | "failed") {
        return Ok(Applied::Ignored);
    }
    // Conditional: of two successes racing (the webhook and the shopper's return), one applies.
    let changed = sqlx::query(
        "UPDATE payments SET status = 'succeeded', updated_at = $1 WHERE id = $2 AND status IN ('pending', 'failed')",
    )
    .bind(now_ms())
    .bind(payment.id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(Applied::Ignored);
    }
    let group_status = group_status(conn, payment.group_id).await?;
    match group_status.as_str() {
        "pending_payment" => {}
        // Paid after the hold ran out (or after a failure): the stock was given back, so take it again if it is
        // still there; otherwise the money goes back.
        "expired" | "payment_failed" => {
            if !orders::reserve_again(conn, payment.group_id).await? {
                return Ok(Applied::MustRefund {
                    group_id: payment.group_id,
                });
            }
        }
        _ => return Ok(Applied::Ignored),
    }
    inventory::commit(conn, payment.group_id).await?;
    orders::mark_group_paid(conn, payment.group_id).await?;
    Ok(Applied::Paid {
        group_id: payment.group_id,
    })
}

async fn failed(conn: &mut AnyConnection, payment: &PaymentRow, reason: &str) -> Result<Applied, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE payments SET status = 'failed', failure = $1, updated_at = $2 WHERE id = $3 AND status = 'pending'",
    )
    .bind(reason)
    .bind(now_ms())
    .bind(payment.id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(Applied::Ignored);
    }
    orders::end_unpaid_group(conn, payment.group_id, OrderStatus::PaymentFailed, reason).await?;
    Ok(Applied::Failed {
        group_id: payment.group_id,
        reason: reason.to_string(),
    })
}

/// Applies a provider event and, when money arrived for an order whose stock is gone, refunds it.
pub async fn receive(db: &Db, gateway: &dyn PaymentGateway, event: &PaymentEvent) -> Result<Applied, RefundError> {
    let applied = apply_event(db, event).await?;
    if let Applied::MustRefund { group_id } = applied {
        refund_unfulfillable(db, gateway, group_id).await?;
    }
    Ok(applied)
}

/// Refunds a payment that arrived for an order whose stock is gone, and cancels the order.
pub async fn refund_unfulfillable(db: &Db, gateway: &dyn PaymentGateway, group_id: i64) -> Result<(), RefundError> {
    let (payment_id, provider_ref, amount): (i64, String, i64) = sqlx::query_as(
        "SELECT id, provider_ref, amount FROM payments WHERE group_id = $1 AND status = 'succeeded' ORDER BY created_at DESC",
    )
    .bind(group_id)
    .fetch_one(db.pool())
    .await?;
    gateway
        .refund(&provider_ref, amount, &format!("refund-unfulfillable-{payment_id}"))
        .await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE payments SET status = 'refunded', refunded = amount, updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(payment_id)
        .execute(&mut *tx)
        .await?;
    orders::end_unpaid_group(
        &mut tx,
        group_id,
        OrderStatus::Cancelled,
        "Paid after the reservation ran out and the items had sold out; the payment was refunded in full.",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The built-in test gateway: hosted page at `/pay/test/{session}`, test cards, no money.
#[derive(Debug, Clone)]
pub struct TestGateway {
    db: Db,
}

/// Test card numbers and what they do.
pub const TEST_CARD_SUCCESS: &str = "4242424242424242";
pub const TEST_CARD_DECLINED: &str = "4000000000000002";
pub const TEST_CARD_NO_FUNDS: &str = "4000000000009995";

/// A hosted test payment as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSession {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub reference: String,
    pub status: String,
}

/// The outcome of a card on the test gateway's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardOutcome {
    Approved,
    Declined(String),
}

/// What the test gateway answers for a card number (spaces allowed).
pub fn test_card_outcome(number: &str) -> Result<CardOutcome, String> {
    let digits: String = number.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || !(13..=19).contains(&digits.len()) {
        return Err("Enter the card number: 13 to 19 digits.".to_string());
    }
    Ok(match digits.as_str() {
        TEST_CARD_SUCCESS => CardOutcome::Approved,
        TEST_CARD_DECLINED => CardOutcome::Declined("Your card was declined.".to_string()),
        TEST_CARD_NO_FUNDS => CardOutcome::Declined("Your card has insufficient funds.".to_string()),
        _ => CardOutcome::Declined(
            "This is test mode: real cards are declined. Use 4242 4242 4242 4242 to pay.".to_string(),
        ),
    })
}

impl TestGateway {
    pub fn new(db: Db) -> TestGateway {
        TestGateway { db }
    }

    pub async fn session(&self, id: &str) -> Result<Option<TestSession>, sqlx::Error> {
        let row: Option<(String, i64, String, String, String)> =
            sqlx::query_as("SELECT id, amount, currency, reference, status FROM test_gateway_sessions WHERE id = $1")
                .bind(id)
                .fetch_optional(self.db.pool())
                .await?;
        Ok(row.map(|(id, amount, currency, reference, status)| TestSession {
            id,
            amount,
            currency,
            reference,
            status,
        }))
    }

    /// The shopper submitted a card on the hosted page. An approved card completes the session once and returns
    /// the provider's "succeeded" event (the same event again for a session already paid); a declined card
    /// leaves the session open, as a hosted checkout does, and returns the message to show.
    pub async fn pay(&self, session_id: &str, card_number: &str) -> Result<Option<PaymentEvent>, String> {
        if let CardOutcome::Declined(reason) = test_card_outcome(card_number)? {
            return Err(reason);
        }
        self.finish(session_id, "succeeded").await.map_err(|e| e.to_string())?;
        self.finished_event(session_id).await.map_err(|e| e.to_string())
    }

    /// The shopper gave up on the hosted page: the session fails (once) and the provider's "failed" event is
    /// returned.
    pub async fn cancel(&self, session_id: &str) -> Result<Option<PaymentEvent>, sqlx::Error> {
        self.finish(session_id, "failed").await?;
        self.finished_event(session_id).await
    }

    /// Closes an open session once. A write transaction (not a bare UPDATE on the pool), so on SQLite it takes its
    /// turn with the shop's other writers instead of polling the lock.
    async fn finish(&self, session_id: &str, status: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE test_gateway_sessions SET status = $1 WHERE id = $2 AND status = 'open'")
            .bind(status)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// The event for a finished session: its id is derived from the session and outcome, so delivering it twice
    /// is a duplicate in the inbox.
    async fn finished_event(&self, session_id: &str) -> Result<Option<PaymentEvent>, sqlx::Error> {
        let Some(session) = self.session(session_id).await? else {
            return Ok(None);
        };
        let kind = match session.status.as_str() {
            "succeeded" => EventKind::Succeeded,
            "failed" => EventKind::Failed("The payment was cancelled.".to_string()),
            _ => return Ok(None),
        };
        Ok(Some(PaymentEvent {
            provider: "test".to_string(),
            event_id: format!("evt_{}_{}", session.id, kind.name()),
            provider_ref: session.id,
            provider_payment: None,
            kind,
        }))
    }
}

/// Opens the test gateway's hosted session for a payment, or finds the one it has. Keyed by our payment id
/// (starting the same payment twice finds the same session); the id in the page's URL has a random part, so
/// nobody can pay or cancel another shopper's session by guessing it.
async fn open_session(conn: &mut AnyConnection, request: &PaymentRequest) -> Result<PaymentStart, sqlx::Error> {
    let id = format!("tgs_{}_{}", request.payment_id, crate::ids::random_token());
    let inserted = sqlx::query(
        "INSERT INTO test_gateway_sessions (id, payment_id, amount, currency, reference, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6) ON CONFLICT (payment_id) DO NOTHING",
    )
    .bind(&id)
    .bind(request.payment_id)
    .bind(request.amount)
    .bind(&request.currency)
    .bind(&request.reference)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let id = if inserted == 1 {
        id
    } else {
        sqlx::query_scalar("SELECT id FROM test_gateway_sessions WHERE payment_id = $1")
            .bind(request.payment_id)
            .fetch_one(&mut *conn)
            .await?
    };
    Ok(PaymentStart {
        redirect_url: format!("/pay/test/{id}"),
        provider_ref: id,
    })
}

#[async_trait]
impl PaymentGateway for TestGateway {
    fn provider(&self) -> &'static str {
        "test"
    }

    fn test_mode(&self) -> bool {
        true
    }

    async fn start(&self, request: &PaymentRequest) -> Result<PaymentStart, GatewayError> {
        let mut conn = self
            .db
            .pool()
            .acquire()
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        open_session(&mut conn, request)
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))
    }

    async fn start_in(
        &self,
        conn: &mut AnyConnection,
        request: &PaymentRequest,
    ) -> Result<Option<PaymentStart>, GatewayError> {
        open_session(conn, request)
            .await
            .map(Some)
            .map_err(|e| GatewayError::Unavailable(e.to_string()))
    }

    async fn refund(&self, provider_ref: &str, amount: i64, idempotency_key: &str) -> Result<(), GatewayError> {
        let unavailable = |e: sqlx::Error| GatewayError::Unavailable(e.to_string());
        let mut tx = self.db.begin_write().await.map_err(unavailable)?;
        let fresh = sqlx::query(
            "INSERT INTO test_gateway_refunds (idempotency_key, session_id, amount, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(idempotency_key)
        .bind(provider_ref)
        .bind(amount)
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?
        .rows_affected();
        if fresh == 0 {
            return Ok(()); // a retry of a refund already made
        }
        let changed = sqlx::query(
            "UPDATE test_gateway_sessions SET refunded = refunded + $1 \
             WHERE id = $2 AND status = 'succeeded' AND refunded + $1 <= amount",
        )
        .bind(amount)
        .bind(provider_ref)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?
        .rows_affected();
        if changed == 0 {
            return Err(GatewayError::Refused(
                "nothing to refund: not paid, or more than was paid".to_string(),
            ));
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_decide_the_outcome() {
        assert_eq!(test_card_outcome("4242 4242 4242 4242"), Ok(CardOutcome::Approved));
        assert!(
            matches!(test_card_outcome("4000 0000 0000 0002"), Ok(CardOutcome::Declined(m)) if m.contains("declined"))
        );
        assert!(
            matches!(test_card_outcome("4000000000009995"), Ok(CardOutcome::Declined(m)) if m.contains("insufficient"))
        );
        assert!(test_card_outcome("4242").is_err());
        assert!(test_card_outcome("abcd abcd abcd abcd").is_err());
    }
}
