//! Issue 22: what a product page offers next over HTTP — "Customers also bought" and "Similar items" on the page,
//! and the cards "Recently viewed" asks for (public products only, junk refused with a clear answer).

use std::time::Duration;

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{eventually, TestApp};

/// Three active in-stock products: (id, slug, title).
async fn on_sale(app: &TestApp) -> Vec<(i64, String, String)> {
    sqlx::query_as(
        "SELECT p.id, p.slug, p.title FROM products p WHERE p.status = 'active' AND EXISTS (SELECT 1 FROM variants v \
         JOIN stock s ON s.variant_id = v.id WHERE v.product_id = p.id AND s.available > 0) ORDER BY p.id LIMIT 3",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("products")
}

async fn a_product_page_shows_what_was_bought_with_it(app: &TestApp) {
    let p = on_sale(app).await;
    // Counts as two paid baskets would leave them (the domain tests pay real ones).
    for (a, b) in [(p[0].0, p[1].0), (p[1].0, p[0].0)] {
        sqlx::query("INSERT INTO co_purchases (product_id, other_id, orders) VALUES ($1, $2, 2)")
            .bind(a)
            .bind(b)
            .execute(app.db.pool())
            .await
            .expect("pair");
    }
    let client = app.client();
    let url = app.url(&format!("/p/{}", p[0].1));
    let page = app.page(&client, &format!("/p/{}", p[0].1)).await;
    let section = page.split("Customers also bought").nth(1).expect("the row is shown");
    let row = section.split("</section>").next().unwrap_or_default();
    assert!(row.contains(&format!("/p/{}", p[1].1)), "{row}");
    assert!(
        page.contains("Recently viewed"),
        "the island's section is in the page, hidden until filled"
    );

    // From the page cache now; a change to the product shown in the row drops the page too.
    let cached = client.get(&url).send().await.expect("get");
    assert_eq!(cached.headers()["x-page-cache"], "hit");
    assert!(
        !cached.headers().contains_key("x-bazaar-shows"),
        "the cache's own header never leaves the server"
    );
    let variant: i64 = sqlx::query_scalar("SELECT MIN(id) FROM variants WHERE product_id = $1")
        .bind(p[1].0)
        .fetch_one(app.db.pool())
        .await
        .expect("variant");
    domain::testing::seller_sets_price(&app.db, variant, 4_321).await;
    let (client, url) = (&client, &url);
    eventually(
        Duration::from_secs(1),
        "the shown product's new price did not show within a second",
        move || async move {
            let page = client.get(url).send().await.expect("get").text().await.expect("body");
            page.split("Customers also bought")
                .nth(1)
                .is_some_and(|row| row.contains("$43.21"))
        },
    )
    .await;
}

async fn recently_viewed_cards_are_public_products_and_junk_is_refused(app: &TestApp) {
    let p = on_sale(app).await;
    sqlx::query("UPDATE products SET status = 'archived' WHERE id = $1")
        .bind(p[2].0)
        .execute(app.db.pool())
        .await
        .expect("archive");
    let client = app.client();
    let url = app.url(&format!(
        "/fragments/recently-viewed?ids={},{},{}",
        p[1].0, p[2].0, p[0].0
    ));
    let answer = client.get(url).send().await.expect("request");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        answer.headers()["content-type"].to_str().unwrap_or_default(),
        "text/html; charset=utf-8"
    );
    let html = answer.text().await.expect("body");
    let (first, second) = (
        html.find(&format!("/p/{}", p[1].1)).expect("shown"),
        html.find(&format!("/p/{}", p[0].1)).expect("shown"),
    );
    assert!(first < second, "in the browser's order");
    assert!(
        !html.contains(&format!("/p/{}", p[2].1)),
        "an archived product is not shown"
    );

    let none = client
        .get(app.url("/fragments/recently-viewed?ids="))
        .send()
        .await
        .expect("request");
    assert_eq!(none.status(), StatusCode::OK);
    assert_eq!(none.text().await.expect("body"), "");
    for junk in ["1,abc", "-1", "1%002", "0", "99999999999999999999", "%E2%80%AE1"] {
        let refused = client
            .get(app.url(&format!("/fragments/recently-viewed?ids={junk}")))
            .send()
            .await
            .expect("request");
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{junk}");
        assert!(refused.text().await.expect("body").contains("product numbers"));
    }
}

on_both_databases!(
    a_product_page_shows_what_was_bought_with_it,
    recently_viewed_cards_are_public_products_and_junk_is_refused
);
