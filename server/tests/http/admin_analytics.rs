//! The admin's analytics over HTTP: signed out → the login, a shopper and a seller → 403 (page, server function,
//! CSV); a visitor's pages (rendered or from the page cache), searches with their result counts and an addition to
//! the cart reach the screen within seconds, while a browser sending Sec-GPC or DNT and a robot leave nothing.
//! Both databases.

use std::time::Duration;

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{demo, eventually, location, TestApp};

const PATHS: [&str; 3] = [
    "/admin/analytics",
    "/admin/analytics.csv?table=funnel",
    "/api/admin_analytics?range=7",
];

async fn only_admins_see_analytics(app: &TestApp) {
    let anonymous = app.client();
    for path in &PATHS[..2] {
        let answer = anonymous.get(app.url(path)).send().await.expect("get");
        assert!(answer.status().is_redirection(), "{path} signed out");
        assert!(location(&answer).starts_with("/login?next=%2Fadmin"), "{path}");
    }
    let answer = anonymous.get(app.url(PATHS[2])).send().await.expect("get");
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let shopper = demo(app, "shopper").await;
    let seller = demo(app, "seller1").await;
    for (who, client) in [("shopper", &shopper), ("seller", &seller)] {
        for path in PATHS {
            let answer = client.get(app.url(path)).send().await.expect("get");
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {path}");
            assert!(!answer.text().await.expect("body").contains("Visits"), "{who} {path}");
        }
    }
    let admin = demo(app, "admin").await;
    let unknown = admin
        .get(app.url("/admin/analytics.csv?table=secrets"))
        .send()
        .await
        .expect("get");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

async fn events(app: &TestApp, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) FROM analytics_days WHERE kind = $1")
        .bind(kind)
        .fetch_one(app.db.pool())
        .await
        .expect("events")
}

async fn what_visitors_do_reaches_the_screen_and_the_untracked_leave_nothing(app: &TestApp) {
    let (slug, variant): (String, i64) = sqlx::query_as(
        "SELECT p.slug, MIN(v.id) FROM products p JOIN variants v ON v.product_id = p.id \
         WHERE p.status = 'active' GROUP BY p.id, p.slug ORDER BY p.id LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("product");
    // Untracked first: Global Privacy Control, Do Not Track, a robot. Nothing of theirs may be written.
    for (name, value) in [("sec-gpc", "1"), ("dnt", "1"), ("user-agent", "Googlebot/2.1")] {
        let client = app.client();
        for path in ["/", "/search?q=untrackedword", &format!("/p/{slug}")] {
            let answer = client.get(app.url(path)).header(name, value).send().await.expect("get");
            assert_eq!(answer.status(), StatusCode::OK, "{name} {path}");
            assert!(
                !answer.headers().contains_key(app::ssr::RESULTS_HEADER),
                "the count is the shop's own"
            );
        }
    }
    let visitor = app.client();
    for path in [
        format!("/p/{slug}"),
        format!("/p/{slug}"),
        "/search?q=Zzqx%20%20Nothing".to_string(),
        "/search?q=zzqx+nothing".to_string(),
        // Again: from the page cache, still a search with its count.
        "/search?q=zzqx+nothing".to_string(),
        "/search?q=zzqx+nothing&page=2".to_string(),
        "/no-such-page".to_string(),
    ] {
        let answer = visitor.get(app.url(&path)).send().await.expect("get");
        assert!(!answer.headers().contains_key(app::ssr::RESULTS_HEADER), "{path}");
    }
    let added = app
        .call(
            &visitor,
            "cart_add_inline",
            &[("variant", &variant.to_string()), ("quantity", "1")],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let checkout = visitor.get(app.url("/checkout")).send().await.expect("checkout");
    assert_eq!(checkout.status(), StatusCode::OK);
    eventually(Duration::from_secs(10), "the visitor's events are written", || async {
        events(app, "add_to_cart").await == 1 && events(app, "page_view").await == 7
    })
    .await;
    assert_eq!(
        events(app, "search").await,
        3,
        "the first page of each search, cached or not"
    );
    let untracked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM analytics_searches WHERE query = 'untrackedword'")
        .fetch_one(app.db.pool())
        .await
        .expect("untracked");
    assert_eq!(untracked, 0);

    let admin = demo(app, "admin").await;
    let page = app.page(&admin, "/admin/analytics?range=7").await;
    assert!(page.contains("From visit to paid") && page.contains("Searches that found nothing"));
    assert!(page.contains("zzqx nothing"), "the empty search is listed");
    assert!(!page.contains("untrackedword"));
    let csv = admin
        .get(app.url("/admin/analytics.csv?range=7&table=funnel"))
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.expect("body");
    // One visitor: visited, viewed a product, added to cart, started checkout; not paid.
    assert!(csv.trim_end().ends_with("Total,1,1,1,1,0"), "{csv}");
    let empty = admin
        .get(app.url("/admin/analytics.csv?range=7&table=no-results"))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("body");
    assert!(empty.contains("zzqx nothing,3,3"), "{empty}");
}

on_both_databases!(
    only_admins_see_analytics,
    what_visitors_do_reaches_the_screen_and_the_untracked_leave_nothing
);
