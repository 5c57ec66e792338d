//! Back in stock (decision 0043): "Notify me" on a sold-out variant. One open request per variant and address; a
//! guest's address is confirmed by a mailed link (single use, 24 hours, kept hashed) before it counts, a signed-in
//! shopper's confirmed address counts at once. The `back_in_stock` workflow mails the link and, when the variant
//! can be bought again, the one email; the request then ends (its row is deleted).

use model::FieldError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use super::InventoryError;
use crate::catalog::STORE_SELLS;
use crate::platform::clock::now_ms;
use crate::platform::ids::{next_id, random_token};
use crate::platform::Db;

/// How long a confirmation link works.
pub const LINK_MS: i64 = 24 * 60 * 60 * 1000;
/// Open requests one address may have: more is not a wish list but a flood.
pub const MAX_PER_ADDRESS: i64 = 50;
/// Confirmation links one address may be sent in 24 hours, whatever the variants: the form cannot fill a
/// stranger's mailbox.
pub const LINKS_PER_DAY: i64 = 3;

fn hashed(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// A sold-out variant someone may ask about, with what the mails name.
#[derive(Debug, Clone)]
pub struct SoldOut {
    pub variant_id: i64,
    pub slug: String,
    pub product: String,
    pub variant: String,
}

/// The variant `variant_id` of an active product when it cannot be bought now; `NotFound` for an unknown one, a
/// message when it is in stock.
pub async fn sold_out(conn: &mut AnyConnection, variant_id: i64) -> Result<SoldOut, InventoryError> {
    let row: Option<(SoldOut, i64)> = sqlx::query_as::<_, (i64, String, String, String, i64)>(&format!(
        "SELECT v.id, p.slug, p.title, v.title, CASE WHEN v.keep_selling = 1 THEN 1 \
         ELSE CAST(COALESCE((SELECT SUM(s.available) FROM stock s WHERE s.variant_id = v.id), 0) AS BIGINT) END \
         FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1 AND p.status = 'active' AND {STORE_SELLS}"
    ))
    .bind(variant_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|(variant_id, slug, product, variant, available)| {
        (
            SoldOut {
                variant_id,
                slug,
                product,
                variant,
            },
            available,
        )
    });
    let (found, available) = row.ok_or(InventoryError::NotFound)?;
    if available > 0 {
        return Err(InventoryError::Invalid(vec![FieldError::new(
            "variant",
            "It is in stock now: add it to your cart.",
        )]));
    }
    Ok(found)
}

/// What asking did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// The request counts: an email goes when the variant is back.
    Watching,
    /// A link to confirm the address must be mailed (its token).
    ConfirmBy(String),
    /// Asked already and waiting for its link to be opened: nothing new is sent.
    AwaitingLink,
}

/// Opens a request for `email` on `variant_id` in the caller's transaction (`confirmed`: the address is a
/// signed-in account's, confirmed). Asking again changes nothing, except that an expired link is replaced.
pub async fn ask(
    conn: &mut AnyConnection,
    variant_id: i64,
    user_id: Option<i64>,
    email: &str,
    confirmed: bool,
) -> Result<Asked, InventoryError> {
    let now = now_ms();
    let existing: Option<(i64, Option<i64>, i64)> =
        sqlx::query_as("SELECT id, confirmed_at, created_at FROM back_in_stock WHERE variant_id = $1 AND email = $2")
            .bind(variant_id)
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?;
    // Limits count what a new row or a new link would add; asking again for a live request adds nothing.
    let adds = match existing {
        None => true,
        Some((_, None, created)) => !confirmed && created <= now - LINK_MS,
        Some(_) => false,
    };
    if adds {
        check_limits(conn, email, confirmed, now).await?;
    }
    let token = random_token();
    match existing {
        Some((_, Some(_), _)) => Ok(Asked::Watching),
        Some((id, None, _)) if confirmed => {
            confirm_row(conn, id, now).await?;
            Ok(Asked::Watching)
        }
        Some((_, None, created)) if created > now - LINK_MS => Ok(Asked::AwaitingLink),
        Some((id, None, _)) => {
            sqlx::query(
                "UPDATE back_in_stock SET token_hash = $1, created_at = $2 WHERE id = $3 AND confirmed_at IS NULL",
            )
            .bind(hashed(&token))
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok(Asked::ConfirmBy(token))
        }
        None => {
            let inserted = sqlx::query(
                "INSERT INTO back_in_stock (id, variant_id, user_id, email, token_hash, confirmed_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (variant_id, email) DO NOTHING",
            )
            .bind(next_id())
            .bind(variant_id)
            .bind(user_id)
            .bind(email)
            .bind((!confirmed).then(|| hashed(&token)))
            .bind(confirmed.then_some(now))
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            // Asked twice at once: the other request's row (and its link) stands.
            Ok(match (confirmed, inserted) {
                (true, _) => Asked::Watching,
                (false, 1) => Asked::ConfirmBy(token),
                (false, _) => Asked::AwaitingLink,
            })
        }
    }
}

