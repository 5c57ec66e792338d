//! Cancelling one seller's order of a paid group before any of it ships, from the shopper's order page: every unit
//! cancelled and the whole of what is left refunded, through the one path every refund takes
//! (`refund_order::give_back`): claimed once however often it is clicked, refunded under the claim's key, the
//! stock back on sale, the shopper emailed, the group closed when nothing is left of it.

use crate::orders::refunds::RefundRequest;
use crate::orders::{views, OrderError, OrderStatus};
use crate::payments::PaymentGateway;
use crate::platform::{Actor, Db};
use crate::workflows::refund_order::{self, Outcome, Target};

/// Cancels seller order `order_number` of group `group_number` for `actor`: the group's shopper (an account, or
/// a guest with the link's `token`), the store's seller or an admin; anyone else gets `NotFound`. A cancel after
/// the order is cancelled, or once part of it has shipped, says it cannot be any more.
pub async fn cancel(
    db: &Db,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    group_number: &str,
    order_number: &str,
    token: Option<&str>,
) -> Result<(), OrderError> {
    let target = {
        let mut conn = db.pool().acquire().await?;
        views::change_target(&mut conn, group_number, order_number, actor, token).await?
    };
    let status = OrderStatus::parse(&target.status);
    if !status.is_some_and(OrderStatus::cancellable) {
        return Err(OrderError::NotAllowed(format!(
            "Order {} cannot be cancelled any more: it is {}.",
            target.number,
            status.map_or("changed", OrderStatus::label).to_lowercase()
        )));
    }
    if target.units_shipped > 0 {
        return Err(OrderError::NotAllowed(format!(
            "Order {} cannot be cancelled any more: part of it has shipped.",
            target.number
        )));
    }
    let request = RefundRequest::whole_order(refund_order::whole_order_reason(actor, target.seller_id));
    let order = Target {
        order_id: target.order_id,
        group_id: target.group_id,
        seller_id: target.seller_id,
        number: target.number,
        store_name: target.store_name,
    };
    match refund_order::give_back(db, gateway, actor, &order, &request).await? {
        Outcome::EarlierFinished => Err(OrderError::NotAllowed(format!(
            "A refund of order {} was still being made: it is finished now. Look at the order again.",
            order.number
        ))),
        Outcome::Done(_) | Outcome::AlreadyRecorded => Ok(()),
    }
}
