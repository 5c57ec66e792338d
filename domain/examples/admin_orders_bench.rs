//! The admins' orders list and dashboard at scale (issue 23: "admin user and order lists at 100,000 rows, p99 ≤ 50
//! ms per page"; "the dashboard answers in ≤ 100 ms p99 over 100,000 orders"): `rows` checkouts of one store order
//! and one line each, over 20 stores and the last year (one every five minutes), with the dashboard's rollup, written
//! straight into their tables; then 200 reads each of
//! - the orders list: the first page, a page from the middle (its keyset cursor), the "to ship" state, one store,
//!   a customer's name, an amount range, and one checkout's page;
//! - the dashboard: today, 7, 30, 90 and 366 days.
//!
//!   cargo run --release -p domain --example admin_orders_bench -- [rows] [database url]
//!
//! Without a URL it uses a fresh SQLite file; a PostgreSQL URL must name an empty database.

use std::collections::HashMap;
use std::time::Instant;

use domain::admin::{dashboard, orders};
use domain::{Actor, Db};
use model::admin_orders::{CheckoutState, OrderSearch};
use model::money::SalesRange;

#[path = "admin_bench/mod.rs"]
mod admin_bench;
use admin_bench::time;

const STORES: i64 = 20;
const FIVE_MINUTES: i64 = 300_000;

/// Group and order statuses by the checkout's index: a tenth unpaid, a tenth expired, the rest paid and on their
/// way.
fn statuses(i: usize) -> (&'static str, &'static str) {
    match i % 10 {
        0 => ("pending_payment", "pending_payment"),
        1 => ("expired", "expired"),
        2..=5 => ("paid", "paid"),
        6..=8 => ("paid", "shipped"),
        _ => ("paid", "delivered"),
    }
}

async fn write_stores(db: &Db, now: i64) {
    for s in 1..=STORES {
        sqlx::query("INSERT INTO sellers (id, store_name, slug, status, created_at) VALUES ($1, $2, $3, 'active', $4)")
            .bind(4_000_000_000 + s)
            .bind(format!("Bench Store {s}"))
            .bind(format!("bench-store-{s}"))
            .bind(now)
            .execute(db.pool())
            .await
            .expect("store");
    }
}

/// One checkout `i`: its group, its store's order and its line; what it adds to the rollup when paid.
async fn write_checkout(tx: &mut sqlx::AnyConnection, i: usize, now: i64) -> Option<(i64, i64, i64)> {
    let id = 5_000_000_000 + i as i64;
    let at = now - i as i64 * FIVE_MINUTES;
    let (group_status, order_status) = statuses(i);
    let total = 1_000 + (i as i64 * 37) % 20_000;
    sqlx::query(
        "INSERT INTO order_groups (id, number, idempotency_key, email, ship_name, ship_line1, ship_city, \
         ship_postal, ship_country, currency, items_total, shipping_total, tax_total, grand_total, status, \
         reserved_until, view_token, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '1 Bench Road', 'Springfield', \
         '12345', 'US', 'USD', $6, 0, 0, $6, $7, $8, 'token', $8, $8)",
    )
    .bind(id)
    .bind(format!("BZ-BENCH-{i}"))
    .bind(format!("bench-{i}"))
    .bind(format!("buyer{i}@example.com"))
    .bind(format!("Buyer Tester{i}"))
    .bind(total)
    .bind(group_status)
    .bind(at)
    .execute(&mut *tx)
    .await
    .expect("group");
    sqlx::query(
        "INSERT INTO orders (id, group_id, seller_id, number, status, shipping_name, shipping_amount, items_total, \
         tax_amount, total, refunded, created_at, updated_at) VALUES ($1, $1, $2, $3, $4, 'Standard', 0, $5, 0, $5, \
         $6, $7, $7)",
    )
    .bind(id)
    .bind(4_000_000_001 + i as i64 % STORES)
    .bind(format!("BZ-BENCH-{i}-1"))
    .bind(order_status)
    .bind(total)
    .bind(if i.is_multiple_of(37) { 500 } else { 0 })
    .bind(at)
    .execute(&mut *tx)
    .await
    .expect("order");
    sqlx::query(
        "INSERT INTO order_lines (order_id, variant_id, product_id, title, variant, sku, quantity, unit_price) \
         VALUES ($1, 1, 1, 'Bench kettle', '', 'BENCH-1', 1, $2)",
    )
    .bind(id)
    .bind(total)
    .execute(&mut *tx)
    .await
    .expect("line");
    (group_status == "paid").then_some((at / 900_000, id % 16, total))
}

