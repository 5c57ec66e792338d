//! A local fake of Stripe's Connect API for the calls we make (accounts, account links, transfers, reversals,
//! and the PaymentIntent a transfer's `source_transaction` is read from): form-encoded requests, JSON answers,
//! Bearer keys, `Idempotency-Key` replay, Stripe's errors. Connect webhooks are signed with Stripe's scheme and go
//! through the same handler as `POST /webhooks/stripe/connect`. Stripe cannot be reached from here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use domain::payments::stripe::{sign, WebhookFailure};
use domain::payments::stripe_connect::StripeConnect;
use domain::platform::clock::now_ms;
use domain::workflows::connect_events;
use domain::Db;
use serde_json::{json, Value};

use crate::stripe_payments::{
    event, idempotent, param, serve, stripe_error, unauthorized, Params, Recorded, Remembers, API_KEY,
};

pub(crate) const CONNECT_SECRET: &str = "whsec_fake_connect_secret";

/// How the fake answers the next calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Mood {
    #[default]
    Fine,
    /// Every call fails with a 500 (Stripe down).
    Down,
    /// Transfers: the platform's balance is short (400 `balance_insufficient`).
    PlatformShort,
    /// Reversals: the connected account's balance is short (400 `insufficient_funds`).
    AccountShort,
    /// Transfers and reversals are made, but the answer is lost (a 500 after the work).
    LoseAnswer,
    /// A concurrent request holds the key (409 `idempotency_error`): nothing is made.
    KeyInUse,
}

#[derive(Default)]
struct Connect {
    accounts: HashMap<String, Value>,
    transfers: HashMap<String, Value>,
    reversals: HashMap<String, Vec<Value>>,
    idempotency: HashMap<String, (Params, Value)>,
    requests: Vec<(String, Recorded)>,
    mood: Mood,
    next: u32,
}

impl Remembers for Connect {
    fn idempotency(&mut self) -> &mut HashMap<String, (Params, Value)> {
        &mut self.idempotency
    }
    fn requests(&mut self) -> &mut Vec<(String, Recorded)> {
        &mut self.requests
    }
}

type Shared = Arc<Mutex<Connect>>;

fn missing(what: &str, id: &str) -> Box<Response> {
    Box::new(stripe_error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
        &format!("No such {what}: '{id}'"),
    ))
}

fn refused(code: &str, message: &str) -> Box<Response> {
    Box::new(stripe_error(
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        code,
        message,
    ))
}

/// Stripe's answer before any work: the key is wrong, or Stripe is down (the call is recorded with its key).
fn gate(s: &Shared, headers: &HeaderMap, path: &str) -> Option<Response> {
    if let Some(no) = unauthorized(headers) {
        return Some(no);
    }
    let mut fake = s.lock().expect("ok");
    if fake.mood == Mood::KeyInUse {
        return Some(stripe_error(
            StatusCode::CONFLICT,
            "idempotency_error",
            "",
            "There is currently another in-progress request using this Idempotent Key.",
        ));
    }
    if fake.mood != Mood::Down {
        return None;
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    fake.requests.push((path.to_string(), (Vec::new(), key)));
    Some(stripe_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "api_error",
        "",
        "Stripe is down",
    ))
}

async fn create_account(State(s): State<Shared>, headers: HeaderMap, Form(form): Form<Params>) -> Response {
    if let Some(no) = gate(&s, &headers, "/v1/accounts") {
        return no;
    }
    let mut fake = s.lock().expect("ok");
    idempotent(&mut *fake, &headers, "/v1/accounts", form, |fake, form| {
        if param(form, "type") != Some("express") || param(form, "capabilities[transfers][requested]") != Some("true") {
            return Err(refused(
                "parameter_missing",
                "An Express account with transfers is expected.",
            ));
        }
        // Stripe would open it in the platform's country: the store's own must be named.
        let country = param(form, "country").filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()));
        let Some(country) = country else {
            return Err(refused("parameter_missing", "The account's country is expected."));
        };
        fake.next += 1;
        let id = format!("acct_test_{}", fake.next);
        let account = json!({"id": id, "object": "account", "type": "express", "email": param(form, "email"),
            "country": country, "details_submitted": false, "charges_enabled": false, "payouts_enabled": false,
            "metadata": {"seller_id": param(form, "metadata[seller_id]")}});
        fake.accounts.insert(id, account.clone());
        Ok(account)
    })
}

async fn retrieve_account(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(no) = gate(&s, &headers, "/v1/accounts/{id}") {
        return no;
    }
    let fake = s.lock().expect("ok");
    match fake.accounts.get(&id) {
        Some(account) => Json(account.clone()).into_response(),
        None => *missing("account", &id),
    }
}

