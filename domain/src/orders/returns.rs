//! A shopper sends delivered units back: asks within the store's return window with a reason from a list → the
//! store approves or rejects with a reason → the shopper sends it back (tracking optional) → the store marks it
//! received → the store refunds it (through `workflows::refund_order`, the returned units back on sale when it
//! chose so). Each step is a transition of [`ReturnState`], applied by a conditional update on the state it comes
//! from, with the order's row taken first (the lock order of every change to an order), and noted on the order's
//! timeline, which both sides read.

use model::returns::{Remedy, ReturnReason, ReturnView, ReturnableLine};
use model::seller_orders::Carrier;
use model::FieldError;
use sqlx::AnyConnection;

use super::fulfilment::{form_key, units_typed, StoreOrder};
use super::{lifecycle, OrderError, OrderStatus};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnState {
    Requested,
    Approved,
    Rejected,
    SentBack,
    Received,
    Refunded,
    /// The store sent the same units again instead of refunding them (an exchange).
    Replaced,
}

impl ReturnState {
    pub const ALL: [ReturnState; 7] = [
        ReturnState::Requested,
        ReturnState::Approved,
        ReturnState::Rejected,
        ReturnState::SentBack,
        ReturnState::Received,
        ReturnState::Refunded,
        ReturnState::Replaced,
    ];

    /// The spelling stored (the CHECK constraint lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnState::Requested => "requested",
            ReturnState::Approved => "approved",
            ReturnState::Rejected => "rejected",
            ReturnState::SentBack => "sent_back",
            ReturnState::Received => "received",
            ReturnState::Refunded => "refunded",
            ReturnState::Replaced => "replaced",
        }
    }

    pub fn parse(text: &str) -> Option<ReturnState> {
        ReturnState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReturnState::Requested => "Return requested",
            ReturnState::Approved => "Return approved",
            ReturnState::Rejected => "Return rejected",
            ReturnState::SentBack => "Return sent back",
            ReturnState::Received => "Return received",
            ReturnState::Refunded => "Return refunded",
            ReturnState::Replaced => "Replacement sent",
        }
    }

    /// The timeline entry's kind for a return coming to this state (an event that is no order status).
    pub fn event_kind(self) -> &'static str {
        match self {
            ReturnState::Requested => "return_requested",
            ReturnState::Approved => "return_approved",
            ReturnState::Rejected => "return_rejected",
            ReturnState::SentBack => "return_sent_back",
            ReturnState::Received => "return_received",
            ReturnState::Refunded => "return_refunded",
            ReturnState::Replaced => "return_replaced",
        }
    }

    /// The states a return may come to `self` from.
    fn from(self) -> &'static [ReturnState] {
        match self {
            ReturnState::Requested => &[],
            ReturnState::Approved | ReturnState::Rejected => &[ReturnState::Requested],
            ReturnState::SentBack => &[ReturnState::Approved],
            ReturnState::Received => &[ReturnState::Approved, ReturnState::SentBack],
            ReturnState::Refunded | ReturnState::Replaced => &[ReturnState::Received],
        }
    }

    /// Whether its units are still on their way back (not refunded, replaced or refused): they cannot be asked
    /// for again. A replacement's units can be sent back in their turn.
    fn open(self) -> bool {
        !matches!(
            self,
            ReturnState::Rejected | ReturnState::Refunded | ReturnState::Replaced
        )
    }
}

/// The returns a store has something to do about (the order list's "Returns" tab).
pub(super) const TO_ACT_ON: &str =
    "EXISTS (SELECT 1 FROM order_returns r WHERE r.order_id = o.id AND r.state IN ('requested', 'sent_back', 'received'))";

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const NOTE_MAX: usize = 500;
const ANSWER_MAX: usize = 300;

/// A return request as the shopper's form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnForm {
    pub key: String,
    pub lines: Vec<(i64, String)>,
    pub reason: String,
    pub note: String,
    /// "refund" or "replacement"; empty is a refund.
    pub wants: String,
}

struct ReturnRequest {
    key: String,
    lines: Vec<(i64, i64)>,
    reason: ReturnReason,
    note: String,
    wants: Remedy,
}

