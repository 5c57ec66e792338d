//! Stripe through async-stripe, with Checkout Sessions (docs/decisions/0010): the shopper pays on Stripe's hosted
//! page; Stripe reports the outcome to `POST /webhooks/stripe`, whose payload [`verify_signature`] checks and
//! [`parse_event`] turns into a [`PaymentEvent`] for the inbox.
//!
//! Every call carries an idempotency key derived from our own record (the payment row, or the refund's key), so a
//! retried call after a timeout cannot open a second session or refund twice.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionPaymentIntentData, ProductData, RetrieveCheckoutSession,
};
use stripe_checkout::{CheckoutSessionMode, CheckoutSessionPaymentStatus};
use stripe_core::dispute::{UpdateDispute, UpdateDisputeEvidence};
use stripe_core::refund::CreateRefund;
use stripe_types::Currency;

use model::disputes::DisputeStatus;

use super::{
    DisputeEvidence, DisputeReport, EventKind, GatewayError, PaymentEvent, PaymentGateway, PaymentRequest, PaymentStart,
};

/// How far a webhook's signed timestamp may be from our clock (Stripe's own libraries use 300 s).
pub const WEBHOOK_TOLERANCE_SECS: i64 = 300;

/// A hosted session lives this long (Stripe's minimum is 30 minutes); our stock hold is shorter, and a payment
/// that lands after the hold is re-checked (see `workflows::settle_payment`).
const SESSION_LIFETIME_SECS: i64 = 30 * 60;

#[derive(Clone)]
pub struct StripeGateway {
    client: Client,
    /// The shop's public address: Stripe sends the shopper back to it.
    public_url: String,
}

impl fmt::Debug for StripeGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client holds the secret key: never printed.
        f.debug_struct("StripeGateway")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

pub(crate) fn key(text: &str) -> Result<RequestStrategy, GatewayError> {
    IdempotencyKey::new(text)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| GatewayError::Refused(e.to_string()))
}

pub(crate) fn gateway_error(err: StripeError) -> GatewayError {
    match err {
        StripeError::Stripe(e, status) if (400..500).contains(&status) && status != 429 => {
            GatewayError::Refused(format!(
                "{status}: {}",
                e.message.clone().unwrap_or_else(|| "refused".to_string())
            ))
        }
        other => GatewayError::Unavailable(other.to_string()),
    }
}

/// A Stripe client with our timeout; `api_base`: Stripe's API by default, a local fake Stripe in the tests.
pub(crate) fn client(secret_key: &str, api_base: Option<&str>) -> Result<Client, GatewayError> {
    let mut builder = ClientBuilder::new(secret_key).timeout(Duration::from_secs(20));
    if let Some(base) = api_base {
        builder = builder.url(base);
    }
    builder.build().map_err(|e| GatewayError::Unavailable(e.to_string()))
}

