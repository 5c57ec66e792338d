//! What readers do with a review: mark it helpful (once per account) or report it to the admins (once per
//! account). Both answer with the product's page to go back to.

use model::reviews::ReviewReason;
use model::FieldError;
use sqlx::AnyConnection;

use super::ReviewError;
use crate::platform::clock::now_ms;
use crate::platform::{outbox, Actor, Db};

/// A visible review: its product and page, its author and store.
#[derive(Debug, sqlx::FromRow)]
struct Target {
    product_id: i64,
    slug: String,
    user_id: Option<i64>,
    seller_id: i64,
}

async fn visible(conn: &mut AnyConnection, review_id: i64) -> Result<Target, ReviewError> {
    sqlx::query_as(
        "SELECT r.product_id, p.slug, r.user_id, r.seller_id FROM reviews r JOIN products p ON p.id = r.product_id \
         WHERE r.id = $1 AND r.hidden_at IS NULL",
    )
    .bind(review_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(ReviewError::NotFound)
}

fn signed_in(actor: &Actor) -> Result<i64, ReviewError> {
    actor
        .user_id()
        .ok_or_else(|| ReviewError::NotAllowed("Sign in to vote on or report a review.".into()))
}

/// Counts the actor's "helpful" on a review once (a second vote changes nothing). Its author and its store's
/// seller cannot vote on it. Returns the product's slug.
pub async fn mark_helpful(db: &Db, actor: &Actor, review_id: i64) -> Result<String, ReviewError> {
    let user = signed_in(actor)?;
    let mut tx = db.begin_write().await?;
    let target = visible(&mut tx, review_id).await?;
    if target.user_id == Some(user) || actor.store_id() == Some(target.seller_id) {
        return Err(ReviewError::NotAllowed(
            "Votes are for other shoppers: you cannot vote on your own review or your store's.".into(),
        ));
    }
    let voted = sqlx::query(
        "INSERT INTO review_votes (review_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (review_id, user_id) DO NOTHING",
    )
    .bind(review_id)
    .bind(user)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if voted == 1 {
        sqlx::query("UPDATE reviews SET helpful = helpful + 1 WHERE id = $1")
            .bind(review_id)
            .execute(&mut *tx)
            .await?;
        // The cached product page shows the count and orders by it.
        outbox::product_changed(&mut tx, target.product_id).await?;
    }
    tx.commit().await?;
    Ok(target.slug)
}

/// Reports a review for one of the listed reasons; it goes to the admins' queue. One report per account (a
/// second is no error and counts nothing). Returns the product's slug.
pub async fn report(db: &Db, actor: &Actor, review_id: i64, reason: &str) -> Result<String, ReviewError> {
    let user = signed_in(actor)?;
    let reason = ReviewReason::parse(reason)
        .ok_or_else(|| ReviewError::Invalid(vec![FieldError::new("reason", "Choose why you report this review.")]))?;
    let mut tx = db.begin_write().await?;
    let target = visible(&mut tx, review_id).await?;
    let reported = sqlx::query(
        "INSERT INTO review_reports (review_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (review_id, user_id) DO NOTHING",
    )
    .bind(review_id)
    .bind(user)
    .bind(reason.as_str())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if reported == 1 {
        sqlx::query("UPDATE reviews SET open_reports = open_reports + 1 WHERE id = $1")
            .bind(review_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(target.slug)
}
