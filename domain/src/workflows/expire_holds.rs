//! Ending the order groups whose stock hold ran out before payment.

use crate::orders::{lifecycle, OrderStatus};
use crate::platform::Db;

use super::settle_payment::end_unpaid_group;

/// Ends the groups whose hold ran out before `now`; returns how many.
pub async fn expire_unpaid(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    let mut ended = 0;
    for group_id in lifecycle::due_for_expiry(db, now).await? {
        let mut tx = db.begin_write().await?;
        // Re-checked inside the transaction: a payment may have landed since the list was read.
        if lifecycle::still_due(&mut tx, group_id, now).await? {
            end_unpaid_group(&mut tx, group_id, OrderStatus::Expired, "Not paid within 15 minutes").await?;
            ended += 1;
        }
        tx.commit().await?;
    }
    Ok(ended)
}
