//! The payments context. A [`PaymentGateway`] starts a hosted payment (the shopper types card details on the
//! provider's page, never on ours) and refunds; the provider reports the outcome as events. This module records
//! payments and refunds and keeps the `payment_events` inbox (keyed by provider and event id, so a redelivered
//! event changes nothing). Owns `payments`, `refunds`, `payment_events`, and the test gateway's
//! `test_gateway_sessions` and `test_gateway_refunds`.
//!
//! Applying an event to orders, stock and mail is `workflows::settle_payment`'s job: gateways and this module
//! never touch another context's tables.

pub mod connect;
pub mod stripe;
pub mod stripe_connect;
pub mod test_gateway;

pub use test_gateway::{
    test_card_outcome, CardOutcome, PayError, TestGateway, TestSession, TEST_CARD_DECLINED, TEST_CARD_DISPUTED,
    TEST_CARD_NO_FUNDS, TEST_CARD_SUCCESS,
};

use std::fmt::Debug;

use async_trait::async_trait;
use model::disputes::DisputeStatus;
use sqlx::AnyConnection;

use crate::platform::clock::now_ms;

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
    /// Sends the evidence of case `dispute` to the bank (final: the case takes no more), under `idempotency_key`
    /// (one per attempt: a retried call of the same attempt is answered once). A provider that decides at once
    /// (the test gateway, like Stripe's test mode) answers with the decision as an event; others report it later by
    /// webhook.
    async fn submit_evidence(
        &self,
        dispute: &str,
        evidence: &DisputeEvidence,
        idempotency_key: &str,
    ) -> Result<Option<PaymentEvent>, GatewayError>;
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
    /// A shopper's bank opened a case against the payment, or a case moved on (every report carries the whole
    /// case, so one that comes before the case's opening still opens it).
    Dispute(DisputeReport),
}

/// A case as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DisputeReport {
    /// The provider's id of the case.
    pub dispute: String,
    pub amount: i64,
    /// What the provider charges the platform for the case.
    pub fee: i64,
    pub reason: String,
    /// The last moment to send evidence (milliseconds).
    pub respond_by: Option<i64>,
    pub status: DisputeStatus,
}

impl EventKind {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            EventKind::Succeeded => "succeeded",
            EventKind::Failed(_) => "failed",
            EventKind::Refunded(_) => "refunded",
            EventKind::Dispute(_) => "dispute",
        }
    }

    /// The inbox's text of the event's details (read back by [`EventKind::from_stored`]).
    fn payload(&self) -> String {
        match self {
            EventKind::Succeeded => String::new(),
            EventKind::Failed(reason) => reason.clone(),
            EventKind::Refunded(amount) => amount.to_string(),
            EventKind::Dispute(report) => serde_json::to_string(report).unwrap_or_default(),
        }
    }

    /// An event kept in the inbox, as it was recorded; `None` for a payload this version cannot read.
    fn from_stored(kind: &str, payload: String) -> Option<EventKind> {
        Some(match kind {
            "refunded" => EventKind::Refunded(payload.parse().ok()?),
            "failed" => EventKind::Failed(payload),
            "succeeded" => EventKind::Succeeded,
            "dispute" => EventKind::Dispute(serde_json::from_str(&payload).ok()?),
            _ => return None,
        })
    }
}

/// What the shop sends the bank for a case: the order's facts and the store's account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisputeEvidence {
    /// The order's facts and the store's own words, as one text (Stripe's `uncategorized_text`).
    pub text: String,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub shipping_date: Option<String>,
    pub customer_email: Option<String>,
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

/// A payment's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    Pending,
    Succeeded,
    Failed,
    Refunded,
    PartiallyRefunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 5] = [
        PaymentStatus::Pending,
        PaymentStatus::Succeeded,
        PaymentStatus::Failed,
        PaymentStatus::Refunded,
        PaymentStatus::PartiallyRefunded,
    ];

    /// The spelling stored in the database (the CHECK constraint lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether money was taken and some of it is still ours to refund.
    pub fn refundable(self) -> bool {
        matches!(self, PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded)
    }
}

/// A payment row.
#[derive(Debug, Clone)]
pub struct Payment {
    pub id: i64,
    pub group_id: i64,
    pub provider_ref: String,
    pub amount: i64,
    pub refunded: i64,
    pub status: PaymentStatus,
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    id: i64,
    group_id: i64,
    provider_ref: String,
    amount: i64,
    refunded: i64,
    status: String,
}

