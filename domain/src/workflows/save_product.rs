//! Saving a product from the seller's form: the product, its variants, attributes and pictures (catalog) and the
//! stock figures the seller changed (inventory) commit together, with the outbox row that tells search and the
//! page cache. A catalog import writes each of its products through the same step, in one transaction.

use model::sellers::ProductForm;
use sqlx::AnyConnection;

use crate::catalog::editor::{self, ValidProduct, Written};
use crate::catalog::CatalogError;
use crate::inventory;
use crate::inventory::movements::Reason;
use crate::platform::{Actor, Db};

/// Saves the actor's own product (a new one when the form has no id). Returns its id.
pub async fn save_product(db: &Db, actor: &Actor, form: &ProductForm) -> Result<i64, CatalogError> {
    let (store, valid) = editor::prepare(db, actor, form).await?;
    let mut tx = db.begin_write().await?;
    let written = store_product(&mut tx, actor, store, &valid, Reason::Edited).await?;
    tx.commit().await?;
    tracing::info!(product_id = written.product_id, store, "product saved");
    Ok(written.product_id)
}

/// Writes a checked product of `store` and the stock figures it changes in `conn`'s transaction (their movements
/// recorded with `reason`: the editor's or an import's), then sends the low-stock alerts the new figures call
/// for. Nothing is committed here.
pub(crate) async fn store_product(
    conn: &mut AnyConnection,
    actor: &Actor,
    store: i64,
    valid: &ValidProduct,
    reason: Reason,
) -> Result<Written, CatalogError> {
    // Shoppers who have a removed variant in their cart are told when they next open it (its line goes with it).
    if let Some(product) = valid.id {
        for removed in &valid.removed {
            crate::cart::tell_variant_gone(conn, product, *removed).await?;
        }
    }
    let before = match valid.id {
        Some(product) => editor::audit::before(conn, product).await?,
        None => editor::audit::Before::default(),
    };
    let written = editor::write(conn, store, valid).await?;
    super::price_drops::tell(conn, written.product_id, &before.prices()).await?;
    if let Some(entry) = editor::audit::entry(conn, store, &before, valid, &written).await? {
        crate::platform::audit::record(conn, actor, &entry).await?;
    }
    // New variants' first counts go in together; existing ones only where the seller changed the figure, and
    // only if nobody else changed it meanwhile.
    let mut first_counts = Vec::new();
    let mut moved = Vec::new();
    for (variant, id) in valid.variants.iter().zip(&written.variant_ids) {
        if variant.id.is_none() {
            first_counts.extend(
                variant
                    .stock
                    .iter()
                    .map(|(warehouse, units, _)| (*id, *warehouse, *units)),
            );
            moved.push((*id, Some(variant.stock.iter().map(|(_, units, _)| units).sum::<i64>())));
            continue;
        }
        if variant.stock.iter().any(|(_, units, was)| *was != Some(*units)) {
            moved.push((*id, None));
        }
        for (warehouse, units, was) in &variant.stock {
            if let Err(now) =
                inventory::set_counted(conn, *id, *warehouse, *units, *was, actor.user_id(), reason).await?
            {
                let name: Option<String> = sqlx::query_scalar("SELECT name FROM warehouses WHERE id = $1")
                    .bind(warehouse)
                    .fetch_optional(&mut *conn)
                    .await?;
                let name = name.unwrap_or_else(|| "a warehouse".into());
                return Err(CatalogError::Conflict(format!(
                    "The stock of {} in {name} changed while you were editing (it is {now} now, perhaps an order); \
                     reload the product to see the new figure, then change it.",
                    variant.sku
                )));
            }
        }
    }
    inventory::start_counts(conn, &first_counts, actor.user_id(), reason).await?;
    // Only a figure that moved can cross a threshold; a new variant only when it starts at or below the store's
    // alert level (a new variant has no level of its own yet).
    let default: i64 = sqlx::query_scalar("SELECT low_stock_default FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0);
    for (id, units) in moved {
        if units.is_none_or(|u| u <= default) {
            super::adjust_stock::alert_if_low(conn, id).await?;
        }
    }
    Ok(written)
}
