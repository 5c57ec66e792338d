//! Pictures an import names by address, fetched after the import is applied, never while the seller waits
//! (decision 0022). An apply queues one row per picture of a product (`queue`); the worker (`work`, or
//! `run_until_idle` in tests) claims the rows of one address of one import together (so it is fetched once), a
//! few at a time per store and at most a number per store per hour, fetches it (`fetch`: public addresses only),
//! re-encodes it as an upload is, and puts it among the product's pictures in the file's order. A product the
//! file says is active is published with its first picture, never before. The import page reads `progress` and
//! can send the failed ones back to the queue (`retry_failed`).

mod attach;
pub mod fetch;

use std::collections::HashMap;
use std::time::Duration;

use model::sellers::{PictureFailure, PictureProgress};

pub use fetch::{FetchFailure, Fetcher};

use crate::catalog::images::{ImageError, ImageStore};
use crate::catalog::CatalogError;
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{Actor, Db};

/// A picture a file names for a product: its address, alt text and the row that named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureToFetch {
    pub url: String,
    pub alt: String,
    pub row: usize,
}

/// Where a picture stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchState {
    Waiting,
    Fetching,
    Fetched,
    Failed,
}

impl FetchState {
    pub fn as_str(self) -> &'static str {
        match self {
            FetchState::Waiting => "waiting",
            FetchState::Fetching => "fetching",
            FetchState::Fetched => "fetched",
            FetchState::Failed => "failed",
        }
    }
}

/// How much fetching one store may cause.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    /// Fetches in flight at once, all stores together.
    pub at_once: usize,
    /// Fetches in flight at once for one store.
    pub per_store: usize,
    /// Pictures one store's imports may fetch per hour.
    pub per_store_hour: i64,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            at_once: 6,
            per_store: 3,
            per_store_hour: 3_000,
        }
    }
}

/// A claim older than this belongs to a worker that stopped (the server went down): its rows wait again.
const CLAIM_LOST_MS: i64 = 5 * 60 * 1000;

