//! What shoppers (and admins) read of orders. Each view loads in a fixed number of queries whatever the number of
//! groups and seller orders: the group rows, then every seller order of those groups, every line, every timeline
//! entry, grouped in memory.

use std::collections::HashMap;

use model::catalog::Money;
use model::orders::{OrderGroupView, OrderLineView, OrderSummaryView, SellerOrderView, TimelineEntry};
use model::seller_orders::ShipmentView;
use sqlx::AnyConnection;

use super::{GroupStatus, OrderError, OrderStatus};
use crate::platform::{Actor, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
struct GroupRow {
    id: i64,
    number: String,
    created_at: i64,
    status: String,
    email: String,
    ship_name: String,
    ship_line1: String,
    ship_line2: String,
    ship_city: String,
    ship_postal: String,
    ship_country: String,
    currency: String,
    items_total: i64,
    shipping_total: i64,
    tax_total: i64,
    tax_inclusive: i64,
    grand_total: i64,
    user_id: Option<i64>,
    view_token: String,
    discount_total: i64,
    promo_code: Option<String>,
}

const GROUP_COLUMNS: &str = "id, number, created_at, status, email, ship_name, ship_line1, ship_line2, ship_city, \
     ship_postal, ship_country, currency, items_total, shipping_total, tax_total, tax_inclusive, grand_total, user_id, \
     view_token, discount_total, promo_code";

#[derive(Debug, Clone, sqlx::FromRow)]
struct OrderRow {
    id: i64,
    group_id: i64,
    number: String,
    store_name: String,
    slug: String,
    status: String,
    shipping_name: String,
    shipping_amount: i64,
    tax_amount: i64,
    total: i64,
    refunded: i64,
    units_shipped: i64,
    discount: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct LineRow {
    order_id: i64,
    title: String,
    variant: String,
    sku: String,
    quantity: i64,
    unit_price: i64,
}

/// A timeline entry as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct EventRow {
    order_id: i64,
    created_at: i64,
    status: String,
    note: String,
}

impl EventRow {
    pub(super) fn entry(self) -> TimelineEntry {
        TimelineEntry {
            at: self.created_at,
            label: super::event_label(&self.status),
            note: self.note,
        }
    }
}

/// Whether `actor` (with a guest link's `token`, if any) may see a group: its account, whoever holds its link's
/// secret, an admin.
fn may_view(actor: &Actor, token: Option<&str>, owner: Option<i64>, secret: &str) -> bool {
    if actor.is_admin() {
        return true;
    }
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        if constant_time_eq(token.as_bytes(), secret.as_bytes()) {
            return true;
        }
    }
    owner.is_some() && actor.user_id() == owner
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The group with its orders, lines and timelines, if `actor` (with the guest link's `token`) may see it. Four
/// queries.
pub async fn group_view(
    db: &Db,
    number: &str,
    actor: &Actor,
    token: Option<&str>,
) -> Result<OrderGroupView, OrderError> {
    let row = group_row(db, number).await?.ok_or(OrderError::NotFound)?;
    if !may_view(actor, token, row.user_id, &row.view_token) {
        // The same answer as for a number that does not exist: order numbers are not a way to probe.
        return Err(OrderError::NotFound);
    }
    assemble(db, row).await
}

/// Group `number` as its shopper sees it, with its id and its account, for the admins' page (which checks the
/// actor itself).
pub(crate) async fn group_for_admin(
    db: &Db,
    number: &str,
) -> Result<Option<(OrderGroupView, i64, Option<i64>)>, OrderError> {
    let Some(row) = group_row(db, number).await? else {
        return Ok(None);
    };
    let (id, user_id) = (row.id, row.user_id);
    Ok(Some((assemble(db, row).await?, id, user_id)))
}

async fn group_row(db: &Db, number: &str) -> Result<Option<GroupRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {GROUP_COLUMNS} FROM order_groups WHERE number = $1"))
        .bind(number)
        .fetch_optional(db.pool())
        .await
}

async fn assemble(db: &Db, row: GroupRow) -> Result<OrderGroupView, OrderError> {
    let mut conn = db.pool().acquire().await?;
    let mut orders = seller_orders(&mut conn, "o.group_id = $1", row.id, true)
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    for order in &mut orders {
        order.apply_currency(&row.currency);
    }
    let status_label = group_status_label(&row.status, &orders);
    let mut address = vec![row.ship_name, row.ship_line1];
    if !row.ship_line2.is_empty() {
        address.push(row.ship_line2);
    }
    address.push(format!("{} {}", row.ship_postal, row.ship_city));
    address.push(model::orders::country_name(&row.ship_country).to_string());
    let currency = row.currency.as_str();
    Ok(OrderGroupView {
        number: row.number,
        placed_at: row.created_at,
        status: row.status,
        status_label,
        email: row.email,
        address,
        items_total: Money::new(row.items_total, currency),
        shipping_total: Money::new(row.shipping_total, currency),
        discount_total: Money::new(row.discount_total, currency),
        promo_code: row.promo_code,
        tax_total: Money::new(row.tax_total, currency),
        tax_inclusive: row.tax_inclusive == 1,
        grand_total: Money::new(row.grand_total, currency),
        orders: orders.into_iter().map(|o| o.view).collect(),
    })
}

/// A seller order being assembled: the view, in the group's currency once it is known.
struct Assembled {
    view: SellerOrderView,
    amounts: [i64; 5],
    units: Vec<i64>,
}

impl Assembled {
    fn apply_currency(&mut self, currency: &str) {
        let [shipping, discount, tax, total, refunded] = self.amounts;
        self.view.shipping = Money::new(shipping, currency);
        self.view.discount = Money::new(discount, currency);
        self.view.tax = Money::new(tax, currency);
        self.view.total = Money::new(total, currency);
        self.view.refunded = Money::new(refunded, currency);
        for (line, unit) in self.view.lines.iter_mut().zip(&self.units) {
            line.unit_price = Money::new(*unit, currency);
            line.line_total = Money::new(unit * line.quantity, currency);
        }
    }
}

impl Assembled {
    /// One seller order's view from its rows; its money is put in its currency by `apply_currency`.
    fn of(row: OrderRow, lines: Vec<LineRow>, shipments: Vec<ShipmentView>, events: Vec<EventRow>) -> Assembled {
        let parsed = OrderStatus::parse(&row.status);
        let units = lines.iter().map(|l| l.unit_price).collect();
        let zero = Money::new(0, "");
        let view = SellerOrderView {
            number: row.number,
            seller_name: row.store_name,
            seller_url: format!("/store/{}", row.slug),
            status_label: status_label(parsed, row.units_shipped, &row.status),
            cancellable: parsed.is_some_and(OrderStatus::cancellable) && row.units_shipped == 0,
            receivable: parsed == Some(OrderStatus::Shipped),
            status: row.status,
            lines: lines
                .into_iter()
                .map(|l| OrderLineView {
                    title: l.title,
                    variant: l.variant,
                    sku: l.sku,
                    quantity: l.quantity,
                    unit_price: zero.clone(),
                    line_total: zero.clone(),
                })
                .collect(),
            shipping_name: row.shipping_name,
            shipping: zero.clone(),
            discount: zero.clone(),
            tax: zero.clone(),
            total: zero.clone(),
            refunded: zero,
            shipments,
            timeline: events.into_iter().map(EventRow::entry).collect(),
        };
        Assembled {
            view,
            amounts: [
                row.shipping_amount,
                row.discount,
                row.tax_amount,
                row.total,
                row.refunded,
            ],
            units,
        }
    }
}

/// The seller orders of every group `scope` selects (a condition on `o.group_id` with one parameter, written in
/// this module), keyed by group: three queries, or two without timelines.
async fn seller_orders(
    conn: &mut AnyConnection,
    scope: &str,
    param: i64,
    with_timeline: bool,
) -> Result<HashMap<i64, Vec<Assembled>>, sqlx::Error> {
    let orders: Vec<OrderRow> = sqlx::query_as(&format!(
        "SELECT o.id AS id, o.group_id AS group_id, o.number AS number, s.store_name AS store_name, s.slug AS slug, \
         o.status AS status, o.shipping_name AS shipping_name, o.shipping_amount AS shipping_amount, \
         o.tax_amount AS tax_amount, o.total AS total, o.refunded AS refunded, \
         o.units_shipped AS units_shipped, o.discount AS discount \
         FROM orders o JOIN sellers s ON s.id = o.seller_id WHERE {scope} ORDER BY o.number"
    ))
    .bind(param)
    .fetch_all(&mut *conn)
    .await?;
    let lines: Vec<LineRow> = sqlx::query_as(&format!(
        "SELECT l.order_id AS order_id, l.title AS title, l.variant AS variant, l.sku AS sku, l.quantity AS quantity, \
         l.unit_price AS unit_price FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE {scope} \
         ORDER BY l.order_id, l.title"
    ))
    .bind(param)
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<EventRow> = if with_timeline {
        sqlx::query_as(&format!(
            "SELECT e.order_id AS order_id, e.created_at AS created_at, e.status AS status, e.note AS note \
             FROM order_events e JOIN orders o ON o.id = e.order_id WHERE {scope} ORDER BY e.created_at, e.id"
        ))
        .bind(param)
        .fetch_all(&mut *conn)
        .await?
    } else {
        Vec::new()
    };
    let mut lines_of: HashMap<i64, Vec<LineRow>> = HashMap::new();
    for line in lines {
        lines_of.entry(line.order_id).or_default().push(line);
    }
    let mut shipments_of = if with_timeline {
        super::fulfilment::shipments_of(conn, scope, param).await?
    } else {
        HashMap::new()
    };
    let mut events_of: HashMap<i64, Vec<EventRow>> = HashMap::new();
    for event in events {
        events_of.entry(event.order_id).or_default().push(event);
    }
    let mut out: HashMap<i64, Vec<Assembled>> = HashMap::new();
    for row in orders {
        let lines = lines_of.remove(&row.id).unwrap_or_default();
        let shipments = shipments_of.remove(&row.id).unwrap_or_default();
        let events = events_of.remove(&row.id).unwrap_or_default();
        out.entry(row.group_id)
            .or_default()
            .push(Assembled::of(row, lines, shipments, events));
    }
    Ok(out)
}

const PARTIALLY_SHIPPED: &str = "Partially shipped";

/// A seller order's status in words: a paid order some of whose units left is "Partially shipped".
pub fn status_label(status: Option<OrderStatus>, units_shipped: i64, spelled: &str) -> String {
    match status {
        Some(OrderStatus::Paid | OrderStatus::PartiallyRefunded) if units_shipped > 0 => PARTIALLY_SHIPPED.into(),
        Some(status) => status.label().to_string(),
        None => spelled.to_string(),
    }
}

fn group_status_label(status: &str, orders: &[Assembled]) -> String {
    let states: Vec<(&str, &str)> = orders
        .iter()
        .map(|o| (o.view.status.as_str(), o.view.status_label.as_str()))
        .collect();
    checkout_label(status, &states)
}

/// The group's status in words from its status and its orders' (status, label) pairs; a group whose sellers are
/// at different stages says so.
pub(crate) fn checkout_label(status: &str, orders: &[(&str, &str)]) -> String {
    if GroupStatus::parse(status) != Some(GroupStatus::Paid) {
        return OrderStatus::parse(status)
            .map_or("Cancelled", OrderStatus::label)
            .to_string();
    }
    let shipped = orders
        .iter()
        .filter(|(status, _)| {
            matches!(
                OrderStatus::parse(status),
                Some(OrderStatus::Shipped | OrderStatus::Delivered)
            )
        })
        .count();
    let partly = orders.iter().any(|(_, label)| *label == PARTIALLY_SHIPPED);
    if partly || (shipped > 0 && shipped < orders.len()) {
        return PARTIALLY_SHIPPED.to_string();
    }
    let first = orders.first().map(|(_, label)| label.to_string()).unwrap_or_default();
    if orders.iter().all(|(_, label)| *label == first) {
        first
    } else {
        "In progress".to_string()
    }
}

/// The groups an account's history lists: paid or cancelled, newest first, at most 200.
const HISTORY_GROUPS: &str = "SELECT id FROM order_groups WHERE user_id = $1 AND status IN ('paid', 'cancelled') \
     ORDER BY created_at DESC, id DESC LIMIT 200";

/// The signed-in actor's orders, newest first (groups that never got past payment are left out). Three queries
/// however many orders there are. A visitor has none.
pub async fn history(db: &Db, actor: &Actor) -> Result<Vec<OrderSummaryView>, OrderError> {
    let Some(user_id) = actor.user_id() else {
        return Ok(Vec::new());
    };
    let mut conn = db.pool().acquire().await?;
    let groups: Vec<GroupRow> = sqlx::query_as(&format!(
        "SELECT {GROUP_COLUMNS} FROM order_groups WHERE id IN ({HISTORY_GROUPS}) ORDER BY created_at DESC, id DESC"
    ))
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut orders = seller_orders(&mut conn, &format!("o.group_id IN ({HISTORY_GROUPS})"), user_id, false).await?;
    Ok(groups
        .into_iter()
        .map(|g| {
            let orders = orders.remove(&g.id).unwrap_or_default();
            OrderSummaryView {
                status_label: group_status_label(&g.status, &orders),
                number: g.number,
                placed_at: g.created_at,
                grand_total: Money::new(g.grand_total, g.currency.as_str()),
                seller_orders: orders.len() as i64,
                items: orders.iter().flat_map(|o| &o.view.lines).map(|l| l.quantity).sum(),
            }
        })
        .collect())
}

/// A seller order as a change on the shopper's order page needs it (cancelling it, confirming it arrived), once
/// `actor` is known to be allowed to make it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangeTarget {
    pub order_id: i64,
    pub group_id: i64,
    pub seller_id: i64,
    pub number: String,
    pub status: String,
    pub total: i64,
    pub refunded: i64,
    pub store_name: String,
    pub email: String,
    pub currency: String,
    /// Units already shipped: an order part of which left can no longer be cancelled whole.
    pub units_shipped: i64,
}

