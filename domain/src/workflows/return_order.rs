//! Returns (orders) with the email each step sends (notifications), and the refund of a received return through
//! the one refund path (`refund_order`).

use crate::notifications::{self, templates};
use crate::orders::exchanges::{self, Replaced};
use crate::orders::fulfilment::{self, StoreOrder};
use crate::orders::refunds::RefundRequest;
use crate::orders::returns::{self, ReturnForm};
use crate::orders::{views, OrderError};
use crate::payments::PaymentGateway;
use crate::platform::{Actor, Db};
use crate::workflows::refund_order::{self, Outcome, Target};

pub use crate::orders::returns::Requested;

/// Emails the store of order `order_id` (its support address, else its seller's account) about a return.
async fn tell_store(
    conn: &mut sqlx::AnyConnection,
    group_id: i64,
    order_id: i64,
    dedupe: &str,
    what: &str,
) -> Result<(), sqlx::Error> {
    let notices = views::store_notices(conn, group_id).await?;
    if let Some(store) = notices
        .into_iter()
        .find(|n| n.order_id == order_id && !n.email.is_empty())
    {
        let link = format!("/seller/orders/{}", store.number);
        notifications::enqueue(
            conn,
            dedupe,
            &templates::return_update(&store.email, &store.number, what, &link),
        )
        .await?;
    }
    Ok(())
}

/// Emails the shopper of a store's order about its return.
async fn tell_shopper(
    conn: &mut sqlx::AnyConnection,
    order: &StoreOrder,
    dedupe: &str,
    what: &str,
) -> Result<(), sqlx::Error> {
    let contact = views::contact(conn, order.group_id).await?;
    let mail = templates::return_update(&contact.email, &order.number, what, &contact.link());
    notifications::enqueue(conn, dedupe, &mail).await?;
    Ok(())
}

/// A seller order as its shopper names it: the group's number, the order's, and a guest's link token.
#[derive(Debug, Clone, Copy)]
pub struct ShopperOrder<'a> {
    pub group: &'a str,
    pub order: &'a str,
    pub token: Option<&'a str>,
}

/// The shopper (or the holder of the order's link) asks to send back units of a delivered seller order.
pub async fn request(db: &Db, actor: &Actor, of: ShopperOrder<'_>, form: &ReturnForm) -> Result<Requested, OrderError> {
    let mut tx = db.begin_write().await?;
    let target = views::change_target(&mut tx, of.group, of.order, actor, of.token).await?;
    let requested = returns::request(&mut tx, target.order_id, form).await?;
    if let Requested::New { return_id } = requested {
        crate::money::rollups::add_return(&mut tx, target.order_id).await?;
        let what = "the shopper asks to send units back; approve or reject it";
        tell_store(
            &mut tx,
            target.group_id,
            target.order_id,
            &format!("return-requested:{return_id}"),
            what,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(requested)
}

/// The shopper says an approved return is on its way back.
pub async fn sent_back(
    db: &Db,
    actor: &Actor,
    of: ShopperOrder<'_>,
    return_id: i64,
    carrier: &str,
    tracking: &str,
) -> Result<(), OrderError> {
    let mut tx = db.begin_write().await?;
    let target = views::change_target(&mut tx, of.group, of.order, actor, of.token).await?;
    returns::sent_back(&mut tx, target.order_id, return_id, carrier, tracking).await?;
    let what = "the shopper sent the units back; mark them received when they arrive";
    tell_store(
        &mut tx,
        target.group_id,
        target.order_id,
        &format!("return-sent:{return_id}"),
        what,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The store approves or rejects (with `answer`) a requested return of its order `number`.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    number: &str,
    return_id: i64,
    approve: bool,
    answer: &str,
) -> Result<(), OrderError> {
    let mut tx = db.begin_write().await?;
    let order = fulfilment::order_for_store(&mut tx, actor, number).await?;
    returns::decide(&mut tx, &order, return_id, approve, answer).await?;
    let what = if approve {
        "the store approved it: send the units back".to_string()
    } else {
        format!("the store refused it: {}", answer.trim())
    };
    tell_shopper(&mut tx, &order, &format!("return-decided:{return_id}"), &what).await?;
    tx.commit().await?;
    Ok(())
}

/// The store has the units of a return back.
pub async fn receive(db: &Db, actor: &Actor, number: &str, return_id: i64, restock: bool) -> Result<(), OrderError> {
    let mut tx = db.begin_write().await?;
    let order = fulfilment::order_for_store(&mut tx, actor, number).await?;
    returns::receive(&mut tx, &order, return_id, restock).await?;
    tx.commit().await?;
    Ok(())
}

/// The store refunds a received return: its units through the refund path (the shopper is emailed there), then
/// the return is closed. Sent again (a double click, or after a failure between the two), the refund is claimed
/// once and the return closed once.
pub async fn refund(
    db: &Db,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    number: &str,
    return_id: i64,
) -> Result<Outcome, OrderError> {
    let (order, todo) = {
        let mut conn = db.pool().acquire().await?;
        let order = fulfilment::order_for_store(&mut conn, actor, number).await?;
        let todo = returns::to_refund(&mut conn, order.id, return_id).await?;
        (order, todo)
    };
    let todo = todo
        .ok_or_else(|| OrderError::NotAllowed("This return is not received yet, or it was refunded already.".into()))?;
    let target = Target {
        order_id: order.id,
        group_id: order.group_id,
        seller_id: order.seller_id,
        number: order.number.clone(),
        store_name: order.store_name.clone(),
    };
    let request = RefundRequest::for_return(return_id, todo.lines, todo.restock);
    let outcome = refund_order::give_back(db, gateway, actor, &target, &request).await?;
    let mut tx = db.begin_write().await?;
    returns::mark_refunded(&mut tx, order.id, return_id).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The store sends a replacement for a received return whose shopper asked for one (an exchange): the units leave
/// its stock, the return is closed, and the shopper is emailed the parcel. Sent again, it changes nothing and says
/// the return was closed already.
pub async fn replace(
    db: &Db,
    actor: &Actor,
    number: &str,
    return_id: i64,
    carrier: &str,
    tracking: &str,
) -> Result<Replaced, OrderError> {
    let mut tx = db.begin_write().await?;
    let order = fulfilment::order_for_store(&mut tx, actor, number).await?;
    let sent = exchanges::replace(&mut tx, &order, return_id, carrier, tracking, actor.user_id()).await?;
    // The order's page (the email's link) has the carrier's tracking link.
    let what = format!(
        "the store sent a replacement ({}) with {} {}",
        sent.lines.join(", "),
        sent.carrier,
        sent.tracking_number
    );
    tell_shopper(&mut tx, &order, &format!("return-replaced:{return_id}"), &what).await?;
    for product in crate::inventory::products_of(&mut tx, order.group_id).await? {
        crate::platform::outbox::product_changed(&mut tx, product).await?;
    }
    tx.commit().await?;
    Ok(sent)
}
