//! The sweep's moves in the database and at Stripe (decision 0031): claimed in the store's turn (a row and the
//! claims on its entries), asked of Stripe under the row's key (a claim older than Stripe keeps keys is looked up
//! first), then booked (the claims become the move's items and the ledger entry is made) or, refused, released.

use model::money::EntryKind;
use sqlx::AnyConnection;

use super::ledger::{append, NewEntry};
use super::stripe_transfers::{plan, DueEntry, Move, Planned, Swept};
use crate::catalog::editor::CURRENCY;
use crate::payments::connect::{ConnectRail, Lookup, TransferOrder};
use crate::payments::GatewayError;
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::Db;

/// Claims older than this are looked up at Stripe before being asked again (Stripe keeps a key 24 hours).
const KEY_KEPT_MS: i64 = 20 * 3_600_000;

/// A move claimed in the database, waiting for Stripe's answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct Claim {
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

pub(super) async fn claimed(db: &Db) -> Result<Vec<Claim>, sqlx::Error> {
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
pub(super) async fn claim_moves(db: &Db, seller_id: i64, account: &str, now: i64) -> Result<Vec<Claim>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    // The store's row before its balance row, as every path takes them (a profile save, a payout, a hold): a
    // suspended store, or one whose payouts an admin holds, is sent nothing; what it owes is still taken back.
    let payable = crate::sellers::standing::payable(&mut tx, seller_id).await?;
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
        if !payable && matches!(planned.what, Move::Transfer { .. }) {
            continue;
        }
        claims.push(claim_one(&mut tx, seller_id, account, &planned).await?);
    }
    tx.commit().await?;
    Ok(claims)
}

/// Writes one planned move as a claim: its row (`sending`) and the claims on its entries.
async fn claim_one(
    tx: &mut AnyConnection,
    seller_id: i64,
    account: &str,
    planned: &Planned,
) -> Result<Claim, sqlx::Error> {
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
    Ok(claim)
}

/// Asks Stripe for a claimed move and books the answer: made (the ledger entry), refused (the claim released),
/// or unreachable (left claimed for the next sweep, which asks again under the same key).
pub(super) async fn finish(
    db: &Db,
    rail: &dyn ConnectRail,
    claim: &Claim,
    now: i64,
    swept: &mut Swept,
) -> Result<(), sqlx::Error> {
    let answer = match made_before(rail, claim, now).await {
        Ok(Some(made)) => Ok(made),
        Ok(None) => ask(rail, claim).await,
        Err(e) => Err(e),
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

/// Stripe keeps a key for 24 hours: a claim older than 20 is looked up by its row (in the move's metadata)
/// before it is asked again, so a move made while its answer was lost is booked, never made twice.
async fn made_before(rail: &dyn ConnectRail, claim: &Claim, now: i64) -> Result<Option<String>, GatewayError> {
    if now - crate::platform::ids::created_ms(claim.id) < KEY_KEPT_MS {
        return Ok(None);
    }
    let lookup = match claim.reverses {
        None => Lookup::Transfer {
            account: &claim.target,
            // An hour of margin for clocks.
            since_secs: crate::platform::ids::created_ms(claim.id) / 1000 - 3_600,
            row: claim.id,
        },
        Some(_) => Lookup::Reversal {
            transfer: &claim.target,
            row: claim.id,
        },
    };
    rail.find_made(&lookup).await
}

/// Asks Stripe to make a claimed move, under the key of its row.
async fn ask(rail: &dyn ConnectRail, claim: &Claim) -> Result<String, GatewayError> {
    match claim.reverses {
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
            };
            rail.transfer(&order, claim.id).await
        }
        Some(_) => rail.reverse(&claim.target, claim.amount, claim.id).await,
    }
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
    // Takes the row (PostgreSQL waits for a sweep releasing it at once) and reads its status as committed.
    let was: String = sqlx::query_scalar(&format!(
        "UPDATE {table} SET status = status WHERE id = $1 RETURNING status"
    ))
    .bind(claim.id)
    .fetch_one(&mut *tx)
    .await?;
    if was == "sent" {
        // Another sweep booked it (both asked under the same key and got the same answer).
        return Ok(false);
    }
    if was == "failed" {
        // Stripe made a move this shop had taken as refused (Stripe replays a refusal under its key, so this takes a
        // refusal answered to one call and a success to another): booked all the same, so the ledger holds what
        // moved; its entries went on, so the store's balance shows it as owed until an admin's adjustment settles
        // it. Logged as an error for that.
        tracing::error!(claim = claim.id, %provider_ref, "Stripe made a move after it was taken as refused");
    }
    // A transfer's reference is Stripe's id (the statement and its CSV show it).
    let reference = match claim.reverses {
        None => ", reference = $1",
        Some(_) => "",
    };
    let sql = format!("UPDATE {table} SET status = 'sent', provider_ref = $1{reference} WHERE id = $2 AND status = $3");
    let marked = sqlx::query(&sql)
        .bind(provider_ref)
        .bind(claim.id)
        .bind(&was)
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
    let why = crate::platform::text::cleaned(why, 300);
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
