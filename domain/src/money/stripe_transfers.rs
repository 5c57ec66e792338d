//! The transfer sweep (decision 0031): once per period, across any number of instances (a lease in the
//! database), each store whose Stripe account is payable gets its due money: a transfer per order group
//! (`transfer_group` = the group's number, `source_transaction` = its charge), and a refund that came after its
//! order was transferred is taken back by reversing that transfer. Each move is claimed first (a row and the claims
//! on its entries, in the store's turn), then asked of Stripe under the row's own key, then booked (the claims
//! become the move's items, which are append-only); a crash in between is
//! finished by the next sweep under the same key. A reversal Stripe refuses (the store's Stripe balance is short)
//! leaves the refund owed, netted against the store's next transfers.

use std::collections::BTreeMap;

use model::money::EntryKind;
use sqlx::AnyConnection;

use super::ledger::{append, NewEntry};
use crate::catalog::editor::CURRENCY;
use crate::payments::connect::{ConnectRail, TransferOrder};
use crate::payments::GatewayError;
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::Db;

pub const LEASE: &str = "stripe_transfers";
/// A sweep that has not finished in this long has lost its lease (its claims are finished by the next one).
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
    for entries in by_order.values() {
        let net: i64 = entries.iter().map(|e| e.amount).sum();
        let first = entries[0];
        let refused = entries.iter().any(|e| e.refused == 1);
        if let (true, false, Some(transfer_id), Some(transfer_ref), Some(reversible)) =
            (net < 0, refused, first.paid_by, &first.paid_ref, first.reversible)
        {
            if reversible >= -net {
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
    let swept = run(db, rail, now).await;
    release_lease(db, holder).await?;
    swept.map(Some)
}

/// One pass: finishes moves an earlier pass left claimed, then claims and makes every payable store's moves.
pub async fn run(db: &Db, rail: &dyn ConnectRail, now: i64) -> Result<Swept, sqlx::Error> {
    let mut swept = Swept::default();
    for claim in claimed(db).await? {
        finish(db, rail, &claim, &mut swept).await?;
    }
    let stores: Vec<(i64, String)> = sqlx::query_as(
        "SELECT seller_id, account_id FROM seller_stripe_accounts WHERE details_submitted = 1 \
         AND charges_enabled = 1 AND payouts_enabled = 1 ORDER BY seller_id",
    )
    .fetch_all(db.pool())
    .await?;
    for (seller_id, account) in stores {
        for claim in claim_moves(db, seller_id, &account, now).await? {
            finish(db, rail, &claim, &mut swept).await?;
        }
    }
    Ok(swept)
}

/// A move claimed in the database, waiting for Stripe's answer.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Claim {
    id: i64,
    seller_id: i64,
    amount: i64,
    /// The store's account (transfers) or the transfer being reversed (reversals).
    target: String,
    group_number: Option<String>,
    payment: Option<String>,
    /// The transfer a reversal takes from (`None`: a transfer).
    reverses: Option<i64>,
}

async fn claimed(db: &Db) -> Result<Vec<Claim>, sqlx::Error> {
    let mut claims: Vec<Claim> = sqlx::query_as(
        "SELECT t.id, t.seller_id, t.amount, a.account_id AS target, t.transfer_group AS group_number, \
         t.source_payment AS payment, CAST(NULL AS BIGINT) AS reverses FROM seller_transfers t \
         JOIN seller_stripe_accounts a ON a.seller_id = t.seller_id WHERE t.status = 'sending' ORDER BY t.id",
    )
    .fetch_all(db.pool())
    .await?;
    claims.extend(
        sqlx::query_as::<_, Claim>(
            "SELECT r.id, r.seller_id, r.amount, t.provider_ref AS target, CAST(NULL AS TEXT) AS group_number, \
             CAST(NULL AS TEXT) AS payment, r.transfer_id AS reverses FROM seller_transfer_reversals r \
             JOIN seller_transfers t ON t.id = r.transfer_id WHERE r.status = 'sending' ORDER BY r.id",
        )
        .fetch_all(db.pool())
        .await?,
    );
    Ok(claims)
}

/// Store `seller_id`'s due entries as the sweep places them, in the store's turn.
async fn due_for_sweep(conn: &mut AnyConnection, seller_id: i64, now: i64) -> Result<Vec<DueEntry>, sqlx::Error> {
    let sql = format!(
        "SELECT l.id, l.amount, l.order_id, o.group_id, g.number AS group_number, \
         (SELECT MIN(p.provider_payment) FROM payments p WHERE p.group_id = o.group_id AND p.provider = 'stripe') \
         AS payment, pt.id AS paid_by, pt.provider_ref AS paid_ref, \
         pt.amount - (SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM seller_transfer_reversals r \
         WHERE r.transfer_id = pt.id AND r.status <> 'failed') AS reversible, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM seller_transfer_reversals f WHERE f.cause_entry = l.id) THEN 1 ELSE 0 END \
         AS BIGINT) AS refused \
         FROM seller_ledger l LEFT JOIN orders o ON o.id = l.order_id \
         LEFT JOIN order_groups g ON g.id = o.group_id \
         LEFT JOIN seller_transfers pt ON pt.id = (SELECT MIN(i.transfer_id) FROM seller_ledger s \
         JOIN seller_transfer_items i ON i.entry_id = s.id JOIN seller_transfers t ON t.id = i.transfer_id \
         WHERE s.order_id = l.order_id AND s.kind = 'sale' AND t.method = 'stripe' AND t.status = 'sent') \
         WHERE {} ORDER BY l.seq",
        super::transfers::DUE
    );
    sqlx::query_as(&sql)
        .bind(seller_id)
        .bind(CURRENCY)
        .bind(now)
        .fetch_all(&mut *conn)
        .await
}

/// Claims store `seller_id`'s moves: rows and claims written in the store's turn (so two sweeps cannot claim the
/// same entry), before Stripe is asked.
async fn claim_moves(db: &Db, seller_id: i64, account: &str, now: i64) -> Result<Vec<Claim>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let turn = sqlx::query("UPDATE seller_balances SET updated_at = updated_at WHERE seller_id = $1 AND currency = $2")
        .bind(seller_id)
        .bind(CURRENCY)
        .execute(&mut *tx)
        .await?;
    if turn.rows_affected() == 0 {
        return Ok(Vec::new());
    }
    let least = super::policy::read(&mut tx).await?.min_transfer;
    let due = due_for_sweep(&mut tx, seller_id, now).await?;
    let mut claims = Vec::new();
    for planned in plan(&due, least) {
        let id = next_id();
        let claim = match &planned.what {
            Move::Transfer { group, payment } => {
                sqlx::query(
                    "INSERT INTO seller_transfers (id, seller_id, amount, currency, method, reference, form_key, \
                     created_by, created_at, status, transfer_group, source_payment) \
                     VALUES ($1, $2, $3, $4, 'stripe', '', $5, NULL, $6, 'sending', $7, $8)",
                )
                .bind(id)
                .bind(seller_id)
                .bind(planned.amount)
                .bind(CURRENCY)
                .bind(format!("stripe-{id}"))
                .bind(now_ms())
                .bind(group)
                .bind(payment)
                .execute(&mut *tx)
                .await?;
                Claim {
                    id,
                    seller_id,
                    amount: planned.amount,
                    target: account.to_string(),
                    group_number: group.clone(),
                    payment: payment.clone(),
                    reverses: None,
                }
            }
            Move::Reversal {
                transfer_id,
                transfer_ref,
            } => {
                sqlx::query(
                    "INSERT INTO seller_transfer_reversals (id, transfer_id, seller_id, amount, currency, status, \
                     cause_entry, created_at) VALUES ($1, $2, $3, $4, $5, 'sending', $6, $7)",
                )
                .bind(id)
                .bind(transfer_id)
                .bind(seller_id)
                .bind(planned.amount)
                .bind(CURRENCY)
                .bind(planned.entries[0])
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
                Claim {
                    id,
                    seller_id,
                    amount: planned.amount,
                    target: transfer_ref.clone(),
                    group_number: None,
                    payment: None,
                    reverses: Some(*transfer_id),
                }
            }
        };
        let (transfer_id, reversal_id) = match claim.reverses {
            Some(parent) => (parent, Some(id)),
            None => (id, None),
        };
        for entry in &planned.entries {
            sqlx::query("INSERT INTO seller_move_claims (entry_id, transfer_id, reversal_id) VALUES ($1, $2, $3)")
                .bind(entry)
                .bind(transfer_id)
                .bind(reversal_id)
                .execute(&mut *tx)
                .await?;
        }
        claims.push(claim);
    }
    tx.commit().await?;
    Ok(claims)
}

