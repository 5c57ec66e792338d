//! Orders: one order group per checkout (one payment) holding one order per seller. Status changes go through the
//! state machine in [`status`], enforced in the UPDATE itself (`WHERE status IN (allowed predecessors)`), so an
//! illegal or racing change affects no row.

mod status;

pub use status::OrderStatus;

use model::catalog::Money;
use model::orders::{OrderGroupView, OrderLineView, OrderSummaryView, SellerOrderView, TimelineEntry};
use sqlx::{AnyConnection, Row};

use crate::clock::now_ms;
use crate::ids::next_id;
use crate::payments::PaymentGateway;
use crate::{inventory, mail, Db};

/// How long placed orders hold their stock while the shopper pays.
pub const HOLD_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    NotAllowed(String),
    #[error("the refund failed: {0}")]
    Refund(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Who is looking at an order: its account, a guest with the link's token, or an admin.
#[derive(Debug, Clone)]
pub enum Viewer {
    User(i64),
    Token(String),
    Admin,
}

/// Moves one seller order to `to` if the state machine allows it from the status it has now; records the
/// timeline entry. Returns whether it moved.
pub async fn transition(
    conn: &mut AnyConnection,
    order_id: i64,
    to: OrderStatus,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let allowed = OrderStatus::ALL
        .iter()
        .filter(|s| s.can_become(to))
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    if allowed.is_empty() {
        return Ok(false);
    }
    let now = now_ms();
    // `allowed` is built from our own enum's spellings, never from input.
    let sql = format!("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status IN ({allowed})");
    let moved = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(now)
        .bind(order_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if moved {
        sqlx::query("INSERT INTO order_events (id, order_id, status, note, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(next_id())
            .bind(order_id)
            .bind(to.as_str())
            .bind(note)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(moved)
}

async fn order_ids(conn: &mut AnyConnection, group_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM orders WHERE group_id = $1 ORDER BY number")
        .bind(group_id)
        .fetch_all(&mut *conn)
        .await
}

async fn enqueue_reindex(conn: &mut AnyConnection, group_id: i64) -> Result<(), sqlx::Error> {
    for product in inventory::products_of(conn, group_id).await? {
        crate::search::enqueue(conn, product).await?;
    }
    Ok(())
}

/// The payment arrived: the group and its orders are paid, the bought lines leave the cart, the confirmation is
/// queued (once: its dedupe key is the group), and search learns the new stock.
pub(crate) async fn mark_group_paid(conn: &mut AnyConnection, group_id: i64) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "UPDATE order_groups SET status = 'paid', updated_at = $1 \
         WHERE id = $2 AND status IN ('pending_payment', 'expired', 'payment_failed')",
    )
    .bind(now)
    .bind(group_id)
    .execute(&mut *conn)
    .await?;
    for order in order_ids(conn, group_id).await? {
        transition(conn, order, OrderStatus::Paid, "Payment received").await?;
    }
    sqlx::query(
        "DELETE FROM cart_lines WHERE cart_id = (SELECT cart_id FROM order_groups WHERE id = $1) \
         AND variant_id IN (SELECT l.variant_id FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.group_id = $1)",
    )
    .bind(group_id)
    .execute(&mut *conn)
    .await?;
    let confirmation = confirmation_mail(conn, group_id).await?;
    mail::enqueue(conn, &format!("order-confirmation:{group_id}"), &confirmation).await?;
    enqueue_reindex(conn, group_id).await
}

/// An unpaid group ends (payment failed or cancelled, hold expired): its stock goes back on sale.
pub(crate) async fn end_unpaid_group(
    conn: &mut AnyConnection,
    group_id: i64,
    to: OrderStatus,
    note: &str,
) -> Result<(), sqlx::Error> {
    let group_status = match to {
        OrderStatus::Expired => "expired",
        OrderStatus::PaymentFailed => "payment_failed",
        _ => "cancelled",
    };
    sqlx::query(
        "UPDATE order_groups SET status = $1, updated_at = $2 \
         WHERE id = $3 AND status IN ('pending_payment', 'expired', 'payment_failed')",
    )
    .bind(group_status)
    .bind(now_ms())
    .bind(group_id)
    .execute(&mut *conn)
    .await?;
    inventory::release(conn, group_id).await?;
    // The promo code's use goes back too (a late payment that re-takes the stock keeps its discount).
    crate::promo::release(conn, group_id).await?;
    for order in order_ids(conn, group_id).await? {
        transition(conn, order, to, note).await?;
    }
    enqueue_reindex(conn, group_id).await
}

/// The provider reports refunds of a paid group beyond those we made (from its dashboard, say). A full refund
/// ends every order that can still become refunded; what had not shipped goes back on sale. A partial one is
/// noted on the timelines (which seller's order it was for is not known). The shopper gets an email.
pub(crate) async fn refunded_elsewhere(
    conn: &mut AnyConnection,
    group_id: i64,
    total: i64,
    full: bool,
) -> Result<(), sqlx::Error> {
    let recorded: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(refunded), 0) AS BIGINT) FROM orders WHERE group_id = $1")
            .bind(group_id)
            .fetch_one(&mut *conn)
            .await?;
    if total <= recorded {
        return Ok(()); // our own refunds, recorded when made
    }
    let (email, currency): (String, String) = sqlx::query_as("SELECT email, currency FROM order_groups WHERE id = $1")
        .bind(group_id)
        .fetch_one(&mut *conn)
        .await?;
    let amount = money(total - recorded, &currency).display();
    let orders: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, status FROM orders WHERE group_id = $1 ORDER BY number")
            .bind(group_id)
            .fetch_all(&mut *conn)
            .await?;
    for (order_id, status) in orders {
        if full {
            if transition(
                conn,
                order_id,
                OrderStatus::Refunded,
                "Refunded in full through the payment provider",
            )
            .await?
            {
                if status == OrderStatus::Paid.as_str() {
                    inventory::restock(conn, group_id, order_id).await?;
                }
                sqlx::query("UPDATE orders SET refunded = total, updated_at = $1 WHERE id = $2")
                    .bind(now_ms())
                    .bind(order_id)
                    .execute(&mut *conn)
                    .await?;
            }
        } else if status != OrderStatus::Cancelled.as_str() {
            sqlx::query(
                "INSERT INTO order_events (id, order_id, status, note, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(next_id())
            .bind(order_id)
            .bind(&status)
            .bind(format!("A refund of {amount} was made through the payment provider"))
            .bind(now_ms())
            .execute(&mut *conn)
            .await?;
        }
    }
    let number: String = sqlx::query_scalar("SELECT number FROM order_groups WHERE id = $1")
        .bind(group_id)
        .fetch_one(&mut *conn)
        .await?;
    mail::enqueue(
        conn,
        &format!("order-refunded:{group_id}:{total}"),
        &mail::Mail {
            to: email,
            subject: format!("A refund for your Bazaar order {number}"),
            body: format!("{amount} of your order {number} has been refunded to your card.\n"),
        },
    )
    .await?;
    enqueue_reindex(conn, group_id).await
}

/// Holds the group's lines again (a payment that arrived after the hold ran out). All or nothing, inside a
/// savepoint: returns false, changing nothing, when any line is no longer in stock.
pub(crate) async fn reserve_again(conn: &mut AnyConnection, group_id: i64) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    let lines: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT l.order_id, l.variant_id, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE o.group_id = $1 ORDER BY l.variant_id",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut savepoint = conn.begin().await?;
    let until = now_ms() + HOLD_MS;
    for (order_id, variant_id, quantity) in lines {
        if inventory::reserve(&mut savepoint, group_id, order_id, variant_id, quantity, until)
            .await?
            .is_err()
        {
            savepoint.rollback().await?;
            return Ok(false);
        }
    }
    savepoint.commit().await?;
    Ok(true)
}

