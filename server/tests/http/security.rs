//! Request-level defences: the cross-site check on posts, security headers and the CSP nonce, the 404 shell,
//! readiness, and internal errors that show a reference and never the cause.

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;

use crate::support::spawn_app;

#[tokio::test]
async fn cross_site_posts_are_refused_with_403() {
    let app = spawn_app().await;
    let client = app.client();
    let form = [("email", "a@example.com"), ("password", "whatever-123"), ("next", "/")];
    let foreign_origin = client
        .post(app.url("/api/login"))
        .header("origin", "http://evil.example")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(foreign_origin.status(), StatusCode::FORBIDDEN);
    let cross_site = client
        .post(app.url("/api/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let null_origin = client
        .post(app.url("/api/logout"))
        .header("origin", "null")
        .send()
        .await
        .expect("post");
    assert_eq!(null_origin.status(), StatusCode::FORBIDDEN);
    // The same request from our own origin reaches the login check.
    let same_origin = app.login(&client, "a@example.com", "whatever-123").await;
    assert_eq!(same_origin.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_matching_script_nonce() {
    let app = spawn_app().await;
    let response = app.client().get(app.url("/")).send().await.expect("home");
    assert_eq!(response.status(), StatusCode::OK);
    let headers: HeaderMap = response.headers().clone();
    let csp = headers["content-security-policy"].to_str().expect("csp").to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers["x-content-type-options"], HeaderValue::from_static("nosniff"));
    assert!(headers.contains_key("referrer-policy"));
    assert!(headers.contains_key("x-request-id"));
    assert!(
        !headers.contains_key("strict-transport-security"),
        "no HSTS over plain http"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce in CSP")
        .to_string();
    let html = response.text().await.expect("body");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "scripts do not carry the CSP nonce"
    );
}

#[tokio::test]
async fn unknown_pages_answer_404_with_the_shop_shell() {
    let app = spawn_app().await;
    let response = app.client().get(app.url("/no/such/page")).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.expect("body");
    assert!(html.contains("We could not find that page"));
    assert!(html.contains("Bazaar"));
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    let client = app.client();
    assert_eq!(
        client.get(app.url("/healthz")).send().await.expect("get").status(),
        StatusCode::OK
    );
    assert_eq!(
        client.get(app.url("/readyz")).send().await.expect("get").status(),
        StatusCode::OK
    );
    app.db.close().await;
    let ready = client.get(app.url("/readyz")).send().await.expect("get");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = ready.text().await.expect("body");
    assert!(
        !body.to_lowercase().contains("pool"),
        "internal error text leaked: {body}"
    );
    assert_eq!(
        client.get(app.url("/healthz")).send().await.expect("get").status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn internal_errors_show_a_reference_and_never_the_cause() {
    let app = spawn_app().await;
    let client = app.client();
    // Break the database under the running app: the next registration fails inside sqlx.
    sqlx::query("ALTER TABLE users RENAME TO users_gone")
        .execute(app.db.pool())
        .await
        .expect("rename");
    let response = app.sign_up(&client, "broken@example.com").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let request_id = response.headers()["x-request-id"].to_str().expect("id").to_string();
    let body = response.text().await.expect("body");
    assert!(body.contains(&request_id), "{body}");
    for leak in ["no such table", "users", "sqlite", "sqlx", "error returned"] {
        assert!(!body.to_lowercase().contains(leak), "leaked {leak}: {body}");
    }
}