impl StripeGateway {
    /// `api_base`: Stripe's API by default; the tests point it at a local fake Stripe.
    pub fn new(secret_key: &str, api_base: Option<&str>, public_url: &str) -> Result<StripeGateway, GatewayError> {
        Ok(StripeGateway {
            client: client(secret_key, api_base)?,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }

    /// The PaymentIntent behind a completed Checkout Session (refunds are made against it).
    async fn payment_intent_of(&self, session_id: &str) -> Result<String, GatewayError> {
        let session = RetrieveCheckoutSession::new(session_id)
            .send(&self.client)
            .await
            .map_err(gateway_error)?;
        session
            .payment_intent
            .as_ref()
            .map(|p| p.id().as_str().to_string())
            .ok_or_else(|| GatewayError::Refused("the session has no payment to refund".to_string()))
    }
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    fn provider(&self) -> &'static str {
        "stripe"
    }

    fn test_mode(&self) -> bool {
        false
    }

    async fn start(&self, request: &PaymentRequest) -> Result<PaymentStart, GatewayError> {
        let currency: Currency = request.currency.to_lowercase().parse().unwrap_or(Currency::USD);
        // One line for the whole order: the amount comes from our database (the review page showed each line);
        // Stripe's page shows the order number and the total to pay.
        let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency);
        price.unit_amount = Some(request.amount);
        price.product_data = Some(ProductData::new(format!("Bazaar order {}", request.reference)));
        let mut line = CreateCheckoutSessionLineItems::new();
        line.price_data = Some(price);
        line.quantity = Some(1);
        let metadata = std::collections::HashMap::from([
            ("payment_id".to_string(), request.payment_id.to_string()),
            ("order".to_string(), request.reference.clone()),
        ]);
        let mut intent = CreateCheckoutSessionPaymentIntentData::new();
        intent.metadata = Some(metadata.clone());
        let session = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Payment)
            .line_items(vec![line])
            .success_url(format!(
                "{}/api/stripe_return?session_id={{CHECKOUT_SESSION_ID}}",
                self.public_url
            ))
            .cancel_url(format!(
                "{}/api/stripe_cancel?session_id={{CHECKOUT_SESSION_ID}}",
                self.public_url
            ))
            .client_reference_id(request.payment_id.to_string())
            .metadata(metadata)
            .payment_intent_data(intent)
            .customer_email(request.email.clone())
            // From the payment's own moment, not the clock: a retry (same idempotency key) must send the same
            // parameters, or Stripe refuses it. The margin keeps it over Stripe's 30-minute minimum.
            .expires_at(crate::platform::ids::created_ms(request.payment_id) / 1000 + SESSION_LIFETIME_SECS + 120)
            .customize()
            .request_strategy(key(&format!("bazaar-checkout-{}", request.payment_id))?)
            .send(&self.client)
            .await
            .map_err(gateway_error)?;
        let redirect_url = session
            .url
            .clone()
            .ok_or_else(|| GatewayError::Refused("Stripe returned a session without a page".to_string()))?;
        Ok(PaymentStart {
            provider_ref: session.id.as_str().to_string(),
            redirect_url,
        })
    }

    async fn status(&self, provider_ref: &str) -> Result<Option<PaymentEvent>, GatewayError> {
        let session = RetrieveCheckoutSession::new(provider_ref)
            .send(&self.client)
            .await
            .map_err(gateway_error)?;
        if session.payment_status != CheckoutSessionPaymentStatus::Paid {
            return Ok(None);
        }
        Ok(Some(PaymentEvent {
            provider: "stripe".to_string(),
            // Not a Stripe event id: the webhook's own event is recorded separately and then changes nothing.
            event_id: format!("return:{provider_ref}"),
            provider_ref: provider_ref.to_string(),
            provider_payment: session.payment_intent.as_ref().map(|p| p.id().as_str().to_string()),
            kind: EventKind::Succeeded,
        }))
    }

    async fn refund(&self, provider_ref: &str, amount: i64, idempotency_key: &str) -> Result<(), GatewayError> {
        let intent = self.payment_intent_of(provider_ref).await?;
        CreateRefund::new()
            .payment_intent(intent)
            .amount(amount)
            .customize()
            .request_strategy(key(&format!("bazaar-{idempotency_key}"))?)
            .send(&self.client)
            .await
            .map_err(gateway_error)?;
        Ok(())
    }

    /// Submits the evidence (final). Stripe reports the bank's decision later as `charge.dispute.closed`.
    async fn submit_evidence(
        &self,
        dispute: &str,
        evidence: &DisputeEvidence,
        idempotency_key: &str,
    ) -> Result<Option<PaymentEvent>, GatewayError> {
        let mut fields = UpdateDisputeEvidence::new();
        fields.uncategorized_text = Some(evidence.text.clone());
        fields.shipping_carrier = evidence.carrier.clone();
        fields.shipping_tracking_number = evidence.tracking_number.clone();
        fields.shipping_date = evidence.shipping_date.clone();
        fields.customer_email_address = evidence.customer_email.clone();
        UpdateDispute::new(dispute)
            .evidence(fields)
            .submit(true)
            .customize()
            .request_strategy(key(&format!("bazaar-evidence-{idempotency_key}"))?)
            .send(&self.client)
            .await
            .map_err(gateway_error)?;
        Ok(None)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("missing or malformed Stripe-Signature header")]
    BadHeader,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
    #[error("the payload is not a Stripe event")]
    BadPayload,
}

