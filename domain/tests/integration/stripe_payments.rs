//! The Stripe adapter (async-stripe) against a local fake Stripe that speaks Stripe's HTTP API for the calls we
//! make: form-encoded requests, JSON answers, Bearer keys, `Idempotency-Key` replay. Webhooks are signed with
//! Stripe's real scheme and go through the same handler as `POST /webhooks/stripe`. Stripe itself cannot be
//! reached from here; this is what stands in for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use domain::checkout;
use domain::orders;
use domain::payments::stripe::{sign, StripeGateway, WebhookFailure};
use domain::payments::PaymentGateway;
use domain::platform::clock::now_ms;
use domain::workflows::settle_payment::Applied;
use domain::workflows::{cancel_order, place_order, settle_payment};
use domain::Actor;

use domain::{cart, Db};
use serde_json::{json, Value};

use crate::db_tests;
use crate::harness::fixtures::{available, count, draft, key, two_sellers};

pub(crate) const API_KEY: &str = "sk_test_fake";
const WEBHOOK_SECRET: &str = "whsec_fake_signing_secret";

pub(crate) type Params = Vec<(String, String)>;
/// A request as the fake saw it: its parameters and its Idempotency-Key.
pub(crate) type Recorded = (Params, Option<String>);

#[derive(Default)]
struct Fake {
    sessions: HashMap<String, Value>,
    /// Idempotency-Key → (the request's parameters, the answer given): a replay answers the same; the same key
    /// with other parameters is an error, as at Stripe.
    idempotency: HashMap<String, (Params, Value)>,
    refunded: HashMap<String, i64>,
    disputes: HashMap<String, Value>,
    amounts: HashMap<String, i64>,
    requests: Vec<(String, Recorded)>,
    next: u32,
}

/// What a fake Stripe keeps for replaying idempotent requests and for the tests to read.
pub(crate) trait Remembers {
    fn idempotency(&mut self) -> &mut HashMap<String, (Params, Value)>;
    fn requests(&mut self) -> &mut Vec<(String, Recorded)>;
}

impl Remembers for Fake {
    fn idempotency(&mut self) -> &mut HashMap<String, (Params, Value)> {
        &mut self.idempotency
    }
    fn requests(&mut self) -> &mut Vec<(String, Recorded)> {
        &mut self.requests
    }
}

impl Fake {
    /// The PaymentIntent of a completed session.
    fn intent_of(&self, session_id: &str) -> String {
        self.sessions[session_id]["payment_intent"]
            .as_str()
            .expect("ok")
            .to_string()
    }
}

type Shared = Arc<Mutex<Fake>>;

pub(crate) fn stripe_error(status: StatusCode, kind: &str, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"type": kind, "code": code, "message": message}})),
    )
        .into_response()
}

/// Stripe's answer to a request without our secret key; `None` when the key is right.
pub(crate) fn unauthorized(headers: &HeaderMap) -> Option<Response> {
    let key = headers.get("authorization").and_then(|v| v.to_str().ok());
    (key != Some(&format!("Bearer {API_KEY}"))).then(|| {
        stripe_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "",
            "Invalid API Key provided",
        )
    })
}

pub(crate) fn param<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Runs `create` once per Idempotency-Key.
pub(crate) fn idempotent<F: Remembers>(
    fake: &mut F,
    headers: &HeaderMap,
    path: &str,
    mut form: Params,
    create: impl FnOnce(&mut F, &[(String, String)]) -> Result<Value, Box<Response>>,
) -> Response {
    form.sort();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    fake.requests().push((path.to_string(), (form.clone(), key.clone())));
    if let Some(key) = &key {
        if let Some((params, answer)) = fake.idempotency().get(key) {
            if *params != form {
                return stripe_error(
                    StatusCode::BAD_REQUEST,
                    "idempotency_error",
                    "idempotency_key_in_use",
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                );
            }
            return Json(answer.clone()).into_response();
        }
    }
    match create(fake, &form) {
        Ok(answer) => {
            if let Some(key) = key {
                fake.idempotency().insert(key, (form, answer.clone()));
            }
            Json(answer).into_response()
        }
        Err(response) => *response,
    }
}

