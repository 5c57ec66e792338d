//! A product page's two rows kept in memory per product, so a page rendered for a visitor with a session (or
//! after the page cache dropped it) does not compute them again: they are the same for everyone and cost five
//! statements, most of a render (decision 0048).
//!
//! Kept rows are dropped when the product or any candidate they were picked from changes (the indexer's product
//! ids, like the page cache: a candidate back in stock or repriced shows at once), and after [`KEEP_FOR`] in any
//! case, for what no product change announces (new co-purchase counts, a new product in the category).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use model::catalog::Discovery;

use crate::catalog::CatalogError;
use crate::Db;

/// How long rows are kept when nothing they show changes.
pub const KEEP_FOR: Duration = Duration::from_secs(300);
/// Bounded so a crawler walking every product cannot grow memory without end (a few KB per product).
const MAX_KEPT: usize = 4_096;

struct Kept {
    rows: Discovery,
    /// The product and every candidate of its rows.
    depends_on: Vec<i64>,
    at: Instant,
}

#[derive(Default)]
pub struct RowsCache {
    kept: RwLock<HashMap<i64, Kept>>,
    /// Bumped by every invalidation: rows read before one are not kept (they may be stale).
    generation: AtomicU64,
}

impl std::fmt::Debug for RowsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowsCache").field("kept", &self.len()).finish()
    }
}

impl RowsCache {
    pub fn new() -> RowsCache {
        RowsCache::default()
    }

    /// The rows of `product`'s page: kept ones while fresh, else read and kept.
    pub async fn for_product(&self, db: &Db, product: i64) -> Result<Discovery, CatalogError> {
        if let Some(rows) = self.fresh(product) {
            return Ok(rows);
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let (rows, mut depends_on) = super::rows(db, &[product]).await?;
        depends_on.push(product);
        self.keep(product, &rows, depends_on, generation);
        Ok(rows)
    }

    /// Drops the rows of these products and every row picked from them.
    pub fn invalidate(&self, products: &[i64]) {
        if products.is_empty() {
            return;
        }
        // A set: a whole store announced at once (thousands of ids) must not hold the lock for long.
        let products: HashSet<i64> = products.iter().copied().collect();
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut kept) = self.kept.write() {
            kept.retain(|_, k| !k.depends_on.iter().any(|id| products.contains(id)));
        }
    }

    fn fresh(&self, product: i64) -> Option<Discovery> {
        let kept = self.kept.read().ok()?;
        let k = kept.get(&product)?;
        (k.at.elapsed() < KEEP_FOR).then(|| k.rows.clone())
    }

    fn keep(&self, product: i64, rows: &Discovery, depends_on: Vec<i64>, generation: u64) {
        let Ok(mut kept) = self.kept.write() else { return };
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if kept.len() >= MAX_KEPT {
            kept.retain(|_, k| k.at.elapsed() < KEEP_FOR);
            if kept.len() >= MAX_KEPT {
                // Any entry will do: what matters is the bound, and hot products come straight back.
                if let Some(victim) = kept.keys().next().copied() {
                    kept.remove(&victim);
                }
            }
        }
        let at = Instant::now();
        kept.insert(
            product,
            Kept {
                rows: rows.clone(),
                depends_on,
                at,
            },
        );
    }

    pub fn len(&self) -> usize {
        self.kept.read().map(|k| k.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
