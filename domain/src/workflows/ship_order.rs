//! A store ships an order (orders) and its shopper is emailed with the tracking (notifications), in one
//! transaction; and marks a shipped order delivered.

use crate::notifications::{self, templates};
use crate::orders::fulfilment::{self, NewShipment, Shipped};
use crate::orders::{views, OrderError};
use crate::platform::{Actor, Db};

/// What the shipping form sends, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShipForm {
    pub key: String,
    pub carrier: String,
    pub tracking_number: String,
    /// (variant id, units typed) per line of the order.
    pub lines: Vec<(i64, String)>,
}

/// Ships the chosen units of the actor's store's order `number`. The same form sent twice ships once; units
/// another shipment or a cancellation took meanwhile are refused with what is left, and nothing changes.
pub async fn ship(db: &Db, actor: &Actor, number: &str, form: &ShipForm) -> Result<Shipped, OrderError> {
    let shipment = NewShipment::parse(&form.key, &form.carrier, &form.tracking_number, &form.lines)?;
    let mut tx = db.begin_write().await?;
    let order = fulfilment::order_for_store(&mut tx, actor, number).await?;
    let shipped = fulfilment::record_shipment(&mut tx, &order, &shipment).await?;
    if let Shipped::Recorded { shipment_id, complete } = shipped {
        let contact = views::contact(&mut tx, order.group_id).await?;
        let lines = fulfilment::shipments_of(&mut tx, "o.id = $1", order.id)
            .await?
            .remove(&order.id)
            .and_then(|all| all.into_iter().last())
            .map(|s| s.lines)
            .unwrap_or_default();
        let tracking_url = shipment.carrier.tracking_url(&shipment.tracking_number);
        let mail = templates::order_shipped(&templates::ShippedMail {
            to: &contact.email,
            number: &order.number,
            store_name: &order.store_name,
            lines: &lines,
            carrier: shipment.carrier.label(),
            tracking_number: &shipment.tracking_number,
            tracking_url: tracking_url.as_deref(),
            complete,
            link: &contact.link(),
        });
        notifications::enqueue(&mut tx, &format!("shipment:{shipment_id}"), &mail).await?;
    }
    tx.commit().await?;
    Ok(shipped)
}

/// Marks the actor's store's shipped order `number` delivered.
pub async fn mark_delivered(db: &Db, actor: &Actor, number: &str) -> Result<(), OrderError> {
    let mut tx = db.begin_write().await?;
    let order = fulfilment::order_for_store(&mut tx, actor, number).await?;
    fulfilment::mark_delivered(&mut tx, &order, actor).await?;
    tx.commit().await?;
    Ok(())
}
