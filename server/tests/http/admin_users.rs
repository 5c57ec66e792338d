//! The admins' accounts screens and audit log over HTTP: the access matrix (signed out → the login, a shopper and
//! a seller → 403 and no change), a suspension that signs the account out at once and shows in the log with its
//! reason escaped. Both databases.

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{demo, location, TestApp};

const PAGES: [&str; 3] = ["/admin/users", "/admin/audit", "/admin/users/1"];

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.db.pool()).await.expect("count")
}

async fn shopper_id(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(format!("shopper@{}", domain::seed::DEMO_DOMAIN))
        .fetch_one(app.db.pool())
        .await
        .expect("demo shopper")
}

async fn only_admins_reach_the_accounts_screens(app: &TestApp) {
    let anonymous = app.client();
    for path in PAGES {
        let answer = anonymous.get(app.url(path)).send().await.expect("get");
        assert_eq!(answer.status(), StatusCode::FOUND, "{path} signed out");
        assert!(location(&answer).starts_with("/login?next=%2Fadmin"), "{path}");
    }
    let shopper = demo(app, "shopper").await;
    let seller = demo(app, "seller1").await;
    let target = shopper_id(app).await.to_string();
    let changes: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "suspend_account",
            vec![("id", &target), ("reason", "x"), ("password", "")],
        ),
        (
            "reactivate_account",
            vec![("id", &target), ("reason", "x"), ("password", "")],
        ),
        (
            "change_account_role",
            vec![("id", &target), ("role", "admin"), ("reason", "x"), ("password", "")],
        ),
    ];
    let reads: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "admin_users",
            vec![("q", ""), ("role", ""), ("state", ""), ("after", "")],
        ),
        ("admin_user", vec![("id", &target)]),
        (
            "audit_log",
            vec![
                ("q", ""),
                ("action", ""),
                ("actor", ""),
                ("kind", ""),
                ("subject", ""),
                ("from", ""),
                ("to", ""),
                ("after", ""),
            ],
        ),
    ];
    let standing = "SELECT COUNT(*) FROM users WHERE disabled_at IS NOT NULL OR role = 'admin'";
    let before = count(app, standing).await;
    for (who, client) in [("shopper", &shopper), ("seller", &seller)] {
        for path in PAGES {
            let answer = client.get(app.url(path)).send().await.expect("get");
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {path}");
        }
        for (endpoint, form) in &changes {
            let answer = app.call(client, endpoint, form).await;
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {endpoint}");
        }
        for (endpoint, form) in &reads {
            let query: Vec<String> = form.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let answer = client
                .get(app.url(&format!("/api/{endpoint}?{}", query.join("&"))))
                .send()
                .await
                .expect("get");
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {endpoint}");
        }
    }
    for (endpoint, form) in &changes {
        let answer = app.call(&anonymous, endpoint, form).await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "signed out {endpoint}");
    }
    assert_eq!(count(app, standing).await, before, "no account changed");
    assert_eq!(count(app, "SELECT COUNT(*) FROM audit_log").await, 0);
}

async fn a_suspension_signs_the_account_out_and_is_in_the_log(app: &TestApp) {
    let admin = demo(app, "admin").await;
    let shopper = demo(app, "shopper").await;
    let target = shopper_id(app).await;
    let list = admin
        .get(app.url("/admin/users?q=shopper%40"))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("body");
    assert!(
        list.contains(&format!("/admin/users/{target}")),
        "the list finds the shopper"
    );
    let reason = "Chargebacks <script>alert(1)</script>";
    let id = target.to_string();
    // Signed in just now: no password is asked for.
    let done = app
        .submit(
            &admin,
            "suspend_account",
            &[("id", &id), ("reason", reason), ("password", "")],
        )
        .await;
    assert_eq!(location(&done), format!("/admin/users/{target}?done=suspended"));
    let account = shopper.get(app.url("/account")).send().await.expect("account");
    assert_eq!(account.status(), StatusCode::FOUND, "the shopper's session ended");
    let log = app.page(&admin, "/admin/audit?action=account.suspended").await;
    assert!(log.contains("Chargebacks &lt;script&gt;"), "the reason, escaped");
    assert!(!log.contains("<script>alert(1)"));
    let page = app.page(&admin, &format!("/admin/users/{target}")).await;
    assert!(page.contains("Suspended"));
    // Junk ids and a missing reason are refused clearly, changing nothing more.
    for (id, reason) in [("abc", "x"), ("-1", "x"), (id.as_str(), "")] {
        let answer = app
            .call(
                &admin,
                "reactivate_account",
                &[("id", id), ("reason", reason), ("password", "")],
            )
            .await;
        assert!(answer.status().is_client_error(), "{id} {reason}: {}", answer.status());
    }
    assert_eq!(count(app, "SELECT COUNT(*) FROM audit_log").await, 1);
}

