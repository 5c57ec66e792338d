//! The editor's data: a stored product as the form shows it (also what an export writes and an import compares
//! with), a new product's form, and the choices the form offers (categories, warehouses, attributes).

use std::collections::HashMap;

use model::product_form::ProductStatus;
use model::sellers::{
    AttributeField, AttributeInput, ImageInput, OptionInput, PictureView, ProductEditor, ProductForm, StockInput,
    VariantInput,
};
use sqlx::AnyConnection;

use super::{money_text, CURRENCY};
use crate::catalog::attributes::{definitions_for, AttributeDefinition};
use crate::catalog::CatalogError;
use crate::platform::{Actor, Db};

/// Leaf categories (those products live in) as "Parent › Name", for the category select.
pub(in crate::catalog) async fn leaf_categories(db: &Db) -> Result<Vec<(i64, String)>, CatalogError> {
    let all = crate::catalog::categories(db).await?;
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
                crate::catalog::attributes::AttributeKind::Text => "text",
                crate::catalog::attributes::AttributeKind::Number => "number",
                crate::catalog::attributes::AttributeKind::Boolean => "boolean",
                crate::catalog::attributes::AttributeKind::Choice => "choice",
            }
            .to_string(),
            choices: d.choices.clone(),
            unit: d.unit.clone(),
        })
        .collect()
}

pub(in crate::catalog) async fn warehouses_of(
    conn: &mut AnyConnection,
    store: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM warehouses WHERE seller_id = $1 ORDER BY created_at, id")
        .bind(store)
        .fetch_all(&mut *conn)
        .await
}