/// The seller order `order_number` of group `group_number`, if `actor` may change it: the group's shopper (or the
/// holder of its link), the store's seller, an admin. Anyone else gets `NotFound`, as for an unknown number.
pub async fn change_target(
    conn: &mut AnyConnection,
    group_number: &str,
    order_number: &str,
    actor: &Actor,
    token: Option<&str>,
) -> Result<ChangeTarget, OrderError> {
    if !super::plausible_number(group_number) || !super::plausible_number(order_number) {
        return Err(OrderError::NotFound);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        target: ChangeTarget,
        user_id: Option<i64>,
        view_token: String,
    }
    let row: Row = sqlx::query_as(
        "SELECT o.id AS order_id, o.group_id AS group_id, o.seller_id AS seller_id, o.number AS number, \
         o.status AS status, o.total AS total, o.refunded AS refunded, s.store_name AS store_name, \
         g.email AS email, g.currency AS currency, o.units_shipped AS units_shipped, g.user_id AS user_id, g.view_token AS view_token \
         FROM orders o JOIN order_groups g ON g.id = o.group_id JOIN sellers s ON s.id = o.seller_id \
         WHERE g.number = $1 AND o.number = $2",
    )
    .bind(group_number)
    .bind(order_number)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(OrderError::NotFound)?;
    if !(may_view(actor, token, row.user_id, &row.view_token) || actor.may_manage_store(row.target.seller_id)) {
        return Err(OrderError::NotFound);
    }
    Ok(row.target)
}