/// Checks a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`) against the raw body: HMAC-SHA256 of `"{t}.{body}"`
/// with the endpoint's signing secret; any `v1` may match (Stripe sends one per active secret while a secret is
/// rolled); the timestamp must be within [`WEBHOOK_TOLERANCE_SECS`] of `now_secs`.
pub fn verify_signature(payload: &[u8], header: &str, secret: &str, now_secs: i64) -> Result<(), WebhookError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.push(sig),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::BadHeader)?;
    if signatures.is_empty() {
        return Err(WebhookError::BadHeader);
    }
    if (now_secs - timestamp).abs() > WEBHOOK_TOLERANCE_SECS {
        return Err(WebhookError::Stale);
    }
    for signature in signatures {
        let Ok(expected) = hex::decode(signature) else {
            continue;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| WebhookError::Mismatch)?;
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        // verify_slice compares in constant time.
        if mac.verify_slice(&expected).is_ok() {
            return Ok(());
        }
    }
    Err(WebhookError::Mismatch)
}

/// The `Stripe-Signature` header Stripe would send for `payload` at `timestamp` (for the fake Stripe in tests and
/// for replaying an event by hand).
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[derive(serde::Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(serde::Deserialize)]
struct EventData {
    object: serde_json::Value,
}

pub(crate) fn text(value: &serde_json::Value, field: &str) -> Option<String> {
    match value.get(field)? {
        serde_json::Value::String(s) => Some(s.clone()),
        // An expanded object: its id.
        serde_json::Value::Object(o) => o.get("id")?.as_str().map(str::to_string),
        _ => None,
    }
}

/// The event as our inbox understands it; `Ok(None)` for event types we do not act on (answered 200 so Stripe
/// stops sending them).
pub fn parse_event(payload: &[u8]) -> Result<Option<PaymentEvent>, WebhookError> {
    let event: Event = serde_json::from_slice(payload).map_err(|_| WebhookError::BadPayload)?;
    let object = &event.data.object;
    let session = || text(object, "id").ok_or(WebhookError::BadPayload);
    let (provider_ref, kind, provider_payment) = match event.kind.as_str() {
        // Card payments are paid when the session completes; delayed methods report later.
        "checkout.session.completed" if text(object, "payment_status").as_deref() == Some("paid") => {
            (session()?, EventKind::Succeeded, text(object, "payment_intent"))
        }
        "checkout.session.async_payment_succeeded" => {
            (session()?, EventKind::Succeeded, text(object, "payment_intent"))
        }
        "checkout.session.async_payment_failed" => (
            session()?,
            EventKind::Failed("The payment did not go through.".to_string()),
            None,
        ),
        "checkout.session.expired" => (
            session()?,
            EventKind::Failed("The payment page expired before paying.".to_string()),
            None,
        ),
        // A Charge: `amount_refunded` is the cumulative refunded amount, which makes redelivery and reordering
        // of refund events harmless.
        "charge.dispute.created" | "charge.dispute.updated" | "charge.dispute.closed" => {
            let intent = text(object, "payment_intent").ok_or(WebhookError::BadPayload)?;
            // An inquiry (`warning_…`) takes no money, and a status we do not know is not ours to act on: both are
            // answered 200 and change nothing.
            let Some(report) = dispute_report(object)? else {
                return Ok(None);
            };
            (intent, EventKind::Dispute(report), None)
        }
        "charge.refunded" => {
            let intent = text(object, "payment_intent").ok_or(WebhookError::BadPayload)?;
            let total = object
                .get("amount_refunded")
                .and_then(serde_json::Value::as_i64)
                .ok_or(WebhookError::BadPayload)?;
            (intent, EventKind::Refunded(total), None)
        }
        _ => return Ok(None),
    };
    Ok(Some(PaymentEvent {
        provider: "stripe".to_string(),
        event_id: event.id,
        provider_ref,
        provider_payment,
        kind,
    }))
}

/// Stripe's chargeback statuses as ours; `None` for inquiries (`warning_…`: no money moved) and others.
fn dispute_status(stripe: &str) -> Option<DisputeStatus> {
    Some(match stripe {
        "needs_response" => DisputeStatus::NeedsResponse,
        "under_review" => DisputeStatus::UnderReview,
        "won" => DisputeStatus::Won,
        "lost" => DisputeStatus::Lost,
        _ => return None,
    })
}

/// A Dispute object as our report: its amount, the fees on its balance transactions, its reason, deadline and
/// status.
fn dispute_report(object: &serde_json::Value) -> Result<Option<DisputeReport>, WebhookError> {
    let Some(status) = text(object, "status").as_deref().and_then(dispute_status) else {
        return Ok(None);
    };
    let amount = object
        .get("amount")
        .and_then(serde_json::Value::as_i64)
        .filter(|a| *a > 0)
        .ok_or(WebhookError::BadPayload)?;
    let fee = object
        .get("balance_transactions")
        .and_then(serde_json::Value::as_array)
        .map(|list| list.iter().filter_map(|t| t.get("fee")?.as_i64()).sum())
        .unwrap_or(0);
    let respond_by = object
        .get("evidence_details")
        .and_then(|d| d.get("due_by"))
        .and_then(serde_json::Value::as_i64)
        .map(|secs| secs * 1000);
    Ok(Some(DisputeReport {
        dispute: text(object, "id").ok_or(WebhookError::BadPayload)?,
        amount,
        fee,
        reason: text(object, "reason").unwrap_or_default(),
        respond_by,
        status,
    }))
}

/// Why a webhook delivery was not processed: a bad request (400, Stripe shows it in its dashboard and does not
/// retry a forged call into success) or our failure (500, Stripe retries later).
#[derive(Debug, thiserror::Error)]
pub enum WebhookFailure {
    #[error(transparent)]
    Rejected(#[from] WebhookError),
    #[error("the event could not be processed: {0}")]
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";

    #[test]
    fn a_signature_made_with_the_secret_verifies_within_the_tolerance() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, SECRET, 1_000_000);
        assert_eq!(verify_signature(body, &header, SECRET, 1_000_000), Ok(()));
        assert_eq!(verify_signature(body, &header, SECRET, 1_000_300), Ok(()));
        assert_eq!(verify_signature(body, &header, SECRET, 999_700), Ok(()));
        assert_eq!(
            verify_signature(body, &header, SECRET, 1_000_301),
            Err(WebhookError::Stale)
        );
        assert_eq!(
            verify_signature(body, &header, SECRET, 999_699),
            Err(WebhookError::Stale)
        );
    }

    #[test]
    fn a_changed_body_a_wrong_secret_or_a_bad_header_is_refused() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, SECRET, 10);
        assert_eq!(
            verify_signature(br#"{"id":"evt_2"}"#, &header, SECRET, 10),
            Err(WebhookError::Mismatch)
        );
        assert_eq!(
            verify_signature(body, &header, "whsec_other", 10),
            Err(WebhookError::Mismatch)
        );
        assert_eq!(
            verify_signature(body, "v1=abc", SECRET, 10),
            Err(WebhookError::BadHeader)
        );
        assert_eq!(verify_signature(body, "t=10", SECRET, 10), Err(WebhookError::BadHeader));
        assert_eq!(verify_signature(body, "", SECRET, 10), Err(WebhookError::BadHeader));
    }

    #[test]
    fn any_matching_v1_is_enough() {
        let body = b"{}";
        let good = sign(body, SECRET, 50);
        let good_sig = good.split("v1=").nth(1).expect("ok");
        let header = format!("t=50,v1={},v0=ignored,v1={good_sig}", "00".repeat(32));
        assert_eq!(verify_signature(body, &header, SECRET, 50), Ok(()));
        let header = format!("t=50,v1=nothex,v1={good_sig}");
        assert_eq!(verify_signature(body, &header, SECRET, 50), Ok(()));
    }

    #[test]
    fn events_map_to_the_inbox() {
        let completed = br#"{"id":"evt_a","type":"checkout.session.completed","data":{"object":
            {"id":"cs_1","payment_status":"paid","payment_intent":"pi_1"}}}"#;
        let event = parse_event(completed).expect("ok").expect("ok");
        assert_eq!(event.kind, EventKind::Succeeded);
        assert_eq!(event.provider_ref, "cs_1");
        assert_eq!(event.provider_payment.as_deref(), Some("pi_1"));
        let unpaid = br#"{"id":"evt_b","type":"checkout.session.completed","data":{"object":
            {"id":"cs_1","payment_status":"unpaid","payment_intent":null}}}"#;
        assert_eq!(parse_event(unpaid).expect("ok"), None);
        let refunded = br#"{"id":"evt_c","type":"charge.refunded","data":{"object":
            {"id":"ch_1","payment_intent":"pi_1","amount_refunded":700}}}"#;
        let event = parse_event(refunded).expect("ok").expect("ok");
        assert_eq!(
            (event.provider_ref.as_str(), event.kind),
            ("pi_1", EventKind::Refunded(700))
        );
        assert_eq!(parse_event(b"not json"), Err(WebhookError::BadPayload));
        let opened = br#"{"id":"evt_e","type":"charge.dispute.created","data":{"object":{"id":"dp_1",
            "payment_intent":"pi_1","amount":700,"reason":"fraudulent","status":"needs_response",
            "evidence_details":{"due_by":1000},"balance_transactions":[{"amount":-700,"fee":1500}]}}}"#;
        let event = parse_event(opened).expect("ok").expect("ok");
        let mut report = DisputeReport {
            dispute: "dp_1".into(),
            amount: 700,
            fee: 1500,
            reason: "fraudulent".into(),
            respond_by: Some(1_000_000),
            status: DisputeStatus::NeedsResponse,
        };
        assert_eq!(
            (event.provider_ref.as_str(), event.kind),
            ("pi_1", EventKind::Dispute(report.clone()))
        );
        let closed = br#"{"id":"evt_f","type":"charge.dispute.closed","data":{"object":{"id":"dp_1",
            "payment_intent":"pi_1","amount":700,"reason":"fraudulent","status":"lost"}}}"#;
        let event = parse_event(closed).expect("ok").expect("ok");
        (report.fee, report.respond_by, report.status) = (0, None, DisputeStatus::Lost);
        assert_eq!(event.kind, EventKind::Dispute(report));
        let odd = br#"{"id":"evt_g","type":"charge.dispute.closed","data":{"object":{"id":"dp_1",
            "payment_intent":"pi_1","status":"strange"}}}"#;
        assert_eq!(parse_event(odd), Ok(None), "a status we do not know changes nothing");
        let inquiry = br#"{"id":"evt_h","type":"charge.dispute.created","data":{"object":{"id":"dp_2",
            "payment_intent":"pi_1","amount":700,"status":"warning_needs_response"}}}"#;
        assert_eq!(parse_event(inquiry), Ok(None), "an inquiry takes no money");
        let other = br#"{"id":"evt_d","type":"customer.created","data":{"object":{"id":"cus_1"}}}"#;
        assert_eq!(parse_event(other).expect("ok"), None);
    }
}
