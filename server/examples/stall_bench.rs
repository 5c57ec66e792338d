//! The stall bench (issue 19, item 4): can one seller's heavy catalog work stall every shopper? Against a running
//! release server (`bench/stall.sh` starts it on a seeded SQLite file), it measures shoppers' product pages, add
//! to cart and whole checkouts (details, review, place, pay with the test gateway) first on a quiet shop, then
//! while one seller applies a 50,000-row import, downloads 12 exports of a 20,000-product store at once and uploads
//! four 36-megapixel pictures at once; it samples the server's resident memory all along.
//!
//! Usage: `stall_bench BASE_URL DATABASE_URL SERVER_PID`. Goals: no shopper error, product page p99 < 100 ms,
//! resident memory < 600 MB.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

const STORE_PRODUCTS: usize = 20_000;
const IMPORT_PRODUCTS: usize = 12_500;
const SIZES: [&str; 4] = ["S", "M", "L", "XL"];
const EXPORTS: usize = 12;
const PICTURES: usize = 4;
const SHOPPERS: usize = 4;
const READERS: usize = 2;

#[derive(Clone)]
struct Shop {
    base: String,
}

impl Shop {
    fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .timeout(Duration::from_secs(120))
            .build()
            .expect("client")
    }

    /// A server function called as the hydrated page calls it.
    async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Result<reqwest::Response, String> {
        client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .map_err(|e| format!("{endpoint}: {e}"))
    }

    async fn ok(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Result<reqwest::Response, String> {
        let answer = self.call(client, endpoint, form).await?;
        if answer.status() == StatusCode::OK {
            Ok(answer)
        } else {
            Err(format!("{endpoint}: {}", answer.status()))
        }
    }
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Latencies of one kind of request, and its failures.
#[derive(Default)]
struct Series {
    millis: Vec<f64>,
    errors: Vec<String>,
}

#[derive(Default)]
struct Figures {
    cached_page: Series,
    rendered_page: Series,
    add_to_cart: Series,
    checkout: Series,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn print_series(name: &str, series: &Series) {
    let mut sorted = series.millis.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "  {name:<34} {:>6} ok  p50 {:>8.1} ms  p99 {:>8.1} ms  max {:>8.1} ms  errors {}",
        sorted.len(),
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.99),
        sorted.last().copied().unwrap_or(0.0),
        series.errors.len()
    );
    for e in series.errors.iter().take(5) {
        println!("      {e}");
    }
}

/// What the bench needs to know of the shop, read from its database before the load starts.
struct Facts {
    slugs: Vec<String>,
    variants: Vec<i64>,
    category: i64,
    warehouses: Vec<String>,
    store: i64,
}

async fn facts(db: &domain::Db) -> Facts {
    let pool = db.pool();
    let slugs: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM products WHERE status = 'active' ORDER BY id LIMIT 50")
            .fetch_all(pool)
            .await
            .expect("slugs");
    let variants: Vec<i64> = sqlx::query_scalar(
        "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id JOIN stock s ON s.variant_id = v.id \
         WHERE p.status = 'active' ORDER BY s.available DESC, v.id LIMIT 50",
    )
    .fetch_all(pool)
    .await
    .expect("variants");
    let category: i64 = sqlx::query_scalar(
        "SELECT MIN(c.id) FROM categories c WHERE NOT EXISTS (SELECT 1 FROM categories d WHERE d.parent_id = c.id)",
    )
    .fetch_one(pool)
    .await
    .expect("category");
    let store: i64 =
        sqlx::query_scalar("SELECT s.id FROM sellers s JOIN users u ON u.id = s.user_id WHERE u.email = $1")
            .bind(format!("seller1@{}", domain::seed::DEMO_DOMAIN))
            .fetch_one(pool)
            .await
            .expect("seller1's store");
    let warehouses: Vec<String> = sqlx::query_scalar("SELECT name FROM warehouses WHERE seller_id = $1 ORDER BY id")
        .bind(store)
        .fetch_all(pool)
        .await
        .expect("warehouses");
    assert!(!slugs.is_empty() && !variants.is_empty(), "a seeded shop with stock");
    Facts {
        slugs,
        variants,
        category,
        warehouses,
        store,
    }
}

