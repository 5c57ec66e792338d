//! Pictures on reviews: up to [`MAX_PER_REVIEW`] per review, added by its author through the upload rules of the
//! seller portal (each file checked, decoded and re-encoded by the image store: no metadata, no payload survives)
//! and removed by its author. They show with the review, so a hidden review hides them too. A picture taken off is
//! recorded for the sweep of removed pictures, which deletes its files once nothing shows it.

use model::reviews::{ReviewPicture, ReviewView};
use sqlx::AnyConnection;

use super::{writing, ReviewError};
use crate::catalog::images::{store_each, thumb_url, ImageStore, Refusal, StoredImage};
use crate::catalog::removed_images;
use crate::platform::clock::now_ms;
use crate::platform::ids::sql_list;
use crate::platform::{Actor, Db};

pub use model::limits::REVIEW_PICTURES_MAX as MAX_PER_REVIEW;

/// What an upload did: how many pictures were added, and each refused file with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Added {
    pub added: usize,
    pub refused: Vec<Refusal>,
}

#[derive(Debug, sqlx::FromRow)]
struct PictureRow {
    review_id: i64,
    image_key: String,
    ext: String,
}

impl PictureRow {
    fn view(self) -> ReviewPicture {
        ReviewPicture {
            thumb_url: thumb_url(&self.image_key, 160),
            url: format!("/media/{}.{}", self.image_key, self.ext),
            key: self.image_key,
        }
    }
}

/// The pictures of reviews `ids`, in their order, by review.
async fn pictures_of(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<PictureRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as(&format!(
        "SELECT review_id, image_key, ext FROM review_pictures WHERE review_id IN ({}) ORDER BY review_id, position",
        sql_list(ids)
    ))
    .fetch_all(&mut *conn)
    .await
}

/// Puts each review's pictures on it (one query for the whole list).
pub async fn attach<'a>(
    conn: &mut AnyConnection,
    reviews: impl IntoIterator<Item = &'a mut ReviewView>,
) -> Result<(), sqlx::Error> {
    let mut reviews: Vec<&mut ReviewView> = reviews.into_iter().collect();
    let ids: Vec<i64> = reviews.iter().map(|r| r.id).collect();
    for row in pictures_of(conn, &ids).await? {
        if let Some(review) = reviews.iter_mut().find(|r| r.id == row.review_id) {
            review.pictures.push(row.view());
        }
    }
    Ok(())
}

/// The pictures of one review.
pub async fn of_review(conn: &mut AnyConnection, review_id: i64) -> Result<Vec<ReviewPicture>, sqlx::Error> {
    Ok(pictures_of(conn, &[review_id])
        .await?
        .into_iter()
        .map(PictureRow::view)
        .collect())
}

/// The actor's review of the line it bought and received (`order_id`, `variant_id`): its id and product.
async fn own_review(db: &Db, actor: &Actor, order_id: i64, variant_id: i64) -> Result<(i64, i64), ReviewError> {
    let mut conn = db.pool().acquire().await?;
    let line = writing::bought_line(&mut conn, actor, order_id, variant_id).await?;
    let review: Option<i64> = sqlx::query_scalar("SELECT id FROM reviews WHERE order_id = $1 AND variant_id = $2")
        .bind(line.order_id)
        .bind(line.variant_id)
        .fetch_optional(&mut *conn)
        .await?;
    let review =
        review.ok_or_else(|| ReviewError::NotAllowed("Send your review first, then add pictures to it.".into()))?;
    Ok((review, line.product_id))
}

/// Adds pictures to the actor's review of a line it bought, after the ones it has, up to [`MAX_PER_REVIEW`]. A
/// picture the review shows already is not added twice.
pub async fn add(
    db: &Db,
    images: &dyn ImageStore,
    actor: &Actor,
    order_id: i64,
    variant_id: i64,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Added, ReviewError> {
    let (review_id, product_id) = own_review(db, actor, order_id, variant_id).await?;
    let had: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM review_pictures WHERE review_id = $1")
        .bind(review_id)
        .fetch_one(db.pool())
        .await?;
    let room = MAX_PER_REVIEW.saturating_sub(usize::try_from(had).unwrap_or(MAX_PER_REVIEW));
    let over = format!("Not added: a review shows at most {MAX_PER_REVIEW} pictures.");
    // From storing the files to committing their rows, the sweep of removed pictures waits.
    let _turn = removed_images::upload_turn().await;
    let (stored, mut refused) = store_each(images, files, room, &over)
        .await
        .map_err(|e| ReviewError::Storage(e.to_string()))?;
    let added = insert(db, review_id, product_id, stored, &over, &mut refused).await?;
    Ok(Added { added, refused })
}

/// Inserts the stored pictures under the review's held row, counting the limit again (two uploads at once add
/// no more than it allows); a picture that finds no room is refused with `over`.
async fn insert(
    db: &Db,
    review_id: i64,
    product_id: i64,
    stored: Vec<(String, StoredImage)>,
    over: &str,
    refused: &mut Vec<Refusal>,
) -> Result<usize, ReviewError> {
    if stored.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE reviews SET id = id WHERE id = $1")
        .bind(review_id)
        .execute(&mut *tx)
        .await?;
    let (count, last): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(MAX(position), 0) AS BIGINT) FROM review_pictures WHERE review_id = $1",
    )
    .bind(review_id)
    .fetch_one(&mut *tx)
    .await?;
    let (mut count, mut position) = (usize::try_from(count).unwrap_or(MAX_PER_REVIEW), last);
    let mut added = 0;
    for (name, image) in stored {
        if count >= MAX_PER_REVIEW {
            refused.push((name, over.to_string()));
            continue;
        }
        position += 1;
        let done = sqlx::query(
            "INSERT INTO review_pictures (review_id, image_key, ext, width, height, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (review_id, image_key) DO NOTHING",
        )
        .bind(review_id)
        .bind(&image.key)
        .bind(image.ext)
        .bind(i64::from(image.width))
        .bind(i64::from(image.height))
        .bind(position)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 1 {
            count += 1;
            added += 1;
        }
    }
    // The product page (and its cache) shows the review's pictures.
    crate::platform::outbox::product_changed(&mut tx, product_id).await?;
    tx.commit().await?;
    Ok(added)
}

/// Takes picture `key` off the actor's review of a line it bought; its files go with the sweep.
pub async fn remove(db: &Db, actor: &Actor, order_id: i64, variant_id: i64, key: &str) -> Result<(), ReviewError> {
    let (review_id, product_id) = own_review(db, actor, order_id, variant_id).await?;
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("DELETE FROM review_pictures WHERE review_id = $1 AND image_key = $2")
        .bind(review_id)
        .bind(key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if done == 0 {
        return Err(ReviewError::NotFound);
    }
    removed_images::record(&mut tx, &[key.to_string()]).await?;
    crate::platform::outbox::product_changed(&mut tx, product_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Before reviews of `user_id` are deleted (an erasure): their pictures are taken off and recorded for the sweep.
pub async fn forget(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT image_key FROM review_pictures WHERE review_id IN (SELECT id FROM reviews WHERE user_id = $1)",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM review_pictures WHERE review_id IN (SELECT id FROM reviews WHERE user_id = $1)")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    removed_images::record(conn, &keys).await
}
