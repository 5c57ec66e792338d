//! Checkout benchmark: orders per second through the whole domain checkout (quote, order group with one order
//! per seller, stock reservations, pending payment, test-gateway payment, the "succeeded" event applied through
//! the inbox: stock committed, cart emptied, confirmation queued), then the hot-item case: 500 buyers at once for
//! 50 units.
//!
//!   cargo run --release -p domain --example checkout_bench -- <database url> [orders] [concurrency]
//!
//! The database must be empty (it is migrated and seeded here). For PostgreSQL compare with
//! `pgbench -b tpcb-like` on the same machine (bench/checkout.sh runs both).

use std::sync::Arc;
use std::time::Instant;

use domain::checkout;
use domain::payments::{TestGateway, TEST_CARD_SUCCESS};
use domain::workflows::{place_order, settle_payment};
use domain::{cart, seed, Actor, Db};
use model::orders::CheckoutDraft;

async fn draft_for(db: &Db, cart_id: i64) -> CheckoutDraft {
    let mut draft = CheckoutDraft {
        email: "bench@example.com".into(),
        name: "Bench Buyer".into(),
        line1: "1 Load Street".into(),
        line2: String::new(),
        city: "Springfield".into(),
        postal: "12345".into(),
        country: "US".into(),
        phone: String::new(),
        shipping: Vec::new(),
        promo: String::new(),
        errors: Vec::new(),
    };
    let view = cart::view(db, cart_id).await.expect("cart");
    let quote = checkout::quote(db, &view, &draft, None, true).await.expect("quote");
    draft.shipping = quote
        .groups
        .iter()
        .filter_map(|g| Some((g.seller_id, g.options.first()?.rate_id)))
        .collect();
    draft
}

/// Microseconds spent in each phase, summed over all orders (where the time goes).
static PHASES: [std::sync::atomic::AtomicU64; 3] = [
    std::sync::atomic::AtomicU64::new(0),
    std::sync::atomic::AtomicU64::new(0),
    std::sync::atomic::AtomicU64::new(0),
];

fn lap(phase: usize, since: Instant) -> Instant {
    PHASES[phase].fetch_add(since.elapsed().as_micros() as u64, std::sync::atomic::Ordering::Relaxed);
    Instant::now()
}

/// Places and pays one order for this cart; returns whether it was paid.
async fn buy(db: &Db, gateway: &TestGateway, cart_id: i64, draft: &CheckoutDraft) -> bool {
    // What the review page showed the buyer (a page load of its own, not timed as the order).
    let Ok(Some(quote)) = checkout::review(db, &Actor::visitor(), Some(cart_id), draft, true).await else {
        return false;
    };
    let seen = checkout::review::Reviewed::of(&quote);
    let t = Instant::now();
    match place_order::place_order(
        db,
        gateway,
        &Actor::visitor(),
        cart_id,
        draft,
        &seen,
        &domain::platform::ids::random_token(),
    )
    .await
    {
        Ok(placed) => {
            let t = lap(0, t);
            let session = placed.redirect_url.trim_start_matches("/pay/test/");
            let event = gateway
                .pay(session, TEST_CARD_SUCCESS)
                .await
                .expect("pay")
                .expect("event");
            let t = lap(1, t);
            let paid = matches!(
                settle_payment::apply_event(db, &event).await.expect("apply"),
                settle_payment::Applied::Paid { .. }
            );
            lap(2, t);
            paid
        }
        Err(checkout::CheckoutError::CannotPlace(_)) => false,
        Err(e) => panic!("checkout failed: {e:?}"),
    }
}

