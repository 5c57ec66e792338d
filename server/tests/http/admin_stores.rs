//! The admins' store screens over HTTP: the access matrix (signed out → the login, a shopper and a seller → 403
//! and no change), and a suspension that takes the store's product page off the storefront (through the page
//! cache) until it is reactivated, with the reason escaped on the store's page. Both databases.

use std::time::Duration;

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{demo, eventually, location, TestApp};

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.db.pool()).await.expect("count")
}

/// The demo store `seller1` runs (its account made by `demo`), and the address of one of its products on sale.
async fn seller1_store(app: &TestApp) -> (i64, String) {
    sqlx::query_as(
        "SELECT s.id, '/p/' || p.slug FROM sellers s JOIN users u ON u.id = s.user_id \
         JOIN products p ON p.seller_id = s.id WHERE u.email = $1 AND p.status = 'active' ORDER BY p.id LIMIT 1",
    )
    .bind(format!("seller1@{}", domain::seed::DEMO_DOMAIN))
    .fetch_one(app.db.pool())
    .await
    .expect("seller1's store")
}

async fn only_admins_reach_the_store_screens(app: &TestApp) {
    let seller = demo(app, "seller1").await;
    let (store, _) = seller1_store(app).await;
    let id = store.to_string();
    let pages = ["/admin/sellers".to_string(), format!("/admin/sellers/{store}")];
    let anonymous = app.client();
    for path in &pages {
        let answer = anonymous.get(app.url(path)).send().await.expect("get");
        assert_eq!(answer.status(), StatusCode::FOUND, "{path} signed out");
        assert!(location(&answer).starts_with("/login?next=%2Fadmin"), "{path}");
    }
    let changes: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "suspend_store",
            vec![("id", &id), ("ground", "fraud"), ("reason", "x"), ("password", "")],
        ),
        ("reactivate_store", vec![("id", &id), ("reason", "x"), ("password", "")]),
        ("hold_store_payouts", vec![("id", &id), ("hold", "1"), ("reason", "x")]),
        (
            "change_store_commission",
            vec![
                ("id", &id),
                ("rate", "1"),
                ("seen", ""),
                ("reason", "x"),
                ("password", ""),
            ],
        ),
    ];
    let reads = [
        "/api/admin_stores?q=&state=&held=&after=".to_string(),
        format!("/api/admin_store?id={store}"),
    ];
    let shopper = demo(app, "shopper").await;
    for (who, client) in [("shopper", &shopper), ("seller", &seller)] {
        for path in &pages {
            let answer = client.get(app.url(path)).send().await.expect("get");
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {path}");
        }
        for (endpoint, form) in &changes {
            let answer = app.call(client, endpoint, form).await;
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {endpoint}");
        }
        for path in &reads {
            let answer = client.get(app.url(path)).send().await.expect("get");
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {path}");
        }
    }
    for (endpoint, form) in &changes {
        let answer = app.call(&anonymous, endpoint, form).await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "signed out {endpoint}");
    }
    let changed = "SELECT COUNT(*) FROM sellers WHERE status <> 'active' OR transfers_held_at IS NOT NULL";
    assert_eq!(count(app, changed).await, 0, "no store changed");
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM commission_rates WHERE scope = 'seller'").await,
        0
    );
    assert_eq!(count(app, "SELECT COUNT(*) FROM audit_log").await, 0);
}

async fn status_of(app: &TestApp, path: &str) -> StatusCode {
    app.client().get(app.url(path)).send().await.expect("get").status()
}

async fn a_suspended_stores_pages_leave_the_storefront_until_reactivated(app: &TestApp) {
    demo(app, "seller1").await;
    let (store, product) = seller1_store(app).await;
    let admin = demo(app, "admin").await;
    // Cached first, as a visitor's earlier view leaves it.
    assert_eq!(status_of(app, &product).await, StatusCode::OK);
    assert_eq!(status_of(app, &product).await, StatusCode::OK);
    let id = store.to_string();
    let reason = "Counterfeit <b>watches</b>";
    let done = app
        .submit(
            &admin,
            "suspend_store",
            &[
                ("id", &id),
                ("ground", "counterfeit"),
                ("reason", reason),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(location(&done), format!("/admin/sellers/{store}?done=suspended"));
    eventually(
        Duration::from_secs(5),
        "the product page leaves the storefront",
        || async { status_of(app, &product).await == StatusCode::NOT_FOUND },
    )
    .await;
    let page = app.page(&admin, &format!("/admin/sellers/{store}")).await;
    assert!(page.contains("Counterfeit &lt;b&gt;watches"), "the reason, escaped");
    assert!(!page.contains("<b>watches"));
    let list = app.page(&admin, "/admin/sellers?state=suspended").await;
    assert!(list.contains(&format!("/admin/sellers/{store}")), "listed as suspended");
    // Junk is refused clearly and changes nothing more.
    for (id, ground) in [("abc", "fraud"), ("-1", "fraud"), (id.as_str(), "nonsense")] {
        let answer = app
            .call(
                &admin,
                "suspend_store",
                &[("id", id), ("ground", ground), ("reason", "x"), ("password", "")],
            )
            .await;
        assert!(answer.status().is_client_error(), "{id} {ground}: {}", answer.status());
    }
    let done = app
        .submit(
            &admin,
            "reactivate_store",
            &[("id", &id), ("reason", "Brand confirmed the stock"), ("password", "")],
        )
        .await;
    assert_eq!(location(&done), format!("/admin/sellers/{store}?done=reactivated"));
    eventually(Duration::from_secs(5), "the product page is back", || async {
        status_of(app, &product).await == StatusCode::OK
    })
    .await;
    let log = app
        .page(&admin, &format!("/admin/audit?kind=store&subject={store}"))
        .await;
    assert!(log.contains("Store suspended") && log.contains("Store reactivated"));
}

on_both_databases!(
    only_admins_reach_the_store_screens,
    a_suspended_stores_pages_leave_the_storefront_until_reactivated,
);
