//! A store ships its orders: shipments of chosen lines and quantities (partial shipments), each with its carrier
//! and tracking number, and marking an order delivered. Every change is conditional, so two shipments racing
//! for the same unit (two tabs, a double click) cannot both take it, and a form sent twice records one shipment.

use std::collections::HashMap;

use model::seller_orders::{Carrier, ShipmentView};
use model::FieldError;
use sqlx::AnyConnection;

use super::{lifecycle, OrderError, OrderStatus};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::Actor;

/// A seller order as a change to it needs it, found for an actor who may manage its store.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoreOrder {
    pub id: i64,
    pub group_id: i64,
    pub seller_id: i64,
    pub number: String,
    pub status: String,
    pub store_name: String,
}

impl StoreOrder {
    pub fn status(&self) -> Option<OrderStatus> {
        OrderStatus::parse(&self.status)
    }
}

/// The order `number` of a store `actor` may manage (its seller, or an admin); another store's order is not found,
/// like one that does not exist.
pub async fn order_for_store(conn: &mut AnyConnection, actor: &Actor, number: &str) -> Result<StoreOrder, OrderError> {
    if !super::plausible_number(number) {
        return Err(OrderError::NotFound);
    }
    let found: Option<StoreOrder> = sqlx::query_as(
        "SELECT o.id AS id, o.group_id AS group_id, o.seller_id AS seller_id, o.number AS number, \
             o.status AS status, s.store_name AS store_name FROM orders o JOIN sellers s ON s.id = o.seller_id \
             WHERE o.number = $1",
    )
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?;
    match found {
        Some(order) if actor.may_manage_store(order.seller_id) => Ok(order),
        _ => Err(OrderError::NotFound),
    }
}

/// A shipment as the seller's form sends it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShipment {
    /// The form's own key: the same form sent twice is one shipment.
    pub key: String,
    pub carrier: Carrier,
    pub tracking_number: String,
    /// (variant id, units), each units > 0.
    pub lines: Vec<(i64, i64)>,
}

const TRACKING_MAX: usize = 40;
const UNITS_MAX: i64 = 100_000;

impl NewShipment {
    /// Checks the form's fields: the carrier from the list, a tracking number of letters, digits, spaces and
    /// dashes, whole units for each line (empty is none), at least one unit in all.
    pub fn parse(key: &str, carrier: &str, tracking: &str, lines: &[(i64, String)]) -> Result<NewShipment, OrderError> {
        let mut errors = Vec::new();
        let key = form_key(key, &mut errors);
        let parcel = parcel(carrier, tracking, &mut errors);
        let units = units_typed(lines, &mut errors);
        if units.is_empty() && errors.is_empty() {
            errors.push(FieldError::new("qty[0]", "Choose at least one unit to ship."));
        }
        match parcel {
            Some((carrier, tracking_number)) if errors.is_empty() => Ok(NewShipment {
                key,
                carrier,
                tracking_number,
                lines: units,
            }),
            _ => Err(OrderError::Invalid(errors)),
        }
    }
}

/// A parcel's carrier (from the list) and tracking number (letters, digits, spaces and dashes, upper-cased) as a
/// form sends them, or their errors on `carrier` and `tracking`.
pub(super) fn parcel(carrier: &str, tracking: &str, errors: &mut Vec<FieldError>) -> Option<(Carrier, String)> {
    let carrier = Carrier::parse(carrier.trim());
    if carrier.is_none() {
        errors.push(FieldError::new("carrier", "Choose the carrier."));
    }
    let tracking: String = tracking.split_whitespace().collect::<Vec<_>>().join(" ");
    let fine = !tracking.is_empty()
        && tracking.chars().count() <= TRACKING_MAX
        && tracking
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    if !fine {
        errors.push(FieldError::new(
            "tracking",
            format!("Enter the tracking number: letters, digits, spaces and dashes, up to {TRACKING_MAX}."),
        ));
    }
    carrier.filter(|_| fine).map(|c| (c, tracking.to_uppercase()))
}

/// A form's own key (a double-sent form is recognised by it), checked: short, letters, digits and dashes.
pub(super) fn form_key(key: &str, errors: &mut Vec<FieldError>) -> String {
    let key = key.trim();
    if key.is_empty() || key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        errors.push(FieldError::new("key", "The form is out of date: open the order again."));
    }
    key.to_string()
}

