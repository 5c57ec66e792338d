//! Units sent to a shopper in place of returned ones (an exchange): taken from one warehouse that holds them all,
//! by a conditional update (never below zero, so two replacements cannot send the same last unit), with a
//! "replacement" movement.

use sqlx::AnyConnection;

use super::movements::{self, Movement, Reason};

/// Takes `units` of `variant_id` from the warehouse holding the most of it, if one holds that many; returns
/// whether it did (nothing changes when none does).
pub async fn take(
    conn: &mut AnyConnection,
    variant_id: i64,
    units: i64,
    group_id: i64,
    user_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let taken: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE stock SET available = available - $1 WHERE variant_id = $2 AND available >= $1 AND warehouse_id = \
         (SELECT warehouse_id FROM stock WHERE variant_id = $2 AND available >= $1 \
          ORDER BY available DESC, warehouse_id LIMIT 1) RETURNING warehouse_id, available",
    )
    .bind(units)
    .bind(variant_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((warehouse_id, level_after)) = taken else {
        return Ok(false);
    };
    movements::record(
        conn,
        Movement {
            variant_id,
            warehouse_id,
            delta: -units,
            level_after,
            reason: Reason::Replacement,
            user_id,
            group_id: Some(group_id),
        },
    )
    .await?;
    Ok(true)
}
