//! The seller's own products: the index (search, filters, sort, keyset pages), the editor's data, the product
//! form's rules (every wrong field named at once), the option matrix, and saving with optimistic concurrency (a
//! version column: a save from a form opened at an older version is refused with what changed).
//!
//! Every query carries the acting seller's store id from the actor, never from the request; an id of another
//! store's product answers `NotFound`, as for one that does not exist.

use std::collections::{BTreeSet, HashMap};

use model::catalog::Money;
use model::sellers::{
    AttributeField, AttributeInput, ImageInput, OptionInput, PictureView, ProductEditor, ProductFilter, ProductForm,
    ProductPage, ProductRow, StockInput, VariantInput,
};
use model::FieldError;
use sqlx::AnyConnection;

use super::attributes::{definitions_for, AttributeDefinition};
use super::CatalogError;
use crate::platform::clock::now_ms;
use crate::platform::db::is_unique_violation;
use crate::platform::ids::next_id;
use crate::platform::text::{self, slugify, TextProblem};
use crate::platform::{outbox, Actor, Db};

/// Products per page of the index.
pub const PAGE: i64 = 25;
pub const TITLE_MAX: usize = 150;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const MAX_OPTIONS: usize = 3;
pub const MAX_VARIANTS: usize = 100;
pub const SKU_MAX: usize = 64;
/// The largest price a variant may have: 1,000,000.00.
pub const PRICE_MAX: i64 = 100_000_000;
pub use crate::inventory::UNITS_MAX;
pub const ALT_MAX: usize = 200;
pub const OPTION_NAME_MAX: usize = 40;
/// The most pictures a product has, and the most one upload adds.
pub const MAX_PICTURES: usize = 20;
pub const MAX_PICTURES_PER_UPLOAD: usize = 8;
pub const OPTION_VALUE_MAX: usize = 60;
/// The shop's one currency today (checkout and payments are in it).
pub const CURRENCY: &str = "USD";

/// The store the actor runs: seller screens are for sellers (an admin acts on a store through the admin UI).
pub(super) fn own_store(actor: &Actor) -> Result<i64, CatalogError> {
    actor.store_id().ok_or(CatalogError::NotFound)
}

// ---------------------------------------------------------------------------------------------------------------
// The index

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
    let store = own_store(actor)?;
    let mut conditions = vec!["p.seller_id = $1".to_string()];
    let mut texts: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = vec![store];
    // Placeholders are numbered in the order arguments are bound: ints first, then texts.
    let q = filter.q.trim().to_lowercase();
    if ["draft", "active", "archived"].contains(&filter.status.as_str()) {
        texts.push(filter.status.clone());
        conditions.push(format!("p.status = ${{t{}}}", texts.len()));
    }
    if !filter.category.is_empty() {
        texts.push(filter.category.clone());
        conditions.push(format!(
            "p.category_id IN (SELECT c.id FROM categories c LEFT JOIN categories r ON r.id = c.parent_id \
             WHERE c.slug = ${{t{n}}} OR r.slug = ${{t{n}}})",
            n = texts.len()
        ));
    }
    if !q.is_empty() {
        let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        texts.push(format!("%{escaped}%"));
        let n = texts.len();
        conditions.push(format!(
            "(LOWER(p.title) LIKE ${{t{n}}} ESCAPE '\\' OR EXISTS (SELECT 1 FROM variants sv WHERE sv.product_id = p.id \
             AND LOWER(sv.sku) LIKE ${{t{n}}} ESCAPE '\\'))"
        ));
    }
    let units = "CAST(COALESCE((SELECT SUM(st.available) FROM stock st JOIN variants sv ON sv.id = st.variant_id \
                 WHERE sv.product_id = p.id), 0) AS BIGINT)";
    match filter.stock.as_str() {
        "out" => conditions.push(format!("{units} = 0")),
        "in" => conditions.push(format!("{units} > 0")),
        "low" => conditions.push(
            "EXISTS (SELECT 1 FROM variants lv JOIN sellers ls ON ls.id = p.seller_id WHERE lv.product_id = p.id \
             AND CAST(COALESCE((SELECT SUM(st.available) FROM stock st WHERE st.variant_id = lv.id), 0) AS BIGINT) \
             BETWEEN 1 AND COALESCE(lv.low_stock_threshold, ls.low_stock_default))"
                .to_string(),
        ),
        _ => {}
    }
    let filtered = conditions.join(" AND ");
    let filter_texts = texts.len();
    let (column, asc) = sort_of(filter);
    let mut page_conditions = conditions.clone();
    // A cursor of another sort's kind (a title compared with a number) is no cursor: the first page.
    let text_sort = filter.sort == "title";
    let cursor = parse_cursor(&filter.after).filter(|(v, _)| matches!(v, CursorValue::Text(_)) == text_sort);
    if let Some((value, id)) = cursor {
        let (cmp, tie) = if asc { (">", ">") } else { ("<", "<") };
        match value {
            CursorValue::Int(v) => {
                ints.push(v);
                let vi = ints.len();
                ints.push(id);
                let ii = ints.len();
                page_conditions.push(format!(
                    "({column} {cmp} ${vi} OR ({column} = ${vi} AND p.id {tie} ${ii}))"
                ));
            }
            CursorValue::Text(v) => {
                texts.push(v);
                let ti = texts.len();
                ints.push(id);
                let ii = ints.len();
                page_conditions.push(format!(
                    "({column} {cmp} ${{t{ti}}} OR ({column} = ${{t{ti}}} AND p.id {tie} ${ii}))"
                ));
            }
        }
    }
    let direction = if asc { "ASC" } else { "DESC" };
    let select = format!(
        "SELECT p.id, p.title, p.slug, p.status, c.name AS category_name, p.min_price, p.currency, \
         (SELECT COUNT(*) FROM variants cv WHERE cv.product_id = p.id) AS variants, {units} AS available, \
         (SELECT COUNT(*) FROM product_images pi WHERE pi.product_id = p.id) AS pictures, p.updated_at \
         FROM products p JOIN categories c ON c.id = p.category_id WHERE {} \
         ORDER BY {column} {direction}, p.id {direction} LIMIT {}",
        page_conditions.join(" AND "),
        PAGE + 1
    );
    let select = renumber(&select, ints.len(), texts.len());
    let mut query = sqlx::query_as::<_, Row>(&select);
    for v in &ints {
        query = query.bind(*v);
    }
    for t in &texts {
        query = query.bind(t.as_str());
    }
    let rows = query.fetch_all(db.pool()).await?;
    // The count binds only the filter's arguments: the store id, then the filter's texts (no cursor values).
    let count_sql = renumber(
        &format!("SELECT COUNT(*) FROM products p WHERE {filtered}"),
        1,
        filter_texts,
    );
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(store);
    for t in &texts[..filter_texts] {
        count = count.bind(t.as_str());
    }
    let total = count.fetch_one(db.pool()).await?;
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
    let (store_name, store_slug): (String, String) =
        sqlx::query_as("SELECT store_name, slug FROM sellers WHERE id = $1")
            .bind(store)
            .fetch_one(db.pool())
            .await?;
    Ok(ProductPage {
        store_name,
        store_slug,
        total,
        items: rows
            .into_iter()
            .map(|r| ProductRow {
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
            })
            .collect(),
        next,
        categories,
    })
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
        ("s", v) => CursorValue::Text(v.to_string()),
        _ => return None,
    };
    Some((value, id))
}