impl PaymentRow {
    fn into_payment(self) -> Result<Payment, sqlx::Error> {
        let status = PaymentStatus::parse(&self.status).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "status".into(),
            source: format!("unknown payment status {:?}", self.status).into(),
        })?;
        Ok(Payment {
            id: self.id,
            group_id: self.group_id,
            provider_ref: self.provider_ref,
            amount: self.amount,
            refunded: self.refunded,
            status,
        })
    }
}

const PAYMENT_COLUMNS: &str = "id, group_id, provider_ref, amount, refunded, status";

/// The payment an event names: our `provider_ref` (the hosted session) or the provider's payment behind it.
pub async fn by_ref(conn: &mut AnyConnection, provider: &str, reference: &str) -> Result<Option<Payment>, sqlx::Error> {
    let row: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE provider = $1 AND (provider_ref = $2 OR provider_payment = $2)"
    ))
    .bind(provider)
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(PaymentRow::into_payment).transpose()
}

/// The newest payment of a group that is in `status` (one of them).
pub async fn of_group(
    conn: &mut AnyConnection,
    group_id: i64,
    statuses: &[PaymentStatus],
) -> Result<Option<Payment>, sqlx::Error> {
    let list = statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    // `list` is built from our own enum's spellings, never from input.
    let row: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE group_id = $1 AND status IN ({list})          ORDER BY created_at DESC, id DESC"
    ))
    .bind(group_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(PaymentRow::into_payment).transpose()
}

/// The group a provider's payment belongs to.
pub async fn group_of(
    conn: &mut AnyConnection,
    provider: &str,
    provider_ref: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT group_id FROM payments WHERE provider = $1 AND provider_ref = $2")
        .bind(provider)
        .bind(provider_ref)
        .fetch_optional(&mut *conn)
        .await
}

