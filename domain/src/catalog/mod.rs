//! The catalog context: categories, sellers' stores, products with variants and attributes, pictures, and the
//! seller writes to them (the seller portal's `editor`; the catalog as CSV, `transfer`). Owns `categories`, `attribute_definitions`,
//! `products`, `variants`, `product_attributes` and `product_images` (stores and warehouses are the sellers
//! context's, stock is inventory's).
//!
//! The reads here are the database path of listings: the source of truth, and the fallback when the search index
//! is down.

pub mod attributes;
pub mod editor;
pub mod images;
pub mod params;
pub mod picture_fetches;
pub mod prices;
pub mod ratings;
pub mod removed_images;
pub mod transfer;

pub use params::{parse_search, RawSearch, DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS};

use std::collections::HashMap;

use model::catalog::{
    CategoryView, ImageView, Money, ProductCard, ProductDetail, Returns, SearchQuery, SearchResults, SellerView, Sort,
    VariantView,
};
use model::FieldError;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

use crate::platform::Db;
use crate::search::synonyms::Synonyms;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid search parameters")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("search index: {0}")]
    Search(String),
    /// The request was fine but the state does not allow it; the message says why.
    #[error("{0}")]
    Conflict(String),
    /// A save from a form opened at an older version: what changed since, and the version now stored.
    #[error("this product changed since you opened it")]
    Stale { changes: Vec<String>, version: i64 },
}

impl CatalogError {
    /// The words a stale save is refused with.
    pub fn stale_message(changes: &[String]) -> String {
        format!(
            "This product changed since you opened it: {}. Your version is kept below; check it and save again \
             to replace theirs.",
            changes.join("; ")
        )
    }
}

/// All categories, parents before children, by position.
pub async fn categories(db: &Db) -> Result<Vec<CategoryView>, CatalogError> {
    categories_in(&mut *db.pool().acquire().await?).await
}

