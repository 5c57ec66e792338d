//! The admins' orders (`/admin/orders`): every checkout, newest first by keyset, filtered by state, days placed,
//! store, customer and amount; a checkout's page with what its shopper sees plus its payments, refunds and the
//! admins' internal notes (append-only: a trigger refuses UPDATE and DELETE on both databases).

use std::collections::HashMap;

use model::admin_orders::{
    AdminStoreOrder, CheckoutDetail, CheckoutList, CheckoutRow, CheckoutState, OrderNote, OrderSearch, PaymentRecord,
    RefundRecord, NOTE_MAX_CHARS,
};
use model::catalog::Money;
use model::FieldError;
use sqlx::AnyConnection;

use super::query::{cut_page, Filters};
use super::{require_admin, AdminError};
use crate::catalog::editor::parse_money;
use crate::orders::portal::TO_SHIP;
use crate::orders::refunds::money_can_go_back;
use crate::orders::views::{checkout_label, group_for_admin, status_label};
use crate::orders::{plausible_number, OrderError, OrderStatus};
use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::ids::next_id;
use crate::platform::text::{cleaned, like_literal, lines};
use crate::platform::Actor;

const PAGE: usize = 50;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(sqlx::FromRow)]
struct CheckoutRecord {
    id: i64,
    number: String,
    created_at: i64,
    ship_name: String,
    email: String,
    currency: String,
    grand_total: i64,
    status: String,
    refunded: i64,
}

#[derive(sqlx::FromRow)]
struct StoreOrderRecord {
    group_id: i64,
    store_name: String,
    status: String,
    units_shipped: i64,
}

/// The condition on `g` (an `order_groups` row) a state filters by: our own SQL, never input.
fn state_condition(state: CheckoutState) -> String {
    let any_order =
        |condition: &str| format!("EXISTS (SELECT 1 FROM orders o WHERE o.group_id = g.id AND {condition})");
    match state {
        CheckoutState::AwaitingPayment => "g.status = 'pending_payment'".to_string(),
        CheckoutState::ToShip => any_order(TO_SHIP),
        CheckoutState::Shipped => any_order("o.status = 'shipped'"),
        CheckoutState::Delivered => any_order("o.status = 'delivered'"),
        // The payment's own figure: a refund of the whole payment (a late payment whose stock was gone) is on no
        // store's order.
        CheckoutState::Refunded => {
            "EXISTS (SELECT 1 FROM payments p WHERE p.group_id = g.id AND p.refunded > 0)".to_string()
        }
        CheckoutState::Cancelled => format!("(g.status = 'cancelled' OR {})", any_order("o.status = 'cancelled'")),
        CheckoutState::NotPaid => "g.status IN ('payment_failed', 'expired')".to_string(),
    }
}

/// The search's days and amounts as numbers: the first moment and the moment after the last day, the least and
/// the most in minor units; what does not read as one is told to the person who typed it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Bounds {
    from: Option<i64>,
    until: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
}

fn bounds(search: &OrderSearch) -> Result<Bounds, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut day = |field: &str, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = model::parse_date(text);
        if parsed.is_none() {
            errors.push(FieldError::new(
                field,
                "Type the day as YYYY-MM-DD, for example 2026-12-07.",
            ));
        }
        parsed
    };
    let from = day("from", &search.from);
    let until = day("to", &search.to).map(|d| d + DAY_MS);
    let mut amount = |field: &str, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = parse_money(text);
        if parsed.is_none() {
            errors.push(FieldError::new(
                field,
                "Type an amount like 25 or 25.50 (at most 1000000).",
            ));
        }
        parsed
    };
    let min = amount("min", &search.min);
    let max = amount("max", &search.max);
    if let (Some(from), Some(until)) = (from, until) {
        if until <= from {
            errors.push(FieldError::new("to", "The last day comes before the first."));
        }
    }
    if let (Some(min), Some(max)) = (min, max) {
        if max < min {
            errors.push(FieldError::new("max", "The most is less than the least."));
        }
    }
    if errors.is_empty() {
        Ok(Bounds { from, until, min, max })
    } else {
        Err(errors)
    }
}