async fn run(
    db: &Db,
    gateway: &Arc<TestGateway>,
    carts: Vec<(i64, CheckoutDraft)>,
    concurrency: usize,
) -> (usize, f64) {
    let started = Instant::now();
    let queue = Arc::new(tokio::sync::Mutex::new(carts));
    let workers = (0..concurrency).map(|_| {
        let (db, gateway, queue) = (db.clone(), gateway.clone(), queue.clone());
        tokio::spawn(async move {
            let mut paid = 0;
            loop {
                let next = queue.lock().await.pop();
                let Some((cart_id, draft)) = next else { break };
                if buy(&db, &gateway, cart_id, &draft).await {
                    paid += 1;
                }
            }
            paid
        })
    });
    // Collected first: every worker is spawned before any is awaited (a lazy iterator would run them one by one).
    let workers: Vec<_> = workers.collect();
    let mut paid = 0;
    for w in workers {
        paid += w.await.expect("worker");
    }
    (paid, started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "sqlite://data/checkout-bench.db".into());
    let orders: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let concurrency: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(16);
    let sync: domain::SqliteSync = args.next().and_then(|s| s.parse().ok()).unwrap_or_default();
    let db = Db::connect_with(&url, 16, sync).await.expect("open database");
    db.migrate().await.expect("migrate");
    seed::seed(&db, 200, 1)
        .await
        .expect("seed (the database must be empty)");
    sqlx::query("UPDATE stock SET available = 1000000")
        .execute(db.pool())
        .await
        .expect("stock");
    let gateway = Arc::new(TestGateway::new(db.clone()));
    let variants: Vec<i64> = sqlx::query_scalar(
        "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'active' ORDER BY v.id",
    )
    .fetch_all(db.pool())
    .await
    .expect("variants");

    // Carts of two lines (usually two sellers), prepared before the clock starts.
    let mut carts = Vec::with_capacity(orders);
    for i in 0..orders {
        let id = cart::create_guest_cart(&db).await.expect("cart");
        cart::add(&db, id, variants[(i * 7) % variants.len()], 1)
            .await
            .expect("add");
        cart::add(&db, id, variants[(i * 13 + 5) % variants.len()], 2)
            .await
            .expect("add");
        let draft = draft_for(&db, id).await;
        carts.push((id, draft));
    }
    let (paid, secs) = run(&db, &gateway, carts, concurrency).await;
    println!(
        "{}{} full checkouts (place + pay + apply), concurrency {concurrency}: {paid} paid in {secs:.2} s = {:.0} orders/s",
        db.backend().name(),
        match (db.backend(), sync) {
            (domain::Backend::Sqlite, domain::SqliteSync::Full) => " (synchronous=FULL)",
            (domain::Backend::Sqlite, domain::SqliteSync::Normal) => " (synchronous=NORMAL)",
            _ => "",
        },
        paid as f64 / secs
    );

    let per_order =
        |phase: usize| PHASES[phase].load(std::sync::atomic::Ordering::Relaxed) as f64 / paid.max(1) as f64 / 1000.0;
    println!(
        "  per order (wall time inside each call, summed over workers): place {:.2} ms, pay {:.2} ms, apply {:.2} ms",
        per_order(0),
        per_order(1),
        per_order(2)
    );

    // Hot item: 500 buyers, 50 units.
    let hot = variants[0];
    sqlx::query("UPDATE stock SET available = 0 WHERE variant_id = $1")
        .bind(hot)
        .execute(db.pool())
        .await
        .expect("zero");
    sqlx::query("UPDATE stock SET available = 50 WHERE variant_id = $1 AND warehouse_id = (SELECT MIN(warehouse_id) FROM stock WHERE variant_id = $1)")
        .bind(hot)
        .execute(db.pool())
        .await
        .expect("fifty");
    let mut buyers = Vec::with_capacity(500);
    for _ in 0..500 {
        let id = cart::create_guest_cart(&db).await.expect("cart");
        cart::add(&db, id, hot, 1).await.expect("add");
        let draft = draft_for(&db, id).await;
        buyers.push((id, draft));
    }
    let (paid, secs) = run(&db, &gateway, buyers, 500).await;
    let left: i64 = sqlx::query_scalar("SELECT CAST(SUM(available) AS BIGINT) FROM stock WHERE variant_id = $1")
        .bind(hot)
        .fetch_one(db.pool())
        .await
        .expect("left");
    println!(
        "{} hot item: 500 buyers for 50 units: {paid} paid, {} sold out, {left} left, in {secs:.2} s = {:.0} attempts/s",
        db.backend().name(),
        500 - paid,
        500.0 / secs
    );
}