async fn categories_in(conn: &mut AnyConnection) -> Result<Vec<CategoryView>, CatalogError> {
    let rows = sqlx::query("SELECT id, parent_id, slug, name FROM categories ORDER BY position, name")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CategoryView {
                id: r.try_get("id")?,
                parent_id: r.try_get("parent_id")?,
                slug: r.try_get("slug")?,
                name: r.try_get("name")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The ids of a category and all its descendants.
fn subtree(all: &[CategoryView], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(all.iter().filter(|c| c.parent_id == Some(parent)).map(|c| c.id));
        i += 1;
    }
    out
}

/// Root first, ending with `id`.
pub fn breadcrumbs(all: &[CategoryView], id: i64) -> Vec<CategoryView> {
    let mut trail = Vec::new();
    let mut current = all.iter().find(|c| c.id == id);
    while let Some(cat) = current {
        if trail.iter().any(|c: &CategoryView| c.id == cat.id) {
            break; // a cycle would be a data error; never loop forever
        }
        trail.push(cat.clone());
        current = cat.parent_id.and_then(|p| all.iter().find(|c| c.id == p));
    }
    trail.reverse();
    trail
}

/// The card's columns with `$extra` ones (", p.x, s.y") from the same rows.
macro_rules! concat_card_select {
    ($extra:literal) => {
        concat!(
            "SELECT p.id, p.slug, p.title, p.min_price, p.currency, c.name AS category_name, c.slug AS category_slug, \
     s.store_name, s.slug AS seller_slug, p.rating_sum, p.rating_count, \
     (SELECT COUNT(*) FROM variants v WHERE v.product_id = p.id AND (v.keep_selling = 1 OR EXISTS \
        (SELECT 1 FROM stock st WHERE st.variant_id = v.id AND st.available > 0))) AS in_stock_variants, \
     (SELECT image_key FROM product_images i WHERE i.product_id = p.id AND i.position = 0) AS first_image_key",
            $extra,
            " FROM products p JOIN categories c ON c.id = p.category_id JOIN sellers s ON s.id = p.seller_id"
        )
    };
}

const CARD_SELECT: &str = concat_card_select!("");

/// What every shopper-facing read of product `p` adds to `p.status = 'active'`: its store sells (a suspended or
/// pending store's listings are neither shown nor bought). `NOT IN` over the few stores that do not sell is read
/// once per statement and keeps each query on the index it walked before (the listing's count stays on
/// `products` alone).
pub(crate) const STORE_SELLS: &str = "p.seller_id NOT IN (SELECT x.id FROM sellers x WHERE x.status <> 'active')";

/// A card with what only the product's page shows.
const DETAIL_SELECT: &str = concat_card_select!(
    ", p.description_md, p.category_id, p.seo_title, p.seo_description, s.return_days, s.return_policy"
);

fn card_from_row(row: &AnyRow) -> Result<ProductCard, sqlx::Error> {
    let id: i64 = row.try_get("id")?;
    let rating_sum: i64 = row.try_get("rating_sum")?;
    let rating_count: i64 = row.try_get("rating_count")?;
    let in_stock: i64 = row.try_get("in_stock_variants")?;
    let image: Option<String> = row.try_get("first_image_key")?;
    Ok(ProductCard {
        id,
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        price: Money::new(row.try_get("min_price")?, row.try_get::<String, _>("currency")?),
        category_name: row.try_get("category_name")?,
        category_slug: row.try_get("category_slug")?,
        seller_name: row.try_get("store_name")?,
        seller_slug: row.try_get("seller_slug")?,
        rating: (rating_count > 0).then(|| ((rating_sum * 10 / rating_count) as f32) / 10.0),
        rating_count,
        in_stock: in_stock > 0,
        image_url: product_image_url(id, image.as_deref(), 480),
    })
}

/// A product's first picture at `width` px, or its generated card when it has none.
pub fn product_image_url(product_id: i64, image_key: Option<&str>, width: u32) -> String {
    image_key.map_or_else(
        || format!("/media/card/{product_id}.svg"),
        |k| crate::catalog::images::thumb_url(k, width),
    )
}

/// An argument of a dynamically built query (the Any driver binds these four kinds here).
enum Arg {
    Int(i64),
    Text(String),
}

fn bind_args<'q>(sql: &'q str, args: &'q [Arg]) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    args.iter().fold(sqlx::query(sql), |q, arg| match arg {
        Arg::Int(n) => q.bind(*n),
        Arg::Text(t) => q.bind(t.as_str()),
    })
}

/// Option values of a variant from their stored JSON object; malformed JSON reads as no options.
pub fn parse_options(json: &str) -> Vec<(String, String)> {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json)
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A LIKE pattern finding `"name":"value"` in a variant's options JSON (as serde_json writes it).
fn options_fragment(name: &str, value: &str) -> String {
    let pair = serde_json::json!({ name: value }).to_string();
    let inner = pair.trim_start_matches('{').trim_end_matches('}');
    let escaped = crate::platform::text::like_literal(inner);
    format!("%{escaped}%")
}

/// Cards for the given product ids, in the given order (ids no longer active are skipped).
pub async fn cards_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<ProductCard>, CatalogError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::platform::ids::sql_list(ids);
    // `status || ''` keeps SQLite from choosing the status index over the primary key for this id lookup (it
    // would walk every active product: 35 ms instead of 0.3 ms on 100k products); PostgreSQL plans it the same.
    let sql = format!("{CARD_SELECT} WHERE p.id IN ({list}) AND p.status || '' = 'active' AND {STORE_SELLS}");
    let mut cards: HashMap<i64, ProductCard> = sqlx::query(&sql)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| card_from_row(r).map(|c| (c.id, c)))
        .collect::<Result<_, _>>()?;
    Ok(ids.iter().filter_map(|id| cards.remove(id)).collect())
}

