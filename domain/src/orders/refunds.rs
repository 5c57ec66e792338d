//! Money going back on a seller order: units cancelled before they ship, or shipped units, shipping or an amount
//! refunded. A refund is claimed in our database before the payment provider is asked (decision 0025): the claim
//! raises the order's `refunded` conditionally (never above what was paid) and takes the lines' units
//! conditionally (never more than are left), in the order row's lock that shipments take too, so two refunds, or
//! a refund and a shipment, cannot take the same money or the same unit. The claim's id is the provider call's
//! idempotency key. A claim the provider refuses is undone ([`abandon`]); a successful one is completed once
//! ([`complete`]), however many requests raced for it.

use model::catalog::Money;
use model::seller_orders::RefundReason;
use model::FieldError;
use sqlx::AnyConnection;

use super::fulfilment::{form_key, units_typed, LineTake};
use super::{lifecycle, status, OrderError, OrderStatus};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;

/// Cancelling units not shipped yet (they will not ship, and go back on sale), or refunding what shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundKind {
    Cancel,
    Refund,
}

impl RefundKind {
    fn as_str(self) -> &'static str {
        match self {
            RefundKind::Cancel => "cancel",
            RefundKind::Refund => "refund",
        }
    }

    fn parse(text: &str) -> RefundKind {
        if text == "cancel" {
            RefundKind::Cancel
        } else {
            RefundKind::Refund
        }
    }

    /// The statuses an order may be in for it.
    fn allowed(self) -> &'static [OrderStatus] {
        match self {
            RefundKind::Cancel => &[OrderStatus::Paid, OrderStatus::PartiallyRefunded],
            RefundKind::Refund => &[
                OrderStatus::Paid,
                OrderStatus::PartiallyRefunded,
                OrderStatus::Shipped,
                OrderStatus::Delivered,
            ],
        }
    }
}

/// Whether money may still go back on an order in `status`: it was paid and has not ended.
pub fn money_can_go_back(status: OrderStatus) -> bool {
    RefundKind::Refund.allowed().contains(&status)
}

/// What the cancel or refund form sends, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundForm {
    pub key: String,
    /// (variant id, units typed) per line.
    pub lines: Vec<(i64, String)>,
    pub shipping: String,
    /// An amount instead of the one the units and shipping come to (empty: theirs).
    pub amount: String,
    pub reason: String,
    /// Refunded units go back on sale (cancelled ones always do).
    pub restock: bool,
}

/// A checked request to give money back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub key: String,
    pub kind: RefundKind,
    /// (variant id, units > 0).
    pub lines: Vec<(i64, i64)>,
    /// Every unit left to ship, however many that is when the claim runs (a whole order cancelled).
    pub whole_order: bool,
    pub shipping: i64,
    pub amount: Option<i64>,
    pub reason: RefundReason,
    pub restock: bool,
    /// The received return it refunds: claimed only while that return is still received (not replaced meanwhile).
    pub for_return: Option<i64>,
}

/// The key of a whole order's cancellation: one per order, so a double-clicked cancel claims once.
const WHOLE_ORDER_KEY: &str = "whole-order";

