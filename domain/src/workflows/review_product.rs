//! A review written, edited or hidden (reviews) with the product's rating aggregate set from its visible reviews
//! (catalog), the outbox row that re-indexes the product and drops its cached pages (platform), and the mail
//! (notifications: the store hears of a new review, the author of a hidden one), in one transaction. The product's row is held first, so reviews of one product written at once are counted in turn.

use model::reviews::ReviewForm;

use crate::catalog::ratings;
use crate::notifications::{self, templates};
use crate::platform::{outbox, Actor, Db};
use crate::reviews::writing::{self, Written};
use crate::reviews::{author_of, moderation, store_email, store_ratings, totals, ReviewError};

/// Writes the actor's review of a line they bought and received (or edits the one they wrote). Returns the
/// product's slug and what was done.
pub async fn write(
    db: &Db,
    actor: &Actor,
    order_id: i64,
    variant_id: i64,
    form: &ReviewForm,
) -> Result<(String, Written), ReviewError> {
    let checked = writing::check(form).map_err(ReviewError::Invalid)?;
    let mut tx = db.begin_write().await?;
    let line = writing::bought_line(&mut tx, actor, order_id, variant_id).await?;
    if !ratings::hold(&mut tx, line.product_id).await? {
        return Err(ReviewError::NotFound);
    }
    let written = writing::write(&mut tx, actor, &line, &checked).await?;
    recount(&mut tx, line.product_id).await?;
    if written == Written::New {
        if let Some(to) = store_email(&mut tx, line.seller_id).await? {
            let mail = templates::new_review(&to, &line.product_title, checked.stars, "/seller/reviews?unanswered=1");
            let key = format!("review:{}:{}", line.order_id, line.variant_id);
            notifications::enqueue(&mut tx, &key, &mail).await?;
        }
        let reminder = super::ship_order::review_reminder_key(line.order_id);
        notifications::drop_unsent(&mut tx, &reminder).await?;
    }
    tx.commit().await?;
    Ok((line.product_slug, written))
}

/// An admin hides a reported review for `reason`; the product's rating no longer counts it. Returns whether it
/// was hidden now (false: hidden already).
pub async fn hide(db: &Db, actor: &Actor, review_id: i64, reason: &str) -> Result<bool, ReviewError> {
    let reason = moderation::hiding_reason(reason)?;
    if !actor.is_admin() {
        return Err(ReviewError::NotFound);
    }
    let mut tx = db.begin_write().await?;
    let product_id = moderation::product_of(&mut tx, review_id).await?;
    ratings::hold(&mut tx, product_id).await?;
    let hidden = moderation::hide(&mut tx, actor, review_id, reason).await?;
    if hidden {
        recount(&mut tx, product_id).await?;
        if let Some((to, product)) = author_of(&mut tx, review_id).await? {
            let mail = templates::review_hidden(&to, &product, reason.label());
            notifications::enqueue(&mut tx, &format!("review-hidden:{review_id}"), &mail).await?;
        }
    }
    tx.commit().await?;
    Ok(hidden)
}

pub(crate) async fn recount(conn: &mut sqlx::AnyConnection, product_id: i64) -> Result<(), sqlx::Error> {
    let (sum, count) = totals(conn, product_id).await?;
    ratings::set(conn, product_id, sum, count).await?;
    outbox::product_changed(conn, product_id).await
}

/// The actor rates the store of their delivered order `order_id` (or changes their rating): the rating and the
/// store's aggregate in one transaction, with the listings told (the store-rating filter reads the aggregate).
/// Returns the store's slug and whether the rating is new.
pub async fn rate_store(
    db: &Db,
    actor: &Actor,
    order_id: i64,
    form: &model::reviews::StoreRatingForm,
) -> Result<(String, bool), ReviewError> {
    let checked = store_ratings::check(form).map_err(ReviewError::Invalid)?;
    let mut tx = db.begin_write().await?;
    let store = store_ratings::store_of(&mut tx, actor, order_id).await?;
    store_ratings::hold(&mut tx, store).await?;
    let new = store_ratings::write(&mut tx, actor, order_id, &checked).await?;
    store_ratings::recount(&mut tx, store).await?;
    outbox::listings_changed(&mut tx).await?;
    let slug: String = sqlx::query_scalar("SELECT slug FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((slug, new))
}