async fn create_link(State(s): State<Shared>, headers: HeaderMap, Form(form): Form<Params>) -> Response {
    if let Some(no) = gate(&s, &headers, "/v1/account_links") {
        return no;
    }
    let mut fake = s.lock().expect("ok");
    idempotent(&mut *fake, &headers, "/v1/account_links", form, |fake, form| {
        let account = param(form, "account").unwrap_or_default().to_string();
        if !fake.accounts.contains_key(&account) {
            return Err(missing("account", &account));
        }
        if param(form, "type") != Some("account_onboarding")
            || param(form, "refresh_url").is_none()
            || param(form, "return_url").is_none()
        {
            return Err(refused(
                "parameter_missing",
                "type, refresh_url and return_url are required.",
            ));
        }
        fake.next += 1;
        let now = now_ms() / 1000;
        Ok(
            json!({"object": "account_link", "created": now, "expires_at": now + 300,
            "url": format!("https://connect.stripe.test/setup/e/{account}/{}", fake.next)}),
        )
    })
}

async fn create_transfer(State(s): State<Shared>, headers: HeaderMap, Form(form): Form<Params>) -> Response {
    if let Some(no) = gate(&s, &headers, "/v1/transfers") {
        return no;
    }
    let mut fake = s.lock().expect("ok");
    let answer = idempotent(&mut *fake, &headers, "/v1/transfers", form, |fake, form| {
        let destination = param(form, "destination").unwrap_or_default().to_string();
        let payable = fake
            .accounts
            .get(&destination)
            .is_some_and(|a| a["payouts_enabled"] == json!(true));
        if !payable {
            return Err(refused(
                "account_invalid",
                "The destination account cannot receive transfers.",
            ));
        }
        if fake.mood == Mood::PlatformShort {
            return Err(refused(
                "balance_insufficient",
                "You have insufficient available funds in your Stripe account.",
            ));
        }
        let amount: i64 = param(form, "amount").and_then(|a| a.parse().ok()).unwrap_or(0);
        if amount <= 0 {
            return Err(refused("parameter_invalid_integer", "amount must be positive."));
        }
        fake.next += 1;
        let id = format!("tr_test_{}", fake.next);
        let transfer = json!({"id": id, "object": "transfer", "amount": amount, "amount_reversed": 0,
            "created": now_ms() / 1000, "currency": param(form, "currency"), "destination": destination,
            "livemode": false, "metadata": {}, "reversed": false, "description": param(form, "description"),
            "source_transaction": param(form, "source_transaction"), "transfer_group": param(form, "transfer_group"),
            "metadata": {"bazaar_transfer": param(form, "metadata[bazaar_transfer]")},
            "reversals": {"object": "list", "data": [], "has_more": false,
                "url": format!("/v1/transfers/{id}/reversals")}});
        fake.transfers.insert(id, transfer.clone());
        Ok(transfer)
    });
    lost_or(&fake, answer)
}

/// The answer, or a 500 when the fake loses answers (the work is done all the same).
fn lost_or(fake: &Connect, answer: Response) -> Response {
    if fake.mood == Mood::LoseAnswer && answer.status().is_success() {
        return stripe_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "",
            "The answer was lost",
        );
    }
    answer
}

/// `GET /v1/transfers?destination=…&transfer_group=…`: a list.
async fn list_transfers(
    State(s): State<Shared>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    if let Some(no) = gate(&s, &headers, "/v1/transfers?") {
        return no;
    }
    let fake = s.lock().expect("ok");
    let matches = |t: &&Value, field: &str| query.get(field).is_none_or(|want| t[field] == json!(want));
    let data: Vec<Value> = fake
        .transfers
        .values()
        .filter(|t| matches(t, "destination") && matches(t, "transfer_group"))
        .cloned()
        .collect();
    Json(json!({"object": "list", "data": data, "has_more": false, "url": "/v1/transfers"})).into_response()
}

/// `GET /v1/transfers/{id}/reversals`.
async fn list_reversals(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let path = format!("/v1/transfers/{id}/reversals?");
    if let Some(no) = gate(&s, &headers, &path) {
        return no;
    }
    let fake = s.lock().expect("ok");
    let data = fake.reversals.get(&id).cloned().unwrap_or_default();
    Json(json!({"object": "list", "data": data, "has_more": false, "url": path})).into_response()
}

