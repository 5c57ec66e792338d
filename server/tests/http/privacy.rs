//! Issue 22: "Your data" over HTTP — the export is the signed-in account's own JSON file (never cached, a visitor
//! is sent to sign in), and the erasure asks for the password and the box, then signs the browser out for good.

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::orders::signed_up;
use crate::support::{location, TestApp};

async fn the_export_is_the_accounts_own_and_the_erasure_signs_it_out_for_good(app: &TestApp) {
    let visitor = app.client();
    let refused = visitor
        .get(app.url("/account/privacy/export.json"))
        .send()
        .await
        .expect("get");
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&refused), "/login?next=%2Faccount%2Fprivacy");

    let nobody = app
        .call(&visitor, "erase_account", &[("password", "x"), ("understood", "yes")])
        .await;
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);

    let email = "private-person@example.com";
    let client = signed_up(app, email).await;
    let other = signed_up(app, "someone-else@example.com").await;
    let file = client
        .get(app.url("/account/privacy/export.json"))
        .send()
        .await
        .expect("export");
    assert_eq!(file.status(), StatusCode::OK);
    let header = |name: &str| {
        file.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert!(header("content-type").starts_with("application/json"));
    assert!(header("content-disposition").starts_with("attachment; filename=\"bazaar-account-"));
    assert_eq!(header("cache-control"), "no-store");
    let data: serde_json::Value = file.json().await.expect("json");
    assert_eq!(data["account"]["email"], email);
    assert!(
        !data.to_string().contains("someone-else"),
        "only the account's own data"
    );
    assert!(app.page(&client, "/account/privacy").await.contains("Erase my account"));

    // A wrong password or no tick: told why, nothing erased.
    let wrong = app
        .call(
            &client,
            "erase_account",
            &[("password", "not-it-at-all"), ("understood", "yes")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong
        .text()
        .await
        .expect("body")
        .contains("The password is not correct."));
    let unticked = app
        .call(&client, "erase_account", &[("password", "correct-horse-77")])
        .await;
    assert_eq!(unticked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another origin cannot erase anyone (the CSRF check).
    let forged = client
        .post(app.url("/api/erase_account"))
        .header("origin", "https://evil.example")
        .form(&[("password", "correct-horse-77"), ("understood", "yes")])
        .send()
        .await
        .expect("forged");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let erased = app
        .submit(
            &client,
            "erase_account",
            &[("password", "correct-horse-77"), ("understood", "yes")],
        )
        .await;
    assert_eq!(erased.status(), StatusCode::FOUND);
    assert_eq!(location(&erased), "/account/erased");
    let after = client.get(app.url("/account")).send().await.expect("account");
    assert_ne!(after.status(), StatusCode::OK, "this browser is signed out");
    let again = app.login(&app.client(), email, "correct-horse-77").await;
    assert_ne!(again.status(), StatusCode::OK, "nobody signs in to it again");
    assert!(
        app.page(&other, "/account/privacy").await.contains("Erase my account"),
        "the other account is untouched"
    );
}

on_both_databases!(the_export_is_the_accounts_own_and_the_erasure_signs_it_out_for_good);
