//! The transfer sweep (decision 0031): once per period, across any number of instances (a lease in the
//! database), each store whose Stripe account is payable gets its due money (unless it is suspended or an admin
//! holds its payouts: then only what it owes is taken back): a transfer per order group
//! (`transfer_group` = the group's number, `source_transaction` = its charge), and a refund that came after its
//! order was transferred is taken back by reversing that transfer. Each move is claimed first (a row and the claims
//! on its entries, in the store's turn), then asked of Stripe under the row's own key, then booked (the claims
//! become the move's items, which are append-only); a crash in between is
//! finished by the next sweep under the same key. A reversal Stripe refuses (the store's Stripe balance is short)
//! leaves the refund owed, netted against the store's next transfers.

use std::collections::BTreeMap;

use super::stripe_moves::{claim_moves, claimed, finish};
use crate::payments::connect::ConnectRail;
use crate::platform::clock::now_ms;
use crate::platform::Db;

pub const LEASE: &str = "stripe_transfers";
/// A sweep that has not renewed its lease in this long has lost it (its claims are finished by the next one).
const LEASE_MS: i64 = 10 * 60 * 1000;

/// A store's due entry with what the sweep needs to place it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueEntry {
    pub id: i64,
    pub amount: i64,
    pub order_id: Option<i64>,
    pub group_id: Option<i64>,
    pub group_number: Option<String>,
    /// The group's Stripe PaymentIntent.
    pub payment: Option<String>,
    /// The sent Stripe transfer that paid the order's sale, and what of it can still be taken back.
    pub paid_by: Option<i64>,
    pub paid_ref: Option<String>,
    pub reversible: Option<i64>,
    /// 1: a reversal starting at this entry was refused before (the store owes it instead).
    pub refused: i64,
}

/// What the sweep does with some due entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    Transfer {
        group: Option<String>,
        payment: Option<String>,
    },
    Reversal {
        transfer_id: i64,
        transfer_ref: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub what: Move,
    pub amount: i64,
    pub entries: Vec<i64>,
}

/// Plans a store's moves over its due entries (in ledger order): reversals first (an order whose due entries
/// sum below zero, paid by a transfer that can still give it back, never refused before), then, when what is
/// left reaches `least`, a transfer per order group. Entries that sum to zero or less ride with the next group's
/// transfer; a negative rest stays due (owed).
pub fn plan(due: &[DueEntry], least: i64) -> Vec<Planned> {
    let mut moves = Vec::new();
    let mut by_order: BTreeMap<i64, Vec<&DueEntry>> = BTreeMap::new();
    for entry in due {
        if let Some(order) = entry.order_id {
            by_order.entry(order).or_default().push(entry);
        }
    }
    let mut reversed = Vec::new();
    // What each transfer can still give back, less what this plan takes from it already.
    let mut left: BTreeMap<i64, i64> = BTreeMap::new();
    for entries in by_order.values() {
        let net: i64 = entries.iter().map(|e| e.amount).sum();
        let first = entries[0];
        let refused = entries.iter().any(|e| e.refused == 1);
        if let (true, false, Some(transfer_id), Some(transfer_ref), Some(reversible)) =
            (net < 0, refused, first.paid_by, &first.paid_ref, first.reversible)
        {
            let reversible = left.entry(transfer_id).or_insert(reversible);
            if *reversible >= -net {
                *reversible += net;
                let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
                reversed.extend(ids.iter().copied());
                moves.push(Planned {
                    what: Move::Reversal {
                        transfer_id,
                        transfer_ref: transfer_ref.clone(),
                    },
                    amount: -net,
                    entries: ids,
                });
            }
        }
    }
    let rest: Vec<&DueEntry> = due.iter().filter(|e| !reversed.contains(&e.id)).collect();
    let total: i64 = rest.iter().map(|e| e.amount).sum();
    if total <= 0 || total < least {
        return moves;
    }
    moves.extend(group_transfers(&rest));
    moves
}

/// A transfer per order group over `rest` (entries without an order form a group of their own, without a
/// charge); groups summing to zero or less are carried into the next transfer.
fn group_transfers(rest: &[&DueEntry]) -> Vec<Planned> {
    let mut groups: Vec<(Option<i64>, Vec<&DueEntry>)> = Vec::new();
    for entry in rest {
        match groups.iter_mut().find(|(g, _)| *g == entry.group_id) {
            Some((_, list)) => list.push(entry),
            None => groups.push((entry.group_id, vec![entry])),
        }
    }
    // Losing groups first, so what they take rides on the first transfer.
    groups.sort_by_key(|(_, list)| list.iter().map(|e| e.amount).sum::<i64>() > 0);
    let mut moves = Vec::new();
    let (mut carry, mut carried) = (0i64, Vec::new());
    for (group, list) in groups {
        let sum: i64 = list.iter().map(|e| e.amount).sum();
        carried.extend(list.iter().map(|e| e.id));
        carry += sum;
        if carry <= 0 {
            continue;
        }
        moves.push(Planned {
            what: Move::Transfer {
                group: group.and(list[0].group_number.clone()),
                payment: group.and(list[0].payment.clone()),
            },
            amount: carry,
            entries: std::mem::take(&mut carried),
        });
        carry = 0;
    }
    moves
}