async fn create_session(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refused) = unauthorized(&headers) {
        return refused;
    }
    let mut fake = s.lock().expect("ok");
    idempotent(&mut *fake, &headers, "/v1/checkout/sessions", form, |fake, form| {
        let required = [
            "mode",
            "success_url",
            "cancel_url",
            "line_items[0][price_data][currency]",
            "line_items[0][price_data][unit_amount]",
            "line_items[0][quantity]",
        ];
        if let Some(missing) = required.iter().find(|p| param(form, p).is_none()) {
            return Err(Box::new(stripe_error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "parameter_missing",
                &format!("Missing required param: {missing}."),
            )));
        }
        let unit: i64 = param(form, "line_items[0][price_data][unit_amount]")
            .expect("ok")
            .parse()
            .expect("ok");
        let quantity: i64 = param(form, "line_items[0][quantity]").expect("ok").parse().expect("ok");
        fake.next += 1;
        let id = format!("cs_test_{}", fake.next);
        let metadata: serde_json::Map<String, Value> = form
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("metadata[")?.strip_suffix(']')?.to_string(), json!(v))))
            .collect();
        let session = json!({
            "id": id, "object": "checkout.session", "automatic_tax": {"enabled": false},
            "created": now_ms() / 1000, "expires_at": param(form, "expires_at").and_then(|e| e.parse::<i64>().ok()),
            "custom_fields": [], "custom_text": {}, "livemode": false, "mode": "payment",
            "payment_method_types": ["card"], "payment_status": "unpaid", "shipping_options": [], "status": "open",
            "url": format!("https://checkout.stripe.test/c/pay/{id}"), "payment_intent": null,
            "client_reference_id": param(form, "client_reference_id"), "metadata": metadata,
            "amount_total": unit * quantity, "currency": param(form, "line_items[0][price_data][currency]"),
            "customer_email": param(form, "customer_email"),
            "success_url": param(form, "success_url"), "cancel_url": param(form, "cancel_url"),
        });
        fake.sessions.insert(id, session.clone());
        Ok(session)
    })
}

async fn retrieve_session(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(refused) = unauthorized(&headers) {
        return refused;
    }
    match s.lock().expect("ok").sessions.get(&id) {
        Some(session) => Json(session.clone()).into_response(),
        None => stripe_error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "resource_missing",
            &format!("No such checkout.session: '{id}'"),
        ),
    }
}

async fn create_refund(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refused) = unauthorized(&headers) {
        return refused;
    }
    let mut fake = s.lock().expect("ok");
    idempotent(&mut *fake, &headers, "/v1/refunds", form, |fake, form| {
        let Some(intent) = param(form, "payment_intent").map(str::to_string) else {
            return Err(Box::new(stripe_error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "parameter_missing",
                "Missing required param: payment_intent.",
            )));
        };
        let Some(paid) = fake.amounts.get(&intent).copied() else {
            return Err(Box::new(stripe_error(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                "resource_missing",
                &format!("No such payment_intent: '{intent}'"),
            )));
        };
        let already = fake.refunded.get(&intent).copied().unwrap_or(0);
        let amount = param(form, "amount").map_or(paid - already, |a| a.parse().expect("ok"));
        if amount <= 0 || already + amount > paid {
            return Err(Box::new(stripe_error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "amount_too_large",
                "Refund amount is greater than unrefunded amount on charge.",
            )));
        }
        fake.refunded.insert(intent.clone(), already + amount);
        fake.next += 1;
        Ok(
            json!({"id": format!("re_{}", fake.next), "object": "refund", "amount": amount,
            "created": now_ms() / 1000, "currency": "usd", "status": "succeeded", "payment_intent": intent}),
        )
    })
}