/// The units typed per line, `(variant id, units)` for each line with units above zero; a line twice, or units
/// that are not a whole number, are errors on their field (`qty[i]`).
pub(super) fn units_typed(lines: &[(i64, String)], errors: &mut Vec<FieldError>) -> Vec<(i64, i64)> {
    let mut units = Vec::new();
    for (i, (variant, text)) in lines.iter().enumerate() {
        let text = text.trim();
        if lines[..i].iter().any(|(earlier, _)| earlier == variant) {
            errors.push(FieldError::new(format!("qty[{i}]"), "This line is in the form twice."));
            continue;
        }
        if text.is_empty() {
            continue;
        }
        match text.parse::<i64>() {
            Ok(0) => {}
            Ok(n) if (1..=UNITS_MAX).contains(&n) => units.push((*variant, n)),
            _ => errors.push(FieldError::new(format!("qty[{i}]"), "Enter a whole number of units.")),
        }
    }
    units
}

/// What recording a shipment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shipped {
    /// Recorded; `complete` when nothing is left to ship.
    Recorded { shipment_id: i64, complete: bool },
    /// This form was recorded already (a double click, a second tab): nothing changed.
    AlreadyRecorded,
}

/// Records a shipment of `order`: each line's units are taken from what is left to ship by a conditional update
/// (never more than ordered minus shipped minus cancelled), the order is shipped when nothing is left, and the
/// timeline says what left. Returns an error, having written what the caller's transaction must roll back, when a
/// line has fewer units left than asked.
pub async fn record_shipment(
    conn: &mut AnyConnection,
    order: &StoreOrder,
    shipment: &NewShipment,
) -> Result<Shipped, OrderError> {
    // A form sent again (the first may have shipped the last units, so this comes before the status) changes
    // nothing.
    let known: Option<i64> =
        sqlx::query_scalar("SELECT id FROM shipments WHERE order_id = $1 AND idempotency_key = $2")
            .bind(order.id)
            .bind(&shipment.key)
            .fetch_optional(&mut *conn)
            .await?;
    if known.is_some() {
        return Ok(Shipped::AlreadyRecorded);
    }
    // The order's row before its lines (as a cancellation takes them, so neither waits on the other), and only
    // while it may still ship: a refund or a cancellation committed since it was read is seen here.
    if !lifecycle::hold_if(conn, order.id, &[OrderStatus::Paid, OrderStatus::PartiallyRefunded]).await? {
        let label = order.status().map_or("closed", OrderStatus::label);
        return Err(OrderError::NotAllowed(format!(
            "This order cannot be shipped any more (it was {} when you opened it): open it again.",
            label.to_lowercase()
        )));
    }
    if super::refunds::pending_of(conn, order.id).await?.is_some() {
        return Err(OrderError::NotAllowed(
            "A refund of this order is being made: open it again in a moment.".into(),
        ));
    }
    let id = next_id();
    let now = now_ms();
    // A second sending of the same form at the same moment finds the key here (on PostgreSQL it waited for the
    // first to commit) and changes nothing.
    let inserted = sqlx::query(
        "INSERT INTO shipments (id, order_id, idempotency_key, carrier, tracking_number, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id, idempotency_key) DO NOTHING",
    )
    .bind(id)
    .bind(order.id)
    .bind(&shipment.key)
    .bind(shipment.carrier.as_str())
    .bind(&shipment.tracking_number)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(Shipped::AlreadyRecorded);
    }
    let mut described = Vec::new();
    let mut total = 0;
    for &(variant, units) in &shipment.lines {
        let title = take_units(conn, order.id, id, variant, units).await?;
        described.push(format!("{units} × {title}"));
        total += units;
    }
    sqlx::query(
        "UPDATE orders SET units_shipped = units_shipped + $1, updated_at = $2, last_shipped_at = $2, \
         accept_by = NULL WHERE id = $3",
    )
    .bind(total)
    .bind(now)
    .bind(order.id)
    .execute(&mut *conn)
    .await?;
    let note = format!(
        "{} ({} {})",
        described.join(", "),
        shipment.carrier.label(),
        shipment.tracking_number
    );
    let complete = units_left(conn, order.id).await? == 0;
    if complete {
        lifecycle::transition(conn, order.id, OrderStatus::Shipped, &note).await?;
    } else {
        lifecycle::note_event(conn, order.id, super::status::PARTIALLY_SHIPPED, &note).await?;
    }
    Ok(Shipped::Recorded {
        shipment_id: id,
        complete,
    })
}

/// Takes `units` of the order's line of `variant` into shipment `shipment_id`, if that many are left to ship; the
/// line's title.
async fn take_units(
    conn: &mut AnyConnection,
    order_id: i64,
    shipment_id: i64,
    variant: i64,
    units: i64,
) -> Result<String, OrderError> {
    let take = LineTake {
        change:
            "shipped = shipped + $1 WHERE order_id = $2 AND variant_id = $3 AND shipped + cancelled + $1 <= quantity",
        left: "quantity - shipped - cancelled",
        what: "left to ship",
    };
    let (title, _) = take.apply(conn, order_id, variant, units).await?;
    sqlx::query("INSERT INTO shipment_lines (shipment_id, variant_id, quantity) VALUES ($1, $2, $3)")
        .bind(shipment_id)
        .bind(variant)
        .bind(units)
        .execute(&mut *conn)
        .await?;
    Ok(title)
}

