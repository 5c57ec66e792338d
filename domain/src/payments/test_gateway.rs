//! The built-in test gateway: it plays the payment provider for the demo shop and the tests. Its hosted page is
//! `/pay/test/{session}` (served by the shop, marked TEST MODE); its test cards decide the outcome. Like a real
//! provider it only records its own sessions and refunds and answers with events: applying them to payments,
//! orders, stock and mail is `workflows::settle_payment`'s job.

use async_trait::async_trait;
use sqlx::AnyConnection;

use model::disputes::DisputeStatus;

use super::{
    DisputeEvidence, DisputeReport, EventKind, GatewayError, PaymentEvent, PaymentGateway, PaymentRequest, PaymentStart,
};
use crate::platform::clock::now_ms;
use crate::platform::Db;

/// The built-in test gateway: hosted page at `/pay/test/{session}`, test cards, no money.
#[derive(Debug, Clone)]
pub struct TestGateway {
    db: Db,
}

/// Test card numbers and what they do.
pub const TEST_CARD_SUCCESS: &str = "4242424242424242";
pub const TEST_CARD_DECLINED: &str = "4000000000000002";
pub const TEST_CARD_NO_FUNDS: &str = "4000000000009995";
/// Pays, and the cardholder's bank then disputes the payment (Stripe's test card of the same number does so).
pub const TEST_CARD_DISPUTED: &str = "4000000000000259";
/// In evidence sent for a test dispute, these words decide the case at once (as in Stripe's test mode).
pub const WINNING_EVIDENCE: &str = "winning_evidence";
pub const LOSING_EVIDENCE: &str = "losing_evidence";
/// What a dispute costs the platform at the test gateway (Stripe's fee in the US).
pub const DISPUTE_FEE: i64 = 1500;
/// The days a test dispute gives to answer.
const RESPOND_DAYS: i64 = 7;

/// A hosted test payment as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSession {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub reference: String,
    pub status: String,
}

/// A test session as stored.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    amount: i64,
    currency: String,
    reference: String,
    status: String,
}