fn parse_request(form: &ReturnForm) -> Result<ReturnRequest, OrderError> {
    let mut errors = Vec::new();
    let key = form_key(&form.key, &mut errors);
    let reason = ReturnReason::parse(form.reason.trim());
    if reason.is_none() {
        errors.push(FieldError::new("reason", "Choose why you are sending it back."));
    }
    let note = text::lines(&form.note, NOTE_MAX).unwrap_or_else(|problem| {
        errors.push(FieldError::new("note", problem.message()));
        String::new()
    });
    let lines = units_typed(&form.lines, &mut errors);
    if lines.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("qty[0]", "Choose at least one unit to send back."));
    }
    let wants = match form.wants.trim() {
        "" => Some(Remedy::Refund),
        typed => Remedy::parse(typed),
    };
    match (wants, reason) {
        (None, _) => errors.push(FieldError::new("wants", "Choose a refund or a replacement.")),
        (Some(Remedy::Replacement), Some(reason)) if !reason.allows_replacement() => errors.push(FieldError::new(
            "wants",
            "A replacement is for damaged or wrong items; choose a refund for this reason.",
        )),
        _ => {}
    }
    match (reason, wants) {
        (Some(reason), Some(wants)) if errors.is_empty() => Ok(ReturnRequest {
            key,
            lines,
            reason,
            note,
            wants,
        }),
        _ => Err(OrderError::Invalid(errors)),
    }
}

/// The order's return window: its store's days, policy, and when it was delivered.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Window {
    pub status: String,
    pub return_days: i64,
    pub return_policy: String,
    pub delivered_at: Option<i64>,
}

impl Window {
    /// The last moment units can be asked back, once delivered.
    pub fn ends(&self) -> Option<i64> {
        self.delivered_at.map(|at| at + self.return_days * DAY_MS)
    }

    /// Whether a return can be asked for now: delivered, and the window still open.
    pub fn open(&self, now: i64) -> bool {
        self.status == OrderStatus::Delivered.as_str() && self.return_days > 0 && self.ends().is_some_and(|e| now <= e)
    }
}

pub(crate) async fn window(conn: &mut AnyConnection, order_id: i64) -> Result<Window, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.status AS status, s.return_days AS return_days, s.return_policy AS return_policy, \
         (SELECT MAX(e.created_at) FROM order_events e WHERE e.order_id = o.id AND e.status = 'delivered') \
         AS delivered_at FROM orders o JOIN sellers s ON s.id = o.seller_id WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await
}

/// Each delivered line and the units of it that can still be sent back: shipped, not refunded, not in a return
/// that is still open.
pub(crate) async fn returnable(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<ReturnableLine>, sqlx::Error> {
    let open: Vec<String> = ReturnState::ALL
        .into_iter()
        .filter(|s| s.open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    sqlx::query_as::<_, (i64, String, String, i64)>(&format!(
        "SELECT l.variant_id, l.title, l.variant, l.shipped - l.refunded + l.cancelled - \
         (SELECT CAST(COALESCE(SUM(rl.quantity), 0) AS BIGINT) FROM order_return_lines rl \
          JOIN order_returns r ON r.id = rl.return_id \
          WHERE r.order_id = l.order_id AND rl.variant_id = l.variant_id AND r.state IN ({})) \
         FROM order_lines l WHERE l.order_id = $1 ORDER BY l.title, l.variant",
        open.join(", ")
    ))
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await
    .map(|rows| {
        rows.into_iter()
            .map(|(variant_id, title, variant, returnable)| ReturnableLine {
                variant_id,
                title,
                variant,
                returnable: returnable.max(0),
            })
            .collect()
    })
}

/// The shopper's returns page of seller order `order_number` of group `group_number`, for whoever may change the
/// order (its shopper, the holder of its link, its store, an admin); anyone else gets `NotFound`.
pub async fn screen(
    db: &crate::platform::Db,
    actor: &crate::platform::Actor,
    group_number: &str,
    order_number: &str,
    token: Option<&str>,
) -> Result<model::returns::ReturnScreen, OrderError> {
    let mut conn = db.pool().acquire().await?;
    let target = super::views::change_target(&mut conn, group_number, order_number, actor, token).await?;
    let window = window(&mut conn, target.order_id).await?;
    let lines = returnable(&mut conn, target.order_id).await?;
    let returns = returns_of(&mut conn, target.order_id).await?;
    Ok(model::returns::ReturnScreen {
        group_number: group_number.to_string(),
        order_number: target.number,
        store_name: target.store_name,
        return_days: window.return_days,
        policy: window.return_policy.clone(),
        window_ends: window.ends(),
        open: window.open(now_ms()),
        lines: lines.into_iter().filter(|l| l.returnable > 0).collect(),
        returns,
    })
}

/// What asking for a return did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    New {
        return_id: i64,
    },
    /// This form was sent before: nothing changed.
    AlreadyRecorded,
}

