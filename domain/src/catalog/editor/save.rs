//! Saving a checked product: what the rules need from the store, the write itself (product, attributes, variants,
//! pictures) with optimistic concurrency, and the refusal of a stale save naming what changed.

use model::product_form::{ProductField, ProductStatus, VariantField};
use model::sellers::ProductForm;
use model::FieldError;
use sqlx::AnyConnection;

use super::form::{leaf_categories, load_form, warehouses_of};
use super::matrix::sku_prefix;
use super::rules::{parse_money, validate, Context, ValidProduct};
use super::CURRENCY;
use crate::catalog::attributes::definitions_for;
use crate::catalog::CatalogError;
use crate::platform::clock::now_ms;
use crate::platform::db::is_unique_violation;
use crate::platform::ids::next_id;
use crate::platform::text::slugify;
use crate::platform::{outbox, Actor, Db};

/// Reads what the rules need and checks the form: the store, the valid product.
pub async fn prepare(db: &Db, actor: &Actor, form: &ProductForm) -> Result<(i64, ValidProduct), CatalogError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let (_, slug) = super::store_names(&mut conn, store).await?;
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
        backorders: super::form::backorders_of(&mut conn, store).await?,
    };
    let valid =
        validate(form, &cx).map_err(|errors| CatalogError::Invalid(errors.into_iter().map(Into::into).collect()))?;
    // A SKU is unique in its store: name the row whose SKU another of the store's products (or variants) uses.
    let mut errors = Vec::new();
    for (i, v) in valid.variants.iter().enumerate() {
        let other: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, product_id FROM variants WHERE seller_id = $1 AND sku_key = $2 LIMIT 1")
                .bind(store)
                .bind(super::sku_key(&v.sku))
                .fetch_optional(&mut *conn)
                .await?;
        // Free: this variant's own SKU, or one of this product's variants the form removes (another product's
        // variant listed as "removed" in a crafted form frees nothing).
        let own = |(o, product): (i64, i64)| Some(o) == v.id || (Some(product) == id && valid.removed.contains(&o));
        if other.is_some_and(|o| !own(o)) {
            let row = form.variants.iter().position(|f| f.sku.trim() == v.sku).unwrap_or(i);
            errors.push(FieldError::new(
                ProductField::Variant(row, VariantField::Sku).name(),
                format!(
                    "The SKU {} is already used by another of your products; each variant needs its own.",
                    v.sku
                ),
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
    let product_id = write_product_row(conn, store, p).await?;
    // A new product has nothing stored to replace (an import creates thousands: every query counts).
    let existing = p.id.is_some();
    write_attributes(conn, product_id, p, existing).await?;
    super::tags::write_tags(conn, product_id, &p.tags, existing).await?;
    let variant_ids = write_variants(conn, product_id, p).await?;
    write_pictures(conn, product_id, p, existing).await?;
    refresh_listing_price(conn, product_id).await?;
    outbox::product_changed(conn, product_id).await?;
    Ok(Written {
        product_id,
        variant_ids,
    })
}

/// The product's own row: updated at the version it was read at, or inserted with an address of its own.
async fn write_product_row(conn: &mut AnyConnection, store: i64, p: &ValidProduct) -> Result<i64, CatalogError> {
    let now = now_ms();
    // Shoppers find a product by its title, its attributes' values and its tags.
    let search_text = format!(
        "{} {} {}",
        p.title,
        p.attributes
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        p.tags.join(" ")
    )
    .to_lowercase();
    let product_id = match p.id {
        Some(id) => {
            let done = sqlx::query(
                "UPDATE products SET title = $1, category_id = $2, description_md = $3, status = $4, search_text = $5, \
                 updated_at = $6, version = version + 1, seo_title = $10, seo_description = $11 \
                 WHERE id = $7 AND seller_id = $8 AND version = $9",
            )
            .bind(&p.title)
            .bind(p.category_id)
            .bind(&p.description)
            .bind(p.status.as_str())
            .bind(&search_text)
            .bind(now)
            .bind(id)
            .bind(store)
            .bind(p.version)
            .bind(&p.seo_title)
            .bind(&p.seo_description)
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
                 currency, search_text, created_at, updated_at, version, seo_title, seo_description) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $10, 1, $11, $12)",
            )
            .bind(id)
            .bind(store)
            .bind(p.category_id)
            .bind(&p.title)
            .bind(&slug)
            .bind(&p.description)
            .bind(p.status.as_str())
            .bind(CURRENCY)
            .bind(&search_text)
            .bind(now)
            .bind(&p.seo_title)
            .bind(&p.seo_description)
            .execute(&mut *conn)
            .await
            .map_err(conflict_on_unique)?;
            id
        }
    };
    Ok(product_id)
}