/// What the confirmation email says.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub number: String,
    pub email: String,
    pub currency: String,
    pub grand_total: i64,
    pub discount_total: i64,
    pub promo_code: Option<String>,
    /// The guest's link (with its token), or the account's order page.
    pub link: String,
    pub lines: Vec<ConfirmationLine>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConfirmationLine {
    pub order_number: String,
    pub title: String,
    pub variant: String,
    pub quantity: i64,
    pub unit_price: i64,
}

pub async fn confirmation(conn: &mut AnyConnection, group_id: i64) -> Result<Confirmation, sqlx::Error> {
    let g: GroupRow = sqlx::query_as(&format!("SELECT {GROUP_COLUMNS} FROM order_groups WHERE id = $1"))
        .bind(group_id)
        .fetch_one(&mut *conn)
        .await?;
    let lines: Vec<ConfirmationLine> = sqlx::query_as(
        "SELECT o.number AS order_number, l.title AS title, l.variant AS variant, l.quantity AS quantity, \
         l.unit_price AS unit_price FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.group_id = $1 \
         ORDER BY o.number, l.title",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Confirmation {
        link: order_link(&g.number, g.user_id, &g.view_token, false),
        number: g.number,
        email: g.email,
        currency: g.currency,
        grand_total: g.grand_total,
        discount_total: g.discount_total,
        promo_code: g.promo_code,
        lines,
    })
}

