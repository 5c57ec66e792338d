//! The search index against brute force over the same fixture: every count and every hit list is recomputed
//! here with plain loops over the documents the database holds.

use std::collections::HashMap;

use domain::catalog::attributes;
use domain::catalog::{self, parse_search, RawSearch};
use domain::search::{self, edit_distance, typo_distance, IndexQuery, Indexer, SearchDoc, SearchIndex, TantivyIndex};
use domain::{seed, Db};
use model::catalog::{FacetKind, Sort, PRICE_BUCKETS};
use std::sync::Arc;

use crate::db_tests;

async fn indexed(db: &Db, products: usize) -> (TantivyIndex, Vec<SearchDoc>) {
    seed::seed(db, products, 11).await.expect("seed");
    let index = TantivyIndex::in_memory().expect("index");
    let n = search::reindex(db, &index).await.expect("reindex");
    assert_eq!(n, products);
    assert_eq!(index.count().await.expect("count"), products as u64);
    let docs = search::load_docs(db, None).await.expect("docs");
    (index, docs)
}

/// The filters of `q` that `doc` fails, as a list of slot names.
fn failures(q: &IndexQuery, doc: &SearchDoc) -> Vec<String> {
    let mut out = Vec::new();
    if q.category_id.is_some_and(|c| !doc.category_path.contains(&c)) {
        out.push("category".to_string());
    }
    if q.sellers.as_ref().is_some_and(|ids| !ids.contains(&doc.seller_id)) {
        out.push("seller".to_string());
    }
    if q.price_min.is_some_and(|m| doc.price < m) || q.price_max.is_some_and(|m| doc.price > m) {
        out.push("price".to_string());
    }
    if q.rating_min_x10.is_some_and(|m| doc.rating_x10 < m) {
        out.push("rating".to_string());
    }
    if q.in_stock && !doc.in_stock {
        out.push("stock".to_string());
    }
    for a in &q.attrs {
        if !doc.attrs.contains(a) {
            out.push(format!("attr:{}", a.split_once('=').map_or(a.as_str(), |(n, _)| n)));
        }
    }
    out
}

fn brute_facets(q: &IndexQuery, docs: &[SearchDoc]) -> (u64, search::RawFacets) {
    let mut f = search::RawFacets::default();
    let mut total = 0;
    for doc in docs {
        let failed = failures(q, doc);
        let counts = |slot: &str| failed.is_empty() || (failed.len() == 1 && failed[0] == slot);
        if failed.is_empty() {
            total += 1;
        }
        if counts("category") {
            for c in &doc.category_path {
                *f.categories.entry(*c).or_default() += 1;
            }
        }
        if counts("seller") {
            *f.sellers.entry(doc.seller_id).or_default() += 1;
        }
        if counts("price") {
            for (i, (lo, hi)) in PRICE_BUCKETS.iter().enumerate() {
                if doc.price >= *lo && hi.is_none_or(|h| doc.price < h) {
                    f.price_buckets[i] += 1;
                }
            }
        }
        if counts("rating") {
            for stars in 1..=4 {
                if doc.rating_x10 >= stars * 10 {
                    f.rating_at_least[stars as usize - 1] += 1;
                }
            }
        }
        if counts("stock") && doc.in_stock {
            f.in_stock += 1;
        }
        for a in &doc.attrs {
            let name = a.split_once('=').map_or(a.as_str(), |(n, _)| n);
            if counts(&format!("attr:{name}")) {
                *f.attrs.entry(a.clone()).or_default() += 1;
            }
        }
    }
    (total, f)
}

