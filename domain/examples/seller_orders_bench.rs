//! Seller orders benchmark (issue 20): 100,000 paid orders across the 20 demo stores, then the seller's order list
//! (`orders::portal::page`: every tab's first page, 20 pages deep by keyset, a search by name) and shipping
//! (`workflows::ship_order::ship`, the real workflow with its shopper email), refunding and cancelling
//! (`workflows::refund_order`, with the test gateway) timed, p50 and p99 of each.
//! Then the store's money screen, statement CSV and sales dashboard (issue 21) over the ledger and rollups the
//! orders booked (the rollups put every order on the day of the run: the dashboard reads at most 180 day rows).
//! Goals: list and money screen p99 ≤ 50 ms per page, ship, cancel and refund p99 ≤ 100 ms.
//!
//!   cargo run --release -p domain --example seller_orders_bench -- [orders]
//!
//! The orders are written straight into the tables (placing 100,000 through checkout would measure checkout);
//! their shape is checkout's: a group, its store order, one to three lines, the statuses a running shop has.

use std::time::{Duration, Instant};

use domain::money::statement;
use domain::orders::portal;
use domain::orders::refunds::{RefundForm, RefundKind};
use domain::payments::TestGateway;
use domain::workflows::refund_order;
use domain::workflows::ship_order::{self, ShipForm};
use model::seller_orders::{OrderFilter, OrderTab};

fn filter(tab: OrderTab, q: &str) -> OrderFilter {
    OrderFilter {
        tab,
        q: q.into(),
        from: String::new(),
        to: String::new(),
    }
}

#[path = "bench_shop/mod.rs"]
mod bench_shop;

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    format!("p50 {:.2} ms, p99 {:.2} ms ({} runs)", at(0.5), at(0.99), times.len())
}

/// `orders` orders spread over the stores, the newest last: 15 % to ship, 5 % partly shipped, 30 % shipped,
/// 40 % delivered, 5 % cancelled, 5 % refunded.
async fn fill(db: &domain::Db, orders: usize) {
    let stores: Vec<i64> = sqlx::query_scalar("SELECT id FROM sellers ORDER BY id")
        .fetch_all(db.pool())
        .await
        .expect("stores");
    let variants: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT v.id, v.product_id, p.seller_id FROM variants v JOIN products p ON p.id = v.product_id")
            .fetch_all(db.pool())
            .await
            .expect("variants");
    let start = domain::platform::clock::now_ms() - orders as i64 * 60_000;
    for chunk in (0..orders).collect::<Vec<_>>().chunks(2_000) {
        let mut tx = db.begin_write().await.expect("tx");
        for &i in chunk {
            let store = stores[i % stores.len()];
            let mine: Vec<&(i64, i64, i64)> = variants.iter().filter(|v| v.2 == store).take(3).collect();
            let lines = 1 + i % mine.len().clamp(1, 3);
            let (status, shipped) = match i % 20 {
                0..=2 => ("paid", false),
                3 => ("paid", true),
                4..=9 => ("shipped", true),
                10..=17 => ("delivered", true),
                18 => ("cancelled", false),
                _ => ("refunded", false),
            };
            let at = start + i as i64 * 60_000;
            let (group, order) = (1_000_000_000 + i as i64 * 2, 1_000_000_001 + i as i64 * 2);
            sqlx::query(
                "INSERT INTO order_groups (id, number, idempotency_key, email, ship_name, ship_line1, ship_city, \
                 ship_postal, ship_country, currency, items_total, shipping_total, tax_total, grand_total, status, \
                 reserved_until, view_token, created_at, updated_at) VALUES ($1, $2, $2, 'b@example.com', $3, \
                 '1 Main St', 'Springfield', '12345', 'US', 'USD', 3000, 500, 0, 3500, $4, 0, 't', $5, $5)",
            )
            .bind(group)
            .bind(format!("BZ-B{i:07}"))
            .bind(format!("Shopper {i}"))
            .bind(if status == "cancelled" { "cancelled" } else { "paid" })
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("group");
            sqlx::query(
                "INSERT INTO orders (id, group_id, seller_id, number, status, shipping_name, shipping_amount, \
                 items_total, tax_amount, total, created_at, updated_at, ship_by, units_shipped) \
                 VALUES ($1, $2, $3, $4, $5, 'Standard', 500, 3000, 0, 3500, $6, $6, $7, $8)",
            )
            .bind(order)
            .bind(group)
            .bind(store)
            .bind(format!("BZ-B{i:07}-1"))
            .bind(status)
            .bind(at)
            .bind(at + 2 * 86_400_000)
            .bind(if shipped { 1 } else { 0 })
            .execute(&mut *tx)
            .await
            .expect("order");
            paid_through_test_gateway(&mut tx, group, at).await;
            for (n, v) in mine.iter().take(lines).enumerate() {
                let done = i64::from(shipped && (status != "paid" || n == 0));
                sqlx::query(
                    "INSERT INTO order_lines (order_id, variant_id, product_id, title, variant, sku, quantity, \
                     unit_price, shipped) VALUES ($1, $2, $3, 'Bench item', '', 'SKU', 1, 1000, $4)",
                )
                .bind(order)
                .bind(v.0)
                .bind(v.1)
                .bind(done)
                .execute(&mut *tx)
                .await
                .expect("line");
            }
            book(&mut tx, order, status, at).await;
        }
        tx.commit().await.expect("commit");
    }
}

