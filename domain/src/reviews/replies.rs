//! The store's side (`/seller/reviews`): the reviews of its products, newest first, and its one public reply to
//! each. A store cannot hide, change or delete a review; it may report one like anyone else.

use model::reviews::{StoreReviewRow, StoreReviews};
use model::FieldError;

use super::{ReviewError, ReviewRow, REPLY_MAX, REVIEW_COLUMNS};
use crate::platform::clock::now_ms;
use crate::platform::{outbox, text, Actor, Db};

/// The portal lists this many, newest first.
const LIST_MAX: i64 = 100;

#[derive(Debug, sqlx::FromRow)]
struct StoreRow {
    product_title: String,
    product_slug: String,
    hidden_at: Option<i64>,
    #[sqlx(flatten)]
    review: ReviewRow,
}

/// The reviews of the actor's store's products (`unanswered_only`: those without a reply yet).
pub async fn store_reviews(db: &Db, actor: &Actor, unanswered_only: bool) -> Result<StoreReviews, ReviewError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let (store_name, store_slug): (String, String) =
        sqlx::query_as("SELECT store_name, slug FROM sellers WHERE id = $1")
            .bind(store)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(ReviewError::NotFound)?;
    let awaiting_reply: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM reviews WHERE seller_id = $1 AND reply IS NULL AND hidden_at IS NULL AND demo = 0",
    )
    .bind(store)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<StoreRow> = sqlx::query_as(&format!(
        "SELECT p.title AS product_title, p.slug AS product_slug, r.hidden_at, {REVIEW_COLUMNS} \
         FROM reviews r JOIN products p ON p.id = r.product_id JOIN sellers s ON s.id = r.seller_id \
         WHERE r.seller_id = $1 AND ($2 = 0 OR (r.reply IS NULL AND r.hidden_at IS NULL)) \
         ORDER BY r.created_at DESC, r.id DESC LIMIT $3"
    ))
    .bind(store)
    .bind(i64::from(unanswered_only))
    .bind(LIST_MAX)
    .fetch_all(&mut *conn)
    .await?;
    let mut reviews: Vec<StoreReviewRow> = rows
        .into_iter()
        .map(|r| {
            let hidden = r.hidden_at.is_some();
            let mut review = r.review.view();
            if hidden {
                // Hidden for what it said (personal information, say): the store no longer reads it either.
                review.title = "Hidden by moderators".into();
                review.body = String::new();
            }
            StoreReviewRow {
                product_title: r.product_title,
                product_slug: r.product_slug,
                hidden,
                review,
            }
        })
        .collect();
    // A hidden review's pictures are hidden with its words.
    super::pictures::attach(
        &mut conn,
        reviews
            .iter_mut()
            .filter(|r| !r.hidden)
            .map(|r| (r.review.id, &mut r.review.pictures)),
    )
    .await?;
    Ok(StoreReviews {
        store_name,
        store_slug,
        awaiting_reply,
        unanswered_only,
        reviews,
    })
}

/// The store's public reply to a review of one of its products: once (a conditional update, so two sends of the
/// form cannot both write), plain text.
pub async fn reply(db: &Db, actor: &Actor, review_id: i64, body: &str) -> Result<(), ReviewError> {
    let store = actor.own_store()?;
    let body = match text::lines(body, REPLY_MAX) {
        Ok(b) if b.is_empty() => Err("Write your reply.".to_string()),
        Ok(b) => Ok(b),
        Err(problem) => Err(problem.message()),
    }
    .map_err(|message| ReviewError::Invalid(vec![FieldError::new("reply", message)]))?;
    let mut tx = db.begin_write().await?;
    let written = sqlx::query(
        "UPDATE reviews SET reply = $1, replied_at = $2 \
         WHERE id = $3 AND seller_id = $4 AND reply IS NULL AND hidden_at IS NULL",
    )
    .bind(&body)
    .bind(now_ms())
    .bind(review_id)
    .bind(store)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if written == 1 {
        // The product's cached page shows replies: the outbox drops it.
        let product_id: i64 = sqlx::query_scalar("SELECT product_id FROM reviews WHERE id = $1")
            .bind(review_id)
            .fetch_one(&mut *tx)
            .await?;
        outbox::product_changed(&mut tx, product_id).await?;
        tx.commit().await?;
        return Ok(());
    }
    let ours: Option<i64> = sqlx::query_scalar("SELECT id FROM reviews WHERE id = $1 AND seller_id = $2")
        .bind(review_id)
        .bind(store)
        .fetch_optional(&mut *tx)
        .await?;
    match ours {
        Some(_) => Err(ReviewError::NotAllowed(
            "This review already has your reply, or was hidden by moderators: a review gets one reply.".into(),
        )),
        None => Err(ReviewError::NotFound),
    }
}
