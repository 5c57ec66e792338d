//! The admin dashboard over HTTP: signed out → the login, a shopper and a seller → 403 (its page, its server
//! function and its CSV); an admin sees a paid checkout in the period's GMV, and its days as a file; wrong dates are
//! told what to type. Both databases.

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::seller_orders::paid_store_order;
use crate::support::{demo, location, TestApp};

async fn only_admins_see_the_dashboard(app: &TestApp) {
    let anonymous = app.client();
    for path in ["/admin", "/admin/sales.csv?range=7"] {
        let answer = anonymous.get(app.url(path)).send().await.expect("get");
        assert!(
            answer.status().is_redirection(),
            "{path} signed out: {}",
            answer.status()
        );
        assert!(location(&answer).starts_with("/login?next=%2Fadmin"), "{path}");
    }
    let answer = anonymous
        .get(app.url("/api/admin_dashboard?range=7"))
        .send()
        .await
        .expect("get");
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let shopper = demo(app, "shopper").await;
    let seller = demo(app, "seller1").await;
    for (who, client) in [("shopper", &shopper), ("seller", &seller)] {
        for path in ["/admin", "/admin/sales.csv?range=7", "/api/admin_dashboard?range=7"] {
            let answer = client.get(app.url(path)).send().await.expect("get");
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {path}");
            let body = answer.text().await.expect("body");
            assert!(!body.contains("GMV"), "{who} {path}: no figure");
        }
    }
}

async fn an_admin_reads_the_marketplaces_sales(app: &TestApp) {
    let (number, _) = paid_store_order(app).await;
    let paid: i64 = sqlx::query_scalar(
        "SELECT g.grand_total FROM order_groups g JOIN orders o ON o.group_id = g.id WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_one(app.db.pool())
    .await
    .expect("paid");
    let admin = demo(app, "admin").await;
    let shown = model::catalog::Money::new(paid, domain::catalog::editor::CURRENCY).display();
    let page = app.page(&admin, "/admin?range=7").await;
    assert!(
        page.contains("Marketplace sales") && page.contains("GMV"),
        "the dashboard"
    );
    assert!(page.contains(&shown), "the checkout's {shown} in the period's GMV");
    let csv = admin
        .get(app.url("/admin/sales.csv?range=7"))
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/csv"));
    let csv = csv.text().await.expect("body");
    assert_eq!(csv.lines().count(), 9, "header, 7 days, total: {csv}");
    let total = csv.lines().last().expect("total");
    assert!(total.starts_with("Total,1,"), "{total}");
    // Wrong dates: told what to type, on the page and for the file.
    let page = app.page(&admin, "/admin?from=2026-12-05&to=2026-12-01").await;
    assert!(
        page.contains("The last day must be on or after the first."),
        "the page says why"
    );
    let bad = admin
        .get(app.url("/admin/sales.csv?from=yesterday&to=%00"))
        .send()
        .await
        .expect("csv");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.expect("body").contains("YYYY-MM-DD"));
}

on_both_databases!(only_admins_see_the_dashboard, an_admin_reads_the_marketplaces_sales);