impl RefundRequest {
    /// Checks the form: its key, a reason from the list, whole units per line; for a refund, shipping and an
    /// amount as money ("12.50"). Something must be given back.
    pub fn parse(kind: RefundKind, form: &RefundForm) -> Result<RefundRequest, OrderError> {
        let mut errors = Vec::new();
        let key = form_key(&form.key, &mut errors);
        // Only the shop's own worker cancels for want of acceptance.
        let reason = RefundReason::parse(form.reason.trim()).filter(|r| *r != RefundReason::NotAccepted);
        if reason.is_none() {
            errors.push(FieldError::new("reason", "Choose a reason."));
        }
        let lines = units_typed(&form.lines, &mut errors);
        let money = |field: &str, text: &str, errors: &mut Vec<FieldError>| {
            if text.trim().is_empty() || kind == RefundKind::Cancel {
                return None;
            }
            let parsed = crate::catalog::editor::parse_money(text);
            if parsed.is_none() {
                errors.push(FieldError::new(field, "Enter an amount such as 12.50."));
            }
            parsed
        };
        let shipping = money("shipping", &form.shipping, &mut errors).unwrap_or(0);
        let amount = money("amount", &form.amount, &mut errors);
        if errors.is_empty() {
            match kind {
                RefundKind::Cancel if lines.is_empty() => {
                    errors.push(FieldError::new("qty[0]", "Choose at least one unit to cancel."))
                }
                RefundKind::Refund if lines.is_empty() && shipping == 0 && amount.unwrap_or(0) == 0 => errors.push(
                    FieldError::new("qty[0]", "Choose units, shipping or an amount to refund."),
                ),
                RefundKind::Refund if amount == Some(0) => {
                    errors.push(FieldError::new("amount", "Enter an amount above 0, or leave it empty."))
                }
                RefundKind::Refund if amount.is_some_and(|a| a < shipping) => errors.push(FieldError::new(
                    "amount",
                    "The amount must at least cover the shipping refunded.",
                )),
                _ => {}
            }
        }
        match reason {
            Some(reason) if errors.is_empty() => Ok(RefundRequest {
                key,
                kind,
                lines,
                whole_order: false,
                shipping,
                amount,
                reason,
                restock: kind == RefundKind::Cancel || form.restock,
                for_return: None,
            }),
            _ => Err(OrderError::Invalid(errors)),
        }
    }

    /// Cancelling everything of an order before any of it ships (the shopper's "Cancel", or the seller's).
    pub fn whole_order(reason: RefundReason) -> RefundRequest {
        RefundRequest {
            key: WHOLE_ORDER_KEY.to_string(),
            kind: RefundKind::Cancel,
            lines: Vec::new(),
            whole_order: true,
            shipping: 0,
            amount: None,
            reason,
            restock: true,
            for_return: None,
        }
    }
}

impl RefundRequest {
    /// Refunding a received return: its units, "sent back by the shopper", back on sale when the store said so.
    /// One per return (its key), so a second click claims nothing more.
    pub fn for_return(return_id: i64, lines: Vec<(i64, i64)>, restock: bool) -> RefundRequest {
        RefundRequest {
            key: format!("return-{return_id}"),
            kind: RefundKind::Refund,
            lines,
            whole_order: false,
            shipping: 0,
            amount: None,
            reason: RefundReason::Returned,
            restock,
            for_return: Some(return_id),
        }
    }
}

/// A refund claimed and not yet made at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: i64,
    pub order_id: i64,
    pub amount: i64,
}

impl Claim {
    /// The provider call's idempotency key: our record's id.
    pub fn idempotency_key(&self) -> String {
        format!("refund-{}", self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    New(Claim),
    /// This form's claim is still waiting for the provider (a double click, or a provider that could not be
    /// reached): it is asked again under the same key.
    Resumed(Claim),
    /// Another claim of the order is still waiting for the provider: it is finished first (under its own key), and
    /// this form changes nothing (what it asked may no longer hold once that one is made).
    Earlier(Claim),
    /// This form was made already: nothing changed.
    AlreadyRecorded,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct PendingRow {
    id: i64,
    form_key: String,
    amount: i64,
}

/// The order's claim still waiting for the provider, if any (at most one: a claim is refused while another
/// waits).
pub async fn pending_of(conn: &mut AnyConnection, order_id: i64) -> Result<Option<(String, Claim)>, sqlx::Error> {
    let row: Option<PendingRow> = sqlx::query_as(
        "SELECT id, form_key, amount FROM order_refunds WHERE order_id = $1 AND state = 'pending' ORDER BY id LIMIT 1",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| {
        let claim = Claim {
            id: r.id,
            order_id,
            amount: r.amount,
        };
        (r.form_key, claim)
    }))
}

/// An order's money as a claim needs it, read after its row is held.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Figures {
    total: i64,
    refunded: i64,
    shipping_amount: i64,
    items_total: i64,
    units_shipped: i64,
    currency: String,
    shipping_refunded: i64,
}

async fn figures(conn: &mut AnyConnection, order_id: i64) -> Result<Figures, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.total AS total, o.refunded AS refunded, o.shipping_amount AS shipping_amount, \
         o.items_total AS items_total, o.units_shipped AS units_shipped, g.currency AS currency, \
         (SELECT CAST(COALESCE(SUM(r.shipping), 0) AS BIGINT) FROM order_refunds r WHERE r.order_id = o.id) \
         AS shipping_refunded FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await
}

