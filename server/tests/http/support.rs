//! Shared fixtures: the app on port 0 with its own SQLite file, cookie-keeping clients, server-function calls as
//! the page makes them, and the one polling helper.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::testing::TestDb;
use domain::Db;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use server::config::Config;

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub index: Arc<domain::search::TantivyIndex>,
    /// The database's own handle, for `finish` (a SQLite file also goes when the app is dropped).
    store: Option<TestDb>,
}

impl TestApp {
    /// A browser of its own: keeps its cookies, does not follow redirects (tests read `Location`).
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Posts a form to a server function the way the hydrated page does (same origin, JSON answer).
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
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

    /// "Place order" as the review page sends it: the page's figures (read from `review_data`, as the page
    /// renders them) with the idempotency `key`.
    pub async fn place(&self, client: &Client, key: &str) -> reqwest::Response {
        let review: serde_json::Value = self
            .call(client, "review_data", &[])
            .await
            .json()
            .await
            .expect("review data");
        let reviewed = review["reviewed"].as_str().unwrap_or_default().to_string();
        self.call(client, "place_order", &[("key", key), ("reviewed", &reviewed)])
            .await
    }

    /// Posts raw bytes as a form body to a server function (same origin), accepting `accept`: what a careless
    /// or hostile client sends.
    pub async fn post_raw(&self, client: &Client, endpoint: &str, accept: &str, body: Vec<u8>) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("origin", &self.base)
            .header("accept", accept)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Posts a form to a server function the way a browser without JS does (same origin, HTML accepted): the
    /// answer is a 302 to the next page.
    pub async fn submit(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .header("accept", "text/html,application/xhtml+xml")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// The body of a page as `client` gets it.
    pub async fn page(&self, client: &Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body")
    }

    /// Registers `email` (password `correct-horse-77`) and signs `client` in with it, as a person does after the
    /// registration page: the sign-in's answer.
    pub async fn register(&self, client: &Client, email: &str) -> reqwest::Response {
        let registered = self.sign_up(client, email).await;
        assert_eq!(registered.status(), StatusCode::OK, "registration refused");
        self.login(client, email, "correct-horse-77").await
    }

    /// The registration form's post alone: it signs nobody in.
    pub async fn sign_up(&self, client: &Client, email: &str) -> reqwest::Response {
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

    /// The second step of a sign-in, with the code an app holding `secret` shows. A code works once: when this
    /// step's code was spent by an earlier sign-in of the test, the next step's (accepted a step early) is used,
    /// and failing that the test waits for a new step.
    pub async fn second_step(&self, client: &Client, secret: &str) {
        for attempt in 0..4 {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_secs();
            let code = domain::accounts::two_factor::code_at(secret, now + 30 * (attempt % 2)).expect("code");
            let answer = self
                .call(client, "login_two_factor", &[("code", &code), ("next", "/")])
                .await;
            if answer.status() == StatusCode::OK {
                return;
            }
            if attempt == 1 {
                tokio::time::sleep(Duration::from_secs(31)).await;
            }
        }
        panic!("no two-factor code was accepted");
    }

    /// The newest link starting with `prefix` mailed to `to`, as it appears in the mail (`/path?token=…`).
    pub async fn mailed_link(&self, to: &str, prefix: &str) -> String {
        let bodies: Vec<String> =
            sqlx::query_scalar("SELECT body FROM mail_outbox WHERE to_addr = $1 ORDER BY id DESC")
                .bind(to)
                .fetch_all(self.db.pool())
                .await
                .expect("mail");
        bodies
            .iter()
            .flat_map(|b| b.split_whitespace())
            .find(|w| w.starts_with(prefix))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no {prefix} link mailed to {to}"))
    }

    /// Opens the confirmation link mailed to `email` and presses its button, from `client`.
    pub async fn confirm_email(&self, client: &Client, email: &str) {
        let link = self.mailed_link(email, "/verify-email?token=").await;
        let token = link.trim_start_matches("/verify-email?token=");
        let confirmed = self.submit(client, "confirm_verification", &[("token", token)]).await;
        assert_eq!(location(&confirmed), "/verify-email?done=1");
    }

    pub async fn login(&self, client: &Client, email: &str, password: &str) -> reqwest::Response {
        self.call(
            client,
            "login",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}

impl TestApp {
    /// Removes the app's database (needed for PostgreSQL; SQLite's file also goes on drop).
    pub async fn finish(mut self) {
        if let Some(store) = self.store.take() {
            store.finish().await;
        }
    }
}

pub async fn spawn_app_with(settings: &[(&str, &str)]) -> TestApp {
    spawn_app_on(domain::testing::sqlite().await, settings).await
}

/// The app on `store`, a fresh SQLite or PostgreSQL database.
pub async fn spawn_app_on(store: TestDb, settings: &[(&str, &str)]) -> TestApp {
    let url = store.url();
    let mut pairs: Vec<(String, String)> = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    pairs.push(("DATABASE_URL".into(), url.clone()));
    if !pairs.iter().any(|(k, _)| k == "IMAGE_DIR") {
        // Uploaded pictures go to a folder of this test's own, not the default `data/images`.
        let images = std::env::temp_dir().join(format!("bazaar_http_images_{}", domain::testing::unique_name()));
        pairs.push(("IMAGE_DIR".into(), images.display().to_string()));
    }
    let config =
        Config::from_lookup(|k| pairs.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone())).expect("config");
    let db = store.db.clone();
    let index = Arc::new(domain::search::TantivyIndex::in_memory().expect("index"));
    let services = server::services(&config, db.clone(), index.clone()).expect("services");
    let cache = Arc::new(server::page_cache::PageCache::new(
        db.clone(),
        server::session_cookie_name(&config),
    ));
    // The real indexer loop: catalog changes reach search and the page cache as in production.
    server::search::start(&services, cache.clone());
    server::spawn_order_workers(
        services.clone(),
        server::mailer(&config, db.clone()).expect("mailer"),
        server::texts(&config).expect("texts"),
    );
    let app = server::router(Arc::new(config), services, cache);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    TestApp {
        base: format!("http://{addr}"),
        db,
        index,
        store: Some(store),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// The app with the demo catalog (40 products, seed 7), indexed for search.
/// A client signed in as the demo account `who` (`admin`, `shopper`, `seller1` …), the accounts made first.
pub async fn demo(app: &TestApp, who: &str) -> Client {
    domain::seed::demo_accounts(&app.db).await.expect("demo accounts");
    let client = app.client();
    let email = format!("{who}@{}", domain::seed::DEMO_DOMAIN);
    let answer = app.login(&client, &email, domain::seed::DEMO_PASSWORD).await;
    assert_eq!(answer.status(), StatusCode::OK, "{who} signs in");
    if who == "admin" {
        app.second_step(&client, domain::seed::DEMO_ADMIN_TOTP_SECRET).await;
    }
    client
}

pub async fn seeded_app() -> TestApp {
    seeded_app_on(domain::testing::sqlite().await).await
}

/// The same on `store` (SQLite or PostgreSQL).
pub async fn seeded_app_on(store: TestDb) -> TestApp {
    let app = spawn_app_on(store, &[]).await;
    domain::seed::seed(&app.db, 40, 7).await.expect("seed");
    domain::search::reindex(&app.db, &*app.index).await.expect("reindex");
    app
}

/// Declares each listed `async fn name(app: &TestApp)` as two tests on the seeded app, `name::sqlite` and
/// `name::postgres` (skipped with a note outside CI when PostgreSQL does not answer, as the domain tests are).
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let app = $crate::support::seeded_app_on(domain::testing::sqlite().await).await;
                    super::$name(&app).await;
                    app.finish().await;
                }

                #[tokio::test]
                async fn postgres() {
                    let marker = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("postgres-skipped");
                    if let Some(store) = domain::testing::postgres(&marker).await {
                        let app = $crate::support::seeded_app_on(store).await;
                        super::$name(&app).await;
                        app.finish().await;
                    }
                }
            }
        )*
    };
}