/// Ends the groups whose hold ran out before payment; returns how many.
pub async fn expire_unpaid(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM order_groups WHERE status = 'pending_payment' AND reserved_until < $1 ORDER BY reserved_until LIMIT 100",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut ended = 0;
    for group_id in due {
        let mut tx = db.begin_write().await?;
        // Re-checked inside the transaction: a payment may have landed since the SELECT.
        let still: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM order_groups WHERE id = $1 AND status = 'pending_payment' AND reserved_until < $2",
        )
        .bind(group_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if still.is_some() {
            end_unpaid_group(&mut tx, group_id, OrderStatus::Expired, "Not paid within 15 minutes").await?;
            ended += 1;
        }
        tx.commit().await?;
    }
    Ok(ended)
}

fn money(amount: i64, currency: &str) -> Money {
    Money::new(amount, currency)
}

/// The confirmation email's text.
async fn confirmation_mail(conn: &mut AnyConnection, group_id: i64) -> Result<mail::Mail, sqlx::Error> {
    #[allow(clippy::type_complexity)] // one row, read once
    let (number, email, currency, total, token, user_id, discount, code): (
        String,
        String,
        String,
        i64,
        String,
        Option<i64>,
        i64,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT number, email, currency, grand_total, view_token, user_id, discount_total, promo_code \
             FROM order_groups WHERE id = $1",
    )
    .bind(group_id)
    .fetch_one(&mut *conn)
    .await?;
    let lines: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT o.number, l.title, l.variant, l.quantity, l.unit_price FROM order_lines l \
         JOIN orders o ON o.id = l.order_id WHERE o.group_id = $1 ORDER BY o.number, l.title",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut body = format!("Thank you for your order {number}.\n\n");
    for (order, title, variant, quantity, unit) in lines {
        let variant = if variant.is_empty() {
            String::new()
        } else {
            format!(" ({variant})")
        };
        body.push_str(&format!(
            "{order}  {quantity} × {title}{variant}  {}\n",
            money(unit * quantity, &currency).display()
        ));
    }
    if discount > 0 {
        body.push_str(&format!(
            "Promo code {}: -{}\n",
            code.unwrap_or_default(),
            money(discount, &currency).display()
        ));
    }
    body.push_str(&format!("\nTotal paid: {}\n\n", money(total, &currency).display()));
    // Guests follow the link with its token; account holders find the order in their history.
    let link = if user_id.is_some() {
        format!("/orders/{number}")
    } else {
        format!("/orders/{number}?token={token}")
    };
    body.push_str(&format!("View your order: {link}\n"));
    Ok(mail::Mail {
        to: email,
        subject: format!("Your Bazaar order {number} is confirmed"),
        body,
    })
}

