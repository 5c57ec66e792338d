//! Product search: a `SearchIndex` (embedded tantivy by default, Meilisearch when configured) fed from the
//! database through the `search_outbox` table, with the database query as the fallback when the index fails.
//!
//! The database is the source of truth. Catalog writes add outbox rows in their own transaction
//! ([`enqueue`]); [`Indexer::run_once`] applies them; [`reindex`] rebuilds the whole index.

mod indexer;
pub mod meili;
pub mod rebuilds;
pub mod settings;
pub mod synonyms;
pub mod tantivy_index;

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use model::catalog::{
    CategoryView, Facet, FacetKind, FacetValue, SearchQuery, SearchResults, Sort, Suggestion, PRICE_BUCKETS,
};
use sqlx::Row;

use crate::catalog::{self, CatalogError};
use crate::platform::db::Db;

pub use indexer::Indexer;
pub use tantivy_index::TantivyIndex;

/// What the index stores per active product: enough to match, filter, sort and count facets.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    pub id: i64,
    pub title: String,
    pub slug: String,
    /// Title, brand, category, seller and attribute words: what a query matches.
    pub text: String,
    /// The product's category and all its ancestors, so a category filter includes subcategories.
    pub category_path: Vec<i64>,
    pub seller_id: i64,
    pub price: i64,
    /// Average rating × 10 (0 without ratings).
    pub rating_x10: i64,
    pub rating_count: i64,
    pub created_at: i64,
    pub in_stock: bool,
    /// Facetable attribute and option values as `Name=Value`.
    pub attrs: Vec<String>,
}

/// A search as the index sees it: ids instead of slugs, everything already validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexQuery {
    pub text: Option<String>,
    pub category_id: Option<i64>,
    /// The stores results must be of (a chosen store, the stores rated well enough, or both: their overlap).
    pub sellers: Option<Vec<i64>>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub rating_min_x10: Option<i64>,
    pub in_stock: bool,
    /// `Name=Value` terms that must all be present.
    pub attrs: Vec<String>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

/// Facet counts as the index returns them. Each facet is counted over the documents that pass every filter
/// except that facet's own (so choosing another value of a facet shows how many results that would give).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawFacets {
    /// Per category id, counting each document once for its category and once for each ancestor.
    pub categories: HashMap<i64, u64>,
    pub sellers: HashMap<i64, u64>,
    /// Per entry of `PRICE_BUCKETS`.
    pub price_buckets: [u64; PRICE_BUCKETS.len()],
    /// Index `i` counts documents rated at least `i + 1` stars.
    pub rating_at_least: [u64; 4],
    pub in_stock: u64,
    /// Per `Name=Value`; an attribute counts without its own filter, the others applied.
    pub attrs: HashMap<String, u64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexHits {
    pub total: u64,
    pub ids: Vec<i64>,
    pub facets: RawFacets,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductSuggestion {
    pub title: String,
    pub slug: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index is being rebuilt")]
    NotReady,
    #[error("search backend: {0}")]
    Backend(String),
}

/// A search engine holding [`SearchDoc`]s. Implementations must be safe to call concurrently.
#[async_trait]
pub trait SearchIndex: Send + Sync {
    fn name(&self) -> &'static str;
    async fn search(&self, query: &IndexQuery) -> Result<IndexHits, SearchError>;
    async fn suggest(&self, text: &str, limit: usize) -> Result<Vec<ProductSuggestion>, SearchError>;
    /// Adds or replaces documents by id, and removes `delete` ids; visible to searches when this returns.
    async fn apply(&self, upsert: Vec<SearchDoc>, delete: Vec<i64>) -> Result<(), SearchError>;
    /// Replaces the whole content with `docs`.
    async fn replace_all(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError>;
    async fn count(&self) -> Result<u64, SearchError>;
    /// Replaces the synonyms searches apply ([`synonyms::Synonyms`]).
    async fn set_synonyms(&self, synonyms: synonyms::Synonyms) -> Result<(), SearchError>;
    /// While not ready (e.g. during the first build), searches fail with `NotReady` and listings fall back to
    /// the database. Backends that are always consistent ignore it.
    fn set_ready(&self, _ready: bool) {}
}

impl std::fmt::Debug for dyn SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({})", self.name())
    }
}