async fn write_checkouts(db: &Db, rows: usize, now: i64) {
    let mut rollup: HashMap<(i64, i64), (i64, i64)> = HashMap::new();
    for chunk in (0..rows).collect::<Vec<_>>().chunks(5_000) {
        let mut tx = db.begin_write().await.expect("tx");
        for &i in chunk {
            if let Some((quarter, shard, paid)) = write_checkout(&mut tx, i, now).await {
                let entry = rollup.entry((quarter, shard)).or_default();
                *entry = (entry.0 + 1, entry.1 + paid);
            }
        }
        tx.commit().await.expect("commit");
    }
    let mut tx = db.begin_write().await.expect("tx");
    for ((quarter, shard), (count, gmv)) in rollup {
        sqlx::query(
            "INSERT INTO platform_sales (quarter, currency, shard, orders, gmv) VALUES ($1, 'USD', $2, $3, $4)",
        )
        .bind(quarter)
        .bind(shard)
        .bind(count)
        .bind(gmv)
        .execute(&mut *tx)
        .await
        .expect("rollup");
    }
    tx.commit().await.expect("commit");
}

async fn bench_list(db: &Db, admin: Actor, rows: usize, now: i64) {
    let page = |search: OrderSearch, after: String| {
        let db = db.clone();
        async move {
            orders::list(&db, &admin, &search, &after)
                .await
                .expect("list")
                .rows
                .len()
        }
    };
    let middle = format!(
        "{}.{}",
        now - (rows as i64 / 2) * FIVE_MINUTES,
        5_000_000_000 + rows as i64 / 2
    );
    time("orders, first page", || page(OrderSearch::default(), String::new())).await;
    time("orders, a middle page", || page(OrderSearch::default(), middle.clone())).await;
    let searches = [
        (
            "orders, to ship",
            OrderSearch {
                state: Some(CheckoutState::ToShip),
                ..OrderSearch::default()
            },
        ),
        (
            "orders, refunded",
            OrderSearch {
                state: Some(CheckoutState::Refunded),
                ..OrderSearch::default()
            },
        ),
        (
            "orders, one store",
            OrderSearch {
                store: "bench store 7".into(),
                ..OrderSearch::default()
            },
        ),
        (
            "orders, a customer's name",
            OrderSearch {
                q: "tester4242".into(),
                ..OrderSearch::default()
            },
        ),
        (
            "orders, an order number",
            OrderSearch {
                q: "BZ-BENCH-4242".into(),
                ..OrderSearch::default()
            },
        ),
        (
            "orders, 100.00 to 101.00",
            OrderSearch {
                min: "100".into(),
                max: "101".into(),
                ..OrderSearch::default()
            },
        ),
    ];
    for (what, search) in searches {
        time(what, || page(search.clone(), String::new())).await;
    }
    let number = format!("BZ-BENCH-{}", rows / 2);
    time("one checkout's page", || {
        let (db, number) = (db.clone(), number.clone());
        async move {
            orders::detail(&db, &admin, &number)
                .await
                .expect("detail")
                .order
                .orders
                .len()
        }
    })
    .await;
}

async fn bench_dashboard(db: &Db, admin: Actor) {
    let day = |ms: i64| model::format_date(ms);
    let now = domain::platform::clock::now_ms();
    let ranges = ["1", "7", "30", "90"].map(|days| SalesRange {
        range: days.into(),
        ..SalesRange::default()
    });
    let year = SalesRange {
        from: day(now - 365 * 86_400_000),
        to: day(now),
        ..SalesRange::default()
    };
    for range in ranges.into_iter().chain([year]) {
        let what = format!(
            "dashboard, {} days",
            if range.range.is_empty() { "366" } else { &range.range }
        );
        time(&what, || {
            let (db, range) = (db.clone(), range.clone());
            async move {
                dashboard::screen(&db, &admin, &range, "UTC")
                    .await
                    .expect("dashboard")
                    .sales[0]
                    .days
                    .len()
            }
        })
        .await;
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let url = args.get(2).cloned().unwrap_or_else(|| {
        let file = std::env::temp_dir().join(format!("bazaar_orders_bench_{}.db", std::process::id()));
        format!("sqlite://{}?mode=rwc", file.display())
    });
    let db = Db::connect(&url, 4).await.expect("connect");
    db.migrate().await.expect("migrate");
    let admin = admin_bench::admin(&db).await;
    let now = domain::platform::clock::now_ms();
    let started = Instant::now();
    write_stores(&db, now).await;
    write_checkouts(&db, rows, now).await;
    // What a running database has: statistics of its tables (PostgreSQL's autovacuum gathers them after a load).
    sqlx::query("ANALYZE").execute(db.pool()).await.expect("analyze");
    println!(
        "{} on {rows} checkouts over {STORES} stores (written in {:.1} s)",
        db.backend().name(),
        started.elapsed().as_secs_f64()
    );
    bench_list(&db, admin, rows, now).await;
    bench_dashboard(&db, admin).await;
}
