//! A store ships an order (orders) and its shopper is emailed with the tracking (notifications), in one
//! transaction; a shipped order is marked delivered (by its store, or its shopper confirms it arrived) and the
//! shopper is told, texted when they asked for texts, and reminded to review a few days later.

use model::notifications::Topic;
use sqlx::AnyConnection;

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
        if let Some(user_id) = contact.user_id() {
            let text = templates::shipped_text(&order.number, &order.store_name, &contact.link());
            notifications::enqueue_text(&mut tx, &format!("shipment-text:{shipment_id}"), user_id, &text).await?;
        }
    }
    tx.commit().await?;
    Ok(shipped)
}

/// Marks the actor's store's shipped order `number` delivered.
pub async fn mark_delivered(db: &Db, actor: &Actor, number: &str) -> Result<(), OrderError> {
    let mut tx = db.begin_write().await?;
    let order = fulfilment::order_for_store(&mut tx, actor, number).await?;
    fulfilment::mark_delivered(&mut tx, &order, actor).await?;
    tell_delivered(&mut tx, order.id).await?;
    tx.commit().await?;
    Ok(())
}

/// The shopper (or a guest with the link's `token`) says a shipped order arrived.
pub async fn confirm_received(
    db: &Db,
    actor: &Actor,
    group_number: &str,
    order_number: &str,
    token: Option<&str>,
) -> Result<(), OrderError> {
    let mut tx = db.begin_write().await?;
    let order_id = fulfilment::confirm_received(&mut tx, actor, group_number, order_number, token).await?;
    tell_delivered(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(())
}

/// How long after a delivery the reminder to review goes: time to unpack and use what came.
pub const REVIEW_REMINDER_AFTER_MS: i64 = 3 * 86_400_000;

#[derive(sqlx::FromRow)]
struct DeliveredRow {
    group_id: i64,
    number: String,
    store_name: String,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    title: String,
    variant: String,
    quantity: i64,
}

/// Queues what a delivery sends the shopper: the email; for an account, the text it asked for and the reminder to
/// review (the reminder is dropped if a review of the order comes first).
async fn tell_delivered(conn: &mut AnyConnection, order_id: i64) -> Result<(), sqlx::Error> {
    let order: DeliveredRow = sqlx::query_as(
        "SELECT o.group_id, o.number, s.store_name FROM orders o JOIN sellers s ON s.id = o.seller_id WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    let contact = views::contact(conn, order.group_id).await?;
    let mail = templates::order_delivered(&contact.email, &order.number, &order.store_name, &contact.link());
    notifications::enqueue(conn, &format!("delivered:{order_id}"), &mail).await?;
    let Some(user_id) = contact.user_id() else {
        return Ok(());
    };
    let text = templates::delivered_text(&order.number, &order.store_name);
    notifications::enqueue_text(conn, &format!("delivered-text:{order_id}"), user_id, &text).await?;
    let lines: Vec<LineRow> =
        sqlx::query_as("SELECT title, variant, quantity FROM order_lines WHERE order_id = $1 ORDER BY title")
            .bind(order_id)
            .fetch_all(&mut *conn)
            .await?;
    let items: Vec<String> = lines
        .iter()
        .map(|l| format!("{} × {}", l.quantity, templates::item_name(&l.title, &l.variant)))
        .collect();
    let reminder = templates::review_reminder(&contact.email, &order.number, &items);
    let due_at = crate::platform::clock::now_ms() + REVIEW_REMINDER_AFTER_MS;
    let key = review_reminder_key(order_id);
    notifications::enqueue_optional(conn, &key, &reminder, user_id, Topic::ReviewReminders, due_at).await?;
    Ok(())
}

/// The outbox key of an order's reminder to review (a review of the order drops it while it waits).
pub fn review_reminder_key(order_id: i64) -> String {
    format!("review-reminder:{order_id}")
}