/// A listing page's content: the search page, a category page or a store page.
#[derive(Debug, Clone)]
pub struct Listing {
    pub categories: Vec<CategoryView>,
    pub query: SearchQuery,
    pub results: SearchResults,
    /// The category the listing is scoped to, with its trail and children (category pages).
    pub category: Option<(CategoryView, Vec<CategoryView>, Vec<CategoryView>)>,
    /// The store the listing is scoped to (store pages).
    pub store: Option<model::catalog::SellerView>,
}

/// A listing from its raw URL parameters, scoped to a category or a store by slug. An unknown slug is
/// `NotFound`; bad parameters are field errors.
pub async fn listing<'a>(
    db: &Db,
    index: &dyn SearchIndex,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    category_slug: Option<&str>,
    store_slug: Option<&str>,
) -> Result<Listing, CatalogError> {
    let mut raw = catalog::RawSearch::from_pairs(pairs);
    let category = match category_slug {
        Some(slug) => {
            let found = catalog::category_by_slug(db, slug)
                .await?
                .ok_or(CatalogError::NotFound)?;
            raw.category = Some(slug.to_string());
            Some(found)
        }
        None => None,
    };
    let store = match store_slug {
        Some(slug) => {
            let found = catalog::seller_by_slug(db, slug).await?.ok_or(CatalogError::NotFound)?;
            raw.seller = Some(slug.to_string());
            Some(found)
        }
        None => None,
    };
    let query = catalog::parse_search(&raw).map_err(CatalogError::Invalid)?;
    Ok(Listing {
        categories: catalog::categories(db).await?,
        results: search(db, index, &query).await?,
        query,
        category,
        store,
    })
}

/// Ancestors of every category, self first.
fn category_paths(all: &[CategoryView]) -> HashMap<i64, Vec<i64>> {
    all.iter()
        .map(|c| {
            (
                c.id,
                catalog::breadcrumbs(all, c.id)
                    .into_iter()
                    .rev()
                    .map(|b| b.id)
                    .collect(),
            )
        })
        .collect()
}

