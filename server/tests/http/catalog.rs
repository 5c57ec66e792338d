//! The catalog: the REST API, storefront pages, the page cache, product images and search.

use std::time::Duration;

use reqwest::StatusCode;

use crate::support::{eventually, get_json, seeded_app, spawn_app_with};

#[tokio::test]
async fn product_search_api_follows_the_contract() {
    let app = seeded_app().await;
    let (status, body) = get_json(&app, "/api/v1/products/search").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 40);
    assert_eq!(body["page"], 1);
    assert_eq!(body["per_page"], 20);
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), 20);
    for key in ["id", "name", "price", "category", "rating", "image_url"] {
        assert!(results[0].get(key).is_some(), "missing {key}: {}", results[0]);
    }
    let (_, page2) = get_json(&app, "/api/v1/products/search?page=2&per_page=30").await;
    assert_eq!(page2["results"].as_array().map(Vec::len), Some(10));
    let (_, cheap) = get_json(&app, "/api/v1/products/search?price_max=30&per_page=100").await;
    assert!(cheap["results"]
        .as_array()
        .expect("results")
        .iter()
        .all(|r| r["price"].as_f64().unwrap_or(99.0) <= 30.0));
}

#[tokio::test]
async fn bad_search_parameters_answer_400_with_an_error_object() {
    let app = seeded_app().await;
    for query in [
        "price_min=abc",
        "price_min=-1",
        "price_min=50&price_max=10",
        "per_page=101",
        "per_page=abc",
        "page=0",
        "page=-3",
        "sort=cheapest",
    ] {
        let (status, body) = get_json(&app, &format!("/api/v1/products/search?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["error"]["code"], "invalid_parameter", "{query}: {body}");
        assert!(
            body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{query}"
        );
    }
    let long = "x".repeat(10_240);
    let started = std::time::Instant::now();
    let (status, body) = get_json(&app, &format!("/api/v1/products/search?q={long}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 0);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let (status, _) = get_json(&app, "/api/v1/products/search?q=%F0%9F%A6%80%E2%80%AE%00caf%C3%A9").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn product_and_category_api_answer_404_and_400_properly() {
    let app = seeded_app().await;
    let (_, list) = get_json(&app, "/api/v1/products/search?per_page=1").await;
    let id = list["results"][0]["id"].as_i64().expect("id");
    let (status, product) = get_json(&app, &format!("/api/v1/products/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!product["variants"].as_array().expect("variants").is_empty());
    let (status, body) = get_json(&app, "/api/v1/products/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, body) = get_json(&app, "/api/v1/products/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_parameter");
    let (status, cats) = get_json(&app, "/api/v1/categories").await;
    assert_eq!(status, StatusCode::OK);
    assert!(cats["categories"].as_array().expect("list").len() >= 12);
}

#[tokio::test]
async fn catalog_responses_carry_an_etag_that_revalidates() {
    let app = seeded_app().await;
    let client = app.client();
    let first = client.get(app.url("/api/v1/categories")).send().await.expect("get");
    let etag = first.headers()["etag"].clone();
    assert!(first.headers()["cache-control"]
        .to_str()
        .expect("ascii")
        .contains("max-age"));
    let again = client
        .get(app.url("/api/v1/categories"))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn storefront_pages_render_real_data_and_404_for_unknown_slugs() {
    let app = seeded_app().await;
    let client = app.client();
    let (_, list) = get_json(&app, "/api/v1/products/search?per_page=1").await;
    let name = list["results"][0]["name"].as_str().expect("name").to_string();
    let slug: String = sqlx::query_scalar("SELECT slug FROM products WHERE title = $1")
        .bind(&name)
        .fetch_one(app.db.pool())
        .await
        .expect("slug");
    let page = client.get(app.url(&format!("/p/{slug}"))).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(html.contains(&name));
    assert!(html.contains("Specifications"));
    for path in ["/p/no-such-product", "/c/no-such-category"] {
        let r = client.get(app.url(path)).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let home = app.page(&client, "/").await;
    assert!(home.contains("New arrivals") && home.contains(&name) || home.contains("Top rated"));
    let category = client.get(app.url("/c/fashion")).send().await.expect("get");
    assert_eq!(category.status(), StatusCode::OK);
    let store_slug: String = sqlx::query_scalar("SELECT slug FROM sellers ORDER BY slug LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("store");
    let store = client
        .get(app.url(&format!("/store/{store_slug}")))
        .send()
        .await
        .expect("get");
    assert_eq!(store.status(), StatusCode::OK);
    assert!(store.text().await.expect("body").contains("Search this store"));
    let missing = client.get(app.url("/store/no-such-store")).send().await.expect("get");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let bad = client.get(app.url("/search?price_min=abc")).send().await.expect("get");
    assert_ne!(bad.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(bad.text().await.expect("body").contains("Check your search"));
    let image = client
        .get(app.url(&format!("/media/card/{}.svg", list["results"][0]["id"])))
        .send()
        .await
        .expect("get");
    assert_eq!(image.headers()["content-type"], "image/svg+xml");
}

#[tokio::test]
async fn product_descriptions_never_carry_markup_into_the_page() {
    let app = seeded_app().await;
    let slug: String = sqlx::query_scalar("SELECT slug FROM products ORDER BY id LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("slug");
    sqlx::query("UPDATE products SET description_md = $1 WHERE slug = $2")
        .bind("Nice **bold** <script>alert('x')</script> <img src=x onerror=alert(1)>")
        .bind(&slug)
        .execute(app.db.pool())
        .await
        .expect("update");
    let html = app
        .client()
        .get(app.url(&format!("/p/{slug}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains("<strong>bold</strong>"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("&lt;script&gt;"));
}

/// Issue 27: a product's SEO title and description (kept from a Shopify file or typed in the editor) are its
/// page's title and meta description, escaped; without them the page's title is the product's.
#[tokio::test]
async fn a_products_seo_title_and_description_are_its_pages() {
    let app = seeded_app().await;
    let slugs: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM products WHERE status = 'active' ORDER BY id LIMIT 2")
            .fetch_all(app.db.pool())
            .await
            .expect("slugs");
    sqlx::query("UPDATE products SET seo_title = $1, seo_description = $2 WHERE slug = $3")
        .bind("Ice Wrench for \"cold\" hands")
        .bind("Steel & grip <b>15 mm</b>")
        .bind(&slugs[0])
        .execute(app.db.pool())
        .await
        .expect("update");
    let page = |slug: String| {
        let client = app.client();
        let url = app.url(&format!("/p/{slug}"));
        async move { client.get(url).send().await.expect("get").text().await.expect("body") }
    };
    let html = page(slugs[0].clone()).await;
    assert!(
        html.contains("<title>Ice Wrench for &quot;cold&quot; hands"),
        "the SEO title"
    );
    assert!(
        html.contains("<meta name=\"description\" content=\"Steel &amp; grip &lt;b&gt;15 mm&lt;/b&gt;\""),
        "the SEO description, escaped"
    );
    assert_eq!(html.matches("<meta name=\"description\"").count(), 1, "one description");
    let plain = page(slugs[1].clone()).await;
    assert!(!plain.contains("<meta name=\"description\""), "none without one");
}

#[tokio::test]
async fn product_pages_are_cached_with_a_fresh_nonce_and_a_price_change_shows_within_a_second() {
    let app = seeded_app().await;
    let (slug, variant): (String, i64) = sqlx::query_as(
        "SELECT p.slug, v.id FROM products p JOIN variants v ON v.product_id = p.id ORDER BY v.position, p.id LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("product");
    let client = app.client();
    let get = || client.get(app.url(&format!("/p/{slug}"))).send();
    let first = get().await.expect("get");
    assert_eq!(first.headers()["x-page-cache"], "miss");
    let first_csp = first.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    let etag = first.headers()["etag"].clone();
    let second = get().await.expect("get");
    assert_eq!(second.headers()["x-page-cache"], "hit");
    let second_csp = second.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert_ne!(first_csp, second_csp, "every answer has its own nonce");
    let nonce = second_csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("nonce");
    let body = second.text().await.expect("body");
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "the body carries the header's nonce"
    );
    let revalidated = client
        .get(app.url(&format!("/p/{slug}")))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("get");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    // The browser applies a 304's headers to the copy it keeps: the policy must be the one whose nonce that copy's
    // scripts carry (the first answer's), or every inline script of the page is blocked after a reload.
    assert_eq!(
        revalidated.headers()["content-security-policy"].to_str().expect("csp"),
        first_csp,
        "a 304 carries the policy of the body it revalidates"
    );

    domain::testing::seller_sets_price(&app.db, variant, 123_456).await;
    let get = &get;
    eventually(
        Duration::from_secs(1),
        "the new price did not show within a second",
        move || async move {
            get()
                .await
                .expect("get")
                .text()
                .await
                .expect("body")
                .contains("$1234.56")
        },
    )
    .await;
}

#[tokio::test]
async fn listing_pages_are_cached_per_query_and_a_price_change_shows_within_a_second() {
    let app = seeded_app().await;
    let (category, variant): (String, i64) = sqlx::query_as(
        "SELECT c.slug, v.id FROM products p JOIN variants v ON v.product_id = p.id \
         JOIN categories c ON c.id = p.category_id WHERE p.status = 'active' ORDER BY p.id, v.position LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("product");
    let client = app.client();
    let path = format!("/c/{category}?sort=price_asc");
    let get = || client.get(app.url(&path)).send();
    let first = get().await.expect("get");
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["x-page-cache"], "miss");
    let etag = first.headers()["etag"].clone();
    assert_eq!(get().await.expect("get").headers()["x-page-cache"], "hit");
    let other = client
        .get(app.url(&format!("/c/{category}?sort=newest")))
        .send()
        .await
        .expect("get");
    assert_eq!(other.headers()["x-page-cache"], "miss", "another query is another page");
    let revalidated = client
        .get(app.url(&path))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("get");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);

    domain::testing::seller_sets_price(&app.db, variant, 1).await;
    let get = &get;
    eventually(
        Duration::from_secs(1),
        "the new price did not show on the category page within a second",
        move || async move { get().await.expect("get").text().await.expect("body").contains("$0.01") },
    )
    .await;
}

#[tokio::test]
async fn signed_in_visitors_never_get_a_cached_page() {
    let app = seeded_app().await;
    let slug: String = sqlx::query_scalar("SELECT slug FROM products ORDER BY id LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("slug");
    let anonymous = app.client();
    anonymous
        .get(app.url(&format!("/p/{slug}")))
        .send()
        .await
        .expect("warm");
    let client = app.client();
    app.register(&client, "cached@example.com").await;
    let page = client.get(app.url(&format!("/p/{slug}"))).send().await.expect("get");
    assert!(page.headers().get("x-page-cache").is_none());
    assert!(!page.text().await.expect("body").contains("href=\"/login\""));
}

#[tokio::test]
async fn search_tolerates_typos_and_suggests_while_typing() {
    let app = seeded_app().await;
    let (status, body) = get_json(&app, "/api/v1/products/search?q=headphnes").await;
    assert_eq!(status, StatusCode::OK);
    let (_, exact) = get_json(&app, "/api/v1/products/search?q=headphones").await;
    assert!(body["total"].as_i64().expect("total") > 0);
    assert_eq!(body["total"], exact["total"]);
    // A GET, as the search box's fetch sends it.
    let response = app
        .client()
        .get(app.url("/api/suggest?q=headph"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    let suggestions: serde_json::Value = response.json().await.expect("json");
    let list = suggestions.as_array().expect("list");
    assert!(list.iter().any(|s| s["url"] == "/c/headphones"), "{suggestions}");
    assert!(list.iter().any(|s| s["kind"] == "Product"), "{suggestions}");
}

#[tokio::test]
async fn product_images_are_served_by_content_hash_with_immutable_caching() {
    let dir = std::env::temp_dir().join(format!("bazaar_http_images_{}", domain::platform::ids::next_id()));
    let app = spawn_app_with(&[("IMAGE_DIR", dir.to_str().expect("utf-8 path"))]).await;
    let store = domain::catalog::images::LocalImageStore::new(&dir);
    domain::seed::seed_with_images(&app.db, 5, 2, &store)
        .await
        .expect("seed");
    domain::search::reindex(&app.db, &*app.index).await.expect("reindex");
    let (_, list) = get_json(&app, "/api/v1/products/search").await;
    let image_url = list["results"][0]["image_url"].as_str().expect("image url").to_string();
    assert!(
        image_url.starts_with("/media/") && image_url.ends_with("-480.webp"),
        "{image_url}"
    );
    let image = app.client().get(app.url(&image_url)).send().await.expect("get");
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/webp");
    assert_eq!(image.headers()["cache-control"], "public, max-age=31536000, immutable");
    for bad in [
        "/media/..%2F..%2Fetc%2Fpasswd",
        "/media/nothing.png",
        "/media/%2e%2e.webp",
    ] {
        let response = app.client().get(app.url(bad)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{bad}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