/// `POST /v1/disputes/{id}`: evidence for a case (`submit=true` sends it to the bank); answers the Dispute.
async fn update_dispute(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refused) = unauthorized(&headers) {
        return refused;
    }
    let mut fake = s.lock().expect("ok");
    let path = format!("/v1/disputes/{id}");
    idempotent(&mut *fake, &headers, &path, form, |fake, form| {
        let Some(dispute) = fake.disputes.get_mut(&id) else {
            return Err(Box::new(stripe_error(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                "resource_missing",
                &format!("No such dispute: '{id}'"),
            )));
        };
        for (name, value) in form {
            if let Some(field) = name.strip_prefix("evidence[").and_then(|f| f.strip_suffix(']')) {
                dispute["evidence"][field] = json!(value);
            }
        }
        if param(form, "submit") == Some("true") {
            dispute["status"] = json!("under_review");
            dispute["evidence_details"]["submission_count"] = json!(1);
        }
        // The balance transactions are left out of the answer (we never read them from it; the webhook carries them).
        let mut answer = dispute.clone();
        answer["balance_transactions"] = json!([]);
        Ok(answer)
    })
}

/// Serves a fake on a free local port; its base address.
pub(crate) async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

pub(crate) struct FakeStripe {
    pub(crate) base: String,
    state: Shared,
}

impl FakeStripe {
    pub(crate) async fn spawn() -> FakeStripe {
        let state = Shared::default();
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}", get(retrieve_session))
            .route("/v1/refunds", post(create_refund))
            .route("/v1/disputes/{id}", post(update_dispute))
            .with_state(state.clone());
        FakeStripe {
            base: serve(app).await,
            state,
        }
    }

    pub(crate) fn gateway(&self) -> StripeGateway {
        StripeGateway::new(API_KEY, Some(&self.base), "https://shop.example").expect("gateway")
    }

    /// The shopper pays on Stripe's page: the session completes with a PaymentIntent. Returns the webhook body.
    pub(crate) fn complete(&self, session_id: &str) -> String {
        let mut fake = self.state.lock().expect("ok");
        fake.next += 1;
        let intent = format!("pi_test_{}", fake.next);
        let session = fake.sessions.get_mut(session_id).expect("session");
        session["payment_status"] = json!("paid");
        session["status"] = json!("complete");
        session["payment_intent"] = json!(intent);
        let amount = session["amount_total"].as_i64().expect("ok");
        let object = session.clone();
        fake.amounts.insert(intent, amount);
        event("checkout.session.completed", object, fake.next)
    }

    /// Stripe's `charge.refunded` for a PaymentIntent, with the cumulative refunded amount.
    fn refund_event(&self, session_id: &str, total: i64) -> String {
        let mut fake = self.state.lock().expect("ok");
        fake.next += 1;
        let intent = fake.intent_of(session_id);
        let charge = json!({"id": format!("ch_{}", fake.next), "object": "charge", "payment_intent": intent,
            "amount_refunded": total, "refunded": true});
        event("charge.refunded", charge, fake.next)
    }

    /// The cardholder's bank disputes the session's payment (`charge.dispute.created`), or Stripe reports the case
    /// in `status` afterwards (`charge.dispute.updated` / `.closed`). Returns the webhook body.
    pub(crate) fn dispute_event(&self, session_id: &str, kind: &str, status: &str, amount: i64) -> String {
        let mut fake = self.state.lock().expect("ok");
        fake.next += 1;
        let intent = fake.intent_of(session_id);
        let id = format!("dp_{}", session_id);
        let dispute = fake.disputes.entry(id.clone()).or_insert_with(|| {
            json!({"id": id, "object": "dispute", "amount": amount, "charge": format!("ch_{intent}"),
                "created": now_ms() / 1000, "currency": "usd", "payment_intent": intent, "reason": "fraudulent",
                "status": "needs_response", "livemode": false, "metadata": {}, "is_charge_refundable": false,
                "balance_transactions": [{"id": "txn_1", "object": "balance_transaction", "amount": -amount,
                    "fee": 1500, "currency": "usd"}],
                "enhanced_eligibility_types": [], "evidence": {"enhanced_evidence": {}},
                "evidence_details": {"due_by": now_ms() / 1000 + 7 * 86_400, "has_evidence": false,
                    "past_due": false, "submission_count": 0, "enhanced_eligibility": {}}})
        });
        dispute["status"] = json!(status);
        let object = dispute.clone();
        event(kind, object, fake.next)
    }

    pub(crate) fn requests_to(&self, path: &str) -> Vec<Recorded> {
        let fake = self.state.lock().expect("ok");
        fake.requests
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, recorded)| recorded.clone())
            .collect()
    }
}

