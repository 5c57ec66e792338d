//! Money going back on a seller order: units cancelled before they ship, shipped units, shipping or an amount
//! refunded, or the whole order cancelled. Claimed first (orders), refunded at the payment provider under the
//! claim's own key (payments), then completed once with the stock back on sale (inventory) and the shopper
//! emailed (notifications). A claim the provider refuses is undone, so the form can be sent again.

use model::seller_orders::RefundReason;

use crate::accounts::step_up::{self, Confirmed};
use crate::inventory::{self, movements::Reason, put_back};
use crate::notifications::{self, templates};
use crate::orders::fulfilment;
use crate::orders::refunds::{self, Claim, Claimed, Completed, RefundForm, RefundKind, RefundRequest};
use crate::orders::{lifecycle, views, OrderError, OrderStatus};
use crate::payments::{self, GatewayError, Payment, PaymentGateway, PaymentStatus};
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::{outbox, Actor, Db};
use model::admin::AuditAction;
use model::catalog::Money;

/// The order money goes back on, found for an actor allowed to change it.
#[derive(Debug, Clone)]
pub struct Target {
    pub order_id: i64,
    pub group_id: i64,
    /// The store whose order it is (the audit entry lists it with the store's actions).
    pub seller_id: i64,
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
    let target = target_of(db, actor, number).await?;
    give_back(db, gateway, actor, &target, &request).await
}

/// What an admin's refund needs besides the form: a refund above `above` (minor units of the order's currency)
/// asks for their password again unless `confirmed` covers them (given within 10 minutes).
#[derive(Debug, Clone, Copy)]
pub struct AdminStepUp {
    pub confirmed: Option<Confirmed>,
    pub above: i64,
}

/// An admin's cancel or refund form on any store's order `number`: the store's own path (one claim, the provider
/// under the claim's key, the shopper emailed, an audit entry), with the step-up on large amounts. Anyone else is
/// answered "not found", like an order that does not exist.
pub async fn by_admin(
    db: &Db,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    step_up: &AdminStepUp,
    number: &str,
    kind: RefundKind,
    form: &RefundForm,
) -> Result<Outcome, OrderError> {
    if !actor.is_admin() {
        return Err(OrderError::NotFound);
    }
    let request = RefundRequest::parse(kind, form)?;
    let target = target_of(db, actor, number).await?;
    let mut by = Who::of(actor);
    if !step_up.confirmed.is_some_and(|c| c.covers(actor)) {
        by.confirm_above = Some(step_up.above);
    }
    give_back_by(db, gateway, &by, &target, &request).await
}

async fn target_of(db: &Db, actor: &Actor, number: &str) -> Result<Target, OrderError> {
    let mut conn = db.pool().acquire().await?;
    let order = fulfilment::order_for_store(&mut conn, actor, number).await?;
    Ok(Target {
        order_id: order.id,
        group_id: order.group_id,
        seller_id: order.seller_id,
        number: order.number,
        store_name: order.store_name,
    })
}

/// Claims `request` on `target`, refunds it at the provider and completes it. Identical requests at once (a double
/// click) claim, refund and complete it once. A claim of the order still waiting for the provider is finished
/// first, whoever sends the next refund of the order: a provider that could not be reached is asked again.
/// Admins are refused here: they give money back only through [`by_admin`], whose step-up the store's and the
/// shopper's forms do not carry.
pub async fn give_back(
    db: &Db,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    target: &Target,
    request: &RefundRequest,
) -> Result<Outcome, OrderError> {
    if actor.is_admin() {
        return Err(OrderError::NotAllowed(
            "Admins refund and cancel from the order's admin page (Admin → Orders), where a large refund asks for \
             the password again."
                .into(),
        ));
    }
    give_back_by(db, gateway, &Who::of(actor), target, request).await
}

/// [`give_back`] by `by`: an actor, or the shop itself (its workers act without one).
pub(crate) async fn give_back_by(
    db: &Db,
    gateway: &dyn PaymentGateway,
    by: &Who,
    target: &Target,
    request: &RefundRequest,
) -> Result<Outcome, OrderError> {
    give_back_when(db, gateway, by, target, request, None).await
}

