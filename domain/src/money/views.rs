//! Product page views, counted without a database write per view: the shop counts each product page it serves in
//! memory ([`ViewCounter::count`], a map from slug to views) and adds the counts to the products' days every few
//! seconds ([`ViewCounter::flush`], one transaction). The sales dashboard divides a product's orders by its views.
//! A shop that stops between flushes loses at most those seconds of views (never an order).

use std::collections::HashMap;
use std::sync::Mutex;

use super::rollups::today;
use crate::platform::Db;

/// Distinct products counted between two flushes; beyond it a view is not counted (a flood of slugs cannot grow
/// the map without bound, and only existing products' pages are counted at all).
const MAX_PRODUCTS: usize = 100_000;

#[derive(Debug, Default)]
pub struct ViewCounter {
    counts: Mutex<HashMap<String, i64>>,
}

impl ViewCounter {
    pub fn new() -> ViewCounter {
        ViewCounter::default()
    }

    /// One view of the product page of `slug`.
    pub fn count(&self, slug: &str) {
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        if let Some(n) = counts.get_mut(slug) {
            *n += 1;
        } else if counts.len() < MAX_PRODUCTS {
            counts.insert(slug.to_string(), 1);
        }
    }

    fn take(&self) -> HashMap<String, i64> {
        self.counts
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }

    /// Puts counts a failed flush took back, to be written by the next one.
    fn restore(&self, taken: HashMap<String, i64>) {
        if let Ok(mut counts) = self.counts.lock() {
            for (slug, n) in taken {
                *counts.entry(slug).or_insert(0) += n;
            }
        }
    }

    /// Adds the views counted since the last flush to today's rollup of each product; how many products.
    pub async fn flush(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let taken = self.take();
        if taken.is_empty() {
            return Ok(0);
        }
        match write(db, &taken).await {
            Ok(()) => Ok(taken.len()),
            Err(e) => {
                self.restore(taken);
                Err(e)
            }
        }
    }
}

async fn write(db: &Db, counts: &HashMap<String, i64>) -> Result<(), sqlx::Error> {
    let day = today();
    let mut tx = db.begin_write().await?;
    for (slug, views) in counts {
        sqlx::query(
            "INSERT INTO product_daily_sales (seller_id, day, product_id, views) \
             SELECT seller_id, $1, id, $2 FROM products WHERE slug = $3 \
             ON CONFLICT (seller_id, day, product_id) DO UPDATE SET views = product_daily_sales.views + excluded.views",
        )
        .bind(day)
        .bind(*views)
        .bind(slug)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