pub(crate) fn event(kind: &str, object: Value, n: u32) -> String {
    json!({"id": format!("evt_test_{n}"), "object": "event", "type": kind, "created": now_ms() / 1000,
        "data": {"object": object}})
    .to_string()
}

fn signed(body: &str) -> String {
    sign(body.as_bytes(), WEBHOOK_SECRET, now_ms() / 1000)
}

pub(crate) async fn deliver(
    db: &Db,
    gateway: &dyn PaymentGateway,
    body: &str,
) -> Result<Option<Applied>, WebhookFailure> {
    settle_payment::stripe_webhook(db, gateway, body.as_bytes(), &signed(body), WEBHOOK_SECRET).await
}

pub(crate) fn session_of(url: &str) -> String {
    url.rsplit('/').next().expect("ok").to_string()
}

/// A guest cart with one unit from each of two sellers, placed with Stripe.
pub(crate) async fn placed_with_stripe(db: &Db, gateway: &StripeGateway) -> (place_order::Placed, i64, i64) {
    let (a, b) = two_sellers(db, 5).await;
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    cart::add(db, cart_id, a, 1).await.expect("add");
    cart::add(db, cart_id, b, 1).await.expect("add");
    let details = draft(db, cart_id, "US").await;
    let placed = crate::harness::fixtures::place(db, gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    (placed, a, b)
}

async fn a_stripe_checkout_is_paid_once_however_often_the_webhook_comes(db: Db) {
    let stripe = FakeStripe::spawn().await;
    let gateway = stripe.gateway();
    let (placed, a, _) = placed_with_stripe(&db, &gateway).await;
    assert!(
        placed.redirect_url.starts_with("https://checkout.stripe.test/"),
        "{}",
        placed.redirect_url
    );
    let session = session_of(&placed.redirect_url);

    let calls = stripe.requests_to("/v1/checkout/sessions");
    assert_eq!(calls.len(), 1);
    let (form, idempotency) = &calls[0];
    let payment_id: i64 = sqlx::query_scalar("SELECT id FROM payments")
        .fetch_one(db.pool())
        .await
        .expect("payment");
    assert_eq!(
        idempotency.as_deref(),
        Some(format!("bazaar-checkout-{payment_id}").as_str())
    );
    let grand: i64 = sqlx::query_scalar("SELECT grand_total FROM order_groups")
        .fetch_one(db.pool())
        .await
        .expect("total");
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(field("line_items[0][price_data][unit_amount]"), Some(grand.to_string()));
    assert_eq!(field("mode").as_deref(), Some("payment"));
    assert_eq!(field("client_reference_id"), Some(payment_id.to_string()));
    assert_eq!(
        field("payment_intent_data[metadata][payment_id]"),
        Some(payment_id.to_string())
    );
    assert!(field("success_url")
        .expect("ok")
        .starts_with("https://shop.example/api/stripe_return?session_id="));

    // Starting the same payment again (a retry after a timeout) gets the same session from Stripe.
    let again = gateway
        .start(&domain::payments::PaymentRequest {
            payment_id,
            reference: placed.number.clone(),
            amount: grand,
            currency: "USD".into(),
            email: "buyer@example.com".into(),
        })
        .await
        .expect("replayed");
    assert_eq!(again.provider_ref, session);

    let body = stripe.complete(&session);
    // A forged or stale delivery is refused and changes nothing.
    let forged = settle_payment::stripe_webhook(&db, &gateway, body.as_bytes(), &signed(&body), "whsec_wrong").await;
    assert!(matches!(forged, Err(WebhookFailure::Rejected(_))));
    let stale = sign(body.as_bytes(), WEBHOOK_SECRET, now_ms() / 1000 - 301);
    assert!(matches!(
        settle_payment::stripe_webhook(&db, &gateway, body.as_bytes(), &stale, WEBHOOK_SECRET).await,
        Err(WebhookFailure::Rejected(_))
    ));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payment_events").await, 0);

    // The same event ten times at once: one state change, one email.
    let results = futures::future::join_all((0..10).map(|_| {
        let db = db.clone();
        let gateway = gateway.clone();
        let body = body.clone();
        async move { deliver(&db, &gateway, &body).await.expect("delivered") }
    }))
    .await;
    assert_eq!(
        results
            .iter()
            .filter(|r| matches!(r, Some(Applied::Paid { .. })))
            .count(),
        1
    );
    assert_eq!(results.iter().filter(|r| **r == Some(Applied::Duplicate)).count(), 9);
    // One confirmation (a low-stock alert to the seller may be queued too: it is not the shopper's mail).
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM mail_outbox WHERE dedupe_key LIKE 'order-confirmation:%'"
        )
        .await,
        1
    );
    assert_eq!(available(&db, a).await, 4);

    // The shopper's return asks Stripe too: already paid, nothing changes.
    let returned = gateway.status(&session).await.expect("status").expect("paid");
    assert_eq!(
        settle_payment::receive(&db, &gateway, &returned)
            .await
            .expect("receive"),
        Applied::Ignored
    );
    let view = orders::group_view(&db, &placed.number, &Actor::visitor(), Some(&placed.view_token))
        .await
        .expect("order");
    assert_eq!(view.status, "paid");
    let intent: Option<String> = sqlx::query_scalar("SELECT provider_payment FROM payments")
        .fetch_one(db.pool())
        .await
        .expect("intent");
    assert!(intent.is_some_and(|i| i.starts_with("pi_test_")));
}