/// Records a new pending payment of a group.
pub async fn create_pending(
    conn: &mut AnyConnection,
    request: &PaymentRequest,
    group_id: i64,
    provider: &str,
    provider_ref: &str,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO payments (id, group_id, provider, provider_ref, amount, currency, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(request.payment_id)
    .bind(group_id)
    .bind(provider)
    .bind(provider_ref)
    .bind(request.amount)
    .bind(&request.currency)
    .bind(PaymentStatus::Pending.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The provider's reference of a payment started after the order's commit (a remote provider).
pub async fn set_provider_ref(
    conn: &mut AnyConnection,
    payment_id: i64,
    provider_ref: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payments SET provider_ref = $1, updated_at = $2 WHERE id = $3")
        .bind(provider_ref)
        .bind(now_ms())
        .bind(payment_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What the provider needs to start (again) the pending payment of a group: the request, rebuilt from our rows.
#[derive(sqlx::FromRow)]
struct PendingRow {
    id: i64,
    amount: i64,
    currency: String,
}

pub async fn pending_request(
    conn: &mut AnyConnection,
    group_id: i64,
    reference: &str,
    email: &str,
) -> Result<Option<PaymentRequest>, sqlx::Error> {
    let row: Option<PendingRow> = sqlx::query_as(
        "SELECT id, amount, currency FROM payments WHERE group_id = $1 AND status = $2 ORDER BY created_at DESC, id DESC",
    )
    .bind(group_id)
    .bind(PaymentStatus::Pending.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| PaymentRequest {
        payment_id: r.id,
        reference: reference.to_string(),
        amount: r.amount,
        currency: r.currency,
        email: email.to_string(),
    }))
}

/// The success: pending (or failed, when the shopper retried) becomes succeeded. Conditional, so of two
/// successes racing (the webhook and the shopper's return) one applies. Returns whether it changed.
pub async fn mark_succeeded(
    conn: &mut AnyConnection,
    payment_id: i64,
    provider_payment: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE payments SET status = $1, updated_at = $2, provider_payment = COALESCE($3, provider_payment) \
         WHERE id = $4 AND status IN ($5, $6)",
    )
    .bind(PaymentStatus::Succeeded.as_str())
    .bind(now_ms())
    .bind(provider_payment)
    .bind(payment_id)
    .bind(PaymentStatus::Pending.as_str())
    .bind(PaymentStatus::Failed.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// A pending payment failed. Returns whether it changed.
pub async fn mark_failed(conn: &mut AnyConnection, payment_id: i64, reason: &str) -> Result<bool, sqlx::Error> {
    let changed =
        sqlx::query("UPDATE payments SET status = $1, failure = $2, updated_at = $3 WHERE id = $4 AND status = $5")
            .bind(PaymentStatus::Failed.as_str())
            .bind(reason)
            .bind(now_ms())
            .bind(payment_id)
            .bind(PaymentStatus::Pending.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected();
    Ok(changed == 1)
}

fn status_after_refunds(refunded: i64, amount: i64) -> PaymentStatus {
    if refunded >= amount {
        PaymentStatus::Refunded
    } else {
        PaymentStatus::PartiallyRefunded
    }
}

/// The provider reports the payment's refunded total (cumulative). Recorded when it is more than we know of;
/// returns whether it was.
pub async fn record_reported_refund_total(
    conn: &mut AnyConnection,
    payment: &Payment,
    total: i64,
) -> Result<bool, sqlx::Error> {
    let changed =
        sqlx::query("UPDATE payments SET refunded = $1, status = $2, updated_at = $3 WHERE id = $4 AND refunded < $1")
            .bind(total)
            .bind(status_after_refunds(total, payment.amount).as_str())
            .bind(now_ms())
            .bind(payment.id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    Ok(changed == 1)
}

/// A refund we made at the gateway, recorded once per idempotency key (the key the gateway call carried) in the
/// transaction that changes what was refunded. A second request with the same key (a double-clicked cancel)
/// records nothing and returns `false`, so the payment's refunded amount counts each refund once.
pub async fn record_refund(
    conn: &mut AnyConnection,
    idempotency_key: &str,
    payment: &Payment,
    order_id: Option<i64>,
    amount: i64,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let fresh = sqlx::query(
        "INSERT INTO refunds (idempotency_key, payment_id, order_id, amount, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(idempotency_key)
    .bind(payment.id)
    .bind(order_id)
    .bind(amount)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if fresh {
        // The refunded total becomes what our refunds and those made at the provider's dashboard add up to,
        // unless the provider already reported more (its event for this very refund can come first: adding it
        // again would count it twice). The new status is computed in the statement from the row as it is now,
        // never from an earlier read.
        let ours =
            "(SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM refunds r WHERE r.payment_id = payments.id) \
                    + refunded_elsewhere";
        let total = format!("CASE WHEN {ours} > refunded THEN {ours} ELSE refunded END");
        sqlx::query(&format!(
            "UPDATE payments SET refunded = {total}, status = CASE WHEN {total} >= amount THEN $1 ELSE $2 END, \
             updated_at = $3 WHERE id = $4"
        ))
        .bind(PaymentStatus::Refunded.as_str())
        .bind(PaymentStatus::PartiallyRefunded.as_str())
        .bind(now)
        .bind(payment.id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(fresh)
}

/// Adds `amount` refunded at the provider's dashboard (no refund of ours) to payment `payment_id`.
pub async fn add_refunded_elsewhere(conn: &mut AnyConnection, payment_id: i64, amount: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payments SET refunded_elsewhere = refunded_elsewhere + $1 WHERE id = $2")
        .bind(amount)
        .bind(payment_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Takes a payment's row for the caller's transaction: before its orders' rows, as the provider's events do.
pub async fn hold(conn: &mut AnyConnection, payment_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payments SET updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(payment_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a provider event in the inbox. `false`: seen before (a redelivery), nothing to do.
pub async fn record_event(conn: &mut AnyConnection, event: &PaymentEvent) -> Result<bool, sqlx::Error> {
    let payload = event.kind.payload();
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
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(fresh == 1)
}

/// Marks an inbox event applied (`true`) or waiting for the payment it names to become known (`false`).
pub async fn mark_event(
    conn: &mut AnyConnection,
    provider: &str,
    event_id: &str,
    applied: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payment_events SET applied = $1 WHERE provider = $2 AND event_id = $3")
        .bind(i64::from(applied))
        .bind(provider)
        .bind(event_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An event kept in the inbox until the payment it names is known.
#[derive(Debug, Clone)]
pub struct WaitingEvent {
    pub event_id: String,
    pub kind: EventKind,
}

/// An event of the inbox as stored: its kind and payload still text.
#[derive(sqlx::FromRow)]
struct EventRow {
    event_id: String,
    kind: String,
    payload: String,
}

/// The events waiting for the provider's payment `subject` (a refund reported before the success), oldest first.
pub async fn waiting_for(
    conn: &mut AnyConnection,
    provider: &str,
    subject: &str,
) -> Result<Vec<WaitingEvent>, sqlx::Error> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT event_id, kind, payload FROM payment_events \
         WHERE provider = $1 AND subject = $2 AND applied = 0 ORDER BY received_at",
    )
    .bind(provider)
    .bind(subject)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(WaitingEvent {
                kind: EventKind::from_stored(&row.kind, row.payload)?,
                event_id: row.event_id,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_statuses_round_trip() {
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PaymentStatus::parse("lost"), None);
        assert_eq!(status_after_refunds(100, 100), PaymentStatus::Refunded);
        assert_eq!(status_after_refunds(40, 100), PaymentStatus::PartiallyRefunded);
    }
}