/// Active sellers as (id, slug, store name), for facets and filters.
pub async fn active_sellers(db: &Db) -> Result<Vec<(i64, String, String)>, CatalogError> {
    sqlx::query("SELECT id, slug, store_name FROM sellers WHERE status = 'active' ORDER BY store_name")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("slug")?, r.try_get("store_name")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Filters, sorts and pages active products in the database, without synonyms.
pub async fn search(db: &Db, query: &SearchQuery) -> Result<SearchResults, CatalogError> {
    search_with_synonyms(db, query, &Synonyms::default()).await
}

/// Filters, sorts and pages active products in the database; a word of the query also finds its `synonyms` (all
/// words of one of them), as the index would.
pub async fn search_with_synonyms(
    db: &Db,
    query: &SearchQuery,
    synonyms: &Synonyms,
) -> Result<SearchResults, CatalogError> {
    let mut conditions = vec!["p.status = 'active'".to_string(), STORE_SELLS.to_string()];
    let mut args: Vec<Arg> = Vec::new();
    let placeholder = |args: &mut Vec<Arg>, arg: Arg| {
        args.push(arg);
        format!("${}", args.len())
    };
    if let Some(q) = &query.q {
        for word in q.to_lowercase().split_whitespace().take(8) {
            let mut contains = |word: &str| {
                let escaped = crate::platform::text::like_literal(word);
                let p = placeholder(&mut args, Arg::Text(format!("%{escaped}%")));
                format!("p.search_text LIKE {p} ESCAPE '\\'")
            };
            let mut either = vec![contains(word)];
            for phrase in synonyms.alternatives(&crate::search::synonyms::as_indexed(word).join(" ")) {
                let all: Vec<String> = phrase.iter().map(|w| contains(w)).collect();
                either.push(format!("({})", all.join(" AND ")));
            }
            conditions.push(format!("({})", either.join(" OR ")));
        }
    }
    if let Some(slug) = &query.category {
        let all = categories(db).await?;
        let Some(root) = all.iter().find(|c| &c.slug == slug) else {
            return Ok(SearchResults {
                total: 0,
                page: query.page,
                per_page: query.per_page,
                items: Vec::new(),
                facets: Vec::new(),
                degraded: false,
            });
        };
        let ids: Vec<String> = subtree(&all, root.id)
            .into_iter()
            .map(|id| placeholder(&mut args, Arg::Int(id)))
            .collect();
        conditions.push(format!("p.category_id IN ({})", ids.join(", ")));
    }
    if let Some(seller) = &query.seller {
        let p = placeholder(&mut args, Arg::Text(seller.clone()));
        conditions.push(format!("p.seller_id = (SELECT id FROM sellers WHERE slug = {p})"));
    }
    if let Some(min) = query.price_min {
        let p = placeholder(&mut args, Arg::Int(min));
        conditions.push(format!("p.min_price >= {p}"));
    }
    if let Some(max) = query.price_max {
        let p = placeholder(&mut args, Arg::Int(max));
        conditions.push(format!("p.min_price <= {p}"));
    }
    if let Some(stars) = query.rating_min {
        // Same rule as the index: the average (sum / count) is at least `stars`.
        let p = placeholder(&mut args, Arg::Int(i64::from(stars)));
        conditions.push(format!("p.rating_count > 0 AND p.rating_sum >= {p} * p.rating_count"));
    }
    if let Some(stars) = query.store_rating_min {
        // The index's rule: the store's average (sum / count) is at least `stars`.
        let p = placeholder(&mut args, Arg::Int(i64::from(stars)));
        conditions.push(format!(
            "p.seller_id IN (SELECT id FROM sellers WHERE rating_count > 0 AND rating_sum >= {p} * rating_count)"
        ));
    }
    if query.in_stock {
        conditions.push(
            "EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND (v.keep_selling = 1 OR EXISTS \
             (SELECT 1 FROM stock st WHERE st.variant_id = v.id AND st.available > 0)))"
                .to_string(),
        );
    }
    for (name, value) in &query.attrs {
        let n = placeholder(&mut args, Arg::Text(name.clone()));
        let v = placeholder(&mut args, Arg::Text(value.clone()));
        let option = placeholder(&mut args, Arg::Text(options_fragment(name, value)));
        conditions.push(format!(
            "(EXISTS (SELECT 1 FROM product_attributes a WHERE a.product_id = p.id AND a.name = {n} AND a.value = {v}) \
             OR EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.options LIKE {option} ESCAPE '\\'))"
        ));
    }
    let where_sql = conditions.join(" AND ");
    let order = match query.sort {
        Sort::PriceAsc => "p.min_price ASC, p.id ASC",
        Sort::PriceDesc => "p.min_price DESC, p.id ASC",
        Sort::Rating => "p.rating_count = 0, (p.rating_sum * 100) / CASE WHEN p.rating_count = 0 THEN 1 ELSE p.rating_count END DESC, p.id DESC",
        // The database path has no relevance score; newest first is the honest stand-in.
        Sort::Newest | Sort::Relevance => "p.created_at DESC, p.id DESC",
    };
    // Every condition is on `products` alone, so the count walks one index (5 ms instead of 67 ms for 27k rows
    // of a 100k catalog, measured with bench/storefront.sh).
    let count_sql = format!("SELECT COUNT(*) AS total FROM products p WHERE {where_sql}");
    let offset = i64::from(query.page.saturating_sub(1)) * i64::from(query.per_page);
    let list_sql = format!(
        "{CARD_SELECT} WHERE {where_sql} ORDER BY {order} LIMIT {} OFFSET {offset}",
        query.per_page
    );
    let total: i64 = bind_args(&count_sql, &args)
        .fetch_one(db.pool())
        .await?
        .try_get("total")?;
    let rows = bind_args(&list_sql, &args).fetch_all(db.pool()).await?;
    let items = rows.iter().map(card_from_row).collect::<Result<_, _>>()?;
    Ok(SearchResults {
        total,
        page: query.page,
        per_page: query.per_page,
        items,
        facets: Vec::new(),
        degraded: false,
    })
}

/// The newest active products, for the home page.
pub async fn new_arrivals(db: &Db, limit: u32) -> Result<Vec<ProductCard>, CatalogError> {
    let query = SearchQuery {
        per_page: limit,
        page: 1,
        sort: Sort::Newest,
        ..SearchQuery::default()
    };
    Ok(search(db, &query).await?.items)
}

/// The best rated active products, for the home page.
pub async fn top_rated(db: &Db, limit: u32) -> Result<Vec<ProductCard>, CatalogError> {
    let query = SearchQuery {
        per_page: limit,
        page: 1,
        sort: Sort::Rating,
        ..SearchQuery::default()
    };
    Ok(search(db, &query).await?.items)
}

async fn product_by(db: &Db, column: &str, key: Arg) -> Result<ProductDetail, CatalogError> {
    product_where(
        db,
        &format!("p.{column} = $1 AND p.status = 'active' AND {STORE_SELLS}"),
        key,
    )
    .await
}

/// The product page of one of the actor's own products whatever its status: a seller previews a draft as
/// shoppers will see it once published. Another store's product, or a shopper: `NotFound`.
pub async fn preview(db: &Db, actor: &crate::platform::Actor, id: i64) -> Result<ProductDetail, CatalogError> {
    let store = actor.own_store()?;
    let owner: Option<i64> = sqlx::query_scalar("SELECT seller_id FROM products WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    if owner != Some(store) {
        return Err(CatalogError::NotFound);
    }
    product_where(db, "p.id = $1", Arg::Int(id)).await
}

/// One connection for the page's reads: a product page is a handful of small statements, and the pool's
/// hand-over cost as much as some of them.
async fn product_where(db: &Db, condition: &str, key: Arg) -> Result<ProductDetail, CatalogError> {
    let mut conn = db.pool().acquire().await?;
    let sql = format!("{DETAIL_SELECT} WHERE {condition}");
    let q = sqlx::query(&sql);
    let q = match key {
        Arg::Int(n) => q.bind(n),
        Arg::Text(t) => q.bind(t),
    };
    let row = q.fetch_optional(&mut *conn).await?.ok_or(CatalogError::NotFound)?;
    let card = card_from_row(&row)?;
    let returns = Returns {
        days: row.try_get("return_days")?,
        policy: row.try_get("return_policy")?,
    };
    let description_md: String = row.try_get("description_md")?;
    let category_id: i64 = row.try_get("category_id")?;
    let (seo_title, seo_description): (String, String) = (row.try_get("seo_title")?, row.try_get("seo_description")?);
    let variants = variant_views(&mut conn, card.id).await?;
    let (attributes, images, tags) = parts_of(&mut conn, card.id, &card.title).await?;
    let all = categories_in(&mut conn).await?;
    Ok(ProductDetail {
        card,
        images,
        description_md,
        attributes,
        variants,
        breadcrumbs: breadcrumbs(&all, category_id),
        seo_title,
        seo_description,
        tags,
        returns,
    })
}

/// One row of [`PARTS_SQL`]: a specification (`a` = name, `b` = value), a picture (`a` = key, `b` = extension,
/// `c` = alt text, `w` × `h`) or a tag (`a`).
#[derive(sqlx::FromRow)]
struct PartRow {
    part: String,
    a: String,
    b: String,
    c: String,
    w: i64,
    h: i64,
}

/// A product's specifications, pictures and tags, each in its order, in one statement (a product page is a
/// handful of statements, and on SQLite each one is a hand-over to the connection's thread).
const PARTS_SQL: &str = "SELECT 'attribute' AS part, position, name AS a, value AS b, '' AS c, \
     CAST(0 AS BIGINT) AS w, CAST(0 AS BIGINT) AS h FROM product_attributes WHERE product_id = $1 \
     UNION ALL SELECT 'image', position, image_key, ext, alt, width, height FROM product_images WHERE product_id = $1 \
     UNION ALL SELECT 'tag', position, tag, '', '', CAST(0 AS BIGINT), CAST(0 AS BIGINT) FROM product_tags \
     WHERE product_id = $1 ORDER BY part, position, a";

type Parts = (Vec<(String, String)>, Vec<ImageView>, Vec<String>);

async fn parts_of(conn: &mut AnyConnection, product_id: i64, title: &str) -> Result<Parts, sqlx::Error> {
    let rows: Vec<PartRow> = sqlx::query_as(PARTS_SQL).bind(product_id).fetch_all(&mut *conn).await?;
    let (mut attributes, mut images, mut tags) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        match row.part.as_str() {
            "attribute" => attributes.push((row.a, row.b)),
            "image" => {
                let n = images.len() + 1;
                images.push(image_view(row, title, n));
            }
            _ => tags.push(row.a),
        }
    }
    Ok((attributes, images, tags))
}

