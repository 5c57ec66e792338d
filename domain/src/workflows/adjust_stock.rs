//! A seller's stock adjustment (inventory) with its movement, the low-stock alert it may trigger
//! (notifications) and the outbox row (search, page cache), in one transaction. Also the alert check the other
//! stock-changing workflows run after their changes.

use sqlx::AnyConnection;

use crate::inventory::movements::{self, Reason};
use crate::inventory::{self, Change, InventoryError};
use crate::notifications::{self, templates};
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::{outbox, Actor, Db};
use model::admin::AuditAction;
use model::FieldError;

pub use crate::inventory::UNITS_MAX;

/// What the stock screen's row form sends, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Adjustment {
    pub variant_id: i64,
    pub warehouse_id: i64,
    pub units: String,
    /// received, damaged, count or returned.
    pub reason: String,
    /// `change` (add or remove `units`) or `count` (`units` is the counted figure).
    pub mode: String,
}

fn invalid(message: impl Into<String>) -> InventoryError {
    InventoryError::Invalid(vec![FieldError::new("units", message)])
}

/// The change a form asks for, as typed: the units and the change they make (added or removed with a reason,
/// or a counted figure).
fn typed_change(a: &Adjustment) -> Result<(i64, Change), InventoryError> {
    let units: i64 = a
        .units
        .trim()
        .trim_start_matches('+')
        .parse()
        .map_err(|_| invalid("Enter a whole number of units, like 5 or -2."))?;
    let change = if a.mode == "count" {
        if !(0..=UNITS_MAX).contains(&units) {
            return Err(invalid(format!("A counted figure is from 0 to {UNITS_MAX}.")));
        }
        Change::CountedAt(units)
    } else {
        if units == 0 || units.abs() > UNITS_MAX {
            return Err(invalid(format!(
                "Enter how many units to add (5) or remove (-2), at most {UNITS_MAX}."
            )));
        }
        let reason = Reason::for_seller(&a.reason)
            .filter(|r| *r != Reason::Count)
            .ok_or_else(|| InventoryError::Invalid(vec![FieldError::new("reason", "Choose why the stock changed.")]))?;
        // A reason says which way units go: "damaged +5" is a slip, not an addition.
        match reason {
            Reason::Damaged if units > 0 => {
                return Err(invalid(format!(
                    "Damaged units are removed: enter -{units}, or choose another reason."
                )))
            }
            Reason::Received | Reason::Returned if units < 0 => {
                return Err(invalid(format!(
                    "{} units are added: enter {}, or choose Damaged to remove units.",
                    if reason == Reason::Received {
                        "Received"
                    } else {
                        "Returned"
                    },
                    -units
                )))
            }
            _ => {}
        }
        Change::By { delta: units, reason }
    };
    Ok((units, change))
}

/// Applies the actor's adjustment to a variant of their own store. Returns the warehouse's units after it.
pub async fn adjust_stock(db: &Db, actor: &Actor, a: &Adjustment) -> Result<i64, InventoryError> {
    let store = actor.own_store()?;
    let (units, change) = typed_change(a)?;
    let mut tx = db.begin_write().await?;
    let found: Option<Adjusted> = sqlx::query_as(
        "SELECT v.product_id, v.sku, w.name AS warehouse FROM variants v JOIN products p ON p.id = v.product_id \
         JOIN warehouses w ON w.seller_id = p.seller_id WHERE v.id = $1 AND w.id = $2 AND p.seller_id = $3",
    )
    .bind(a.variant_id)
    .bind(a.warehouse_id)
    .bind(store)
    .fetch_optional(&mut *tx)
    .await?;
    let found = found.ok_or(InventoryError::NotFound)?;
    let product = found.product_id;
    let (before, after) =
        match inventory::adjust(&mut tx, a.variant_id, a.warehouse_id, change, actor.user_id()).await? {
            Ok(moved) => moved,
            Err(now) if units > 0 && a.mode != "count" => {
                return Err(invalid(format!(
                    "This warehouse has {now} units; {units} more would pass the most it keeps of one variant \
                 ({UNITS_MAX})."
                )))
            }
            Err(now) => {
                return Err(invalid(format!(
                    "This warehouse has {now} units; you cannot remove more than that."
                )))
            }
        };
    alert_if_low(&mut tx, a.variant_id).await?;
    outbox::product_changed(&mut tx, product).await?;
    let reason = match change {
        Change::By { reason, .. } => movements::Reason::label(reason.as_str()),
        Change::CountedAt(_) => "Counted",
    };
    let entry = Entry::new(
        AuditAction::StockAdjusted,
        Subject::new("variant", a.variant_id, &found.sku),
    )
    .store(store)
    .change(&format!("stock in {}", found.warehouse), before, after)
    .reason(reason);
    // A count that found the figure it was changes nothing and records nothing.
    if !entry.changes.is_empty() {
        audit::record(&mut tx, actor, &entry).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// The variant and warehouse an adjustment names, found in the actor's store.
#[derive(sqlx::FromRow)]
struct Adjusted {
    product_id: i64,
    sku: String,
    warehouse: String,
}

/// Emails the store when `variant_id` has just fallen to or below its threshold: once per crossing (the
/// inventory keeps the alert until the units rise above the threshold again).
pub async fn alert_if_low(conn: &mut AnyConnection, variant_id: i64) -> Result<(), sqlx::Error> {
    if let Some(low) = movements::crossing(conn, variant_id).await? {
        let mail = templates::low_stock(&low.to, &low.title, &low.sku, low.available, low.threshold);
        let key = format!("low-stock:{}:{}", low.variant_id, crate::platform::ids::next_id());
        notifications::enqueue(conn, &key, &mail).await?;
    }
    Ok(())
}
