//! Wishlists: products a shopper keeps for later. A visitor's list is named by its id in the session (made on
//! the first "Save"); a signed-in shopper has one list, and a guest's list joins it at sign-in, as the cart does.
//! A list's id only ever comes from the session, never from a request: nobody reaches another visitor's list.

use model::catalog::Money;
use model::wishlist::{WishlistItem, WishlistView};
use sqlx::AnyConnection;

use crate::catalog;
use crate::catalog::STORE_SELLS;
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{Actor, Db};

/// A list holds at most this many products: a shopper keeping more needs no list but a search.
pub const MAX_ITEMS: i64 = 200;

#[derive(Debug, thiserror::Error)]
pub enum WishlistError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    NotAllowed(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<WishlistError> for crate::platform::Problem {
    fn from(err: WishlistError) -> Self {
        use crate::platform::Problem;
        match err {
            WishlistError::NotFound => Problem::NotFound,
            WishlistError::NotAllowed(message) => Problem::Conflict(message),
            WishlistError::Db(e) => Problem::Internal(e.to_string()),
        }
    }
}

impl From<catalog::CatalogError> for WishlistError {
    fn from(err: catalog::CatalogError) -> Self {
        match err {
            catalog::CatalogError::Db(e) => WishlistError::Db(e),
            _ => WishlistError::NotFound,
        }
    }
}

/// Whether list `id` exists and belongs to `user_id` (`None`: a guest's list).
async fn belongs_to(db: &Db, id: i64, user_id: Option<i64>) -> Result<bool, sqlx::Error> {
    let owner: Option<Option<i64>> = sqlx::query_scalar("SELECT user_id FROM wishlists WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(owner == Some(user_id))
}

/// The account's list, made on first use (two first uses at once make one: the unique index decides).
async fn account_list(db: &Db, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query("INSERT INTO wishlists (id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING")
        .bind(next_id())
        .bind(user_id)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    sqlx::query_scalar("SELECT id FROM wishlists WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(db.pool())
        .await
}

/// Which list a session's visitor uses, and the id the session must remember when it changed: a signed-in
/// shopper's account list; a visitor's guest list the session remembers, or with `create` a new one.
pub async fn for_session(
    db: &Db,
    actor: &Actor,
    remembered: Option<i64>,
    create: bool,
) -> Result<(Option<i64>, Option<i64>), WishlistError> {
    if let Some(user_id) = actor.user_id() {
        let id = match remembered {
            Some(id) if belongs_to(db, id, Some(user_id)).await? => id,
            _ if !create && !has_account_list(db, user_id).await? => return Ok((None, None)),
            _ => account_list(db, user_id).await?,
        };
        return Ok((Some(id), (remembered != Some(id)).then_some(id)));
    }
    match remembered {
        Some(id) if belongs_to(db, id, None).await? => Ok((Some(id), None)),
        _ if create => {
            let id = next_id();
            sqlx::query("INSERT INTO wishlists (id, user_id, created_at) VALUES ($1, NULL, $2)")
                .bind(id)
                .bind(now_ms())
                .execute(db.pool())
                .await?;
            Ok((Some(id), Some(id)))
        }
        _ => Ok((None, None)),
    }
}

async fn has_account_list(db: &Db, user_id: i64) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM wishlists WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(id.is_some())
}

/// At sign-in: the session's guest list (if it still is one) joins the account's list, and is gone. Returns the
/// account's list when there is one.
pub async fn adopt_at_sign_in(db: &Db, remembered: Option<i64>, user_id: i64) -> Result<Option<i64>, WishlistError> {
    let guest = match remembered {
        Some(id) if belongs_to(db, id, None).await? => id,
        _ => {
            return Ok(if has_account_list(db, user_id).await? {
                Some(account_list(db, user_id).await?)
            } else {
                None
            })
        }
    };
    let target = account_list(db, user_id).await?;
    let mut tx = db.begin_write().await?;
    let room = MAX_ITEMS - held_under_hold(&mut tx, target).await?;
    // The guest's products join the account's, the newest first while there is room; one kept on both stays as
    // the account had it.
    sqlx::query(
        "INSERT INTO wishlist_items (wishlist_id, product_id, saved_price, added_at) \
         SELECT $1, g.product_id, g.saved_price, g.added_at FROM wishlist_items g WHERE g.wishlist_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM wishlist_items a WHERE a.wishlist_id = $1 AND a.product_id = g.product_id) \
         ORDER BY g.added_at DESC LIMIT $3",
    )
    .bind(target)
    .bind(guest)
    .bind(room.max(0))
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM wishlists WHERE id = $1 AND user_id IS NULL")
        .bind(guest)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(target))
}

/// Keeps an active product on list `id` at its price now (kept already: nothing changes). Returns its slug.
pub async fn keep(db: &Db, id: i64, product_id: i64) -> Result<String, WishlistError> {
    let mut tx = db.begin_write().await?;
    let (slug, price): (String, i64) = sqlx::query_as(&format!(
        "SELECT p.slug, p.min_price FROM products p WHERE p.id = $1 AND p.status = 'active' AND {STORE_SELLS}"
    ))
    .bind(product_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(WishlistError::NotFound)?;
    let held = held_under_hold(&mut tx, id).await?;
    if held >= MAX_ITEMS && !contains_on(&mut tx, id, product_id).await? {
        return Err(WishlistError::NotAllowed(format!(
            "Your wishlist holds {MAX_ITEMS} products, its most: remove some to keep this one."
        )));
    }
    sqlx::query(
        "INSERT INTO wishlist_items (wishlist_id, product_id, saved_price, added_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (wishlist_id, product_id) DO NOTHING",
    )
    .bind(id)
    .bind(product_id)
    .bind(price)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(slug)
}

/// How many products list `id` holds, after taking the list's row for the rest of the transaction (a no-op
/// update): two saves at once count in turn, so neither passes the limit.
async fn held_under_hold(conn: &mut AnyConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query("UPDATE wishlists SET created_at = created_at WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT COUNT(*) FROM wishlist_items WHERE wishlist_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
}

/// Takes a product off list `id` (not on it: nothing changes). Returns its slug while it is on sale (a draft's
/// or an archived product's address is not told).
pub async fn remove(db: &Db, id: i64, product_id: i64) -> Result<Option<String>, WishlistError> {
    sqlx::query("DELETE FROM wishlist_items WHERE wishlist_id = $1 AND product_id = $2")
        .bind(id)
        .bind(product_id)
        .execute(db.pool())
        .await?;
    Ok(sqlx::query_scalar(&format!(
        "SELECT p.slug FROM products p WHERE p.id = $1 AND p.status = 'active' AND {STORE_SELLS}"
    ))
    .bind(product_id)
    .fetch_optional(db.pool())
    .await?)
}

async fn contains_on(conn: &mut AnyConnection, id: i64, product_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT product_id FROM wishlist_items WHERE wishlist_id = $1 AND product_id = $2")
            .bind(id)
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// Whether list `id` holds the product (the product page's button).
pub async fn contains(db: &Db, id: i64, product_id: i64) -> Result<bool, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    contains_on(&mut conn, id, product_id).await
}

#[derive(Debug, sqlx::FromRow)]
struct ItemRow {
    product_id: i64,
    saved_price: i64,
    currency: String,
    variants: i64,
    first_variant: Option<i64>,
}

/// The list's products, newest kept first, each with its price and stock now.
pub async fn view(db: &Db, id: i64) -> Result<WishlistView, WishlistError> {
    let rows: Vec<ItemRow> = sqlx::query_as(
        "SELECT w.product_id, w.saved_price, p.currency, \
         (SELECT COUNT(*) FROM variants v WHERE v.product_id = w.product_id) AS variants, \
         (SELECT MIN(v.id) FROM variants v WHERE v.product_id = w.product_id) AS first_variant \
         FROM wishlist_items w JOIN products p ON p.id = w.product_id \
         WHERE w.wishlist_id = $1 ORDER BY w.added_at DESC, w.product_id DESC",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.product_id).collect();
    let mut cards = catalog::cards_by_ids(db, &ids).await?;
    let mut items = Vec::with_capacity(cards.len());
    for row in &rows {
        let Some(at) = cards.iter().position(|c| c.id == row.product_id) else {
            continue;
        };
        let card = cards.swap_remove(at);
        let movable_variant = (row.variants == 1 && card.in_stock)
            .then_some(row.first_variant)
            .flatten();
        items.push(WishlistItem {
            saved_price: Money::new(row.saved_price, row.currency.clone()),
            movable_variant,
            card,
        });
    }
    let unavailable = (rows.len() - items.len()) as i64;
    Ok(WishlistView { items, unavailable })
}

/// The variant "Move to cart" takes for a product of list `id`: its only variant, in stock.
pub async fn movable_variant(db: &Db, id: i64, product_id: i64) -> Result<i64, WishlistError> {
    let view = view(db, id).await?;
    let item = view
        .items
        .iter()
        .find(|i| i.card.id == product_id)
        .ok_or(WishlistError::NotFound)?;
    item.movable_variant.ok_or_else(|| {
        WishlistError::NotAllowed("Choose its options on the product's page, or it is out of stock.".into())
    })
}

/// The account's list as its page shows it, for the export; `None` when it never kept a product.
pub async fn of_account(db: &Db, user_id: i64) -> Result<Option<WishlistView>, WishlistError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM wishlists WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    match id {
        Some(id) => Ok(Some(view(db, id).await?)),
        None => Ok(None),
    }
}

/// Deletes the account's list and what it kept (an erasure), in the caller's transaction.
pub async fn forget(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM wishlist_items WHERE wishlist_id IN (SELECT id FROM wishlists WHERE user_id = $1)")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM wishlists WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