/// Guests follow the link with its token; account holders find the order in their history.
fn order_link(number: &str, user_id: Option<i64>, token: &str, placed: bool) -> String {
    let placed = if placed { "placed=1" } else { "" };
    match (user_id, placed.is_empty()) {
        (Some(_), true) => format!("/orders/{number}"),
        (Some(_), false) => format!("/orders/{number}?{placed}"),
        (None, true) => format!("/orders/{number}?token={token}"),
        (None, false) => format!("/orders/{number}?token={token}&{placed}"),
    }
}

/// What a group's order link is made of.
#[derive(sqlx::FromRow)]
struct LinkRow {
    number: String,
    user_id: Option<i64>,
    view_token: String,
}

/// Where the shopper of a group goes after paying: its order page (with the guest token; an account's page
/// needs none, so the token never travels in its URL).
pub async fn confirmation_url(conn: &mut AnyConnection, group_id: i64) -> Result<Option<String>, sqlx::Error> {
    let row: Option<LinkRow> = sqlx::query_as("SELECT number, user_id, view_token FROM order_groups WHERE id = $1")
        .bind(group_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| order_link(&r.number, r.user_id, &r.view_token, true)))
}

/// Where the mail a change of a group sends goes, and how it names the group and its money.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contact {
    pub email: String,
    pub number: String,
    pub currency: String,
    user_id: Option<i64>,
    view_token: String,
}

