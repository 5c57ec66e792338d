//! The admins' orders over HTTP: the access matrix (signed out → the login, a shopper and a seller → 403 for the
//! pages, the reads and the note, with nothing written), and an admin who finds a paid checkout, opens it and adds
//! a note (escaped on the page). Both databases.

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::seller_orders::paid_store_order;
use crate::support::{demo, location, TestApp};

async fn group_of(app: &TestApp, store_order: &str) -> String {
    sqlx::query_scalar("SELECT g.number FROM order_groups g JOIN orders o ON o.group_id = g.id WHERE o.number = $1")
        .bind(store_order)
        .fetch_one(app.db.pool())
        .await
        .expect("group")
}

async fn notes(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM order_notes")
        .fetch_one(app.db.pool())
        .await
        .expect("count")
}

async fn only_admins_reach_the_order_screens(app: &TestApp) {
    let (store_order, _) = paid_store_order(app).await;
    let group = group_of(app, &store_order).await;
    let pages = ["/admin/orders".to_string(), format!("/admin/orders/{group}")];
    let reads = [
        "/api/admin_orders?q=".to_string(),
        format!("/api/admin_order?number={group}"),
    ];
    let note = [("number", group.as_str()), ("note", "mine now")];
    let anonymous = app.client();
    for path in &pages {
        let answer = anonymous.get(app.url(path)).send().await.expect("get");
        assert_eq!(answer.status(), StatusCode::FOUND, "{path} signed out");
        assert!(location(&answer).starts_with("/login?next=%2Fadmin%2Forders"), "{path}");
    }
    for path in &reads {
        let answer = anonymous.get(app.url(path)).send().await.expect("get");
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{path} signed out");
    }
    assert_eq!(
        app.call(&anonymous, "add_order_note", &note).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let shopper = demo(app, "shopper").await;
    let seller = demo(app, "seller1").await;
    for (who, client) in [("shopper", &shopper), ("seller", &seller)] {
        for path in pages.iter().chain(&reads) {
            let answer = client.get(app.url(path)).send().await.expect("get");
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {path}");
            let body = answer.text().await.expect("body");
            assert!(!body.contains(&group), "{who} {path}: nothing of the order");
        }
        let answer = app.call(client, "add_order_note", &note).await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} note");
    }
    assert_eq!(notes(app).await, 0, "no note written");
}

async fn an_admin_finds_an_order_and_notes_it(app: &TestApp) {
    let (store_order, _) = paid_store_order(app).await;
    let group = group_of(app, &store_order).await;
    let admin = demo(app, "admin").await;
    let list = app.page(&admin, "/admin/orders?state=to-ship").await;
    assert!(
        list.contains(&format!("/admin/orders/{group}")),
        "the paid order is to ship"
    );
    let list = app.page(&admin, "/admin/orders?state=shipped").await;
    assert!(!list.contains(&group) && list.contains("No order matches these filters."));
    let wrong = app.page(&admin, "/admin/orders?min=ten").await;
    assert!(
        wrong.contains("Type an amount like 25 or 25.50 (at most 1000000)."),
        "told what to type"
    );

    let page = app.page(&admin, &format!("/admin/orders/{group}")).await;
    assert!(page.contains(&store_order) && page.contains("Payments and refunds"));
    let note = "Shopper <script>alert(1)</script> called";
    let done = app
        .submit(&admin, "add_order_note", &[("number", &group), ("note", note)])
        .await;
    assert_eq!(done.status(), StatusCode::FOUND);
    assert_eq!(location(&done), format!("/admin/orders/{group}?done=note"));
    let page = app.page(&admin, &format!("/admin/orders/{group}?done=note")).await;
    assert!(
        page.contains("Shopper &lt;script&gt;alert(1)&lt;/script&gt; called"),
        "escaped"
    );
    assert!(!page.contains("<script>alert(1)"));
    assert_eq!(notes(app).await, 1);
    // An empty note is refused with the field's message, and nothing is written.
    let empty = app
        .call(&admin, "add_order_note", &[("number", &group), ("note", " ")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.expect("body").contains("Write the note first."));
    let unknown = app
        .call(&admin, "add_order_note", &[("number", "BZ-NONE"), ("note", "x")])
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(notes(app).await, 1);
}

on_both_databases!(
    only_admins_reach_the_order_screens,
    an_admin_finds_an_order_and_notes_it
);
