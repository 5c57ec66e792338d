//! Server tests over HTTP against the real router on port 0, with a cookie-keeping client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use domain::Db;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use server::config::Config;

struct TestApp {
    base: String,
    db: Db,
    db_path: std::path::PathBuf,
    index: Arc<domain::search::TantivyIndex>,
}

impl TestApp {
    fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Posts a form to a server function the way the hydrated page does (same origin, JSON answer).
    async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    async fn register(&self, client: &Client, email: &str) -> reqwest::Response {
        self.call(
            client,
            "register",
            &[
                ("name", "Test Shopper"),
                ("email", email),
                ("password", "correct-horse-77"),
                ("next", "/"),
            ],
        )
        .await
    }

    async fn login(&self, client: &Client, email: &str, password: &str) -> reqwest::Response {
        self.call(
            client,
            "login",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.db_path.display()));
        }
    }
}

async fn spawn_app_with(settings: &[(&str, &str)]) -> TestApp {
    let db_path = std::env::temp_dir().join(format!(
        "bazaar_http_{}_{}.db",
        std::process::id(),
        domain::ids::next_id()
    ));
    let url = format!("sqlite://{}", db_path.display());
    let mut pairs: Vec<(String, String)> = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    pairs.push(("DATABASE_URL".into(), url.clone()));
    let config =
        Config::from_lookup(|k| pairs.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone())).expect("config");
    let db = Db::connect(&url, 4).await.expect("db");
    db.migrate().await.expect("migrate");
    let index = Arc::new(domain::search::TantivyIndex::in_memory().expect("index"));
    let services = server::services(&config, db.clone(), index.clone()).expect("services");
    let cache = Arc::new(server::page_cache::PageCache::new(
        db.clone(),
        server::session_cookie_name(&config),
    ));
    // The real indexer loop: catalog changes reach search and the page cache as in production.
    server::search::start(&services, cache.clone());
    server::spawn_order_workers(services.clone(), server::mailer(&config, db.clone()).expect("mailer"));
    let app = server::router(Arc::new(config), services, cache);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    TestApp {
        base: format!("http://{addr}"),
        db,
        db_path,
        index,
    }
}

async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bazaar_session="))
        .map(|v| v.to_string())
}