/// Claims `request` on order `order_id` (whose store the caller checked may be changed by its actor) in the
/// caller's transaction. Returns an error, having written what the transaction must roll back, when the order can
/// no longer change this way, a line has fewer units left than asked, or the amount is more than is left.
pub async fn claim(
    conn: &mut AnyConnection,
    order_id: i64,
    request: &RefundRequest,
    user_id: Option<i64>,
) -> Result<Claimed, OrderError> {
    // The order's row first, whatever its status: a claim waiting for the provider is found under it.
    lifecycle::hold(conn, order_id).await?;
    if let Some((key, pending)) = pending_of(conn, order_id).await? {
        return Ok(if key == request.key {
            Claimed::Resumed(pending)
        } else {
            Claimed::Earlier(pending)
        });
    }
    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM order_refunds WHERE order_id = $1 AND form_key = $2")
        .bind(order_id)
        .bind(&request.key)
        .fetch_optional(&mut *conn)
        .await?;
    if known.is_some() {
        return Ok(Claimed::AlreadyRecorded);
    }
    // Under the order's row, which a replacement of the return takes too: one of them closes it.
    if let Some(return_id) = request.for_return {
        if !super::returns::is_received(conn, order_id, return_id).await? {
            return Err(OrderError::NotAllowed(
                "This return is not received, or it was closed meanwhile: open the order again.".into(),
            ));
        }
    }
    let verb = if request.kind == RefundKind::Cancel {
        "cancelled"
    } else {
        "refunded"
    };
    if !lifecycle::hold_if(conn, order_id, request.kind.allowed()).await? {
        return Err(OrderError::NotAllowed(format!(
            "This order cannot be {verb} any more: open it again to see what changed."
        )));
    }
    let money = figures(conn, order_id).await?;
    if request.whole_order && money.units_shipped > 0 {
        return Err(OrderError::NotAllowed(
            "This order cannot be cancelled whole any more: part of it has shipped.".into(),
        ));
    }
    let Some(id) = insert_claim(conn, order_id, request, user_id).await? else {
        return Ok(Claimed::AlreadyRecorded);
    };
    let lines = if request.whole_order {
        open_units(conn, order_id).await?
    } else {
        request.lines.clone()
    };
    let mut value = 0;
    for &(variant, units) in &lines {
        value += take_units(conn, order_id, id, request.kind, variant, units).await?;
    }
    let amount = amount_of(conn, order_id, request, &money, value).await?;
    claim_money(conn, order_id, id, &amount, &money).await?;
    Ok(Claimed::New(Claim {
        id,
        order_id,
        amount: amount.total,
    }))
}

