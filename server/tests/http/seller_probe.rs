//! What probing the seller portal as a careless and as a hostile seller found (issue 19), kept as the probe sent
//! it, against the real router:
//! - `next` with a tab or a line break (`/\t/evil.example`) never sends a signed-in browser off the site;
//! - a shopper's upload to the import, picture or logo route is answered before its body is read;
//! - one upload adds at most 8 pictures;
//! - a portal textarea holding `</textarea>` markup shows it as text;
//! - `bazaar seed --if-empty` on a database with a catalog creates nothing (no demo accounts), and `serve` over
//!   https refuses to start while demo accounts exist.

use reqwest::{Client, StatusCode};

use crate::on_both_databases;
use crate::support::{demo, location, TestApp};

/// The store `seller1` runs (the first by id) and its first product.
async fn first_store(app: &TestApp) -> (i64, i64) {
    let store: i64 = sqlx::query_scalar("SELECT MIN(id) FROM sellers")
        .fetch_one(app.db.pool())
        .await
        .expect("store");
    let product: i64 = sqlx::query_scalar("SELECT MIN(id) FROM products WHERE seller_id = $1")
        .bind(store)
        .fetch_one(app.db.pool())
        .await
        .expect("product");
    (store, product)
}

async fn a_signed_in_next_never_leaves_the_site(app: &TestApp) {
    let client = app.client();
    assert_eq!(
        app.register(&client, "next-probe@example.com").await.status(),
        StatusCode::OK
    );
    for next in [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%20/evil.example",
        "/%5Cevil.example",
    ] {
        let answer = client
            .get(app.url(&format!("/login?next={next}")))
            .send()
            .await
            .expect("get");
        let to = location(&answer);
        assert!(to == "/" || to.is_empty(), "{next} sent the browser to {to:?}");
    }
    let answer = client.get(app.url("/login?next=/account")).send().await.expect("get");
    assert_eq!(location(&answer), "/account", "a path of the site is kept");
}

/// Sends the head of a 20 MB multipart upload to `path` as the holder of `cookie`, and no more of its body: a
/// server that reads the body before deciding waits; one that decides from the caller answers at once. The
/// answer's status line and `Location`.
async fn unfinished_upload(app: &TestApp, cookie: &str, path: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&host).await.expect("connect");
    let boundary = "probe-boundary";
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {base}\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 20000000\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\nHandle,",
        base = app.base
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "{path}: no answer within 10 s: the server waited for the body"
    );
    let head = String::from_utf8_lossy(&answer).to_string();
    let status = head.lines().next().unwrap_or_default().to_string();
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .unwrap_or_default()
        .to_string();
    (status, location)
}

async fn a_shopper_upload_is_answered_before_its_body_is_read(app: &TestApp) {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let shopper = Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    assert_eq!(
        app.register(&shopper, "upload-probe@example.com").await.status(),
        StatusCode::OK
    );
    let url = reqwest::Url::parse(&app.base).expect("url");
    let cookie = reqwest::cookie::CookieStore::cookies(&*jar, &url).expect("a session cookie");
    let cookie = cookie.to_str().expect("ascii").to_string();
    let product: i64 = sqlx::query_scalar("SELECT MIN(id) FROM products")
        .fetch_one(app.db.pool())
        .await
        .expect("product");
    for path in [
        "/seller/products/import".to_string(),
        format!("/seller/products/{product}/pictures"),
        "/seller/settings/logo".to_string(),
    ] {
        let (status, to) = unfinished_upload(app, &cookie, &path).await;
        assert!(status.contains(" 303 "), "{path}: {status}");
        assert_eq!(to, "/sell", "{path}");
    }
}

async fn one_upload_adds_at_most_eight_pictures(app: &TestApp) {
    let seller = demo(app, "seller1").await;
    let (_, product) = first_store(app).await;
    let pictures = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM product_images WHERE product_id = $1")
            .bind(product)
            .fetch_one(app.db.pool())
            .await
            .expect("count")
    };
    let had = pictures().await;
    let mut form = reqwest::multipart::Form::new();
    for n in 0..12 {
        let png = domain::catalog::images::demo_card(n * 30, n % 3, 32 + n);
        form = form.part(
            "pictures",
            reqwest::multipart::Part::bytes(png).file_name(format!("p{n}.png")),
        );
    }
    let answer = seller
        .post(app.url(&format!("/seller/products/{product}/pictures")))
        .header("origin", &app.base)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(location(&answer).contains("uploaded=8"), "{}", location(&answer));
    assert_eq!(pictures().await, had + 8);
    let editor = app.page(&seller, &format!("/seller/products/{product}")).await;
    assert!(
        editor.contains("At most 8 pictures are added at a time"),
        "the seller is told"
    );
}

async fn a_portal_textarea_shows_markup_as_text(app: &TestApp) {
    let seller = demo(app, "seller1").await;
    let (store, _) = first_store(app).await;
    sqlx::query("UPDATE sellers SET description = $1 WHERE id = $2")
        .bind("</textarea><a href=\"http://evil.example/\">Session expired</a>")
        .bind(store)
        .execute(app.db.pool())
        .await
        .expect("description");
    let page = app.page(&seller, "/seller/settings").await;
    assert!(!page.contains("<a href=\"http://evil.example/\">"), "the link is live");
    assert!(
        page.contains("&lt;/textarea&gt;&lt;a href="),
        "the text is shown as typed"
    );
}

