//! Exchanges: a received return whose shopper asked for a replacement (damaged or wrong items) ends with the store
//! sending the same units again, from its stock, with a carrier and tracking number, instead of a refund. The
//! return's last step (`received` → `replaced`) and the units taken from stock happen in the caller's transaction,
//! so a replacement without the stock to send changes nothing.

use model::returns::Remedy;
use sqlx::AnyConnection;

use super::fulfilment::{parcel, StoreOrder};
use super::returns::{not_now, transition, ReturnState};
use super::OrderError;
use crate::inventory::{movements::Reason, put_back, replacement};

/// What was sent: "1 × Copper kettle", and the parcel for the shopper's email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub lines: Vec<String>,
    pub carrier: String,
    pub tracking_number: String,
    pub tracking_url: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct ReturnLine {
    variant_id: i64,
    quantity: i64,
    title: String,
}

/// Whether a refund of return `return_id` was claimed: claimed first (under the same order row), it wins, its money
/// is on its way back.
async fn refund_claimed(conn: &mut AnyConnection, order_id: i64, return_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM order_refunds WHERE order_id = $1 AND form_key = $2")
        .bind(order_id)
        .bind(format!("return-{return_id}"))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// Sends a replacement for received return `return_id` of `order`: the return becomes "replaced" with the parcel,
/// each returned line's units are taken from stock (the returned ones go back on sale first when the store chose
/// so at receipt), all or nothing. Refused when the return asked for a refund, is not received (or was closed
/// already), or a line lacks the stock.
pub async fn replace(
    conn: &mut AnyConnection,
    order: &StoreOrder,
    return_id: i64,
    carrier: &str,
    tracking: &str,
    user_id: Option<i64>,
) -> Result<Replaced, OrderError> {
    let mut errors = Vec::new();
    let Some((carrier, tracking)) = parcel(carrier, tracking, &mut errors) else {
        return Err(OrderError::Invalid(errors));
    };
    let asked: Option<(String, i64)> =
        sqlx::query_as("SELECT wants, restock FROM order_returns WHERE id = $1 AND order_id = $2")
            .bind(return_id)
            .bind(order.id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((wants, restock)) = asked else {
        return Err(OrderError::NotFound);
    };
    if wants != Remedy::Replacement.as_str() {
        return Err(OrderError::NotAllowed(
            "The shopper asked for a refund for this return: refund it instead.".into(),
        ));
    }
    let note = format!("The store sent a replacement ({} {tracking}).", carrier.label());
    let set = ", replacement_carrier = $3, replacement_tracking = $4";
    let binds = [Some(carrier.as_str().to_string()), Some(tracking.clone())];
    if !transition(conn, order.id, return_id, ReturnState::Replaced, set, &binds, &note).await? {
        return Err(not_now("replaced"));
    }
    if refund_claimed(conn, order.id, return_id).await? {
        return Err(OrderError::NotAllowed(
            "This return is being refunded: it cannot be replaced as well.".into(),
        ));
    }
    let lines: Vec<ReturnLine> = sqlx::query_as(
        "SELECT rl.variant_id AS variant_id, rl.quantity AS quantity, l.title AS title FROM order_return_lines rl \
         JOIN order_lines l ON l.order_id = $2 AND l.variant_id = rl.variant_id WHERE rl.return_id = $1 \
         ORDER BY l.title",
    )
    .bind(return_id)
    .bind(order.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut described = Vec::new();
    for line in &lines {
        if restock == 1 {
            let back = put_back::LineUnits {
                group_id: order.group_id,
                order_id: order.id,
                variant_id: line.variant_id,
                units: line.quantity,
                reason: Reason::Returned,
                user_id,
            };
            put_back::give_back_units(conn, &back).await?;
        }
        if !replacement::take(conn, line.variant_id, line.quantity, order.group_id, user_id).await? {
            return Err(OrderError::NotAllowed(format!(
                "No warehouse holds {} of {} to send: add stock, or refund this return instead.",
                model::count_of(line.quantity, "unit", "units"),
                line.title
            )));
        }
        described.push(format!("{} × {}", line.quantity, line.title));
    }
    Ok(Replaced {
        lines: described,
        carrier: carrier.label().to_string(),
        tracking_url: carrier.tracking_url(&tracking),
        tracking_number: tracking,
    })
}
