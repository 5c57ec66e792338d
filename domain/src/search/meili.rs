//! `SearchIndex` on a Meilisearch server (selected by `MEILI_URL`), through meilisearch-sdk.
//!
//! Same semantics as the embedded index: typo tolerance from 4 and 8 letters, prefix on the last word (Meilisearch
//! does that itself), and facets counted with every filter but their own. Meilisearch counts facets under all
//! filters, so each active filter costs one more query in the same multi-search request, which leaves that filter
//! out and asks only for its facet.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::search::{SearchQuery, SearchResults, Selectors};
use meilisearch_sdk::settings::{
    FacetingSettings, MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use model::catalog::{Sort, PRICE_BUCKETS};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::{IndexHits, IndexQuery, ProductSuggestion, RawFacets, SearchDoc, SearchError, SearchIndex};

/// How long a write may take before the call reports failure (the outbox rows stay and are retried).
const TASK_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct MeiliDoc {
    id: i64,
    title: String,
    slug: String,
    text: String,
    category: Vec<i64>,
    seller: i64,
    price: i64,
    /// Index into `PRICE_BUCKETS`: a facet with five values instead of one per distinct price.
    price_bucket: usize,
    rating: i64,
    created: i64,
    in_stock: u8,
    attrs: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct IdHit {
    id: i64,
}

#[derive(Debug, Deserialize)]
struct SuggestHit {
    title: String,
    slug: String,
}

impl From<&SearchDoc> for MeiliDoc {
    fn from(d: &SearchDoc) -> MeiliDoc {
        MeiliDoc {
            id: d.id,
            title: d.title.clone(),
            slug: d.slug.clone(),
            text: d.text.clone(),
            category: d.category_path.clone(),
            seller: d.seller_id,
            price: d.price,
            price_bucket: price_bucket(d.price),
            rating: d.rating_x10,
            created: d.created_at,
            in_stock: u8::from(d.in_stock),
            attrs: d.attrs.clone(),
        }
    }
}

fn price_bucket(price: i64) -> usize {
    PRICE_BUCKETS
        .iter()
        .position(|(lo, hi)| price >= *lo && hi.is_none_or(|h| price < h))
        .unwrap_or(0)
}

pub struct MeiliIndex {
    client: Client,
    uid: String,
    configured: OnceCell<()>,
    ready: AtomicBool,
}

fn backend(e: impl std::fmt::Display) -> SearchError {
    SearchError::Backend(e.to_string())
}

/// A filter value as a Meilisearch string literal.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Filter slots in the same order as the embedded index.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Category,
    Seller,
    Price,
    Rating,
    Stock,
    Attr(usize),
}

impl Slot {
    fn facet(self) -> &'static str {
        match self {
            Slot::Category => "category",
            Slot::Seller => "seller",
            Slot::Price => "price_bucket",
            Slot::Rating => "rating",
            Slot::Stock => "in_stock",
            Slot::Attr(_) => "attrs",
        }
    }
}

const ALL_FACETS: [&str; 6] = ["category", "seller", "price_bucket", "rating", "in_stock", "attrs"];

fn filters(q: &IndexQuery) -> Vec<(Slot, String)> {
    let mut out = Vec::new();
    if let Some(c) = q.category_id {
        out.push((Slot::Category, format!("category = {c}")));
    }
    match q.sellers.as_deref() {
        None => {}
        // No store passes: a filter no document can (store ids are positive).
        Some([]) => out.push((Slot::Seller, "seller = 0".to_string())),
        Some([one]) => out.push((Slot::Seller, format!("seller = {one}"))),
        Some(ids) => {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            out.push((Slot::Seller, format!("seller IN [{list}]")));
        }
    }
    if q.price_min.is_some() || q.price_max.is_some() {
        let lo = q.price_min.unwrap_or(0);
        let hi = q.price_max.unwrap_or(i64::MAX);
        out.push((Slot::Price, format!("price >= {lo} AND price <= {hi}")));
    }
    if let Some(r) = q.rating_min_x10 {
        out.push((Slot::Rating, format!("rating >= {r}")));
    }
    if q.in_stock {
        out.push((Slot::Stock, "in_stock = 1".to_string()));
    }
    let mut names: Vec<&str> = Vec::new();
    for a in &q.attrs {
        let name = a.split_once('=').map_or(a.as_str(), |(n, _)| n);
        if !names.contains(&name) {
            names.push(name);
            out.push((Slot::Attr(names.len() - 1), format!("attrs = {}", quoted(a))));
        }
    }
    out
}

fn sort_of(q: &IndexQuery) -> Option<&'static [&'static str]> {
    let has_text = q.text.as_deref().is_some_and(|t| !t.trim().is_empty());
    Some(match q.sort {
        Sort::Relevance if has_text => return None,
        Sort::Relevance | Sort::Newest => &["created:desc", "id:desc"],
        Sort::PriceAsc => &["price:asc", "id:desc"],
        Sort::PriceDesc => &["price:desc", "id:desc"],
        Sort::Rating => &["rating:desc", "id:desc"],
    })
}

