//! The platform's rules for sellers' money (`money_policy`, one row): the holding days after delivery, the tax
//! charged on commission, whether a refund gives commission back, the least amount a transfer moves, and whether
//! a dispute holds the store's money or takes it at once. Set by
//! the operator (`bazaar money`); read where the rule applies, so a change applies from then on.

use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::platform::Db;

pub const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Policy {
    pub hold_days: i64,
    pub commission_tax_bp: i64,
    /// 1: refunded units give their commission back.
    pub commission_back: i64,
    pub min_transfer: i64,
    /// 1: a disputed order's money is held until the case is decided; 0: the store's share is taken at once and
    /// given back if the case is won.
    pub dispute_hold: i64,
}

pub async fn read(conn: &mut AnyConnection) -> Result<Policy, sqlx::Error> {
    sqlx::query_as(
        "SELECT hold_days, commission_tax_bp, commission_back, min_transfer, dispute_hold FROM money_policy \
         WHERE id = 1",
    )
    .fetch_one(&mut *conn)
    .await
}

/// Whether `policy` is within its bounds (the table's checks, said before the database says it).
pub fn valid(policy: &Policy) -> bool {
    (0..=90).contains(&policy.hold_days)
        && (0..=10_000).contains(&policy.commission_tax_bp)
        && (0..=1).contains(&policy.commission_back)
        && policy.min_transfer >= 0
        && (0..=1).contains(&policy.dispute_hold)
}

/// Replaces the policy; `false` (nothing changed) when a figure is out of bounds.
pub async fn set(db: &Db, policy: &Policy) -> Result<bool, sqlx::Error> {
    if !valid(policy) {
        return Ok(false);
    }
    db.write_one(
        sqlx::query(
            "UPDATE money_policy SET hold_days = $1, commission_tax_bp = $2, commission_back = $3, \
             min_transfer = $4, dispute_hold = $5, updated_at = $6 WHERE id = 1",
        )
        .bind(policy.hold_days)
        .bind(policy.commission_tax_bp)
        .bind(policy.commission_back)
        .bind(policy.min_transfer)
        .bind(policy.dispute_hold)
        .bind(now_ms()),
    )
    .await?;
    Ok(true)
}

/// Freezes when order `order_id`'s money stops being pending, if not yet frozen: `hold_days` after now for a
/// delivery, now for an order that ended cancelled or refunded (nothing is left to wait for).
pub async fn release_order(conn: &mut AnyConnection, order_id: i64, delivered: bool) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let hold = if delivered {
        read(conn).await?.hold_days * DAY_MS
    } else {
        0
    };
    sqlx::query("UPDATE orders SET funds_release_at = $1 WHERE id = $2 AND funds_release_at IS NULL")
        .bind(now + hold)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