/// Whether a search is an order number (the checkout's, `BZ-8H2KMPQR`, or a store's, `BZ-8H2KMPQR-1`, in any
/// case): the shop's prefix, then letters, digits and dashes. A name or an email address is not one.
fn looks_like_number(q: &str) -> bool {
    plausible_number(q) && q.to_ascii_uppercase().starts_with("BZ-")
}

/// The list's conditions for `search`, with its values bound.
fn conditions(search: &OrderSearch, bounds: &Bounds) -> Filters {
    let mut filters = Filters::default();
    let q = cleaned(&search.q, 100);
    let q = q.trim();
    if looks_like_number(q) {
        // An order number is matched whole, through the numbers' unique indexes (a word search reads every row).
        let n = filters.bind_text(q.to_uppercase());
        filters.push(format!(
            "g.id IN (SELECT n.id FROM order_groups n WHERE n.number = ${n} \
             UNION SELECT o.group_id FROM orders o WHERE o.number = ${n})"
        ));
    } else if !q.is_empty() {
        let n = filters.bind_text(format!("%{}%", like_literal(&q.to_lowercase())));
        filters.push(format!(
            "(LOWER(g.ship_name) LIKE ${n} ESCAPE '\\' OR g.email LIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(state) = search.state {
        filters.push(state_condition(state));
    }
    let store = cleaned(&search.store, 100);
    let store = store.trim();
    if !store.is_empty() {
        let n = filters.bind_text(format!("%{}%", like_literal(&store.to_lowercase())));
        filters.push(format!(
            "EXISTS (SELECT 1 FROM orders o JOIN sellers s ON s.id = o.seller_id WHERE o.group_id = g.id \
             AND LOWER(s.store_name) LIKE ${n} ESCAPE '\\')"
        ));
    }
    for (bound, condition) in [
        (bounds.from, "g.created_at >="),
        (bounds.until, "g.created_at <"),
        (bounds.min, "g.grand_total >="),
        (bounds.max, "g.grand_total <="),
    ] {
        if let Some(value) = bound {
            let n = filters.bind_int(value);
            filters.push(format!("{condition} ${n}"));
        }
    }
    filters
}

/// A page of checkouts matching `search`, newest first, older than the `after` cursor (`created_at.id` of the
/// last row seen). Two queries.
pub async fn list(db: &Db, actor: &Actor, search: &OrderSearch, after: &str) -> Result<CheckoutList, AdminError> {
    require_admin(actor)?;
    let bounds = bounds(search).map_err(AdminError::Invalid)?;
    let mut filters = conditions(search, &bounds);
    let cursor = after
        .split_once('.')
        .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id.parse::<i64>().ok()?)));
    if let Some((at, id)) = cursor {
        let (a, b) = (filters.bind_int(at), filters.bind_int(id));
        // A row value, so PostgreSQL reads on from the cursor in the index instead of filtering every row before it.
        filters.push(format!("(g.created_at, g.id) < (${a}, ${b})"));
    }
    let sql = format!(
        "SELECT g.id, g.number, g.created_at, g.ship_name, g.email, g.currency, g.grand_total, g.status, \
         (SELECT CAST(COALESCE(SUM(p.refunded), 0) AS BIGINT) FROM payments p WHERE p.group_id = g.id) AS refunded \
         FROM order_groups g{} ORDER BY g.created_at DESC, g.id DESC LIMIT {}",
        filters.where_clause(),
        PAGE + 1
    );
    let mut conn = db.pool().acquire().await?;
    let mut rows: Vec<CheckoutRecord> = filters.fetch_all(&sql, &mut conn).await?;
    let next = cut_page(&mut rows, PAGE, |r| format!("{}.{}", r.created_at, r.id));
    let mut stores = store_orders(&mut conn, &rows).await?;
    Ok(CheckoutList {
        rows: rows
            .into_iter()
            .map(|r| {
                let orders = stores.remove(&r.id).unwrap_or_default();
                row_view(r, orders)
            })
            .collect(),
        next,
    })
}