/// [`give_back_by`], claimed only if the order's time to be accepted ran out before `unaccepted_at` (taken in the
/// claim's transaction, so no refund claimed means no expiry): the shop's cancel of orders not accepted in time.
/// `AlreadyRecorded` when the store accepted it first; `EarlierFinished` when another refund of it still waits
/// (nothing expired: the next sweep tries again).
pub(crate) async fn give_back_when(
    db: &Db,
    gateway: &dyn PaymentGateway,
    by: &Who,
    target: &Target,
    request: &RefundRequest,
    unaccepted_at: Option<i64>,
) -> Result<Outcome, OrderError> {
    let (claim, payment, mine) = {
        let mut tx = db.begin_write().await?;
        if let Some(now) = unaccepted_at {
            if !crate::orders::acceptance::expire(&mut tx, target.order_id, now).await? {
                tx.rollback().await?;
                return Ok(Outcome::AlreadyRecorded);
            }
        }
        // Rolled back at once when nothing is claimed: the order's row it took is free for the claim it met.
        let (claim, mine) = match refunds::claim(&mut tx, target.order_id, request, by.user_id()).await {
            Ok(Claimed::New(claim)) if by.confirm_above.is_some_and(|above| claim.amount > above) => {
                tx.rollback().await?;
                return Err(OrderError::Invalid(vec![step_up::refund_asks_password()]));
            }
            Ok(Claimed::New(claim) | Claimed::Resumed(claim)) => (claim, true),
            Ok(Claimed::Earlier(_)) if unaccepted_at.is_some() => {
                tx.rollback().await?;
                return Ok(Outcome::EarlierFinished);
            }
            Ok(Claimed::Earlier(claim)) => (claim, false),
            other => {
                tx.rollback().await?;
                return other.map(|_| Outcome::AlreadyRecorded);
            }
        };
        let payment = payments::of_group(&mut tx, target.group_id, &PAID).await?;
        if claim.amount > 0 && crate::money::disputes::blocks_refund(&mut tx, target.group_id).await? {
            tx.rollback().await?;
            return Err(OrderError::NotAllowed(format!(
                "Order {}'s payment is disputed: the shopper's bank decides, and nothing can be refunded from it \
                 while it does (or after it gave the money back).",
                target.number
            )));
        }
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
    let done = finish(db, gateway, by, target, &claim, payment.as_ref()).await?;
    Ok(match (done, mine) {
        (Some(done), true) => Outcome::Done(done),
        (None, true) => Outcome::AlreadyRecorded,
        (_, false) => Outcome::EarlierFinished,
    })
}

/// The payment a claim is refunded from: one that took money. A payment the provider reports refunded in full
/// counts too: a waiting claim's own refund may be what it reports, and asking again under the claim's key is
/// then answered as done (a claim it does not cover is refused by the provider and undone).
const PAID: [PaymentStatus; 3] = [
    PaymentStatus::Succeeded,
    PaymentStatus::PartiallyRefunded,
    PaymentStatus::Refunded,
];

/// Who a refund is made by, for the timeline, the email, the stock movements and the audit log.
pub(crate) struct Who {
    pub described: &'static str,
    /// `None`: the shop itself (its workers).
    pub actor: Option<Actor>,
    /// A new claim above this amount (minor units) is refused with the password field's message: an admin's
    /// refund without a recent password ([`by_admin`]). `None`: no limit.
    pub confirm_above: Option<i64>,
}

impl Who {
    /// The account it acts for (none: a guest, or the shop).
    fn user_id(&self) -> Option<i64> {
        self.actor.and_then(|a| a.user_id())
    }

    fn of(actor: &Actor) -> Who {
        Who {
            described: actor.described(),
            actor: Some(*actor),
            confirm_above: None,
        }
    }
}

/// Asks the provider for a claim under its key and completes it; `None` when another request completed it first.
/// A refusal undoes the claim; a provider that cannot be reached leaves it waiting.
async fn finish(
    db: &Db,
    gateway: &dyn PaymentGateway,
    by: &Who,
    target: &Target,
    claim: &Claim,
    payment: Option<&Payment>,
) -> Result<Option<Completed>, OrderError> {
    if let Some(payment) = payment {
        match gateway
            .refund(&payment.provider_ref, claim.amount, &claim.idempotency_key())
            .await
        {
            Ok(()) => {}
            Err(GatewayError::Refused(why)) => {
                let mut tx = db.begin_write().await?;
                refunds::abandon(&mut tx, claim).await?;
                tx.commit().await?;
                return Err(OrderError::Refund(why));
            }
            // It may have been made: the claim waits, and is asked again under its key by the next refund of the
            // order (this form sent again, or another) or by the retry sweep (`retry_waiting`).
            Err(unreachable) => return Err(OrderError::Refund(unreachable.to_string())),
        }
    }
    let mut tx = db.begin_write().await?;
    if let Some(payment) = payment {
        payments::hold(&mut tx, payment.id).await?;
    }
    let Some(done) = refunds::complete(&mut tx, claim, by.described).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    settle(&mut tx, by, target, claim, payment, &done).await?;
    tx.commit().await?;
    Ok(Some(done))
}

/// A claim still waiting for the provider `after_ms` after it was made (the provider could not be reached, or the
/// shop stopped between the call and the completion), and the order it is on.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Waiting {
    id: i64,
    order_id: i64,
    amount: i64,
    group_id: i64,
    seller_id: i64,
    number: String,
    store_name: String,
}

