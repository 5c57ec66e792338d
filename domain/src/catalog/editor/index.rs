//! The products list of the portal: search (title or SKU), filters (status, category, stock), sort and keyset
//! pages, each from the URL.

use model::catalog::Money;
use model::product_form::ProductStatus;
use model::sellers::{ProductFilter, ProductPage, ProductRow};

use super::PAGE;
use crate::catalog::CatalogError;
use crate::platform::{Actor, Db};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    slug: String,
    status: String,
    category_name: String,
    min_price: i64,
    currency: String,
    variants: i64,
    available: i64,
    pictures: i64,
    updated_at: i64,
}

/// The sort column and whether it runs ascending by default.
fn sort_of(filter: &ProductFilter) -> (&'static str, bool) {
    let (column, natural_asc) = match filter.sort.as_str() {
        "title" => ("p.title", true),
        "price" => ("p.min_price", true),
        _ => ("p.updated_at", false),
    };
    let asc = match filter.dir.as_str() {
        "asc" => true,
        "desc" => false,
        _ => natural_asc,
    };
    (column, asc)
}

/// A page of the actor's own products. Keyset paging on (sort column, id): page 500 costs what page 1 does.
pub async fn list(db: &Db, actor: &Actor, filter: &ProductFilter) -> Result<ProductPage, CatalogError> {
    let store = actor.own_store()?;
    let Where {
        conditions,
        mut texts,
        mut ints,
    } = filtered_by(filter, store);
    let filtered = conditions.join(" AND ");
    let filter_texts = texts.len();
    let (column, asc) = sort_of(filter);
    let mut page_conditions = conditions.clone();
    if let Some(after) = after_cursor(filter, column, asc, &mut texts, &mut ints) {
        page_conditions.push(after);
    }
    let rows = page_rows(db, &page_conditions, column, asc, &ints, &texts).await?;
    let total = count_filtered(db, store, &filtered, &texts[..filter_texts]).await?;
    let mut rows = rows;
    let next = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| cursor_of(filter, r))
    } else {
        None
    };
    let categories = sqlx::query_as::<_, (String, String)>(
        "SELECT DISTINCT c.slug, c.name FROM categories c JOIN products p ON p.category_id = c.id \
         WHERE p.seller_id = $1 ORDER BY c.name",
    )
    .bind(store)
    .fetch_all(db.pool())
    .await?;
    let mut conn = db.pool().acquire().await?;
    let (store_name, store_slug) = super::store_names(&mut conn, store).await?;
    let tags = super::tags::store_tags(&mut conn, store).await?;
    Ok(ProductPage {
        store_name,
        store_slug,
        total,
        items: rows.into_iter().map(product_row).collect(),
        next,
        categories,
        tags,
    })
}

/// The condition that starts the page after the filter's cursor, its values pushed after the filter's; `None` on
/// the first page.
fn after_cursor(
    filter: &ProductFilter,
    column: &str,
    asc: bool,
    texts: &mut Vec<String>,
    ints: &mut Vec<i64>,
) -> Option<String> {
    // A cursor of another sort's kind (a title compared with a number) is no cursor: the first page.
    let text_sort = filter.sort == "title";
    let cursor = parse_cursor(&filter.after).filter(|(v, _)| matches!(v, CursorValue::Text(_)) == text_sort);
    let (value, id) = cursor?;
    let (cmp, tie) = if asc { (">", ">") } else { ("<", "<") };
    match value {
        CursorValue::Int(v) => {
            ints.push(v);
            let vi = ints.len();
            ints.push(id);
            let ii = ints.len();
            Some(format!(
                "({column} {cmp} ${vi} OR ({column} = ${vi} AND p.id {tie} ${ii}))"
            ))
        }
        CursorValue::Text(v) => {
            texts.push(v);
            let ti = texts.len();
            ints.push(id);
            let ii = ints.len();
            Some(format!(
                "({column} {cmp} ${{t{ti}}} OR ({column} = ${{t{ti}}} AND p.id {tie} ${ii}))"
            ))
        }
    }
}

/// The page's rows (one more than a page, to tell whether another follows), sorted on `column` then id.
async fn page_rows(
    db: &Db,
    conditions: &[String],
    column: &str,
    asc: bool,
    ints: &[i64],
    texts: &[String],
) -> Result<Vec<Row>, sqlx::Error> {
    let direction = if asc { "ASC" } else { "DESC" };
    let select = format!(
        "SELECT p.id, p.title, p.slug, p.status, c.name AS category_name, p.min_price, p.currency, \
         (SELECT COUNT(*) FROM variants cv WHERE cv.product_id = p.id) AS variants, {UNITS} AS available, \
         (SELECT COUNT(*) FROM product_images pi WHERE pi.product_id = p.id) AS pictures, p.updated_at \
         FROM products p JOIN categories c ON c.id = p.category_id WHERE {} \
         ORDER BY {column} {direction}, p.id {direction} LIMIT {}",
        conditions.join(" AND "),
        PAGE + 1
    );
    let select = renumber(&select, ints.len(), texts.len());
    let mut query = sqlx::query_as::<_, Row>(&select);
    for v in ints {
        query = query.bind(*v);
    }
    for t in texts {
        query = query.bind(t.as_str());
    }
    query.fetch_all(db.pool()).await
}