async fn write_attributes(
    conn: &mut AnyConnection,
    product_id: i64,
    p: &ValidProduct,
    existing: bool,
) -> Result<(), CatalogError> {
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
    Ok(())
}

/// Removes the variants the form removed, updates the kept ones and inserts the new ones. Per variant of the
/// product (in order), its id.
async fn write_variants(conn: &mut AnyConnection, product_id: i64, p: &ValidProduct) -> Result<Vec<i64>, CatalogError> {
    for id in &p.removed {
        // Units held for an order being paid would be lost with the variant (and the order could not be
        // restocked): it goes once they are paid or released, within the hold's 15 minutes.
        let held = crate::inventory::held_units(conn, *id).await?;
        if held > 0 {
            let sku: String = sqlx::query_scalar("SELECT sku FROM variants WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_default();
            return Err(CatalogError::Conflict(format!(
                "The variant {sku} cannot be removed yet: {held} {} held for an order being paid. Remove it once \
                 the order is paid or its hold ends (at most 15 minutes); nothing was saved.",
                if held == 1 { "unit is" } else { "units are" }
            )));
        }
        crate::inventory::movements::remember_variant(conn, *id).await?;
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
                     weight_grams = $6, position = $7, sku_key = $10, barcode = $11, cost = $12, \
                     keep_selling = CASE WHEN (SELECT s.backorders FROM sellers s \
                     WHERE s.id = variants.seller_id) = 1 THEN $13 ELSE 0 END WHERE id = $8 AND product_id = $9",
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
                .bind(super::sku_key(&v.sku))
                .bind(&v.barcode)
                .bind(v.cost)
                .bind(i64::from(v.keep_selling))
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
                     weight_grams, position, seller_id, sku_key, barcode, cost, keep_selling) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT seller_id FROM products WHERE id = $2), \
                     $11, $12, $13, CASE WHEN (SELECT s.backorders FROM sellers s JOIN products p ON p.seller_id = s.id \
                     WHERE p.id = $2) = 1 THEN $14 ELSE 0 END)",
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
                .bind(super::sku_key(&v.sku))
                .bind(&v.barcode)
                .bind(v.cost)
                .bind(i64::from(v.keep_selling))
                .execute(&mut *conn)
                .await
                .map_err(conflict_on_unique)?;
                id
            }
        };
        crate::catalog::prices::record(conn, id, v.price, crate::platform::clock::now_ms()).await?;
        variant_ids.push(id);
    }
    Ok(variant_ids)
}

/// A picture as stored with a product.
#[derive(sqlx::FromRow)]
struct StoredPicture {
    image_key: String,
    ext: String,
    width: i64,
    height: i64,
    /// The address an import fetched it from (empty for an upload).
    source: String,
}

/// Pictures: the kept ones (a dropped one is recorded for the sweep of removed pictures), renumbered in their new order (positions are the primary key, so rewrite them).
async fn write_pictures(
    conn: &mut AnyConnection,
    product_id: i64,
    p: &ValidProduct,
    existing: bool,
) -> Result<(), CatalogError> {
    // A new product has none yet (they are uploaded to a saved product).
    let stored: Vec<StoredPicture> = if existing {
        let stored =
            sqlx::query_as("SELECT image_key, ext, width, height, source FROM product_images WHERE product_id = $1")
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
    let dropped: Vec<String> = stored
        .iter()
        .filter(|s| !p.images.iter().any(|(key, _)| *key == s.image_key))
        .map(|s| s.image_key.clone())
        .collect();
    crate::catalog::removed_images::record(conn, &dropped).await?;
    for (position, (key, alt)) in p.images.iter().enumerate() {
        if let Some(s) = stored.iter().find(|s| &s.image_key == key) {
            sqlx::query(
                "INSERT INTO product_images (product_id, position, image_key, ext, alt, width, height, source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(product_id)
            .bind(position as i64)
            .bind(key)
            .bind(&s.ext)
            .bind(alt)
            .bind(s.width)
            .bind(s.height)
            .bind(&s.source)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
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
    if ProductStatus::parse(&now.status) != Some(mine.status) {
        changes.push(format!("the status is now {}", now.status));
    }
    if now.category.parse::<i64>().ok() != Some(mine.category_id) {
        changes.push("the category was changed".to_string());
    }
    if now.seo_title != mine.seo_title || now.seo_description != mine.seo_description {
        changes.push("what search engines show was changed".to_string());
    }
    if now.tags != mine.tags.join(", ") {
        changes.push(format!("the tags are now “{}”", now.tags));
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
        changes.push(format!(
            "it now has {}",
            model::count_of(now.images.len() as i64, "picture", "pictures")
        ));
    }
    if changes.is_empty() {
        changes.push("it was saved again with the same values".to_string());
    }
    Ok(CatalogError::Stale {
        changes,
        version: now.version.parse().unwrap_or(0),
    })
}