/// A catalog file of `products` new products (`tag` in their handles) with `sizes` variants each.
fn catalog_file(facts: &Facts, tag: &str, products: usize, sizes: &[&str]) -> String {
    let mut text = String::from("Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant SKU,Variant Price,Status");
    for w in &facts.warehouses {
        text.push_str(&format!(",Bazaar Stock: {w}"));
    }
    text.push('\n');
    let stock = ",25".repeat(facts.warehouses.len());
    for i in 0..products {
        for (n, size) in sizes.iter().enumerate() {
            let sku = format!("{tag}-{i}-{size}").to_uppercase();
            if n == 0 {
                text.push_str(&format!(
                    "{tag}-{i},Bench {tag} {i},<p>A product of the stall bench.</p>,Size,{size},{sku},19.99,draft{stock}\n"
                ));
            } else {
                text.push_str(&format!("{tag}-{i},,,,{size},{sku},19.99,{stock}\n"));
            }
        }
    }
    text
}

/// Uploads a catalog file (its dry run) and answers the import's id and how long the check took.
async fn upload(shop: &Shop, seller: &Client, facts: &Facts, text: String) -> (String, Duration) {
    let started = Instant::now();
    let part = reqwest::multipart::Part::bytes(text.into_bytes()).file_name("bench.csv");
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("category", facts.category.to_string());
    let answer = seller
        .post(format!("{}/seller/products/import", shop.base))
        .header("origin", &shop.base)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let to = location(&answer);
    let id = to
        .strip_prefix("/seller/products/import/")
        .unwrap_or_else(|| panic!("the file was refused: {} {to}", answer.status()))
        .to_string();
    (id, started.elapsed())
}

async fn apply(shop: &Shop, seller: &Client, id: &str) -> Duration {
    let started = Instant::now();
    let answer = shop.call(seller, "apply_import", &[("id", id)]).await.expect("apply");
    let to = location(&answer);
    assert!(
        to.contains("applied=1"),
        "the import was not applied: {} {to}",
        answer.status()
    );
    started.elapsed()
}

/// One shopper's round: the product page (with their session: rendered), add to cart, then the whole checkout.
async fn shopper_round(shop: &Shop, facts: &Facts, n: usize, figures: &Mutex<Figures>) {
    let client = shop.client();
    let slug = &facts.slugs[n % facts.slugs.len()];
    let variant = facts.variants[n % facts.variants.len()].to_string();
    let started = Instant::now();
    let added = shop
        .ok(&client, "cart_add", &[("variant", &variant), ("quantity", "1")])
        .await;
    record(figures, |f| &mut f.add_to_cart, started, added.map(|_| ()));
    let started = Instant::now();
    let page = client.get(format!("{}/p/{slug}", shop.base)).send().await;
    let page = match page {
        Ok(r) if r.status() == StatusCode::OK => r.bytes().await.map(|_| ()).map_err(|e| e.to_string()),
        Ok(r) => Err(format!("product page: {}", r.status())),
        Err(e) => Err(e.to_string()),
    };
    record(figures, |f| &mut f.rendered_page, started, page);
    let started = Instant::now();
    let done = checkout(shop, &client, n).await;
    record(figures, |f| &mut f.checkout, started, done);
}

fn record(
    figures: &Mutex<Figures>,
    series: impl FnOnce(&mut Figures) -> &mut Series,
    started: Instant,
    outcome: Result<(), String>,
) {
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let mut figures = figures.lock().expect("figures");
    let series = series(&mut figures);
    match outcome {
        Ok(()) => series.millis.push(millis),
        Err(e) => series.errors.push(e),
    }
}