/// Takes the sweep's lease for `holder` when its period has passed since the last run; `true` when ours.
pub async fn take_lease(db: &Db, holder: &str, now: i64, period_ms: i64) -> Result<bool, sqlx::Error> {
    let taken = db
        .write_one(
            sqlx::query(
                "UPDATE work_leases SET holder = $1, until = $2, last_run = $3 \
                 WHERE name = $4 AND until < $3 AND last_run <= $5",
            )
            .bind(holder)
            .bind(now + LEASE_MS)
            .bind(now)
            .bind(LEASE)
            .bind(now - period_ms),
        )
        .await?;
    Ok(taken.rows_affected() == 1)
}

async fn release_lease(db: &Db, holder: &str) -> Result<(), sqlx::Error> {
    db.write_one(
        sqlx::query("UPDATE work_leases SET until = 0 WHERE name = $1 AND holder = $2")
            .bind(LEASE)
            .bind(holder),
    )
    .await?;
    Ok(())
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub transfers: usize,
    pub reversals: usize,
    /// Moves Stripe refused (their entries are due again, or owed).
    pub refused: usize,
    /// Moves left claimed because Stripe could not be reached (finished by the next sweep).
    pub waiting: usize,
}

/// Runs the sweep if its period has passed and no other instance holds it; `None` when not run.
pub async fn sweep(
    db: &Db,
    rail: &dyn ConnectRail,
    holder: &str,
    now: i64,
    period_ms: i64,
) -> Result<Option<Swept>, sqlx::Error> {
    if !take_lease(db, holder, now, period_ms).await? {
        return Ok(None);
    }
    let swept = run_with(db, rail, now, Some(holder)).await;
    release_lease(db, holder).await?;
    swept.map(Some)
}

/// Keeps the lease while the sweep works; `false` when another instance has taken it (this one stops).
async fn renew_lease(db: &Db, holder: &str) -> Result<bool, sqlx::Error> {
    let kept = db
        .write_one(
            sqlx::query("UPDATE work_leases SET until = $1 WHERE name = $2 AND holder = $3")
                .bind(now_ms() + LEASE_MS)
                .bind(LEASE)
                .bind(holder),
        )
        .await?;
    Ok(kept.rows_affected() == 1)
}

/// One pass without a lease (the tests, and `sweep` under its lease).
pub async fn run(db: &Db, rail: &dyn ConnectRail, now: i64) -> Result<Swept, sqlx::Error> {
    run_with(db, rail, now, None).await
}

/// One pass: finishes moves an earlier pass left claimed, then claims and makes every payable store's moves,
/// keeping `holder`'s lease between stores.
async fn run_with(db: &Db, rail: &dyn ConnectRail, now: i64, holder: Option<&str>) -> Result<Swept, sqlx::Error> {
    let mut swept = Swept::default();
    for claim in claimed(db).await? {
        if !still_ours(db, holder).await? {
            return Ok(swept);
        }
        finish(db, rail, &claim, now, &mut swept).await?;
    }
    let stores: Vec<(i64, String)> = sqlx::query_as(
        "SELECT seller_id, account_id FROM seller_stripe_accounts WHERE details_submitted = 1 \
         AND charges_enabled = 1 AND payouts_enabled = 1 ORDER BY seller_id",
    )
    .fetch_all(db.pool())
    .await?;
    for (seller_id, account) in stores {
        if !still_ours(db, holder).await? {
            return Ok(swept);
        }
        for claim in claim_moves(db, seller_id, &account, now).await? {
            // A claim left when the lease is lost is finished by the next sweep.
            if !still_ours(db, holder).await? {
                return Ok(swept);
            }
            finish(db, rail, &claim, now, &mut swept).await?;
        }
    }
    Ok(swept)
}

/// Renews `holder`'s lease before each Stripe call (each may take a minute); `false` once another instance has it.
async fn still_ours(db: &Db, holder: Option<&str>) -> Result<bool, sqlx::Error> {
    let Some(holder) = holder else {
        return Ok(true);
    };
    let kept = renew_lease(db, holder).await?;
    if !kept {
        tracing::warn!("the transfer sweep's lease was taken by another instance; stopping");
    }
    Ok(kept)
}
