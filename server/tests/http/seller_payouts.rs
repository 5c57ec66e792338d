//! Stripe Connect over HTTP (decision 0031): the money screen's way to Stripe's onboarding page and back, who may
//! take it (a visitor signs in, a shopper applies, an admin is refused, a cross-site form is refused), Stripe
//! unreachable said on the screen, and the Connect webhook's own signing secret. The fake below answers the three
//! Connect calls the pages make, as Stripe does; the domain tests run the whole Connect flow against a fuller fake.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use reqwest::{Client, StatusCode};
use serde_json::json;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::fuzz::{handled, junk_value, random_form};
use crate::support::{demo, location, spawn_app_with, TestApp};

const CONNECT_SECRET: &str = "whsec_http_connect";

async fn fake_connect() -> String {
    let app = Router::new()
        .route(
            "/v1/accounts",
            post(|| async { Json(json!({"id": "acct_http_1", "object": "account"})) }),
        )
        .route(
            "/v1/accounts/{id}",
            get(|Path(id): Path<String>| async move {
                Json(json!({"id": id, "object": "account", "details_submitted": true,
                    "charges_enabled": false, "payouts_enabled": false}))
            }),
        )
        .route(
            "/v1/account_links",
            post(|| async {
                Json(json!({"object": "account_link", "created": 1, "expires_at": 2,
                    "url": "https://connect.stripe.test/setup/e/acct_http_1"}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

async fn connect_app(api_base: &str) -> TestApp {
    let app = spawn_app_with(&[
        ("STRIPE_SECRET_KEY", "sk_test_fake"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_http_payments"),
        ("STRIPE_CONNECT_WEBHOOK_SECRET", CONNECT_SECRET),
        ("STRIPE_API_BASE", api_base),
    ])
    .await;
    domain::seed::seed(&app.db, 12, 7).await.expect("seed");
    app
}

async fn onboard(app: &TestApp, client: &Client, origin: &str) -> reqwest::Response {
    client
        .post(app.url("/seller/money/stripe/onboard"))
        .header("origin", origin)
        .send()
        .await
        .expect("post")
}

#[tokio::test]
async fn a_seller_goes_to_stripe_and_back() {
    let app = connect_app(&fake_connect().await).await;
    let seller = demo(&app, "seller1").await;
    let page = seller.get(app.url("/seller/money")).send().await.expect("get");
    // The browser follows the form's redirect to Stripe only if the page's CSP names Stripe's pages.
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(
        csp.contains("form-action 'self' https://checkout.stripe.com https://connect.stripe.com"),
        "{csp}"
    );
    let page = page.text().await.expect("body");
    assert!(page.contains("Payouts through Stripe") && page.contains("Set up payouts with Stripe"));
    let answer = onboard(&app, &seller, &app.base).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "https://connect.stripe.test/setup/e/acct_http_1");
    // Stripe sends a seller whose link was used to the refresh page: a fresh link.
    let again = seller
        .get(app.url("/seller/money/stripe/refresh"))
        .send()
        .await
        .expect("get");
    assert_eq!(location(&again), "https://connect.stripe.test/setup/e/acct_http_1");
    // Back from Stripe: details sent, not yet enabled, said on the screen.
    let back = seller
        .get(app.url("/seller/money/stripe/return"))
        .send()
        .await
        .expect("get");
    assert_eq!(location(&back), "/seller/money");
    let page = seller
        .get(app.url("/seller/money"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("Stripe is checking"), "the account's state");

    // Nobody else takes that way: a visitor signs in, a shopper applies, an admin is refused, another site's form
    // is refused before it runs.
    let visitor = app.client();
    assert!(location(&onboard(&app, &visitor, &app.base).await).starts_with("/login"));
    let shopper = demo(&app, "shopper").await;
    assert_eq!(location(&onboard(&app, &shopper, &app.base).await), "/sell");
    let admin = demo(&app, "admin").await;
    assert_eq!(onboard(&app, &admin, &app.base).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        onboard(&app, &seller, "https://evil.example").await.status(),
        StatusCode::FORBIDDEN
    );
    app.finish().await;
}

#[tokio::test]
async fn stripe_unreachable_is_said_on_the_money_screen() {
    let app = connect_app("http://127.0.0.1:9").await;
    let seller = demo(&app, "seller1").await;
    let answer = onboard(&app, &seller, &app.base).await;
    assert_eq!(location(&answer), "/seller/money?stripe=unreachable");
    let page = seller
        .get(app.url(&location(&answer)))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("Stripe could not be reached just now"));
    app.finish().await;
}

#[tokio::test]
async fn the_connect_webhook_has_its_own_secret() {
    let app = connect_app("http://127.0.0.1:9").await;
    let body = r#"{"id":"evt_c1","type":"payout.failed","created":1,"account":"acct_x","data":{"object":{"id":"po_x","amount":100,"currency":"usd"}}}"#;
    let now = domain::platform::clock::now_ms() / 1000;
    let post = |secret: &str| {
        let signature = domain::payments::stripe::sign(body.as_bytes(), secret, now);
        app.client()
            .post(app.url("/webhooks/stripe/connect"))
            .header("stripe-signature", signature)
            .body(body)
            .send()
    };
    assert_eq!(post(CONNECT_SECRET).await.expect("post").status(), StatusCode::OK);
    assert_eq!(
        post("whsec_http_payments").await.expect("post").status(),
        StatusCode::BAD_REQUEST
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payment_events WHERE provider = 'stripe_connect'")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(rows, 1, "recorded once, in the inbox");
    app.finish().await;
}

#[tokio::test]
async fn without_connect_the_shop_has_no_stripe_payouts() {
    let app = spawn_app_with(&[]).await;
    domain::seed::seed(&app.db, 12, 7).await.expect("seed");
    let seller = demo(&app, "seller1").await;
    let page = seller
        .get(app.url("/seller/money"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(!page.contains("Payouts through Stripe"));
    assert_eq!(onboard(&app, &seller, &app.base).await.status(), StatusCode::NOT_FOUND);
    let hook = app
        .client()
        .post(app.url("/webhooks/stripe/connect"))
        .body("{}")
        .send()
        .await
        .expect("post");
    assert_eq!(hook.status(), StatusCode::NOT_FOUND);
    app.finish().await;
}

/// Junk at the Connect routes and webhook (Stripe unreachable behind them): a clear answer, never a 5xx.
#[tokio::test]
async fn junk_at_the_connect_routes_and_webhook() {
    let app = connect_app("http://127.0.0.1:9").await;
    let seller = demo(&app, "seller1").await;
    let mut rng = StdRng::seed_from_u64(20261205);
    for _ in 0..10 {
        let form = random_form(&mut rng, &["account", "next"], 0.8);
        let answer = seller
            .post(app.url("/seller/money/stripe/onboard"))
            .header("origin", &app.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .expect("post");
        handled(answer, "POST /seller/money/stripe/onboard").await;
        for path in ["/seller/money/stripe/refresh", "/seller/money/stripe/return"] {
            let query = random_form(&mut rng, &["account", "code"], 0.8);
            let answer = seller
                .get(app.url(&format!("{path}?{query}")))
                .send()
                .await
                .expect("get");
            handled(answer, path).await;
        }
        let body: Vec<u8> = match rng.gen_range(0..3) {
            0 => (0..rng.gen_range(0..2048)).map(|_| rng.gen::<u8>()).collect(),
            1 => junk_value(&mut rng).into_bytes(),
            _ => format!(
                r#"{{"id":"evt_{}","type":"payout.failed","data":{{"object":{{}}}}}}"#,
                rng.gen::<u32>()
            )
            .into_bytes(),
        };
        let now = domain::platform::clock::now_ms() / 1000;
        let signature = domain::payments::stripe::sign(&body, CONNECT_SECRET, now);
        let answer = app
            .client()
            .post(app.url("/webhooks/stripe/connect"))
            .header("stripe-signature", signature)
            .body(body)
            .send()
            .await
            .expect("post");
        assert_eq!(
            answer.status(),
            StatusCode::BAD_REQUEST,
            "a signed body that is no event"
        );
    }
    app.finish().await;
}
