//! Store ratings (decision 0046): one per seller order, by the account that bought it, once it is delivered and
//! for 100 days after (changed by its author at any time), stars and an optional comment. The store's aggregate
//! on `sellers` (sum and count) is set from its ratings in the rating's transaction, after its row is held, so
//! ratings given at once are counted in turn. No store can remove or hide a rating of itself.

use model::limits::STORE_RATING_COMMENT_MAX_CHARS as COMMENT_MAX;
use model::reviews::{RateableOrder, RatingSummary, StoreRatingForm, StoreRatingView, StoreRatings};
use model::FieldError;
use sqlx::AnyConnection;

use super::{author_name, ReviewError, WRITE_WITHIN_MS};
use crate::platform::clock::now_ms;
use crate::platform::{text, Actor, Db};

/// The store page shows at most this many comments.
const RECENT: i64 = 10;

/// A checked rating: stars 1–5 and the comment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRating {
    pub stars: i64,
    pub comment: String,
}

pub fn check(form: &StoreRatingForm) -> Result<CheckedRating, Vec<FieldError>> {
    let mut errors = Vec::new();
    let stars = super::stars(&form.stars).unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    let comment = text::lines(&form.comment, COMMENT_MAX).unwrap_or_else(|problem| {
        errors.push(FieldError::new("comment", problem.message()));
        String::new()
    });
    if errors.is_empty() {
        Ok(CheckedRating { stars, comment })
    } else {
        Err(errors)
    }
}

#[derive(sqlx::FromRow)]
struct RateableRow {
    order_id: i64,
    order_number: String,
    seller_id: i64,
    store_name: String,
    store_slug: String,
    delivered_at: Option<i64>,
    stars: Option<i64>,
    comment: Option<String>,
}

impl RateableRow {
    fn view(self) -> Option<RateableOrder> {
        Some(RateableOrder {
            order_id: self.order_id,
            order_number: self.order_number,
            store_name: self.store_name,
            store_slug: self.store_slug,
            until: self.delivered_at? + WRITE_WITHIN_MS,
            stars: self.stars.and_then(|s| u8::try_from(s).ok()),
            comment: self.comment.unwrap_or_default(),
        })
    }
}

/// The delivered seller orders of account `user` (`order` narrows to one; 0: all), newest delivery first. An
/// erased account has none (a request that raced the erasure writes nothing after it).
async fn delivered(conn: &mut AnyConnection, user: i64, order: i64) -> Result<Vec<RateableRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM (SELECT o.id AS order_id, o.number AS order_number, o.seller_id, s.store_name, \
         s.slug AS store_slug, r.stars, r.comment, \
         (SELECT MAX(e.created_at) FROM order_events e WHERE e.order_id = o.id AND e.status = 'delivered') \
         AS delivered_at FROM orders o JOIN order_groups g ON g.id = o.group_id JOIN sellers s ON s.id = o.seller_id \
         JOIN users u ON u.id = g.user_id AND u.erased_at IS NULL \
         LEFT JOIN store_ratings r ON r.order_id = o.id WHERE g.user_id = $1 AND ($2 = 0 OR o.id = $2)) rateable \
         WHERE delivered_at IS NOT NULL ORDER BY delivered_at DESC, order_id DESC LIMIT 500",
    )
    .bind(user)
    .bind(order)
    .fetch_all(&mut *conn)
    .await
}

/// The account's stores to rate (within 100 days of delivery) and rated, for `/account/reviews` (never the
/// account's own store).
pub async fn rateable(
    conn: &mut AnyConnection,
    user: i64,
    own_store: Option<i64>,
) -> Result<Vec<RateableOrder>, sqlx::Error> {
    let now = now_ms();
    Ok(delivered(conn, user, 0)
        .await?
        .into_iter()
        .filter(|r| Some(r.seller_id) != own_store)
        .filter_map(RateableRow::view)
        .filter(|o| o.stars.is_some() || now <= o.until)
        .collect())
}

/// The store of seller order `order_id` when the actor bought it and it was delivered; `NotFound` otherwise.
pub async fn store_of(conn: &mut AnyConnection, actor: &Actor, order_id: i64) -> Result<i64, ReviewError> {
    let user = actor.user_id().ok_or(ReviewError::NotFound)?;
    if order_id == 0 {
        return Err(ReviewError::NotFound);
    }
    let row = delivered(conn, user, order_id).await?.into_iter().next();
    row.map(|r| r.seller_id).ok_or(ReviewError::NotFound)
}

