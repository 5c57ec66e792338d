//! A store's orders as its seller reads them (`/seller/orders`): the list (tabs, search, keyset pages) and one
//! order with its lines, shipments and timeline. Only the acting seller's own store; never the shopper's email
//! (buyer privacy: the seller reaches the shopper through the order, not around it).

use model::catalog::Money;
use model::seller_orders::{
    OrderFilter, OrderTab, SellerLineView, SellerOrderDetail, SellerOrderPage, SellerOrderRow, ShippingRecord,
};
use sqlx::AnyConnection;

use super::views::{status_label, EventRow, ORDER_UNITS};
use super::{OrderError, OrderStatus};
use crate::platform::clock::now_ms;
use crate::platform::text::like_literal;
use crate::platform::{Actor, Db};

const PAGE: i64 = 50;

/// Orders with units left to ship (a paid order, also when part of it was refunded).
pub(crate) const TO_SHIP: &str = "o.status IN ('paid', 'partially_refunded') AND EXISTS (SELECT 1 FROM order_lines l \
     WHERE l.order_id = o.id AND l.shipped + l.cancelled < l.quantity)";

/// Orders that were paid at some time: a store has no business with the name and address of a checkout that was
/// never paid (cancelled or expired at the payment page).
const WAS_PAID: &str = "EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.status = 'paid')";

/// The condition on `o` a tab lists (our own SQL, never input).
fn tab_condition(tab: OrderTab) -> String {
    match tab {
        OrderTab::ToAccept => format!("{TO_SHIP} AND o.accept_by IS NOT NULL"),
        OrderTab::ToShip => TO_SHIP.to_string(),
        OrderTab::PartiallyShipped => format!("{TO_SHIP} AND o.units_shipped > 0"),
        OrderTab::Shipped => "o.status = 'shipped'".to_string(),
        OrderTab::Delivered => "o.status = 'delivered'".to_string(),
        OrderTab::Cancelled => format!("o.status = 'cancelled' AND {WAS_PAID}"),
        OrderTab::Refunded => "o.status IN ('refunded', 'partially_refunded')".to_string(),
        OrderTab::Returns => super::returns::TO_ACT_ON.to_string(),
        OrderTab::All => format!(
            "(o.status IN ('paid', 'shipped', 'delivered', 'refunded', 'partially_refunded') \
             OR (o.status = 'cancelled' AND {WAS_PAID}))"
        ),
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ListRow {
    id: i64,
    number: String,
    created_at: i64,
    ship_name: String,
    total: i64,
    currency: String,
    status: String,
    units_shipped: i64,
    ship_by: Option<i64>,
    accept_by: Option<i64>,
    units: i64,
}

const DAY_MS: i64 = 86_400_000;

/// A page of the actor's store's orders: the filter's tab, those whose number or shopper's name holds its
/// search, placed within its days, newest first, after the cursor `after` (`created_at.id` of the last row
/// seen). Three queries.
pub async fn page(db: &Db, actor: &Actor, filter: &OrderFilter, after: &str) -> Result<SellerOrderPage, OrderError> {
    let store = actor.own_store().map_err(|_| OrderError::NotFound)?;
    // A search box: what no name or number holds (control characters) is dropped, not refused.
    let q = crate::platform::text::cleaned(&filter.q, 100);
    let q = q.trim();
    // Date inputs send a day or nothing; a day that is not one (a hand-edited address) narrows nothing.
    let from = model::parse_date(&filter.from);
    let until = model::parse_date(&filter.to).map(|day| day + DAY_MS);
    let mut conn = db.pool().acquire().await?;
    let names = crate::sellers::portal::store_names(&mut conn, store)
        .await?
        .ok_or(OrderError::NotFound)?;
    let mut sql = format!(
        "SELECT o.id AS id, o.number AS number, o.created_at AS created_at, g.ship_name AS ship_name, \
         o.total AS total, g.currency AS currency, o.status AS status, o.units_shipped AS units_shipped, \
         o.ship_by AS ship_by, o.accept_by AS accept_by, {ORDER_UNITS} AS units \
         FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE o.seller_id = $1 AND {}",
        tab_condition(filter.tab)
    );
    let mut n = 1;
    for (bound, op) in [(from, ">="), (until, "<")] {
        if let Some(at) = bound {
            // Our own number, never input text.
            sql.push_str(&format!(" AND o.created_at {op} {at}"));
        }
    }
    if !q.is_empty() {
        sql.push_str(&format!(
            " AND (o.number LIKE ${} ESCAPE '\\' OR LOWER(g.ship_name) LIKE ${} ESCAPE '\\')",
            n + 1,
            n + 2
        ));
        n += 2;
    }
    let cursor = after
        .split_once('.')
        .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id.parse::<i64>().ok()?)));
    if cursor.is_some() {
        sql.push_str(&format!(
            " AND (o.created_at < ${a} OR (o.created_at = ${a} AND o.id < ${b}))",
            a = n + 1,
            b = n + 2
        ));
    }
    sql.push_str(&format!(" ORDER BY o.created_at DESC, o.id DESC LIMIT {}", PAGE + 1));
    let mut query = sqlx::query_as::<_, ListRow>(&sql).bind(store);
    if !q.is_empty() {
        query = query
            .bind(format!("%{}%", like_literal(&q.to_uppercase())))
            .bind(format!("%{}%", like_literal(&q.to_lowercase())));
    }
    if let Some((at, id)) = cursor {
        query = query.bind(at).bind(id);
    }
    let mut rows = query.fetch_all(&mut *conn).await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        rows.last()
            .map(|r| format!("{}.{}", r.created_at, r.id))
            .unwrap_or_default()
    });
    let to_ship = count_to_ship(&mut conn, store).await?;
    let now = now_ms();
    Ok(SellerOrderPage {
        store_name: names.store_name,
        store_slug: names.slug,
        rows: rows.into_iter().map(|r| list_row(r, now)).collect(),
        next,
        to_ship,
    })
}

