//! Issue 22: passkeys over HTTP — which steps a visitor may take, the options the browser gets, a second step
//! without its first (or taken twice), and the cross-site check on the JSON-carrying posts. The ceremonies
//! themselves are tested in the domain (a software authenticator) and in the browser journey (Chromium's).

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::orders::signed_up;
use crate::support::TestApp;

async fn passkey_steps_are_for_their_callers_and_run_once(app: &TestApp) {
    let visitor = app.client();
    let signed_in_only: [(&str, &[(&str, &str)]); 4] = [
        ("passkey_options", &[("password", "x")]),
        ("add_passkey", &[("name", "x"), ("credential", "{}")]),
        ("passkey_list", &[]),
        ("remove_passkey", &[("id", "1")]),
    ];
    for (endpoint, form) in signed_in_only {
        let answer = app.call(&visitor, endpoint, form).await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
    }

    // Sign-in's first step is for anyone: options naming the shop's host (localhost for a shop on an IP address),
    // a fresh challenge, and no autofill mediation (the button opens the browser's window).
    let answer = app.call(&visitor, "passkey_sign_in_options", &[]).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let text: String = answer.json().await.expect("json string");
    let options: serde_json::Value = serde_json::from_str(&text).expect("options");
    assert_eq!(options["publicKey"]["rpId"], "localhost");
    assert_eq!(options["publicKey"]["userVerification"], "required");
    assert!(options["publicKey"]["challenge"].as_str().expect("challenge").len() >= 40);
    assert!(options.get("mediation").is_none(), "{options}");

    // The second step in a browser that did not take the first, or taken twice.
    let other = app.client();
    let answer = app
        .call(&other, "passkey_sign_in", &[("credential", "{}"), ("next", "/")])
        .await;
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    let answer = app
        .call(
            &visitor,
            "passkey_sign_in",
            &[("credential", "{\"id\": 1}"), ("next", "/")],
        )
        .await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = answer.text().await.expect("body");
    assert!(body.contains("could not be read"), "{body}");
    let answer = app
        .call(&visitor, "passkey_sign_in", &[("credential", "{}"), ("next", "/")])
        .await;
    assert_eq!(answer.status(), StatusCode::CONFLICT, "the first step works once");

    let shopper = signed_up(app, "passkey-http@example.com").await;
    let answer = app.call(&shopper, "passkey_options", &[("password", "wrong")]).await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer = app
        .call(&shopper, "passkey_options", &[("password", "correct-horse-77")])
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let text: String = answer.json().await.expect("json string");
    assert!(text.contains("\"residentKey\":\"required\""), "{text}");
    let cross_site = shopper
        .post(app.url("/api/passkey_options"))
        .header("origin", "https://evil.example")
        .header("accept", "application/json")
        .form(&[("password", "correct-horse-77")])
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let answer = app.call(&shopper, "remove_passkey", &[("id", "1")]).await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND, "nobody's passkey");

    let page = app.page(&shopper, "/account/security").await;
    assert!(
        page.contains("You have no passkeys yet.") && page.contains("src=\"/passkeys.js\""),
        "{page}"
    );
    let login = app.page(&app.client(), "/login").await;
    assert!(login.contains("Sign in with a passkey"), "{login}");
}

on_both_databases!(passkey_steps_are_for_their_callers_and_run_once);