/// Inserts the claim's row (pending, its amount still 0) unless the form's key made one already: its id.
async fn insert_claim(
    conn: &mut AnyConnection,
    order_id: i64,
    request: &RefundRequest,
    user_id: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    let id = next_id();
    let inserted = sqlx::query(
        "INSERT INTO order_refunds (id, order_id, form_key, kind, amount, shipping, reason, restock, state, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, 0, $5, $6, 'pending', $7, $8, $8) \
         ON CONFLICT (order_id, form_key) DO NOTHING",
    )
    .bind(id)
    .bind(order_id)
    .bind(&request.key)
    .bind(request.kind.as_str())
    .bind(request.reason.as_str())
    .bind(i64::from(request.restock))
    .bind(user_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok((inserted == 1).then_some(id))
}

/// Raises the order's refunded total by the claim's amount if it stays within what was paid, and writes the
/// amount on the claim; refused (for the caller's transaction to roll back) when it would not.
async fn claim_money(
    conn: &mut AnyConnection,
    order_id: i64,
    claim_id: i64,
    amount: &Amount,
    money: &Figures,
) -> Result<(), OrderError> {
    let claimed = sqlx::query(
        "UPDATE orders SET refunded = refunded + $1, updated_at = $2 WHERE id = $3 AND refunded + $1 <= total",
    )
    .bind(amount.total)
    .bind(now_ms())
    .bind(order_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if claimed == 0 {
        let left = Money::new(money.total - money.refunded, money.currency.as_str());
        return Err(OrderError::Invalid(vec![FieldError::new(
            "amount",
            format!("At most {} can still be refunded on this order.", left.display()),
        )]));
    }
    sqlx::query("UPDATE order_refunds SET amount = $1, shipping = $2 WHERE id = $3")
        .bind(amount.total)
        .bind(amount.shipping)
        .bind(claim_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Every line's units still to ship.
async fn open_units(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT variant_id, quantity - shipped - cancelled FROM order_lines \
         WHERE order_id = $1 AND quantity - shipped - cancelled > 0 ORDER BY variant_id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await
}

/// Takes `units` of the order's line of `variant` into refund `refund_id`: for a cancellation from the units left
/// to ship, for a refund from the shipped units not refunded yet. Returns their price (unit price × units).
async fn take_units(
    conn: &mut AnyConnection,
    order_id: i64,
    refund_id: i64,
    kind: RefundKind,
    variant: i64,
    units: i64,
) -> Result<i64, OrderError> {
    let take = match kind {
        RefundKind::Cancel => LineTake {
            change: "cancelled = cancelled + $1, refunded = refunded + $1 \
                     WHERE order_id = $2 AND variant_id = $3 AND shipped + cancelled + $1 <= quantity",
            left: "quantity - shipped - cancelled",
            what: "to cancel",
        },
        RefundKind::Refund => LineTake {
            change: "refunded = refunded + $1 \
                     WHERE order_id = $2 AND variant_id = $3 AND refunded - cancelled + $1 <= shipped",
            left: "shipped - refunded + cancelled",
            what: "shipped and not refunded",
        },
    };
    let (_, unit_price) = take.apply(conn, order_id, variant, units).await?;
    sqlx::query("INSERT INTO order_refund_lines (refund_id, variant_id, quantity) VALUES ($1, $2, $3)")
        .bind(refund_id)
        .bind(variant)
        .bind(units)
        .execute(&mut *conn)
        .await?;
    Ok(unit_price * units)
}

/// A claim's amount, and of it the shipping.
struct Amount {
    total: i64,
    shipping: i64,
}

/// What the units of a claim (`value` at their unit prices) and its shipping come to. Units are worth their share
/// of what was paid for the goods (discount and tax included), rounded down, and the last units refunded are worth
/// what is left of it, so the parts add up to the whole to the cent. Cancelling every unit of an order nothing of
/// which shipped gives its shipping back too.
async fn amount_of(
    conn: &mut AnyConnection,
    order_id: i64,
    request: &RefundRequest,
    money: &Figures,
    value: i64,
) -> Result<Amount, OrderError> {
    let (units_not_refunded, units_not_cancelled): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(quantity - refunded), 0) AS BIGINT), \
         CAST(COALESCE(SUM(quantity - cancelled), 0) AS BIGINT) FROM order_lines WHERE order_id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    let goods_paid = money.total - money.shipping_amount;
    let goods_refunded = money.refunded - money.shipping_refunded;
    let shipping_left = money.shipping_amount - money.shipping_refunded;
    let goods = if value == 0 {
        0
    } else if units_not_refunded == 0 {
        (goods_paid - goods_refunded).max(0)
    } else if money.items_total > 0 {
        let share = i128::from(value) * i128::from(goods_paid) / i128::from(money.items_total);
        i64::try_from(share)
            .unwrap_or(i64::MAX)
            .min((goods_paid - goods_refunded).max(0))
    } else {
        0
    };
    let shipping = match request.kind {
        RefundKind::Cancel if units_not_cancelled == 0 => shipping_left,
        RefundKind::Cancel => 0,
        RefundKind::Refund if request.shipping > shipping_left => {
            let left = Money::new(shipping_left, money.currency.as_str());
            return Err(OrderError::Invalid(vec![FieldError::new(
                "shipping",
                format!("At most {} of shipping is left to refund.", left.display()),
            )]));
        }
        RefundKind::Refund => request.shipping,
    };
    // What the units and shipping come to never asks for more than is left (an amount typed earlier may have
    // refunded part of them); an amount typed now is checked against what is left by the claim.
    let computed = (goods + shipping).min(money.total - money.refunded).max(0);
    Ok(Amount {
        total: request.amount.unwrap_or(computed),
        shipping: shipping.min(request.amount.unwrap_or(computed)),
    })
}

/// Undoes a claim the provider refused (never one it could not be asked about: that one may have been made, and is
/// asked again under its key): its units and amount are the order's again, and the timeline says so.
/// Conditional on the claim still pending, so it is undone once.
pub async fn abandon(conn: &mut AnyConnection, claim: &Claim) -> Result<(), sqlx::Error> {
    lifecycle::hold(conn, claim.order_id).await?;
    let lines: Vec<(i64, i64)> =
        sqlx::query_as("SELECT variant_id, quantity FROM order_refund_lines WHERE refund_id = $1")
            .bind(claim.id)
            .fetch_all(&mut *conn)
            .await?;
    let kind: Option<String> =
        sqlx::query_scalar("DELETE FROM order_refunds WHERE id = $1 AND state = 'pending' RETURNING kind")
            .bind(claim.id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(kind) = kind else {
        return Ok(());
    };
    let undo = match RefundKind::parse(&kind) {
        RefundKind::Cancel => "cancelled = cancelled - $1, refunded = refunded - $1",
        RefundKind::Refund => "refunded = refunded - $1",
    };
    for (variant, units) in lines {
        sqlx::query(&format!(
            "UPDATE order_lines SET {undo} WHERE order_id = $2 AND variant_id = $3"
        ))
        .bind(units)
        .bind(claim.order_id)
        .bind(variant)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE orders SET refunded = refunded - $1, updated_at = $2 WHERE id = $3")
        .bind(claim.amount)
        .bind(now_ms())
        .bind(claim.order_id)
        .execute(&mut *conn)
        .await?;
    let note = "The payment provider did not make the refund: nothing was refunded and nothing changed.";
    lifecycle::note_event(conn, claim.order_id, status::REFUND_FAILED, note).await
}

/// A line's units a completed refund gave back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefundedLine {
    pub variant_id: i64,
    pub quantity: i64,
    pub title: String,
    pub variant: String,
}

impl RefundedLine {
    /// "2 × Copper kettle (Large)".
    pub fn described(&self) -> String {
        let variant = if self.variant.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.variant)
        };
        format!("{} × {}{variant}", self.quantity, self.title)
    }
}

/// What a completed refund did: for the shopper's email and the stock.
#[derive(Debug, Clone)]
pub struct Completed {
    pub kind: RefundKind,
    pub amount: Money,
    pub shipping: Money,
    pub reason: RefundReason,
    pub restock: bool,
    pub lines: Vec<RefundedLine>,
    /// The order's status when the refund changed it (cancelled, refunded, shipped).
    pub became: Option<OrderStatus>,
    /// The order's status before it, and what of the order was refunded with it (this refund included).
    pub was: String,
    pub order_refunded: Money,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct CompletedRow {
    kind: String,
    reason: String,
    restock: i64,
    shipping: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct OrderAfter {
    status: String,
    total: i64,
    refunded: i64,
    units_shipped: i64,
    units_left: i64,
    currency: String,
}

/// Completes a claim the provider made: the claim is marked made (once: of racing requests one completes it), and
/// the order's status and timeline say what changed. `None`: completed already.
pub async fn complete(conn: &mut AnyConnection, claim: &Claim, by: &str) -> Result<Option<Completed>, sqlx::Error> {
    // The order's row before the claim's, as a claim takes them: a claim waiting on this one's row while this
    // waits on the order would be a deadlock.
    lifecycle::hold(conn, claim.order_id).await?;
    let row: Option<CompletedRow> = sqlx::query_as(
        "UPDATE order_refunds SET state = 'succeeded', updated_at = $1 WHERE id = $2 AND state = 'pending' \
         RETURNING kind, reason, restock, shipping",
    )
    .bind(now_ms())
    .bind(claim.id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    // In variant order: the stock rows they go back to are locked in the order every checkout locks them.
    let lines: Vec<RefundedLine> = sqlx::query_as(
        "SELECT rl.variant_id AS variant_id, rl.quantity AS quantity, l.title AS title, l.variant AS variant \
         FROM order_refund_lines rl JOIN order_lines l ON l.order_id = $1 AND l.variant_id = rl.variant_id \
         WHERE rl.refund_id = $2 ORDER BY rl.variant_id",
    )
    .bind(claim.order_id)
    .bind(claim.id)
    .fetch_all(&mut *conn)
    .await?;
    let after: OrderAfter = sqlx::query_as(
        "SELECT o.status AS status, o.total AS total, o.refunded AS refunded, o.units_shipped AS units_shipped, \
         g.currency AS currency, \
         (SELECT CAST(COALESCE(SUM(l.quantity - l.shipped - l.cancelled), 0) AS BIGINT) FROM order_lines l \
         WHERE l.order_id = o.id) AS units_left FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE o.id = $1",
    )
    .bind(claim.order_id)
    .fetch_one(&mut *conn)
    .await?;
    let money = |amount: i64| Money::new(amount, after.currency.as_str());
    let done = Completed {
        kind: RefundKind::parse(&row.kind),
        amount: money(claim.amount),
        shipping: money(row.shipping),
        reason: RefundReason::parse(&row.reason).unwrap_or(RefundReason::Other),
        restock: row.restock == 1,
        lines,
        became: None,
        was: after.status.clone(),
        order_refunded: money(after.refunded),
    };
    let note = done.note(by);
    let became = if after.units_shipped == 0 && after.units_left == 0 {
        Some(OrderStatus::Cancelled)
    } else if after.refunded >= after.total && after.units_left == 0 {
        // Everything paid went back and nothing more is to ship. (An amount typed to refund it all while units
        // are still to ship leaves them to ship: the seller cancels them if they will not go.)
        Some(OrderStatus::Refunded)
    } else if after.units_left == 0 {
        Some(OrderStatus::Shipped)
    } else {
        None
    };
    let moved = match became {
        Some(OrderStatus::Refunded) => lifecycle::end_refunded(conn, claim.order_id, &note).await?,
        Some(to) => lifecycle::transition(conn, claim.order_id, to, &note).await?,
        None => false,
    };
    if !moved {
        let kind = if done.kind == RefundKind::Cancel {
            status::ITEMS_CANCELLED
        } else {
            OrderStatus::PartiallyRefunded.as_str()
        };
        lifecycle::note_event(conn, claim.order_id, kind, &note).await?;
    }
    let became = became.filter(|_| moved);
    Ok(Some(Completed { became, ..done }))
}

impl Completed {
    /// What went back: "2 × Copper kettle (Large), shipping ($4.00)", or "an amount".
    pub fn what(&self) -> String {
        let mut what: Vec<String> = self.lines.iter().map(RefundedLine::described).collect();
        if self.shipping.amount > 0 {
            what.push(format!("shipping ({})", self.shipping.display()));
        }
        if what.is_empty() {
            "an amount".to_string()
        } else {
            what.join(", ")
        }
    }

    /// The timeline's note: what went back, how much, why, and who did it.
    fn note(&self, by: &str) -> String {
        let what = self.what();
        let verb = if self.kind == RefundKind::Cancel {
            "Cancelled"
        } else {
            "Refunded"
        };
        format!(
            "{verb} by {by}: {what}; {} back to the shopper's card. Reason: {}.",
            self.amount.display(),
            self.reason.label()
        )
    }
}