async fn every_facet_count_equals_a_brute_force_count(db: Db) {
    let (index, docs) = indexed(&db, 300).await;
    let electronics = catalog::category_by_slug(&db, "electronics")
        .await
        .expect("category")
        .expect("exists")
        .0
        .id;
    let seller = docs[0].seller_id;
    let queries = vec![
        IndexQuery::default(),
        IndexQuery {
            category_id: Some(electronics),
            ..IndexQuery::default()
        },
        IndexQuery {
            price_min: Some(2_500),
            price_max: Some(9_999),
            in_stock: true,
            ..IndexQuery::default()
        },
        IndexQuery {
            attrs: vec!["Brand=Arbor".into(), "Colour=Black".into()],
            rating_min_x10: Some(40),
            ..IndexQuery::default()
        },
        IndexQuery {
            category_id: Some(electronics),
            sellers: Some(vec![seller]),
            attrs: vec!["Material=Oak".into()],
            ..IndexQuery::default()
        },
    ];
    for q in queries {
        let q = IndexQuery { limit: 10, ..q };
        let hits = index.search(&q).await.expect("search");
        let (total, facets) = brute_facets(&q, &docs);
        assert_eq!(hits.total, total, "total for {q:?}");
        assert_eq!(hits.facets, facets, "facets for {q:?}");
        assert!(hits.ids.len() as u64 <= total.min(10));
    }
}

/// The words of a document as the index splits them.
fn words(doc: &SearchDoc) -> Vec<String> {
    format!("{} {}", doc.title, doc.text)
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every query word matches a word of the document within its typo distance; the last one may match a prefix.
fn brute_matches(query: &str, doc: &SearchDoc) -> bool {
    let words = words(doc);
    let typed: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    typed.iter().enumerate().all(|(i, q)| {
        let allowed = typo_distance(q.chars().count());
        words.iter().any(|w| {
            if i + 1 == typed.len() {
                // Some prefix of the word within the distance.
                let chars: Vec<char> = w.chars().collect();
                (0..=chars.len()).any(|k| edit_distance(q, &chars[..k].iter().collect::<String>()) <= allowed)
            } else {
                edit_distance(q, w) <= allowed
            }
        })
    })
}

async fn typos_and_prefixes_find_what_brute_force_finds(db: Db) {
    let (index, docs) = indexed(&db, 300).await;
    for text in [
        "headphnes",
        "head",
        "he",
        "arbor mug",
        "arbr mug",
        "HEADPHONES",
        "jakcet",
        "headphn",
        "xyzzy",
    ] {
        let q = IndexQuery {
            text: Some(text.to_string()),
            limit: 1_000,
            ..IndexQuery::default()
        };
        let hits = index.search(&q).await.expect("search");
        let mut expected: Vec<i64> = docs.iter().filter(|d| brute_matches(text, d)).map(|d| d.id).collect();
        let mut got = hits.ids.clone();
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected, "hits for {text:?}");
        assert_eq!(hits.total as usize, expected.len());
    }
    // A misspelling still puts the real thing first.
    let hits = index
        .search(&IndexQuery {
            text: Some("headphnes".into()),
            limit: 5,
            ..IndexQuery::default()
        })
        .await
        .expect("search");
    assert!(!hits.ids.is_empty());
    let first = docs.iter().find(|d| d.id == hits.ids[0]).expect("doc");
    assert!(first.text.contains("headphones"), "{first:?}");
}

async fn sorting_and_pages_follow_brute_force_order(db: Db) {
    let (index, docs) = indexed(&db, 120).await;
    let mut by_price: Vec<&SearchDoc> = docs.iter().collect();
    by_price.sort_by_key(|d| (d.price, std::cmp::Reverse(d.id)));
    let mut paged = Vec::new();
    for page in 0..5 {
        let hits = index
            .search(&IndexQuery {
                sort: Sort::PriceAsc,
                offset: page * 25,
                limit: 25,
                ..IndexQuery::default()
            })
            .await
            .expect("search");
        assert_eq!(hits.total, 120);
        paged.extend(hits.ids);
    }
    assert_eq!(paged, by_price.iter().map(|d| d.id).collect::<Vec<_>>());
    let newest = index
        .search(&IndexQuery {
            sort: Sort::Newest,
            limit: 120,
            ..IndexQuery::default()
        })
        .await
        .expect("search");
    let mut by_age: Vec<&SearchDoc> = docs.iter().collect();
    by_age.sort_by_key(|d| (std::cmp::Reverse(d.created_at), std::cmp::Reverse(d.id)));
    assert_eq!(newest.ids, by_age.iter().map(|d| d.id).collect::<Vec<_>>());
    let rated = index
        .search(&IndexQuery {
            sort: Sort::Rating,
            limit: 120,
            ..IndexQuery::default()
        })
        .await
        .expect("search");
    let ratings: HashMap<i64, i64> = docs.iter().map(|d| (d.id, d.rating_x10)).collect();
    assert!(rated.ids.windows(2).all(|w| ratings[&w[0]] >= ratings[&w[1]]));
}