/// Refuses a request beyond the limits of its address: [`MAX_PER_ADDRESS`] live requests (confirmed, or with a
/// link still working) and, for a link to send, [`LINKS_PER_DAY`].
async fn check_limits(conn: &mut AnyConnection, email: &str, confirmed: bool, now: i64) -> Result<(), InventoryError> {
    let (live, links): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN confirmed_at IS NOT NULL OR created_at > $2 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN confirmed_at IS NULL AND created_at > $2 THEN 1 ELSE 0 END), 0) \
         FROM back_in_stock WHERE email = $1",
    )
    .bind(email)
    .bind(now - LINK_MS)
    .fetch_one(&mut *conn)
    .await?;
    if live >= MAX_PER_ADDRESS {
        return Err(InventoryError::Invalid(vec![FieldError::new(
            "email",
            format!("This address already waits for {MAX_PER_ADDRESS} products to come back."),
        )]));
    }
    if !confirmed && links >= LINKS_PER_DAY {
        return Err(InventoryError::Invalid(vec![FieldError::new(
            "email",
            "We already sent this address links to confirm today: open one of them, or ask again tomorrow.",
        )]));
    }
    Ok(())
}

/// Deletes the requests whose link was never opened in time (an address nobody confirmed is not kept).
pub async fn sweep_unconfirmed(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = db
        .write_one(
            sqlx::query("DELETE FROM back_in_stock WHERE confirmed_at IS NULL AND created_at <= $1")
                .bind(now - LINK_MS),
        )
        .await?;
    Ok(done.rows_affected())
}

async fn confirm_row(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE back_in_stock SET confirmed_at = $1, token_hash = NULL WHERE id = $2 AND confirmed_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The product and variant a confirmation link still works for, or `None` (used, expired or unknown).
pub async fn pending(db: &Db, token: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.title, v.title FROM back_in_stock b JOIN variants v ON v.id = b.variant_id \
         JOIN products p ON p.id = v.product_id WHERE b.token_hash = $1 AND b.confirmed_at IS NULL \
         AND b.created_at > $2",
    )
    .bind(hashed(token))
    .bind(now_ms() - LINK_MS)
    .fetch_optional(db.pool())
    .await
}

/// Confirms the request a link was mailed for; returns its product's slug. A link used twice, expired or unknown
/// gets `NotFound`.
pub async fn confirm(db: &Db, token: &str) -> Result<String, InventoryError> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let found: Option<(i64, String)> = sqlx::query_as(
        "SELECT b.id, p.slug FROM back_in_stock b JOIN variants v ON v.id = b.variant_id \
         JOIN products p ON p.id = v.product_id WHERE b.token_hash = $1 AND b.confirmed_at IS NULL \
         AND b.created_at > $2",
    )
    .bind(hashed(token))
    .bind(now - LINK_MS)
    .fetch_optional(&mut *tx)
    .await?;
    let (id, slug) = found.ok_or(InventoryError::NotFound)?;
    if !confirm_row(&mut tx, id, now).await? {
        return Err(InventoryError::NotFound);
    }
    tx.commit().await?;
    Ok(slug)
}

/// A confirmed request whose variant can be bought again.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub email: String,
    pub slug: String,
    pub product: String,
    pub variant: String,
}

/// Up to `limit` confirmed requests whose variant is on sale and in stock again, oldest first.
pub async fn due(db: &Db, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
    // A suspended store's requests wait (they are mailed once it sells again).
    sqlx::query_as(&format!(
        "SELECT b.id, b.email, p.slug, p.title AS product, v.title AS variant FROM back_in_stock b \
         JOIN variants v ON v.id = b.variant_id JOIN products p ON p.id = v.product_id \
         WHERE b.confirmed_at IS NOT NULL AND p.status = 'active' AND {STORE_SELLS} AND (v.keep_selling = 1 OR \
         (SELECT SUM(s.available) FROM stock s WHERE s.variant_id = v.id) > 0) ORDER BY b.created_at, b.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Ends request `id` in the caller's transaction; false when another worker ended it first (it mails nothing).
pub async fn end(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM back_in_stock WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A request as the account's data export lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RequestRecord {
    pub product: String,
    pub variant: String,
    pub email: String,
    /// When the address was confirmed; `None` while its link waits.
    pub confirmed_at: Option<i64>,
    pub asked_at: i64,
}

/// The open requests of the account or of its addresses.
pub async fn requests_of(db: &Db, user_id: i64, email: &str) -> Result<Vec<RequestRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.title AS product, v.title AS variant, b.email, b.confirmed_at, b.created_at AS asked_at \
         FROM back_in_stock b JOIN variants v ON v.id = b.variant_id JOIN products p ON p.id = v.product_id \
         WHERE b.user_id = $1 OR b.email = $2 ORDER BY b.created_at DESC",
    )
    .bind(user_id)
    .bind(email)
    .fetch_all(db.pool())
    .await
}

/// Deletes the requests of the account or of one of its addresses (an erasure), in the caller's transaction.
pub async fn forget(conn: &mut AnyConnection, user_id: i64, addresses: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM back_in_stock WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for address in addresses {
        sqlx::query("DELETE FROM back_in_stock WHERE email = $1")
            .bind(address)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