/// Picture `n` of a product's page.
fn image_view(row: PartRow, title: &str, n: usize) -> ImageView {
    let (key, ext, alt) = (row.a, row.b, row.c);
    // The 480 px rendition keeps the aspect ratio (never enlarged).
    let width = row.w.min(480);
    let height = if row.w > 0 { row.h * width / row.w } else { row.h };
    ImageView {
        url: crate::catalog::images::thumb_url(&key, 480),
        thumb_url: crate::catalog::images::thumb_url(&key, 160),
        full_url: format!("/media/{key}.{ext}"),
        // A picture just uploaded has no alt text until its seller saves one.
        alt: if alt.trim().is_empty() {
            format!("{title}, picture {n}")
        } else {
            alt
        },
        width: width as u32,
        height: height as u32,
    }
}

/// A product's variants as its page shows them, with the units each has (summed over the warehouses) and the
/// "was" price the price history allows (`prices`: never the seller's compare-at price).
async fn variant_views(conn: &mut AnyConnection, product_id: i64) -> Result<Vec<VariantView>, sqlx::Error> {
    let was = prices::was_prices_in(conn, product_id).await?;
    sqlx::query(
        "SELECT v.id, v.sku, v.title, v.options, v.price, v.currency, \
         CAST(COALESCE((SELECT SUM(available) FROM stock st WHERE st.variant_id = v.id), 0) AS BIGINT) \
         AS stock_available, v.keep_selling FROM variants v WHERE v.product_id = $1 ORDER BY v.position, v.id",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let currency: String = r.try_get("currency")?;
        let options = parse_options(&r.try_get::<String, _>("options")?);
        let id: i64 = r.try_get("id")?;
        Ok(VariantView {
            id,
            sku: r.try_get("sku")?,
            title: r.try_get("title")?,
            options,
            price: Money::new(r.try_get("price")?, currency.clone()),
            was_price: was.get(&id).map(|a| Money::new(*a, currency.clone())),
            available: r.try_get("stock_available")?,
            keep_selling: r.try_get::<i64, _>("keep_selling")? == 1,
        })
    })
    .collect()
}

