//! Saving a product from the seller's form: the product, its variants, attributes and pictures (catalog) and the
//! stock figures the seller changed (inventory) commit together, with the outbox row that tells search and the
//! page cache.

use model::sellers::ProductForm;

use crate::catalog::{manage, CatalogError};
use crate::inventory;
use crate::platform::{Actor, Db};

/// Saves the actor's own product (a new one when the form has no id). Returns its id.
pub async fn save_product(db: &Db, actor: &Actor, form: &ProductForm) -> Result<i64, CatalogError> {
    let (store, valid) = manage::prepare(db, actor, form).await?;
    let mut tx = db.begin_write().await?;
    let written = manage::write(&mut tx, store, &valid).await?;
    let warehouses: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM warehouses WHERE seller_id = $1")
        .bind(store)
        .fetch_all(&mut *tx)
        .await?;
    for (variant, id) in valid.variants.iter().zip(&written.variant_ids) {
        // A new variant of an existing product has no figure to compare with.
        let fresh = variant.id.is_none();
        for (warehouse, units, was) in &variant.stock {
            let was = if fresh { None } else { *was };
            if let Err(now) = inventory::set_counted(&mut tx, *id, *warehouse, *units, was, actor.user_id()).await? {
                let name = warehouses
                    .iter()
                    .find(|(w, _)| w == warehouse)
                    .map_or("a warehouse", |(_, n)| n.as_str());
                return Err(CatalogError::Conflict(format!(
                    "The stock of {} in {name} changed while you were editing (it is {now} now, perhaps an order); \
                     reload the product to see the new figure, then change it.",
                    variant.sku
                )));
            }
        }
    }
    for id in &written.variant_ids {
        super::adjust_stock::alert_if_low(&mut tx, *id).await?;
    }
    tx.commit().await?;
    tracing::info!(product_id = written.product_id, store, "product saved");
    Ok(written.product_id)
}
