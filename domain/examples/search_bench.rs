//! Search benchmark: full reindex throughput, then p50/p99 latency of searches with every facet, for short
//! prefixes, whole words and misspellings, against a seeded database.
//!
//!   cargo run --release -p domain --example search_bench -- sqlite://data/bench.db [iterations]
//!
//! Prints one line per query class for the index alone and for the whole listing path (index + facet labels +
//! product cards from the database), which is what a search page or the REST API waits for.

use std::time::{Duration, Instant};

use domain::catalog::{parse_search, RawSearch};
use domain::search::{self, IndexQuery, SearchIndex, TantivyIndex};
use domain::Db;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{label:<34} n={:<6} p50={:>7.3} ms  p99={:>7.3} ms  max={:>7.3} ms",
        times.len(),
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "sqlite://data/bench.db".into());
    let iterations: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    let db = Db::connect(&url, 4).await.expect("open database");
    let index = TantivyIndex::in_memory().expect("index");

    let started = Instant::now();
    let docs = search::load_docs(&db, None).await.expect("load");
    let loaded = started.elapsed();
    let n = docs.len();
    index.replace_all(docs).await.expect("index");
    let total = started.elapsed();
    println!(
        "reindex: {n} documents in {:.2} s = {:.0} documents/s (reading the database {:.2} s, indexing {:.2} s)",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        loaded.as_secs_f64(),
        (total - loaded).as_secs_f64()
    );

    let classes: [(&str, &[&str]); 4] = [
        ("2-3 letter prefixes", &["he", "mu", "ca", "jac", "lam", "spe"]),
        (
            "whole words",
            &["headphones", "mug", "jacket", "arbor lamp", "cotton", "tent"],
        ),
        (
            "misspellings",
            &["headphnes", "jakcet", "sauceapn", "speakr", "umbrela", "tumbelr"],
        ),
        ("no words (browse all)", &[""]),
    ];
    for (label, queries) in classes {
        let mut index_only = Vec::new();
        let mut full = Vec::new();
        for i in 0..iterations {
            let q = queries[i % queries.len()];
            let text = (!q.is_empty()).then(|| q.to_string());
            let t = Instant::now();
            let hits = index
                .search(&IndexQuery {
                    text: text.clone(),
                    limit: 20,
                    ..IndexQuery::default()
                })
                .await
                .expect("search");
            index_only.push(t.elapsed());
            std::hint::black_box(hits);
            let query = parse_search(&RawSearch::from_pairs([("q", q)])).expect("valid");
            let t = Instant::now();
            let results = search::search(&db, &index, &query).await.expect("search");
            full.push(t.elapsed());
            assert!(!results.degraded);
        }
        report(&format!("index, {label}"), index_only);
        report(&format!("listing, {label}"), full);
    }
    // A narrow query with several filters set: the facets are counted with each filter left out in turn.
    let mut filtered = Vec::new();
    for _ in 0..iterations {
        let query = parse_search(&RawSearch::from_pairs([
            ("q", "he"),
            ("category", "electronics"),
            ("price_min", "20"),
            ("price_max", "200"),
            ("rating", "4"),
            ("in_stock", "1"),
            ("attr", "Brand:Arbor"),
        ]))
        .expect("valid");
        let t = Instant::now();
        std::hint::black_box(search::search(&db, &index, &query).await.expect("search"));
        filtered.push(t.elapsed());
    }
    report("listing, prefix + 6 filters", filtered);
}