pub async fn product_by_slug(db: &Db, slug: &str) -> Result<ProductDetail, CatalogError> {
    product_by(db, "slug", Arg::Text(slug.to_string())).await
}

pub async fn product_by_id(db: &Db, id: i64) -> Result<ProductDetail, CatalogError> {
    product_by(db, "id", Arg::Int(id)).await
}

/// Category name by slug, for page titles; `None` when unknown.
pub async fn category_by_slug(
    db: &Db,
    slug: &str,
) -> Result<Option<(CategoryView, Vec<CategoryView>, Vec<CategoryView>)>, CatalogError> {
    let all = categories(db).await?;
    let Some(cat) = all.iter().find(|c| c.slug == slug).cloned() else {
        return Ok(None);
    };
    let children = all.iter().filter(|c| c.parent_id == Some(cat.id)).cloned().collect();
    let trail = breadcrumbs(&all, cat.id);
    Ok(Some((cat, children, trail)))
}

/// An active seller's store profile; `None` for unknown or inactive stores.
pub async fn seller_by_slug(db: &Db, slug: &str) -> Result<Option<SellerView>, CatalogError> {
    let row = sqlx::query(
        "SELECT slug, store_name, description, logo_key, return_days, return_policy FROM sellers \
         WHERE slug = $1 AND status = 'active'",
    )
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(SellerView {
            slug: r.try_get("slug")?,
            store_name: r.try_get("store_name")?,
            description: r.try_get("description")?,
            logo_url: r
                .try_get::<Option<String>, _>("logo_key")?
                .map(|k| images::thumb_url(&k, 160)),
            returns: Returns {
                days: r.try_get("return_days")?,
                policy: r.try_get("return_policy")?,
            },
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

/// The id behind a product URL (any status), for caches keyed by URL but invalidated by product.
pub async fn product_id_by_slug(db: &Db, slug: &str) -> Result<Option<i64>, CatalogError> {
    Ok(sqlx::query_scalar("SELECT id FROM products WHERE slug = $1")
        .bind(slug)
        .fetch_optional(db.pool())
        .await?)
}

/// The title of an active product, for its generated image.
pub async fn product_title(db: &Db, id: i64) -> Result<Option<String>, CatalogError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT p.title FROM products p WHERE p.id = $1 AND p.status = 'active' AND {STORE_SELLS}"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

impl From<CatalogError> for crate::platform::Problem {
    fn from(err: CatalogError) -> Self {
        use crate::platform::Problem;
        match err {
            CatalogError::NotFound => Problem::NotFound,
            CatalogError::Invalid(fields) => Problem::Invalid(fields),
            CatalogError::Db(e) => e.into(),
            CatalogError::Search(e) => Problem::Internal(e),
            CatalogError::Conflict(message) => Problem::Conflict(message),
            CatalogError::Stale { changes, .. } => Problem::Conflict(CatalogError::stale_message(&changes)),
        }
    }
}

impl From<crate::platform::actor::NotFound> for CatalogError {
    fn from(_: crate::platform::actor::NotFound) -> Self {
        CatalogError::NotFound
    }
}
