//! The admins' orders over HTTP: the access matrix (signed out → the login, a shopper and a seller → 403 for the
//! pages, the reads, the note and the refund, with nothing written), an admin who finds a paid checkout, opens it
//! and adds a note (escaped on the page), and one who cancels a unit from the store order's refund page (the
//! audit log shows it). Both databases.

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
    let (store_order, variant) = paid_store_order(app).await;
    let group = group_of(app, &store_order).await;
    let pages = [
        "/admin/orders".to_string(),
        format!("/admin/orders/{group}"),
        format!("/admin/orders/{store_order}/refund"),
    ];
    let reads = [
        "/api/admin_orders?q=".to_string(),
        format!("/api/admin_order?number={group}"),
        format!("/api/admin_refund_screen?number={store_order}"),
    ];
    let note = [("number", group.as_str()), ("note", "mine now")];
    let variant = variant.to_string();
    let refund = cancel_of_one(&store_order, &variant, "k-matrix");
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
    for (endpoint, form) in [("add_order_note", &note[..]), ("admin_refund_order", &refund[..])] {
        let answer = app.call(&anonymous, endpoint, form).await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{endpoint} signed out");
    }
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
        let answer = app.call(client, "admin_refund_order", &refund).await;
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&answer.status()),
            "{who} refund: {}",
            answer.status()
        );
    }
    assert_eq!(notes(app).await, 0, "no note written");
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM order_refunds").await,
        0,
        "nothing refunded"
    );
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

/// The refund page's cancel form of one unit of `variant`, as a browser sends it.
fn cancel_of_one<'a>(number: &'a str, variant: &'a str, key: &'a str) -> [(&'a str, &'a str); 7] {
    [
        ("number", number),
        ("kind", "cancel"),
        ("key", key),
        ("variant[0]", variant),
        ("qty[0]", "1"),
        ("reason", "out_of_stock"),
        ("password", ""),
    ]
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.db.pool()).await.expect("count")
}

async fn an_admin_cancels_a_unit_and_the_log_shows_it(app: &TestApp) {
    let (store_order, variant) = paid_store_order(app).await;
    let group = group_of(app, &store_order).await;
    let admin = demo(app, "admin").await;
    let page = app.page(&admin, &format!("/admin/orders/{group}")).await;
    let refund_page = format!("/admin/orders/{store_order}/refund");
    assert!(
        page.contains(&refund_page),
        "the checkout links the store order's refund page"
    );
    let page = app.page(&admin, &refund_page).await;
    assert!(page.contains("Cancel items") && page.contains(&format!("← Order {group}")));
    assert!(
        !page.contains("Your password (for a large refund)"),
        "just signed in: not asked"
    );
    let variant = variant.to_string();
    // Not through the store's own form: it carries no step-up.
    let form = cancel_of_one(&store_order, &variant, "k-store");
    let refused = app.call(&admin, "refund_order", &form[..6]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let done = app
        .submit(
            &admin,
            "admin_refund_order",
            &cancel_of_one(&store_order, &variant, "k-admin"),
        )
        .await;
    assert_eq!(done.status(), StatusCode::FOUND);
    assert_eq!(location(&done), format!("{refund_page}?done=cancelled"));
    let page = app.page(&admin, &format!("{refund_page}?done=cancelled")).await;
    assert!(page.contains("Nothing more can be cancelled or refunded on this order."));
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'order.cancelled' AND actor_role = 'admin'"
        )
        .await,
        1
    );
    let log = app.page(&admin, "/admin/audit?action=order.cancelled").await;
    assert!(log.contains("Order items cancelled") && log.contains(&store_order));
    // The same form again changes nothing; an order that is not one is not found.
    let again = app
        .submit(
            &admin,
            "admin_refund_order",
            &cancel_of_one(&store_order, &variant, "k-admin"),
        )
        .await;
    assert_eq!(location(&again), format!("{refund_page}?done=already-refunded"));
    let unknown = app
        .call(
            &admin,
            "admin_refund_order",
            &cancel_of_one("BZ-NONE-1", &variant, "k-x"),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(count(app, "SELECT COUNT(*) FROM order_refunds").await, 1);
}

on_both_databases!(
    only_admins_reach_the_order_screens,
    an_admin_finds_an_order_and_notes_it,
    an_admin_cancels_a_unit_and_the_log_shows_it
);
