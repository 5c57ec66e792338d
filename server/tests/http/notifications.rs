//! Issue 22: notification preferences over HTTP — who reaches the settings and the admins' message previews, the
//! preview frame's own policy, and RFC 8058 one-click unsubscribe as a mail provider sends it (a POST without
//! cookies or Origin), with junk refused.

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::orders::signed_up;
use crate::support::{demo, location, TestApp};

async fn settings_and_previews_are_for_their_roles(app: &TestApp) {
    let visitor = app.client();
    let page = visitor
        .get(app.url("/account/notifications"))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), StatusCode::FOUND);
    assert_eq!(location(&page), "/login?next=%2Faccount%2Fnotifications");
    let shopper = signed_up(app, "prefs-matrix@example.com").await;
    let seller = demo(app, "seller1").await;
    let admin = demo(app, "admin").await;
    for (who, client) in [("visitor", &visitor), ("shopper", &shopper), ("seller", &seller)] {
        let frame = client
            .get(app.url("/admin/emails/preview/order_shipped"))
            .send()
            .await
            .expect("get");
        assert_eq!(frame.status(), StatusCode::NOT_FOUND, "{who}: preview frame");
        let previews = app.call(client, "message_previews", &[]).await;
        assert!(
            previews.status().is_client_error(),
            "{who}: previews answered {}",
            previews.status()
        );
    }
    for client in [&shopper, &seller] {
        let page = client.get(app.url("/admin/emails")).send().await.expect("get");
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(
        admin.get(app.url("/admin/emails")).send().await.expect("get").status(),
        StatusCode::OK
    );
    let frame = admin
        .get(app.url("/admin/emails/preview/order_shipped"))
        .send()
        .await
        .expect("get");
    assert_eq!(frame.status(), StatusCode::OK);
    let csp = frame.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "nothing runs: {csp}"
    );
    assert_eq!(frame.headers()["x-frame-options"], "SAMEORIGIN");
    let html = frame.text().await.expect("body");
    assert!(
        html.contains("<a href=\"https://www.royalmail.com/"),
        "links become anchors: {html}"
    );
    let text_only = admin
        .get(app.url("/admin/emails/preview/shipped_text"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        text_only.status(),
        StatusCode::NOT_FOUND,
        "a text message has no HTML part"
    );

    // The shopper's own settings: a wrong number is refused with what was typed kept; a right one saved.
    let refused = shopper
        .post(app.url("/api/save_notifications"))
        .header("origin", &app.base)
        .header("referer", app.url("/account/notifications"))
        .header("accept", "text/html")
        .form(&[("texts", "on"), ("phone", "07700 900123"), ("marketing", "on")])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::FOUND);
    let again = app.page(&shopper, &location(&refused)).await;
    assert!(
        again.contains("Start with + and the country code"),
        "the field's message"
    );
    assert!(again.contains("07700 900123"), "what was typed is kept");
    let saved = app
        .submit(
            &shopper,
            "save_notifications",
            &[("texts", "on"), ("phone", "+44 7700 900123"), ("price_drops", "on")],
        )
        .await;
    assert_eq!(location(&saved), "/account/notifications?saved=1");
    let stored: (i64, i64, i64, String) = sqlx::query_as(
        "SELECT p.marketing, p.review_reminders, p.texts, p.phone FROM notification_prefs p \
         JOIN users u ON u.id = p.user_id WHERE u.email = $1",
    )
    .bind("prefs-matrix@example.com")
    .fetch_one(app.db.pool())
    .await
    .expect("saved");
    assert_eq!(stored, (0, 0, 1, "+447700900123".to_string()));
}

async fn one_click_unsubscribe_as_a_mail_provider_sends_it(app: &TestApp) {
    let _shopper = signed_up(app, "one-click@example.com").await;
    let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind("one-click@example.com")
        .fetch_one(app.db.pool())
        .await
        .expect("user");
    let mut conn = app.db.pool().acquire().await.expect("conn");
    let token = domain::notifications::prefs::unsubscribe_token(&mut conn, user_id)
        .await
        .expect("token");
    drop(conn);
    let provider = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let one_click = |path: String, body: &'static str| {
        provider
            .post(app.url(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let path = format!("/unsubscribe/one-click/{token}/price-drops");
    assert_eq!(
        one_click(path.clone(), "x=1").await.expect("post").status(),
        StatusCode::BAD_REQUEST
    );
    for junk in [
        "/unsubscribe/one-click/0123456789abcdef0123456789abcdef/price-drops".to_string(),
        format!("/unsubscribe/one-click/{token}/everything"),
        "/unsubscribe/one-click/..%2F..%2Fetc/price-drops".to_string(),
        format!("/unsubscribe/one-click/{}/price-drops", "é".repeat(16)),
    ] {
        let answer = one_click(junk.clone(), "List-Unsubscribe=One-Click")
            .await
            .expect("post");
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{junk}");
    }
    let done = one_click(path.clone(), "List-Unsubscribe=One-Click")
        .await
        .expect("post");
    assert_eq!(done.status(), StatusCode::OK);
    let twice = one_click(path.clone(), "List-Unsubscribe=One-Click")
        .await
        .expect("post");
    assert_eq!(twice.status(), StatusCode::OK, "a provider may post it again");
    let settings = domain::notifications::prefs::settings(&app.db, user_id)
        .await
        .expect("settings");
    assert!(
        !settings.price_drops && settings.review_reminders,
        "only that kind is off"
    );

    let opened = provider.get(app.url(&path)).send().await.expect("get");
    assert_eq!(
        opened.status(),
        StatusCode::SEE_OTHER,
        "a person's visit is asked first"
    );
    assert_eq!(location(&opened), format!("/unsubscribe/{token}/price-drops"));
    let page = app.page(&app.client(), &location(&opened)).await;
    assert!(
        page.contains("Stop emails when a product on your wishlist costs less?"),
        "{page}"
    );
}

on_both_databases!(
    settings_and_previews_are_for_their_roles,
    one_click_unsubscribe_as_a_mail_provider_sends_it
);