/// Asks to send back units of the delivered order `order_id` (the caller found it for its shopper), in the
/// caller's transaction. Refused when the window is closed or a line has fewer units that can go back.
pub async fn request(conn: &mut AnyConnection, order_id: i64, form: &ReturnForm) -> Result<Requested, OrderError> {
    let wanted = parse_request(form)?;
    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM order_returns WHERE order_id = $1 AND form_key = $2")
        .bind(order_id)
        .bind(&wanted.key)
        .fetch_optional(&mut *conn)
        .await?;
    if known.is_some() {
        return Ok(Requested::AlreadyRecorded);
    }
    // The order's row first: two requests for the same units are counted one after the other.
    let held = lifecycle::hold_if(conn, order_id, &[OrderStatus::Delivered]).await?;
    let now = now_ms();
    if !held || !window(conn, order_id).await?.open(now) {
        return Err(OrderError::NotAllowed(
            "This order cannot be returned: it is not delivered, or its return window has closed.".into(),
        ));
    }
    let lines = returnable(conn, order_id).await?;
    let mut described = Vec::new();
    for &(variant, units) in &wanted.lines {
        let line = lines
            .iter()
            .find(|l| l.variant_id == variant)
            .ok_or_else(|| OrderError::NotAllowed("A line of the form is not on this order.".into()))?;
        if units > line.returnable {
            return Err(OrderError::NotAllowed(format!(
                "Only {} of {} can be sent back.",
                model::count_of(line.returnable, "unit", "units"),
                line.title
            )));
        }
        described.push(format!("{units} × {}", line.title));
    }
    let id = next_id();
    let inserted = sqlx::query(
        "INSERT INTO order_returns (id, order_id, form_key, state, reason, note, created_at, updated_at, wants) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (order_id, form_key) DO NOTHING",
    )
    .bind(id)
    .bind(order_id)
    .bind(&wanted.key)
    .bind(ReturnState::Requested.as_str())
    .bind(wanted.reason.as_str())
    .bind(&wanted.note)
    .bind(now)
    .bind(wanted.wants.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(Requested::AlreadyRecorded);
    }
    for &(variant, units) in &wanted.lines {
        sqlx::query("INSERT INTO order_return_lines (return_id, variant_id, quantity) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(variant)
            .bind(units)
            .execute(&mut *conn)
            .await?;
    }
    let asks = match wanted.wants {
        Remedy::Refund => "",
        Remedy::Replacement => " Asks for a replacement.",
    };
    let note = format!("{}. Reason: {}.{asks}", described.join(", "), wanted.reason.label());
    lifecycle::note_event(conn, order_id, ReturnState::Requested.event_kind(), &note).await?;
    Ok(Requested::New { return_id: id })
}

/// Moves return `return_id` of order `order_id` to `to` if it is in a state that may come to it; records the
/// timeline entry. `set` is extra columns to write (our own SQL with parameters from `$3`), `binds` their values.
pub(super) async fn transition(
    conn: &mut AnyConnection,
    order_id: i64,
    return_id: i64,
    to: ReturnState,
    set: &str,
    binds: &[Option<String>],
    note: &str,
) -> Result<bool, OrderError> {
    lifecycle::hold(conn, order_id).await?;
    let from: Vec<String> = to.from().iter().map(|s| format!("'{}'", s.as_str())).collect();
    let n = 3 + binds.len();
    let sql = format!(
        "UPDATE order_returns SET state = ${n}, updated_at = ${m}{set} WHERE id = $1 AND order_id = $2 \
         AND state IN ({})",
        from.join(", "),
        m = n + 1
    );
    let mut query = sqlx::query(&sql).bind(return_id).bind(order_id);
    for value in binds {
        query = query.bind(value.clone());
    }
    let moved = query
        .bind(to.as_str())
        .bind(now_ms())
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if moved {
        lifecycle::note_event(conn, order_id, to.event_kind(), note).await?;
    }
    Ok(moved)
}

pub(super) fn not_now(what: &str) -> OrderError {
    OrderError::NotAllowed(format!(
        "This return cannot be {what} now: open the order again to see where it is."
    ))
}

/// The store approves a requested return, or rejects it with a reason the shopper reads.
pub async fn decide(
    conn: &mut AnyConnection,
    order: &StoreOrder,
    return_id: i64,
    approve: bool,
    answer: &str,
) -> Result<(), OrderError> {
    if approve {
        let note = "The store approved it: send the units back.";
        if !transition(conn, order.id, return_id, ReturnState::Approved, "", &[], note).await? {
            return Err(not_now("approved"));
        }
        return Ok(());
    }
    let answer = match text::line(answer, ANSWER_MAX) {
        Ok(a) if !a.is_empty() => a,
        Ok(_) => return Err(invalid("answer", "Say why you refuse it: the shopper reads it.")),
        Err(problem) => return Err(invalid("answer", &problem.message())),
    };
    let note = format!("The store refused it: {answer}");
    let set = ", answer = $3";
    if !transition(
        conn,
        order.id,
        return_id,
        ReturnState::Rejected,
        set,
        &[Some(answer)],
        &note,
    )
    .await?
    {
        return Err(not_now("rejected"));
    }
    Ok(())
}

pub(super) fn invalid(field: &str, message: &str) -> OrderError {
    OrderError::Invalid(vec![FieldError::new(field, message)])
}

/// The shopper says an approved return is on its way back, with the carrier and tracking number when there is one.
pub async fn sent_back(
    conn: &mut AnyConnection,
    order_id: i64,
    return_id: i64,
    carrier: &str,
    tracking: &str,
) -> Result<(), OrderError> {
    let tracking: String = tracking.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase();
    if tracking.chars().count() > 40
        || !tracking
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(invalid(
            "tracking",
            "Enter the tracking number: letters, digits, spaces and dashes, up to 40 (or leave it empty).",
        ));
    }
    let carrier = Carrier::parse(carrier.trim()).unwrap_or(Carrier::Other);
    let note = if tracking.is_empty() {
        "The shopper sent it back.".to_string()
    } else {
        format!("The shopper sent it back ({} {tracking}).", carrier.label())
    };
    let (carrier, tracking) = if tracking.is_empty() {
        (None, None)
    } else {
        (Some(carrier.as_str().to_string()), Some(tracking))
    };
    let set = ", carrier = $3, tracking_number = $4";
    if !transition(
        conn,
        order_id,
        return_id,
        ReturnState::SentBack,
        set,
        &[carrier, tracking],
        &note,
    )
    .await?
    {
        return Err(not_now("marked sent"));
    }
    Ok(())
}