/// A GET with a fresh client: the status and the JSON body (`Null` when the body is not JSON).
pub async fn get_json(app: &TestApp, path: &str) -> (StatusCode, serde_json::Value) {
    let response = app.client().get(app.url(path)).send().await.expect("get");
    let status = response.status();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bazaar_session="))
        .map(|v| v.to_string())
}

/// The `Location` of an answer (a 302, or a server function's redirect answered to a script), or "" without one.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Runs `check` until it answers true, every 50 ms; fails the test with `what` once `within` has passed. The one
/// place tests wait for something that happens in the background (the indexer, the page cache).
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return;
        }
        assert!(started.elapsed() < within, "{what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An admin's actor for domain calls a test makes directly (a price change, say), made as the domain allows: from
/// the row of an admin account it just created.
pub async fn admin_actor(db: &Db) -> domain::Actor {
    let email = format!("ops-{}@example.com", domain::platform::ids::random_token());
    let admin = domain::accounts::create_admin(
        db,
        &domain::accounts::Registration {
            name: "Operator".into(),
            email,
            password: "correct horse battery".into(),
        },
    )
    .await
    .expect("create admin");
    domain::accounts::two_factor::issue_by_operator(db, admin.id)
        .await
        .expect("two-factor");
    domain::accounts::find_user(db, admin.id)
        .await
        .expect("read")
        .expect("admin")
        .actor()
}