/// A conditional change of one line's counts (a shipment's, a cancellation's, a refund's): our own SQL, never input.
pub(super) struct LineTake {
    /// What follows `UPDATE order_lines SET`: the counts raised by the units (`$1`) and the condition that keeps them
    /// within the line, for the order (`$2`) and the variant (`$3`).
    pub change: &'static str,
    /// The units left to take, as an expression on the line.
    pub left: &'static str,
    /// Those units in words ("left to ship").
    pub what: &'static str,
}

impl LineTake {
    /// Takes `units` of the order's line of `variant`: its title and unit price, or why not (not on the order, or
    /// fewer units left: another change took them since the page was read), for the caller to roll back.
    pub(super) async fn apply(
        &self,
        conn: &mut AnyConnection,
        order_id: i64,
        variant: i64,
        units: i64,
    ) -> Result<(String, i64), OrderError> {
        let taken = sqlx::query(&format!("UPDATE order_lines SET {}", self.change))
            .bind(units)
            .bind(order_id)
            .bind(variant)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        let line: Option<(String, i64, i64)> = sqlx::query_as(&format!(
            "SELECT title, unit_price, {} FROM order_lines WHERE order_id = $1 AND variant_id = $2",
            self.left
        ))
        .bind(order_id)
        .bind(variant)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((title, unit_price, left)) = line else {
            return Err(OrderError::NotAllowed(
                "A line of the form is not on this order.".into(),
            ));
        };
        if taken == 0 {
            return Err(OrderError::NotAllowed(format!(
                "Only {} of {title} {}: open the order again to see what changed.",
                model::count_of(left, "unit", "units"),
                self.what
            )));
        }
        Ok((title, unit_price))
    }
}

/// Units of an order not yet shipped or cancelled.
pub async fn units_left(conn: &mut AnyConnection, order_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(quantity - shipped - cancelled), 0) AS BIGINT) FROM order_lines WHERE order_id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await
}

/// The seller says a shipped order arrived.
pub async fn mark_delivered(conn: &mut AnyConnection, order: &StoreOrder, actor: &Actor) -> Result<(), OrderError> {
    let note = format!("Marked delivered by {}", actor.described());
    if lifecycle::transition(conn, order.id, OrderStatus::Delivered, &note).await? {
        Ok(())
    } else {
        Err(OrderError::NotAllowed(
            "Only an order shipped in full can be marked delivered.".into(),
        ))
    }
}