async fn a_new_logo_shows_on_the_cached_store_page(app: &TestApp) {
    let seller = demo(app, "seller1").await;
    let slug: String = sqlx::query_scalar("SELECT slug FROM sellers ORDER BY id LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("store");
    let visitor = app.client();
    let path = format!("/store/{slug}");
    app.page(&visitor, &path).await;
    let cached = visitor.get(app.url(&path)).send().await.expect("get");
    assert_eq!(cached.headers()["x-page-cache"], "hit");
    let logo = domain::catalog::images::demo_card(200, 1, 120);
    let answer = seller
        .post(app.url("/seller/settings/logo"))
        .header("origin", &app.base)
        .multipart(
            reqwest::multipart::Form::new().part("logo", reqwest::multipart::Part::bytes(logo).file_name("logo.png")),
        )
        .send()
        .await
        .expect("upload");
    assert_eq!(location(&answer), "/seller/settings?saved=logo#logo-title");
    let key: String = sqlx::query_scalar("SELECT logo_key FROM sellers WHERE slug = $1")
        .bind(&slug)
        .fetch_one(app.db.pool())
        .await
        .expect("logo");
    let (visitor, path, key) = (&visitor, &path, &key);
    crate::support::eventually(
        std::time::Duration::from_secs(2),
        "the cached store page kept the old logo",
        move || async move { app.page(visitor, path).await.contains(key.as_str()) },
    )
    .await;
}

async fn a_draft_preview_is_its_sellers_alone(app: &TestApp) {
    let (_, product) = first_store(app).await;
    // The seller moves it back to drafts from the products list.
    let owner = demo(app, "seller1").await;
    let id = product.to_string();
    let moved = app
        .submit(
            &owner,
            "bulk_products",
            &[("ids[0]", id.as_str()), ("action", "draft"), ("confirmed", "1")],
        )
        .await;
    assert!(location(&moved).contains("changed=1"), "{}", location(&moved));
    let path = format!("/seller/products/{product}/preview");
    let mine = owner.get(app.url(&path)).send().await.expect("get");
    assert_eq!(mine.status(), StatusCode::OK);
    assert!(mine
        .text()
        .await
        .expect("body")
        .contains("Preview: shoppers do not see this product"));
    let other = demo(app, "seller2").await;
    assert_eq!(
        other.get(app.url(&path)).send().await.expect("get").status(),
        StatusCode::NOT_FOUND
    );
    let shopper = app.client();
    assert_eq!(
        app.register(&shopper, "preview-probe@example.com").await.status(),
        StatusCode::OK
    );
    let answer = shopper.get(app.url(&path)).send().await.expect("get");
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let signed_out = app.client().get(app.url(&path)).send().await.expect("get");
    assert!(
        location(&signed_out).starts_with("/login?next="),
        "{}",
        location(&signed_out)
    );
}

on_both_databases!(
    a_draft_preview_is_its_sellers_alone,
    a_new_logo_shows_on_the_cached_store_page,
    a_signed_in_next_never_leaves_the_site,
    a_shopper_upload_is_answered_before_its_body_is_read,
    one_upload_adds_at_most_eight_pictures,
    a_portal_textarea_shows_markup_as_text,
);

/// Runs the `bazaar` binary on `db_url` with `args`; its exit success and what it printed.
fn bazaar(db_url: &str, dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bazaar"))
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("IMAGE_DIR", dir.join("images"))
        .env("SEARCH_DIR", dir.join("search"))
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .envs(env.iter().copied())
        .output()
        .expect("run bazaar");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn seeding_a_database_that_has_a_catalog_creates_nothing_and_demo_accounts_stop_a_public_serve() {
    let dir = std::env::temp_dir().join(format!("bazaar_cli_{}", domain::testing::unique_name()));
    std::fs::create_dir_all(&dir).expect("dir");
    let db_url = format!("sqlite://{}?mode=rwc", dir.join("shop.db").display());
    // A real shop's database: a catalog, no demo accounts.
    let db = domain::Db::connect(&db_url, 2).await.expect("db");
    db.migrate().await.expect("migrate");
    domain::seed::seed(&db, 5, 3).await.expect("a catalog");
    let users = |db: domain::Db| async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users")
            .fetch_one(db.pool())
            .await
            .expect("users")
    };
    let before = users(db.clone()).await;
    let (ok, said) = bazaar(&db_url, &dir, &["seed", "--products", "5", "--if-empty"], &[]);
    assert!(ok, "{said}");
    assert!(said.contains("nothing seeded"), "{said}");
    assert!(!said.contains(domain::seed::DEMO_PASSWORD), "{said}");
    assert_eq!(users(db.clone()).await, before, "no account was created");

    // With demo accounts (made on purpose), a shop served over https does not start, unless told to.
    let (ok, said) = bazaar(&db_url, &dir, &["demo-accounts"], &[]);
    assert!(ok && said.contains("admin@"), "{said}");
    let public = [("PUBLIC_URL", "https://shop.example")];
    let (ok, said) = bazaar(&db_url, &dir, &["serve"], &public);
    assert!(!ok, "served publicly with demo accounts: {said}");
    assert!(said.contains("ALLOW_DEMO_ACCOUNTS"), "{said}");
    // Allowed demo accounts still leave the demo's reviews, which no purchase backs: refused too.
    let accounts_allowed = [("PUBLIC_URL", "https://shop.example"), ("ALLOW_DEMO_ACCOUNTS", "true")];
    let (ok, said) = bazaar(&db_url, &dir, &["serve"], &accounts_allowed);
    assert!(!ok, "served publicly with demo reviews: {said}");
    assert!(said.contains("ALLOW_DEMO_REVIEWS"), "{said}");
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