/// The group with its orders, lines and timelines, if `viewer` may see it.
pub async fn group_view(db: &Db, number: &str, viewer: &Viewer) -> Result<OrderGroupView, OrderError> {
    let row = sqlx::query(
        "SELECT id, number, created_at, status, email, ship_name, ship_line1, ship_line2, ship_city, ship_postal, \
         ship_country, currency, items_total, shipping_total, tax_total, tax_inclusive, grand_total, user_id, view_token, \
         discount_total, promo_code FROM order_groups WHERE number = $1",
    )
    .bind(number)
    .fetch_optional(db.pool())
    .await?
    .ok_or(OrderError::NotFound)?;
    let owner: Option<i64> = row.try_get(17)?;
    let token: String = row.try_get(18)?;
    let allowed = match viewer {
        Viewer::Admin => true,
        Viewer::User(id) => owner == Some(*id),
        Viewer::Token(t) => !t.is_empty() && constant_time_eq(t.as_bytes(), token.as_bytes()),
    };
    if !allowed {
        // The same answer as for a number that does not exist: order numbers are not a way to probe.
        return Err(OrderError::NotFound);
    }
    let group_id: i64 = row.try_get(0)?;
    let currency: String = row.try_get(11)?;
    let status: String = row.try_get(3)?;
    let orders = seller_orders(db, group_id, &currency).await?;
    let status_label = group_status_label(&status, &orders);
    let line2: String = row.try_get(7)?;
    let country: String = row.try_get(10)?;
    let mut address = vec![row.try_get::<String, _>(5)?, row.try_get::<String, _>(6)?];
    if !line2.is_empty() {
        address.push(line2);
    }
    address.push(format!(
        "{} {}",
        row.try_get::<String, _>(9)?,
        row.try_get::<String, _>(8)?
    ));
    address.push(model::orders::country_name(&country).to_string());
    Ok(OrderGroupView {
        number: row.try_get(1)?,
        placed_at: row.try_get(2)?,
        status,
        status_label,
        email: row.try_get(4)?,
        address,
        items_total: money(row.try_get(12)?, &currency),
        shipping_total: money(row.try_get(13)?, &currency),
        discount_total: money(row.try_get(19)?, &currency),
        promo_code: row.try_get(20)?,
        tax_total: money(row.try_get(14)?, &currency),
        tax_inclusive: row.try_get::<i64, _>(15)? == 1,
        grand_total: money(row.try_get(16)?, &currency),
        orders,
    })
}