/// The order's money as a paid order books it (issue 21): the commission frozen, the sale in its store's ledger; a
/// delivered order's money released 7 days after its delivery, an ended one's at once; a refunded one refunded.
async fn book(tx: &mut sqlx::AnyConnection, order: i64, status: &str, at: i64) {
    if status == "cancelled" {
        return;
    }
    domain::money::commission::freeze(tx, order).await.expect("commission");
    domain::money::sales::record_sale(tx, order, 0).await.expect("sale");
    let release = match status {
        "delivered" => Some(at + 9 * 86_400_000),
        "refunded" => Some(at),
        _ => None,
    };
    if status == "refunded" {
        domain::money::sales::record_provider_refund(tx, order, 3500)
            .await
            .expect("refund");
    }
    sqlx::query("UPDATE orders SET funds_release_at = $1 WHERE id = $2")
        .bind(release)
        .bind(order)
        .execute(&mut *tx)
        .await
        .expect("release");
}

/// The store's money screen (balances, the period's totals, a page of the statement) unfiltered, 20 pages deep,
/// refunds only and the last 7 days; then the CSV of the last 30 days.
async fn money(db: &domain::Db, seller: &domain::Actor) {
    use model::money::StatementFilter;
    let mut firsts = Vec::new();
    let mut deep = Vec::new();
    let mut filtered = Vec::new();
    let day = |days_ago: i64| model::format_date(domain::platform::clock::now_ms() - days_ago * 86_400_000);
    let refunds = StatementFilter {
        kind: "refund".into(),
        ..StatementFilter::default()
    };
    let week = StatementFilter {
        from: day(7),
        ..StatementFilter::default()
    };
    for _ in 0..20 {
        let t = Instant::now();
        let first = statement::screen(db, seller, &StatementFilter::default(), None, false)
            .await
            .expect("statement");
        firsts.push(t.elapsed());
        let mut after = first.next;
        for _ in 0..20 {
            let t = Instant::now();
            let page = statement::screen(db, seller, &StatementFilter::default(), after.as_deref(), false)
                .await
                .expect("page");
            deep.push(t.elapsed());
            after = page.next;
        }
        for f in [&refunds, &week] {
            let t = Instant::now();
            statement::screen(db, seller, f, None, false).await.expect("filtered");
            filtered.push(t.elapsed());
        }
    }
    println!("money screen, first page: {}", percentiles(firsts));
    println!("money screen, 20 pages deep: {}", percentiles(deep));
    println!("money screen, refunds only / last 7 days: {}", percentiles(filtered));
    let mut boards = Vec::new();
    for _ in 0..20 {
        for range in ["7", "30", "90"] {
            let range = model::money::SalesRange {
                range: range.into(),
                ..model::money::SalesRange::default()
            };
            let t = Instant::now();
            domain::money::dashboard::screen(db, seller, &range)
                .await
                .expect("dashboard");
            boards.push(t.elapsed());
        }
    }
    println!("sales dashboard, 7 / 30 / 90 days: {}", percentiles(boards));
    let month = StatementFilter {
        from: day(30),
        ..StatementFilter::default()
    };
    let t = Instant::now();
    let csv = statement::csv(db, seller, &month).await.expect("csv");
    println!(
        "statement CSV, last 30 days: {} lines in {:.1} ms",
        csv.iter().filter(|b| **b == b'\n').count(),
        t.elapsed().as_secs_f64() * 1000.0
    );
}