/// The store has the units back; `restock`: they go back on sale when it refunds them.
pub async fn receive(
    conn: &mut AnyConnection,
    order: &StoreOrder,
    return_id: i64,
    restock: bool,
) -> Result<(), OrderError> {
    let note = if restock {
        "The store received it; the units go back in stock."
    } else {
        "The store received it."
    };
    let set = if restock { ", restock = 1" } else { ", restock = 0" };
    if !transition(conn, order.id, return_id, ReturnState::Received, set, &[], note).await? {
        return Err(not_now("marked received"));
    }
    Ok(())
}

/// A received return to refund: its lines and whether they go back on sale.
#[derive(Debug, Clone)]
pub struct ToRefund {
    pub lines: Vec<(i64, i64)>,
    pub restock: bool,
}

/// The lines of received return `return_id` of order `order_id`; `None` when it is not received (not yet, or
/// refunded already).
pub async fn to_refund(
    conn: &mut AnyConnection,
    order_id: i64,
    return_id: i64,
) -> Result<Option<ToRefund>, sqlx::Error> {
    let restock: Option<i64> =
        sqlx::query_scalar("SELECT restock FROM order_returns WHERE id = $1 AND order_id = $2 AND state = $3")
            .bind(return_id)
            .bind(order_id)
            .bind(ReturnState::Received.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let Some(restock) = restock else {
        return Ok(None);
    };
    let lines = sqlx::query_as("SELECT variant_id, quantity FROM order_return_lines WHERE return_id = $1")
        .bind(return_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Some(ToRefund {
        lines,
        restock: restock == 1,
    }))
}

/// Whether return `return_id` of order `order_id` is received (its units back, neither refunded nor replaced).
pub(super) async fn is_received(conn: &mut AnyConnection, order_id: i64, return_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM order_returns WHERE id = $1 AND order_id = $2 AND state = $3")
            .bind(return_id)
            .bind(order_id)
            .bind(ReturnState::Received.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// The return's refund was made: it is closed.
pub async fn mark_refunded(conn: &mut AnyConnection, order_id: i64, return_id: i64) -> Result<bool, OrderError> {
    let note = "Refunded.";
    transition(conn, order_id, return_id, ReturnState::Refunded, "", &[], note).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ReturnRow {
    id: i64,
    created_at: i64,
    state: String,
    reason: String,
    note: String,
    answer: String,
    carrier: Option<String>,
    tracking_number: Option<String>,
    restock: i64,
    wants: String,
    replacement_carrier: Option<String>,
    replacement_tracking: Option<String>,
}

/// The returns of order `order_id`, oldest first, with their lines: two queries.
pub async fn returns_of(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<ReturnView>, sqlx::Error> {
    let rows: Vec<ReturnRow> = sqlx::query_as(
        "SELECT id, created_at, state, reason, note, answer, carrier, tracking_number, restock, wants, \
         replacement_carrier, replacement_tracking FROM order_returns WHERE order_id = $1 ORDER BY created_at, id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT rl.return_id, rl.quantity, l.title, l.variant FROM order_return_lines rl \
         JOIN order_returns r ON r.id = rl.return_id \
         JOIN order_lines l ON l.order_id = r.order_id AND l.variant_id = rl.variant_id \
         WHERE r.order_id = $1 ORDER BY l.title, l.variant",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let state = ReturnState::parse(&r.state);
            let carrier = r.carrier.as_deref().and_then(Carrier::parse);
            let replacement_carrier = r.replacement_carrier.as_deref().and_then(Carrier::parse);
            ReturnView {
                replacement: r.wants == Remedy::Replacement.as_str(),
                replacement_url: replacement_carrier
                    .zip(r.replacement_tracking.as_deref())
                    .and_then(|(c, n)| c.tracking_url(n)),
                replacement_tracking: replacement_carrier
                    .zip(r.replacement_tracking)
                    .map(|(c, n)| format!("{} {n}", c.label())),
                id: r.id,
                requested_at: r.created_at,
                state_label: state.map_or("Return", ReturnState::label).to_string(),
                state: r.state,
                reason: ReturnReason::parse(&r.reason)
                    .map_or("Another reason", ReturnReason::label)
                    .to_string(),
                note: r.note,
                answer: r.answer,
                lines: lines
                    .iter()
                    .filter(|l| l.0 == r.id)
                    .map(|(_, n, title, variant)| {
                        let variant = if variant.is_empty() {
                            String::new()
                        } else {
                            format!(" ({variant})")
                        };
                        format!("{n} × {title}{variant}")
                    })
                    .collect(),
                carrier: carrier.map(|c| c.label().to_string()),
                tracking_url: carrier
                    .zip(r.tracking_number.as_deref())
                    .and_then(|(c, n)| c.tracking_url(n)),
                tracking_number: r.tracking_number,
                restock: r.restock == 1,
            }
        })
        .collect())
}
