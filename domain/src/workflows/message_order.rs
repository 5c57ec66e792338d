//! A message on a seller order (orders) and the email that tells the other side (notifications): the shopper
//! writes to the store, the store to the shopper, or the store keeps an internal note (no email).

use crate::notifications::{self, templates};
use crate::orders::messages::{self, Author, Posted};
use crate::orders::{fulfilment, views, OrderError};
use crate::platform::{Actor, Db};
use crate::workflows::return_order::ShopperOrder;

/// The shopper (or the holder of the order's link) writes to the order's store.
pub async fn from_shopper(
    db: &Db,
    actor: &Actor,
    of: ShopperOrder<'_>,
    key: &str,
    body: &str,
) -> Result<Posted, OrderError> {
    let mut tx = db.begin_write().await?;
    let target = views::change_target(&mut tx, of.group, of.order, actor, of.token).await?;
    let posted = messages::post(&mut tx, target.order_id, Author::Shopper, key, body).await?;
    if let Posted::New { message_id, flagged } = posted {
        let store = views::store_notices(&mut tx, target.group_id)
            .await?
            .into_iter()
            .find(|n| n.order_id == target.order_id && !n.email.is_empty());
        if let Some(store) = store {
            let link = format!("/seller/orders/{}", store.number);
            let mail = templates::new_message(&store.email, &store.number, "the shopper", flagged, &link);
            notifications::enqueue(&mut tx, &format!("message:{message_id}"), &mail).await?;
        }
    }
    tx.commit().await?;
    Ok(posted)
}

/// The store writes to the shopper of its order `number`, or (`internal`) keeps a note only it reads.
pub async fn from_store(
    db: &Db,
    actor: &Actor,
    number: &str,
    key: &str,
    body: &str,
    internal: bool,
) -> Result<Posted, OrderError> {
    let mut tx = db.begin_write().await?;
    let order = fulfilment::order_for_store(&mut tx, actor, number).await?;
    let author = if internal { Author::Note } else { Author::Store };
    let posted = messages::post(&mut tx, order.id, author, key, body).await?;
    if let (Posted::New { message_id, flagged }, false) = (posted, internal) {
        let contact = views::contact(&mut tx, order.group_id).await?;
        let link = format!(
            "/orders/{}/messages/{}{}",
            contact.number,
            order.number,
            contact.token_query()
        );
        let mail = templates::new_message(&contact.email, &order.number, &order.store_name, flagged, &link);
        notifications::enqueue(&mut tx, &format!("message:{message_id}"), &mail).await?;
    }
    tx.commit().await?;
    Ok(posted)
}