/// Queues a product's pictures in the apply's transaction: after the pictures it has (`kept`), in the file's
/// order. `publish`: the file says the product is active, and it is published with its first picture.
pub(crate) async fn queue(
    conn: &mut sqlx::AnyConnection,
    import_id: i64,
    store: i64,
    product_id: i64,
    pictures: &[PictureToFetch],
    publish: bool,
) -> Result<(), sqlx::Error> {
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE product_id = $1")
        .bind(product_id)
        .fetch_one(&mut *conn)
        .await?;
    let now = now_ms();
    // What this file says about publishing is what counts: an earlier import's pictures do not publish it.
    sqlx::query("UPDATE picture_fetches SET publish = 0 WHERE product_id = $1")
        .bind(product_id)
        .execute(&mut *conn)
        .await?;
    for (n, picture) in pictures.iter().enumerate() {
        sqlx::query(
            "INSERT INTO picture_fetches (id, import_id, seller_id, product_id, position, url, alt, file_row, \
             publish, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(next_id())
        .bind(import_id)
        .bind(store)
        .bind(product_id)
        .bind(kept + n as i64)
        .bind(&picture.url)
        .bind(&picture.alt)
        .bind(picture.row as i64)
        .bind(i64::from(publish))
        .bind(FetchState::Waiting.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The (product, address) of every picture on its way to the store's products: waiting or being fetched.
pub(crate) async fn pending(
    conn: &mut sqlx::AnyConnection,
    store: i64,
) -> Result<std::collections::HashSet<(i64, String)>, sqlx::Error> {
    let rows: Vec<PendingRow> =
        sqlx::query_as("SELECT product_id, url FROM picture_fetches WHERE seller_id = $1 AND state IN ($2, $3)")
            .bind(store)
            .bind(FetchState::Waiting.as_str())
            .bind(FetchState::Fetching.as_str())
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|r| (r.product_id, r.url)).collect())
}

/// A picture on its way.
#[derive(sqlx::FromRow)]
struct PendingRow {
    product_id: i64,
    url: String,
}

/// One address of one import, claimed by a worker.
#[derive(Debug, Clone)]
struct Claim {
    store: i64,
    import_id: i64,
    url: String,
    /// The claim's time, which marks its rows (a lost claim's rows are claimed again at another time).
    at: i64,
}

/// An address waiting to be fetched.
#[derive(sqlx::FromRow)]
struct Waiting {
    seller_id: i64,
    import_id: i64,
    url: String,
}

/// Claims addresses to fetch: within the limits, given what is in flight per store. Two workers never claim
/// the same rows (a conditional update).
async fn claim(db: &Db, limits: FetchLimits, in_flight: &HashMap<i64, usize>) -> Result<Vec<Claim>, sqlx::Error> {
    let busy: usize = in_flight.values().sum();
    if busy >= limits.at_once {
        return Ok(Vec::new());
    }
    let now = now_ms();
    // What to claim is read outside the write transaction: the writers' turn (SQLite's one writer, shoppers'
    // checkouts among them) is taken only for the conditional updates.
    // The oldest few addresses of each store, so one store's large import never keeps another's waiting.
    let candidates: Vec<Waiting> = sqlx::query_as(
        "SELECT seller_id, import_id, url FROM ( \
           SELECT seller_id, import_id, url, MIN(id) AS first, \
                  ROW_NUMBER() OVER (PARTITION BY seller_id ORDER BY MIN(id)) AS n \
           FROM picture_fetches WHERE state = $1 GROUP BY seller_id, import_id, url) c \
         WHERE n <= $2 ORDER BY first LIMIT 60",
    )
    .bind(FetchState::Waiting.as_str())
    .bind(limits.per_store as i64)
    .fetch_all(db.pool())
    .await?;
    let mut per_store = in_flight.clone();
    let mut hour_left: HashMap<i64, i64> = HashMap::new();
    let mut chosen = Vec::new();
    for c in candidates {
        if busy + chosen.len() >= limits.at_once {
            break;
        }
        let store_busy = per_store.entry(c.seller_id).or_insert(0);
        if *store_busy >= limits.per_store {
            continue;
        }
        let left = match hour_left.get(&c.seller_id) {
            Some(left) => *left,
            None => {
                let mut conn = db.pool().acquire().await?;
                limits.per_store_hour - fetched_in_the_hour(&mut conn, c.seller_id, now).await?
            }
        };
        if left <= 0 {
            continue;
        }
        *store_busy += 1;
        hour_left.insert(c.seller_id, left - 1);
        chosen.push(c);
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE picture_fetches SET state = $1, claimed_at = NULL WHERE state = $2 AND claimed_at < $3")
        .bind(FetchState::Waiting.as_str())
        .bind(FetchState::Fetching.as_str())
        .bind(now - CLAIM_LOST_MS)
        .execute(&mut *tx)
        .await?;
    let mut claims = Vec::new();
    for c in chosen {
        let claimed = sqlx::query(
            "UPDATE picture_fetches SET state = $1, claimed_at = $2 WHERE import_id = $3 AND url = $4 AND state = $5",
        )
        .bind(FetchState::Fetching.as_str())
        .bind(now)
        .bind(c.import_id)
        .bind(&c.url)
        .bind(FetchState::Waiting.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed > 0 {
            claims.push(Claim {
                store: c.seller_id,
                import_id: c.import_id,
                url: c.url,
                at: now,
            });
        }
    }
    tx.commit().await?;
    Ok(claims)
}

/// Pictures the store's imports fetched (or began to) in the hour before `now`.
async fn fetched_in_the_hour(conn: &mut sqlx::AnyConnection, store: i64, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM picture_fetches WHERE seller_id = $1 AND claimed_at >= $2")
        .bind(store)
        .bind(now - 60 * 60 * 1000)
        .fetch_one(conn)
        .await
}

/// Fetches one claimed address and puts the picture on every product that named it; a failure is recorded on
/// each row with its reason.
async fn process(db: &Db, images: &dyn ImageStore, fetcher: &Fetcher, claim: &Claim) -> Result<(), CatalogError> {
    let bytes = match fetcher.fetch(&claim.url).await {
        Ok(bytes) => bytes,
        Err(failure) => return fail(db, claim, &failure.to_string()).await,
    };
    // From storing the file to committing its rows, the sweep of removed pictures waits.
    let _turn = crate::catalog::removed_images::upload_turn().await;
    let stored = match images.put(bytes).await {
        Ok(stored) => stored,
        Err(ImageError::Io(e)) => {
            tracing::error!(error = %e, "image store: a fetched picture could not be stored");
            return fail(db, claim, "The picture could not be stored here; try again.").await;
        }
        Err(ImageError::UnsupportedFormat) => {
            return fail(db, claim, "The address gave no PNG, JPEG or WebP picture.").await;
        }
        Err(e) => return fail(db, claim, &e.to_string()).await,
    };
    attach::attach_claimed(db, claim, &stored).await
}

async fn fail(db: &Db, claim: &Claim, reason: &str) -> Result<(), CatalogError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE picture_fetches SET state = $1, reason = $2, done_at = $3 \
         WHERE import_id = $4 AND url = $5 AND state = $6 AND claimed_at = $7",
    )
    .bind(FetchState::Failed.as_str())
    .bind(reason)
    .bind(now_ms())
    .bind(claim.import_id)
    .bind(&claim.url)
    .bind(FetchState::Fetching.as_str())
    .bind(claim.at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the worker needs: the database, where pictures are stored, the fetcher and the limits.
#[derive(Clone)]
pub struct Worker {
    pub db: Db,
    pub images: std::sync::Arc<dyn ImageStore>,
    pub fetcher: Fetcher,
    pub limits: FetchLimits,
}

impl Worker {
    /// Fetches until nothing is waiting (or only what the hourly limit holds back): what tests run.
    pub async fn run_until_idle(&self) -> Result<(), CatalogError> {
        loop {
            let claims = claim(&self.db, self.limits, &HashMap::new()).await?;
            if claims.is_empty() {
                return Ok(());
            }
            let runs = claims
                .iter()
                .map(|c| process(&self.db, &*self.images, &self.fetcher, c));
            for result in futures_util::future::join_all(runs).await {
                result?;
            }
        }
    }

    /// Runs for the life of the process: keeps up to the limits in flight, looking for new work every second.
    pub async fn work(self) {
        let mut in_flight: HashMap<i64, usize> = HashMap::new();
        let mut running = tokio::task::JoinSet::new();
        loop {
            match claim(&self.db, self.limits, &in_flight).await {
                Ok(claims) => {
                    for c in claims {
                        *in_flight.entry(c.store).or_insert(0) += 1;
                        let me = self.clone();
                        running.spawn(async move {
                            if let Err(e) = process(&me.db, &*me.images, &me.fetcher, &c).await {
                                tracing::warn!(error = %e, import = c.import_id, "picture fetch: will retry");
                            }
                            c.store
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "picture fetch: could not claim; will retry"),
            }
            // The next one to finish, or a second: then look for work again.
            match tokio::time::timeout(Duration::from_secs(1), running.join_next()).await {
                Ok(Some(Ok(store))) => {
                    if let Some(n) = in_flight.get_mut(&store) {
                        *n = n.saturating_sub(1);
                    }
                }
                Ok(Some(Err(e))) => {
                    tracing::error!(error = %e, "picture fetch task failed");
                    in_flight.clear();
                    running.abort_all();
                }
                Ok(None) => tokio::time::sleep(Duration::from_secs(1)).await,
                Err(_) => {}
            }
        }
    }
}

/// The pictures of the actor's import `import_id`: counts, and each failed one with its row and why.
pub async fn progress(db: &Db, actor: &Actor, import_id: i64) -> Result<PictureProgress, CatalogError> {
    let store = actor.own_store()?;
    let counts: Vec<StateCount> = sqlx::query_as(
        "SELECT state, COUNT(*) AS n FROM picture_fetches WHERE import_id = $1 AND seller_id = $2 GROUP BY state",
    )
    .bind(import_id)
    .bind(store)
    .fetch_all(db.pool())
    .await?;
    let count = |states: &[FetchState]| -> usize {
        counts
            .iter()
            .filter(|c| states.iter().any(|st| st.as_str() == c.state))
            .map(|c| c.n as usize)
            .sum()
    };
    let failures: Vec<FailedRow> = sqlx::query_as(
        "SELECT f.file_row, f.product_id, p.title, f.url, f.reason FROM picture_fetches f \
         JOIN products p ON p.id = f.product_id \
         WHERE f.import_id = $1 AND f.seller_id = $2 AND f.state = $3 ORDER BY f.file_row, f.id LIMIT 500",
    )
    .bind(import_id)
    .bind(store)
    .bind(FetchState::Failed.as_str())
    .fetch_all(db.pool())
    .await?;
    Ok(PictureProgress {
        fetched: count(&[FetchState::Fetched]),
        failed: count(&[FetchState::Failed]),
        waiting: count(&[FetchState::Waiting, FetchState::Fetching]),
        failures: failures
            .into_iter()
            .map(|f| PictureFailure {
                row: f.file_row as usize,
                product_id: f.product_id,
                product_title: f.title,
                url: f.url,
                reason: f.reason,
            })
            .collect(),
    })
}

/// How many of an import's pictures are in one state.
#[derive(sqlx::FromRow)]
struct StateCount {
    state: String,
    n: i64,
}

/// A failed picture as the import page lists it.
#[derive(sqlx::FromRow)]
struct FailedRow {
    file_row: i64,
    product_id: i64,
    title: String,
    url: String,
    reason: String,
}

/// Sends the failed pictures of the actor's import back to the queue; the number sent. `NotFound` for an import
/// that is not the actor's store's.
pub async fn retry_failed(db: &Db, actor: &Actor, import_id: i64) -> Result<u64, CatalogError> {
    let store = actor.own_store()?;
    // Another store's import is not found, as it is everywhere else.
    let _own: i64 = sqlx::query_scalar("SELECT id FROM product_imports WHERE id = $1 AND seller_id = $2")
        .bind(import_id)
        .bind(store)
        .fetch_optional(db.pool())
        .await?
        .ok_or(CatalogError::NotFound)?;
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        // `claimed_at` stays: the hourly limit counts these fetches too (a retry is no way around it).
        "UPDATE picture_fetches SET state = $1, reason = '', done_at = NULL \
         WHERE import_id = $2 AND seller_id = $3 AND state = $4",
    )
    .bind(FetchState::Waiting.as_str())
    .bind(import_id)
    .bind(store)
    .bind(FetchState::Failed.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(done)
}
