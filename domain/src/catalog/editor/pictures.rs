//! Adding uploaded pictures to a product.

use super::{MAX_PICTURES, MAX_PICTURES_PER_UPLOAD};

use model::sellers::{ImageInput, ProductForm};

use crate::catalog::images::{store_each, ImageStore, Refusal, StoredImage};
use crate::catalog::CatalogError;
use crate::platform::clock::now_ms;
use crate::platform::{outbox, Actor, Db};

/// What an upload did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uploaded {
    /// Per refused file, its name and why.
    pub refused: Vec<(String, String)>,
    /// The keys of the pictures added, in order.
    pub added: Vec<String>,
    /// The product's version after the upload (`None`: nothing was added).
    pub version: Option<i64>,
}

impl Uploaded {
    /// Lays the upload over a form the seller had not saved: the new pictures after the form's own and, when
    /// nothing else was saved between the form's opening and the upload, the version after the upload (so the
    /// next save is not refused for the very pictures the seller added; after another save it still is, naming
    /// what changed).
    pub fn carry_into(&self, form: &mut ProductForm) {
        let Some(version) = self.version else {
            return;
        };
        if form.version.trim().parse::<i64>().ok() == Some(version - 1) {
            form.version = version.to_string();
        }
        for key in &self.added {
            if !form.images.iter().any(|i| &i.key == key) {
                form.images.push(ImageInput {
                    key: key.clone(),
                    position: (form.images.len() + 1).to_string(),
                    ..ImageInput::default()
                });
            }
        }
    }
}

/// Adds uploaded pictures to the actor's own product, after the rest: each file is checked, decoded and
/// re-encoded by the `ImageStore` (metadata dropped, thumbnails made). The product's version moves on, so a
/// form opened before the upload cannot drop the new pictures.
pub async fn add_pictures(
    db: &Db,
    store_images: &dyn ImageStore,
    actor: &Actor,
    product_id: i64,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Uploaded, CatalogError> {
    let store = actor.own_store()?;
    let _own: i64 = sqlx::query_scalar("SELECT id FROM products WHERE id = $1 AND seller_id = $2")
        .bind(product_id)
        .bind(store)
        .fetch_optional(db.pool())
        .await?
        .ok_or(CatalogError::NotFound)?;
    // From storing the files to committing their rows, the sweep of removed pictures waits.
    let _turn = crate::catalog::removed_images::upload_turn().await;
    let (stored, refused) = store_files(db, store_images, product_id, files).await?;
    if stored.is_empty() {
        return Ok(Uploaded {
            refused,
            ..Uploaded::default()
        });
    }
    let (added, version) = insert_pictures(db, product_id, stored).await?;
    Ok(Uploaded {
        refused,
        added,
        version: Some(version),
    })
}

/// Stores the files there is room for (the product's limit and the upload's): returns the stored images and the
/// refused files. A failing image store is an error, not a refusal.
async fn store_files(
    db: &Db,
    store_images: &dyn ImageStore,
    product_id: i64,
    files: Vec<(String, Vec<u8>)>,
) -> Result<(Vec<StoredImage>, Vec<Refusal>), CatalogError> {
    let had: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE product_id = $1")
        .bind(product_id)
        .fetch_one(db.pool())
        .await?;
    let room = MAX_PICTURES.saturating_sub(had as usize).min(MAX_PICTURES_PER_UPLOAD);
    let over =
        format!("Not added: a product has at most {MAX_PICTURES} pictures, {MAX_PICTURES_PER_UPLOAD} added at a time.");
    let (stored, refused) = store_each(store_images, files, room, &over)
        .await
        .map_err(|e| CatalogError::Search(format!("image store: {e}")))?;
    Ok((stored.into_iter().map(|(_, image)| image).collect(), refused))
}

/// Adds the stored images after the product's pictures (one it already shows is skipped, the limit is counted
/// again) and moves the product's version on: returns the keys added and the version after.
async fn insert_pictures(
    db: &Db,
    product_id: i64,
    stored: Vec<StoredImage>,
) -> Result<(Vec<String>, i64), CatalogError> {
    let mut tx = db.begin_write().await?;
    let existing: Vec<String> = sqlx::query_scalar("SELECT image_key FROM product_images WHERE product_id = $1")
        .bind(product_id)
        .fetch_all(&mut *tx)
        .await?;
    let mut next: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(position), -1) + 1 AS BIGINT) FROM product_images WHERE product_id = $1",
    )
    .bind(product_id)
    .fetch_one(&mut *tx)
    .await?;
    let mut added = Vec::new();
    for image in stored {
        if existing.contains(&image.key) || added.contains(&image.key) {
            continue; // the same picture twice is shown once
        }
        // Counted again in the write: two uploads at once cannot pass the limit together.
        if next as usize >= MAX_PICTURES {
            break;
        }
        sqlx::query(
            "INSERT INTO product_images (product_id, position, image_key, ext, alt, width, height) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(product_id)
        .bind(next)
        .bind(&image.key)
        .bind(image.ext)
        // No alt text yet: only the seller can say what the picture shows (the title would tell a screen reader
        // user nothing), so the editor asks for it at the next save; the storefront says "picture N" meanwhile.
        .bind("")
        .bind(i64::from(image.width))
        .bind(i64::from(image.height))
        .execute(&mut *tx)
        .await?;
        added.push(image.key);
        next += 1;
    }
    let version: i64 = sqlx::query_scalar(
        "UPDATE products SET version = version + 1, updated_at = $1 WHERE id = $2 RETURNING version",
    )
    .bind(now_ms())
    .bind(product_id)
    .fetch_one(&mut *tx)
    .await?;
    outbox::product_changed(&mut tx, product_id).await?;
    tx.commit().await?;
    Ok((added, version))
}
