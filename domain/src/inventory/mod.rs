//! Stock reservations. Placing an order takes the units out of `stock.available` with a conditional decrement
//! (`available >= n` in the UPDATE's WHERE), so two checkouts can never both take the last unit, on either
//! database, and `available` never goes negative. The one exception is a variant its seller lets keep selling
//! when out of stock (backorders): once its stock is gone, the units it sells are taken from the store's default
//! warehouse all the same, whose figure goes below zero by what it owes. The units are then:
//! committed when the payment succeeds, released (given back) on expiry, failure or cancellation before
//! payment, and restocked when a paid order is cancelled or refunded.
//!
//! The inventory context owns `stock` (units per variant per warehouse) and `reservations`. Reservation functions
//! take the caller's transaction: a reservation is part of the use case that makes it.

pub mod back_in_stock;
pub mod levels;
pub mod movements;
pub mod put_back;
pub mod replacement;

use model::FieldError;
use sqlx::AnyConnection;

use movements::{Movement, Reason};

use crate::platform::ids::next_id;

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("invalid stock change")]
    Invalid(Vec<FieldError>),
    /// No such variant or warehouse, or not the actor's store.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<InventoryError> for crate::platform::Problem {
    fn from(err: InventoryError) -> Self {
        use crate::platform::Problem;
        match err {
            InventoryError::Invalid(fields) => Problem::Invalid(fields),
            InventoryError::NotFound => Problem::NotFound,
            InventoryError::Db(e) => e.into(),
        }
    }
}

/// Where a reservation's units are: the `state` column of `reservations` (a CHECK constraint lists the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReservationState {
    /// Taken from `stock.available` for an order awaiting payment.
    Held,
    /// Sold: the payment succeeded.
    Committed,
    /// Given back before payment (expiry, failure, cancellation).
    Released,
    /// Given back after payment (a paid order cancelled or refunded).
    Restocked,
}

impl ReservationState {
    pub const ALL: [ReservationState; 4] = [
        ReservationState::Held,
        ReservationState::Committed,
        ReservationState::Released,
        ReservationState::Restocked,
    ];