type Distribution = HashMap<String, HashMap<String, usize>>;

fn counts<'a>(dist: &'a Distribution, facet: &str) -> impl Iterator<Item = (String, u64)> + 'a {
    dist.get(facet)
        .into_iter()
        .flat_map(|values| values.iter().map(|(k, v)| (k.clone(), *v as u64)))
}

impl MeiliIndex {
    pub fn new(url: &str, key: Option<&str>, uid: &str) -> Result<MeiliIndex, SearchError> {
        Ok(MeiliIndex {
            client: Client::new(url, key).map_err(backend)?,
            uid: uid.to_string(),
            configured: OnceCell::new(),
            ready: AtomicBool::new(true),
        })
    }

    async fn wait(&self, task: TaskInfo) -> Result<(), SearchError> {
        let task = task
            .wait_for_completion(&self.client, Some(Duration::from_millis(20)), Some(TASK_TIMEOUT))
            .await
            .map_err(backend)?;
        if task.is_failure() {
            return Err(backend(format!("{:?}", task.unwrap_failure())));
        }
        Ok(())
    }

    /// Searchable, filterable and sortable attributes and typo tolerance, set once per process before writing.
    async fn configure(&self) -> Result<(), SearchError> {
        self.configured
            .get_or_try_init(|| async {
                let settings = Settings::new()
                    .with_searchable_attributes(["title", "text"])
                    .with_filterable_attributes(ALL_FACETS.iter().copied().chain(["price"]))
                    .with_sortable_attributes(["price", "created", "rating", "id"])
                    .with_typo_tolerance(TypoToleranceSettings {
                        enabled: Some(true),
                        min_word_size_for_typos: Some(MinWordSizeForTypos {
                            one_typo: Some(4),
                            two_typos: Some(8),
                        }),
                        ..TypoToleranceSettings::default()
                    })
                    .with_faceting(FacetingSettings {
                        max_values_per_facet: 1_000,
                        sort_facet_values_by: None,
                    })
                    .with_pagination(PaginationSetting {
                        max_total_hits: 1_000_000,
                    });
                let task = self
                    .client
                    .index(&self.uid)
                    .set_settings(&settings)
                    .await
                    .map_err(backend)?;
                self.wait(task).await
            })
            .await
            .map(|_| ())
    }

