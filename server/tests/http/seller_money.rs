//! Issue 21: a store's money over HTTP — its seller reads the statement and its CSV; another store's seller never
//! sees its entries; a shopper is sent to apply, a visitor to sign in; only admins see and record payouts; the
//! test clock does not exist in a shop started without `TEST_CLOCK`.

use reqwest::{Client, StatusCode};

use crate::on_both_databases;
use crate::orders::{place_order, signed_up};
use crate::seller_orders::{first_store_variant, paid_store_order};
use crate::sellers::post_form;
use crate::support::{demo, location, TestApp};

async fn get(app: &TestApp, client: &Client, path: &str) -> reqwest::Response {
    client.get(app.url(path)).send().await.expect("get")
}

async fn a_stores_money_is_its_own(app: &TestApp) {
    let (number, _) = paid_store_order(app).await;
    let seller = demo(app, "seller1").await;
    let page = get(app, &seller, "/seller/money").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("body");
    assert!(
        page.contains(&number) && page.contains("Commission"),
        "the sale and its commission"
    );
    let csv = get(app, &seller, "/seller/money/statement.csv?kind=sale").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/csv"));
    let csv = csv.text().await.expect("body");
    assert_eq!(csv.lines().count(), 2, "the header and the sale: {csv}");
    assert!(csv.contains(&number));
    let bad = get(app, &seller, "/seller/money/statement.csv?from=yesterday&kind=%00").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.expect("body").contains("YYYY-MM-DD"));
    // The sales dashboard on the overview, and its days as a file.
    let overview = get(app, &seller, "/seller?range=7").await.text().await.expect("body");
    assert!(overview.contains("Best sellers") && overview.contains("Revenue per day"));
    let sales = get(app, &seller, "/seller/sales.csv?range=7").await;
    assert_eq!(sales.status(), StatusCode::OK);
    let sales = sales.text().await.expect("body");
    assert_eq!(sales.lines().count(), 9, "header, 7 days, total: {sales}");
    assert!(
        sales.lines().last().expect("total").starts_with("Total,1,1,"),
        "{sales}"
    );
    // Every other figure and every product, as files too; a table that is not one is refused with what to ask.
    let summary = get(app, &seller, "/seller/sales.csv?range=7&table=summary").await;
    assert!(summary.headers()["content-disposition"]
        .to_str()
        .expect("name")
        .contains("sales-summary-"));
    let summary = summary.text().await.expect("body");
    assert!(
        summary.starts_with("Figure,This period,Period before,Change,Currency\n"),
        "{summary}"
    );
    assert!(
        summary.contains("\nOrders,1,0,,\n"),
        "no change without a base: {summary}"
    );
    let products = get(app, &seller, "/seller/sales.csv?range=7&table=products")
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(
        products.lines().count(),
        2,
        "the header and the product sold: {products}"
    );
    let odd = get(app, &seller, "/seller/sales.csv?table=%00secrets").await;
    assert_eq!(odd.status(), StatusCode::BAD_REQUEST);
    assert!(odd.text().await.expect("body").contains("Choose the days"));

    // Another store's seller: its own statement, never this order.
    let other = demo(app, "seller2").await;
    for path in ["/seller/money", "/seller/money/statement.csv"] {
        let answer = get(app, &other, path).await;
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        assert!(!answer.text().await.expect("body").contains(&number), "{path}");
    }
    let theirs = get(app, &other, "/seller/sales.csv?range=7")
        .await
        .text()
        .await
        .expect("body");
    assert!(theirs.ends_with("Total,0,0,0.00,0.00,USD\n"), "{theirs}");
    // A shopper is sent to apply; a visitor to sign in.
    let shopper = demo(app, "shopper").await;
    for path in ["/seller/money", "/seller/money/statement.csv", "/seller/sales.csv"] {
        assert_eq!(location(&get(app, &shopper, path).await), "/sell", "{path}");
        assert!(
            location(&get(app, &app.client(), path).await).starts_with("/login"),
            "{path}"
        );
    }

    // Payouts are the admins': a seller or a shopper neither lists nor records one.
    let store: i64 = sqlx::query_scalar("SELECT MIN(id) FROM sellers")
        .fetch_one(app.db.pool())
        .await
        .expect("store");
    let payout = [
        ("seller_id", store.to_string()),
        ("amount", "1".to_string()),
        ("reference", "STOLEN".to_string()),
        ("form_key", "k-probe".to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let adjustment = [
        ("seller_id", store.to_string()),
        ("amount", "100.00".to_string()),
        ("reason", "A gift to myself".to_string()),
        ("form_key", "k-adjust".to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    for probe in [&seller, &shopper] {
        let answer = post_form(app, probe, "record_payout", &payout, "application/json").await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
        let answer = post_form(app, probe, "adjust_balance", &adjustment, "application/json").await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            get(app, probe, "/api/store_payouts").await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(get(app, probe, "/admin/payouts").await.status(), StatusCode::FORBIDDEN);
    }
    let admin = demo(app, "admin").await;
    let list = get(app, &admin, "/admin/payouts").await;
    assert_eq!(list.status(), StatusCode::OK);
    assert!(list.text().await.expect("body").contains("Payouts to stores"));
    // Nothing is available before delivery: the admin records nothing either.
    let answer = post_form(app, &admin, "record_payout", &payout, "application/json").await;
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    let transfers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM seller_transfers")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(transfers, 0);
    let adjusted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM seller_ledger WHERE kind = 'adjustment'")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(adjusted, 0, "no adjustment booked by a seller or a shopper");

    // No clock to move in a shop started without TEST_CLOCK.
    let moved = seller
        .post(app.url("/test/clock"))
        .header("origin", &app.base)
        .form(&[("days", "8")])
        .send()
        .await
        .expect("post");
    assert_eq!(moved.status(), StatusCode::NOT_FOUND);
}

/// A dispute (the test gateway's dispute card): its store reads and answers it; another store, a shopper and a
/// visitor neither see nor answer it.
async fn a_dispute_is_its_stores_alone(app: &TestApp) {
    let variant = first_store_variant(app).await;
    let buyer = signed_up(app, "disputer@example.com").await;
    let session = place_order(app, &buyer, "disputer@example.com", variant).await;
    let paid = app
        .call(
            &buyer,
            "test_pay",
            &[("session", session.as_str()), ("card", "4000 0000 0000 0259")],
        )
        .await;
    assert_eq!(paid.status(), StatusCode::OK);
    let id: i64 = sqlx::query_scalar("SELECT id FROM disputes")
        .fetch_one(app.db.pool())
        .await
        .expect("a case");
    let path = format!("/seller/money/disputes/{id}");
    let evidence =
        |text: &str| [("id", id.to_string()), ("evidence", text.to_string())].map(|(k, v)| (k.to_string(), v));
    let other = demo(app, "seller2").await;
    assert_eq!(get(app, &other, &path).await.status(), StatusCode::NOT_FOUND);
    let answer = post_form(
        app,
        &other,
        "send_dispute_evidence",
        &evidence("x".repeat(40).as_str()),
        "application/json",
    )
    .await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert!(!get(app, &other, "/seller/money")
        .await
        .text()
        .await
        .expect("body")
        .contains(&path));
    let shopper = demo(app, "shopper").await;
    assert_eq!(location(&get(app, &shopper, &path).await), "/sell");
    assert!(location(&get(app, &app.client(), &path).await).starts_with("/login"));
    let answer = post_form(
        app,
        &shopper,
        "send_dispute_evidence",
        &evidence("x".repeat(40).as_str()),
        "application/json",
    )
    .await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);

    let seller = demo(app, "seller1").await;
    assert!(get(app, &seller, "/seller/money")
        .await
        .text()
        .await
        .expect("body")
        .contains(&path));
    let page = get(app, &seller, &path).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .expect("body")
        .contains("What the marketplace sends the bank"));
    let answer = post_form(
        app,
        &seller,
        "send_dispute_evidence",
        &evidence("short\u{0}"),
        "application/json",
    )
    .await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sent: Option<i64> = sqlx::query_scalar("SELECT evidence_sent_at FROM disputes")
        .fetch_one(app.db.pool())
        .await
        .expect("case");
    assert_eq!(
        sent, None,
        "nothing sent by another store, a shopper, or a refused account"
    );
}

/// Product page views: a rendered page and one from the page cache count, a prefetch and an unknown product do
/// not; the counts reach the product's day within the workers' few seconds.
async fn product_page_views_are_counted(app: &TestApp) {
    let slug: String = sqlx::query_scalar("SELECT slug FROM products WHERE status = 'active' ORDER BY id LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("product");
    let visitor = app.client();
    let path = format!("/p/{slug}");
    assert_eq!(get(app, &visitor, &path).await.status(), StatusCode::OK);
    let cached = get(app, &visitor, &path).await;
    assert_eq!(cached.headers()["x-page-cache"], "hit");
    let prefetch = visitor
        .get(app.url(&path))
        .header("sec-purpose", "prefetch")
        .send()
        .await
        .expect("prefetch");
    assert_eq!(prefetch.status(), StatusCode::OK);
    assert_eq!(
        get(app, &visitor, "/p/no-such-product").await.status(),
        StatusCode::NOT_FOUND
    );
    let mut views = 0;
    for _ in 0..80 {
        views = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) FROM product_daily_sales")
            .fetch_one(app.db.pool())
            .await
            .expect("views");
        if views > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(views, 2, "the rendered and the cached page, nothing else");
}

on_both_databases!(
    a_stores_money_is_its_own,
    a_dispute_is_its_stores_alone,
    product_page_views_are_counted
);