/// Reads index documents for all active products, or for the given ids (inactive or unknown ids are absent from
/// the answer: the caller deletes them from the index). Four set queries, whatever the number of products.
pub async fn load_docs(db: &Db, only: Option<&[i64]>) -> Result<Vec<SearchDoc>, CatalogError> {
    let filter = |column: &str| match only {
        None => String::new(),
        Some([]) => " AND 1 = 0".to_string(),
        // Ids are integers we produced: formatting them into the SQL cannot inject anything.
        Some(ids) => format!(
            " AND {column} IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    let paths = category_paths(&catalog::categories(db).await?);
    let mut docs: Vec<SearchDoc> = Vec::new();
    let mut position: HashMap<i64, usize> = HashMap::new();
    let sql = format!(
        "SELECT p.id, p.title, p.slug, p.search_text, p.category_id, p.seller_id, p.min_price, p.rating_sum, \
         p.rating_count, p.created_at, s.store_name FROM products p JOIN sellers s ON s.id = p.seller_id \
         WHERE p.status || '' = 'active' AND s.status = 'active'{}",
        filter("p.id")
    );
    for row in sqlx::query(&sql).fetch_all(db.pool()).await? {
        let id: i64 = row.try_get("id")?;
        let category_id: i64 = row.try_get("category_id")?;
        let rating_sum: i64 = row.try_get("rating_sum")?;
        let rating_count: i64 = row.try_get("rating_count")?;
        let search_text: String = row.try_get("search_text")?;
        let store: String = row.try_get("store_name")?;
        position.insert(id, docs.len());
        docs.push(SearchDoc {
            id,
            title: row.try_get("title")?,
            slug: row.try_get("slug")?,
            text: format!("{search_text} {store}"),
            category_path: paths.get(&category_id).cloned().unwrap_or_else(|| vec![category_id]),
            seller_id: row.try_get("seller_id")?,
            price: row.try_get("min_price")?,
            rating_x10: if rating_count > 0 {
                rating_sum * 10 / rating_count
            } else {
                0
            },
            rating_count,
            created_at: row.try_get("created_at")?,
            in_stock: false,
            attrs: Vec::new(),
        });
    }
    let attr_sql = format!(
        "SELECT product_id, name, value FROM product_attributes WHERE 1 = 1{}",
        filter("product_id")
    );
    for row in sqlx::query(&attr_sql).fetch_all(db.pool()).await? {
        let id: i64 = row.try_get("product_id")?;
        if let Some(&i) = position.get(&id) {
            let (name, value): (String, String) = (row.try_get("name")?, row.try_get("value")?);
            docs[i].attrs.push(format!("{name}={value}"));
        }
    }
    let variant_sql = format!(
        "SELECT v.product_id, v.options, \
         CAST(COALESCE((SELECT SUM(available) FROM stock st WHERE st.variant_id = v.id), 0) AS BIGINT) \
         AS stock_available, v.keep_selling FROM variants v WHERE 1 = 1{}",
        filter("v.product_id")
    );
    for row in sqlx::query(&variant_sql).fetch_all(db.pool()).await? {
        let id: i64 = row.try_get("product_id")?;
        let Some(&i) = position.get(&id) else { continue };
        let options: String = row.try_get("options")?;
        let available: i64 = row.try_get("stock_available")?;
        let doc = &mut docs[i];
        doc.in_stock |= available > 0 || row.try_get::<i64, _>("keep_selling")? == 1;
        for (name, value) in catalog::parse_options(&options) {
            let term = format!("{name}={value}");
            if !doc.attrs.contains(&term) {
                doc.text.push(' ');
                doc.text.push_str(&value.to_lowercase());
                doc.attrs.push(term);
            }
        }
    }
    Ok(docs)
}

/// Rebuilds the index from the database; returns the number of documents indexed.
pub async fn reindex(db: &Db, index: &dyn SearchIndex) -> Result<usize, CatalogError> {
    let docs = load_docs(db, None).await?;
    let n = docs.len();
    index
        .replace_all(docs)
        .await
        .map_err(|e| CatalogError::Search(e.to_string()))?;
    Ok(n)
}

/// Products on sale: active, of a store that sells. The index holds as many once the outbox is applied.
pub async fn on_sale(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM products p JOIN sellers s ON s.id = p.seller_id \
         WHERE p.status = 'active' AND s.status = 'active'",
    )
    .fetch_one(db.pool())
    .await
}

/// Rebuilds the index when its document count differs from the database's active products (first start, a
/// restored backup, a lost index folder). Searches fall back to the database while it runs.
/// Also hands the index the synonyms.
pub async fn ensure_fresh(db: &Db, index: &dyn SearchIndex) -> Result<(), CatalogError> {
    index
        .set_synonyms(synonyms::load(db).await?)
        .await
        .map_err(|e| CatalogError::Search(e.to_string()))?;
    let active = on_sale(db).await?;
    let have = index.count().await.map_err(|e| CatalogError::Search(e.to_string()))?;
    if have == active as u64 {
        return Ok(());
    }
    tracing::info!(have, active, "search index out of date; rebuilding");
    index.set_ready(false);
    let started = std::time::Instant::now();
    let n = reindex(db, index).await?;
    // Ready again only after a successful rebuild: after a failure the database keeps answering.
    index.set_ready(true);
    tracing::info!(
        documents = n,
        ms = started.elapsed().as_millis() as u64,
        "search index rebuilt"
    );
    Ok(())
}

/// The outcome of [`search`]: what pages and the API show.
pub async fn search(db: &Db, index: &dyn SearchIndex, query: &SearchQuery) -> Result<SearchResults, CatalogError> {
    let all = catalog::categories(db).await?;
    let category = match &query.category {
        Some(slug) => match all.iter().find(|c| &c.slug == slug) {
            Some(c) => Some(c.id),
            None => return Ok(empty(query)),
        },
        None => None,
    };
    let sellers = catalog::active_sellers(db).await?;
    let seller = match &query.seller {
        Some(slug) => match sellers.iter().find(|s| &s.1 == slug) {
            Some(s) => Some(s.0),
            None => return Ok(empty(query)),
        },
        None => None,
    };
    let stores = StoreFilter {
        chosen: seller,
        min_x10: query.store_rating_min.map(|r| i64::from(r) * 10),
        averages: crate::reviews::store_ratings::averages_x10(db)
            .await?
            .into_iter()
            .collect(),
    };
    let index_query = IndexQuery {
        text: query.q.clone(),
        category_id: category,
        sellers: stores.sellers(&sellers),
        price_min: query.price_min,
        price_max: query.price_max,
        rating_min_x10: query.rating_min.map(|r| i64::from(r) * 10),
        in_stock: query.in_stock,
        attrs: query.attrs.iter().map(|(n, v)| format!("{n}={v}")).collect(),
        sort: query.sort,
        offset: (query.page.saturating_sub(1) as usize) * query.per_page as usize,
        limit: query.per_page as usize,
    };
    match index.search(&index_query).await {
        Ok(hits) => {
            let items = catalog::cards_by_ids(db, &hits.ids).await?;
            Ok(SearchResults {
                total: hits.total as i64,
                page: query.page,
                per_page: query.per_page,
                items,
                facets: facets(query, &hits.facets, &all, &sellers, &stores),
                degraded: false,
            })
        }
        Err(error) => {
            tracing::warn!(%error, index = index.name(), "search index failed; answering from the database");
            let synonyms = synonyms::load(db).await?;
            let mut results = catalog::search_with_synonyms(db, query, &synonyms).await?;
            results.degraded = true;
            Ok(results)
        }
    }
}

fn empty(query: &SearchQuery) -> SearchResults {
    SearchResults {
        total: 0,
        page: query.page,
        per_page: query.per_page,
        items: Vec::new(),
        facets: Vec::new(),
        degraded: false,
    }
}

/// Major units for a price facet's URL value.
fn major(amount: i64) -> String {
    (amount / 100).to_string()
}

/// Price bucket `from-to` in major units, as the URL carries it (`200-` for the open-ended last bucket).
pub fn price_bucket_value(bucket: (i64, Option<i64>)) -> String {
    format!("{}-{}", major(bucket.0), bucket.1.map(major).unwrap_or_default())
}

/// Turns the index's counts into the facets a page shows, in a fixed order, values with no results left out. The
/// words of the fixed facets and of price, rating and stock values are the listing page's; names of categories,
/// sellers and attributes are data and come as labels.
fn facets(
    query: &SearchQuery,
    raw: &RawFacets,
    all: &[CategoryView],
    sellers: &[(i64, String, String)],
    stores: &StoreFilter,
) -> Vec<Facet> {
    let mut out = Vec::new();
    // Categories: the children of the chosen category, or the top level.
    let parent = query
        .category
        .as_ref()
        .and_then(|slug| all.iter().find(|c| &c.slug == slug))
        .map(|c| c.id);
    let values: Vec<FacetValue> = all
        .iter()
        .filter(|c| c.parent_id == parent)
        .filter_map(|c| {
            let count = *raw.categories.get(&c.id)?;
            (count > 0).then(|| FacetValue {
                value: c.slug.clone(),
                label: c.name.clone(),
                count,
                selected: false,
            })
        })
        .collect();
    push(&mut out, FacetKind::Category, "", values);

    let price_value = match (query.price_min, query.price_max) {
        (None, None) => None,
        (min, max) => Some(format!(
            "{}-{}",
            min.map(major).unwrap_or_else(|| "0".into()),
            max.map(major).unwrap_or_default()
        )),
    };
    let values = PRICE_BUCKETS
        .iter()
        .zip(raw.price_buckets)
        .filter(|(_, count)| *count > 0)
        .map(|(&bucket, count)| {
            let value = price_bucket_value(bucket);
            FacetValue {
                // Worded at the edge (the listing page) from `value`.
                label: String::new(),
                selected: price_value.as_deref() == Some(value.as_str()),
                value,
                count,
            }
        })
        .collect();
    push(&mut out, FacetKind::Price, "", values);

    let values = (1..=4u8)
        .rev()
        .filter_map(|stars| {
            let count = raw.rating_at_least[usize::from(stars) - 1];
            (count > 0).then(|| FacetValue {
                value: stars.to_string(),
                label: String::new(),
                count,
                selected: query.rating_min == Some(stars),
            })
        })
        .collect();
    push(&mut out, FacetKind::Rating, "", values);

    if raw.in_stock > 0 {
        push(
            &mut out,
            FacetKind::InStock,
            "",
            vec![FacetValue {
                value: "1".into(),
                label: String::new(),
                count: raw.in_stock,
                selected: query.in_stock,
            }],
        );
    }

    // Attributes grouped by name, names in first-seen alphabetical order, values by count.
    let mut by_name: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::new();
    for (term, &count) in &raw.attrs {
        if let Some((name, value)) = term.split_once('=') {
            if count > 0 {
                by_name.entry(name).or_default().push((value, count));
            }
        }
    }
    for (name, mut values) in by_name {
        values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let values = values
            .into_iter()
            .take(12)
            .map(|(value, count)| FacetValue {
                value: format!("{name}:{value}"),
                label: value.to_string(),
                count,
                selected: query.attrs.iter().any(|(n, v)| n == name && v == value),
            })
            .collect();
        push(&mut out, FacetKind::Attribute, name, values);
    }

    push(&mut out, FacetKind::StoreRating, "", stores.facet(query, raw));

    // The index counts stores without the store filters; a store below the chosen store rating has none here
    // (shown at 0 when it is the chosen store, so the page says which filter emptied it).
    let mut values: Vec<FacetValue> = sellers
        .iter()
        .filter_map(|(id, slug, name)| {
            let selected = query.seller.as_deref() == Some(slug.as_str());
            let count = if stores.rated_enough(*id) {
                raw.sellers.get(id).copied().unwrap_or(0)
            } else {
                0
            };
            (count > 0 || selected).then(|| FacetValue {
                value: slug.clone(),
                label: name.clone(),
                count,
                selected,
            })
        })
        .collect();
    values.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    values.truncate(12);
    push(&mut out, FacetKind::Seller, "", values);
    out
}

/// The store filters of a search (decision 0046): a chosen store and a minimum store rating are one filter on
/// the product's store in the index, so the index counts per store without either, and both facets are counted
/// here from those counts. A store's rating changes no product document: nothing is re-indexed.
struct StoreFilter {
    chosen: Option<i64>,
    min_x10: Option<i64>,
    /// Average × 10 per store with ratings.
    averages: HashMap<i64, i64>,
}

impl StoreFilter {
    fn rated_enough(&self, store: i64) -> bool {
        self.min_x10
            .is_none_or(|min| self.averages.get(&store).is_some_and(|avg| *avg >= min))
    }

    /// The stores results must be of, `None` for any.
    fn sellers(&self, active: &[(i64, String, String)]) -> Option<Vec<i64>> {
        match (self.chosen, self.min_x10) {
            (None, None) => None,
            (Some(store), _) => Some(vec![store].into_iter().filter(|s| self.rated_enough(*s)).collect()),
            (None, Some(_)) => Some(active.iter().map(|s| s.0).filter(|s| self.rated_enough(*s)).collect()),
        }
    }

    /// "Store rated N stars & up" for N = 4 … 1: the results of the stores rated that well (and the chosen one).
    fn facet(&self, query: &SearchQuery, raw: &RawFacets) -> Vec<FacetValue> {
        (1..=4u8)
            .rev()
            .filter_map(|stars| {
                let min = i64::from(stars) * 10;
                let count: u64 = raw
                    .sellers
                    .iter()
                    .filter(|(store, _)| self.chosen.is_none_or(|c| c == **store))
                    .filter(|(store, _)| self.averages.get(store).is_some_and(|avg| *avg >= min))
                    .map(|(_, n)| n)
                    .sum();
                // A chosen value stays, even at 0, so the page shows which filter emptied it.
                let selected = query.store_rating_min == Some(stars);
                (count > 0 || selected).then(|| FacetValue {
                    value: stars.to_string(),
                    label: String::new(),
                    count,
                    selected,
                })
            })
            .collect()
    }
}

fn push(out: &mut Vec<Facet>, kind: FacetKind, label: &str, values: Vec<FacetValue>) {
    if !values.is_empty() {
        out.push(Facet {
            kind,
            label: label.to_string(),
            values,
        });
    }
}

/// Suggestions while typing: matching categories first, then products. Falls back to categories alone when the
/// index fails (typing must never show an error).
pub async fn suggest(db: &Db, index: &dyn SearchIndex, text: &str) -> Result<Vec<Suggestion>, CatalogError> {
    let text: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(catalog::MAX_QUERY_CHARS)
        .collect();
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<Suggestion> = catalog::categories(db)
        .await?
        .into_iter()
        .filter(|c| {
            let name = c.name.to_lowercase();
            let name_words: Vec<&str> = name.split(|ch: char| !ch.is_alphanumeric()).collect();
            words.iter().all(|w| name_words.iter().any(|n| word_matches(w, n)))
        })
        .take(3)
        .map(|c| Suggestion {
            label: c.name,
            url: format!("/c/{}", c.slug),
            kind: "Category".into(),
        })
        .collect();
    match index.suggest(&text, 6).await {
        Ok(products) => out.extend(products.into_iter().map(|p| Suggestion {
            label: p.title,
            url: format!("/p/{}", p.slug),
            kind: "Product".into(),
        })),
        Err(error) => tracing::warn!(%error, "suggestions without products: index failed"),
    }
    Ok(out)
}

/// Whether a typed word matches a word of a name: some prefix of the name's word is within the typo distance.
fn word_matches(typed: &str, word: &str) -> bool {
    prefix_distance(typed, word) <= typo_distance(typed.chars().count())
}

/// Typos tolerated for a word of `chars` characters: none below 4, one below 8, then two.
pub fn typo_distance(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The last row of the edit-distance table of `a` against `b`: entry `j` is the distance from `a` to the first
/// `j` characters of `b`. Adjacent transpositions count as one edit (as in the index's automata).
fn distance_row(a: &str, b: &str) -> Vec<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev
}

/// Edit distance between two words.
pub fn edit_distance(a: &str, b: &str) -> usize {
    distance_row(a, b).last().copied().unwrap_or(0)
}

/// The smallest edit distance between `typed` and any prefix of `word` (search as you type: "headphn" is one
/// edit from "headpho", a prefix of "headphones").
pub fn prefix_distance(typed: &str, word: &str) -> usize {
    distance_row(typed, word).into_iter().min().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("headphnes", "headphones"), 1);
        assert_eq!(edit_distance("haedphones", "headphones"), 1);
        assert_eq!(edit_distance("mug", "mug"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn short_words_match_only_as_prefixes() {
        assert!(word_matches("he", "headphones"));
        assert!(!word_matches("mog", "mug"));
        assert!(word_matches("headphnes", "headphones"));
        assert!(word_matches("headphn", "headphones"));
        assert_eq!(prefix_distance("lamp", "lambswool"), 1);
    }
}