/// The group's status in words; a group whose sellers are at different stages says so.
fn group_status_label(status: &str, orders: &[SellerOrderView]) -> String {
    if status != "paid" {
        return OrderStatus::parse(status)
            .map_or("Cancelled", OrderStatus::label)
            .to_string();
    }
    let shipped = orders
        .iter()
        .filter(|o| o.status == "shipped" || o.status == "delivered")
        .count();
    if shipped > 0 && shipped < orders.len() {
        return "Partially shipped".to_string();
    }
    let first = orders.first().map(|o| o.status_label.clone()).unwrap_or_default();
    if orders.iter().all(|o| o.status_label == first) {
        first
    } else {
        "In progress".to_string()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn seller_orders(db: &Db, group_id: i64, currency: &str) -> Result<Vec<SellerOrderView>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT o.id, o.number, s.store_name, s.slug, o.status, o.shipping_name, o.shipping_amount, o.tax_amount, \
         o.total, o.refunded, o.carrier, o.tracking_number, o.discount FROM orders o JOIN sellers s ON s.id = o.seller_id \
         WHERE o.group_id = $1 ORDER BY o.number",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let order_id: i64 = row.try_get(0)?;
        let status: String = row.try_get(4)?;
        let parsed = OrderStatus::parse(&status);
        let lines: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT title, variant, sku, quantity, unit_price FROM order_lines WHERE order_id = $1 ORDER BY title",
        )
        .bind(order_id)
        .fetch_all(db.pool())
        .await?;
        let events: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT created_at, status, note FROM order_events WHERE order_id = $1 ORDER BY created_at, id",
        )
        .bind(order_id)
        .fetch_all(db.pool())
        .await?;
        out.push(SellerOrderView {
            number: row.try_get(1)?,
            seller_name: row.try_get(2)?,
            seller_url: format!("/store/{}", row.try_get::<String, _>(3)?),
            status_label: parsed.map_or_else(|| status.clone(), |s| s.label().to_string()),
            cancellable: parsed.is_some_and(OrderStatus::cancellable),
            status,
            lines: lines
                .into_iter()
                .map(|(title, variant, sku, quantity, unit)| OrderLineView {
                    title,
                    variant,
                    sku,
                    quantity,
                    unit_price: money(unit, currency),
                    line_total: money(unit * quantity, currency),
                })
                .collect(),
            shipping_name: row.try_get(5)?,
            shipping: money(row.try_get(6)?, currency),
            discount: money(row.try_get(12)?, currency),
            tax: money(row.try_get(7)?, currency),
            total: money(row.try_get(8)?, currency),
            refunded: money(row.try_get(9)?, currency),
            carrier: row.try_get(10)?,
            tracking_number: row.try_get(11)?,
            timeline: events
                .into_iter()
                .map(|(at, status, note)| TimelineEntry {
                    at,
                    label: OrderStatus::parse(&status).map_or(status, |s| s.label().to_string()),
                    note,
                })
                .collect(),
        });
    }
    Ok(out)
}

