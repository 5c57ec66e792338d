//! The Meilisearch adapter against a local fake server that speaks Meilisearch's HTTP API for the calls the adapter
//! makes: settings, document additions and deletions (asynchronous tasks, polled), search, multi-search with
//! filters, facets, sort and page-based pagination, bearer-key authentication. A real Meilisearch cannot be
//! installed here; the fake's matching is deliberately simple (what is checked is the adapter's protocol and its
//! facet assembly, against the same brute force as the embedded index).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use domain::search::meili::MeiliIndex;
use domain::search::{self, prefix_distance, typo_distance, IndexQuery, Indexer, SearchIndex};
use domain::{catalog, seed, Db};
use serde_json::{json, Value};

use crate::db_tests;

const KEY: &str = "test-master-key";

#[derive(Default)]
struct Fake {
    docs: BTreeMap<i64, Value>,
    next_task: u32,
    settings: Value,
    /// The `synonyms` setting as Meilisearch keeps it: each word and the phrases it also finds.
    synonyms: HashMap<String, Vec<String>>,
    requests: Vec<String>,
}

type Shared = Arc<Mutex<Fake>>;

fn authorized(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {KEY}"))
}

fn task(fake: &mut Fake, kind: &str) -> Response {
    fake.next_task += 1;
    let body = json!({
        "taskUid": fake.next_task, "indexUid": "products", "status": "enqueued", "type": kind,
        "enqueuedAt": "2026-11-22T00:00:00Z"
    });
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

async fn settings(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut fake = s.lock().expect("lock");
    fake.requests.push("settings".into());
    fake.settings = body;
    task(&mut fake, "settingsUpdate")
}

async fn set_synonyms(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<HashMap<String, Vec<String>>>,
) -> Response {
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut fake = s.lock().expect("lock");
    fake.requests.push("synonyms".into());
    fake.synonyms = body;
    task(&mut fake, "settingsUpdate")
}

async fn add(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Vec<Value>>) -> Response {
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut fake = s.lock().expect("lock");
    fake.requests.push(format!("add {}", body.len()));
    for doc in body {
        let id = doc["id"].as_i64().expect("id");
        fake.docs.insert(id, doc);
    }
    task(&mut fake, "documentAdditionOrUpdate")
}

async fn delete_batch(State(s): State<Shared>, headers: HeaderMap, Json(ids): Json<Vec<i64>>) -> Response {
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut fake = s.lock().expect("lock");
    fake.requests.push(format!("delete {}", ids.len()));
    for id in ids {
        fake.docs.remove(&id);
    }
    task(&mut fake, "documentDeletion")
}

async fn delete_all(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut fake = s.lock().expect("lock");
    fake.requests.push("delete all".into());
    fake.docs.clear();
    task(&mut fake, "documentDeletion")
}

async fn get_task(Path(uid): Path<u32>) -> Json<Value> {
    // Tasks are applied synchronously above, so every task the adapter polls has succeeded.
    Json(json!({
        "uid": uid, "indexUid": "products", "status": "succeeded", "type": "documentAdditionOrUpdate",
        "details": null, "duration": "PT0.001S", "canceledBy": null, "error": null,
        "enqueuedAt": "2026-11-22T00:00:00Z", "startedAt": "2026-11-22T00:00:00Z",
        "finishedAt": "2026-11-22T00:00:00Z"
    }))
}

/// One clause of the filter grammar the adapter writes: `field = n`, `field >= n`, `field <= n`, `attrs = "..."`,
/// `field IN [a, b]`.
fn clause_holds(doc: &Value, clause: &str) -> bool {
    let clause = clause.trim();
    if let Some((field, list)) = clause.split_once(" IN [") {
        let list = list.strip_suffix(']').expect("closed list");
        let value = doc[field.trim()].as_i64();
        return list
            .split(',')
            .any(|v| value == Some(v.trim().parse::<i64>().expect("number")));
    }
    let (field, op, value) = if let Some((f, v)) = clause.split_once(">=") {
        (f.trim(), ">=", v.trim())
    } else if let Some((f, v)) = clause.split_once("<=") {
        (f.trim(), "<=", v.trim())
    } else if let Some((f, v)) = clause.split_once('=') {
        (f.trim(), "=", v.trim())
    } else {
        panic!("unexpected filter clause {clause:?}");
    };
    let field_value = &doc[field];
    if let Some(text) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        let text = text.replace("\\\"", "\"").replace("\\\\", "\\");
        return match field_value {
            Value::Array(items) => items.iter().any(|i| i.as_str() == Some(text.as_str())),
            other => other.as_str() == Some(text.as_str()),
        };
    }
    let n: i64 = value.parse().expect("number");
    let test = |v: i64| match op {
        ">=" => v >= n,
        "<=" => v <= n,
        _ => v == n,
    };
    match field_value {
        Value::Array(items) => items.iter().filter_map(Value::as_i64).any(test),
        other => other.as_i64().is_some_and(test),
    }
}

