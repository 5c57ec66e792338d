//! Putting a fetched picture on the products whose rows named its address: in the file's order among the
//! product's pictures, the product's version moved on (a form opened before cannot drop it), and a product the
//! file says is active published with its first picture.

use model::product_form::ProductStatus;
use sqlx::AnyConnection;

use super::{Claim, FetchState};
use crate::catalog::editor::MAX_PICTURES;
use crate::catalog::images::StoredImage;
use crate::catalog::CatalogError;
use crate::platform::clock::now_ms;
use crate::platform::{outbox, Db};

/// A claimed row waiting for its picture.
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    import_id: i64,
    product_id: i64,
    position: i64,
    alt: String,
    url: String,
}

/// A picture a product shows, as it is re-written in its new order.
#[derive(sqlx::FromRow)]
struct Shown {
    image_key: String,
    ext: String,
    alt: String,
    width: i64,
    height: i64,
    source: String,
    position: i64,
}

/// A picture this product's imports fetched, with its place in the file's order.
#[derive(sqlx::FromRow)]
struct FetchedPicture {
    image_key: String,
    position: i64,
}

/// Puts the picture on each product of the claim, one transaction per product.
pub(super) async fn attach_claimed(db: &Db, claim: &Claim, image: &StoredImage) -> Result<(), CatalogError> {
    let rows: Vec<ClaimedRow> = sqlx::query_as(
        "SELECT id, import_id, product_id, position, alt, url FROM picture_fetches \
         WHERE import_id = $1 AND url = $2 AND state = $3 AND claimed_at = $4",
    )
    .bind(claim.import_id)
    .bind(&claim.url)
    .bind(FetchState::Fetching.as_str())
    .bind(claim.at)
    .fetch_all(db.pool())
    .await?;
    for row in rows {
        let mut tx = db.begin_write().await?;
        let outcome = attach_one(&mut tx, &row, image).await?;
        let (state, reason) = match outcome {
            Ok(()) => (FetchState::Fetched, String::new()),
            Err(reason) => {
                // Stored and shown nowhere (unless another product shows it): the sweep deletes it a day later.
                crate::catalog::removed_images::record(&mut tx, std::slice::from_ref(&image.key)).await?;
                (FetchState::Failed, reason)
            }
        };
        // Conditional: a row another worker took over (after this one's claim was thought lost) is left to it.
        let done = sqlx::query(
            "UPDATE picture_fetches SET state = $1, reason = $2, image_key = $3, done_at = $4 \
             WHERE id = $5 AND state = $6 AND claimed_at = $7",
        )
        .bind(state.as_str())
        .bind(reason)
        .bind(&image.key)
        .bind(now_ms())
        .bind(row.id)
        .bind(FetchState::Fetching.as_str())
        .bind(claim.at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 1 {
            tx.commit().await?;
        }
    }
    Ok(())
}

/// Puts the picture on one product; `Err` with the reason when it cannot go there. Publishes a product the file
/// says is active once it shows the picture.
async fn attach_one(
    conn: &mut AnyConnection,
    row: &ClaimedRow,
    image: &StoredImage,
) -> Result<Result<(), String>, CatalogError> {
    // First, so two pictures of one product arriving at once are put in one after the other (the row lock on
    // PostgreSQL; SQLite has one writer): each reads the pictures the other wrote.
    sqlx::query("UPDATE products SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(row.product_id)
        .execute(&mut *conn)
        .await?;
    let outcome = place(conn, row, image).await?;
    if outcome.is_ok() {
        // Read again under the product's lock: an earlier picture of it may have published it already, and the
        // seller may have taken it down since.
        let publish: i64 = sqlx::query_scalar("SELECT publish FROM picture_fetches WHERE id = $1")
            .bind(row.id)
            .fetch_one(&mut *conn)
            .await?;
        if publish == 1 {
            self::publish(conn, row.product_id).await?;
        }
        outbox::product_changed(conn, row.product_id).await?;
    }
    Ok(outcome)
}

/// Puts the picture among the product's in the file's order (or finds it there already).
async fn place(
    conn: &mut AnyConnection,
    row: &ClaimedRow,
    image: &StoredImage,
) -> Result<Result<(), String>, CatalogError> {
    let shown: Vec<Shown> = sqlx::query_as(
        "SELECT image_key, ext, alt, width, height, source, position FROM product_images \
         WHERE product_id = $1 ORDER BY position",
    )
    .bind(row.product_id)
    .fetch_all(&mut *conn)
    .await?;
    if shown.iter().any(|s| s.image_key == image.key) {
        return Ok(Ok(())); // the product shows it already (the file named it twice, or it was uploaded)
    }
    if shown.len() >= MAX_PICTURES {
        return Ok(Err(format!(
            "The product already has {MAX_PICTURES} pictures, the most it can have."
        )));
    }
    // Where it goes: before the first picture that this import put later in the file's order. Any other picture
    // (the seller's, an earlier import's) is ordered where it stands.
    let fetched: Vec<FetchedPicture> = sqlx::query_as(
        "SELECT image_key, position FROM picture_fetches \
         WHERE product_id = $1 AND import_id = $2 AND state = $3 AND image_key IS NOT NULL",
    )
    .bind(row.product_id)
    .bind(row.import_id)
    .bind(FetchState::Fetched.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let order = |s: &Shown| {
        fetched
            .iter()
            .find(|f| f.image_key == s.image_key)
            .map_or(s.position, |f| f.position)
    };
    let at = shown
        .iter()
        .position(|s| order(s) > row.position)
        .unwrap_or(shown.len());
    let mut pictures: Vec<Shown> = shown;
    pictures.insert(
        at,
        Shown {
            image_key: image.key.clone(),
            ext: image.ext.to_string(),
            alt: row.alt.clone(),
            width: i64::from(image.width),
            height: i64::from(image.height),
            source: row.url.clone(),
            position: row.position,
        },
    );
    // Written again in their new order: positions are 0, 1, 2… (the first is the product's card).
    sqlx::query("DELETE FROM product_images WHERE product_id = $1")
        .bind(row.product_id)
        .execute(&mut *conn)
        .await?;
    for (position, p) in pictures.iter().enumerate() {
        sqlx::query(
            "INSERT INTO product_images (product_id, position, image_key, ext, alt, width, height, source) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(row.product_id)
        .bind(position as i64)
        .bind(&p.image_key)
        .bind(&p.ext)
        .bind(&p.alt)
        .bind(p.width)
        .bind(p.height)
        .bind(&p.source)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Ok(()))
}

/// Publishes a draft the file says is active, now that it has a picture; once: the product's other pictures do
/// not publish it again after the seller takes it off the storefront.
async fn publish(conn: &mut AnyConnection, product_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE products SET status = $1 WHERE id = $2 AND status = $3")
        .bind(ProductStatus::Active.as_str())
        .bind(product_id)
        .bind(ProductStatus::Draft.as_str())
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE picture_fetches SET publish = 0 WHERE product_id = $1")
        .bind(product_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