// ---------------------------------------------------------------------------------------------------------------
// The editor

/// Leaf categories (those products live in) as "Parent › Name", for the category select.
pub(super) async fn leaf_categories(db: &Db) -> Result<Vec<(i64, String)>, CatalogError> {
    let all = super::categories(db).await?;
    let mut out: Vec<(i64, String)> = all
        .iter()
        .filter(|c| !all.iter().any(|d| d.parent_id == Some(c.id)))
        .map(|c| {
            let parent = c.parent_id.and_then(|p| all.iter().find(|d| d.id == p));
            let label = match parent {
                Some(p) => format!("{} › {}", p.name, c.name),
                None => c.name.clone(),
            };
            (c.id, label)
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

fn attribute_fields(defs: &[AttributeDefinition]) -> Vec<AttributeField> {
    defs.iter()
        .map(|d| AttributeField {
            name: d.name.clone(),
            kind: match d.kind {
                super::attributes::AttributeKind::Text => "text",
                super::attributes::AttributeKind::Number => "number",
                super::attributes::AttributeKind::Boolean => "boolean",
                super::attributes::AttributeKind::Choice => "choice",
            }
            .to_string(),
            choices: d.choices.clone(),
            unit: d.unit.clone(),
        })
        .collect()
}

pub(super) async fn warehouses_of(conn: &mut AnyConnection, store: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM warehouses WHERE seller_id = $1 ORDER BY created_at, id")
        .bind(store)
        .fetch_all(&mut *conn)
        .await
}

/// Money typed as "12.99" from minor units.
pub fn money_text(amount: i64) -> String {
    format!("{}.{:02}", amount / 100, amount % 100)
}

/// A stored variant: id, SKU, options JSON, price, compare-at price, weight.
type VariantRow = (i64, String, String, i64, Option<i64>, i64);

/// The stored product as the form shows it, with the version it was read at.
pub(super) async fn load_form(conn: &mut AnyConnection, store: i64, id: i64) -> Result<ProductForm, CatalogError> {
    let product: Option<(String, i64, String, String, i64)> = sqlx::query_as(
        "SELECT title, category_id, description_md, status, version FROM products WHERE id = $1 AND seller_id = $2",
    )
    .bind(id)
    .bind(store)
    .fetch_optional(&mut *conn)
    .await?;
    let (title, category, description, status, version) = product.ok_or(CatalogError::NotFound)?;
    let attributes: Vec<(String, String)> =
        sqlx::query_as("SELECT name, value FROM product_attributes WHERE product_id = $1 ORDER BY position, name")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let variants: Vec<VariantRow> = sqlx::query_as(
        "SELECT id, sku, options, price, compare_at_price, weight_grams FROM variants WHERE product_id = $1 \
         ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let warehouses = warehouses_of(conn, store).await?;
    let levels: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT st.variant_id, st.warehouse_id, st.available FROM stock st JOIN variants v ON v.id = st.variant_id \
         WHERE v.product_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let levels: HashMap<(i64, i64), i64> = levels.into_iter().map(|(v, w, n)| ((v, w), n)).collect();
    // Options in the order the variants first use them; values in first-use order.
    let mut options: Vec<OptionInput> = Vec::new();
    let parsed: Vec<Vec<(String, String)>> = variants.iter().map(|v| super::parse_options(&v.2)).collect();
    for pairs in &parsed {
        for (name, value) in pairs {
            match options.iter_mut().find(|o| &o.name == name) {
                Some(o) => {
                    if !o.values.split(", ").any(|v| v == value) {
                        o.values.push_str(", ");
                        o.values.push_str(value);
                    }
                }
                None => options.push(OptionInput {
                    name: name.clone(),
                    values: value.clone(),
                }),
            }
        }
    }
    let variants = variants
        .iter()
        .zip(&parsed)
        .map(|((vid, sku, _, price, compare_at, weight), pairs)| VariantInput {
            id: vid.to_string(),
            values: options
                .iter()
                .map(|o| {
                    pairs
                        .iter()
                        .find(|(n, _)| *n == o.name)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .collect(),
            sku: sku.clone(),
            price: money_text(*price),
            compare_at: compare_at.map(money_text).unwrap_or_default(),
            weight: weight.to_string(),
            stock: warehouses
                .iter()
                .map(|(w, _)| {
                    let units = levels.get(&(*vid, *w)).copied().unwrap_or(0).to_string();
                    StockInput {
                        warehouse: w.to_string(),
                        was: units.clone(),
                        units,
                    }
                })
                .collect(),
            remove: String::new(),
        })
        .collect();
    let images: Vec<(String, String)> =
        sqlx::query_as("SELECT image_key, alt FROM product_images WHERE product_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(ProductForm {
        id: id.to_string(),
        version: version.to_string(),
        title,
        category: category.to_string(),
        description,
        status,
        attributes: attributes
            .into_iter()
            .map(|(name, value)| AttributeInput { name, value })
            .collect(),
        options,
        variants,
        images: images
            .into_iter()
            .enumerate()
            .map(|(i, (key, alt))| ImageInput {
                key,
                alt,
                position: (i + 1).to_string(),
                remove: String::new(),
            })
            .collect(),
    })
}

/// What the editor shows for product `id` (`None`: a new product), or for `kept`, the form as typed when a
/// save was refused or an option matrix was generated.
pub async fn editor(
    db: &Db,
    actor: &Actor,
    id: Option<i64>,
    kept: Option<ProductForm>,
) -> Result<ProductEditor, CatalogError> {
    let store = own_store(actor)?;
    let mut conn = db.pool().acquire().await?;
    let (store_name, store_slug): (String, String) =
        sqlx::query_as("SELECT store_name, slug FROM sellers WHERE id = $1")
            .bind(store)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(CatalogError::NotFound)?;
    let warehouses = warehouses_of(&mut conn, store).await?;
    let (stored, slug) = match id {
        Some(id) => {
            let form = load_form(&mut conn, store, id).await?;
            let slug: String = sqlx::query_scalar("SELECT slug FROM products WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
            (Some(form), Some(slug))
        }
        None => (None, None),
    };
    // A kept form belongs to this product only (a stale one of another product is ignored).
    let kept = kept.filter(|k| k.id == id.map(|i| i.to_string()).unwrap_or_default());
    let form = match (kept, stored) {
        (Some(kept), _) => kept,
        (None, Some(stored)) => stored,
        (None, None) => new_form(&warehouses),
    };
    let categories = leaf_categories(db).await?;
    let attributes = match form.category.parse::<i64>() {
        Ok(category) => attribute_fields(&definitions_for(db, category).await.unwrap_or_default()),
        Err(_) => Vec::new(),
    };
    let pictures = match id {
        Some(id) => sqlx::query_as::<_, (String, String)>(
            "SELECT image_key, alt FROM product_images WHERE product_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(key, alt)| PictureView {
            url: super::images::thumb_url(&key, 160),
            key,
            alt,
        })
        .collect(),
        None => Vec::new(),
    };
    Ok(ProductEditor {
        store_name,
        store_slug,
        form,
        categories,
        attributes,
        warehouses,
        pictures,
        slug,
        currency: CURRENCY.to_string(),
    })
}

/// A new product's form: a draft with one variant row and nothing typed.
pub(super) fn new_form(warehouses: &[(i64, String)]) -> ProductForm {
    ProductForm {
        status: "draft".into(),
        variants: vec![VariantInput {
            stock: warehouses
                .iter()
                .map(|(w, _)| StockInput {
                    warehouse: w.to_string(),
                    units: "0".into(),
                    was: String::new(),
                })
                .collect(),
            ..VariantInput::default()
        }],
        ..ProductForm::default()
    }
}

/// The option matrix: every combination of the options' values (Size S, M, L × Colour Red, Blue → 6 rows), in
/// order. A row that already exists (same values) keeps what was typed in it; new rows start from the first
/// row's price and weight, with a suggested SKU; rows no combination needs are dropped.
pub fn generate_variants(form: &ProductForm, sku_prefix: &str) -> ProductForm {
    let options: Vec<(String, Vec<String>)> = form
        .options
        .iter()
        .filter(|o| !o.name.trim().is_empty())
        .take(MAX_OPTIONS)
        .map(|o| (o.name.trim().to_string(), split_values(&o.values)))
        .filter(|(_, values)| !values.is_empty())
        .collect();
    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
    for (_, values) in &options {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut next = c.clone();
                    next.push(v.clone());
                    next
                })
            })
            .take(MAX_VARIANTS)
            .collect();
    }
    let template = form.variants.first().cloned().unwrap_or_default();
    let variants = combos
        .into_iter()
        .map(|values| {
            match form
                .variants
                .iter()
                .find(|v| v.values.iter().map(|s| s.trim()).eq(values.iter().map(String::as_str)))
            {
                Some(existing) => existing.clone(),
                None => VariantInput {
                    id: String::new(),
                    sku: suggest_sku(sku_prefix, &form.title, &values),
                    price: template.price.clone(),
                    compare_at: template.compare_at.clone(),
                    weight: template.weight.clone(),
                    stock: template
                        .stock
                        .iter()
                        .map(|s| StockInput {
                            warehouse: s.warehouse.clone(),
                            units: "0".into(),
                            was: String::new(),
                        })
                        .collect(),
                    remove: String::new(),
                    values,
                },
            }
        })
        .collect();
    let mut out = form.clone();
    out.options = options
        .into_iter()
        .map(|(name, values)| OptionInput {
            name,
            values: values.join(", "),
        })
        .collect();
    out.variants = variants;
    out
}

fn split_values(typed: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    typed
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .filter(|v| seen.insert(v.to_lowercase()))
        .map(str::to_string)
        .collect()
}

/// A SKU from the store's prefix, the title's first words and the option values: `OAK-COPPER-KETTLE-M-RED`.
pub fn suggest_sku(prefix: &str, title: &str, values: &[String]) -> String {
    let mut parts: Vec<String> = vec![prefix.to_uppercase()];
    parts.extend(
        slugify(title)
            .split('-')
            .filter(|w| !w.is_empty())
            .take(3)
            .map(str::to_uppercase),
    );
    parts.extend(
        values
            .iter()
            .map(|v| slugify(v).to_uppercase())
            .filter(|v| !v.is_empty()),
    );
    let sku = parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    sku.chars().take(SKU_MAX).collect()
}

/// The prefix of a store's suggested SKUs: the first letters of its address's words (`oak-iron` → `OI`).
pub fn sku_prefix(store_slug: &str) -> String {
    let initials: String = store_slug.split('-').filter_map(|w| w.chars().next()).collect();
    initials.to_uppercase()
}

// ---------------------------------------------------------------------------------------------------------------
// The form's rules

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidVariant {
    pub id: Option<i64>,
    /// (option name, value) in the options' order.
    pub options: Vec<(String, String)>,
    pub sku: String,
    pub price: i64,
    pub compare_at: Option<i64>,
    pub weight: i64,
    /// (warehouse id, units, units the form was opened with).
    pub stock: Vec<(i64, i64, Option<i64>)>,
}

impl ValidVariant {
    /// "M / Red", or "Default" for a product without options.
    pub fn title(&self) -> String {
        if self.options.is_empty() {
            "Default".into()
        } else {
            self.options
                .iter()
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
                .join(" / ")
        }
    }

    fn options_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .options
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        serde_json::Value::Object(map).to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProduct {
    pub id: Option<i64>,
    pub version: i64,
    pub title: String,
    pub category_id: i64,
    pub description: String,
    pub status: String,
    pub attributes: Vec<(String, String)>,
    pub variants: Vec<ValidVariant>,
    /// Existing variants to delete.
    pub removed: Vec<i64>,
    /// Pictures kept, in their new order, with their alt text.
    pub images: Vec<(String, String)>,
    /// The address a new product asks for (a catalog import's Handle); `None`: one made from the title.
    pub handle: Option<String>,
}

/// What the rules need to know beyond the form.
pub struct Context<'a> {
    pub categories: &'a [(i64, String)],
    pub attributes: &'a [AttributeDefinition],
    pub warehouses: &'a [(i64, String)],
    /// Keys of the product's stored pictures.
    pub pictures: &'a [String],
    pub sku_prefix: &'a str,
    /// Whether the platform lets a variant be priced 0.00 (`platform::settings::FREE_ITEMS`).
    pub free_items: bool,
}

/// A price typed as "12.99", "12" or "12,99", in minor units.
pub fn parse_money(typed: &str) -> Option<i64> {
    let t = typed.trim().trim_start_matches('$');
    let t = if t.contains('.') {
        t.to_string()
    } else {
        t.replace(',', ".")
    };
    let (whole, cents) = match t.split_once('.') {
        Some((w, c)) if c.len() <= 2 && !c.is_empty() => (w, format!("{c:0<2}")),
        Some(_) => return None,
        None => (t.as_str(), "00".to_string()),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !cents.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents.parse::<i64>().ok()?)?;
    (amount <= PRICE_MAX).then_some(amount)
}

fn whole_number(typed: &str, max: i64) -> Option<i64> {
    let t = typed.trim();
    if t.is_empty() {
        return Some(0);
    }
    t.parse::<i64>().ok().filter(|n| (0..=max).contains(n))
}

fn sku_ok(sku: &str) -> bool {
    !sku.is_empty()
        && sku.len() <= SKU_MAX
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Checks the whole form; every wrong field is named (`variants-2-price`, `attributes-0`…) at once.
pub fn validate(form: &ProductForm, cx: &Context<'_>) -> Result<ValidProduct, Vec<FieldError>> {
    let mut errors = Vec::new();
    let id = match form.id.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new("id", "This form is damaged; reload the page."));
                None
            }
        },
    };
    let version = form.version.trim().parse::<i64>().unwrap_or(0);
    let mut checked = |field: String, typed: &str, rule: fn(&str, usize) -> Result<String, TextProblem>, max| {
        rule(typed, max).unwrap_or_else(|problem| {
            errors.push(FieldError::new(field, problem.message()));
            String::new()
        })
    };
    let title = checked("title".into(), &form.title, text::line, TITLE_MAX);
    let description = checked("description".into(), &form.description, text::lines, DESCRIPTION_MAX);
    let option_names: Vec<String> = form
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| checked(format!("options-{i}-name"), &o.name, text::line, OPTION_NAME_MAX))
        .collect();
    let mut bad_values = Vec::new();
    for (i, v) in form.variants.iter().enumerate() {
        for value in &v.values {
            if let Err(problem) = text::line(value, OPTION_VALUE_MAX) {
                bad_values.push(FieldError::new(format!("variants-{i}-values"), problem.message()));
                break;
            }
        }
    }
    errors.extend(bad_values);
    if title.is_empty() && !errors.iter().any(|e| e.field == "title") {
        errors.push(FieldError::new("title", "Enter the product's title."));
    }
    let category_id = form
        .category
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|c| cx.categories.iter().any(|(id, _)| id == c));
    if category_id.is_none() {
        errors.push(FieldError::new(
            "category",
            "Choose the category shoppers will find it in.",
        ));
    }
    let mut attributes = Vec::new();
    for (i, def) in cx.attributes.iter().enumerate() {
        let typed = form
            .attributes
            .iter()
            .find(|a| a.name == def.name)
            .map(|a| a.value.trim())
            .unwrap_or_default();
        if typed.is_empty() {
            continue; // attributes are optional; an empty one is simply not shown
        }
        match def.validate(typed) {
            Ok(value) => attributes.push((def.name.clone(), value)),
            Err(e) => errors.push(FieldError::new(format!("attributes-{i}"), e.message)),
        }
    }
    let options: Vec<(usize, String)> = option_names
        .into_iter()
        .enumerate()
        .filter(|(_, name)| !name.is_empty())
        .collect();
    if options.len() > MAX_OPTIONS {
        errors.push(FieldError::new(
            "options",
            format!("Use at most {MAX_OPTIONS} options."),
        ));
    }
    for (n, (i, name)) in options.iter().enumerate() {
        if options[..n].iter().any(|(_, other)| other.eq_ignore_ascii_case(name)) {
            errors.push(FieldError::new(
                format!("options-{i}-name"),
                "Each option needs its own name.",
            ));
        }
    }
    let mut variants: Vec<ValidVariant> = Vec::new();
    let mut removed = Vec::new();
    let mut seen_skus: Vec<String> = Vec::new();
    let mut seen_values: Vec<Vec<String>> = Vec::new();
    for (i, v) in form.variants.iter().enumerate() {
        let vid = v.id.trim().parse::<i64>().ok();
        if v.remove == "on" {
            removed.extend(vid);
            continue;
        }
        let field = |name: &str| format!("variants-{i}-{name}");
        let mut values = Vec::new();
        for (n, (_, name)) in options.iter().enumerate() {
            let value = v.values.get(n).map(|s| s.trim()).unwrap_or_default();
            if value.is_empty() {
                errors.push(FieldError::new(field("values"), format!("Give this variant a {name}.")));
            }
            values.push((name.clone(), value.to_string()));
        }
        let key: Vec<String> = values.iter().map(|(_, v)| v.to_lowercase()).collect();
        if seen_values.contains(&key) && !options.is_empty() {
            errors.push(FieldError::new(field("values"), "Two variants have the same options."));
        }
        seen_values.push(key);
        let mut sku = v.sku.trim().to_string();
        if sku.is_empty() {
            let vals: Vec<String> = values.iter().map(|(_, v)| v.clone()).collect();
            sku = suggest_sku(cx.sku_prefix, &title, &vals);
            let base = sku.clone();
            let mut n = 2;
            while seen_skus.iter().any(|s| s.eq_ignore_ascii_case(&sku)) {
                sku = format!("{base}-{n}");
                n += 1;
            }
        }
        if !sku_ok(&sku) {
            errors.push(FieldError::new(
                field("sku"),
                format!("Use up to {SKU_MAX} letters, digits, '-', '_' or '.'."),
            ));
        } else if seen_skus.iter().any(|s| s.eq_ignore_ascii_case(&sku)) {
            errors.push(FieldError::new(
                field("sku"),
                "Two variants have this SKU; each needs its own.",
            ));
        }
        seen_skus.push(sku.clone());
        let price = parse_money(&v.price);
        match price {
            None => errors.push(FieldError::new(field("price"), "Enter a price like 12.99.")),
            // A slip of the keyboard would otherwise sell the item for nothing (and mark its order paid).
            Some(0) if !cx.free_items => errors.push(FieldError::new(
                field("price"),
                "Enter a price above 0.00: Bazaar does not sell items for free.",
            )),
            Some(_) => {}
        }
        let compare_at = match v.compare_at.trim() {
            "" => None,
            typed => match parse_money(typed) {
                Some(c) if price.is_some_and(|p| c > p) => Some(c),
                Some(_) => {
                    errors.push(FieldError::new(
                        field("compare_at"),
                        "The compare-at price must be higher than the price (or left empty).",
                    ));
                    None
                }
                None => {
                    errors.push(FieldError::new(
                        field("compare_at"),
                        "Enter a price like 19.99, or leave it empty.",
                    ));
                    None
                }
            },
        };
        let weight = whole_number(&v.weight, 1_000_000);
        if weight.is_none() {
            errors.push(FieldError::new(field("weight"), "Enter the weight in whole grams."));
        }
        let mut stock = Vec::new();
        for (w, cell) in v.stock.iter().enumerate() {
            let Some(warehouse) = cell
                .warehouse
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| cx.warehouses.iter().any(|(w, _)| w == id))
            else {
                errors.push(FieldError::new(
                    format!("variants-{i}-stock-{w}"),
                    "Unknown warehouse; reload the page.",
                ));
                continue;
            };
            match whole_number(&cell.units, UNITS_MAX) {
                Some(units) => stock.push((warehouse, units, cell.was.trim().parse::<i64>().ok())),
                None => errors.push(FieldError::new(
                    format!("variants-{i}-stock-{w}"),
                    format!("Enter a whole number of units from 0 to {UNITS_MAX}."),
                )),
            }
        }
        variants.push(ValidVariant {
            id: vid,
            options: values,
            sku,
            price: price.unwrap_or(0),
            compare_at,
            weight: weight.unwrap_or(0),
            stock,
        });
    }
    if variants.is_empty() {
        errors.push(FieldError::new("variants", "A product needs at least one variant."));
    }
    if variants.len() > MAX_VARIANTS {
        errors.push(FieldError::new(
            "variants",
            format!("Use at most {MAX_VARIANTS} variants."),
        ));
    }
    let mut images: Vec<(i64, usize, String, String)> = Vec::new();
    for (i, img) in form.images.iter().enumerate() {
        if !cx.pictures.contains(&img.key) {
            continue; // a picture removed meanwhile (another tab): nothing to keep
        }
        if img.remove == "on" {
            continue;
        }
        let alt = match text::line(&img.alt, ALT_MAX) {
            Ok(alt) if alt.is_empty() => {
                errors.push(FieldError::new(
                    format!("images-{i}-alt"),
                    "Describe the picture for shoppers who cannot see it.",
                ));
                alt
            }
            Ok(alt) => alt,
            Err(problem) => {
                errors.push(FieldError::new(format!("images-{i}-alt"), problem.message()));
                String::new()
            }
        };
        let position = img.position.trim().parse::<i64>().unwrap_or(i as i64 + 1);
        images.push((position, i, img.key.clone(), alt));
    }
    images.sort_by_key(|(position, i, _, _)| (*position, *i));
    let status = form.status.trim();
    if !["draft", "active", "archived"].contains(&status) {
        errors.push(FieldError::new("status", "Choose draft, active or archived."));
    } else if status == "active" {
        let mut missing = Vec::new();
        if !variants.iter().any(|v| v.price > 0) {
            missing.push("a price above zero");
        }
        if images.is_empty() {
            missing.push("a picture");
        }
        if !missing.is_empty() {
            errors.push(FieldError::new(
                "status",
                format!(
                    "To publish, add {}; until then it can be saved as a draft.",
                    missing.join(" and ")
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidProduct {
        id,
        version,
        title,
        category_id: category_id.unwrap_or_default(),
        description,
        status: status.to_string(),
        attributes,
        variants,
        removed,
        images: images.into_iter().map(|(_, _, key, alt)| (key, alt)).collect(),
        handle: None,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Saving

/// Reads what the rules need and checks the form: the store, the valid product.
pub async fn prepare(db: &Db, actor: &Actor, form: &ProductForm) -> Result<(i64, ValidProduct), CatalogError> {
    let store = own_store(actor)?;
    let mut conn = db.pool().acquire().await?;
    let slug: String = sqlx::query_scalar("SELECT slug FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CatalogError::NotFound)?;
    let id = form.id.trim().parse::<i64>().ok();
    if let Some(id) = id {
        let mine: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(store)
            .fetch_one(&mut *conn)
            .await?;
        if mine == 0 {
            return Err(CatalogError::NotFound);
        }
    }
    let categories = leaf_categories(db).await?;
    let attributes = match form.category.trim().parse::<i64>() {
        Ok(c) if categories.iter().any(|(id, _)| *id == c) => definitions_for(db, c).await?,
        _ => Vec::new(),
    };
    let warehouses = warehouses_of(&mut conn, store).await?;
    let pictures: Vec<String> = match id {
        Some(id) => {
            sqlx::query_scalar("SELECT image_key FROM product_images WHERE product_id = $1")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
        }
        None => Vec::new(),
    };
    let cx = Context {
        categories: &categories,
        attributes: &attributes,
        warehouses: &warehouses,
        pictures: &pictures,
        sku_prefix: &sku_prefix(&slug),
        free_items: crate::platform::settings::is_on(&mut conn, crate::platform::settings::FREE_ITEMS).await?,
    };
    let valid = validate(form, &cx).map_err(CatalogError::Invalid)?;
    // A SKU is unique across the platform: name the row whose SKU another product (or variant) uses.
    let mut errors = Vec::new();
    for (i, v) in valid.variants.iter().enumerate() {
        let other: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, product_id FROM variants WHERE LOWER(sku) = LOWER($1) LIMIT 1")
                .bind(&v.sku)
                .fetch_optional(&mut *conn)
                .await?;
        // Free: this variant's own SKU, or one of this product's variants the form removes (another product's
        // variant listed as "removed" in a crafted form frees nothing).
        let own = |(o, product): (i64, i64)| Some(o) == v.id || (Some(product) == id && valid.removed.contains(&o));
        if other.is_some_and(|o| !own(o)) {
            let row = form.variants.iter().position(|f| f.sku.trim() == v.sku).unwrap_or(i);
            errors.push(FieldError::new(
                format!("variants-{row}-sku"),
                format!("The SKU {} is already used; SKUs are unique across Bazaar.", v.sku),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    Ok((store, valid))
}

/// What a save wrote: the product and, per variant of the form (in order), its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub product_id: i64,
    pub variant_ids: Vec<i64>,
}

/// Writes the product, its attributes, variants and pictures in `conn`'s transaction. An update must name the
/// version it was read at; a stale one is refused with the changes another save made (`Stale`).
pub async fn write(conn: &mut AnyConnection, store: i64, p: &ValidProduct) -> Result<Written, CatalogError> {
    let now = now_ms();
    let search_text = format!(
        "{} {}",
        p.title,
        p.attributes
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    )
    .to_lowercase();
    let product_id = match p.id {
        Some(id) => {
            let done = sqlx::query(
                "UPDATE products SET title = $1, category_id = $2, description_md = $3, status = $4, search_text = $5, \
                 updated_at = $6, version = version + 1 WHERE id = $7 AND seller_id = $8 AND version = $9",
            )
            .bind(&p.title)
            .bind(p.category_id)
            .bind(&p.description)
            .bind(&p.status)
            .bind(&search_text)
            .bind(now)
            .bind(id)
            .bind(store)
            .bind(p.version)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                return Err(stale(conn, store, id, p).await?);
            }
            id
        }
        None => {
            let id = next_id();
            let base = p.handle.clone().unwrap_or_else(|| slugify(&p.title));
            let base = if base.is_empty() { "product".to_string() } else { base };
            let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE slug = $1")
                .bind(&base)
                .fetch_one(&mut *conn)
                .await?;
            // A taken address gets the id's last digits: unique in practice, and the insert checks it anyway.
            let slug = if taken == 0 {
                base
            } else {
                format!("{base}-{}", id % 1_000_000)
            };
            sqlx::query(
                "INSERT INTO products (id, seller_id, category_id, title, slug, description_md, status, min_price, \
                 currency, search_text, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $10, 1)",
            )
            .bind(id)
            .bind(store)
            .bind(p.category_id)
            .bind(&p.title)
            .bind(&slug)
            .bind(&p.description)
            .bind(&p.status)
            .bind(CURRENCY)
            .bind(&search_text)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(conflict_on_unique)?;
            id
        }
    };
    // A new product has nothing stored to replace (an import creates thousands: every query counts).
    let existing = p.id.is_some();
    if existing {
        sqlx::query("DELETE FROM product_attributes WHERE product_id = $1")
            .bind(product_id)
            .execute(&mut *conn)
            .await?;
    }
    for (position, (name, value)) in p.attributes.iter().enumerate() {
        sqlx::query("INSERT INTO product_attributes (product_id, name, value, position) VALUES ($1, $2, $3, $4)")
            .bind(product_id)
            .bind(name)
            .bind(value)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    for id in &p.removed {
        sqlx::query("DELETE FROM variants WHERE id = $1 AND product_id = $2")
            .bind(id)
            .bind(product_id)
            .execute(&mut *conn)
            .await?;
    }
    let mut variant_ids = Vec::new();
    for (position, v) in p.variants.iter().enumerate() {
        let id = match v.id {
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE variants SET sku = $1, title = $2, options = $3, price = $4, compare_at_price = $5, \
                     weight_grams = $6, position = $7 WHERE id = $8 AND product_id = $9",
                )
                .bind(&v.sku)
                .bind(v.title())
                .bind(v.options_json())
                .bind(v.price)
                .bind(v.compare_at)
                .bind(v.weight)
                .bind(position as i64)
                .bind(id)
                .bind(product_id)
                .execute(&mut *conn)
                .await
                .map_err(conflict_on_unique)?;
                if done.rows_affected() == 0 {
                    return Err(CatalogError::NotFound);
                }
                id
            }
            None => {
                let id = next_id();
                sqlx::query(
                    "INSERT INTO variants (id, product_id, sku, title, options, price, compare_at_price, currency, \
                     weight_grams, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(id)
                .bind(product_id)
                .bind(&v.sku)
                .bind(v.title())
                .bind(v.options_json())
                .bind(v.price)
                .bind(v.compare_at)
                .bind(CURRENCY)
                .bind(v.weight)
                .bind(position as i64)
                .execute(&mut *conn)
                .await
                .map_err(conflict_on_unique)?;
                id
            }
        };
        variant_ids.push(id);
    }
    // Pictures: the kept ones, renumbered in their new order (positions are the primary key, so rewrite them).
    // A new product has none yet (they are uploaded to a saved product).
    let stored: Vec<(String, String, i64, i64)> = if existing {
        let stored = sqlx::query_as("SELECT image_key, ext, width, height FROM product_images WHERE product_id = $1")
            .bind(product_id)
            .fetch_all(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM product_images WHERE product_id = $1")
            .bind(product_id)
            .execute(&mut *conn)
            .await?;
        stored
    } else {
        Vec::new()
    };
    for (position, (key, alt)) in p.images.iter().enumerate() {
        if let Some((_, ext, width, height)) = stored.iter().find(|s| &s.0 == key) {
            sqlx::query(
                "INSERT INTO product_images (product_id, position, image_key, ext, alt, width, height) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(product_id)
            .bind(position as i64)
            .bind(key)
            .bind(ext)
            .bind(alt)
            .bind(width)
            .bind(height)
            .execute(&mut *conn)
            .await?;
        }
    }
    refresh_listing_price(conn, product_id).await?;
    outbox::product_changed(conn, product_id).await?;
    Ok(Written {
        product_id,
        variant_ids,
    })
}

/// Keeps the product's listing price (its cheapest variant) in step with its variants.
pub async fn refresh_listing_price(conn: &mut AnyConnection, product_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE products SET min_price = COALESCE((SELECT MIN(price) FROM variants WHERE product_id = $1), 0) \
         WHERE id = $1",
    )
    .bind(product_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn conflict_on_unique(e: sqlx::Error) -> CatalogError {
    if is_unique_violation(&e) {
        CatalogError::Conflict(
            "A SKU or the product's address was just taken by another save; check the SKUs and save again.".into(),
        )
    } else {
        e.into()
    }
}

/// The refusal of a stale save: what the stored product now says where it differs from the form.
async fn stale(
    conn: &mut AnyConnection,
    store: i64,
    id: i64,
    mine: &ValidProduct,
) -> Result<CatalogError, CatalogError> {
    let now = load_form(conn, store, id).await?;
    let mut changes = Vec::new();
    if now.title.trim() != mine.title {
        changes.push(format!("the title is now “{}”", now.title));
    }
    if now.description.trim() != mine.description {
        changes.push("the description was changed".to_string());
    }
    if now.status != mine.status {
        changes.push(format!("the status is now {}", now.status));
    }
    if now.category.parse::<i64>().ok() != Some(mine.category_id) {
        changes.push("the category was changed".to_string());
    }
    for v in &now.variants {
        let label = if v.values.is_empty() {
            v.sku.clone()
        } else {
            v.values.join(" / ")
        };
        match mine
            .variants
            .iter()
            .find(|m| m.id.map(|i| i.to_string()).as_deref() == Some(v.id.as_str()))
        {
            Some(m) => {
                if parse_money(&v.price) != Some(m.price) {
                    changes.push(format!("the price of {label} is now {}", v.price));
                }
                if v.sku != m.sku {
                    changes.push(format!("the SKU of {label} is now {}", v.sku));
                }
            }
            None if !mine.removed.iter().any(|r| r.to_string() == v.id) => {
                changes.push(format!("a variant {label} was added"));
            }
            None => {}
        }
    }
    if now.images.len() != mine.images.len() {
        changes.push(format!("it now has {} picture(s)", now.images.len()));
    }
    if changes.is_empty() {
        changes.push("it was saved again with the same values".to_string());
    }
    Ok(CatalogError::Stale {
        changes,
        version: now.version.parse().unwrap_or(0),
    })
}

/// Publishes or archives several of the actor's own products at once; products of other stores are not touched
/// (and not counted). Publishing skips products that lack a price or a picture and names them.
pub async fn set_status_bulk(db: &Db, actor: &Actor, ids: &[i64], status: &str) -> Result<BulkOutcome, CatalogError> {
    let store = own_store(actor)?;
    if !["active", "archived", "draft"].contains(&status) {
        return Err(CatalogError::Invalid(vec![FieldError::new(
            "status",
            "Choose an action.",
        )]));
    }
    let mut tx = db.begin_write().await?;
    let mut outcome = BulkOutcome::default();
    for id in ids {
        let found: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT p.title, (SELECT COUNT(*) FROM variants v WHERE v.product_id = p.id AND v.price > 0), \
             (SELECT COUNT(*) FROM product_images i WHERE i.product_id = p.id) \
             FROM products p WHERE p.id = $1 AND p.seller_id = $2",
        )
        .bind(id)
        .bind(store)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((title, priced, pictures)) = found else {
            continue;
        };
        if status == "active" && (priced == 0 || pictures == 0) {
            outcome.skipped.push(title);
            continue;
        }
        sqlx::query("UPDATE products SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(status)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        outbox::product_changed(&mut tx, *id).await?;
        outcome.changed += 1;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// The titles of the actor's own products among `ids` (others are left out), for a confirmation.
pub async fn titles(db: &Db, actor: &Actor, ids: &[i64]) -> Result<Vec<(i64, String)>, CatalogError> {
    let store = own_store(actor)?;
    let mut out = Vec::new();
    for id in ids {
        let title: Option<String> = sqlx::query_scalar("SELECT title FROM products WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(store)
            .fetch_optional(db.pool())
            .await?;
        out.extend(title.map(|t| (*id, t)));
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    pub changed: usize,
    /// Titles not published: they lack a price or a picture.
    pub skipped: Vec<String>,
}

/// Sets a variant's low-stock alert level (`''` = the store's default) on the actor's own store.
pub async fn set_threshold(db: &Db, actor: &Actor, variant_id: i64, typed: &str) -> Result<(), CatalogError> {
    let store = own_store(actor)?;
    let threshold = match typed.trim() {
        "" => None,
        t => Some(
            t.parse::<i64>()
                .ok()
                .filter(|n| (0..=UNITS_MAX).contains(n))
                .ok_or_else(|| {
                    CatalogError::Invalid(vec![FieldError::new(
                        "threshold",
                        "Enter a whole number of units, or leave it empty for the store's default.",
                    )])
                })?,
        ),
    };
    let done = sqlx::query(
        "UPDATE variants SET low_stock_threshold = $1 WHERE id = $2 \
         AND product_id IN (SELECT id FROM products WHERE seller_id = $3)",
    )
    .bind(threshold)
    .bind(variant_id)
    .bind(store)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(CatalogError::NotFound);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Pictures

/// Adds uploaded pictures to the actor's own product, after the rest: each file is checked, decoded and
/// re-encoded by the `ImageStore` (metadata dropped, thumbnails made). Returns, per refused file, its name and
/// why. The product's version moves on, so a form opened before the upload cannot drop the new pictures.
pub async fn add_pictures(
    db: &Db,
    store_images: &dyn super::images::ImageStore,
    actor: &Actor,
    product_id: i64,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<(String, String)>, CatalogError> {
    let store = own_store(actor)?;
    let title: String = sqlx::query_scalar("SELECT title FROM products WHERE id = $1 AND seller_id = $2")
        .bind(product_id)
        .bind(store)
        .fetch_optional(db.pool())
        .await?
        .ok_or(CatalogError::NotFound)?;
    let mut refused = Vec::new();
    let mut stored = Vec::new();
    let had: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE product_id = $1")
        .bind(product_id)
        .fetch_one(db.pool())
        .await?;
    let room = MAX_PICTURES.saturating_sub(had as usize).min(MAX_PICTURES_PER_UPLOAD);
    for (n, (name, bytes)) in files.into_iter().enumerate() {
        if n >= room {
            refused.push((
                name,
                format!("Not added: a product has at most {MAX_PICTURES} pictures, {MAX_PICTURES_PER_UPLOAD} added at a time."),
            ));
            continue;
        }
        match store_images.put(bytes).await {
            Ok(image) => stored.push(image),
            Err(super::images::ImageError::Io(e)) => return Err(CatalogError::Search(format!("image store: {e}"))),
            Err(e) => refused.push((name, e.to_string())),
        }
    }
    if stored.is_empty() {
        return Ok(refused);
    }
    let mut tx = db.begin_write().await?;
    let existing: Vec<String> = sqlx::query_scalar("SELECT image_key FROM product_images WHERE product_id = $1")
        .bind(product_id)
        .fetch_all(&mut *tx)
        .await?;
    let mut next: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(position), -1) + 1 AS BIGINT) FROM product_images WHERE product_id = $1",
    )
    .bind(product_id)
    .fetch_one(&mut *tx)
    .await?;
    for image in stored {
        if existing.contains(&image.key) {
            continue; // the same picture twice is shown once
        }
        // Counted again in the write: two uploads at once cannot pass the limit together.
        if next as usize >= MAX_PICTURES {
            break;
        }
        sqlx::query(
            "INSERT INTO product_images (product_id, position, image_key, ext, alt, width, height) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(product_id)
        .bind(next)
        .bind(&image.key)
        .bind(image.ext)
        .bind(&title)
        .bind(i64::from(image.width))
        .bind(i64::from(image.height))
        .execute(&mut *tx)
        .await?;
        next += 1;
    }
    sqlx::query("UPDATE products SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(product_id)
        .execute(&mut *tx)
        .await?;
    outbox::product_changed(&mut tx, product_id).await?;
    tx.commit().await?;
    Ok(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx<'a>(categories: &'a [(i64, String)], warehouses: &'a [(i64, String)], pictures: &'a [String]) -> Context<'a> {
        Context {
            categories,
            attributes: &[],
            warehouses,
            pictures,
            sku_prefix: "KW",
            free_items: false,
        }
    }

    fn form() -> ProductForm {
        ProductForm {
            title: "Copper Kettle".into(),
            category: "7".into(),
            status: "draft".into(),
            options: vec![
                OptionInput {
                    name: "Size".into(),
                    values: "S, M, L".into(),
                },
                OptionInput {
                    name: "Colour".into(),
                    values: "Red, Blue, red".into(),
                },
            ],
            variants: vec![VariantInput {
                price: "24.50".into(),
                weight: "900".into(),
                stock: vec![StockInput {
                    warehouse: "1".into(),
                    units: "3".into(),
                    was: String::new(),
                }],
                ..VariantInput::default()
            }],
            ..ProductForm::default()
        }
    }

    #[test]
    fn the_option_matrix_has_every_combination_once() {
        let generated = generate_variants(&form(), "KW");
        let titles: Vec<String> = generated.variants.iter().map(|v| v.values.join(" / ")).collect();
        assert_eq!(
            titles,
            ["S / Red", "S / Blue", "M / Red", "M / Blue", "L / Red", "L / Blue"]
        );
        assert_eq!(generated.options[1].values, "Red, Blue", "repeated values are dropped");
        assert!(generated
            .variants
            .iter()
            .all(|v| v.price == "24.50" && v.weight == "900"));
        assert_eq!(generated.variants[0].sku, "KW-COPPER-KETTLE-S-RED");
        // Generating again keeps what was typed in existing rows.
        let mut edited = generated.clone();
        edited.variants[3].price = "30.00".into();
        let again = generate_variants(&edited, "KW");
        assert_eq!(again.variants[3].price, "30.00");
        assert_eq!(again.variants.len(), 6);
    }

    #[test]
    fn prices_are_read_as_typed_people_type_them() {
        assert_eq!(parse_money("12.99"), Some(1299));
        assert_eq!(parse_money("12"), Some(1200));
        assert_eq!(parse_money("12,5"), Some(1250));
        assert_eq!(parse_money("$0.99"), Some(99));
        assert_eq!(parse_money("-1"), None);
        assert_eq!(parse_money("1.999"), None);
        assert_eq!(parse_money("abc"), None);
        assert_eq!(parse_money("1000000.01"), None);
    }

    #[test]
    fn publishing_names_each_missing_piece() {
        let warehouses = [(1, "Main".to_string())];
        let categories = [(7, "Home › Kettles".to_string())];
        let mut f = generate_variants(&form(), "KW");
        f.status = "active".into();
        for v in &mut f.variants {
            v.price = "0".into();
        }
        let errors = validate(&f, &cx(&categories, &warehouses, &[])).expect_err("cannot publish");
        let status = errors.iter().find(|e| e.field == "status").expect("status error");
        assert!(
            status.message.contains("a price above zero and a picture"),
            "{}",
            status.message
        );
    }

    #[test]
    fn every_wrong_variant_field_is_named_by_its_row() {
        let warehouses = [(1, "Main".to_string())];
        let categories = [(7, "Home › Kettles".to_string())];
        let mut f = generate_variants(&form(), "KW");
        f.variants[1].price = "ten".into();
        f.variants[2].sku = "has space".into();
        f.variants[3].compare_at = "1.00".into();
        f.variants[4].stock[0].units = "-2".into();
        f.variants[5].sku = f.variants[0].sku.clone();
        let errors = validate(&f, &cx(&categories, &warehouses, &[])).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "variants-1-price",
                "variants-2-sku",
                "variants-3-compare_at",
                "variants-4-stock-0",
                "variants-5-sku"
            ]
        );
    }

    #[test]
    fn a_valid_form_becomes_variants_with_titles_and_stock() {
        let warehouses = [(1, "Main".to_string())];
        let categories = [(7, "Home › Kettles".to_string())];
        let valid = validate(&generate_variants(&form(), "KW"), &cx(&categories, &warehouses, &[])).expect("valid");
        assert_eq!(valid.variants.len(), 6);
        assert_eq!(valid.variants[0].title(), "S / Red");
        assert_eq!(valid.variants[0].price, 2450);
        assert_eq!(valid.variants[0].stock, vec![(1, 0, None)]);
    }
}