    /// The spelling stored in the database: `held`, `committed`, `released`, `restocked`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReservationState::Held => "held",
            ReservationState::Committed => "committed",
            ReservationState::Released => "released",
            ReservationState::Restocked => "restocked",
        }
    }

    pub fn parse(text: &str) -> Option<ReservationState> {
        ReservationState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Not enough units of a variant: how many there are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldOut {
    pub variant_id: i64,
    pub available: i64,
}

/// Takes `quantity` units of a variant for an order, from the warehouses holding most first (splitting across
/// them when one is not enough). On `Err` some warehouses may already have been decremented: the caller must roll
/// its transaction back, which every caller does by returning the error.
pub async fn reserve(
    conn: &mut AnyConnection,
    group_id: i64,
    order_id: i64,
    variant_id: i64,
    quantity: i64,
    expires_at: i64,
) -> Result<Result<(), SoldOut>, sqlx::Error> {
    let warehouses: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT warehouse_id, available FROM stock WHERE variant_id = $1 AND available > 0 \
         ORDER BY available DESC, warehouse_id",
    )
    .bind(variant_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut remaining = quantity;
    for (warehouse_id, available) in warehouses {
        if remaining == 0 {
            break;
        }
        let take = available.min(remaining);
        // The guard that makes overselling impossible: the row changes only if the units are still there when
        // this statement runs (PostgreSQL re-checks it after waiting for a concurrent writer's lock).
        let taken: Option<i64> = sqlx::query_scalar(
            "UPDATE stock SET available = available - $1 WHERE variant_id = $2 AND warehouse_id = $3 AND available >= $1 \
             RETURNING available",
        )
        .bind(take)
        .bind(variant_id)
        .bind(warehouse_id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(level_after) = taken {
            let held = Held {
                group_id,
                order_id,
                variant_id,
                warehouse_id,
                quantity: take,
                expires_at,
            };
            held.record(conn, level_after).await?;
            remaining -= take;
        }
    }
    if remaining > 0 {
        if let Some(warehouse_id) = backorder_warehouse(conn, variant_id).await? {
            let held = Held {
                group_id,
                order_id,
                variant_id,
                warehouse_id,
                quantity: remaining,
                expires_at,
            };
            held.backorder(conn).await?;
            remaining = 0;
        }
    }
    if remaining > 0 {
        return Ok(Err(SoldOut {
            variant_id,
            available: quantity - remaining,
        }));
    }
    Ok(Ok(()))
}

/// Units of one variant in one warehouse held for an order.
struct Held {
    group_id: i64,
    order_id: i64,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i64,
    expires_at: i64,
}

impl Held {
    /// The reservation and its movement, once the units are taken from `stock` (`level_after` is what is left).
    async fn record(&self, conn: &mut AnyConnection, level_after: i64) -> Result<(), sqlx::Error> {
        movements::record(
            conn,
            Movement {
                variant_id: self.variant_id,
                warehouse_id: self.warehouse_id,
                delta: -self.quantity,
                level_after,
                reason: Reason::Reserved,
                user_id: None,
                group_id: Some(self.group_id),
            },
        )
        .await?;
        sqlx::query(
            "INSERT INTO reservations (id, group_id, order_id, variant_id, warehouse_id, quantity, state, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(next_id())
        .bind(self.group_id)
        .bind(self.order_id)
        .bind(self.variant_id)
        .bind(self.warehouse_id)
        .bind(self.quantity)
        .bind(ReservationState::Held.as_str())
        .bind(self.expires_at)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Takes units there are not (a keep-selling variant, once its stock is gone): the warehouse's figure goes
    /// below zero by them, unconditionally, so concurrent orders each count theirs. Released or restocked, they
    /// come back like any others. The schema's floor (the most a warehouse keeps, below zero) stops a runaway.
    async fn backorder(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let level_after: i64 = sqlx::query_scalar(
            "INSERT INTO stock (variant_id, warehouse_id, available) VALUES ($1, $2, 0 - $3) \
             ON CONFLICT (variant_id, warehouse_id) DO UPDATE SET available = stock.available - $3 RETURNING available",
        )
        .bind(self.variant_id)
        .bind(self.warehouse_id)
        .bind(self.quantity)
        .fetch_one(&mut *conn)
        .await?;
        self.record(conn, level_after).await
    }
}

/// Where a variant's units sold beyond stock are counted: the store's default warehouse (else its first), when the
/// variant keeps selling when out of stock in a store that allows backorders; `None` otherwise.
async fn backorder_warehouse(conn: &mut AnyConnection, variant_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COALESCE(s.default_warehouse_id, (SELECT w.id FROM warehouses w WHERE w.seller_id = s.id \
         ORDER BY w.created_at, w.id LIMIT 1)) FROM variants v JOIN sellers s ON s.id = v.seller_id \
         WHERE v.id = $1 AND v.keep_selling = 1 AND s.backorders = 1",
    )
    .bind(variant_id)
    .fetch_optional(&mut *conn)
    .await
    .map(Option::flatten)
}

/// Moves a group's reservations from `from` to `to` and gives their units back to `stock`. Each row
/// changes state with a conditional UPDATE, so a reservation is given back at most once even when an expiry
/// sweep and a cancellation race. Returns the number of units moved.
async fn settle(
    conn: &mut AnyConnection,
    group_id: i64,
    order_id: Option<i64>,
    from: ReservationState,
    to: ReservationState,
) -> Result<i64, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Held {
        id: i64,
        variant_id: i64,
        warehouse_id: i64,
    }
    let rows: Vec<Held> = sqlx::query_as(
        "SELECT id, variant_id, warehouse_id FROM reservations \
         WHERE group_id = $1 AND state = $2 AND ($3 = 0 OR order_id = $3) ORDER BY variant_id, warehouse_id",
    )
    .bind(group_id)
    .bind(from.as_str())
    .bind(order_id.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    let mut moved = 0;
    for Held {
        id,
        variant_id,
        warehouse_id,
    } in rows
    {
        // What is left to give is read as the row is changed (a line's units given back meanwhile count).
        let left: Option<i64> = sqlx::query_scalar(
            "UPDATE reservations SET state = $1 WHERE id = $2 AND state = $3 RETURNING quantity - given_back",
        )
        .bind(to.as_str())
        .bind(id)
        .bind(from.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(quantity) = left {
            let reason = if to == ReservationState::Restocked {
                Reason::Restocked
            } else {
                Reason::Released
            };
            let back = put_back::Units {
                variant_id,
                warehouse_id,
                units: quantity,
                reason,
                user_id: None,
                group_id,
            };
            put_back::put_back(conn, &back).await?;
            moved += quantity;
        }
    }
    Ok(moved)
}

/// Payment succeeded: the held units are sold. Nothing goes back to `stock`, so one statement does it; returns the
/// number of reservations committed.
pub async fn commit(conn: &mut AnyConnection, group_id: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE reservations SET state = $1 WHERE group_id = $2 AND state = $3")
            .bind(ReservationState::Committed.as_str())
            .bind(group_id)
            .bind(ReservationState::Held.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

/// Expiry, payment failure or cancellation before payment: the held units go back on sale.
pub async fn release(conn: &mut AnyConnection, group_id: i64) -> Result<i64, sqlx::Error> {
    settle(conn, group_id, None, ReservationState::Held, ReservationState::Released).await
}

/// A paid seller order is cancelled or refunded in full: its sold units go back on sale.
pub async fn restock(conn: &mut AnyConnection, group_id: i64, order_id: i64) -> Result<i64, sqlx::Error> {
    settle(
        conn,
        group_id,
        Some(order_id),
        ReservationState::Committed,
        ReservationState::Restocked,
    )
    .await
}

/// Products whose stock a group's reservations touch (for the search outbox).
pub async fn products_of(conn: &mut AnyConnection, group_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT v.product_id FROM reservations r JOIN variants v ON v.id = r.variant_id WHERE r.group_id = $1",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await
}

/// Units of a variant held for orders still being paid (in any warehouse).
pub async fn held_units(conn: &mut AnyConnection, variant_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM reservations WHERE variant_id = $1 AND state = $2",
    )
    .bind(variant_id)
    .bind(ReservationState::Held.as_str())
    .fetch_one(&mut *conn)
    .await
}

/// The first counts of new variants, `(variant, warehouse, units)`: one statement per 500 (a catalog import
/// creates thousands), each count above zero recorded as a movement by `user_id`.
pub async fn start_counts(
    conn: &mut AnyConnection,
    counts: &[(i64, i64, i64)],
    user_id: Option<i64>,
    reason: Reason,
) -> Result<(), sqlx::Error> {
    for chunk in counts.chunks(500) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3))
            .collect();
        let sql = format!(
            "INSERT INTO stock (variant_id, warehouse_id, available) VALUES {} \
             ON CONFLICT (variant_id, warehouse_id) DO UPDATE SET available = excluded.available",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (variant, warehouse, units) in chunk {
            query = query.bind(*variant).bind(*warehouse).bind(*units);
        }
        query.execute(&mut *conn).await?;
    }
    let moves: Vec<Movement> = counts
        .iter()
        .filter(|(_, _, units)| *units != 0)
        .map(|(variant_id, warehouse_id, units)| Movement {
            variant_id: *variant_id,
            warehouse_id: *warehouse_id,
            delta: *units,
            level_after: *units,
            reason,
            user_id,
            group_id: None,
        })
        .collect();
    movements::record_all(conn, &moves).await
}

/// The seller's count of a variant in a warehouse, written only where it moved from what the seller saw
/// (`was`; `None` for a new variant): a conditional update, so an order placed meanwhile is never overwritten.
/// Answers `Err(now)` with the units stored now when someone else changed them first. A change is recorded as a
/// movement by `user_id`.
pub async fn set_counted(
    conn: &mut AnyConnection,
    variant_id: i64,
    warehouse_id: i64,
    units: i64,
    was: Option<i64>,
    user_id: Option<i64>,
    reason: Reason,
) -> Result<Result<(), i64>, sqlx::Error> {
    let before = match was {
        Some(was) if was == units => return Ok(Ok(())),
        Some(was) => {
            let done = sqlx::query(
                "UPDATE stock SET available = $1 WHERE variant_id = $2 AND warehouse_id = $3 AND available = $4",
            )
            .bind(units)
            .bind(variant_id)
            .bind(warehouse_id)
            .bind(was)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                let now = stored_units(conn, variant_id, warehouse_id).await?;
                match now {
                    // No row yet reads as 0 units: the seller's figure starts the row.
                    None if was == 0 => {
                        sqlx::query("INSERT INTO stock (variant_id, warehouse_id, available) VALUES ($1, $2, $3)")
                            .bind(variant_id)
                            .bind(warehouse_id)
                            .bind(units)
                            .execute(&mut *conn)
                            .await?;
                    }
                    now => return Ok(Err(now.unwrap_or(0))),
                }
            }
            was
        }
        None => {
            start_counts(conn, &[(variant_id, warehouse_id, units)], user_id, reason).await?;
            return Ok(Ok(()));
        }
    };
    if units != before {
        movements::record(
            conn,
            Movement {
                variant_id,
                warehouse_id,
                delta: units - before,
                level_after: units,
                reason,
                user_id,
                group_id: None,
            },
        )
        .await?;
    }
    Ok(Ok(()))
}

/// The most units a warehouse keeps of one variant (and the most one adjustment moves): a figure past it is a
/// typo, and the product form could not show it back.
pub const UNITS_MAX: i64 = 1_000_000;

/// A seller's adjustment of one variant in one warehouse: `delta` units (received +, damaged −…), or the
/// `counted` figure. A conditional update: units never go below zero nor above [`UNITS_MAX`], and an order
/// placed meanwhile is counted in. Returns the warehouse's units before and after it (`Err(now)`: removing more
/// than there are, or adding past the most a warehouse keeps).
pub async fn adjust(
    conn: &mut AnyConnection,
    variant_id: i64,
    warehouse_id: i64,
    change: Change,
    user_id: Option<i64>,
) -> Result<Result<(i64, i64), i64>, sqlx::Error> {
    if stored_units(conn, variant_id, warehouse_id).await?.is_none() {
        sqlx::query("INSERT INTO stock (variant_id, warehouse_id, available) VALUES ($1, $2, 0)")
            .bind(variant_id)
            .bind(warehouse_id)
            .execute(&mut *conn)
            .await?;
    }
    let (before, after, reason) = match change {
        Change::By { delta, reason } => {
            // Units owed (below zero, backorders) may be received; nothing may be taken out below zero.
            let after: Option<i64> = sqlx::query_scalar(
                "UPDATE stock SET available = available + $1 WHERE variant_id = $2 AND warehouse_id = $3 \
                 AND (available + $1 >= 0 OR $1 > 0) AND available + $1 <= $4 RETURNING available",
            )
            .bind(delta)
            .bind(variant_id)
            .bind(warehouse_id)
            .bind(UNITS_MAX)
            .fetch_optional(&mut *conn)
            .await?;
            match after {
                Some(after) => (after - delta, after, reason),
                None => return Ok(Err(units_in(conn, variant_id, warehouse_id).await?)),
            }
        }
        Change::CountedAt(counted) => {
            // Set only over the figure just read: an order between the read and the write makes it read again.
            let mut attempt = 0;
            loop {
                let before = units_in(conn, variant_id, warehouse_id).await?;
                let set: Option<i64> = sqlx::query_scalar(
                    "UPDATE stock SET available = $1 WHERE variant_id = $2 AND warehouse_id = $3 AND available = $4 \
                     RETURNING available",
                )
                .bind(counted)
                .bind(variant_id)
                .bind(warehouse_id)
                .bind(before)
                .fetch_optional(&mut *conn)
                .await?;
                if let Some(after) = set {
                    break (before, after, Reason::Count);
                }
                attempt += 1;
                if attempt == 5 {
                    return Ok(Err(units_in(conn, variant_id, warehouse_id).await?));
                }
            }
        }
    };
    if after != before {
        movements::record(
            conn,
            Movement {
                variant_id,
                warehouse_id,
                delta: after - before,
                level_after: after,
                reason,
                user_id,
                group_id: None,
            },
        )
        .await?;
    }
    Ok(Ok((before, after)))
}

/// A warehouse's units of a variant; `None` when it has no row for it yet.
async fn stored_units(
    conn: &mut AnyConnection,
    variant_id: i64,
    warehouse_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT available FROM stock WHERE variant_id = $1 AND warehouse_id = $2")
        .bind(variant_id)
        .bind(warehouse_id)
        .fetch_optional(&mut *conn)
        .await
}

async fn units_in(conn: &mut AnyConnection, variant_id: i64, warehouse_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT available FROM stock WHERE variant_id = $1 AND warehouse_id = $2")
        .bind(variant_id)
        .bind(warehouse_id)
        .fetch_one(&mut *conn)
        .await
}

/// What a seller's adjustment does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    By { delta: i64, reason: Reason },
    CountedAt(i64),
}

impl From<crate::platform::actor::NotFound> for InventoryError {
    fn from(_: crate::platform::actor::NotFound) -> Self {
        InventoryError::NotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservation_states_round_trip_through_their_stored_spelling() {
        for state in ReservationState::ALL {
            assert_eq!(ReservationState::parse(state.as_str()), Some(state));
        }
        assert_eq!(ReservationState::parse("sold"), None);
    }
}