/// Checkout as the pages do it: the details with each seller's first shipping option, the review's figures,
/// "Place order", and the test gateway's approved card.
async fn checkout(shop: &Shop, client: &Client, n: usize) -> Result<(), String> {
    let data: serde_json::Value = shop
        .ok(client, "checkout_data", &[])
        .await?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let groups = data["quote"]["groups"].as_array().cloned().unwrap_or_default();
    let shipping: Vec<(String, String)> = groups
        .iter()
        .map(|g| {
            (
                format!("ship[s{}]", g["seller_id"].as_i64().unwrap_or(0)),
                g["options"][0]["rate_id"].as_i64().unwrap_or(0).to_string(),
            )
        })
        .collect();
    let email = format!("bench-shopper-{n}@example.com");
    let mut form: Vec<(&str, &str)> = vec![
        ("email", &email),
        ("name", "Bench Shopper"),
        ("line1", "1 Bench Street"),
        ("city", "Arlington"),
        ("postal", "22201"),
        ("country", "US"),
    ];
    form.extend(shipping.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let details = shop.ok(client, "checkout_details", &form).await?;
    if location(&details) != "/checkout/review" {
        return Err(format!("details refused: {}", location(&details)));
    }
    let review: serde_json::Value = shop
        .ok(client, "review_data", &[])
        .await?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let reviewed = review["reviewed"].as_str().unwrap_or_default().to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let key = format!("stall-bench-{n:08}-{now}");
    let placed = shop
        .ok(client, "place_order", &[("key", &key), ("reviewed", &reviewed)])
        .await?;
    let to = location(&placed);
    let session = to
        .strip_prefix("/pay/test/")
        .ok_or_else(|| format!("not sent to pay: {to}"))?
        .to_string();
    let paid = shop
        .ok(
            client,
            "test_pay",
            &[("session", &session), ("card", "4242424242424242")],
        )
        .await?;
    if location(&paid).starts_with("/orders/") {
        Ok(())
    } else {
        Err(format!("payment: {}", location(&paid)))
    }
}

/// Anonymous visitors reading product pages (served from the page cache) every 20 ms.
async fn reader(shop: Shop, facts: Arc<Facts>, stop: Arc<AtomicBool>, figures: Arc<Mutex<Figures>>) {
    let client = Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let slug = &facts.slugs[n % facts.slugs.len()];
        let started = Instant::now();
        let page = match client.get(format!("{}/p/{slug}", shop.base)).send().await {
            Ok(r) if r.status() == StatusCode::OK => r.bytes().await.map(|_| ()).map_err(|e| e.to_string()),
            Ok(r) => Err(format!("product page: {}", r.status())),
            Err(e) => Err(e.to_string()),
        };
        record(&figures, |f| &mut f.cached_page, started, page);
        n += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn shopper(shop: Shop, facts: Arc<Facts>, stop: Arc<AtomicBool>, figures: Arc<Mutex<Figures>>, id: usize) {
    let mut n = id;
    while !stop.load(Ordering::Relaxed) {
        shopper_round(&shop, &facts, n, &figures).await;
        n += SHOPPERS;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Shoppers and readers until `stop`, with the server's resident memory sampled every 50 ms.
fn start_traffic(shop: &Shop, facts: &Arc<Facts>, pid: u32) -> Traffic {
    let stop = Arc::new(AtomicBool::new(false));
    let figures = Arc::new(Mutex::new(Figures::default()));
    let mut tasks = Vec::new();
    for id in 0..SHOPPERS {
        tasks.push(tokio::spawn(shopper(
            shop.clone(),
            facts.clone(),
            stop.clone(),
            figures.clone(),
            id,
        )));
    }
    for _ in 0..READERS {
        tasks.push(tokio::spawn(reader(
            shop.clone(),
            facts.clone(),
            stop.clone(),
            figures.clone(),
        )));
    }
    let peak = Arc::new(Mutex::new(0u64));
    tasks.push(tokio::spawn({
        let (stop, peak) = (stop.clone(), peak.clone());
        async move {
            while !stop.load(Ordering::Relaxed) {
                let rss = resident_mb(pid);
                {
                    let mut highest = peak.lock().expect("peak");
                    *highest = (*highest).max(rss);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }));
    Traffic {
        stop,
        figures,
        peak,
        tasks,
    }
}

struct Traffic {
    stop: Arc<AtomicBool>,
    figures: Arc<Mutex<Figures>>,
    peak: Arc<Mutex<u64>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Traffic {
    async fn finish(self, title: &str) {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            task.await.expect("traffic task");
        }
        let figures = self.figures.lock().expect("figures");
        println!(
            "{title} (peak resident memory of the server {} MB):",
            *self.peak.lock().expect("peak")
        );
        print_series("product page, anonymous (cache)", &figures.cached_page);
        print_series("product page, with a cart (rendered)", &figures.rendered_page);
        print_series("add to cart", &figures.add_to_cart);
        print_series("checkout (details→review→place→pay)", &figures.checkout);
    }
}

fn resident_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

/// A 6,000 × 6,000 RGB picture (36 megapixels, the largest class the shop takes) as PNG.
fn large_png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(6_000, 6_000, |x, y| {
        image::Rgb([(x / 24) as u8, (y / 24) as u8, ((x + y) / 48) as u8])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut bytes, image::ImageFormat::Png).expect("png");
    bytes.into_inner()
}

/// Everything one seller does at once: the apply, the exports and the picture uploads. Prints each one's time.
async fn seller_load(shop: &Shop, seller: &Client, import: &str, picture_product: i64) {
    let png = Arc::new(large_png());
    let started = Instant::now();
    let apply_task = {
        let (shop, seller, id) = (shop.clone(), seller.clone(), import.to_string());
        tokio::spawn(async move { apply(&shop, &seller, &id).await })
    };
    let mut exports = Vec::new();
    for _ in 0..EXPORTS {
        let (shop, seller) = (shop.clone(), seller.clone());
        exports.push(tokio::spawn(async move {
            let started = Instant::now();
            let answer = seller
                .get(format!("{}/seller/products/export.csv", shop.base))
                .send()
                .await
                .expect("export");
            assert_eq!(answer.status(), StatusCode::OK);
            let body = answer.bytes().await.expect("a whole export");
            (body.iter().filter(|b| **b == b'\n').count(), started.elapsed())
        }));
    }
    let mut uploads = Vec::new();
    for _ in 0..PICTURES {
        let (shop, seller, png) = (shop.clone(), seller.clone(), png.clone());
        uploads.push(tokio::spawn(async move {
            let started = Instant::now();
            let part = reqwest::multipart::Part::bytes(png.to_vec()).file_name("large.png");
            let answer = seller
                .post(format!("{}/seller/products/{picture_product}/pictures", shop.base))
                .header("origin", &shop.base)
                .multipart(reqwest::multipart::Form::new().part("pictures", part))
                .send()
                .await
                .expect("upload");
            (answer.status(), location(&answer), started.elapsed())
        }));
    }
    let applied = apply_task.await.expect("apply task");
    println!("  the 50,000-row import applied in {:.1} s", applied.as_secs_f64());
    for export in exports {
        let (lines, took) = export.await.expect("export task");
        println!("  an export of {lines} lines in {:.1} s", took.as_secs_f64());
    }
    for upload in uploads {
        let (status, to, took) = upload.await.expect("upload task");
        println!(
            "  a {} KB picture upload answered {status} → {to} in {:.1} s",
            png.len() / 1024,
            took.as_secs_f64()
        );
    }
    println!(
        "  all of the seller's work done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, database, pid] = &args[..] else {
        panic!("usage: stall_bench BASE_URL DATABASE_URL SERVER_PID");
    };
    let pid: u32 = pid.parse().expect("pid");
    let shop = Shop { base: base.clone() };
    let db = domain::Db::connect(database, 2).await.expect("database");
    let facts = Arc::new(facts(&db).await);
    let seller = shop.client();
    let email = format!("seller1@{}", domain::seed::DEMO_DOMAIN);
    shop.ok(
        &seller,
        "login",
        &[
            ("email", &email),
            ("password", domain::seed::DEMO_PASSWORD),
            ("next", "/"),
        ],
    )
    .await
    .expect("seller1 signs in");

    println!(
        "setting up: a store of {STORE_PRODUCTS} products, and a {} row file",
        IMPORT_PRODUCTS * SIZES.len()
    );
    let (id, checked) = upload(
        &shop,
        &seller,
        &facts,
        catalog_file(&facts, "store", STORE_PRODUCTS, &["One"]),
    )
    .await;
    let applied = apply(&shop, &seller, &id).await;
    println!(
        "  {STORE_PRODUCTS} products: checked in {:.1} s, applied in {:.1} s",
        checked.as_secs_f64(),
        applied.as_secs_f64()
    );
    let picture_product: i64 = sqlx::query_scalar("SELECT id FROM products WHERE slug = 'store-0' AND seller_id = $1")
        .bind(facts.store)
        .fetch_one(db.pool())
        .await
        .expect("a product for pictures");
    let big = catalog_file(&facts, "big", IMPORT_PRODUCTS, &SIZES);
    let (import, checked) = upload(&shop, &seller, &facts, big).await;
    println!("  the 50,000-row file checked in {:.1} s", checked.as_secs_f64());

    let quiet = start_traffic(&shop, &facts, pid);
    tokio::time::sleep(Duration::from_secs(10)).await;
    quiet.finish("Quiet shop, 10 s").await;

    let busy = start_traffic(&shop, &facts, pid);
    println!("Seller load:");
    seller_load(&shop, &seller, &import, picture_product).await;
    busy.finish("During the seller's load").await;
}