/// Moves the sign-in time kept in each of account `email`'s sessions `minutes` back.
async fn age_sign_ins(app: &TestApp, email: &str, minutes: i64) {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT s.id, s.data FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1")
            .bind(email)
            .fetch_all(app.db.pool())
            .await
            .expect("sessions");
    for (id, data) in rows {
        let mut data: serde_json::Value = serde_json::from_str(&data).expect("session data");
        let at = data["signed_in_at"].as_i64().expect("signed in at");
        data["signed_in_at"] = serde_json::json!(at - minutes * 60_000);
        sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2")
            .bind(data.to_string())
            .bind(id)
            .execute(app.db.pool())
            .await
            .expect("age");
    }
}

async fn promote(app: &TestApp, admin: &reqwest::Client, id: &str, password: &str) -> reqwest::Response {
    let form = [
        ("id", id),
        ("role", "admin"),
        ("reason", "Support"),
        ("password", password),
    ];
    app.call(admin, "change_account_role", &form).await
}

async fn a_change_asks_for_the_password_ten_minutes_after_sign_in(app: &TestApp) {
    let admin = demo(app, "admin").await;
    let target = shopper_id(app).await;
    let id = target.to_string();
    let fresh = app.page(&admin, &format!("/admin/users/{target}")).await;
    assert!(
        !fresh.contains("Your password"),
        "no password asked right after sign-in"
    );
    age_sign_ins(app, &format!("admin@{}", domain::seed::DEMO_DOMAIN), 11).await;
    let page = app.page(&admin, &format!("/admin/users/{target}")).await;
    assert!(page.contains("Your password"), "the form asks for it");
    let without = promote(app, &admin, &id, "").await;
    assert_eq!(without.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without.text().await.expect("body").contains("Enter your password"));
    assert_eq!(
        promote(app, &admin, &id, "wrong-password-1").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(count(app, "SELECT COUNT(*) FROM audit_log").await, 0);
    let with = promote(app, &admin, &id, domain::seed::DEMO_PASSWORD).await;
    assert!(with.status().is_success(), "{}", with.status());
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.role'").await,
        1
    );
    // Given again, it covers the next ten minutes.
    let page = app.page(&admin, &format!("/admin/users/{target}")).await;
    assert!(!page.contains("Your password"));
}

/// The latest expiry of account `email`'s sessions, in minutes from now.
async fn minutes_left(app: &TestApp, email: &str) -> i64 {
    let expires: i64 = sqlx::query_scalar(
        "SELECT MAX(s.expires_at) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(app.db.pool())
    .await
    .expect("expiry");
    (expires - domain::platform::clock::wall_ms()) / 60_000
}

async fn an_admins_session_ends_after_thirty_idle_minutes(app: &TestApp) {
    let admin = demo(app, "admin").await;
    let shopper = demo(app, "shopper").await;
    let domain = domain::seed::DEMO_DOMAIN;
    // Right after the sign-in, and after a page.
    assert!((28..=30).contains(&minutes_left(app, &format!("admin@{domain}")).await));
    assert_eq!(
        admin.get(app.url("/admin/users")).send().await.expect("page").status(),
        StatusCode::OK
    );
    assert!((28..=30).contains(&minutes_left(app, &format!("admin@{domain}")).await));
    // A shopper keeps the shop's two days.
    assert_eq!(
        shopper.get(app.url("/account")).send().await.expect("page").status(),
        StatusCode::OK
    );
    assert!(minutes_left(app, &format!("shopper@{domain}")).await > 47 * 60);
}

on_both_databases!(
    an_admins_session_ends_after_thirty_idle_minutes,
    only_admins_reach_the_accounts_screens,
    a_suspension_signs_the_account_out_and_is_in_the_log,
    a_change_asks_for_the_password_ten_minutes_after_sign_in,
);