/// Holds store `seller_id`'s row for the caller's transaction (its aggregate is set after the rating).
pub async fn hold(conn: &mut AnyConnection, seller_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sellers SET rating_count = rating_count WHERE id = $1")
        .bind(seller_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes the actor's rating of the store of order `order_id` (or changes the one given), in the caller's
/// transaction after [`hold`]. Returns whether it is new.
pub async fn write(
    conn: &mut AnyConnection,
    actor: &Actor,
    order_id: i64,
    rating: &CheckedRating,
) -> Result<bool, ReviewError> {
    let user = actor.user_id().ok_or(ReviewError::NotFound)?;
    let row = delivered(conn, user, order_id)
        .await?
        .into_iter()
        .next()
        .ok_or(ReviewError::NotFound)?;
    if actor.store_id() == Some(row.seller_id) {
        return Err(ReviewError::NotAllowed(
            "A store's seller cannot rate its own store.".into(),
        ));
    }
    let new = row.stars.is_none();
    let now = now_ms();
    if new && row.delivered_at.is_some_and(|at| now > at + WRITE_WITHIN_MS) {
        return Err(ReviewError::NotAllowed(format!(
            "Order {} arrived more than 100 days ago: it can no longer be rated.",
            row.order_number
        )));
    }
    sqlx::query(
        "INSERT INTO store_ratings (order_id, seller_id, user_id, stars, comment, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (order_id) DO UPDATE SET stars = excluded.stars, \
         comment = excluded.comment, updated_at = excluded.updated_at",
    )
    .bind(order_id)
    .bind(row.seller_id)
    .bind(user)
    .bind(rating.stars)
    .bind(&rating.comment)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(new)
}

/// Sets store `seller_id`'s aggregate from its ratings.
pub async fn recount(conn: &mut AnyConnection, seller_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sellers SET rating_sum = (SELECT COALESCE(CAST(SUM(stars) AS BIGINT), 0) FROM store_ratings \
         WHERE seller_id = $1), rating_count = (SELECT COUNT(*) FROM store_ratings WHERE seller_id = $1) \
         WHERE id = $1",
    )
    .bind(seller_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RecentRow {
    name: String,
    stars: i64,
    comment: String,
    updated_at: i64,
}

/// An active store's ratings for its page.
pub async fn for_store(db: &Db, slug: &str) -> Result<StoreRatings, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    let counts: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT r.stars, COUNT(*) FROM store_ratings r JOIN sellers s ON s.id = r.seller_id \
         WHERE s.slug = $1 AND s.status = 'active' GROUP BY r.stars",
    )
    .bind(slug)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_stars = [0_i64; 5];
    for (stars, n) in counts {
        if let Some(slot) = usize::try_from(stars - 1).ok().and_then(|i| by_stars.get_mut(i)) {
            *slot = n;
        }
    }
    let count: i64 = by_stars.iter().sum();
    let sum: i64 = by_stars.iter().enumerate().map(|(i, n)| (i as i64 + 1) * n).sum();
    let recent: Vec<RecentRow> = sqlx::query_as(
        "SELECT u.name, r.stars, r.comment, r.updated_at FROM store_ratings r JOIN sellers s ON s.id = r.seller_id \
         JOIN users u ON u.id = r.user_id WHERE s.slug = $1 AND s.status = 'active' AND r.comment <> '' \
         ORDER BY r.updated_at DESC, r.order_id DESC LIMIT $2",
    )
    .bind(slug)
    .bind(RECENT)
    .fetch_all(&mut *conn)
    .await?;
    Ok(StoreRatings {
        summary: RatingSummary {
            count,
            by_stars,
            average: (count > 0).then(|| ((sum * 10 / count) as f32) / 10.0),
        },
        recent: recent
            .into_iter()
            .map(|r| StoreRatingView {
                author: author_name(&r.name),
                stars: u8::try_from(r.stars).unwrap_or(0),
                comment: r.comment,
                written_at: r.updated_at,
            })
            .collect(),
    })
}

/// Average × 10 per active store with ratings (what the search's store-rating filter compares).
pub async fn averages_x10(db: &Db) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, rating_sum * 10 / rating_count FROM sellers WHERE status = 'active' AND rating_count > 0",
    )
    .fetch_all(db.pool())
    .await
}

/// The account's ratings for its data export: (order number, store, stars, comment, when).
pub async fn of_account(db: &Db, user: i64) -> Result<Vec<(String, String, i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.number, s.store_name, r.stars, r.comment, r.updated_at FROM store_ratings r \
         JOIN orders o ON o.id = r.order_id JOIN sellers s ON s.id = r.seller_id WHERE r.user_id = $1 \
         ORDER BY r.updated_at",
    )
    .bind(user)
    .fetch_all(db.pool())
    .await
}

/// Deletes the account's ratings and sets the aggregate of each store they rated (an erasure), in the caller's
/// transaction; the cached store pages and listings that showed them are dropped. Stores are held in id order, so
/// two erasures never wait on each other's stores in a circle.
pub async fn forget(conn: &mut AnyConnection, user: i64) -> Result<(), sqlx::Error> {
    let stores: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT seller_id FROM store_ratings WHERE user_id = $1 ORDER BY seller_id")
            .bind(user)
            .fetch_all(&mut *conn)
            .await?;
    if stores.is_empty() {
        return Ok(());
    }
    for store in &stores {
        hold(conn, *store).await?;
    }
    sqlx::query("DELETE FROM store_ratings WHERE user_id = $1")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    for store in stores {
        recount(conn, store).await?;
    }
    crate::platform::outbox::listings_changed(conn).await
}