async fn count_to_ship(conn: &mut AnyConnection, store: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM orders o WHERE o.seller_id = $1 AND {TO_SHIP}"
    ))
    .bind(store)
    .fetch_one(&mut *conn)
    .await
}

/// Orders of the actor's store with units left to ship (the portal navigation's count); none for anyone else.
pub async fn to_ship(db: &Db, actor: &Actor) -> Result<i64, OrderError> {
    let Some(store) = actor.store_id() else {
        return Ok(0);
    };
    let mut conn = db.pool().acquire().await?;
    Ok(count_to_ship(&mut conn, store).await?)
}

/// How the actor's store kept its ship-by dates over the 30 days before now, and its orders late right now
/// (none for anyone else). An order is late when its last parcel left after its date, or it is still open past
/// it; orders cancelled whole are not counted. Two queries.
pub async fn shipping_record(db: &Db, actor: &Actor) -> Result<ShippingRecord, OrderError> {
    let Some(store) = actor.store_id() else {
        return Ok(ShippingRecord::default());
    };
    #[derive(sqlx::FromRow)]
    struct Counts {
        due: i64,
        late: i64,
    }
    let now = now_ms();
    let late_now = format!("{TO_SHIP} AND o.ship_by < $2");
    let mut conn = db.pool().acquire().await?;
    let counts: Counts = sqlx::query_as(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS due, \
         CAST(COALESCE(SUM(CASE WHEN o.last_shipped_at > o.ship_by OR ({late_now}) THEN 1 ELSE 0 END), 0) \
           AS BIGINT) AS late \
         FROM orders o WHERE o.seller_id = $1 AND o.ship_by >= $3 AND o.ship_by < $2 AND o.status <> 'cancelled'"
    ))
    .bind(store)
    .bind(now)
    .bind(now - 30 * DAY_MS)
    .fetch_one(&mut *conn)
    .await?;
    // Late now counts every open order past its date, however long ago it was due.
    let late_now: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM orders o WHERE o.seller_id = $1 AND {late_now}"
    ))
    .bind(store)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ShippingRecord {
        due: counts.due,
        late: counts.late,
        late_now,
    })
}