/// An account's orders, newest first (groups that never got past payment are left out).
pub async fn history(db: &Db, user_id: i64) -> Result<Vec<OrderSummaryView>, sqlx::Error> {
    let rows: Vec<(i64, String, i64, String, String, i64)> = sqlx::query_as(
        "SELECT id, number, created_at, status, currency, grand_total FROM order_groups \
         WHERE user_id = $1 AND status IN ('paid', 'cancelled') ORDER BY created_at DESC, id DESC LIMIT 200",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for (id, number, placed_at, status, currency, total) in rows {
        let orders = seller_orders(db, id, &currency).await?;
        out.push(OrderSummaryView {
            number,
            placed_at,
            status_label: group_status_label(&status, &orders),
            grand_total: money(total, &currency),
            seller_orders: orders.len() as i64,
            items: orders.iter().flat_map(|o| &o.lines).map(|l| l.quantity).sum(),
        });
    }
    Ok(out)
}

/// The shopper cancels one seller order that has not shipped: it is refunded through the gateway (idempotency key
/// from the order id, so a retry never refunds twice), its stock goes back on sale, and an email says so.
pub async fn cancel(
    db: &Db,
    gateway: &dyn PaymentGateway,
    group_number: &str,
    order_number: &str,
    viewer: &Viewer,
) -> Result<(), OrderError> {
    let group = group_view(db, group_number, viewer).await?;
    let order = group
        .orders
        .iter()
        .find(|o| o.number == order_number)
        .ok_or(OrderError::NotFound)?;
    if !OrderStatus::parse(&order.status).is_some_and(OrderStatus::cancellable) {
        return Err(OrderError::NotAllowed(format!(
            "Order {} cannot be cancelled any more: it is {}.",
            order.number,
            order.status_label.to_lowercase()
        )));
    }
    let (order_id, group_id, total, refunded): (i64, i64, i64, i64) =
        sqlx::query_as("SELECT id, group_id, total, refunded FROM orders WHERE number = $1")
            .bind(order_number)
            .fetch_one(db.pool())
            .await?;
    let (payment_id, provider_ref): (i64, String) = sqlx::query_as(
        "SELECT id, provider_ref FROM payments WHERE group_id = $1 AND status IN ('succeeded', 'partially_refunded') \
         ORDER BY created_at DESC",
    )
    .bind(group_id)
    .fetch_one(db.pool())
    .await?;
    let amount = total - refunded;
    if amount > 0 {
        gateway
            .refund(&provider_ref, amount, &format!("refund-order-{order_id}"))
            .await
            .map_err(|e| OrderError::Refund(e.to_string()))?;
    }
    let mut tx = db.begin_write().await?;
    if transition(
        &mut tx,
        order_id,
        OrderStatus::Cancelled,
        "Cancelled by the shopper; refunded in full",
    )
    .await?
    {
        inventory::restock(&mut tx, group_id, order_id).await?;
    } else {
        // Shipped in the meantime: the refund above was real, so it is recorded below, but nothing is restocked.
        tracing::warn!(order_id, "order changed while it was being cancelled");
    }
    sqlx::query("UPDATE orders SET refunded = total, updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE payments SET refunded = refunded + $1, \
         status = CASE WHEN refunded + $1 >= amount THEN 'refunded' ELSE 'partially_refunded' END, updated_at = $2 \
         WHERE id = $3",
    )
    .bind(amount)
    .bind(now_ms())
    .bind(payment_id)
    .execute(&mut *tx)
    .await?;
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE group_id = $1 AND status <> 'cancelled'")
        .bind(group_id)
        .fetch_one(&mut *tx)
        .await?;
    if open == 0 {
        sqlx::query("UPDATE order_groups SET status = 'cancelled', updated_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
    }
    mail::enqueue(
        &mut tx,
        &format!("order-cancelled:{order_id}"),
        &mail::Mail {
            to: group.email.clone(),
            subject: format!("Your Bazaar order {} is cancelled", order.number),
            body: format!(
                "Order {} from {} is cancelled and {} is on its way back to your card.\n",
                order.number,
                order.seller_name,
                money(amount, &group.grand_total.currency).display()
            ),
        },
    )
    .await?;
    enqueue_reindex(&mut tx, group_id).await?;
    tx.commit().await?;
    Ok(())
}

/// A seller marks their order shipped with carrier and tracking number. Only the seller's own orders.
pub async fn mark_shipped(
    db: &Db,
    seller_id: i64,
    order_number: &str,
    carrier: &str,
    tracking_number: &str,
) -> Result<(), OrderError> {
    let carrier = carrier.trim();
    let tracking_number = tracking_number.trim();
    if carrier.is_empty() || tracking_number.is_empty() || carrier.len() > 60 || tracking_number.len() > 60 {
        return Err(OrderError::NotAllowed(
            "Enter the carrier and the tracking number (up to 60 characters each).".to_string(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let order_id: i64 = sqlx::query_scalar("SELECT id FROM orders WHERE number = $1 AND seller_id = $2")
        .bind(order_number)
        .bind(seller_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(OrderError::NotFound)?;
    let note = format!("{carrier} {tracking_number}");
    if !transition(&mut tx, order_id, OrderStatus::Shipped, &note).await? {
        return Err(OrderError::NotAllowed(
            "Only a paid order can be marked shipped.".to_string(),
        ));
    }
    sqlx::query("UPDATE orders SET carrier = $1, tracking_number = $2 WHERE id = $3")
        .bind(carrier)
        .bind(tracking_number)
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
