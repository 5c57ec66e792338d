//! Changes to several products at once from the products list, and a variant's low-stock alert level.

use model::admin::AuditAction;
use model::product_form::ProductStatus;
use model::FieldError;
use sqlx::AnyConnection;

use super::UNITS_MAX;
use crate::catalog::CatalogError;
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::clock::now_ms;
use crate::platform::{outbox, Actor, Db};

/// Publishes or archives several of the actor's own products at once; products of other stores are not touched
/// (and not counted). Publishing skips products that lack a price or a picture and names them.
pub async fn set_status_bulk(db: &Db, actor: &Actor, ids: &[i64], status: &str) -> Result<BulkOutcome, CatalogError> {
    let store = actor.own_store()?;
    let Some(status) = ProductStatus::parse(status) else {
        return Err(CatalogError::Invalid(vec![FieldError::new(
            "status",
            "Choose an action.",
        )]));
    };
    let mut tx = db.begin_write().await?;
    let mut outcome = BulkOutcome::default();
    for id in ids {
        let found: Option<Publishable> = sqlx::query_as(
            "SELECT p.title, p.status, (SELECT COUNT(*) FROM variants v WHERE v.product_id = p.id AND v.price > 0) AS priced, \
             (SELECT COUNT(*) FROM product_images i WHERE i.product_id = p.id) AS pictures \
             FROM products p WHERE p.id = $1 AND p.seller_id = $2",
        )
        .bind(id)
        .bind(store)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(product) = found else {
            continue;
        };
        if status == ProductStatus::Active && (product.priced == 0 || product.pictures == 0) {
            outcome.skipped.push(product.title);
            continue;
        }
        sqlx::query("UPDATE products SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(status.as_str())
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        outbox::product_changed(&mut tx, *id).await?;
        let entry = Entry::new(AuditAction::ProductChanged, Subject::new("product", id, &product.title))
            .store(store)
            .change(
                "status",
                super::audit::status_word(&product.status),
                super::audit::status_word(status.as_str()),
            );
        if !entry.changes.is_empty() {
            audit::record(&mut tx, actor, &entry).await?;
        }
        outcome.changed += 1;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// The titles of the actor's own products among `ids` (others are left out), for a confirmation.
pub async fn titles(db: &Db, actor: &Actor, ids: &[i64]) -> Result<Vec<(i64, String)>, CatalogError> {
    let store = actor.own_store()?;
    let mut out = Vec::new();
    for id in ids {
        let title: Option<String> = sqlx::query_scalar("SELECT title FROM products WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(store)
            .fetch_optional(db.pool())
            .await?;
        out.extend(title.map(|t| (*id, t)));
    }
    Ok(out)
}

/// What publishing a product needs: a priced variant and a picture.
#[derive(sqlx::FromRow)]
struct Publishable {
    title: String,
    status: String,
    priced: i64,
    pictures: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    pub changed: usize,
    /// Titles not published: they lack a price or a picture.
    pub skipped: Vec<String>,
}

/// Sets a variant's low-stock alert level (`''` = the store's default) on the actor's own store.
pub async fn set_threshold(db: &Db, actor: &Actor, variant_id: i64, typed: &str) -> Result<(), CatalogError> {
    let store = actor.own_store()?;
    let threshold = match typed.trim() {
        "" => None,
        t => Some(
            t.parse::<i64>()
                .ok()
                .filter(|n| (0..=UNITS_MAX).contains(n))
                .ok_or_else(|| {
                    CatalogError::Invalid(vec![FieldError::new(
                        "threshold",
                        "Enter a whole number of units, or leave it empty for the store's default.",
                    )])
                })?,
        ),
    };
    let done = db
        .write_one(
            sqlx::query(
                "UPDATE variants SET low_stock_threshold = $1 WHERE id = $2 \
         AND product_id IN (SELECT id FROM products WHERE seller_id = $3)",
            )
            .bind(threshold)
            .bind(variant_id)
            .bind(store),
        )
        .await?;
    if done.rows_affected() == 0 {
        return Err(CatalogError::NotFound);
    }
    Ok(())
}

/// The store turned backorders off: none of its variants keeps selling when out of stock any more. Answers the
/// products whose variants changed (their pages and search entries change with them).
pub(crate) async fn stop_selling_beyond_stock(conn: &mut AnyConnection, store: i64) -> Result<Vec<i64>, sqlx::Error> {
    let products: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT product_id FROM variants WHERE seller_id = $1 AND keep_selling = 1 ORDER BY product_id",
    )
    .bind(store)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("UPDATE variants SET keep_selling = 0 WHERE seller_id = $1 AND keep_selling = 1")
        .bind(store)
        .execute(&mut *conn)
        .await?;
    Ok(products)
}
