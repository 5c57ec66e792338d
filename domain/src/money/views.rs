//! Product page views, counted without a database write per view: the shop counts each product page it serves in
//! memory ([`ViewCounter::count`], a map from slug to views) and adds the counts to the products' days every few
//! seconds ([`ViewCounter::flush`], one transaction). The sales dashboard divides a product's orders by its views.
//! A shop that stops between flushes loses at most those seconds of views (never an order).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::platform::clock::now_ms;
use crate::platform::{zones, Db};

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
                if let Some(count) = counts.get_mut(&slug) {
                    *count += n;
                } else if counts.len() < MAX_PRODUCTS {
                    counts.insert(slug, n);
                }
            }
        }
    }

    /// Adds the views counted since the last flush to each product's rollup of today (in its store's time zone);
    /// how many products. Views a
    /// failed write did not write are kept for the next flush (those it wrote are not counted twice).
    pub async fn flush(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let taken = self.take();
        if taken.is_empty() {
            return Ok(0);
        }
        let products = taken.len();
        match write(db, taken).await {
            Ok(()) => Ok(products),
            Err((e, unwritten)) => {
                self.restore(unwritten);
                Err(e)
            }
        }
    }
}

/// Rows written per transaction: a sale's rollup never waits long behind a flush.
const BATCH: usize = 200;

async fn write(db: &Db, counts: HashMap<String, i64>) -> Result<(), (sqlx::Error, HashMap<String, i64>)> {
    let rows = match products_of(db, &counts).await {
        Ok(rows) => rows,
        Err(e) => return Err((e, counts)),
    };
    for (n, batch) in rows.chunks(BATCH).enumerate() {
        if let Err(e) = write_batch(db, batch).await {
            let unwritten = rows[n * BATCH..]
                .iter()
                .map(|row| (row.slug.clone(), row.views))
                .collect();
            return Err((e, unwritten));
        }
    }
    Ok(())
}

/// A counted product's views and the day (in its store's time zone) they go to.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ViewRow {
    seller_id: i64,
    product_id: i64,
    day: i64,
    views: i64,
    slug: String,
}

/// Each counted product's row, in (store, product) order — the order a sale's rollup takes its products' rows
/// in — so a flush and a sale never wait on each other in a circle. Unknown slugs drop.
async fn products_of(db: &Db, counts: &HashMap<String, i64>) -> Result<Vec<ViewRow>, sqlx::Error> {
    let mut rows = Vec::with_capacity(counts.len());
    let mut conn = db.pool().acquire().await?;
    let now = now_ms();
    for (slug, views) in counts {
        let product: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT p.seller_id, p.id, s.time_zone FROM products p JOIN sellers s ON s.id = p.seller_id \
             WHERE p.slug = $1",
        )
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((seller_id, product_id, zone)) = product {
            rows.push(ViewRow {
                seller_id,
                product_id,
                day: zones::day_in(&zone, now),
                views: *views,
                slug: slug.clone(),
            });
        }
    }
    rows.sort_unstable();
    Ok(rows)
}

async fn write_batch(db: &Db, batch: &[ViewRow]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    for ViewRow {
        seller_id,
        product_id,
        day,
        views,
        ..
    } in batch
    {
        sqlx::query(
            "INSERT INTO product_daily_sales (seller_id, day, product_id, views) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (seller_id, day, product_id) DO UPDATE SET \
             views = product_daily_sales.views + excluded.views",
        )
        .bind(seller_id)
        .bind(day)
        .bind(product_id)
        .bind(views)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