/// Refunds one unit of each order just shipped, and cancels the first line of 50 orders still to ship: the real
/// workflow with the test gateway (its own transaction) and the shopper's email.
async fn refunds(db: &domain::Db, seller: &domain::Actor, shipped: &[model::seller_orders::SellerOrderRow]) {
    let gateway = TestGateway::new(db.clone());
    let first_line = |number: String| async move {
        let line: (i64,) = sqlx::query_as(
            "SELECT l.variant_id FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.number = $1 \
             ORDER BY l.variant_id LIMIT 1",
        )
        .bind(&number)
        .fetch_one(db.pool())
        .await
        .expect("line");
        line.0
    };
    let mut times = Vec::new();
    for row in shipped.iter().take(50) {
        let form = RefundForm {
            key: format!("bench-r-{}", row.number),
            lines: vec![(first_line(row.number.clone()).await, "1".into())],
            reason: "damaged".into(),
            restock: true,
            ..RefundForm::default()
        };
        let t = Instant::now();
        refund_order::by_store(db, &gateway, seller, &row.number, RefundKind::Refund, &form)
            .await
            .expect("refund");
        times.push(t.elapsed());
    }
    println!(
        "refund a shipped unit (claim, test gateway, complete, email): {}",
        percentiles(times)
    );
    let to_cancel: Vec<String> = sqlx::query_scalar(
        "SELECT number FROM orders WHERE seller_id = $1 AND status = 'paid' AND units_shipped = 0 \
         ORDER BY created_at DESC LIMIT 50",
    )
    .bind(seller.store_id())
    .fetch_all(db.pool())
    .await
    .expect("to cancel");
    let mut times = Vec::new();
    for number in to_cancel {
        let form = RefundForm {
            key: format!("bench-c-{number}"),
            lines: vec![(first_line(number.clone()).await, "1".into())],
            reason: "out_of_stock".into(),
            ..RefundForm::default()
        };
        let t = Instant::now();
        refund_order::by_store(db, &gateway, seller, &number, RefundKind::Cancel, &form)
            .await
            .expect("cancel");
        times.push(t.elapsed());
    }
    println!(
        "cancel a unit not shipped (restocked, refunded): {}",
        percentiles(times)
    );
}

/// A succeeded payment of group `group` through the test gateway, so a cancel or a refund reaches it as in the
/// shop.
async fn paid_through_test_gateway(tx: &mut sqlx::AnyConnection, group: i64, at: i64) {
    sqlx::query(
        "INSERT INTO payments (id, group_id, provider, provider_ref, amount, currency, status, created_at, \
         updated_at) VALUES ($1, $1, 'test', $2, 3500, 'USD', 'succeeded', $3, $3)",
    )
    .bind(group)
    .bind(format!("bench-session-{group}"))
    .bind(at)
    .execute(&mut *tx)
    .await
    .expect("payment");
    sqlx::query(
        "INSERT INTO test_gateway_sessions (id, payment_id, amount, currency, reference, status, created_at) \
         VALUES ($1, $2, 3500, 'USD', $1, 'succeeded', $3)",
    )
    .bind(format!("bench-session-{group}"))
    .bind(group)
    .bind(at)
    .execute(&mut *tx)
    .await
    .expect("session");
}

