//! What a product save records in the audit log: its title, status, each variant's price and each stock figure
//! the save changed, before → after (a new product: after only; a removed variant: its price → "removed").

use std::collections::HashMap;

use model::admin::AuditAction;
use model::catalog::Money;
use model::product_form::ProductStatus;
use sqlx::AnyConnection;

use super::rules::ValidProduct;
use super::save::Written;
use super::CURRENCY;
use crate::platform::audit::{Entry, Subject};

/// A product as it was before a save.
#[derive(Debug, Default)]
pub struct Before {
    title: String,
    status: String,
    /// Variant id → (SKU, price).
    variants: HashMap<i64, (String, i64)>,
}

impl Before {
    /// (variant id, price) of each variant, as the price-drop mail compares them.
    pub fn prices(&self) -> Vec<(i64, i64)> {
        self.variants.iter().map(|(id, (_, price))| (*id, *price)).collect()
    }
}

pub(super) fn status_word(text: &str) -> &'static str {
    match ProductStatus::parse(text) {
        Some(ProductStatus::Draft) => "Draft",
        Some(ProductStatus::Active) => "Active",
        Some(ProductStatus::Archived) => "Archived",
        None => "",
    }
}

fn price(amount: i64) -> String {
    Money::new(amount, CURRENCY).display()
}

/// Product `product_id` before the save (read in the save's transaction).
pub async fn before(conn: &mut AnyConnection, product_id: i64) -> Result<Before, sqlx::Error> {
    let (title, status): (String, String) = sqlx::query_as("SELECT title, status FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or_default();
    let rows: Vec<(i64, String, i64)> = sqlx::query_as("SELECT id, sku, price FROM variants WHERE product_id = $1")
        .bind(product_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Before {
        title,
        status,
        variants: rows.into_iter().map(|(id, sku, price)| (id, (sku, price))).collect(),
    })
}

/// The entry of a save of `p` (written as `written`) over `before`; `None` when nothing it records changed.
pub async fn entry(
    conn: &mut AnyConnection,
    store: i64,
    before: &Before,
    p: &ValidProduct,
    written: &Written,
) -> Result<Option<Entry>, sqlx::Error> {
    let mut entry = Entry::new(
        AuditAction::ProductChanged,
        Subject::new("product", written.product_id, &p.title),
    )
    .store(store)
    .change("title", &before.title, &p.title)
    .change("status", status_word(&before.status), status_word(p.status.as_str()));
    let stock_moved = p
        .variants
        .iter()
        .any(|v| v.stock.iter().any(|(_, units, was)| *was != Some(*units)));
    let warehouses: HashMap<i64, String> = if stock_moved {
        sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM warehouses WHERE seller_id = $1")
            .bind(store)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect()
    } else {
        HashMap::new()
    };
    for (variant, id) in p.variants.iter().zip(&written.variant_ids) {
        let was = before.variants.get(id).map(|(_, p)| price(*p)).unwrap_or_default();
        entry = entry.change(&format!("price of {}", variant.sku), was, price(variant.price));
        for (warehouse, units, was) in &variant.stock {
            let place = warehouses.get(warehouse).map(String::as_str).unwrap_or("a warehouse");
            let was = was.map(|w| w.to_string()).unwrap_or_default();
            entry = entry.change(&format!("stock of {} in {place}", variant.sku), was, units);
        }
    }
    for removed in &p.removed {
        if let Some((sku, was)) = before.variants.get(removed) {
            entry = entry.change(&format!("price of {sku}"), price(*was), "removed");
        }
    }
    Ok((!entry.changes.is_empty()).then_some(entry))
}