impl Contact {
    /// The shopper's order page (with a guest's token).
    pub fn link(&self) -> String {
        order_link(&self.number, self.user_id, &self.view_token, false)
    }

    /// The group's account; `None` for a guest's order.
    pub fn user_id(&self) -> Option<i64> {
        self.user_id
    }

    /// `?token=…` for a guest's links to the group's other pages, empty for an account's.
    pub fn token_query(&self) -> String {
        match self.user_id {
            Some(_) => String::new(),
            None => format!("?token={}", self.view_token),
        }
    }
}

/// The email, number and currency of a group (for the mail a change sends).
pub async fn contact(conn: &mut AnyConnection, group_id: i64) -> Result<Contact, sqlx::Error> {
    sqlx::query_as("SELECT email, number, currency, user_id, view_token FROM order_groups WHERE id = $1")
        .bind(group_id)
        .fetch_one(&mut *conn)
        .await
}

/// What a store is told of a new paid order: where its mail goes (the store's support address, else its
/// seller's account), the order and when it must ship.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoreNotice {
    pub order_id: i64,
    pub number: String,
    pub email: String,
    pub units: i64,
    pub ship_by: Option<i64>,
}

/// The units ordered of the seller order `o` (a column of a query on `orders o`).
pub(super) const ORDER_UNITS: &str =
    "(SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM order_lines l WHERE l.order_id = o.id)";

/// One notice per seller order of a group.
pub async fn store_notices(conn: &mut AnyConnection, group_id: i64) -> Result<Vec<StoreNotice>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT o.id AS order_id, o.number AS number, \
         COALESCE(NULLIF(s.support_email, ''), u.email, '') AS email, o.ship_by AS ship_by, {ORDER_UNITS} AS units \
         FROM orders o JOIN sellers s ON s.id = o.seller_id LEFT JOIN users u ON u.id = s.user_id \
         WHERE o.group_id = $1 ORDER BY o.number"
    ))
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await
}
