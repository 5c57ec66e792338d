//! Stripe over HTTP: the webhook's signature check on the raw body, the configuration rule, and the return and
//! cancel URLs a browser comes back on.

use reqwest::StatusCode;
use server::config::Config;

use crate::support::spawn_app_with;

#[tokio::test]
async fn the_stripe_webhook_checks_the_signature_on_the_raw_body() {
    let secret = "whsec_http_test";
    let app = spawn_app_with(&[
        ("STRIPE_SECRET_KEY", "sk_test_unused"),
        ("STRIPE_WEBHOOK_SECRET", secret),
        ("STRIPE_API_BASE", "http://127.0.0.1:9"),
    ])
    .await;
    let body = r#"{"id":"evt_http_1","type":"checkout.session.completed","data":{"object":{"id":"cs_unknown","payment_status":"paid","payment_intent":"pi_x"}}}"#;
    let now = domain::platform::clock::now_ms() / 1000;
    let post = |signature: String, body: &'static str| {
        let client = app.client();
        let url = app.url("/webhooks/stripe");
        async move {
            client
                .post(url)
                .header("stripe-signature", signature)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("post")
        }
    };
    let good = domain::payments::stripe::sign(body.as_bytes(), secret, now);
    assert_eq!(post(good.clone(), body).await.status(), StatusCode::OK);
    // Redelivered: still 200, still one inbox row.
    assert_eq!(post(good, body).await.status(), StatusCode::OK);
    let forged = domain::payments::stripe::sign(body.as_bytes(), "whsec_other", now);
    assert_eq!(post(forged, body).await.status(), StatusCode::BAD_REQUEST);
    let stale = domain::payments::stripe::sign(body.as_bytes(), secret, now - 600);
    assert_eq!(post(stale, body).await.status(), StatusCode::BAD_REQUEST);
    // A body changed by one byte (e.g. re-serialised JSON) fails: the signature is over the raw bytes.
    let spaced = r#"{"id": "evt_http_1","type":"checkout.session.completed","data":{"object":{"id":"cs_unknown","payment_status":"paid","payment_intent":"pi_x"}}}"#;
    let signed_original = domain::payments::stripe::sign(body.as_bytes(), secret, now);
    assert_eq!(post(signed_original, spaced).await.status(), StatusCode::BAD_REQUEST);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payment_events")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn stripe_without_a_webhook_secret_is_a_configuration_error() {
    let err =
        Config::from_lookup(|k| (k == "STRIPE_SECRET_KEY").then(|| "sk_test_x".to_string())).expect_err("refused");
    assert_eq!(err.name, "STRIPE_WEBHOOK_SECRET");
}

#[tokio::test]
async fn returning_from_stripe_without_paying_goes_back_to_the_review_page() {
    let app = spawn_app_with(&[
        ("STRIPE_SECRET_KEY", "sk_test_unused"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_unused"),
        ("STRIPE_API_BASE", "http://127.0.0.1:9"),
    ])
    .await;
    let client = app.client();
    // A browser following Stripe's cancel_url: a plain GET, answered with a redirect.
    let response = client
        .get(app.url("/api/stripe_cancel?session_id=cs_test_1"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/checkout/review");
    // The success_url with a session that is not ours: back to the shop's home page, nothing revealed.
    let response = client
        .get(app.url("/api/stripe_return?session_id=cs_unknown"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/");
}