async fn catalog_changes_reach_the_index_through_the_outbox(db: Db) {
    let (index, _) = indexed(&db, 40).await;
    let index = Arc::new(index);
    let indexer = Indexer::new(db.clone(), index.clone());
    let (variant, product): (i64, i64) =
        sqlx::query_as("SELECT v.id, v.product_id FROM variants v ORDER BY v.id LIMIT 1")
            .fetch_one(db.pool())
            .await
            .expect("variant");
    let cheap = IndexQuery {
        price_max: Some(1),
        limit: 10,
        ..IndexQuery::default()
    };
    assert_eq!(index.search(&cheap).await.expect("search").total, 0);
    crate::harness::fixtures::seller_sets_price(&db, variant, 1).await;
    // Not visible before the indexer runs; visible after, and the outbox is empty again.
    assert_eq!(index.search(&cheap).await.expect("search").total, 0);
    assert_eq!(indexer.run_once().await.expect("index"), vec![product]);
    assert_eq!(index.search(&cheap).await.expect("search").ids, vec![product]);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_outbox")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(left, 0);

    // Archiving removes it from search; stock changes move it in and out of the in-stock facet.
    crate::harness::fixtures::seller_sets_status(&db, product, "archived").await;
    indexer.drain().await.expect("index");
    assert_eq!(index.search(&cheap).await.expect("search").total, 0);
    crate::harness::fixtures::seller_sets_status(&db, product, "active").await;
    let warehouses: Vec<i64> = sqlx::query_scalar("SELECT warehouse_id FROM stock WHERE variant_id = $1")
        .bind(variant)
        .fetch_all(db.pool())
        .await
        .expect("stock");
    for w in &warehouses {
        crate::harness::fixtures::seller_counts(&db, variant, *w, 0).await;
    }
    sqlx::query("UPDATE stock SET available = 0 WHERE variant_id IN (SELECT id FROM variants WHERE product_id = $1)")
        .bind(product)
        .execute(db.pool())
        .await
        .expect("empty other variants");
    indexer.drain().await.expect("index");
    let in_stock = IndexQuery {
        in_stock: true,
        ..cheap.clone()
    };
    assert_eq!(index.search(&cheap).await.expect("search").total, 1);
    assert_eq!(index.search(&in_stock).await.expect("search").total, 0);
}

async fn listings_fall_back_to_the_database_when_the_index_is_down(db: Db) {
    let (index, _) = indexed(&db, 50).await;
    let query = parse_search(&RawSearch::from_pairs([("category", "fashion"), ("per_page", "100")])).expect("valid");
    let up = search::search(&db, &index, &query).await.expect("search");
    assert!(!up.degraded);
    assert!(up.facets.iter().any(|f| f.kind == FacetKind::Price));
    index.set_ready(false);
    let down = search::search(&db, &index, &query).await.expect("fallback");
    assert!(down.degraded);
    assert_eq!(down.total, up.total);
    let mut a: Vec<i64> = up.items.iter().map(|p| p.id).collect();
    let mut b: Vec<i64> = down.items.iter().map(|p| p.id).collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
    // The database path honours the same filters as the index.
    index.set_ready(true);
    let filtered = parse_search(&RawSearch::from_pairs([
        ("rating", "4"),
        ("in_stock", "1"),
        ("attr", "Brand:Arbor"),
        ("per_page", "100"),
    ]))
    .expect("valid");
    let from_index = search::search(&db, &index, &filtered).await.expect("search");
    index.set_ready(false);
    let from_db = search::search(&db, &index, &filtered).await.expect("search");
    assert_eq!(from_index.total, from_db.total);
}