    fn check_ready(&self) -> Result<(), SearchError> {
        if self.ready.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(SearchError::NotReady)
        }
    }
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    async fn search(&self, q: &IndexQuery) -> Result<IndexHits, SearchError> {
        self.check_ready()?;
        let index = self.client.index(&self.uid);
        let text = q.text.clone().unwrap_or_default();
        let all = filters(q);
        let limit = q.limit.max(1);
        let page = q.offset / limit + 1;
        let joined: Vec<String> = std::iter::once(all.iter().map(|(_, f)| f.clone()).collect::<Vec<_>>())
            .chain(all.iter().map(|(slot, _)| {
                all.iter()
                    .filter(|(s, _)| s != slot)
                    .map(|(_, f)| f.clone())
                    .collect::<Vec<_>>()
            }))
            .map(|parts| parts.join(" AND "))
            .collect();
        let single: Vec<[&str; 1]> = all.iter().map(|(slot, _)| [slot.facet()]).collect();
        let sort = sort_of(q);

        let mut main = SearchQuery::new(&index);
        main.with_query(&text)
            .with_page(page)
            .with_hits_per_page(q.limit)
            .with_facets(Selectors::Some(&ALL_FACETS))
            .with_attributes_to_retrieve(Selectors::Some(&["id"]));
        if !joined[0].is_empty() {
            main.with_filter(&joined[0]);
        }
        if let Some(sort) = sort {
            main.with_sort(sort);
        }
        let mut multi = self.client.multi_search();
        multi.with_search_query(main);
        for (i, facet) in single.iter().enumerate() {
            // The same search without filter i, asking only for its facet: the counts for that facet.
            let mut leave_out = SearchQuery::new(&index);
            leave_out
                .with_query(&text)
                .with_page(1)
                .with_hits_per_page(0)
                .with_facets(Selectors::Some(facet));
            if !joined[i + 1].is_empty() {
                leave_out.with_filter(&joined[i + 1]);
            }
            multi.with_search_query(leave_out);
        }
        let response = multi.execute::<IdHit>().await.map_err(backend)?;
        let mut results = response.results.into_iter();
        let first: SearchResults<IdHit> = results.next().ok_or_else(|| backend("no results"))?;
        let total = first.total_hits.or(first.estimated_total_hits).unwrap_or(0) as u64;
        let ids = first.hits.iter().map(|h| h.result.id).collect();
        let main_dist = first.facet_distribution.unwrap_or_default();
        let mut per_slot: HashMap<usize, Distribution> = HashMap::new();
        for (i, r) in results.enumerate() {
            per_slot.insert(i, r.facet_distribution.unwrap_or_default());
        }
        let source = |slot: Slot| -> &Distribution {
            all.iter()
                .position(|(s, _)| *s == slot)
                .and_then(|i| per_slot.get(&i))
                .unwrap_or(&main_dist)
        };
        let mut facets = RawFacets::default();
        for (k, v) in counts(source(Slot::Category), "category") {
            if let Ok(id) = k.parse() {
                facets.categories.insert(id, v);
            }
        }
        for (k, v) in counts(source(Slot::Seller), "seller") {
            if let Ok(id) = k.parse() {
                facets.sellers.insert(id, v);
            }
        }
        for (k, v) in counts(source(Slot::Price), "price_bucket") {
            if let Some(slot) = k.parse::<usize>().ok().and_then(|i| facets.price_buckets.get_mut(i)) {
                *slot += v;
            }
        }
        for (k, v) in counts(source(Slot::Rating), "rating") {
            let rating: i64 = k.parse().unwrap_or(0);
            for stars in 1..=4i64 {
                if rating >= stars * 10 {
                    facets.rating_at_least[stars as usize - 1] += v;
                }
            }
        }
        facets.in_stock = counts(source(Slot::Stock), "in_stock")
            .filter(|(k, _)| k == "1")
            .map(|(_, v)| v)
            .sum();
        // Attributes: names without a filter from the main search; each filtered name from its own search.
        let filtered_names: Vec<(usize, &str)> = q
            .attrs
            .iter()
            .map(|a| a.split_once('=').map_or(a.as_str(), |(n, _)| n))
            .fold(Vec::new(), |mut names: Vec<&str>, n| {
                if !names.contains(&n) {
                    names.push(n);
                }
                names
            })
            .into_iter()
            .enumerate()
            .collect();
        let name_of = |term: &str| term.split_once('=').map_or(term.to_string(), |(n, _)| n.to_string());
        for (term, v) in counts(&main_dist, "attrs") {
            if !filtered_names.iter().any(|(_, n)| *n == name_of(&term)) {
                facets.attrs.insert(term, v);
            }
        }
        for (k, name) in filtered_names {
            for (term, v) in counts(source(Slot::Attr(k)), "attrs") {
                if name_of(&term) == name {
                    facets.attrs.insert(term, v);
                }
            }
        }
        Ok(IndexHits { total, ids, facets })
    }

    async fn suggest(&self, text: &str, limit: usize) -> Result<Vec<ProductSuggestion>, SearchError> {
        self.check_ready()?;
        let index = self.client.index(&self.uid);
        let results = index
            .search()
            .with_query(text)
            .with_limit(limit)
            .with_attributes_to_retrieve(Selectors::Some(&["title", "slug"]))
            .execute::<SuggestHit>()
            .await
            .map_err(backend)?;
        Ok(results
            .hits
            .into_iter()
            .map(|h| ProductSuggestion {
                title: h.result.title,
                slug: h.result.slug,
            })
            .collect())
    }

    async fn apply(&self, upsert: Vec<SearchDoc>, delete: Vec<i64>) -> Result<(), SearchError> {
        self.configure().await?;
        let index = self.client.index(&self.uid);
        if !upsert.is_empty() {
            let docs: Vec<MeiliDoc> = upsert.iter().map(MeiliDoc::from).collect();
            let task = index.add_or_replace(&docs, Some("id")).await.map_err(backend)?;
            self.wait(task).await?;
        }
        if !delete.is_empty() {
            let task = index.delete_documents(&delete).await.map_err(backend)?;
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn replace_all(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        self.configure().await?;
        let index = self.client.index(&self.uid);
        // Meilisearch applies an index's tasks in order: the deletion, then the batches.
        let task = index.delete_all_documents().await.map_err(backend)?;
        self.wait(task).await?;
        for chunk in docs.chunks(10_000) {
            let batch: Vec<MeiliDoc> = chunk.iter().map(MeiliDoc::from).collect();
            let task = index.add_or_replace(&batch, Some("id")).await.map_err(backend)?;
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn count(&self) -> Result<u64, SearchError> {
        let results = self
            .client
            .index(&self.uid)
            .search()
            .with_page(1)
            .with_hits_per_page(0)
            .execute::<IdHit>()
            .await
            .map_err(backend)?;
        Ok(results.total_hits.or(results.estimated_total_hits).unwrap_or(0) as u64)
    }

    /// Meilisearch's own `synonyms` setting (it keeps them with the index); waits until it applies.
    async fn set_synonyms(&self, synonyms: super::synonyms::Synonyms) -> Result<(), SearchError> {
        self.configure().await?;
        let task = self
            .client
            .index(&self.uid)
            .set_synonyms(&synonyms.as_map())
            .await
            .map_err(backend)?;
        self.wait(task).await
    }

    fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }
}
