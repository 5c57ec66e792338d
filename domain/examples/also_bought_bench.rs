//! "Customers also bought" benchmark (issue 22): `orders` paid order groups of one to five products over a
//! 5,000-product catalog (a few products far more popular than the rest, as in a shop), then:
//! - the recount from the orders (`discovery::also_bought::recount`, what `bazaar also-bought` runs), timed;
//! - 1,000 more groups counted one by one as payments count them (`count_paid_group`, each in its own write
//!   transaction), p50/p99;
//! - a product page's two rows (`discovery::for_product`) for 1,000 products, p50/p99.
//!
//!   cargo run --release -p domain --example also_bought_bench -- [orders] [database url]
//!
//! Without a URL it uses a fresh SQLite file; a PostgreSQL URL must name an empty database. The orders are written
//! straight into the tables (placing them through checkout would measure checkout); their shape is checkout's.

use std::time::{Duration, Instant};

use domain::discovery::{self, also_bought};
use domain::Db;

const PRODUCTS: usize = 5_000;

/// A small deterministic generator (xorshift): the same run every time, no dependency.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// An index below `n`, the low ones far likelier (the square of a uniform draw).
    fn popular(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((u * u) * n as f64) as usize
    }
}

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    format!("p50 {:.2} ms, p99 {:.2} ms ({} runs)", at(0.5), at(0.99), times.len())
}

/// Writes paid groups `first..first + count`, each with one order and one to five distinct products.
async fn write_orders(db: &Db, products: &[(i64, i64, i64)], first: usize, count: usize, draw: &mut Draw) -> Vec<i64> {
    let at = domain::platform::clock::now_ms();
    let mut groups = Vec::with_capacity(count);
    for chunk in (first..first + count).collect::<Vec<_>>().chunks(2_000) {
        let mut tx = db.begin_write().await.expect("tx");
        for &i in chunk {
            let (group, order) = (2_000_000_000 + i as i64 * 2, 2_000_000_001 + i as i64 * 2);
            let mut basket: Vec<usize> = (0..1 + draw.next() % 5).map(|_| draw.popular(products.len())).collect();
            basket.sort_unstable();
            basket.dedup();
            sqlx::query(
                "INSERT INTO order_groups (id, number, idempotency_key, email, ship_name, ship_line1, ship_city, \
                 ship_postal, ship_country, currency, items_total, shipping_total, tax_total, grand_total, status, \
                 reserved_until, view_token, created_at, updated_at) VALUES ($1, $2, $2, 'b@example.com', 'B', \
                 '1 Main St', 'Springfield', '12345', 'US', 'USD', 3000, 500, 0, 3500, 'paid', 0, 't', $3, $3)",
            )
            .bind(group)
            .bind(format!("BZ-A{i:07}"))
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("group");
            sqlx::query(
                "INSERT INTO orders (id, group_id, seller_id, number, status, shipping_name, shipping_amount, \
                 items_total, tax_amount, total, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'paid', 'Standard', 500, 3000, 0, 3500, $5, $5)",
            )
            .bind(order)
            .bind(group)
            .bind(products[basket[0]].2)
            .bind(format!("BZ-A{i:07}-1"))
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("order");
            sqlx::query(
                "INSERT INTO payments (id, group_id, provider, provider_ref, amount, currency, status, created_at, \
                 updated_at) VALUES ($1, $1, 'test', $2, 3500, 'USD', 'succeeded', $3, $3)",
            )
            .bind(group)
            .bind(format!("bench-{group}"))
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("payment");
            // The event `mark_paid` writes: what says the group was paid.
            sqlx::query(
                "INSERT INTO order_events (id, order_id, status, note, created_at) \
                 VALUES ($1, $1, 'paid', 'Payment received', $2)",
            )
            .bind(order)
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("event");
            for &n in &basket {
                sqlx::query(
                    "INSERT INTO order_lines (order_id, variant_id, product_id, title, variant, sku, quantity, \
                     unit_price) VALUES ($1, $2, $3, 'Bench item', '', 'SKU', 1, 1000)",
                )
                .bind(order)
                .bind(products[n].1)
                .bind(products[n].0)
                .execute(&mut *tx)
                .await
                .expect("line");
            }
            groups.push(group);
        }
        tx.commit().await.expect("commit");
    }
    groups
}

#[tokio::main]
async fn main() {
    let orders: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("bazaar_also_bought_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = std::env::args()
        .nth(2)
        .unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.display()));
    let db = Db::connect(&url, 4).await.expect("open database");
    db.migrate().await.expect("migrate");
    let started = Instant::now();
    domain::seed::seed(&db, PRODUCTS, 5).await.expect("seed");
    println!(
        "{PRODUCTS} products seeded in {:.1} s ({:?})",
        started.elapsed().as_secs_f64(),
        db.backend()
    );
    let products: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT p.id, MIN(v.id), p.seller_id FROM products p JOIN variants v ON v.product_id = p.id \
         GROUP BY p.id, p.seller_id ORDER BY p.id",
    )
    .fetch_all(db.pool())
    .await
    .expect("products");
    let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    write_orders(&db, &products, 0, orders, &mut draw).await;
    println!(
        "{orders} paid orders written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if db.backend() == domain::Backend::Postgres {
        // What autovacuum does after a bulk load like this one: without statistics PostgreSQL plans the paid
        // group's lines as a scan of every order line (40 ms instead of 0.1 ms).
        sqlx::query("ANALYZE").execute(db.pool()).await.expect("analyze");
    }

    let started = Instant::now();
    let found = also_bought::recount(&db).await.expect("recount");
    println!(
        "recount: {} paid orders into {} product pairs in {:.2} s",
        found.groups,
        found.pairs,
        started.elapsed().as_secs_f64()
    );

    let more = write_orders(&db, &products, orders, 1_000, &mut draw).await;
    let mut counts = Vec::with_capacity(more.len());
    for group in more {
        let t = Instant::now();
        let mut tx = db.begin_write().await.expect("tx");
        also_bought::count_paid_group(&mut tx, group).await.expect("count");
        tx.commit().await.expect("commit");
        counts.push(t.elapsed());
    }
    println!("counting one paid order (its own transaction): {}", percentiles(counts));

    let (mut partners, mut similar, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..1_000 {
        let product = products[draw.popular(products.len())].0;
        let t = Instant::now();
        also_bought::partners(&db, &[product], 12).await.expect("partners");
        partners.push(t.elapsed());
        let t = Instant::now();
        discovery::similar::like(&db, product, &[product], 12)
            .await
            .expect("similar");
        similar.push(t.elapsed());
        let t = Instant::now();
        discovery::for_product(&db, product).await.expect("rows");
        rows.push(t.elapsed());
    }
    println!("\"also bought\" ids of a product: {}", percentiles(partners));
    println!("\"similar\" ids of a product: {}", percentiles(similar));
    println!("a product page's two rows with their cards: {}", percentiles(rows));
    let _ = std::fs::remove_dir_all(&dir);
}