fn matches(doc: &Value, q: &str, filter: Option<&str>, synonyms: &HashMap<String, Vec<String>>) -> bool {
    if let Some(filter) = filter.filter(|f| !f.is_empty()) {
        if !filter.split(" AND ").all(|c| clause_holds(doc, c)) {
            return false;
        }
    }
    let words: Vec<String> = format!(
        "{} {}",
        doc["title"].as_str().unwrap_or(""),
        doc["text"].as_str().unwrap_or("")
    )
    .to_lowercase()
    .split(|c: char| !c.is_alphanumeric())
    .filter(|w| !w.is_empty())
    .map(str::to_string)
    .collect();
    let typed: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    typed.iter().enumerate().all(|(i, t)| {
        let allowed = typo_distance(t.chars().count());
        // A synonym of the typed word: all its words, exactly (as Meilisearch's synonyms match).
        let synonym = synonyms
            .get(t)
            .into_iter()
            .flatten()
            .any(|phrase| phrase.split(' ').all(|p| words.iter().any(|w| w == p)));
        synonym
            || words.iter().any(|w| {
                if i + 1 == typed.len() {
                    prefix_distance(t, w) <= allowed
                } else {
                    domain::search::edit_distance(t, w) <= allowed
                }
            })
    })
}

fn run_search(fake: &Fake, body: &Value) -> Value {
    let q = body["q"].as_str().unwrap_or("");
    let filter = body["filter"].as_str();
    let mut hits: Vec<&Value> = fake
        .docs
        .values()
        .filter(|d| matches(d, q, filter, &fake.synonyms))
        .collect();
    if let Some(sort) = body["sort"].as_array() {
        let keys: Vec<(String, bool)> = sort
            .iter()
            .filter_map(Value::as_str)
            .map(|s| {
                let (f, dir) = s.split_once(':').expect("field:dir");
                (f.to_string(), dir == "desc")
            })
            .collect();
        hits.sort_by(|a, b| {
            for (field, desc) in &keys {
                let (x, y) = (a[field].as_i64().unwrap_or(0), b[field].as_i64().unwrap_or(0));
                let ord = if *desc { y.cmp(&x) } else { x.cmp(&y) };
                if ord.is_ne() {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    let mut distribution: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for facet in body["facets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let counts = distribution.entry(facet.to_string()).or_default();
        for doc in &hits {
            let values: Vec<String> = match &doc[facet] {
                Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                    .collect(),
                v => vec![v.as_str().map_or(v.to_string(), str::to_string)],
            };
            for v in values {
                *counts.entry(v).or_default() += 1;
            }
        }
    }
    let total = hits.len();
    let per_page = body["hitsPerPage"].as_u64().map(|n| n as usize);
    let (offset, limit) = match per_page {
        Some(per) => ((body["page"].as_u64().unwrap_or(1) as usize - 1) * per, per),
        None => (
            body["offset"].as_u64().unwrap_or(0) as usize,
            body["limit"].as_u64().unwrap_or(20) as usize,
        ),
    };
    let retrieve: Vec<String> = body["attributesToRetrieve"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let page: Vec<Value> = hits
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|d| {
            if retrieve.is_empty() {
                d.clone()
            } else {
                Value::Object(retrieve.iter().map(|k| (k.clone(), d[k].clone())).collect())
            }
        })
        .collect();
    let mut out = json!({ "hits": page, "query": q, "processingTimeMs": 0, "facetDistribution": distribution });
    if per_page.is_some() {
        out["totalHits"] = json!(total);
        out["hitsPerPage"] = json!(limit);
        out["page"] = body["page"].clone();
        out["totalPages"] = json!(if limit == 0 { 0 } else { total.div_ceil(limit) });
    } else {
        out["estimatedTotalHits"] = json!(total);
        out["offset"] = json!(offset);
        out["limit"] = json!(limit);
    }
    out
}

async fn search_one(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let fake = s.lock().expect("lock");
    Json(run_search(&fake, &body)).into_response()
}

async fn multi_search(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut fake = s.lock().expect("lock");
    let queries = body["queries"].as_array().cloned().unwrap_or_default();
    fake.requests.push(format!("multi-search {}", queries.len()));
    let results: Vec<Value> = queries
        .iter()
        .map(|q| {
            assert_eq!(q["indexUid"], "products");
            let mut r = run_search(&fake, q);
            r["indexUid"] = json!("products");
            r
        })
        .collect();
    Json(json!({ "results": results })).into_response()
}

async fn spawn_fake() -> (String, Shared) {
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/indexes/products/settings", patch(settings))
        .route("/indexes/products/settings/synonyms", put(set_synonyms))
        .route("/indexes/products/documents", post(add).delete(delete_all))
        .route("/indexes/products/documents/delete-batch", post(delete_batch))
        .route("/indexes/products/search", post(search_one))
        .route("/multi-search", post(multi_search))
        .route("/tasks/{uid}", get(get_task))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), state)
}

async fn the_meilisearch_adapter_counts_facets_like_the_embedded_index(db: Db) {
    seed::seed(&db, 150, 5).await.expect("seed");
    let (url, fake) = spawn_fake().await;
    let meili = MeiliIndex::new(&url, Some(KEY), "products").expect("client");
    let n = search::reindex(&db, &meili).await.expect("reindex");
    assert_eq!(meili.count().await.expect("count"), n as u64);
    {
        let fake = fake.lock().expect("lock");
        let settings = &fake.settings;
        assert_eq!(settings["searchableAttributes"], json!(["title", "text"]));
        assert_eq!(
            settings["typoTolerance"]["minWordSizeForTypos"],
            json!({"oneTypo": 4, "twoTypos": 8})
        );
        assert!(settings["sortableAttributes"]
            .as_array()
            .expect("list")
            .contains(&json!("price")));
    }
    let embedded = search::TantivyIndex::in_memory().expect("index");
    search::reindex(&db, &embedded).await.expect("reindex");
    let electronics = catalog::category_by_slug(&db, "electronics")
        .await
        .expect("q")
        .expect("exists")
        .0
        .id;
    let stores: Vec<i64> = sqlx::query_scalar("SELECT id FROM sellers ORDER BY id LIMIT 3")
        .fetch_all(db.pool())
        .await
        .expect("stores");
    for q in [
        IndexQuery::default(),
        IndexQuery {
            category_id: Some(electronics),
            price_max: Some(9_999),
            ..IndexQuery::default()
        },
        IndexQuery {
            attrs: vec!["Brand=Arbor".into(), "Colour=Black".into()],
            in_stock: true,
            rating_min_x10: Some(30),
            ..IndexQuery::default()
        },
        IndexQuery {
            text: Some("headphnes".into()),
            ..IndexQuery::default()
        },
        // Stores rated well enough (several), one chosen store, or none that passes.
        IndexQuery {
            sellers: Some(stores.clone()),
            ..IndexQuery::default()
        },
        IndexQuery {
            sellers: Some(stores[..1].to_vec()),
            category_id: Some(electronics),
            ..IndexQuery::default()
        },
        IndexQuery {
            sellers: Some(Vec::new()),
            ..IndexQuery::default()
        },
    ] {
        let q = IndexQuery { limit: 200, ..q };
        let a = meili.search(&q).await.expect("meili");
        let b = embedded.search(&q).await.expect("tantivy");
        assert_eq!(a.total, b.total, "{q:?}");
        assert_eq!(a.facets, b.facets, "{q:?}");
        let (mut x, mut y) = (a.ids.clone(), b.ids.clone());
        x.sort_unstable();
        y.sort_unstable();
        assert_eq!(x, y, "{q:?}");
    }
    // Price order with the id tie-break, page by page.
    let sorted = IndexQuery {
        sort: model::catalog::Sort::PriceAsc,
        offset: 20,
        limit: 20,
        ..IndexQuery::default()
    };
    assert_eq!(
        meili.search(&sorted).await.expect("meili").ids,
        embedded.search(&sorted).await.expect("tantivy").ids
    );
    // Two filters (category, price): the main search and one leave-one-out search per filter, in one request.
    assert!(fake
        .lock()
        .expect("lock")
        .requests
        .contains(&"multi-search 3".to_string()));

    // Outbox changes reach Meilisearch.
    let indexer = Indexer::new(db.clone(), Arc::new(meili));
    let product: i64 = sqlx::query_scalar("SELECT id FROM products ORDER BY id LIMIT 1")
        .fetch_one(db.pool())
        .await
        .expect("product");
    crate::harness::fixtures::seller_sets_status(&db, product, "archived").await;
    assert_eq!(indexer.drain().await.expect("index"), vec![product]);
    assert!(!fake.lock().expect("lock").docs.contains_key(&product));
}

async fn a_wrong_key_or_a_dead_server_falls_back_to_the_database(db: Db) {
    seed::seed(&db, 30, 5).await.expect("seed");
    let (url, _fake) = spawn_fake().await;
    let wrong = MeiliIndex::new(&url, Some("wrong-key"), "products").expect("client");
    assert!(wrong.search(&IndexQuery::default()).await.is_err());
    let query = catalog::parse_search(&catalog::RawSearch::from_pairs([("per_page", "100")])).expect("valid");
    let results = search::search(&db, &wrong, &query).await.expect("fallback");
    assert!(results.degraded);
    assert_eq!(results.total, 30);
    // Nothing listens on port 9 here: connection refused, same fallback.
    let dead = MeiliIndex::new("http://127.0.0.1:9", Some(KEY), "products").expect("client");
    let results = search::search(&db, &dead, &query).await.expect("fallback");
    assert!(results.degraded);
    assert_eq!(results.total, 30);
}

/// The admins' synonyms reach Meilisearch as its own `synonyms` setting when the indexer meets their change, and
/// the listing then finds what the word's synonym names.
async fn synonyms_reach_meilisearch_as_its_setting(db: Db) {
    use domain::search::synonyms::{self, RuleForm};
    seed::seed(&db, 40, 3).await.expect("seed");
    let (url, fake) = spawn_fake().await;
    let meili = Arc::new(MeiliIndex::new(&url, Some(KEY), "products").expect("client"));
    search::reindex(&db, &*meili).await.expect("reindex");
    let admin = crate::harness::actors::admin(&db).await;
    let title: String = sqlx::query_scalar("SELECT title FROM products WHERE status = 'active' ORDER BY id LIMIT 1")
        .fetch_one(db.pool())
        .await
        .expect("title");
    let word = title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| w.len() >= 4)
        .expect("a long word")
        .to_string();
    let query = catalog::parse_search(&catalog::RawSearch::from_pairs([("q", "zqxsettee")])).expect("valid");
    assert_eq!(search::search(&db, &*meili, &query).await.expect("search").total, 0);
    let form = RuleForm {
        term: "zqxsettee".into(),
        alternatives: word.clone(),
        both_ways: true,
    };
    synonyms::save(&db, &admin, None, None, &form).await.expect("saved");
    Indexer::new(db.clone(), meili.clone() as Arc<dyn SearchIndex>)
        .drain()
        .await
        .expect("drain");
    {
        let fake = fake.lock().expect("lock");
        assert_eq!(fake.synonyms["zqxsettee"], vec![word.clone()]);
        assert_eq!(fake.synonyms[&word], vec!["zqxsettee".to_string()], "both ways");
    }
    let results = search::search(&db, &*meili, &query).await.expect("search");
    assert!(!results.degraded && results.total > 0);
    assert!(results.items.iter().any(|p| p.title == title));
}

db_tests!(
    synonyms_reach_meilisearch_as_its_setting,
    the_meilisearch_adapter_counts_facets_like_the_embedded_index,
    a_wrong_key_or_a_dead_server_falls_back_to_the_database,
);
