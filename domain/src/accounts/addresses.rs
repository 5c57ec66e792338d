//! Saved shipping addresses: an account's checkout remembers the address it shipped to, and the next checkout
//! offers it (the most recent one filled in). Only the account's own addresses are ever read or removed.

use model::orders::{CheckoutDraft, SavedAddress};
use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::Db;

/// How many addresses an account keeps (the least recently used go first).
const KEEP: i64 = 10;

fn fingerprint(draft: &CheckoutDraft) -> String {
    [
        draft.name.as_str(),
        &draft.line1,
        &draft.line2,
        &draft.city,
        &draft.postal,
        &draft.country,
    ]
    .iter()
    .map(|part| part.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
    .collect::<Vec<_>>()
    .join("|")
}

/// Remembers the draft's address for the account (in the order's transaction).
pub(crate) async fn remember(conn: &mut AnyConnection, user_id: i64, draft: &CheckoutDraft) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO addresses (id, user_id, name, line1, line2, city, postal, country, fingerprint, last_used_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (user_id, fingerprint) DO UPDATE SET last_used_at = excluded.last_used_at",
    )
    .bind(next_id())
    .bind(user_id)
    .bind(draft.name.trim())
    .bind(draft.line1.trim())
    .bind(draft.line2.trim())
    .bind(draft.city.trim())
    .bind(draft.postal.trim().to_uppercase())
    .bind(&draft.country)
    .bind(fingerprint(draft))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM addresses WHERE user_id = $1 AND id NOT IN \
         (SELECT id FROM addresses WHERE user_id = $1 ORDER BY last_used_at DESC, id DESC LIMIT $2)",
    )
    .bind(user_id)
    .bind(KEEP)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A saved address as stored.
#[derive(sqlx::FromRow)]
struct AddressRow {
    id: i64,
    name: String,
    line1: String,
    line2: String,
    city: String,
    postal: String,
    country: String,
}

/// The account's addresses, most recently used first.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<SavedAddress>, sqlx::Error> {
    let rows: Vec<AddressRow> = sqlx::query_as(
        "SELECT id, name, line1, line2, city, postal, country FROM addresses WHERE user_id = $1 \
         ORDER BY last_used_at DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| SavedAddress {
            id: row.id,
            name: row.name,
            line1: row.line1,
            line2: row.line2,
            city: row.city,
            postal: row.postal,
            country: row.country,
        })
        .collect())
}

/// Copies a saved address of the account into the draft; false when it is not theirs (or gone).
pub async fn fill(db: &Db, user_id: i64, address_id: i64, draft: &mut CheckoutDraft) -> Result<bool, sqlx::Error> {
    let Some(found) = list(db, user_id).await?.into_iter().find(|a| a.id == address_id) else {
        return Ok(false);
    };
    found.fill(draft);
    Ok(true)
}

/// Forgets one of the account's addresses; false when it is not theirs.
pub async fn remove(db: &Db, user_id: i64, address_id: i64) -> Result<bool, sqlx::Error> {
    let removed = db
        .write_one(
            sqlx::query("DELETE FROM addresses WHERE id = $1 AND user_id = $2")
                .bind(address_id)
                .bind(user_id),
        )
        .await?
        .rows_affected();
    Ok(removed == 1)
}
