//! Cancelling one seller's order of a paid group before it ships: refunded through the gateway, recorded once,
//! its stock back on sale, an email to the shopper, the group closed when nothing is left of it.

use model::catalog::Money;

use crate::inventory;
use crate::notifications::{self, templates};
use crate::orders::{lifecycle, views, OrderError, OrderStatus};
use crate::payments::{self, PaymentGateway, PaymentStatus};
use crate::platform::{outbox, Actor, Db};

/// Cancels seller order `order_number` of group `group_number` for `actor`: the group's shopper (an account, or
/// a guest with the link's `token`), the store's seller or an admin; anyone else gets `NotFound`.
///
/// The refund's idempotency key comes from the order, so the gateway refunds once however often this runs; the
/// refund is recorded once per key in the transaction that cancels the order, so concurrent cancels (a double
/// click) record it once and all answer done; a cancel after the order is cancelled says it cannot be any more.
pub async fn cancel(
    db: &Db,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    group_number: &str,
    order_number: &str,
    token: Option<&str>,
) -> Result<(), OrderError> {
    let (target, payment) = {
        let mut conn = db.pool().acquire().await?;
        let target = views::change_target(&mut conn, group_number, order_number, actor, token).await?;
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
        let payment = payments::of_group(
            &mut conn,
            target.group_id,
            &[PaymentStatus::Succeeded, PaymentStatus::PartiallyRefunded],
        )
        .await?
        .ok_or_else(|| OrderError::NotAllowed(format!("Order {} has no payment to refund.", target.number)))?;
        (target, payment)
    };
    let amount = target.total - target.refunded;
    let key = format!("refund-order-{}", target.order_id);
    if amount > 0 {
        gateway
            .refund(&payment.provider_ref, amount, &key)
            .await
            .map_err(|e| OrderError::Refund(e.to_string()))?;
    }
    let mut tx = db.begin_write().await?;
    let first = amount == 0 || payments::record_refund(&mut tx, &key, &payment, Some(target.order_id), amount).await?;
    if !first {
        // A concurrent request for the same cancellation recorded it: nothing more to do.
        tx.rollback().await?;
        return Ok(());
    }
    let by = actor.described();
    let note = format!("Cancelled by {by}; refunded in full");
    let cancelled = lifecycle::cancel_unshipped(&mut tx, target.order_id, &note).await?;
    if cancelled {
        inventory::restock(&mut tx, target.group_id, target.order_id).await?;
    } else {
        // Part of it shipped between the check and now. The refund above was real, so the order ends refunded:
        // nothing more of it ships (its units left are cancelled), and what is on the shelf stays for the seller
        // to count (a reservation restocks whole, shipped units with it).
        tracing::warn!(order_id = target.order_id, "order shipped while it was being cancelled");
        lifecycle::end_refunded(&mut tx, target.order_id, "Refunded in full; part of it had shipped").await?;
    }
    lifecycle::record_refunded_in_full(&mut tx, target.order_id).await?;
    lifecycle::close_group_if_all_cancelled(&mut tx, target.group_id).await?;
    let refund = Money::new(amount, target.currency.as_str());
    let mail = if cancelled {
        templates::order_cancelled(&target.email, &target.number, &target.store_name, &refund, by)
    } else {
        templates::order_refunded(&target.email, &target.number, &refund)
    };
    notifications::enqueue(&mut tx, &format!("order-cancelled:{}", target.order_id), &mail).await?;
    for product in inventory::products_of(&mut tx, target.group_id).await? {
        outbox::product_changed(&mut tx, product).await?;
    }
    tx.commit().await?;
    Ok(())
}