async fn a_refund_reported_before_the_success_still_ends_refunded(db: Db) {
    let stripe = FakeStripe::spawn().await;
    let gateway = stripe.gateway();
    let (placed, a, b) = placed_with_stripe(&db, &gateway).await;
    let session = session_of(&placed.redirect_url);
    let completed = stripe.complete(&session);
    let grand: i64 = sqlx::query_scalar("SELECT grand_total FROM order_groups")
        .fetch_one(db.pool())
        .await
        .expect("total");
    // Refunded in full from Stripe's dashboard; the refund's event overtakes the completion's.
    let refunded = stripe.refund_event(&session, grand);
    assert_eq!(
        deliver(&db, &gateway, &refunded).await.expect("delivered"),
        Some(Applied::Waiting)
    );
    assert!(matches!(
        deliver(&db, &gateway, &completed).await.expect("delivered"),
        Some(Applied::Refunded { .. })
    ));
    let view = orders::group_view(&db, &placed.number, &Actor::visitor(), Some(&placed.view_token))
        .await
        .expect("order");
    assert!(view.orders.iter().all(|o| o.status == "refunded"), "{:?}", view.orders);
    assert_eq!(view.status_label, "Refunded");
    let (status, refunded_total): (String, i64) = sqlx::query_as("SELECT status, refunded FROM payments")
        .fetch_one(db.pool())
        .await
        .expect("payment");
    assert_eq!((status.as_str(), refunded_total), ("refunded", grand));
    assert_eq!(available(&db, a).await, 5, "the stock is back");
    assert_eq!(available(&db, b).await, 5);
    // Redelivered in the normal order afterwards: nothing more happens.
    assert_eq!(
        deliver(&db, &gateway, &completed).await.expect("again"),
        Some(Applied::Duplicate)
    );
    assert_eq!(
        deliver(&db, &gateway, &refunded).await.expect("again"),
        Some(Applied::Duplicate)
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM payment_events WHERE applied = 0").await,
        0
    );
}