/// Asks Stripe for a claimed move and books the answer: made (the ledger entry), refused (the claim released),
/// or unreachable (left claimed for the next sweep, which asks again under the same key).
async fn finish(db: &Db, rail: &dyn ConnectRail, claim: &Claim, swept: &mut Swept) -> Result<(), sqlx::Error> {
    let answer = match claim.reverses {
        None => {
            let description = match &claim.group_number {
                Some(number) => format!("Bazaar order {number}"),
                None => "Bazaar payout".to_string(),
            };
            let order = TransferOrder {
                account: &claim.target,
                amount: claim.amount,
                currency: CURRENCY,
                group: claim.group_number.as_deref(),
                source_payment: claim.payment.as_deref(),
                description: &description,
                key: &format!("transfer-{}", claim.id),
            };
            rail.transfer(&order).await
        }
        Some(_) => {
            rail.reverse(&claim.target, claim.amount, &format!("reversal-{}", claim.id))
                .await
        }
    };
    let mut tx = db.begin_write().await?;
    match answer {
        Ok(provider_ref) => {
            if book_made(&mut tx, claim, &provider_ref).await? {
                match claim.reverses {
                    None => swept.transfers += 1,
                    Some(_) => swept.reversals += 1,
                }
            }
        }
        Err(GatewayError::Refused(why)) => {
            tracing::warn!(claim = claim.id, reason = %why, "Stripe refused a transfer or reversal");
            release(&mut tx, claim, &why).await?;
            swept.refused += 1;
        }
        Err(GatewayError::Unavailable(why)) => {
            tracing::warn!(claim = claim.id, reason = %why, "Stripe unreachable; the move waits for the next sweep");
            swept.waiting += 1;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Marks a claimed move made and books it in the store's ledger; `false` when another sweep booked it first.
async fn book_made(tx: &mut AnyConnection, claim: &Claim, provider_ref: &str) -> Result<bool, sqlx::Error> {
    let (table, transfer_id, amount, key, note) = match claim.reverses {
        None => (
            "seller_transfers",
            claim.id,
            -claim.amount,
            format!("transfer:{}", claim.id),
            format!("Stripe transfer {provider_ref}"),
        ),
        Some(parent) => (
            "seller_transfer_reversals",
            parent,
            claim.amount,
            format!("reversal:{}", claim.id),
            format!("Taken back from Stripe transfer {} ({provider_ref})", claim.target),
        ),
    };
    // A transfer's reference is Stripe's id (the statement and its CSV show it).
    let sql = match claim.reverses {
        None => format!(
            "UPDATE {table} SET status = 'sent', provider_ref = $1, reference = $1 WHERE id = $2 AND status = 'sending'"
        ),
        Some(_) => {
            format!("UPDATE {table} SET status = 'sent', provider_ref = $1 WHERE id = $2 AND status = 'sending'")
        }
    };
    let marked = sqlx::query(&sql)
        .bind(provider_ref)
        .bind(claim.id)
        .execute(&mut *tx)
        .await?;
    if marked.rows_affected() == 0 {
        return Ok(false);
    }
    let claims = claims_of(claim);
    let sql = format!(
        "INSERT INTO seller_transfer_items (entry_id, transfer_id, reversal_id) \
         SELECT entry_id, transfer_id, reversal_id FROM seller_move_claims WHERE {claims}"
    );
    sqlx::query(&sql).bind(claim.id).execute(&mut *tx).await?;
    sqlx::query(&format!("DELETE FROM seller_move_claims WHERE {claims}"))
        .bind(claim.id)
        .execute(&mut *tx)
        .await?;
    let entry = NewEntry {
        seller_id: claim.seller_id,
        currency: CURRENCY,
        kind: EntryKind::Transfer,
        amount,
        order_id: None,
        refund_id: None,
        transfer_id: Some(transfer_id),
        note: &note,
        key,
        created_by: None,
    };
    append(tx, &entry).await?;
    if claim.reverses.is_none() {
        super::transfers::tell_store(tx, claim.seller_id, transfer_id, claim.amount, provider_ref).await?;
    }
    Ok(true)
}

/// Which claims are `claim`'s (`$1`: its id).
fn claims_of(claim: &Claim) -> &'static str {
    match claim.reverses {
        None => "transfer_id = $1 AND reversal_id IS NULL",
        Some(_) => "reversal_id = $1",
    }
}

/// Releases a refused move's entries (a transfer's are due again; a reversal's are owed, never asked again).
async fn release(tx: &mut AnyConnection, claim: &Claim, why: &str) -> Result<(), sqlx::Error> {
    let why: String = why.chars().filter(|c| !c.is_control()).take(300).collect();
    let table = match claim.reverses {
        None => "seller_transfers",
        Some(_) => "seller_transfer_reversals",
    };
    let sql = format!("UPDATE {table} SET status = 'failed', failure = $1 WHERE id = $2 AND status = 'sending'");
    let marked = sqlx::query(&sql).bind(&why).bind(claim.id).execute(&mut *tx).await?;
    if marked.rows_affected() == 1 {
        let sql = format!("DELETE FROM seller_move_claims WHERE {}", claims_of(claim));
        sqlx::query(&sql).bind(claim.id).execute(&mut *tx).await?;
    }
    Ok(())
}
