//! Money going back on a seller order: units cancelled before they ship, shipped units, shipping or an amount
//! refunded, or the whole order cancelled. Claimed first (orders), refunded at the payment provider under the
//! claim's own key (payments), then completed once with the stock back on sale (inventory) and the shopper
//! emailed (notifications). A claim the provider refuses is undone, so the form can be sent again.

use model::seller_orders::RefundReason;

use crate::inventory::{self, movements::Reason, put_back};
use crate::notifications::{self, templates};
use crate::orders::fulfilment;
use crate::orders::refunds::{self, Claim, Claimed, Completed, RefundForm, RefundKind, RefundRequest};
use crate::orders::{lifecycle, views, OrderError, OrderStatus};
use crate::payments::{self, GatewayError, Payment, PaymentGateway, PaymentStatus};
use crate::platform::{outbox, Actor, Db};

/// The order money goes back on, found for an actor allowed to change it.
#[derive(Debug, Clone)]
pub struct Target {
    pub order_id: i64,
    pub group_id: i64,
    pub number: String,
    pub store_name: String,
}

/// What giving money back did.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done(Completed),
    /// This form was sent before (a double click, a second tab): nothing more changed.
    AlreadyRecorded,
    /// An earlier refund of the order was still waiting for the payment provider: it was finished, and this form
    /// changed nothing (what it asked may no longer hold).
    EarlierFinished,
}

/// The store's cancel or refund form on the actor's store's order `number`.
pub async fn by_store(
    db: &Db,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    number: &str,
    kind: RefundKind,
    form: &RefundForm,
) -> Result<Outcome, OrderError> {
    let request = RefundRequest::parse(kind, form)?;
    let order = {
        let mut conn = db.pool().acquire().await?;
        fulfilment::order_for_store(&mut conn, actor, number).await?
    };
    let target = Target {
        order_id: order.id,
        group_id: order.group_id,
        number: order.number,
        store_name: order.store_name,
    };
    give_back(db, gateway, actor, &target, &request).await
}

/// Claims `request` on `target`, refunds it at the provider and completes it. Identical requests at once (a double
/// click) claim, refund and complete it once. A claim of the order still waiting for the provider is finished
/// first, whoever sends the next refund of the order: a provider that could not be reached is asked again.
pub async fn give_back(
    db: &Db,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    target: &Target,
    request: &RefundRequest,
) -> Result<Outcome, OrderError> {
    let (claim, payment, mine) = {
        let mut tx = db.begin_write().await?;
        // Rolled back at once when nothing is claimed: the order's row it took is free for the claim it met.
        let (claim, mine) = match refunds::claim(&mut tx, target.order_id, request, actor.user_id()).await {
            Ok(Claimed::New(claim) | Claimed::Resumed(claim)) => (claim, true),
            Ok(Claimed::Earlier(claim)) => (claim, false),
            other => {
                tx.rollback().await?;
                return other.map(|_| Outcome::AlreadyRecorded);
            }
        };
        let refundable = [PaymentStatus::Succeeded, PaymentStatus::PartiallyRefunded];
        let payment = payments::of_group(&mut tx, target.group_id, &refundable).await?;
        if claim.amount > 0 && payment.is_none() {
            tx.rollback().await?;
            return Err(OrderError::NotAllowed(format!(
                "Order {} has no payment to refund.",
                target.number
            )));
        }
        tx.commit().await?;
        let payment = payment.filter(|_| claim.amount > 0);
        (claim, payment, mine)
    };
    if let Some(payment) = &payment {
        match gateway
            .refund(&payment.provider_ref, claim.amount, &claim.idempotency_key())
            .await
        {
            Ok(()) => {}
            Err(GatewayError::Refused(why)) => {
                let mut tx = db.begin_write().await?;
                refunds::abandon(&mut tx, &claim).await?;
                tx.commit().await?;
                return Err(OrderError::Refund(why));
            }
            // It may have been made: the claim waits, and is asked again under its key by the next refund of the
            // order (this form sent again, or another).
            Err(unreachable) => return Err(OrderError::Refund(unreachable.to_string())),
        }
    }
    let mut tx = db.begin_write().await?;
    if let Some(payment) = &payment {
        payments::hold(&mut tx, payment.id).await?;
    }
    let Some(done) = refunds::complete(&mut tx, &claim, actor.described()).await? else {
        tx.rollback().await?;
        return Ok(if mine {
            Outcome::AlreadyRecorded
        } else {
            Outcome::EarlierFinished
        });
    };
    settle(&mut tx, actor, target, &claim, payment.as_ref(), &done).await?;
    tx.commit().await?;
    Ok(if mine {
        Outcome::Done(done)
    } else {
        Outcome::EarlierFinished
    })
}

/// What a completed refund means beyond the order: the payment's refunded total, stock back on sale, the group
/// closed when every order of it is cancelled, the shopper's email, the search index.
async fn settle(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    target: &Target,
    claim: &Claim,
    payment: Option<&Payment>,
    done: &Completed,
) -> Result<(), OrderError> {
    if let Some(payment) = payment {
        payments::record_refund(
            tx,
            &claim.idempotency_key(),
            payment,
            Some(target.order_id),
            claim.amount,
        )
        .await?;
    }
    if done.restock {
        let reason = match done.kind {
            RefundKind::Cancel => Reason::Restocked,
            RefundKind::Refund => Reason::Returned,
        };
        for line in &done.lines {
            let units = put_back::LineUnits {
                group_id: target.group_id,
                order_id: target.order_id,
                variant_id: line.variant_id,
                units: line.quantity,
                reason,
                user_id: actor.user_id(),
            };
            put_back::give_back_units(tx, &units).await?;
        }
        for product in inventory::products_of(tx, target.group_id).await? {
            outbox::product_changed(tx, product).await?;
        }
    }
    if done.became == Some(OrderStatus::Cancelled) {
        lifecycle::close_group_if_all_cancelled(tx, target.group_id).await?;
    }
    let contact = views::contact(tx, target.group_id).await?;
    let mail = if done.became == Some(OrderStatus::Cancelled) {
        templates::order_cancelled(
            &contact.email,
            &target.number,
            &target.store_name,
            &done.amount,
            actor.described(),
        )
    } else {
        let lines: Vec<String> = done.lines.iter().map(refunds::RefundedLine::described).collect();
        templates::money_back(&templates::MoneyBackMail {
            to: &contact.email,
            number: &target.number,
            store_name: &target.store_name,
            cancelled: done.kind == RefundKind::Cancel,
            lines: &lines,
            shipping: &done.shipping,
            amount: &done.amount,
            reason: done.reason.label(),
            link: &contact.link(),
        })
    };
    notifications::enqueue(tx, &format!("order-refund:{}", claim.id), &mail).await?;
    Ok(())
}

/// The reason a whole order is cancelled for, by who cancels it.
pub fn whole_order_reason(actor: &Actor, seller_id: i64) -> RefundReason {
    if actor.may_manage_store(seller_id) {
        RefundReason::Other
    } else {
        RefundReason::ShopperAsked
    }
}
