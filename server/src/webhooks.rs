//! `POST /webhooks/stripe`: Stripe's events. The body is taken raw (the signature covers the exact bytes) and
//! handed to the domain, which verifies, records in the inbox and applies. Answers: 200 when handled (or a
//! duplicate, or a type we ignore), 400 for a bad signature or payload, 500 when our side failed (Stripe retries).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use domain::payments::stripe::WebhookFailure;
use domain::payments::PaymentGateway;
use domain::workflows::settle_payment::stripe_webhook;
use domain::Db;

use crate::config::Secret;

#[derive(Clone)]
pub struct StripeWebhook {
    pub db: Db,
    pub gateway: Arc<dyn PaymentGateway>,
    pub secret: Arc<Secret<String>>,
}

pub async fn stripe(State(hook): State<StripeWebhook>, headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match stripe_webhook(&hook.db, &*hook.gateway, &body, signature, hook.secret.expose()).await {
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