/// Asks the provider again, under their keys, for the claims that have waited since before `before` (at most 20
/// at a time) and completes them: the shop's own retry, so a claim nobody touches again is not left waiting.
/// Returns how many were completed.
pub async fn retry_waiting(db: &Db, gateway: &dyn PaymentGateway, before: i64) -> Result<usize, OrderError> {
    let waiting: Vec<Waiting> = sqlx::query_as(
        "SELECT r.id AS id, r.order_id AS order_id, r.amount AS amount, o.group_id AS group_id, o.seller_id AS seller_id, \
         o.number AS number, s.store_name AS store_name FROM order_refunds r JOIN orders o ON o.id = r.order_id \
         JOIN sellers s ON s.id = o.seller_id WHERE r.state = 'pending' AND r.created_at < $1 ORDER BY r.id LIMIT 20",
    )
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    let by = Who {
        described: "the shop (a refund retried)",
        actor: None,
        confirm_above: None,
    };
    let mut completed = 0;
    for w in waiting {
        let target = Target {
            order_id: w.order_id,
            group_id: w.group_id,
            seller_id: w.seller_id,
            number: w.number,
            store_name: w.store_name,
        };
        let claim = Claim {
            id: w.id,
            order_id: w.order_id,
            amount: w.amount,
        };
        let payment = {
            let mut conn = db.pool().acquire().await?;
            payments::of_group(&mut conn, target.group_id, &PAID).await?
        };
        match finish(
            db,
            gateway,
            &by,
            &target,
            &claim,
            payment.as_ref().filter(|_| claim.amount > 0),
        )
        .await
        {
            Ok(Some(_)) => completed += 1,
            Ok(None) => {}
            // Refused (undone) or still unreachable (waits for the next sweep): the others are tried all the same.
            Err(e) => tracing::warn!(refund = claim.id, error = %e, "a waiting refund could not be finished yet"),
        }
    }
    Ok(completed)
}

/// What a completed refund means beyond the order: the payment's refunded total, stock back on sale, the group
/// closed when every order of it is cancelled, the shopper's email, the search index.
async fn settle(
    tx: &mut sqlx::AnyConnection,
    by: &Who,
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
    crate::money::sales::record_refund(tx, target.order_id, claim.id, claim.amount).await?;
    audit_refund(tx, by, target, claim, done).await?;
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
                user_id: by.user_id(),
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
            by.described,
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

/// The audit entry of a completed refund: by its actor, or by the shop when its workers finished it.
async fn audit_refund(
    tx: &mut sqlx::AnyConnection,
    by: &Who,
    target: &Target,
    claim: &Claim,
    done: &Completed,
) -> Result<(), sqlx::Error> {
    let action = match done.kind {
        RefundKind::Cancel => AuditAction::OrderCancelled,
        RefundKind::Refund => AuditAction::OrderRefunded,
    };
    let status = |s: &str| OrderStatus::parse(s).map_or(s.to_string(), |s| s.label().to_string());
    let after = done.became.map_or(status(&done.was), |s| s.label().to_string());
    let refunded = &done.order_refunded;
    let before = Money::new(refunded.amount - done.amount.amount, refunded.currency.as_str());
    let subject = Subject::new(
        "order",
        &target.number,
        format!("{} ({})", target.number, target.store_name),
    );
    let entry = Entry::new(action, subject)
        .store(target.seller_id)
        .change("refunded", before.display(), refunded.display())
        .change("status", status(&done.was), after)
        .reason(&format!("{}: {}", done.reason.label(), done.what()));
    // Named for whoever asked for it (the claim's maker), even when another request or the retry sweep finished
    // a claim the provider had not answered; the finisher is then said in the reason.
    let maker: Option<i64> = sqlx::query_scalar("SELECT created_by FROM order_refunds WHERE id = $1")
        .bind(claim.id)
        .fetch_one(&mut *tx)
        .await?;
    let by_id = by.user_id();
    let finished = |entry: Entry| {
        let reason = format!("{} (finished by {})", entry.reason, by.described);
        entry.reason(&reason)
    };
    match (maker, &by.actor) {
        (Some(maker), _) if Some(maker) != by_id => audit::record_for_account(tx, maker, &finished(entry)).await,
        (_, Some(actor)) if maker.is_some() || actor.user_id().is_none() => audit::record(tx, actor, &entry).await,
        // A guest's waiting cancel, or the shop's own, finished by someone else: no one to name but the shop.
        (_, Some(_)) => audit::record_for_shop(tx, &finished(entry)).await,
        (_, None) => audit::record_for_shop(tx, &entry).await,
    }
}

/// The reason a whole order is cancelled for, by who cancels it.
pub fn whole_order_reason(actor: &Actor, seller_id: i64) -> RefundReason {
    if actor.may_manage_store(seller_id) {
        RefundReason::Other
    } else {
        RefundReason::ShopperAsked
    }
}
