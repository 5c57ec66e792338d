//! Picture import benchmark (issue 27): a Shopify-shaped file of 10,000 products naming 20,000 pictures by
//! address, served by a local HTTP server (each picture its own 400 × 400 JPEG, drawn on request). Prints the
//! time to check the file, to apply it, to fetch every picture (the real worker, its real limits: 6 at once, 3 per
//! store), the process's peak resident memory, and the p50/p99 of a shopper's product read (the product page's
//! query, `catalog::product_by_slug`) run in a loop while the pictures come in, next to the same read on a quiet
//! shop.
//!
//!   cargo run --release -p domain --example picture_import_bench -- [products]
//!
//! Runs on a fresh SQLite database in a temporary folder with the demo catalog (500 products).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;
use domain::catalog::images::LocalImageStore;
use domain::catalog::picture_fetches::{FetchLimits, Fetcher, Worker};
use domain::catalog::{self, transfer};
use domain::workflows::import_products::{self, Applied};
use domain::Db;

#[path = "bench_shop/mod.rs"]
mod bench_shop;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Picture `n`: a 400 × 400 photo-like JPEG of its own (a gradient and noise seeded by `n`).
async fn picture(Path(name): Path<String>) -> impl IntoResponse {
    let n: u32 = name.trim_end_matches(".jpg").parse().unwrap_or(0);
    let bytes = tokio::task::spawn_blocking(move || {
        let mut seed = 0x9e37_79b9u32 ^ n.wrapping_mul(2_654_435_761);
        let img = image::RgbImage::from_fn(400, 400, |x, y| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = (seed % 24) as u8;
            image::Rgb([
                ((x + n) % 256) as u8 ^ noise,
                ((y * 2 + n / 7) % 256) as u8 ^ noise,
                ((x + y + n / 3) % 256) as u8,
            ])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .expect("encode");
        out.into_inner()
    })
    .await
    .expect("draw");
    ([(header::CONTENT_TYPE, "image/jpeg")], bytes)
}

fn peak_memory_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Product reads in a loop until `stop`: their durations, sorted.
async fn shopper(db: Db, slugs: Vec<String>, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let mut times = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        catalog::product_by_slug(&db, &slugs[n % slugs.len()])
            .await
            .expect("product");
        times.push(started.elapsed());
        n += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    times.sort();
    times
}

/// The file: each product on two rows, its two pictures' addresses with their positions and alt texts.
fn shopify_file(products: usize, category: &str, base: &str) -> String {
    let mut file = String::from(
        "Handle,Title,Body (HTML),Bazaar Category,Option1 Name,Option1 Value,Variant SKU,Variant Price,Image Src,\
         Image Position,Image Alt Text,Status\n",
    );
    for i in 0..products {
        file.push_str(&format!(
            "pic-{i},Pictured {i},<p>Item {i}.</p>,{category},Title,Default Title,PIC-{i},12.00,{base}/{}.jpg,1,\
             Front of {i},active\n",
            2 * i
        ));
        file.push_str(&format!("pic-{i},,,,,,,,{base}/{}.jpg,2,Back of {i},\n", 2 * i + 1));
    }
    file
}

/// Runs the picture worker with its real limits (no hourly limit) until nothing waits: how long it took.
async fn fetch_all(
    db: &Db,
    seller: &domain::Actor,
    id: i64,
    images: Arc<LocalImageStore>,
    pictures: usize,
) -> Duration {
    let worker = Worker {
        db: db.clone(),
        images,
        fetcher: Fetcher::new(true, Duration::from_secs(20)),
        limits: FetchLimits {
            per_store_hour: i64::MAX,
            ..FetchLimits::default()
        },
    };
    let started = Instant::now();
    let running = tokio::spawn(worker.work());
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let progress = import_products::view(db, seller, id).await.expect("view").pictures;
        if progress.waiting == 0 {
            assert_eq!(
                (progress.fetched, progress.failed),
                (pictures, 0),
                "{:?}",
                progress.failures.first()
            );
            break;
        }
    }
    let fetched = started.elapsed();
    running.abort();
    fetched
}

#[tokio::main]
async fn main() {
    let products: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let bench_shop::BenchShop {
        db,
        dir,
        images,
        seller,
    } = bench_shop::open("picture_bench").await;
    let images = Arc::new(images);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/p", listener.local_addr().expect("addr"));
    let app = axum::Router::new().route("/p/{name}", axum::routing::get(picture));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let guide = transfer::guide(&db, &seller).await.expect("guide");
    let category = guide.categories[0].1.clone();
    let file = shopify_file(products, &category, &base);
    let started = Instant::now();
    let id = import_products::upload(&db, &seller, "products_export.csv", file.as_bytes(), None)
        .await
        .expect("upload");
    let checked = started.elapsed();
    let report = import_products::view(&db, &seller, id).await.expect("view").report;
    assert!(
        report.errors.is_empty(),
        "{:?}",
        &report.errors[..report.errors.len().min(3)]
    );
    assert_eq!((report.products.create, report.pictures), (products, 2 * products));
    // As the import page's Apply does: the answer comes once the file is planned and claimed, the products are
    // written by a task of their own, and the page follows the progress.
    let started = Instant::now();
    assert_eq!(
        import_products::apply_in_background(&db, &seller, id)
            .await
            .expect("apply"),
        Applied::Started
    );
    let answered = started.elapsed();
    let applied = loop {
        let progress = import_products::view(&db, &seller, id).await.expect("view").progress;
        assert!(!progress.stopped && progress.left_out.is_empty(), "{progress:?}");
        if progress.finished_at.is_some() {
            break started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    println!(
        "{products} products naming {} pictures: checked in {:.2} s, Apply answered in {:.2} s, applied in {:.2} s \
         (nothing fetched yet)",
        2 * products,
        checked.as_secs_f64(),
        answered.as_secs_f64(),
        applied.as_secs_f64()
    );

    let slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM products WHERE status = 'active' LIMIT 200")
        .fetch_all(db.pool())
        .await
        .expect("slugs");
    let stop = Arc::new(AtomicBool::new(false));
    let quiet = tokio::spawn(shopper(db.clone(), slugs.clone(), stop.clone()));
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, Ordering::Relaxed);
    let quiet = quiet.await.expect("quiet");

    let stop = Arc::new(AtomicBool::new(false));
    let busy = tokio::spawn(shopper(db.clone(), slugs, stop.clone()));
    let fetched = fetch_all(&db, &seller, id, images, 2 * products).await;
    stop.store(true, Ordering::Relaxed);
    let busy = busy.await.expect("busy");
    let published: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE slug LIKE 'pic-%' AND status = 'active'")
            .fetch_one(db.pool())
            .await
            .expect("published");
    println!(
        "all {} pictures fetched, re-encoded and placed in {:.1} s ({:.0} pictures/s); {published} of {products} \
         products published",
        2 * products,
        fetched.as_secs_f64(),
        (2 * products) as f64 / fetched.as_secs_f64()
    );
    println!(
        "shopper's product read: quiet p50 {:.2} ms p99 {:.2} ms ({} reads); while fetching p50 {:.2} ms p99 {:.2} ms \
         ({} reads)",
        percentile(&quiet, 0.5),
        percentile(&quiet, 0.99),
        quiet.len(),
        percentile(&busy, 0.5),
        percentile(&busy, 0.99),
        busy.len()
    );
    println!(
        "peak resident memory of the process (server side and picture server together): {:.0} MB",
        peak_memory_mb()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