fn tone(status: Option<OrderStatus>, units_shipped: i64) -> &'static str {
    match status {
        Some(OrderStatus::Paid) if units_shipped == 0 => "warning",
        Some(OrderStatus::Shipped | OrderStatus::Delivered) => "success",
        _ => "neutral",
    }
}

fn list_row(r: ListRow, now: i64) -> SellerOrderRow {
    let status = OrderStatus::parse(&r.status);
    let open = matches!(status, Some(OrderStatus::Paid | OrderStatus::PartiallyRefunded));
    SellerOrderRow {
        status_label: status_label(status, r.units_shipped, &r.status),
        tone: tone(status, r.units_shipped).to_string(),
        late: open && r.ship_by.is_some_and(|by| by < now),
        ship_by: r.ship_by.filter(|_| open),
        awaiting_acceptance: open && r.accept_by.is_some(),
        number: r.number,
        placed_at: r.created_at,
        customer: r.ship_name,
        units: r.units,
        total: Money::new(r.total, r.currency),
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct DetailRow {
    id: i64,
    seller_id: i64,
    number: String,
    created_at: i64,
    status: String,
    units_shipped: i64,
    ship_by: Option<i64>,
    accept_by: Option<i64>,
    shipping_name: String,
    shipping_amount: i64,
    tax_amount: i64,
    discount: i64,
    total: i64,
    refunded: i64,
    shipping_refunded: i64,
    currency: String,
    ship_name: String,
    ship_line1: String,
    ship_line2: String,
    ship_city: String,
    ship_postal: String,
    ship_country: String,
    ship_phone: String,
    store_name: String,
    store_slug: String,
    was_paid: i64,
}

impl DetailRow {
    /// The shipping address, a line each (empty ones left out).
    fn address(&self) -> Vec<String> {
        [
            self.ship_line1.clone(),
            self.ship_line2.clone(),
            format!("{} {}", self.ship_postal, self.ship_city),
            model::orders::country_name(&self.ship_country).to_string(),
        ]
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect()
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct DetailLine {
    variant_id: i64,
    title: String,
    variant: String,
    sku: String,
    quantity: i64,
    shipped: i64,
    cancelled: i64,
    refunded: i64,
    unit_price: i64,
    commission_bp: Option<i64>,
    commission: i64,
}

impl DetailLine {
    fn view(self, currency: &str) -> SellerLineView {
        SellerLineView {
            variant_id: self.variant_id,
            title: self.title,
            variant: self.variant,
            sku: self.sku,
            quantity: self.quantity,
            shipped: self.shipped,
            cancelled: self.cancelled,
            refunded: self.refunded,
            unit_price: Money::new(self.unit_price, currency),
            line_total: Money::new(self.unit_price * self.quantity, currency),
        }
    }
}

/// The commission frozen on the lines at the sale, and its rates as read ("10 %", "10 % and 12.5 %"; empty before
/// the sale).
fn commission_of(lines: &[DetailLine]) -> (i64, String) {
    let mut rates: Vec<i64> = lines.iter().filter_map(|l| l.commission_bp).collect();
    rates.sort_unstable();
    rates.dedup();
    let labels: Vec<String> = rates.into_iter().map(crate::money::commission::percent_label).collect();
    (lines.iter().map(|l| l.commission).sum(), labels.join(" and "))
}

/// One order of the actor's store (an admin may read any): lines, shipping address, shipments and timeline,
/// never the shopper's email; an order never paid is not found. Six queries (seven when it has returns).
pub async fn detail(db: &Db, actor: &Actor, number: &str) -> Result<SellerOrderDetail, OrderError> {
    if !super::plausible_number(number) {
        return Err(OrderError::NotFound);
    }
    let mut conn = db.pool().acquire().await?;
    let row: DetailRow = sqlx::query_as(&format!(
        "SELECT o.id AS id, o.seller_id AS seller_id, o.number AS number, o.created_at AS created_at, \
         o.status AS status, o.units_shipped AS units_shipped, o.ship_by AS ship_by, o.accept_by AS accept_by, \
         o.shipping_name AS shipping_name, o.shipping_amount AS shipping_amount, o.tax_amount AS tax_amount, \
         o.discount AS discount, o.total AS total, o.refunded AS refunded, g.currency AS currency, \
         (SELECT CAST(COALESCE(SUM(r.shipping), 0) AS BIGINT) FROM order_refunds r WHERE r.order_id = o.id) \
         AS shipping_refunded, g.ship_name AS ship_name, \
         g.ship_line1 AS ship_line1, g.ship_line2 AS ship_line2, g.ship_city AS ship_city, \
         g.ship_postal AS ship_postal, g.ship_country AS ship_country, g.ship_phone AS ship_phone, \
         s.store_name AS store_name, \
         s.slug AS store_slug, CAST(CASE WHEN {WAS_PAID} THEN 1 ELSE 0 END AS BIGINT) AS was_paid \
         FROM orders o JOIN order_groups g ON g.id = o.group_id JOIN sellers s ON s.id = o.seller_id \
         WHERE o.number = $1"
    ))
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?
    .filter(|r: &DetailRow| actor.may_manage_store(r.seller_id) && r.was_paid == 1)
    .ok_or(OrderError::NotFound)?;
    let lines: Vec<DetailLine> = sqlx::query_as(
        "SELECT variant_id, title, variant, sku, quantity, shipped, cancelled, refunded, unit_price, commission_bp, \
         commission FROM order_lines WHERE order_id = $1 ORDER BY title, variant",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    let returns = super::returns::returns_of(&mut conn, row.id).await?;
    let messages = super::messages::thread(&mut conn, row.id, &row.store_name, true).await?;
    let shipments = super::fulfilment::shipments_of(&mut conn, "o.id = $1", row.id)
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT order_id, created_at, status, note FROM order_events WHERE order_id = $1 ORDER BY created_at, id",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    let status = OrderStatus::parse(&row.status);
    let open = matches!(status, Some(OrderStatus::Paid | OrderStatus::PartiallyRefunded));
    let money = |amount: i64| Money::new(amount, row.currency.as_str());
    let commission = commission_of(&lines);
    let lines: Vec<SellerLineView> = lines.into_iter().map(|l| l.view(&row.currency)).collect();
    let units_left: i64 = lines.iter().map(SellerLineView::open).sum();
    let address = row.address();
    Ok(SellerOrderDetail {
        store_name: row.store_name,
        store_slug: row.store_slug,
        status_label: status_label(status, row.units_shipped, &row.status),
        tone: tone(status, row.units_shipped).to_string(),
        late: open && units_left > 0 && row.ship_by.is_some_and(|by| by < now_ms()),
        ship_by: row.ship_by.filter(|_| open && units_left > 0),
        accept_by: row.accept_by.filter(|_| open),
        number: row.number,
        placed_at: row.created_at,
        customer: row.ship_name,
        address,
        phone: row.ship_phone,
        shipping_option: row.shipping_name,
        shippable: open && units_left > 0,
        deliverable: status == Some(OrderStatus::Shipped),
        lines,
        shipping: money(row.shipping_amount),
        discount: money(row.discount),
        tax: money(row.tax_amount),
        total: money(row.total),
        refunded: money(row.refunded),
        refundable: money(row.total - row.refunded),
        shipping_refundable: money(row.shipping_amount - row.shipping_refunded),
        refunds_open: status.is_some_and(super::refunds::money_can_go_back),
        commission: money(commission.0),
        commission_rates: commission.1,
        returns,
        messages,
        shipments,
        timeline: events.into_iter().map(EventRow::entry).collect(),
    })
}