async fn create_reversal(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Params>,
) -> Response {
    let path = format!("/v1/transfers/{id}/reversals");
    if let Some(no) = gate(&s, &headers, &path) {
        return no;
    }
    let mut fake = s.lock().expect("ok");
    let answer = idempotent(&mut *fake, &headers, &path, form, |fake, form| {
        let short = fake.mood == Mood::AccountShort;
        let Some(transfer) = fake.transfers.get_mut(&id) else {
            return Err(missing("transfer", &id));
        };
        let amount: i64 = param(form, "amount").and_then(|a| a.parse().ok()).unwrap_or(0);
        let left = transfer["amount"].as_i64().unwrap_or(0) - transfer["amount_reversed"].as_i64().unwrap_or(0);
        if amount <= 0 || amount > left {
            return Err(refused(
                "parameter_invalid_integer",
                "The amount is more than the transfer has left.",
            ));
        }
        if short {
            return Err(refused(
                "insufficient_funds",
                "The connected account has insufficient funds.",
            ));
        }
        transfer["amount_reversed"] = json!(transfer["amount_reversed"].as_i64().unwrap_or(0) + amount);
        let currency = transfer["currency"].clone();
        fake.next += 1;
        let reversal = json!({"id": format!("trr_test_{}", fake.next), "object": "transfer_reversal",
            "amount": amount, "created": now_ms() / 1000, "currency": currency, "transfer": id,
            "metadata": {"bazaar_reversal": param(form, "metadata[bazaar_reversal]")}});
        fake.reversals.entry(id.clone()).or_default().push(reversal.clone());
        Ok(reversal)
    });
    lost_or(&fake, answer)
}

/// A PaymentIntent whose charge is `ch_` + its id (what a transfer's `source_transaction` is read from).
async fn retrieve_intent(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(no) = gate(&s, &headers, "/v1/payment_intents/{id}") {
        return no;
    }
    Json(
        json!({"id": id, "object": "payment_intent", "amount": 100, "amount_capturable": 0,
        "amount_received": 100, "capture_method": "automatic", "confirmation_method": "automatic",
        "created": now_ms() / 1000, "currency": "usd", "livemode": false, "metadata": {},
        "payment_method_types": ["card"], "status": "succeeded", "latest_charge": format!("ch_{id}")}),
    )
    .into_response()
}

pub(crate) struct FakeConnect {
    base: String,
    state: Shared,
}

impl FakeConnect {
    pub(crate) async fn spawn() -> FakeConnect {
        let state = Shared::default();
        let app = Router::new()
            .route("/v1/accounts", post(create_account))
            .route("/v1/accounts/{id}", get(retrieve_account))
            .route("/v1/account_links", post(create_link))
            .route("/v1/transfers", post(create_transfer).get(list_transfers))
            .route(
                "/v1/transfers/{id}/reversals",
                post(create_reversal).get(list_reversals),
            )
            .route("/v1/payment_intents/{id}", get(retrieve_intent))
            .with_state(state.clone());
        FakeConnect {
            base: serve(app).await,
            state,
        }
    }

    pub(crate) fn rail(&self) -> StripeConnect {
        StripeConnect::new(API_KEY, Some(&self.base), "https://shop.example").expect("rail")
    }

    pub(crate) fn set_mood(&self, mood: Mood) {
        self.state.lock().expect("ok").mood = mood;
    }

    /// The seller finished Stripe's pages: the account as `flags` (details, charges, payouts) says. Returns the
    /// `account.updated` webhook body, made at `created_secs`.
    pub(crate) fn update_account(&self, account: &str, flags: (bool, bool, bool), created_secs: i64) -> String {
        let mut fake = self.state.lock().expect("ok");
        fake.next += 1;
        let n = fake.next;
        let found = fake.accounts.get_mut(account).expect("account");
        found["details_submitted"] = json!(flags.0);
        found["charges_enabled"] = json!(flags.1);
        found["payouts_enabled"] = json!(flags.2);
        let mut body: Value = serde_json::from_str(&event("account.updated", found.clone(), n)).expect("json");
        body["created"] = json!(created_secs);
        body["account"] = json!(account);
        body.to_string()
    }

    /// Stripe's `payout.failed` for a bank payout from `account`'s balance.
    pub(crate) fn payout_failed(&self, account: &str, payout: &str, amount: i64) -> String {
        let mut fake = self.state.lock().expect("ok");
        fake.next += 1;
        let object = json!({"id": payout, "object": "payout", "amount": amount, "currency": "usd",
            "status": "failed", "failure_code": "account_closed",
            "failure_message": "The bank account has been closed.\u{0007}"});
        let mut body: Value = serde_json::from_str(&event("payout.failed", object, fake.next)).expect("json");
        body["account"] = json!(account);
        body.to_string()
    }

    pub(crate) fn requests_to(&self, path: &str) -> Vec<Recorded> {
        let fake = self.state.lock().expect("ok");
        fake.requests
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, recorded)| recorded.clone())
            .collect()
    }

    pub(crate) fn transfer(&self, id: &str) -> Value {
        self.state.lock().expect("ok").transfers[id].clone()
    }

    /// How many transfers Stripe has made.
    pub(crate) fn transfers_made(&self) -> usize {
        self.state.lock().expect("ok").transfers.len()
    }
}

pub(crate) async fn deliver_connect(db: &Db, body: &str) -> Result<bool, WebhookFailure> {
    let signature = sign(body.as_bytes(), CONNECT_SECRET, now_ms() / 1000);
    connect_events::connect_webhook(db, body.as_bytes(), &signature, CONNECT_SECRET).await
}