#[tokio::main]
async fn main() {
    let orders: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let bench_shop::BenchShop {
        db,
        dir,
        seller,
        images,
    } = bench_shop::open("seller_orders_bench").await;
    drop(images); // No picture is written here.
    let started = Instant::now();
    fill(&db, orders).await;
    println!("{orders} orders written in {:.1} s", started.elapsed().as_secs_f64());

    let mut firsts = Vec::new();
    let mut deep = Vec::new();
    let mut searches = Vec::new();
    let mut dated = Vec::new();
    let mut records = Vec::new();
    let week_ago = model::format_date(domain::platform::clock::now_ms() - 7 * 86_400_000);
    for _ in 0..20 {
        for tab in OrderTab::ALL {
            let t = Instant::now();
            portal::page(&db, &seller, &filter(tab, ""), "").await.expect("page");
            firsts.push(t.elapsed());
        }
        let mut after = String::new();
        for _ in 0..20 {
            let t = Instant::now();
            let page = portal::page(&db, &seller, &filter(OrderTab::All, ""), &after)
                .await
                .expect("page");
            deep.push(t.elapsed());
            after = page.next.unwrap_or_default();
        }
        let t = Instant::now();
        portal::page(&db, &seller, &filter(OrderTab::All, "shopper 99"), "")
            .await
            .expect("search");
        searches.push(t.elapsed());
        let t = Instant::now();
        let last_week = OrderFilter {
            from: week_ago.clone(),
            ..filter(OrderTab::All, "")
        };
        portal::page(&db, &seller, &last_week, "").await.expect("dated");
        dated.push(t.elapsed());
        let t = Instant::now();
        portal::shipping_record(&db, &seller).await.expect("record");
        records.push(t.elapsed());
    }
    println!("list, each tab's first page: {}", percentiles(firsts));
    println!("list, 20 pages deep by keyset: {}", percentiles(deep));
    println!("list, search by customer name: {}", percentiles(searches));
    println!("list, placed in the last 7 days: {}", percentiles(dated));
    println!("overview, shipping record (30 days): {}", percentiles(records));
    money(&db, &seller).await;

    let to_ship = portal::page(&db, &seller, &filter(OrderTab::ToShip, ""), "")
        .await
        .expect("page");
    let mut ships = Vec::new();
    for row in to_ship.rows.iter().take(50) {
        let lines: Vec<(i64, String)> = sqlx::query_as(
            "SELECT l.variant_id, CAST(l.quantity - l.shipped AS TEXT) FROM order_lines l \
             JOIN orders o ON o.id = l.order_id WHERE o.number = $1 AND l.shipped < l.quantity",
        )
        .bind(&row.number)
        .fetch_all(db.pool())
        .await
        .expect("lines");
        let form = ShipForm {
            key: format!("bench-{}", row.number),
            carrier: "ups".into(),
            tracking_number: "1Z999AA10123456784".into(),
            lines,
        };
        let t = Instant::now();
        ship_order::ship(&db, &seller, &row.number, &form).await.expect("ship");
        ships.push(t.elapsed());
    }
    println!("ship (the workflow, with its email): {}", percentiles(ships));
    refunds(&db, &seller, &to_ship.rows).await;
    drop(db);
    // BENCH_KEEP=1 keeps the database to look into its query plans.
    if std::env::var_os("BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    } else {
        println!("kept {}", dir.display());
    }
}
