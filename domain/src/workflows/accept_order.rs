//! A store that accepts its orders (a store setting) accepts each paid one; one it leaves waiting for 72 hours is
//! cancelled whole and refunded by the shop's worker, through the one path every refund takes
//! (`refund_order::give_back_by`), and the shopper is emailed why.

use model::seller_orders::RefundReason;

use crate::orders::refunds::{self, RefundRequest};
use crate::orders::{acceptance, fulfilment, OrderError};
use crate::payments::PaymentGateway;
use crate::platform::{Actor, Db};
use crate::workflows::refund_order::{self, Outcome, Target, Who};

/// What the store's "Accept" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    Now,
    /// Accepted before (a double click, another tab), or it never waited.
    Already,
}

/// Accepts the actor's store's order `number`. One cancelled meanwhile (by the shopper, the store, or the shop
/// when time ran out) says so.
pub async fn accept(db: &Db, actor: &Actor, number: &str) -> Result<Accepted, OrderError> {
    let mut tx = db.begin_write().await?;
    let order = fulfilment::order_for_store(&mut tx, actor, number).await?;
    let now = acceptance::accept(&mut tx, order.id).await?;
    let timed_out = !now && acceptance::timed_out(&mut tx, order.id).await?;
    tx.commit().await?;
    if now {
        return Ok(Accepted::Now);
    }
    if timed_out {
        return Err(OrderError::NotAllowed(format!(
            "Order {} was not accepted within 72 hours: it is cancelled and the shopper refunded.",
            order.number
        )));
    }
    match order.status() {
        Some(crate::orders::OrderStatus::Cancelled) => Err(OrderError::NotAllowed(format!(
            "Order {} was cancelled before it was accepted.",
            order.number
        ))),
        _ => Ok(Accepted::Already),
    }
}

/// Cancels and refunds, whole, up to 20 paid orders whose store did not accept them before `now`; returns how many
/// it cancelled. Each is taken by a conditional update in the refund claim's own transaction, so a store accepting
/// at the same moment and two workers cannot both have it, and no order is taken without its refund claimed; one
/// whose refund cannot be made yet waits like any refund (the retry sweep).
pub async fn cancel_unaccepted(db: &Db, gateway: &dyn PaymentGateway, now: i64) -> Result<usize, OrderError> {
    let by = Who {
        described: "the shop, as the store did not accept the order within 72 hours",
        actor: None,
        confirm_above: None,
    };
    let mut cancelled = 0;
    for order in acceptance::overdue(db, now, 20).await? {
        let target = Target {
            order_id: order.order_id,
            group_id: order.group_id,
            seller_id: order.seller_id,
            number: order.number,
            store_name: order.store_name,
        };
        let request = RefundRequest::whole_order(RefundReason::NotAccepted);
        match refund_order::give_back_when(db, gateway, &by, &target, &request, Some(now)).await {
            Ok(Outcome::Done(_)) => cancelled += 1,
            // Accepted meanwhile, or another refund of it waits (this one is tried again next time).
            Ok(_) => {}
            // Refused (the claim was undone): the order waits again, for the store or the next sweep. Unreachable
            // (the claim waits): the retry sweep finishes the cancel.
            Err(e) => {
                let mut tx = db.begin_write().await?;
                let waiting = refunds::pending_of(&mut tx, target.order_id).await?.is_some();
                if !waiting {
                    acceptance::reopen(&mut tx, target.order_id, order.accept_by).await?;
                }
                tx.commit().await?;
                tracing::warn!(order = %target.number, error = %e, waiting, "an unaccepted order's cancel was not made");
            }
        }
    }
    Ok(cancelled)
}