/// The shopper says a shipped order arrived: the group's account, or a guest with the link's `token` (its store's
/// seller and admins may too, as they may cancel it); anyone else gets `NotFound`. Returns the seller order's id.
pub async fn confirm_received(
    conn: &mut AnyConnection,
    actor: &Actor,
    group_number: &str,
    order_number: &str,
    token: Option<&str>,
) -> Result<i64, OrderError> {
    let target = super::views::change_target(conn, group_number, order_number, actor, token).await?;
    let note = format!("Receipt confirmed by {}", actor.described());
    if !lifecycle::transition(conn, target.order_id, OrderStatus::Delivered, &note).await? {
        return Err(OrderError::NotAllowed(format!(
            "Order {} can be confirmed received once it has shipped in full.",
            target.number
        )));
    }
    Ok(target.order_id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ShipmentRow {
    id: i64,
    order_id: i64,
    carrier: String,
    tracking_number: String,
    created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ShipmentLineRow {
    shipment_id: i64,
    quantity: i64,
    title: String,
    variant: String,
}

/// The shipments of every order `scope` selects (a condition on the alias `o` with one parameter, written in this
/// context), oldest first, keyed by order: two queries.
pub async fn shipments_of(
    conn: &mut AnyConnection,
    scope: &str,
    param: i64,
) -> Result<HashMap<i64, Vec<ShipmentView>>, sqlx::Error> {
    let shipments: Vec<ShipmentRow> = sqlx::query_as(&format!(
        "SELECT s.id AS id, s.order_id AS order_id, s.carrier AS carrier, s.tracking_number AS tracking_number, \
         s.created_at AS created_at FROM shipments s JOIN orders o ON o.id = s.order_id WHERE {scope} \
         ORDER BY s.created_at, s.id"
    ))
    .bind(param)
    .fetch_all(&mut *conn)
    .await?;
    if shipments.is_empty() {
        return Ok(HashMap::new());
    }
    let lines: Vec<ShipmentLineRow> = sqlx::query_as(&format!(
        "SELECT sl.shipment_id AS shipment_id, sl.quantity AS quantity, l.title AS title, l.variant AS variant \
         FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id JOIN orders o ON o.id = s.order_id \
         JOIN order_lines l ON l.order_id = s.order_id AND l.variant_id = sl.variant_id WHERE {scope} \
         ORDER BY l.title"
    ))
    .bind(param)
    .fetch_all(&mut *conn)
    .await?;
    let mut lines_of: HashMap<i64, Vec<String>> = HashMap::new();
    for l in lines {
        let variant = if l.variant.is_empty() {
            String::new()
        } else {
            format!(" ({})", l.variant)
        };
        lines_of
            .entry(l.shipment_id)
            .or_default()
            .push(format!("{} × {}{variant}", l.quantity, l.title));
    }
    let mut out: HashMap<i64, Vec<ShipmentView>> = HashMap::new();
    for s in shipments {
        let carrier = Carrier::parse(&s.carrier).unwrap_or(Carrier::Other);
        out.entry(s.order_id).or_default().push(ShipmentView {
            shipped_at: s.created_at,
            carrier: carrier.label().to_string(),
            tracking_url: carrier.tracking_url(&s.tracking_number),
            tracking_number: s.tracking_number,
            lines: lines_of.remove(&s.id).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The end of the day (UTC) `handling_days` business days (Monday to Friday) after `paid_at`: when a paid order
/// must have left.
pub fn ship_by(paid_at: i64, handling_days: i64) -> i64 {
    const DAY_MS: i64 = 24 * 60 * 60 * 1000;
    let weekend = |day: i64| (day + 3).rem_euclid(7) >= 5; // 1970-01-01 was a Thursday (Monday = 0).
    let mut day = paid_at.div_euclid(DAY_MS);
    while weekend(day) {
        day += 1;
    }
    for _ in 0..handling_days.clamp(0, 30) {
        day += 1;
        while weekend(day) {
            day += 1;
        }
    }
    (day + 1) * DAY_MS - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 60 * 60 * 1000;
    /// 2026-12-04 12:00 UTC, a Friday.
    const FRIDAY_NOON: i64 = 1_796_385_600_000;

    #[test]
    fn ship_by_counts_business_days_only() {
        assert_eq!((FRIDAY_NOON / DAY + 3) % 7, 4, "the fixture is a Friday");
        let end_of = |days_after_friday: i64| (FRIDAY_NOON / DAY + days_after_friday + 1) * DAY - 1;
        // Two business days after a Friday: Tuesday.
        assert_eq!(ship_by(FRIDAY_NOON, 2), end_of(4));
        // Same day.
        assert_eq!(ship_by(FRIDAY_NOON, 0), end_of(0));
        // Paid on Saturday with 0 days: Monday; with 1: Tuesday.
        assert_eq!(ship_by(FRIDAY_NOON + DAY, 0), end_of(3));
        assert_eq!(ship_by(FRIDAY_NOON + DAY, 1), end_of(4));
        // A Monday with 5 days: the next Monday.
        assert_eq!(ship_by(FRIDAY_NOON + 3 * DAY, 5), end_of(10));
    }

    #[test]
    fn a_shipment_form_is_checked_field_by_field() {
        let lines = [(1, "2".to_string()), (2, String::new()), (3, "0".to_string())];
        let ok = NewShipment::parse("k-1", "ups", " 1z 999\u{a0}aa1 ", &lines).expect("ok");
        assert_eq!(ok.tracking_number, "1Z 999 AA1");
        assert_eq!(ok.lines, vec![(1, 2)]);
        match NewShipment::parse("k", "ups", "1Z", &[(1, "1".into()), (1, "1".into())]) {
            Err(OrderError::Invalid(errors)) => assert!(errors.iter().any(|e| e.field == "qty[1]"), "{errors:?}"),
            other => panic!("a line twice: {other:?}"),
        }
        for (carrier, tracking, qty, field) in [
            ("pigeon", "1Z", "1", "carrier"),
            ("ups", "", "1", "tracking"),
            ("ups", "<script>", "1", "tracking"),
            ("ups", "1Z\u{0}", "1", "tracking"),
            ("ups", "1Z", "-1", "qty[0]"),
            ("ups", "1Z", "1.5", "qty[0]"),
            ("ups", "1Z", "", "qty[0]"),
        ] {
            match NewShipment::parse("k", carrier, tracking, &[(1, qty.to_string())]) {
                Err(OrderError::Invalid(errors)) => {
                    assert!(
                        errors.iter().any(|e| e.field == field),
                        "{carrier} {tracking} {qty}: {errors:?}"
                    )
                }
                other => panic!("{carrier} {tracking} {qty}: {other:?}"),
            }
        }
    }
}