/// How many of the store's products the filter matches (`filtered`, with its `texts`), whatever the page.
async fn count_filtered(db: &Db, store: i64, filtered: &str, texts: &[String]) -> Result<i64, sqlx::Error> {
    // The count binds only the filter's arguments: the store id, then the filter's texts (no cursor values).
    let count_sql = renumber(
        &format!("SELECT COUNT(*) FROM products p WHERE {filtered}"),
        1,
        texts.len(),
    );
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(store);
    for t in texts {
        count = count.bind(t.as_str());
    }
    count.fetch_one(db.pool()).await
}

fn product_row(r: Row) -> ProductRow {
    ProductRow {
        id: r.id,
        title: r.title,
        slug: r.slug,
        status: r.status,
        category_name: r.category_name,
        price: (r.variants > 0).then(|| Money::new(r.min_price, r.currency)),
        variants: r.variants,
        available: r.available,
        has_picture: r.pictures > 0,
        updated_at: r.updated_at,
    }
}

/// Numbers the `${tN}` text placeholders after the `ints` integer ones: arguments are bound ints first, then texts.
fn renumber(sql: &str, ints: usize, texts: usize) -> String {
    let mut sql = sql.to_string();
    // Highest first, so ${t1} does not match inside ${t10}.
    for n in (1..=texts).rev() {
        sql = sql.replace(&format!("${{t{n}}}"), &format!("${}", ints + n));
    }
    sql
}

enum CursorValue {
    Int(i64),
    Text(String),
}

fn cursor_of(filter: &ProductFilter, row: &Row) -> String {
    let value = match filter.sort.as_str() {
        "title" => format!("s{}", row.title),
        "price" => format!("i{}", row.min_price),
        _ => format!("i{}", row.updated_at),
    };
    format!("{}~{value}", row.id)
}

fn parse_cursor(cursor: &str) -> Option<(CursorValue, i64)> {
    let (id, value) = cursor.split_once('~')?;
    let id = id.parse().ok()?;
    let value = match value.split_at_checked(1)? {
        ("i", v) => CursorValue::Int(v.parse().ok()?),
        // No title holds a control character: such a cursor is crafted (and a NUL would fail the query).
        ("s", v) if !v.chars().any(char::is_control) => CursorValue::Text(v.to_string()),
        _ => return None,
    };
    Some((value, id))
}

/// The conditions of a filter and their arguments. Placeholders are numbered in the order arguments are bound:
/// ints first (`$1` is the store), then texts (`${tN}`, renumbered once the ints are known).
struct Where {
    conditions: Vec<String>,
    texts: Vec<String>,
    ints: Vec<i64>,
}

/// The total units of a product across its variants and warehouses.
const UNITS: &str = "CAST(COALESCE((SELECT SUM(st.available) FROM stock st JOIN variants sv ON sv.id = st.variant_id \
                     WHERE sv.product_id = p.id), 0) AS BIGINT)";

fn filtered_by(filter: &ProductFilter, store: i64) -> Where {
    let mut conditions = vec!["p.seller_id = $1".to_string()];
    let mut texts: Vec<String> = Vec::new();
    let q = crate::platform::text::search_words(&filter.q, 200);
    let units = UNITS;
    if let Some(status) = ProductStatus::parse(&filter.status) {
        texts.push(status.as_str().to_string());
        conditions.push(format!("p.status = ${{t{}}}", texts.len()));
    }
    // No address holds a control character: such a filter (a NUL would fail the query) matches nothing.
    if filter.category.chars().any(char::is_control) {
        conditions.push("1 = 0".into());
    } else if !filter.category.is_empty() {
        texts.push(filter.category.clone());
        conditions.push(format!(
            "p.category_id IN (SELECT c.id FROM categories c LEFT JOIN categories r ON r.id = c.parent_id \
             WHERE c.slug = ${{t{n}}} OR r.slug = ${{t{n}}})",
            n = texts.len()
        ));
    }
    if !filter.tag.trim().is_empty() {
        // No tag holds a control character: such a filter (a NUL would fail the query) matches nothing.
        match crate::platform::text::line(&filter.tag, super::TAG_MAX) {
            Ok(tag) => {
                texts.push(super::tag_key(&tag));
                conditions.push(format!(
                    "EXISTS (SELECT 1 FROM product_tags t WHERE t.product_id = p.id AND t.tag_key = ${{t{}}})",
                    texts.len()
                ));
            }
            Err(_) => conditions.push("1 = 0".into()),
        }
    }
    if !q.is_empty() {
        let escaped = crate::platform::text::like_literal(&q);
        texts.push(format!("%{escaped}%"));
        let n = texts.len();
        conditions.push(format!(
            "(LOWER(p.title) LIKE ${{t{n}}} ESCAPE '\\' OR EXISTS (SELECT 1 FROM variants sv WHERE sv.product_id = p.id \
             AND LOWER(sv.sku) LIKE ${{t{n}}} ESCAPE '\\'))"
        ));
    }
    match filter.stock.as_str() {
        "out" => conditions.push(format!("{units} <= 0")),
        "in" => conditions.push(format!("{units} > 0")),
        "low" => conditions.push(
            "EXISTS (SELECT 1 FROM variants lv JOIN sellers ls ON ls.id = p.seller_id WHERE lv.product_id = p.id \
             AND CAST(COALESCE((SELECT SUM(st.available) FROM stock st WHERE st.variant_id = lv.id), 0) AS BIGINT) \
             BETWEEN 1 AND COALESCE(lv.low_stock_threshold, ls.low_stock_default))"
                .to_string(),
        ),
        _ => {}
    }
    Where {
        conditions,
        texts,
        ints: vec![store],
    }
}
