//! Orders that wait for their store's acceptance (a store setting, `sellers.accept_orders`): `orders.accept_by` is
//! set when such an order is paid and cleared once, by a conditional update, by whichever comes first — the store
//! accepting it, shipping part of it, or the shop's worker cancelling it when the time ran out.

use sqlx::AnyConnection;

use super::lifecycle::note_event;
use super::status::{ACCEPTED, NOT_ACCEPTED};
use crate::platform::Db;

/// The statuses of a paid order still to ship, the only ones that wait for acceptance (our own SQL).
const OPEN: &str = "('paid', 'partially_refunded')";

/// Accepts paid order `order_id` if it is still waiting; returns whether this call accepted it.
pub async fn accept(conn: &mut AnyConnection, order_id: i64) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query(&format!(
        "UPDATE orders SET accept_by = NULL WHERE id = $1 AND accept_by IS NOT NULL \
         AND status IN {OPEN}"
    ))
    .bind(order_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if taken == 1 {
        note_event(conn, order_id, ACCEPTED, "Accepted by the store").await?;
    }
    Ok(taken == 1)
}

/// Whether the shop took order `order_id` for cancelling because its store did not accept it in time.
pub async fn timed_out(conn: &mut AnyConnection, order_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM order_events WHERE order_id = $1 AND status = $2")
        .bind(order_id)
        .bind(NOT_ACCEPTED)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// An order whose store did not accept it in time.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unaccepted {
    pub order_id: i64,
    pub accept_by: i64,
    pub group_id: i64,
    pub seller_id: i64,
    pub number: String,
    pub store_name: String,
}

/// Up to `limit` paid orders whose time to be accepted ran out before `now`. Orders whose payment is disputed
/// (open or lost) are left out: nothing can be refunded from it, and they would take the sweep's places forever.
pub async fn overdue(db: &Db, now: i64, limit: i64) -> Result<Vec<Unaccepted>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT o.id AS order_id, o.accept_by AS accept_by, o.group_id AS group_id, o.seller_id AS seller_id, \
         o.number AS number, s.store_name AS store_name FROM orders o JOIN sellers s ON s.id = o.seller_id \
         WHERE o.accept_by IS NOT NULL AND o.accept_by < $1 AND o.status IN {OPEN} \
         AND s.accept_orders = 1 AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.group_id = o.group_id \
         AND d.status IN ('needs_response', 'under_review', 'lost')) ORDER BY o.accept_by LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Takes an overdue order for cancelling if it still waits (the store did not accept it meanwhile, and still asks
/// to accept its orders); returns whether this call took it.
pub async fn expire(conn: &mut AnyConnection, order_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query(&format!(
        "UPDATE orders SET accept_by = NULL WHERE id = $1 AND accept_by IS NOT NULL AND accept_by < $2 \
         AND status IN {OPEN} \
         AND EXISTS (SELECT 1 FROM sellers s WHERE s.id = orders.seller_id AND s.accept_orders = 1)"
    ))
    .bind(order_id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if taken == 1 {
        note_event(
            conn,
            order_id,
            NOT_ACCEPTED,
            "Not accepted by the store within 72 hours",
        )
        .await?;
    }
    Ok(taken == 1)
}

/// Puts an order whose cancel the payment provider refused back to waiting (until `accept_by`, already past), so
/// the store can still accept it and the next sweep tries again.
pub async fn reopen(conn: &mut AnyConnection, order_id: i64, accept_by: i64) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE orders SET accept_by = $1 WHERE id = $2 AND accept_by IS NULL AND status IN {OPEN}"
    ))
    .bind(accept_by)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
