//! Changes to orders' own tables, each taking the caller's connection (a workflow's transaction).

use sqlx::AnyConnection;

use super::{GroupStatus, OrderStatus};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::Db;

/// The statuses `which` picks, as an SQL list of their spellings (`'paid', 'shipped'`).
fn spelled(which: impl Fn(OrderStatus) -> bool) -> String {
    OrderStatus::ALL
        .into_iter()
        .filter(|s| which(*s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sets one seller order's status to `to` (or only its time, taking its row, without one) when `condition` (our
/// own SQL, built from our enum's spellings, never from input) holds for it; returns whether it did.
async fn set_where(
    conn: &mut AnyConnection,
    order_id: i64,
    to: Option<OrderStatus>,
    condition: &str,
) -> Result<bool, sqlx::Error> {
    let sql = format!("UPDATE orders SET status = COALESCE($1, status), updated_at = $2 WHERE id = $3 AND {condition}");
    Ok(sqlx::query(&sql)
        .bind(to.map(OrderStatus::as_str))
        .bind(now_ms())
        .bind(order_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1)
}

/// Moves one seller order to `to` if the state machine allows it from the status it has now; records the
/// timeline entry. Returns whether it moved.
pub async fn transition(
    conn: &mut AnyConnection,
    order_id: i64,
    to: OrderStatus,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let allowed = spelled(|s| s.can_become(to));
    if allowed.is_empty() {
        return Ok(false);
    }
    let moved = set_where(conn, order_id, Some(to), &format!("status IN ({allowed})")).await?;
    if moved {
        note_on_timeline(conn, order_id, to, note).await?;
        // The order's money leaves pending after its delivery and the holding days, or at once when it ended.
        match to {
            OrderStatus::Delivered => crate::money::policy::release_order(conn, order_id, true).await?,
            OrderStatus::Cancelled => {
                crate::money::policy::release_order(conn, order_id, false).await?;
                crate::money::rollups::add_cancelled(conn, order_id).await?
            }
            OrderStatus::Refunded => crate::money::policy::release_order(conn, order_id, false).await?,
            _ => {}
        }
    }
    Ok(moved)
}

/// Ends a seller order refunded in full whatever has shipped of it: the units not shipped are cancelled, so none
/// of them can ship any more.
pub async fn end_refunded(conn: &mut AnyConnection, order_id: i64, note: &str) -> Result<bool, sqlx::Error> {
    sqlx::query("UPDATE order_lines SET cancelled = quantity - shipped, refunded = quantity WHERE order_id = $1")
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    transition(conn, order_id, OrderStatus::Refunded, note).await
}

/// Takes a seller order's row for the caller's transaction (its lines are changed after it) if its status is one of
/// `allowed`; returns whether it did.
pub async fn hold_if(conn: &mut AnyConnection, order_id: i64, allowed: &[OrderStatus]) -> Result<bool, sqlx::Error> {
    let allowed = spelled(|s| allowed.contains(&s));
    set_where(conn, order_id, None, &format!("status IN ({allowed})")).await
}

/// Takes a seller order's row for the caller's transaction, whatever its status: taken before its lines, refunds
/// and returns by every change to them, so two such changes lock in the same order. (A payment's row comes
/// before its orders' rows: the provider's events and a refund's completion take it first.)
pub async fn hold(conn: &mut AnyConnection, order_id: i64) -> Result<(), sqlx::Error> {
    set_where(conn, order_id, None, "1 = 1").await?;
    Ok(())
}

/// Units of a seller order that have shipped.
pub async fn units_shipped(conn: &mut AnyConnection, order_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT units_shipped FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await
}

/// Adds a timeline entry without changing the status.
pub async fn note_on_timeline(
    conn: &mut AnyConnection,
    order_id: i64,
    status: OrderStatus,
    note: &str,
) -> Result<(), sqlx::Error> {
    note_event(conn, order_id, status.as_str(), note).await
}

/// Adds a timeline entry of `kind`: a status's spelling, or an event that is no status (`status::EVENTS`).
pub(super) async fn note_event(
    conn: &mut AnyConnection,
    order_id: i64,
    kind: &str,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO order_events (id, order_id, status, note, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(next_id())
        .bind(order_id)
        .bind(kind)
        .bind(note)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The seller orders of a group with their status, store by store.
pub async fn orders_of(conn: &mut AnyConnection, group_id: i64) -> Result<Vec<(i64, OrderStatus)>, sqlx::Error> {
    // By store: writers that book each store's money take the stores' balance rows in this (ascending) order.
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, status FROM orders WHERE group_id = $1 ORDER BY seller_id, id")
            .bind(group_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, status)| Some((id, OrderStatus::parse(&status)?)))
        .collect())
}

/// The group's status now (`None`: no such group, or a spelling this build does not know).
pub async fn group_status(conn: &mut AnyConnection, group_id: i64) -> Result<Option<GroupStatus>, sqlx::Error> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM order_groups WHERE id = $1")
        .bind(group_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(status.as_deref().and_then(GroupStatus::parse))
}

/// Sets the group's status if it is one of `from`. Returns whether it changed.
async fn set_group_status(
    conn: &mut AnyConnection,
    group_id: i64,
    to: GroupStatus,
    from: &[GroupStatus],
) -> Result<bool, sqlx::Error> {
    let from = from
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    // `from` is built from our own enum's spellings, never from input.
    let sql = format!("UPDATE order_groups SET status = $1, updated_at = $2 WHERE id = $3 AND status IN ({from})");
    Ok(sqlx::query(&sql)
        .bind(to.as_str())
        .bind(now_ms())
        .bind(group_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1)
}

const UNPAID: [GroupStatus; 3] = [
    GroupStatus::PendingPayment,
    GroupStatus::Expired,
    GroupStatus::PaymentFailed,
];

/// How long a store that accepts its orders has to accept a paid one before the shop cancels it.
pub const ACCEPT_WITHIN_MS: i64 = 72 * 3_600_000;

/// The payment arrived: the group and its orders are paid, each order to ship by its store's handling days (and,
/// for a store that accepts its orders, to be accepted within [`ACCEPT_WITHIN_MS`]).
pub async fn mark_paid(conn: &mut AnyConnection, group_id: i64) -> Result<(), sqlx::Error> {
    set_group_status(conn, group_id, GroupStatus::Paid, &UNPAID).await?;
    let now = now_ms();
    let handling: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT o.id, s.handling_days, s.accept_orders FROM orders o JOIN sellers s ON s.id = o.seller_id \
         WHERE o.group_id = $1",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await?;
    for (order, days, accept) in handling {
        if transition(conn, order, OrderStatus::Paid, "Payment received").await? {
            sqlx::query("UPDATE orders SET ship_by = $1, accept_by = $2 WHERE id = $3")
                .bind(super::fulfilment::ship_by(now, days))
                .bind((accept == 1).then_some(now + ACCEPT_WITHIN_MS))
                .bind(order)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// An unpaid group ends (payment failed or cancelled, hold expired) with its orders.
pub async fn end_unpaid(
    conn: &mut AnyConnection,
    group_id: i64,
    to: OrderStatus,
    note: &str,
) -> Result<(), sqlx::Error> {
    set_group_status(conn, group_id, GroupStatus::ending(to), &UNPAID).await?;
    for (order, _) in orders_of(conn, group_id).await? {
        transition(conn, order, to, note).await?;
    }
    Ok(())
}

/// What of seller order `order_id`'s total has not been refunded.
pub async fn unrefunded(conn: &mut AnyConnection, order_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT total - refunded FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await
}

/// Records that a seller order's whole remaining total was refunded.
pub async fn record_refunded_in_full(conn: &mut AnyConnection, order_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET refunded = total, updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A paid group whose every seller order is cancelled is cancelled as a whole.
pub async fn close_group_if_all_cancelled(conn: &mut AnyConnection, group_id: i64) -> Result<(), sqlx::Error> {
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE group_id = $1 AND status <> $2")
        .bind(group_id)
        .bind(OrderStatus::Cancelled.as_str())
        .fetch_one(&mut *conn)
        .await?;
    if open == 0 {
        set_group_status(conn, group_id, GroupStatus::Cancelled, &[GroupStatus::Paid]).await?;
    }
    Ok(())
}

/// The sum our own refunds recorded on a group's orders.
pub async fn refunded_total(conn: &mut AnyConnection, group_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(refunded), 0) AS BIGINT) FROM orders WHERE group_id = $1")
        .bind(group_id)
        .fetch_one(&mut *conn)
        .await
}

/// One line of a group, for holding its stock again.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupLine {
    pub order_id: i64,
    pub variant_id: i64,
    pub quantity: i64,
}

/// Every line of a group, in variant order (the one lock order every checkout uses).
pub async fn lines_of(conn: &mut AnyConnection, group_id: i64) -> Result<Vec<GroupLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.order_id AS order_id, l.variant_id AS variant_id, l.quantity AS quantity FROM order_lines l \
         JOIN orders o ON o.id = l.order_id WHERE o.group_id = $1 ORDER BY l.variant_id",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await
}

/// The cart a group was placed from, if it still has one.
pub async fn cart_of(conn: &mut AnyConnection, group_id: i64) -> Result<Option<i64>, sqlx::Error> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT cart_id FROM order_groups WHERE id = $1")
            .bind(group_id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten(),
    )
}

/// The groups of a cart still waiting for payment, other than `except` (a checkout placed again from the same
/// cart, after a declined card say).
pub async fn pending_of_cart(conn: &mut AnyConnection, cart_id: i64, except: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM order_groups WHERE cart_id = $1 AND status = $2 AND id <> $3 ORDER BY id")
        .bind(cart_id)
        .bind(GroupStatus::PendingPayment.as_str())
        .bind(except)
        .fetch_all(&mut *conn)
        .await
}

/// Groups still waiting for payment whose hold ran out before `now`, oldest first (at most 100).
pub async fn due_for_expiry(db: &Db, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM order_groups WHERE status = $1 AND reserved_until < $2 ORDER BY reserved_until LIMIT 100",
    )
    .bind(GroupStatus::PendingPayment.as_str())
    .bind(now)
    .fetch_all(db.pool())
    .await
}

/// Re-checked inside the expiring transaction: a payment may have landed since [`due_for_expiry`].
pub async fn still_due(conn: &mut AnyConnection, group_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM order_groups WHERE id = $1 AND status = $2 AND reserved_until < $3")
            .bind(group_id)
            .bind(GroupStatus::PendingPayment.as_str())
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// A new order group, as the checkout's quote priced it.
#[derive(Debug, Clone)]
pub struct NewGroup<'a> {
    pub id: i64,
    pub number: &'a str,
    pub idempotency_key: &'a str,
    pub user_id: Option<i64>,
    pub cart_id: i64,
    pub email: &'a str,
    pub draft: &'a model::orders::CheckoutDraft,
    pub currency: &'a str,
    pub items_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub tax_inclusive: bool,
    pub grand_total: i64,
    pub discount_total: i64,
    pub promo_code: Option<&'a str>,
    pub view_token: &'a str,
    pub now: i64,
}

/// Inserts the group unless its idempotency key made one already; returns whether it inserted.
pub async fn insert_group(conn: &mut AnyConnection, g: &NewGroup<'_>) -> Result<bool, sqlx::Error> {
    let d = g.draft;
    Ok(sqlx::query(
        "INSERT INTO order_groups (id, number, idempotency_key, user_id, cart_id, email, ship_name, ship_line1, \
         ship_line2, ship_city, ship_postal, ship_country, currency, items_total, shipping_total, tax_total, \
         tax_inclusive, grand_total, status, reserved_until, view_token, created_at, updated_at, discount_total, \
         promo_code, ship_phone) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
         $20, $21, $22, $22, $23, $24, $25) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(g.id)
    .bind(g.number)
    .bind(g.idempotency_key)
    .bind(g.user_id)
    .bind(g.cart_id)
    .bind(g.email)
    .bind(d.name.trim())
    .bind(d.line1.trim())
    .bind(d.line2.trim())
    .bind(d.city.trim())
    .bind(d.postal.trim().to_uppercase())
    .bind(&d.country)
    .bind(g.currency)
    .bind(g.items_total)
    .bind(g.shipping_total)
    .bind(g.tax_total)
    .bind(i64::from(g.tax_inclusive))
    .bind(g.grand_total)
    .bind(GroupStatus::PendingPayment.as_str())
    .bind(g.now + super::HOLD_MS)
    .bind(g.view_token)
    .bind(g.now)
    .bind(g.discount_total)
    .bind(g.promo_code)
    .bind(d.phone.trim())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// One seller's order of a new group.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub id: i64,
    pub group_id: i64,
    pub seller_id: i64,
    pub number: String,
    pub shipping_name: &'a str,
    pub shipping_amount: i64,
    pub items_total: i64,
    pub tax_amount: i64,
    pub total: i64,
    pub discount: i64,
    pub now: i64,
}

/// Inserts a seller order awaiting payment, with its first timeline entry.
pub async fn insert_order(conn: &mut AnyConnection, o: &NewOrder<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO orders (id, group_id, seller_id, number, status, shipping_name, shipping_amount, items_total, \
         tax_amount, total, created_at, updated_at, discount) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
    )
    .bind(o.id)
    .bind(o.group_id)
    .bind(o.seller_id)
    .bind(&o.number)
    .bind(OrderStatus::PendingPayment.as_str())
    .bind(o.shipping_name)
    .bind(o.shipping_amount)
    .bind(o.items_total)
    .bind(o.tax_amount)
    .bind(o.total)
    .bind(o.now)
    .bind(o.discount)
    .execute(&mut *conn)
    .await?;
    note_on_timeline(conn, o.id, OrderStatus::PendingPayment, "Order placed").await
}

/// A line of a seller order at `unit_price`, the price the shopper was quoted (and is charged), its SKU copied
/// from the variant. Inserts nothing and answers false when the product is no longer on sale (unpublished, or its
/// store no longer active) or its price is no longer the quoted one: the order's lines always add up to what is
/// charged.
pub async fn insert_line(
    conn: &mut AnyConnection,
    order_id: i64,
    variant_id: i64,
    title: &str,
    variant_label: &str,
    quantity: i64,
    unit_price: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO order_lines (order_id, variant_id, product_id, title, variant, sku, quantity, unit_price) \
         SELECT $1, v.id, v.product_id, $2, $3, v.sku, $4, v.price FROM variants v \
         JOIN products p ON p.id = v.product_id JOIN sellers s ON s.id = p.seller_id \
         WHERE v.id = $5 AND v.price = $6 AND p.status = 'active' AND s.status = 'active'",
    )
    .bind(order_id)
    .bind(title)
    .bind(variant_label)
    .bind(quantity)
    .bind(variant_id)
    .bind(unit_price)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// The group an idempotency key made, as the checkout that made it resumes it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyedGroup {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub view_token: String,
    pub email: String,
    pub cart_id: Option<i64>,
    pub user_id: Option<i64>,
}

pub async fn by_idempotency_key(conn: &mut AnyConnection, key: &str) -> Result<Option<KeyedGroup>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, number, status, view_token, email, cart_id, user_id FROM order_groups WHERE idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
}