#[tokio::test]
async fn register_then_logout_then_login_again() {
    let app = spawn_app().await;
    let client = app.client();
    let registered = app.register(&client, "Shopper@Example.com").await;
    assert_eq!(registered.status(), StatusCode::OK);
    let user: serde_json::Value = registered.json().await.expect("json");
    assert_eq!(user["email"], "shopper@example.com");
    assert_eq!(user["role"], "shopper");
    assert!(user.get("password_hash").is_none());

    let account = client.get(app.url("/account")).send().await.expect("account");
    assert_eq!(account.status(), StatusCode::OK);
    assert!(account.text().await.expect("body").contains("Test Shopper"));

    let out = app.call(&client, "logout", &[]).await;
    assert!(out.status().is_success(), "{}", out.status());
    let account = client.get(app.url("/account")).send().await.expect("account");
    assert_eq!(account.status(), StatusCode::FOUND);
    assert_eq!(account.headers()["location"], "/login?next=%2Faccount");

    let back = app.login(&client, "shopper@example.com", "correct-horse-77").await;
    assert_eq!(back.status(), StatusCode::OK);
    let account = client.get(app.url("/account")).send().await.expect("account");
    assert_eq!(account.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_session_cookie_changes_at_login_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    let client = app.client();
    let first = app.register(&client, "fixation@example.com").await;
    let before = session_cookie(&first).expect("cookie at registration");
    assert!(before.contains("HttpOnly"), "{before}");
    assert!(before.contains("SameSite=Lax"), "{before}");
    assert!(!before.contains("Secure"), "plain http must not set Secure: {before}");

    let second = app.login(&client, "fixation@example.com", "correct-horse-77").await;
    let after = session_cookie(&second).expect("cookie at login");
    let value = |c: &str| c.split(';').next().unwrap_or_default().to_string();
    assert_ne!(value(&before), value(&after), "session id was not changed at login");

    // Replaying the pre-login cookie gets nobody signed in.
    let stale = Client::builder().redirect(Policy::none()).build().expect("client");
    let response = stale
        .get(app.url("/account"))
        .header("cookie", value(&before))
        .send()
        .await
        .expect("account");
    assert_eq!(response.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn secure_cookie_with_host_prefix_when_served_over_https() {
    let app = spawn_app_with(&[("PUBLIC_URL", "https://shop.example")]).await;
    let client = app.client();
    let response = client
        .post(app.url("/api/register"))
        .header("origin", "https://shop.example")
        .header("accept", "application/json")
        .form(&[
            ("name", "Tls"),
            ("email", "tls@example.com"),
            ("password", "correct-horse-77"),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("register");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-bazaar_session="))
        .expect("__Host- cookie")
        .to_string();
    assert!(cookie.contains("Secure") && cookie.contains("Path=/"), "{cookie}");
    assert!(response.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn cross_site_posts_are_refused_with_403() {
    let app = spawn_app().await;
    let client = app.client();
    let form = [("email", "a@example.com"), ("password", "whatever-123"), ("next", "/")];
    let foreign_origin = client
        .post(app.url("/api/login"))
        .header("origin", "http://evil.example")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(foreign_origin.status(), StatusCode::FORBIDDEN);
    let cross_site = client
        .post(app.url("/api/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let null_origin = client
        .post(app.url("/api/logout"))
        .header("origin", "null")
        .send()
        .await
        .expect("post");
    assert_eq!(null_origin.status(), StatusCode::FORBIDDEN);
    // The same request from our own origin reaches the login check.
    let same_origin = app.login(&client, "a@example.com", "whatever-123").await;
    assert_eq!(same_origin.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_identically() {
    let app = spawn_app().await;
    let client = app.client();
    app.register(&client, "known@example.com").await;
    let other = app.client();
    let unknown = app.login(&other, "unknown@example.com", "correct-horse-77").await;
    let wrong = app.login(&other, "known@example.com", "not-the-password").await;
    assert_eq!(unknown.status(), wrong.status());
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (unknown.text().await.expect("body"), wrong.text().await.expect("body"));
    assert_eq!(a, b);
}

#[tokio::test]
async fn repeated_failures_answer_429_with_retry_after() {
    let app = spawn_app_with(&[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")]).await;
    let client = app.client();
    app.register(&client, "target@example.com").await;
    let attacker = app.client();
    for _ in 0..3 {
        let r = app.login(&attacker, "target@example.com", "guess-guess-1").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = app.login(&attacker, "target@example.com", "guess-guess-1").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = blocked.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    let body: serde_json::Value = blocked.json().await.expect("json");
    assert!(body.get("RateLimited").is_some(), "{body}");
}

#[tokio::test]
async fn a_password_change_signs_out_the_other_devices() {
    let app = spawn_app().await;
    let phone = app.client();
    app.register(&phone, "two@example.com").await;
    let laptop = app.client();
    assert_eq!(
        app.login(&laptop, "two@example.com", "correct-horse-77").await.status(),
        StatusCode::OK
    );

    let changed = app
        .call(
            &phone,
            "change_password",
            &[
                ("current_password", "correct-horse-77"),
                ("new_password", "fresh-battery-88"),
                ("confirm_password", "fresh-battery-88"),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        phone.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::OK
    );
    assert_eq!(
        laptop.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn bad_registration_returns_field_errors_and_creates_nothing() {
    let app = spawn_app().await;
    let client = app.client();
    let response = app
        .call(
            &client,
            "register",
            &[("name", ""), ("email", "nope"), ("password", "short"), ("next", "/")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = response.json().await.expect("json");
    let fields: Vec<&str> = body["Validation"]
        .as_array()
        .expect("field list")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "email", "password"]);
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(users, 0);
}

#[tokio::test]
async fn admin_dashboard_is_for_admins_only() {
    let app = spawn_app().await;
    let shopper = app.client();
    app.register(&shopper, "shop@example.com").await;
    assert_eq!(
        shopper.get(app.url("/admin")).send().await.expect("get").status(),
        StatusCode::FORBIDDEN
    );
    let api = app.call(&shopper, "admin_overview", &[]).await;
    assert_eq!(api.status(), StatusCode::FORBIDDEN);

    domain::accounts::create_admin(
        &app.db,
        &domain::accounts::Registration {
            name: "Operator".into(),
            email: "ops@example.com".into(),
            password: "operator-secret-1".into(),
        },
    )
    .await
    .expect("admin");
    let admin = app.client();
    assert_eq!(
        app.login(&admin, "ops@example.com", "operator-secret-1").await.status(),
        StatusCode::OK
    );
    let page = admin.get(app.url("/admin")).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(html.contains("Admin dashboard"));
    assert!(html.contains("Shoppers"));
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_matching_script_nonce() {
    let app = spawn_app().await;
    let response = app.client().get(app.url("/")).send().await.expect("home");
    assert_eq!(response.status(), StatusCode::OK);
    let headers: HeaderMap = response.headers().clone();
    let csp = headers["content-security-policy"].to_str().expect("csp").to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers["x-content-type-options"], HeaderValue::from_static("nosniff"));
    assert!(headers.contains_key("referrer-policy"));
    assert!(headers.contains_key("x-request-id"));
    assert!(
        !headers.contains_key("strict-transport-security"),
        "no HSTS over plain http"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce in CSP")
        .to_string();
    let html = response.text().await.expect("body");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "scripts do not carry the CSP nonce"
    );
}

#[tokio::test]
async fn unknown_pages_answer_404_with_the_shop_shell() {
    let app = spawn_app().await;
    let response = app.client().get(app.url("/no/such/page")).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.expect("body");
    assert!(html.contains("We could not find that page"));
    assert!(html.contains("Bazaar"));
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    let client = app.client();
    assert_eq!(
        client.get(app.url("/healthz")).send().await.expect("get").status(),
        StatusCode::OK
    );
    assert_eq!(
        client.get(app.url("/readyz")).send().await.expect("get").status(),
        StatusCode::OK
    );
    app.db.close().await;
    let ready = client.get(app.url("/readyz")).send().await.expect("get");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = ready.text().await.expect("body");
    assert!(
        !body.to_lowercase().contains("pool"),
        "internal error text leaked: {body}"
    );
    assert_eq!(
        client.get(app.url("/healthz")).send().await.expect("get").status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn internal_errors_show_a_reference_and_never_the_cause() {
    let app = spawn_app().await;
    let client = app.client();
    // Break the database under the running app: the next registration fails inside sqlx.
    sqlx::query("ALTER TABLE users RENAME TO users_gone")
        .execute(app.db.pool())
        .await
        .expect("rename");
    let response = app.register(&client, "broken@example.com").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let request_id = response.headers()["x-request-id"].to_str().expect("id").to_string();
    let body = response.text().await.expect("body");
    assert!(body.contains(&request_id), "{body}");
    for leak in ["no such table", "users", "sqlite", "sqlx", "error returned"] {
        assert!(!body.to_lowercase().contains(leak), "leaked {leak}: {body}");
    }
}

async fn seeded_app() -> TestApp {
    let app = spawn_app().await;
    domain::seed::seed(&app.db, 40, 7).await.expect("seed");
    domain::search::reindex(&app.db, &*app.index).await.expect("reindex");
    app
}

async fn get_json(app: &TestApp, path: &str) -> (StatusCode, serde_json::Value) {
    let response = app.client().get(app.url(path)).send().await.expect("get");
    let status = response.status();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

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
    let home = client
        .get(app.url("/"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
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

    domain::catalog::set_variant_price(&app.db, variant, 123_456)
        .await
        .expect("price");
    let started = std::time::Instant::now();
    loop {
        let html = get().await.expect("get").text().await.expect("body");
        if html.contains("$1234.56") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the new price did not show within a second"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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

    domain::catalog::set_variant_price(&app.db, variant, 1)
        .await
        .expect("price");
    let started = std::time::Instant::now();
    loop {
        let html = get().await.expect("get").text().await.expect("body");
        if html.contains("$0.01") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the new price did not show on the category page within a second"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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
    let dir = std::env::temp_dir().join(format!("bazaar_http_images_{}", domain::ids::next_id()));
    let app = spawn_app_with(&[("IMAGE_DIR", dir.to_str().expect("utf-8 path"))]).await;
    let store = domain::images::LocalImageStore::new(&dir);
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

#[tokio::test]
async fn the_stripe_webhook_checks_the_signature_on_the_raw_body() {
    let secret = "whsec_http_test";
    let app = spawn_app_with(&[
        ("STRIPE_SECRET_KEY", "sk_test_unused"),
        ("STRIPE_WEBHOOK_SECRET", secret),
        ("STRIPE_API_BASE", "http://127.0.0.1:9"),
    ])
    .await;
    let body = r#"{"id":"evt_http_1","type":"checkout.session.completed","data":{"object":{"id":"cs_unknown","payment_status":"paid","payment_intent":"pi_x"}}}"#;
    let now = domain::clock::now_ms() / 1000;
    let post = |signature: String, body: &'static str| {
        let client = app.client();
        let url = app.url("/webhooks/stripe");
        async move {
            client
                .post(url)
                .header("stripe-signature", signature)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("post")
        }
    };
    let good = domain::payments::stripe::sign(body.as_bytes(), secret, now);
    assert_eq!(post(good.clone(), body).await.status(), StatusCode::OK);
    // Redelivered: still 200, still one inbox row.
    assert_eq!(post(good, body).await.status(), StatusCode::OK);
    let forged = domain::payments::stripe::sign(body.as_bytes(), "whsec_other", now);
    assert_eq!(post(forged, body).await.status(), StatusCode::BAD_REQUEST);
    let stale = domain::payments::stripe::sign(body.as_bytes(), secret, now - 600);
    assert_eq!(post(stale, body).await.status(), StatusCode::BAD_REQUEST);
    // A body changed by one byte (e.g. re-serialised JSON) fails: the signature is over the raw bytes.
    let spaced = r#"{"id": "evt_http_1","type":"checkout.session.completed","data":{"object":{"id":"cs_unknown","payment_status":"paid","payment_intent":"pi_x"}}}"#;
    let signed_original = domain::payments::stripe::sign(body.as_bytes(), secret, now);
    assert_eq!(post(signed_original, spaced).await.status(), StatusCode::BAD_REQUEST);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payment_events")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn stripe_without_a_webhook_secret_is_a_configuration_error() {
    let err =
        Config::from_lookup(|k| (k == "STRIPE_SECRET_KEY").then(|| "sk_test_x".to_string())).expect_err("refused");
    assert_eq!(err.name, "STRIPE_WEBHOOK_SECRET");
}

#[tokio::test]
async fn returning_from_stripe_without_paying_goes_back_to_the_review_page() {
    let app = spawn_app_with(&[
        ("STRIPE_SECRET_KEY", "sk_test_unused"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_unused"),
        ("STRIPE_API_BASE", "http://127.0.0.1:9"),
    ])
    .await;
    let client = app.client();
    // A browser following Stripe's cancel_url: a plain GET, answered with a redirect.
    let response = client
        .get(app.url("/api/stripe_cancel?session_id=cs_test_1"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/checkout/review");
    // The success_url with a session that is not ours: back to the shop's home page, nothing revealed.
    let response = client
        .get(app.url("/api/stripe_return?session_id=cs_unknown"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/");
}
