//! The admin's analytics at scale (issue 23: "event ingestion ≥ 20,000 events/s sustained", "dashboard over
//! 1,000,000 events, p99 ≤ 100 ms"): `events` events over the last 90 days, in time order (2,000 visitors a day: page views of
//! every type, searches of 500 words of which a tenth find nothing, additions to the cart, orders placed) written
//! through the recorder's flush in batches of 20,000 — a second's worth at the goal — timing each flush; then 200
//! reads each of the analytics screen for today, 7, 30 and 90 days.
//!
//!   cargo run --release -p domain --example analytics_bench -- [events] [database url]
//!
//! Without a URL it uses a fresh SQLite file; a PostgreSQL URL must name an empty database.

use std::time::{Duration, Instant};

use domain::analytics::{report, Event, EventKind, PageType, Recorder, Visitor};
use domain::Db;
use model::money::SalesRange;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[path = "admin_bench/mod.rs"]
mod admin_bench;
use admin_bench::time;

const DAYS: i64 = 90;
const VISITORS_A_DAY: u32 = 2_000;
const BATCH: usize = 20_000;
const DAY_MS: i64 = 86_400_000;

/// Event `i` of `n`, at its moment of the last 90 days (in order, as a shop records them), of a random visitor of
/// that day.
fn event(rng: &mut StdRng, now: i64, i: usize, n: usize) -> Event {
    let ago = DAYS * DAY_MS - (i as i64) * (DAYS * DAY_MS / n as i64);
    let day = (now - ago) / DAY_MS;
    let visitor = Visitor::from_client(&format!("{day}/{}", rng.gen_range(0..VISITORS_A_DAY)), "bench");
    let roll = rng.gen_range(0..1000);
    let (kind, page_type, subject, results) = match roll {
        0..=399 => (EventKind::PageView, Some(PageType::Product), String::new(), None),
        400..=599 => {
            let page = PageType::ALL[rng.gen_range(0..PageType::ALL.len())];
            (EventKind::PageView, Some(page), String::new(), None)
        }
        600..=619 => (EventKind::PageView, Some(PageType::Checkout), String::new(), None),
        620..=849 => {
            let word = rng.gen_range(0..500);
            let found = if word % 10 == 0 { 0 } else { 1 + word % 40 };
            (EventKind::Search, None, format!("word {word}"), Some(found))
        }
        850..=994 => (EventKind::AddToCart, None, rng.gen_range(1..5000).to_string(), None),
        _ => (
            EventKind::OrderPlaced,
            None,
            format!("BZ-BENCH{}", rng.gen_range(0..100_000)),
            None,
        ),
    };
    Event {
        at: now - ago,
        kind,
        page_type,
        visitor,
        subject,
        results,
    }
}

fn percentile(times: &mut [Duration], p: f64) -> f64 {
    times.sort();
    times[((times.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let url = args.get(2).cloned().unwrap_or_else(|| {
        let file = std::env::temp_dir().join(format!("bazaar_analytics_bench_{}.db", std::process::id()));
        format!("sqlite://{}?mode=rwc", file.display())
    });
    let db = Db::connect(&url, 4).await.expect("connect");
    db.migrate().await.expect("migrate");
    let admin = admin_bench::admin(&db).await;
    let now = domain::platform::clock::now_ms();
    let recorder = Recorder::new("UTC", DAYS + 1);
    let mut rng = StdRng::seed_from_u64(23);
    let mut flushes = Vec::new();
    let started = Instant::now();
    let mut written = 0;
    while written < events {
        let n = BATCH.min(events - written);
        for i in written..written + n {
            recorder.record(event(&mut rng, now, i, events));
        }
        let flush = Instant::now();
        recorder.flush(&db).await.expect("flush");
        flushes.push(flush.elapsed());
        written += n;
    }
    let total = started.elapsed();
    let flushed: Duration = flushes.iter().sum();
    println!(
        "{written} events in {:.1} s; flushes of {BATCH}: {:.0} events/s written, p50 {:.0} ms, p99 {:.0} ms",
        total.as_secs_f64(),
        written as f64 / flushed.as_secs_f64(),
        percentile(&mut flushes, 0.5),
        percentile(&mut flushes, 0.99),
    );
    sqlx::query("ANALYZE").execute(db.pool()).await.expect("analyze");
    for days in ["1", "7", "30", "90"] {
        let range = SalesRange {
            range: days.into(),
            ..SalesRange::default()
        };
        time(&format!("analytics screen, {days} days"), || {
            let (db, range) = (db.clone(), range.clone());
            async move {
                let screen = report::screen(&db, &admin, &range, "UTC").await.expect("screen");
                screen.funnel.len() + screen.top_searches.len() + screen.empty_searches.len()
            }
        })
        .await;
    }
}
