//! Importing a catalog file: the upload keeps the file and its dry run (what would change, what is wrong, row by
//! row); applying plans it again and writes every changed product through the editor's save step, a few
//! products per transaction (decision 0019). An apply whose plan is no longer the dry run's (the catalog changed
//! meanwhile: another save, an order) is refused with the new report, so the seller applies only what they saw.

use model::sellers::{ImportIssue, ImportProgress, ImportReport, ImportView};
use model::FieldError;

use crate::catalog::picture_fetches;
use crate::catalog::transfer::{self, Planned, MAX_BYTES};
use crate::catalog::CatalogError;
use crate::inventory::movements::Reason;
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{Actor, Db};

/// How long an uploaded file is kept for its apply.
const KEEP_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// The most files a store keeps waiting to be applied, and their bytes together: a seller uploading in a loop
/// cannot fill the database.
const KEPT_FILES_MAX: i64 = 20;
const KEPT_BYTES_MAX: i64 = 100 * 1024 * 1024;

fn refuse(message: impl Into<String>) -> CatalogError {
    CatalogError::Invalid(vec![FieldError::new("file", message)])
}

/// Keeps an uploaded file with its dry run and answers the import's id. `default_category` is for rows that name
/// no category.
pub async fn upload(
    db: &Db,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    default_category: Option<i64>,
) -> Result<i64, CatalogError> {
    let store = actor.own_store()?;
    if bytes.is_empty() {
        return Err(refuse("Choose a CSV file to import."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(refuse(format!(
            "The file is larger than {} MB; split it and import the parts one after another.",
            MAX_BYTES / (1024 * 1024)
        )));
    }
    let (body, read_as) = transfer::decode(bytes).map_err(refuse)?;
    let body = body.as_ref();
    // A NUL is no spreadsheet's text (and PostgreSQL cannot store it): a binary file renamed .csv, most likely.
    if let Some(at) = body.find('\0') {
        let row = body[..at].matches('\n').count() + 1;
        return Err(refuse(format!(
            "Row {row} holds a character no text file has: is this a spreadsheet saved as CSV? In your spreadsheet, \
             save the file as “CSV UTF-8”, then upload it again."
        )));
    }
    let mut conn = db.pool().acquire().await?;
    let kept: KeptTotals = sqlx::query_as(
        "SELECT COUNT(*) AS files, CAST(COALESCE(SUM(LENGTH(body)), 0) AS BIGINT) AS bytes FROM product_imports \
         WHERE seller_id = $1 AND applied_at IS NULL AND created_at >= $2",
    )
    .bind(store)
    .bind(now_ms() - KEEP_MS)
    .fetch_one(&mut *conn)
    .await?;
    if kept.files >= KEPT_FILES_MAX || kept.bytes + body.len() as i64 > KEPT_BYTES_MAX {
        return Err(refuse(format!(
            "Your store has {} checked files waiting to be applied ({} MB): apply or let them go first (each is \
             kept for 7 days), or upload again tomorrow.",
            kept.files,
            kept.bytes / (1024 * 1024)
        )));
    }
    let mut plan = transfer::plan(db, &mut conn, actor, body, default_category).await?;
    if let Some(read_as) = read_as {
        plan.report.notices.insert(0, read_as);
    }
    drop(conn);
    let id = next_id();
    let now = now_ms();
    let name = crate::platform::text::cleaned(file_name, 120);
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM product_imports WHERE seller_id = $1 AND created_at < $2")
        .bind(store)
        .bind(now - KEEP_MS)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO product_imports (id, seller_id, user_id, file_name, body, default_category, report, digest, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(store)
    .bind(actor.user_id().unwrap_or(0))
    .bind(if name.trim().is_empty() {
        "catalog.csv".to_string()
    } else {
        name
    })
    .bind(body)
    .bind(default_category)
    .bind(serde_json::to_string(&plan.report).unwrap_or_default())
    .bind(plan.digest())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(
        import = id,
        store,
        rows = plan.report.rows,
        errors = plan.report.errors.len(),
        "catalog file checked"
    );
    Ok(id)
}

/// Files checked and not applied, of one store.
#[derive(sqlx::FromRow)]
struct KeptTotals {
    files: i64,
    bytes: i64,
}

/// Deletes every kept file older than the 7 days it is kept for (applied ones too: their report goes with them).
/// The number deleted.
pub async fn purge_expired(db: &Db) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("DELETE FROM product_imports WHERE created_at < $1")
        .bind(now_ms() - KEEP_MS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

/// An import of the actor's store, with its latest report.
pub async fn view(db: &Db, actor: &Actor, id: i64) -> Result<ImportView, CatalogError> {
    let store = actor.own_store()?;
    let row: KeptImport = sqlx::query_as(
        "SELECT s.store_name, s.slug AS store_slug, i.file_name, i.report, i.created_at, i.applied_at, \
         i.products_done, i.products_planned, i.progress_at, i.finished_at, i.left_out \
         FROM product_imports i JOIN sellers s ON s.id = i.seller_id WHERE i.id = $1 AND i.seller_id = $2",
    )
    .bind(id)
    .bind(store)
    .fetch_optional(db.pool())
    .await?
    .ok_or(CatalogError::NotFound)?;
    let report: ImportReport = serde_json::from_str(&row.report).unwrap_or_default();
    let progress = ImportProgress {
        done: row.products_done as usize,
        planned: row.products_planned as usize,
        finished_at: row.finished_at,
        stopped: row.applied_at.is_some()
            && row.finished_at.is_none()
            && row.progress_at.unwrap_or(0) < now_ms() - STOPPED_AFTER_MS,
        left_out: serde_json::from_str(&row.left_out).unwrap_or_default(),
    };
    let pictures = picture_fetches::progress(db, actor, id).await?;
    Ok(ImportView {
        pictures,
        id,
        store_name: row.store_name,
        store_slug: row.store_slug,
        file_name: row.file_name,
        created_at: row.created_at,
        applied_at: row.applied_at,
        report,
        progress,
    })
}

/// A kept import as its report page reads it.
#[derive(sqlx::FromRow)]
struct KeptImport {
    store_name: String,
    store_slug: String,
    file_name: String,
    report: String,
    created_at: i64,
    applied_at: Option<i64>,
    products_done: i64,
    products_planned: i64,
    progress_at: Option<i64>,
    finished_at: Option<i64>,
    left_out: String,
}

/// What an apply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Every product of the dry run is written, except `left_out` that changed between the check and their turn
    /// (listed on the import's page).
    Done { left_out: usize },
    /// Nothing was written: the file would now do something else (the import's report is the new one).
    Replanned,
    /// Planned and claimed; its products are being written by a task of their own, which the import's page
    /// follows (`apply_in_background`).
    Started,
}

/// Products written per transaction. Small enough that a shopper's checkout waiting for the write lock behind a
/// step waits tens of milliseconds, large enough that a 12,500-product file is a few hundred commits.
const STEP_PRODUCTS: usize = 25;
/// An import started and not finished whose last step is older than this has stopped (the server went down).
const STOPPED_AFTER_MS: i64 = 2 * 60 * 1000;

/// Applies the actor's import `id`. It is planned again first (outside any write transaction: reading the
/// catalog holds no lock) and refused with the new report when the plan is no longer the dry run's; the import
/// is then claimed by a conditional update, so of two "Apply" clicks at once (two tabs) one applies and the
/// other is told it was. The products are written a few per transaction, each at the version the plan read
/// it at: one that changed since (an edit, an order moving its stock) is left as it is and listed, never
/// overwritten. If the server stops midway, what was written stays written and the page says how far it got;
/// uploading the file again shows what is left.
///
/// The apply runs as a task of its own, so a caller that goes away (a seller closing the tab drops the request)
/// does not stop it halfway.
pub async fn apply(db: &Db, actor: &Actor, id: i64) -> Result<Applied, CatalogError> {
    let (db, actor) = (db.clone(), *actor);
    tokio::spawn(async move {
        match claim(&db, &actor, id).await? {
            Claim::Replanned => Ok(Applied::Replanned),
            Claim::Claimed(claimed) => claimed.write_all(&db, &actor).await,
        }
    })
    .await
    .map_err(stopped)?
}

/// Applies as `apply` does, answering once the file is planned and claimed: a file whose plan changed answers
/// `Replanned` at once, and the products of one that did not are written by a task of their own while the
/// seller watches the import's page count them (a file of 10,000 products takes seconds).
pub async fn apply_in_background(db: &Db, actor: &Actor, id: i64) -> Result<Applied, CatalogError> {
    let (db, actor) = (db.clone(), *actor);
    tokio::spawn(async move {
        let claimed = match claim(&db, &actor, id).await? {
            Claim::Replanned => return Ok(Applied::Replanned),
            Claim::Claimed(claimed) => claimed,
        };
        tokio::spawn(async move {
            // Its page says at once where it stopped (`ImportProgress::stopped`); the cause is for the operator.
            if let Err(e) = claimed.write_all(&db, &actor).await {
                tracing::error!(import = id, error = %e, "a catalog import stopped");
                let stopped = sqlx::query("UPDATE product_imports SET progress_at = 0 WHERE id = $1").bind(id);
                if let Err(e) = db.write_one(stopped).await {
                    tracing::error!(import = id, error = %e, "a stopped import could not be marked");
                }
            }
        });
        Ok(Applied::Started)
    })
    .await
    .map_err(stopped)?
}

/// The notices about the file as a whole that only its upload could say (how its bytes were read: the kept body
/// is already text), carried into a new plan's report so a replanned import still says them.
fn keep_file_notices(kept: &str, report: &mut ImportReport) {
    let Ok(kept) = serde_json::from_str::<ImportReport>(kept) else {
        return;
    };
    let said_by_upload: Vec<_> = kept
        .notices
        .into_iter()
        .filter(|n| n.row <= 1 && n.column.is_empty() && !report.notices.contains(n))
        .collect();
    report.notices.splice(0..0, said_by_upload);
}

fn stopped(e: tokio::task::JoinError) -> CatalogError {
    CatalogError::Conflict(format!("The import stopped unexpectedly ({e}); upload the file again."))
}

/// An import planned again and claimed by this apply, or why not.
enum Claim {
    Replanned,
    Claimed(Claimed),
}

/// An import this apply claimed, with the plan it writes.
struct Claimed {
    id: i64,
    store: i64,
    plan: transfer::Plan,
}

/// Plans the import again and claims it when the plan is still the dry run's.
async fn claim(db: &Db, actor: &Actor, id: i64) -> Result<Claim, CatalogError> {
    let store = actor.own_store()?;
    let row: Option<ImportRow> = sqlx::query_as(
        "SELECT body, default_category, digest, applied_at, report FROM product_imports \
         WHERE id = $1 AND seller_id = $2",
    )
    .bind(id)
    .bind(store)
    .fetch_optional(db.pool())
    .await?;
    let row = row.ok_or(CatalogError::NotFound)?;
    if row.applied_at.is_some() {
        return Err(already_applied());
    }
    let mut plan = {
        let mut conn = db.pool().acquire().await?;
        transfer::plan(db, &mut conn, actor, &row.body, row.default_category).await?
    };
    keep_file_notices(&row.report, &mut plan.report);
    let mut tx = db.begin_write().await?;
    // A product with problems is skipped (it is not in the plan); a problem with the file itself stops it all.
    if plan.report.file_refused() || plan.digest() != row.digest {
        let done =
            sqlx::query("UPDATE product_imports SET report = $1, digest = $2 WHERE id = $3 AND applied_at IS NULL")
                .bind(serde_json::to_string(&plan.report).unwrap_or_default())
                .bind(plan.digest())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        tx.commit().await?;
        return if done.rows_affected() == 0 {
            Err(already_applied())
        } else {
            Ok(Claim::Replanned)
        };
    }
    let now = now_ms();
    let claimed = sqlx::query(
        "UPDATE product_imports SET applied_at = $1, progress_at = $1, products_planned = $2 \
         WHERE id = $3 AND applied_at IS NULL",
    )
    .bind(now)
    .bind(plan.products.len() as i64)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if claimed == 0 {
        return Err(already_applied());
    }
    Ok(Claim::Claimed(Claimed { id, store, plan }))
}

impl Claimed {
    /// Writes every product of the plan, a step at a time, and marks the import finished.
    async fn write_all(self, db: &Db, actor: &Actor) -> Result<Applied, CatalogError> {
        let Claimed { id, store, plan } = self;
        let mut left_out = Vec::new();
        for (step, products) in plan.products.chunks(STEP_PRODUCTS).enumerate() {
            let done = step * STEP_PRODUCTS + products.len();
            left_out.extend(write_step(db, actor, store, id, products, done).await?);
        }
        let mut tx = db.begin_write().await?;
        sqlx::query("UPDATE product_imports SET finished_at = $1, left_out = $2 WHERE id = $3")
            .bind(now_ms())
            .bind(serde_json::to_string(&left_out).unwrap_or_default())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(
            import = id,
            store,
            products = plan.products.len(),
            left_out = left_out.len(),
            "catalog file imported"
        );
        Ok(Applied::Done {
            left_out: left_out.len(),
        })
    }
}

fn already_applied() -> CatalogError {
    CatalogError::Conflict(
        "This file is already imported. To import it again, upload it again: its dry run shows what would change."
            .into(),
    )
}

/// Writes one step's products in one transaction with the import's progress (`done` products after it). When
/// one of them changed since the plan read it, the step is written again product by product, so only that one
/// is left out. Answers the products left out, each at its row with why.
async fn write_step(
    db: &Db,
    actor: &Actor,
    store: i64,
    id: i64,
    products: &[Planned],
    done: usize,
) -> Result<Vec<ImportIssue>, CatalogError> {
    let mut tx = db.begin_write().await?;
    let mut changed = false;
    for planned in products {
        match write_product(&mut tx, actor, store, id, planned).await {
            Ok(()) => {}
            Err(CatalogError::Stale { .. } | CatalogError::Conflict(_)) => {
                changed = true;
                break;
            }
            Err(e) => return Err(e),
        }
    }
    if !changed {
        record_progress(&mut tx, id, done).await?;
        tx.commit().await?;
        return Ok(Vec::new());
    }
    drop(tx);
    let mut left_out = Vec::new();
    for planned in products {
        let mut tx = db.begin_write().await?;
        match write_product(&mut tx, actor, store, id, planned).await {
            Ok(()) => tx.commit().await?,
            Err(CatalogError::Stale { .. } | CatalogError::Conflict(_)) => left_out.push(left(planned)),
            Err(e) => return Err(e),
        }
    }
    let mut tx = db.begin_write().await?;
    record_progress(&mut tx, id, done).await?;
    tx.commit().await?;
    Ok(left_out)
}

/// One product through the editor's save step, and its pictures queued to be fetched after the apply.
async fn write_product(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    store: i64,
    import_id: i64,
    planned: &Planned,
) -> Result<(), CatalogError> {
    let written = super::save_product::store_product(tx, actor, store, &planned.product, Reason::Imported).await?;
    if !planned.pictures.is_empty() {
        picture_fetches::queue(
            tx,
            import_id,
            store,
            written.product_id,
            &planned.pictures,
            planned.publish,
        )
        .await?;
    }
    Ok(())
}

fn left(planned: &Planned) -> ImportIssue {
    ImportIssue {
        row: planned.row,
        column: String::new(),
        message: format!(
            "{} changed after the file was checked (an edit, or an order moving its stock), so the file's rows \
             for it were not written: the product is as it was. Upload the file again to see what it would \
             change now.",
            planned.product.title
        ),
    }
}

async fn record_progress(conn: &mut sqlx::AnyConnection, id: i64, done: usize) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE product_imports SET products_done = $1, progress_at = $2 WHERE id = $3")
        .bind(done as i64)
        .bind(now_ms())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A kept import as applying reads it.
#[derive(sqlx::FromRow)]
struct ImportRow {
    body: String,
    report: String,
    default_category: Option<i64>,
    digest: String,
    applied_at: Option<i64>,
}
