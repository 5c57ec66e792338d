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
    let response = app.register(&client, "broken@example.com").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let request_id = response.headers()["x-request-id"].to_str().expect("id").to_string();
    let body = response.text().await.expect("body");
    assert!(body.contains(&request_id), "{body}");
    for leak in ["no such table", "users", "sqlite", "sqlx", "error returned"] {
        assert!(!body.to_lowercase().contains(leak), "leaked {leak}: {body}");
    }
}

#[tokio::test]
async fn personal_pages_and_server_function_answers_are_never_stored_by_a_cache() {
    let app = spawn_app().await;
    let client = app.client();
    assert_eq!(
        app.register(&client, "store@example.com").await.status(),
        StatusCode::OK
    );
    for path in [
        "/account",
        "/cart",
        "/checkout",
        "/orders",
        "/orders/BZ-UNKNOWN",
        "/pay/test/tgs_1_x",
        "/",
    ] {
        let response = client.get(app.url(path)).send().await.expect("get");
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap_or("")),
            Some("no-store"),
            "{path} for a signed-in visitor"
        );
    }
    let answer = app.call(&client, "cart_contents", &[]).await;
    assert_eq!(answer.headers()["cache-control"], "no-store");
    // What is not a page (the site's files, a health check) stays cacheable for a visitor with a session, and
    // so does the public catalog API.
    let file = client.get(app.url("/healthz")).send().await.expect("healthz");
    assert_ne!(
        file.headers().get("cache-control").map(|v| v.to_str().unwrap_or("")),
        Some("no-store")
    );
    let api = app
        .client()
        .get(app.url("/api/v1/categories"))
        .send()
        .await
        .expect("api");
    assert_ne!(
        api.headers().get("cache-control").map(|v| v.to_str().unwrap_or("")),
        Some("no-store")
    );
}

#[tokio::test]
async fn server_functions_refuse_bodies_our_forms_never_send() {
    let app = spawn_app().await;
    let client = app.client();
    for content_type in ["text/plain", "application/json", "multipart/form-data; boundary=x"] {
        let response = client
            .post(app.url("/api/login"))
            .header("origin", &app.base)
            .header("content-type", content_type)
            .body("email=a@example.com&password=whatever-123&next=/")
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    }
    // The encoding our forms send reaches the login check.
    assert_eq!(
        app.login(&client, "a@example.com", "whatever-123").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_error_written_into_a_link_is_never_shown_but_a_real_form_error_is() {
    let app = spawn_app().await;
    let client = app.client();
    // base64url of {"Conflict":"Your account is suspended. Call 555-0100."}
    let forged = "eyJDb25mbGljdCI6IllvdXIgYWNjb3VudCBpcyBzdXNwZW5kZWQuIENhbGwgNTU1LTAxMDAuIn0=";
    let page = app
        .page(&client, &format!("/login?__path=%2Fapi%2Flogin&__err={forged}"))
        .await;
    assert!(!page.contains("suspended"), "a forged error must not be shown");

    // A real failed post without JavaScript: the error comes back through the session, not the URL.
    let failed = client
        .post(app.url("/api/login"))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .header("referer", app.url("/login"))
        .form(&[
            ("email", "nobody@example.com"),
            ("password", "wrong-password-1"),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("post");
    let location = crate::support::location(&failed);
    assert!(failed.status().is_redirection(), "{}", failed.status());
    assert!(!location.contains("__err"), "{location}");
    let page = app.page(&client, &location).await;
    assert!(
        page.contains("The email or password is incorrect."),
        "the real error is shown"
    );
    let again = app.page(&client, &location).await;
    assert!(!again.contains("The email or password is incorrect."), "once");

    // A foreign Referer is never followed.
    let phished = client
        .post(app.url("/api/login"))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .header("referer", "https://evil.example/login")
        .form(&[
            ("email", "nobody@example.com"),
            ("password", "wrong-password-1"),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("post");
    let location = crate::support::location(&phished);
    assert!(location.starts_with('/') && !location.starts_with("//"), "{location}");
}