/// The stores' orders of the checkouts `rows`, by checkout.
async fn store_orders(
    conn: &mut AnyConnection,
    rows: &[CheckoutRecord],
) -> Result<HashMap<i64, Vec<StoreOrderRecord>>, sqlx::Error> {
    let mut by_group: HashMap<i64, Vec<StoreOrderRecord>> = HashMap::new();
    if rows.is_empty() {
        return Ok(by_group);
    }
    // Ids read from the database a moment ago, never input.
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    let orders: Vec<StoreOrderRecord> = sqlx::query_as(&format!(
        "SELECT o.group_id, s.store_name, o.status, o.units_shipped FROM orders o \
         JOIN sellers s ON s.id = o.seller_id WHERE o.group_id IN ({}) ORDER BY o.number",
        ids.join(", ")
    ))
    .fetch_all(&mut *conn)
    .await?;
    for order in orders {
        by_group.entry(order.group_id).or_default().push(order);
    }
    Ok(by_group)
}

fn row_view(r: CheckoutRecord, orders: Vec<StoreOrderRecord>) -> CheckoutRow {
    let labels: Vec<String> = orders
        .iter()
        .map(|o| status_label(OrderStatus::parse(&o.status), o.units_shipped, &o.status))
        .collect();
    let states: Vec<(&str, &str)> = orders
        .iter()
        .zip(&labels)
        .map(|(o, l)| (o.status.as_str(), l.as_str()))
        .collect();
    let status_label = checkout_label(&r.status, &states);
    CheckoutRow {
        number: r.number,
        placed_at: r.created_at,
        customer: r.ship_name,
        email: r.email,
        stores: orders.into_iter().map(|o| o.store_name).collect(),
        total: Money::new(r.grand_total, r.currency.as_str()),
        refunded: Money::new(r.refunded, r.currency.as_str()),
        status_label,
    }
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    provider: String,
    provider_ref: String,
    amount: i64,
    currency: String,
    status: String,
    refunded: i64,
    failure: String,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct RefundRow {
    amount: i64,
    currency: String,
    order_number: Option<String>,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct NoteRow {
    author_name: String,
    body: String,
    created_at: i64,
}

/// Checkout `number`'s admin page.
pub async fn detail(db: &Db, actor: &Actor, number: &str) -> Result<CheckoutDetail, AdminError> {
    require_admin(actor)?;
    let number = number.trim().to_ascii_uppercase();
    if !plausible_number(&number) {
        return Err(AdminError::NotFound);
    }
    let (order, group_id, customer_id) = group_for_admin(db, &number)
        .await
        .map_err(from_order_error)?
        .ok_or(AdminError::NotFound)?;
    let mut conn = db.pool().acquire().await?;
    let customer_name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?;
    let payments: Vec<PaymentRow> = sqlx::query_as(
        "SELECT provider, provider_ref, amount, currency, status, refunded, failure, created_at FROM payments \
         WHERE group_id = $1 ORDER BY created_at, id",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await?;
    let refunds: Vec<RefundRow> = sqlx::query_as(
        "SELECT r.amount, p.currency, o.number AS order_number, r.created_at FROM refunds r \
         JOIN payments p ON p.id = r.payment_id LEFT JOIN orders o ON o.id = r.order_id \
         WHERE p.group_id = $1 ORDER BY r.created_at, r.idempotency_key",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await?;
    let messages: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM order_messages m JOIN orders o ON o.id = m.order_id WHERE o.group_id = $1",
    )
    .bind(group_id)
    .fetch_one(&mut *conn)
    .await?;
    let notes: Vec<NoteRow> =
        sqlx::query_as("SELECT author_name, body, created_at FROM order_notes WHERE group_id = $1 ORDER BY id")
            .bind(group_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(CheckoutDetail {
        customer_id: customer_name.as_ref().and(customer_id),
        customer_name: customer_name.unwrap_or_default(),
        payments: payments.into_iter().map(payment_view).collect(),
        refunds: refunds
            .into_iter()
            .map(|r| RefundRecord {
                amount: Money::new(r.amount, r.currency.as_str()),
                order_number: r.order_number,
                at: r.created_at,
            })
            .collect(),
        refundable: order
            .orders
            .iter()
            .filter(|o| OrderStatus::parse(&o.status).is_some_and(money_can_go_back))
            .map(|o| o.number.clone())
            .collect(),
        messages,
        notes: notes
            .into_iter()
            .map(|n| OrderNote {
                author: n.author_name,
                body: n.body,
                at: n.created_at,
            })
            .collect(),
        order,
    })
}

/// Store order `number` as its refund page shows it to an admin: its lines with what can still be cancelled or
/// refunded, and whether a large refund will ask for the password (`confirmed_at`: when the admin last gave it;
/// `confirm_above`: the amount, in the order's minor units, above which it asks).
pub async fn store_order(
    db: &Db,
    actor: &Actor,
    number: &str,
    confirmed_at: Option<i64>,
    confirm_above: i64,
) -> Result<AdminStoreOrder, AdminError> {
    require_admin(actor)?;
    let number = number.trim().to_ascii_uppercase();
    let order = crate::orders::portal::detail(db, actor, &number)
        .await
        .map_err(from_order_error)?;
    let checkout: String = sqlx::query_scalar(
        "SELECT g.number FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AdminError::NotFound)?;
    Ok(AdminStoreOrder {
        checkout,
        confirm_above: Money::new(confirm_above, order.total.currency.as_str()),
        needs_password: !crate::accounts::step_up::is_recent(confirmed_at),
        order,
    })
}

fn payment_view(p: PaymentRow) -> PaymentRecord {
    PaymentRecord {
        provider: p.provider,
        reference: p.provider_ref,
        amount: Money::new(p.amount, p.currency.as_str()),
        refunded: Money::new(p.refunded, p.currency.as_str()),
        status: p.status,
        failure: cleaned(&p.failure, 300),
        at: p.created_at,
    }
}

/// Adds an internal note to checkout `number`, written by `actor`. Notes are never changed or removed.
pub async fn add_note(db: &Db, actor: &Actor, number: &str, typed: &str) -> Result<(), AdminError> {
    require_admin(actor)?;
    let number = number.trim().to_ascii_uppercase();
    if !plausible_number(&number) {
        return Err(AdminError::NotFound);
    }
    let body =
        lines(typed, NOTE_MAX_CHARS).map_err(|p| AdminError::Invalid(vec![FieldError::new("note", p.message())]))?;
    if body.is_empty() {
        return Err(AdminError::Invalid(vec![FieldError::new(
            "note",
            "Write the note first.",
        )]));
    }
    let written = sqlx::query(
        "INSERT INTO order_notes (id, group_id, author_id, author_name, body, created_at) \
         SELECT $1, g.id, $2, COALESCE((SELECT name FROM users WHERE id = $2), 'An admin'), $3, $4 \
         FROM order_groups g WHERE g.number = $5",
    )
    .bind(next_id())
    .bind(actor.user_id())
    .bind(&body)
    .bind(now_ms())
    .bind(&number)
    .execute(db.pool())
    .await?;
    if written.rows_affected() == 0 {
        return Err(AdminError::NotFound);
    }
    Ok(())
}

fn from_order_error(err: OrderError) -> AdminError {
    match err {
        OrderError::Db(e) => AdminError::Db(e),
        _ => AdminError::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_amounts_are_read_or_told() {
        let search = OrderSearch {
            from: "2026-12-01".into(),
            to: "2026-12-01".into(),
            min: "10".into(),
            max: "10.5".into(),
            ..OrderSearch::default()
        };
        let read = bounds(&search).expect("valid");
        assert_eq!(read.until.zip(read.from).map(|(u, f)| u - f), Some(DAY_MS));
        assert_eq!((read.min, read.max), (Some(1000), Some(1050)));
        let wrong = OrderSearch {
            from: "yesterday".into(),
            to: "".into(),
            min: "ten".into(),
            max: "-3".into(),
            ..OrderSearch::default()
        };
        let fields: Vec<String> = bounds(&wrong)
            .expect_err("wrong")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["from", "min", "max"]);
        let reversed = OrderSearch {
            from: "2026-12-02".into(),
            to: "2026-12-01".into(),
            min: "20".into(),
            max: "10".into(),
            ..OrderSearch::default()
        };
        let fields: Vec<String> = bounds(&reversed)
            .expect_err("reversed")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["to", "max"]);
    }
}