async fn suggestions_offer_categories_and_products(db: Db) {
    let (index, _) = indexed(&db, 200).await;
    let got = search::suggest(&db, &index, "headphn").await.expect("suggest");
    assert_eq!(got[0].label, "Headphones");
    assert_eq!(got[0].url, "/c/headphones");
    assert!(got.iter().any(|s| s.kind == "Product" && s.url.starts_with("/p/")));
    assert!(search::suggest(&db, &index, "   ").await.expect("suggest").is_empty());
    let long = "ü".repeat(10_000);
    assert!(search::suggest(&db, &index, &long).await.is_ok());
}

async fn attributes_are_typed_and_inherited(db: Db) {
    seed::seed(&db, 5, 3).await.expect("seed");
    let (headphones, _, _) = catalog::category_by_slug(&db, "headphones")
        .await
        .expect("category")
        .expect("exists");
    let defs = attributes::definitions_for(&db, headphones.id).await.expect("defs");
    let names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Brand", "Material", "Colour"]);
    assert!(defs[2].validate("blue").is_ok());
    assert!(defs[2].validate("Plaid").is_err());
}

/// Judged typo queries (issue 10, item 15): each misspelling stands for the word the shopper meant, and a hit is
/// relevant when its title has that word (all of them, for two words). Over a seeded catalog the first ten hits
/// must all be relevant, as Meilisearch's are, while the same queries still find everything within the typo
/// distance further down (the brute-force test above checks that set).
async fn misspelt_queries_put_matching_titles_first(db: Db) {
    seed::seed(&db, 2_000, 5).await.expect("seed");
    let index = TantivyIndex::in_memory().expect("index");
    search::reindex(&db, &index).await.expect("reindex");
    let docs = search::load_docs(&db, None).await.expect("docs");
    let title_of: HashMap<i64, String> = docs.iter().map(|d| (d.id, d.title.to_lowercase())).collect();
    let judged: [(&str, &[&str]); 10] = [
        ("headphnes", &["headphones"]),
        ("lmap", &["lamp"]),
        ("jakcet", &["jacket"]),
        ("sauceapn", &["saucepan"]),
        ("speakr", &["speaker"]),
        ("tumbelr", &["tumbler"]),
        ("sneakrs", &["sneakers"]),
        ("hedset", &["headset"]),
        ("desk lmap", &["desk", "lamp"]),
        ("lamp", &["lamp"]),
    ];
    let mut report = Vec::new();
    for (query, meant) in judged {
        let relevant = |id: &i64| {
            let words: Vec<&str> = title_of[id].split(|c: char| !c.is_alphanumeric()).collect();
            meant.iter().all(|m| words.contains(m))
        };
        let available = docs.iter().filter(|d| relevant(&d.id)).count();
        assert!(
            available >= 10,
            "the fixture has only {available} products for {query:?}"
        );
        let hits = index
            .search(&IndexQuery {
                text: Some(query.to_string()),
                limit: 10,
                ..IndexQuery::default()
            })
            .await
            .expect("search");
        let good = hits.ids.iter().filter(|id| relevant(id)).count();
        if good < 10 {
            let shown: Vec<&str> = hits.ids.iter().map(|id| title_of[id].as_str()).collect();
            report.push(format!("{query:?}: {good}/10 relevant in the top 10: {shown:?}"));
        }
    }
    assert!(report.is_empty(), "precision at 10 below 1:\n{}", report.join("\n"));
}

db_tests!(
    misspelt_queries_put_matching_titles_first,
    every_facet_count_equals_a_brute_force_count,
    typos_and_prefixes_find_what_brute_force_finds,
    sorting_and_pages_follow_brute_force_order,
    catalog_changes_reach_the_index_through_the_outbox,
    listings_fall_back_to_the_database_when_the_index_is_down,
    suggestions_offer_categories_and_products,
    attributes_are_typed_and_inherited,
);
