//! `POST /webhooks/stripe`: Stripe's events, and `POST /webhooks/stripe/connect`: Stripe Connect's (its own
//! endpoint and signing secret). The body is taken raw (the signature covers the exact bytes) and
//! handed to the domain, which verifies, records in the inbox and applies. Answers: 200 when handled (or a
//! duplicate, or a type we ignore), 400 for a bad signature or payload, 500 when our side failed (Stripe retries).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use domain::payments::stripe::WebhookFailure;
use domain::payments::PaymentGateway;
use domain::workflows::connect_events::connect_webhook;
use domain::workflows::settle_payment::stripe_webhook;
use domain::Db;

use crate::config::Secret;

#[derive(Clone)]
pub struct StripeWebhook {
    pub db: Db,
    pub gateway: Arc<dyn PaymentGateway>,
    pub secret: Arc<Secret<String>>,
}

fn signature(headers: &HeaderMap) -> &str {
    headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

pub async fn stripe(State(hook): State<StripeWebhook>, headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    let signature = signature(&headers);
    answer(stripe_webhook(&hook.db, &*hook.gateway, &body, signature, hook.secret.expose()).await)
}

#[derive(Clone)]
pub struct ConnectWebhook {
    pub db: Db,
    pub secret: Arc<Secret<String>>,
}

pub async fn stripe_connect(
    State(hook): State<ConnectWebhook>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let signature = signature(&headers);
    answer(connect_webhook(&hook.db, &body, signature, hook.secret.expose()).await)
}

fn answer<T>(handled: Result<T, WebhookFailure>) -> (StatusCode, &'static str) {
    match handled {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(WebhookFailure::Rejected(reason)) => {
            tracing::warn!(%reason, "Stripe webhook rejected");
            (StatusCode::BAD_REQUEST, "rejected")
        }
        Err(WebhookFailure::Failed(error)) => {
            tracing::error!(%error, "Stripe webhook failed; Stripe will retry");
            (StatusCode::INTERNAL_SERVER_ERROR, "failed")
        }
    }
}