async fn cancelling_one_seller_order_refunds_part_of_the_payment_through_stripe(db: Db) {
    let stripe = FakeStripe::spawn().await;
    let gateway = stripe.gateway();
    let (placed, ..) = placed_with_stripe(&db, &gateway).await;
    let session = session_of(&placed.redirect_url);
    let completed = stripe.complete(&session);
    deliver(&db, &gateway, &completed).await.expect("paid");
    let (viewer, token) = (Actor::visitor(), Some(placed.view_token.clone()));
    let view = orders::group_view(&db, &placed.number, &viewer, token.as_deref())
        .await
        .expect("order");
    let first = view.orders[0].clone();
    cancel_order::cancel(&db, &gateway, &viewer, &placed.number, &first.number, token.as_deref())
        .await
        .expect("cancelled");
    let refunds = stripe.requests_to("/v1/refunds");
    assert_eq!(refunds.len(), 1);
    let (form, idempotency) = &refunds[0];
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(
        field("amount"),
        Some(first.total.amount.to_string()),
        "a partial refund"
    );
    assert!(field("payment_intent").is_some_and(|p| p.starts_with("pi_test_")));
    // The key is our own refund record's.
    let claim: i64 =
        sqlx::query_scalar("SELECT r.id FROM order_refunds r JOIN orders o ON o.id = r.order_id WHERE o.number = $1")
            .bind(&first.number)
            .fetch_one(db.pool())
            .await
            .expect("refund record");
    assert_eq!(idempotency.as_deref(), Some(format!("bazaar-refund-{claim}").as_str()));
    // Stripe then reports the refund we made: already recorded, nothing changes.
    let reported = stripe.refund_event(&session, first.total.amount);
    assert_eq!(
        deliver(&db, &gateway, &reported).await.expect("delivered"),
        Some(Applied::Ignored)
    );
    let view = orders::group_view(&db, &placed.number, &viewer, token.as_deref())
        .await
        .expect("order");
    assert_eq!(view.orders[0].status, "cancelled");
    assert_eq!(view.orders[1].status, "paid", "the other seller's order stands");
    let (status, refunded): (String, i64) = sqlx::query_as("SELECT status, refunded FROM payments")
        .fetch_one(db.pool())
        .await
        .expect("payment");
    assert_eq!((status.as_str(), refunded), ("partially_refunded", first.total.amount));
}

async fn a_stripe_outage_fails_the_order_cleanly_and_frees_the_stock(db: Db) {
    let gateway = StripeGateway::new(API_KEY, Some("http://127.0.0.1:9"), "https://shop.example").expect("gateway");
    let (a, _) = two_sellers(&db, 3).await;
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 2).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let result = crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key()).await;
    assert!(matches!(result, Err(checkout::CheckoutError::Gateway(_))), "{result:?}");
    assert_eq!(available(&db, a).await, 3, "nothing held");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM payments WHERE status = 'succeeded'").await,
        0
    );
}

db_tests!(
    a_stripe_checkout_is_paid_once_however_often_the_webhook_comes,
    a_refund_reported_before_the_success_still_ends_refunded,
    cancelling_one_seller_order_refunds_part_of_the_payment_through_stripe,
    a_stripe_outage_fails_the_order_cleanly_and_frees_the_stock,
);