/// Whether the store allows backorders (its variants may keep selling when out of stock).
pub(in crate::catalog) async fn backorders_of(conn: &mut AnyConnection, store: i64) -> Result<bool, sqlx::Error> {
    let on: Option<i64> = sqlx::query_scalar("SELECT backorders FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(on == Some(1))
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    title: String,
    category_id: i64,
    description_md: String,
    status: String,
    version: i64,
    seo_title: String,
    seo_description: String,
}

#[derive(sqlx::FromRow)]
struct VariantRow {
    id: i64,
    sku: String,
    /// The option values as JSON (`{"Size":"M"}`).
    options: String,
    price: i64,
    compare_at_price: Option<i64>,
    weight_grams: i64,
    barcode: String,
    cost: Option<i64>,
    keep_selling: i64,
}

#[derive(sqlx::FromRow)]
struct StockRow {
    variant_id: i64,
    warehouse_id: i64,
    available: i64,
}

#[derive(sqlx::FromRow)]
struct ImageRow {
    image_key: String,
    alt: String,
    source: String,
}

/// The stored product as the form shows it, with the version it was read at.
pub(in crate::catalog) async fn load_form(
    conn: &mut AnyConnection,
    store: i64,
    id: i64,
) -> Result<ProductForm, CatalogError> {
    let product: ProductRow = sqlx::query_as(
        "SELECT title, category_id, description_md, status, version, seo_title, seo_description FROM products \
         WHERE id = $1 AND seller_id = $2",
    )
    .bind(id)
    .bind(store)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CatalogError::NotFound)?;
    let attributes: Vec<(String, String)> =
        sqlx::query_as("SELECT name, value FROM product_attributes WHERE product_id = $1 ORDER BY position, name")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let variants: Vec<VariantRow> = sqlx::query_as(
        "SELECT id, sku, options, price, compare_at_price, weight_grams, barcode, cost, keep_selling FROM variants \
         WHERE product_id = $1 \
         ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let warehouses = warehouses_of(conn, store).await?;
    let levels: Vec<StockRow> = sqlx::query_as(
        "SELECT st.variant_id, st.warehouse_id, st.available FROM stock st JOIN variants v ON v.id = st.variant_id \
         WHERE v.product_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let levels: HashMap<(i64, i64), i64> = levels
        .into_iter()
        .map(|l| ((l.variant_id, l.warehouse_id), l.available))
        .collect();
    let images: Vec<ImageRow> =
        sqlx::query_as("SELECT image_key, alt, source FROM product_images WHERE product_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let parsed: Vec<Vec<(String, String)>> = variants
        .iter()
        .map(|v| crate::catalog::parse_options(&v.options))
        .collect();
    let options = options_of(&parsed);
    let variants = variants
        .iter()
        .zip(&parsed)
        .map(|(v, pairs)| variant_input(v, pairs, &options, &warehouses, &levels))
        .collect();
    Ok(ProductForm {
        id: id.to_string(),
        version: product.version.to_string(),
        title: product.title,
        category: product.category_id.to_string(),
        description: product.description_md,
        status: product.status,
        seo_title: product.seo_title,
        seo_description: product.seo_description,
        tags: super::tags::tags_line(conn, id).await?,
        attributes: attributes
            .into_iter()
            .map(|(name, value)| AttributeInput { name, value })
            .collect(),
        options,
        variants,
        images: images
            .into_iter()
            .enumerate()
            .map(|(i, img)| ImageInput {
                key: img.image_key,
                alt: img.alt,
                position: (i + 1).to_string(),
                remove: String::new(),
                source: img.source,
            })
            .collect(),
    })
}

/// The options in the order the variants first use them, each with its values in first-use order.
fn options_of(parsed: &[Vec<(String, String)>]) -> Vec<OptionInput> {
    let mut options: Vec<OptionInput> = Vec::new();
    for pairs in parsed {
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
    options
}

/// A stored variant as the form's row: its values in the options' order, its units per warehouse.
fn variant_input(
    v: &VariantRow,
    pairs: &[(String, String)],
    options: &[OptionInput],
    warehouses: &[(i64, String)],
    levels: &HashMap<(i64, i64), i64>,
) -> VariantInput {
    VariantInput {
        id: v.id.to_string(),
        values: options
            .iter()
            .map(|o| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == o.name)
                    .map(|(_, value)| value.clone())
                    .unwrap_or_default()
            })
            .collect(),
        sku: v.sku.clone(),
        price: money_text(v.price),
        compare_at: v.compare_at_price.map(money_text).unwrap_or_default(),
        weight: v.weight_grams.to_string(),
        barcode: v.barcode.clone(),
        cost: v.cost.map(money_text).unwrap_or_default(),
        keep_selling: if v.keep_selling == 1 {
            "on".into()
        } else {
            String::new()
        },
        stock: warehouses
            .iter()
            .map(|(w, _)| {
                let units = levels.get(&(v.id, *w)).copied().unwrap_or(0).to_string();
                StockInput {
                    warehouse: w.to_string(),
                    was: units.clone(),
                    units,
                }
            })
            .collect(),
        remove: String::new(),
    }
}

/// What the editor shows for product `id` (`None`: a new product), or for `kept`, the form as typed when a
/// save was refused or an option matrix was generated.
pub async fn editor(
    db: &Db,
    actor: &Actor,
    id: Option<i64>,
    kept: Option<ProductForm>,
) -> Result<ProductEditor, CatalogError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let (store_name, store_slug) = store_names(&mut conn, store).await?;
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
            url: crate::catalog::images::thumb_url(&key, 160),
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
        backorders: backorders_of(&mut conn, store).await?,
    })
}

/// A new product's form: a draft with one variant row and nothing typed.
pub(in crate::catalog) fn new_form(warehouses: &[(i64, String)]) -> ProductForm {
    ProductForm {
        status: ProductStatus::Draft.as_str().into(),
        variants: vec![new_variant(warehouses)],
        ..ProductForm::default()
    }
}

/// A new variant row: nothing typed, no units in any warehouse.
pub(in crate::catalog) fn new_variant(warehouses: &[(i64, String)]) -> VariantInput {
    VariantInput {
        stock: warehouses
            .iter()
            .map(|(w, _)| StockInput {
                warehouse: w.to_string(),
                units: "0".into(),
                was: String::new(),
            })
            .collect(),
        ..VariantInput::default()
    }
}

/// The name and address of a store (the portal's pages show both).
pub(in crate::catalog) async fn store_names(
    conn: &mut AnyConnection,
    store: i64,
) -> Result<(String, String), CatalogError> {
    sqlx::query_as("SELECT store_name, slug FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CatalogError::NotFound)
}