/// Why a card was not taken. A decline's text is ours and is shown to the shopper; a database failure is not
/// (it goes through the opaque internal error, with the request id).
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("{0}")]
    Declined(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The outcome of a card on the test gateway's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardOutcome {
    Approved,
    /// Approved, and disputed once paid.
    ApprovedThenDisputed,
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
        TEST_CARD_DISPUTED => CardOutcome::ApprovedThenDisputed,
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
        let row: Option<SessionRow> =
            sqlx::query_as("SELECT id, amount, currency, reference, status FROM test_gateway_sessions WHERE id = $1")
                .bind(id)
                .fetch_optional(self.db.pool())
                .await?;
        Ok(row.map(|r| TestSession {
            id: r.id,
            amount: r.amount,
            currency: r.currency,
            reference: r.reference,
            status: r.status,
        }))
    }

    /// The shopper submitted a card on the hosted page. An approved card completes the session once and returns
    /// the provider's "succeeded" event (the same event again for a session already paid); a declined card
    /// leaves the session open, as a hosted checkout does, and says why. `Ok(None)`: no such session.
    pub async fn pay(&self, session_id: &str, card_number: &str) -> Result<Option<PaymentEvent>, PayError> {
        let disputed = match test_card_outcome(card_number) {
            Err(message) | Ok(CardOutcome::Declined(message)) => return Err(PayError::Declined(message)),
            Ok(CardOutcome::Approved) => false,
            Ok(CardOutcome::ApprovedThenDisputed) => true,
        };
        self.finish(session_id, "succeeded", disputed).await?;
        Ok(self.finished_event(session_id).await?)
    }

    /// The dispute the cardholder's bank opened on a session paid with the dispute card (its event; the same
    /// event again when asked again). `None`: not such a session.
    pub async fn dispute_event(&self, session_id: &str) -> Result<Option<PaymentEvent>, sqlx::Error> {
        self.dispute_report(session_id, DisputeStatus::NeedsResponse).await
    }

    /// The case of a disputed session in `status`, as an event (its id names the status: each step once).
    async fn dispute_report(
        &self,
        session_id: &str,
        status: DisputeStatus,
    ) -> Result<Option<PaymentEvent>, sqlx::Error> {
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT amount, refunded, created_at FROM test_gateway_sessions \
             WHERE id = $1 AND status = 'succeeded' AND disputed = 1",
        )
        .bind(session_id)
        .fetch_optional(self.db.pool())
        .await?;
        let Some((amount, refunded, created_at)) = row.filter(|r| r.0 > r.1) else {
            return Ok(None);
        };
        let dispute = format!("tdp_{session_id}");
        Ok(Some(PaymentEvent {
            provider: "test".to_string(),
            event_id: format!("evt_{dispute}_{}", status.as_str()),
            provider_ref: session_id.to_string(),
            provider_payment: None,
            kind: EventKind::Dispute(DisputeReport {
                dispute,
                amount: amount - refunded,
                fee: DISPUTE_FEE,
                reason: "fraudulent".to_string(),
                respond_by: Some(created_at + RESPOND_DAYS * 86_400_000),
                status,
            }),
        }))
    }

    /// The shopper gave up on the hosted page: the session fails (once) and the provider's "failed" event is
    /// returned.
    pub async fn cancel(&self, session_id: &str) -> Result<Option<PaymentEvent>, sqlx::Error> {
        self.finish(session_id, "failed", false).await?;
        self.finished_event(session_id).await
    }

    /// Closes an open session once. A write transaction (not a bare UPDATE on the pool), so on SQLite it takes its
    /// turn with the shop's other writers instead of polling the lock.
    async fn finish(&self, session_id: &str, status: &str, disputed: bool) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE test_gateway_sessions SET status = $1, disputed = $2 WHERE id = $3 AND status = 'open'")
            .bind(status)
            .bind(i64::from(disputed))
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
    let id = format!("tgs_{}_{}", request.payment_id, crate::platform::ids::random_token());
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
             WHERE id = $2 AND status = 'succeeded' AND refunded + $1 <= amount AND disputed = 0",
        )
        .bind(amount)
        .bind(provider_ref)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?
        .rows_affected();
        if changed == 0 {
            return Err(GatewayError::Refused(
                "nothing to refund: not paid, more than was paid, or disputed".to_string(),
            ));
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    /// Decides at once when the evidence says so ([`WINNING_EVIDENCE`], [`LOSING_EVIDENCE`]); otherwise the case
    /// goes under review and stays there, as a real bank's would for weeks.
    async fn submit_evidence(
        &self,
        dispute: &str,
        evidence: &DisputeEvidence,
        _idempotency_key: &str,
    ) -> Result<Option<PaymentEvent>, GatewayError> {
        let session = dispute
            .strip_prefix("tdp_")
            .ok_or_else(|| GatewayError::Refused(format!("no such dispute: {dispute}")))?;
        let status = if evidence.text.contains(WINNING_EVIDENCE) {
            DisputeStatus::Won
        } else if evidence.text.contains(LOSING_EVIDENCE) {
            DisputeStatus::Lost
        } else {
            DisputeStatus::UnderReview
        };
        match self.dispute_report(session, status).await {
            Ok(Some(event)) => Ok(Some(event)),
            Ok(None) => Err(GatewayError::Refused(format!("no such dispute: {dispute}"))),
            Err(e) => Err(GatewayError::Unavailable(e.to_string())),
        }
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
        assert_eq!(
            test_card_outcome("4000 0000 0000 0259"),
            Ok(CardOutcome::ApprovedThenDisputed)
        );
        assert!(test_card_outcome("4242").is_err());
        assert!(test_card_outcome("abcd abcd abcd abcd").is_err());
    }
}
