//! Seller writes to the catalog. Each takes the acting user and checks, inside its transaction, that they may
//! change this store's products (the store's seller, an admin); anyone else gets `NotFound`, as for an unknown
//! id, so ids are not a way to probe other stores. The change and its outbox row commit together.

use model::FieldError;

use super::CatalogError;
use crate::platform::clock::now_ms;
use crate::platform::{outbox, Actor, Db};

/// Whether `actor` may change a product of `store` (`None`: the product was not found).
fn authorize(actor: &Actor, store: Option<i64>) -> Result<(), CatalogError> {
    match store {
        Some(store) if actor.may_manage_store(store) => Ok(()),
        _ => Err(CatalogError::NotFound),
    }
}

/// Sets a variant's price (minor units) and keeps the product's listing price in step; the search index and page
/// caches learn of it through the outbox written in the same transaction.
pub async fn set_variant_price(db: &Db, actor: &Actor, variant_id: i64, price: i64) -> Result<(), CatalogError> {
    if price < 0 {
        return Err(CatalogError::Invalid(vec![FieldError::new(
            "price",
            "A price cannot be negative.",
        )]));
    }
    let mut tx = db.begin_write().await?;
    let found: Option<(i64, i64)> = sqlx::query_as(
        "SELECT v.product_id, p.seller_id FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1",
    )
    .bind(variant_id)
    .fetch_optional(&mut *tx)
    .await?;
    authorize(actor, found.map(|(_, store)| store))?;
    let product_id = found.map_or(0, |(product, _)| product);
    sqlx::query("UPDATE variants SET price = $1 WHERE id = $2")
        .bind(price)
        .bind(variant_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE products SET min_price = (SELECT MIN(price) FROM variants WHERE product_id = $1), updated_at = $2, \
         version = version + 1 WHERE id = $1",
    )
    .bind(product_id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    outbox::product_changed(&mut tx, product_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes, unpublishes or archives a product, through the outbox.
pub async fn set_product_status(db: &Db, actor: &Actor, product_id: i64, status: &str) -> Result<(), CatalogError> {
    if !["draft", "active", "archived"].contains(&status) {
        return Err(CatalogError::Invalid(vec![FieldError::new(
            "status",
            "Choose draft, active or archived.",
        )]));
    }
    let mut tx = db.begin_write().await?;
    let store: Option<i64> = sqlx::query_scalar("SELECT seller_id FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&mut *tx)
        .await?;
    authorize(actor, store)?;
    sqlx::query("UPDATE products SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(status)
        .bind(now_ms())
        .bind(product_id)
        .execute(&mut *tx)
        .await?;
    outbox::product_changed(&mut tx, product_id).await?;
    tx.commit().await?;
    Ok(())
}
