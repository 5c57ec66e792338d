//! Sold units going back on sale: a whole order's (its reservations restocked, in `settle`) or a line's units at
//! a time (items cancelled before they shipped, returned units restocked), each with its movement.

use sqlx::AnyConnection;

use super::movements::{self, Movement, Reason};
use super::ReservationState;

/// Units going back into one warehouse's stock.
#[derive(Debug, Clone, Copy)]
pub(super) struct Units {
    pub variant_id: i64,
    pub warehouse_id: i64,
    pub units: i64,
    pub reason: Reason,
    pub user_id: Option<i64>,
    pub group_id: i64,
}

/// Adds the units to the warehouse's stock and records the movement. A variant deleted since has no stock row to
/// give back to: nothing moves.
pub(super) async fn put_back(conn: &mut AnyConnection, back: &Units) -> Result<(), sqlx::Error> {
    if back.units <= 0 {
        return Ok(());
    }
    let level_after: Option<i64> = sqlx::query_scalar(
        "UPDATE stock SET available = available + $1 WHERE variant_id = $2 AND warehouse_id = $3 RETURNING available",
    )
    .bind(back.units)
    .bind(back.variant_id)
    .bind(back.warehouse_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(level_after) = level_after {
        movements::record(
            conn,
            Movement {
                variant_id: back.variant_id,
                warehouse_id: back.warehouse_id,
                delta: back.units,
                level_after,
                reason: back.reason,
                user_id: back.user_id,
                group_id: Some(back.group_id),
            },
        )
        .await?;
    }
    Ok(())
}

/// What a line's units going back on sale are.
#[derive(Debug, Clone, Copy)]
pub struct LineUnits {
    pub group_id: i64,
    pub order_id: i64,
    pub variant_id: i64,
    pub units: i64,
    pub reason: Reason,
    /// The account that chose it (a seller, an admin).
    pub user_id: Option<i64>,
}

/// Puts `units` of a sold line back on sale, from its order's sold reservations of that variant (the warehouses
/// they were taken from). Each reservation's count is raised conditionally (never beyond what it sold), so two
/// requests cannot give the same unit back twice. Returns the units put back: fewer than asked when the
/// reservations had fewer left (the order was restocked whole meanwhile).
pub async fn give_back_units(conn: &mut AnyConnection, line: &LineUnits) -> Result<i64, sqlx::Error> {
    let held: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, warehouse_id, quantity - given_back FROM reservations \
         WHERE order_id = $1 AND variant_id = $2 AND state = $3 AND given_back < quantity ORDER BY warehouse_id",
    )
    .bind(line.order_id)
    .bind(line.variant_id)
    .bind(ReservationState::Committed.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut left = line.units;
    for (id, warehouse_id, open) in held {
        let units = left.min(open);
        if units <= 0 {
            break;
        }
        let taken = sqlx::query(
            "UPDATE reservations SET given_back = given_back + $1 WHERE id = $2 AND state = $3 \
             AND given_back + $1 <= quantity",
        )
        .bind(units)
        .bind(id)
        .bind(ReservationState::Committed.as_str())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if taken == 1 {
            let back = Units {
                variant_id: line.variant_id,
                warehouse_id,
                units,
                reason: line.reason,
                user_id: line.user_id,
                group_id: line.group_id,
            };
            put_back(conn, &back).await?;
            left -= units;
        }
    }
    Ok(line.units - left)
}
