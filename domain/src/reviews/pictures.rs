//! Pictures on reviews: up to [`MAX_PER_REVIEW`] per review, added by its author through the upload rules of the
//! seller portal (each file checked, decoded and re-encoded by the image store: no metadata, no payload survives)
//! and removed by its author. They show with the review, so a hidden review hides them too. A picture taken off is
//! recorded for the sweep of removed pictures, which deletes its files once nothing shows it.

use model::reviews::ReviewPicture;
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

/// Puts each review's pictures on it (one query for the whole list): `(review id, its pictures)` pairs.
pub async fn attach<'a>(
    conn: &mut AnyConnection,
    reviews: impl IntoIterator<Item = (i64, &'a mut Vec<ReviewPicture>)>,
) -> Result<(), sqlx::Error> {
    let mut reviews: Vec<(i64, &mut Vec<ReviewPicture>)> = reviews.into_iter().collect();
    let ids: Vec<i64> = reviews.iter().map(|(id, _)| *id).collect();
    for row in pictures_of(conn, &ids).await? {
        if let Some((_, pictures)) = reviews.iter_mut().find(|(id, _)| *id == row.review_id) {
            pictures.push(row.view());
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

/// The actor's review of a line it bought and received, and how many more pictures it may show.
struct Target {
    review_id: i64,
    product_id: i64,
    room: usize,
}

async fn target(db: &Db, actor: &Actor, order_id: i64, variant_id: i64) -> Result<Target, ReviewError> {
    let mut conn = db.pool().acquire().await?;
    let line = writing::bought_line(&mut conn, actor, order_id, variant_id).await?;
    let review: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, hidden_at FROM reviews WHERE order_id = $1 AND variant_id = $2")
            .bind(line.order_id)
            .bind(line.variant_id)
            .fetch_optional(&mut *conn)
            .await?;
    let review_id = match review {
        None => {
            return Err(ReviewError::NotAllowed(
                "Send your review first, then add pictures to it.".into(),
            ))
        }
        // Its pictures went when it was hidden; new ones would only wait, unseen, on the disk.
        Some((_, Some(_))) => {
            return Err(ReviewError::NotAllowed(
                "Our moderators hid this review: pictures cannot be added to it.".into(),
            ))
        }
        Some((id, None)) => id,
    };
    let had: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM review_pictures WHERE review_id = $1")
        .bind(review_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(Target {
        review_id,
        product_id: line.product_id,
        room: MAX_PER_REVIEW.saturating_sub(usize::try_from(had).unwrap_or(MAX_PER_REVIEW)),
    })
}

/// How many more pictures the actor's review of the line may show: asked before an upload's body is read, so
/// nobody but the review's author makes the server read pictures for it.
pub async fn room(db: &Db, actor: &Actor, order_id: i64, variant_id: i64) -> Result<usize, ReviewError> {
    Ok(target(db, actor, order_id, variant_id).await?.room)
}

fn over() -> String {
    format!("Not added: a review shows at most {MAX_PER_REVIEW} pictures.")
}

/// Adds pictures to the actor's review of a line it bought, after the ones it has, up to [`MAX_PER_REVIEW`]. A
/// picture the review shows already is not added twice. Files stored but not added (no room after all, or the
/// review went meanwhile) are recorded for the sweep, so none stays on the disk unseen.
pub async fn add(
    db: &Db,
    images: &dyn ImageStore,
    actor: &Actor,
    order_id: i64,
    variant_id: i64,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Added, ReviewError> {
    let target = target(db, actor, order_id, variant_id).await?;
    // From storing the files to committing their rows, the sweep of removed pictures waits.
    let _turn = removed_images::upload_turn().await;
    let (stored, mut refused) = store_each(images, files, target.room, &over())
        .await
        .map_err(|e| ReviewError::Storage(e.to_string()))?;
    let keys: Vec<String> = stored.iter().map(|(_, image)| image.key.clone()).collect();
    match insert(db, &target, stored, &mut refused).await {
        Ok(added) => Ok(Added { added, refused }),
        Err(e) => {
            let mut conn = db.begin_write().await?;
            removed_images::record(&mut conn, &keys).await?;
            conn.commit().await?;
            Err(e)
        }
    }
}

/// Inserts the stored pictures under the review's held row, counting the limit again (two uploads at once add
/// no more than it allows); a picture that finds no room is refused and recorded for the sweep. Adding pictures
/// changes the review like an edit does.
async fn insert(
    db: &Db,
    target: &Target,
    stored: Vec<(String, StoredImage)>,
    refused: &mut Vec<Refusal>,
) -> Result<usize, ReviewError> {
    if stored.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let held = sqlx::query("UPDATE reviews SET id = id WHERE id = $1 AND hidden_at IS NULL")
        .bind(target.review_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if held != 1 {
        return Err(ReviewError::NotFound);
    }
    let (count, last): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(MAX(position), 0) AS BIGINT) FROM review_pictures WHERE review_id = $1",
    )
    .bind(target.review_id)
    .fetch_one(&mut *tx)
    .await?;
    let (mut count, mut position) = (usize::try_from(count).unwrap_or(MAX_PER_REVIEW), last);
    let (mut added, mut unplaced) = (0, Vec::new());
    for (name, image) in stored {
        if count >= MAX_PER_REVIEW {
            refused.push((name, over()));
            unplaced.push(image.key);
            continue;
        }
        position += 1;
        let done = sqlx::query(
            "INSERT INTO review_pictures (review_id, image_key, ext, width, height, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (review_id, image_key) DO NOTHING",
        )
        .bind(target.review_id)
        .bind(&image.key)
        .bind(image.ext)
        .bind(i64::from(image.width))
        .bind(i64::from(image.height))
        .bind(position)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        count += usize::try_from(done).unwrap_or(0);
        added += usize::try_from(done).unwrap_or(0);
    }
    removed_images::record(&mut tx, &unplaced).await?;
    if added > 0 {
        writing::content_changed(&mut tx, target.review_id).await?;
        // The product page (and its cache) shows the review's pictures.
        crate::platform::outbox::product_changed(&mut tx, target.product_id).await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// Takes picture `key` off the actor's review of a line it bought; its files go with the sweep.
pub async fn remove(db: &Db, actor: &Actor, order_id: i64, variant_id: i64, key: &str) -> Result<(), ReviewError> {
    let mut conn = db.pool().acquire().await?;
    let line = writing::bought_line(&mut conn, actor, order_id, variant_id).await?;
    drop(conn);
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "DELETE FROM review_pictures WHERE image_key = $1 AND review_id = \
         (SELECT id FROM reviews WHERE order_id = $2 AND variant_id = $3)",
    )
    .bind(key)
    .bind(line.order_id)
    .bind(line.variant_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(ReviewError::NotFound);
    }
    removed_images::record(&mut tx, &[key.to_string()]).await?;
    crate::platform::outbox::product_changed(&mut tx, line.product_id).await?;
    tx.commit().await?;
    Ok(())
}

/// When a review is hidden: its pictures come off with its words (a picture of someone's face stays hidden only
/// if its file goes), recorded for the sweep.
pub async fn drop_all(conn: &mut AnyConnection, review_id: i64) -> Result<(), sqlx::Error> {
    let keys: Vec<String> = sqlx::query_scalar("SELECT image_key FROM review_pictures WHERE review_id = $1")
        .bind(review_id)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM review_pictures WHERE review_id = $1")
        .bind(review_id)
        .execute(&mut *conn)
        .await?;
    removed_images::record(conn, &keys).await
}

/// Before reviews of `user_id` are deleted (an erasure): their pictures are taken off and recorded for the sweep.
pub async fn forget(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    // The rows held first: an upload committing meanwhile waits, then finds its review gone.
    sqlx::query("UPDATE reviews SET id = id WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
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
