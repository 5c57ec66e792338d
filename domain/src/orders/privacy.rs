//! The orders' part of "Your data" (decision 0041): a person's orders for the export, the orders that stop an
//! erasure (still on their way or with a return open), and the person taken out of the orders that stay for the
//! sellers' and the tax records (the amounts, lines and country stay; who and where does not).

use model::messages::MessageView;
use model::orders::OrderGroupView;
use model::returns::ReturnView;
use serde::Serialize;
use sqlx::AnyConnection;

use super::{messages, returns, views, OrderError};
use crate::platform::{Actor, Db};

/// One order group as the export lists it: what the order page shows, with each store's conversation and returns.
#[derive(Debug, Clone, Serialize)]
pub struct OrderRecord {
    pub order: OrderGroupView,
    pub stores: Vec<StoreOrderRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoreOrderRecord {
    pub number: String,
    pub messages: Vec<MessageView>,
    pub returns: Vec<ReturnView>,
}

/// The groups that are the person's: placed signed in, or as a guest (no account) with the address the account
/// confirmed. Another account's orders with that address (it had it before) are never the person's.
const PERSONS_GROUPS: &str =
    "SELECT id FROM order_groups WHERE user_id = $1 OR (user_id IS NULL AND $2 <> '' AND email = $2)";

/// Whose orders: the account, and the address it confirmed (`None` while unconfirmed: a guest's orders with an
/// address the account never proved it reads are not its own).
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub user_id: i64,
    pub confirmed_email: Option<&'a str>,
}

impl Person<'_> {
    fn email(&self) -> &str {
        self.confirmed_email.unwrap_or("")
    }
}

#[derive(Debug, sqlx::FromRow)]
struct StoreOrderRow {
    group_number: String,
    id: i64,
    number: String,
    store_name: String,
}

/// Every order of the person, newest first, as its pages show it (a few queries per group: an export is rare).
pub async fn export(db: &Db, actor: &Actor, person: Person<'_>) -> Result<Vec<OrderRecord>, OrderError> {
    let groups: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT number, view_token FROM order_groups WHERE id IN ({PERSONS_GROUPS}) ORDER BY created_at DESC, id DESC"
    ))
    .bind(person.user_id)
    .bind(person.email())
    .fetch_all(db.pool())
    .await?;
    let stores: Vec<StoreOrderRow> = sqlx::query_as(&format!(
        "SELECT g.number AS group_number, o.id, o.number, s.store_name FROM orders o \
         JOIN order_groups g ON g.id = o.group_id JOIN sellers s ON s.id = o.seller_id \
         WHERE g.id IN ({PERSONS_GROUPS}) ORDER BY o.number"
    ))
    .bind(person.user_id)
    .bind(person.email())
    .fetch_all(db.pool())
    .await?;
    let mut records = Vec::with_capacity(groups.len());
    for (number, token) in groups {
        // The group's own link token: a guest order of the confirmed address is the person's too.
        let order = views::group_view(db, &number, actor, Some(&token)).await?;
        let mut parts = Vec::new();
        // One connection at a time: `group_view` takes its own from the pool.
        let mut conn = db.pool().acquire().await?;
        for store in stores.iter().filter(|s| s.group_number == number) {
            parts.push(StoreOrderRecord {
                number: store.number.clone(),
                messages: messages::thread(&mut conn, store.id, &store.store_name, false).await?,
                returns: returns::returns_of(&mut conn, store.id).await?,
            });
        }
        records.push(OrderRecord { order, stores: parts });
    }
    Ok(records)
}

/// How many order groups are the person's.
pub async fn count(conn: &mut AnyConnection, person: Person<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM order_groups WHERE id IN ({PERSONS_GROUPS})"
    ))
    .bind(person.user_id)
    .bind(person.email())
    .fetch_one(conn)
    .await
}

/// The person's orders that an erasure would break, by group number: not yet paid, paid and not delivered, with
/// a return still open (the store needs the address to ship and to refund), or with a dispute open (the store's
/// evidence names the address and the messages).
pub async fn open_orders(conn: &mut AnyConnection, person: Person<'_>) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT DISTINCT g.number FROM order_groups g JOIN orders o ON o.group_id = g.id \
         WHERE g.id IN ({PERSONS_GROUPS}) AND (o.status IN ('pending_payment', 'paid', 'shipped') \
         OR (o.status = 'partially_refunded' AND NOT EXISTS \
             (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.status = 'delivered')) \
         OR EXISTS (SELECT 1 FROM order_returns r WHERE r.order_id = o.id \
             AND r.state IN ('requested', 'approved', 'sent_back', 'received')) \
         OR EXISTS (SELECT 1 FROM dispute_shares ds JOIN disputes d ON d.id = ds.dispute_id \
             WHERE ds.order_id = o.id AND d.status IN ('needs_response', 'under_review'))) \
         ORDER BY g.number"
    ))
    .bind(person.user_id)
    .bind(person.email())
    .fetch_all(conn)
    .await
}

/// The ids of the person's order groups (what else an erasure changes goes by them: promo uses).
pub async fn group_ids(conn: &mut AnyConnection, person: Person<'_>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(PERSONS_GROUPS)
        .bind(person.user_id)
        .bind(person.email())
        .fetch_all(conn)
        .await
}

/// What an erased person's orders say instead of their name.
pub const ERASED_NAME: &str = "Erased customer";
/// What an erased person's messages to stores say instead.
pub const ERASED_MESSAGE: &str = "(Removed: the customer erased their account.)";

/// Takes the person out of their orders in the caller's transaction: the email becomes `erased_email`, the
/// name, street, city, postal code and phone go, the country stays (tax); their messages and return notes are
/// replaced. Amounts, lines, statuses and the stores' own words stay. Returns how many groups changed.
pub async fn anonymise(conn: &mut AnyConnection, person: Person<'_>, erased_email: &str) -> Result<u64, sqlx::Error> {
    let orders_of_groups = format!("SELECT id FROM orders WHERE group_id IN ({PERSONS_GROUPS})");
    sqlx::query(&format!(
        "UPDATE order_messages SET body = $3, flag = '' WHERE author = '{}' AND order_id IN ({orders_of_groups})",
        messages::Author::Shopper.as_str()
    ))
    .bind(person.user_id)
    .bind(person.email())
    .bind(ERASED_MESSAGE)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "UPDATE order_returns SET note = '' WHERE order_id IN ({orders_of_groups})"
    ))
    .bind(person.user_id)
    .bind(person.email())
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(&format!(
        "UPDATE order_groups SET email = $3, ship_name = $4, ship_line1 = '', ship_line2 = '', ship_city = '', \
         ship_postal = '', ship_phone = '' WHERE id IN ({PERSONS_GROUPS})"
    ))
    .bind(person.user_id)
    .bind(person.email())
    .bind(erased_email)
    .bind(ERASED_NAME)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
