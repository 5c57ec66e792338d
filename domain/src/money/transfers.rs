//! Paying a store out: a transfer covers the store's available entries not paid out yet (itemised in
//! `seller_transfer_items`, each entry at most once) and books their sum out of the ledger. Without Stripe an admin
//! records the bank transfer the platform made, with its reference (`/admin/payouts`).

use model::admin::AuditAction;
use model::catalog::Money;
use model::money::{EntryKind, PayoutRow};
use model::FieldError;
use sqlx::AnyConnection;

use super::ledger::{append, NewEntry};
use super::statement::balances;
use crate::catalog::editor::CURRENCY;
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{text, Actor, Db};
use crate::sellers::SellerError;

/// Which ledger entries `l` (joined with their order `o`) are due: store `$1`'s, in currency `$2`, available at
/// `$3`, not covered yet nor claimed by a Stripe move waiting for its answer.
pub(super) const DUE: &str = "l.seller_id = $1 AND l.currency = $2 AND l.kind <> 'transfer' \
     AND (l.order_id IS NULL OR (o.funds_release_at <= $3 AND o.dispute_hold = 0)) \
     AND NOT EXISTS (SELECT 1 FROM seller_transfer_items i WHERE i.entry_id = l.id) \
     AND NOT EXISTS (SELECT 1 FROM seller_move_claims c WHERE c.entry_id = l.id)";

/// The entries of store `seller_id` a transfer made at `now` would cover: available (no order, or an order whose
/// money is released and not held by a dispute) and not paid out yet. Transfers themselves are never covered.
async fn due_entries(conn: &mut AnyConnection, seller_id: i64, now: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let sql = format!(
        "SELECT l.id, l.amount FROM seller_ledger l LEFT JOIN orders o ON o.id = l.order_id WHERE {DUE} ORDER BY l.seq"
    );
    sqlx::query_as(&sql)
        .bind(seller_id)
        .bind(CURRENCY)
        .bind(now)
        .fetch_all(&mut *conn)
        .await
}

/// A payout the admin asks to record.
#[derive(Debug, Clone)]
pub struct ManualPayout<'a> {
    pub seller_id: i64,
    /// The amount the admin saw and paid: recorded only if it is still what is due.
    pub amount: i64,
    pub reference: &'a str,
    pub form_key: &'a str,
}

/// What recording a payout did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Paid {
        transfer_id: i64,
        amount: Money,
        entries: usize,
    },
    /// This form was sent before: recorded once.
    Already,
}

/// Records a bank transfer the platform made to a store (admins only): the store's due entries are covered and
/// their sum is booked out. Refused when the sum is no longer the amount the admin saw, or nothing is due.
pub async fn record_manual(db: &Db, actor: &Actor, payout: &ManualPayout<'_>) -> Result<Recorded, SellerError> {
    if !actor.is_admin() {
        return Err(SellerError::Forbidden);
    }
    let reference = match text::line(payout.reference, 100) {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => return Err(invalid("reference", "Enter the bank transfer's reference.")),
        Err(problem) => return Err(invalid("reference", &problem.message())),
    };
    let form_key = text::line(payout.form_key, 64).map_err(|_| SellerError::NotFound)?;
    let mut tx = db.begin_write().await?;
    if super::connect::payable_account(&mut tx, payout.seller_id)
        .await?
        .is_some()
    {
        return Err(SellerError::Conflict(
            "This store is paid through its Stripe account: the transfer sweep pays it, not a bank transfer.".into(),
        ));
    }
    // The store's row, then its balance row (the order every path takes them in): a hold or a suspension waits
    // for this payout or is seen by it.
    if !crate::sellers::standing::payable(&mut tx, payout.seller_id).await? {
        return Err(SellerError::Conflict(
            "This store's payouts are held (it is suspended, or an admin held them): nothing was recorded. \
             Release them, or reactivate the store, on its page first."
                .into(),
        ));
    }
    // Then the balance row: no entry is booked meanwhile, and the same form sent at once waits here and
    // then finds the transfer this one made.
    let taken = sqlx::query("UPDATE seller_balances SET updated_at = $1 WHERE seller_id = $2 AND currency = $3")
        .bind(now_ms())
        .bind(payout.seller_id)
        .bind(CURRENCY)
        .execute(&mut *tx)
        .await?;
    if taken.rows_affected() == 0 {
        return Err(SellerError::NotFound);
    }
    let seen: Option<i64> = sqlx::query_scalar("SELECT id FROM seller_transfers WHERE form_key = $1")
        .bind(&form_key)
        .fetch_optional(&mut *tx)
        .await?;
    if seen.is_some() {
        return Ok(Recorded::Already);
    }
    let due = due_entries(&mut tx, payout.seller_id, now_ms()).await?;
    let sum: i64 = due.iter().map(|(_, amount)| amount).sum();
    let money = |amount| Money::new(amount, CURRENCY);
    if sum <= 0 {
        return Err(SellerError::Conflict(format!(
            "Nothing is due to this store now (its available balance is {}).",
            money(sum).display()
        )));
    }
    let least = super::policy::read(&mut tx).await?.min_transfer;
    if sum < least {
        return Err(SellerError::Conflict(format!(
            "{} is below the least payout ({}): it waits for more sales.",
            money(sum).display(),
            money(least).display()
        )));
    }
    if sum != payout.amount {
        return Err(SellerError::Conflict(format!(
            "The amount due changed to {} while the page was open. Nothing was recorded: check it and record \
             the payout again.",
            money(sum).display()
        )));
    }
    let transfer_id = book(&mut tx, actor, payout, &reference, &form_key, &due).await?;
    tx.commit().await?;
    Ok(Recorded::Paid {
        transfer_id,
        amount: money(sum),
        entries: due.len(),
    })
}

/// Makes the transfer covering `due`, books it out of the store's ledger and tells the store, in the caller's
/// transaction; the transfer's id.
async fn book(
    tx: &mut AnyConnection,
    actor: &Actor,
    payout: &ManualPayout<'_>,
    reference: &str,
    form_key: &str,
    due: &[(i64, i64)],
) -> Result<i64, sqlx::Error> {
    let sum: i64 = due.iter().map(|(_, amount)| amount).sum();
    let transfer_id = next_id();
    let by = actor.user_id();
    sqlx::query(
        "INSERT INTO seller_transfers (id, seller_id, amount, currency, method, reference, form_key, created_by, \
         created_at) VALUES ($1, $2, $3, $4, 'manual', $5, $6, $7, $8)",
    )
    .bind(transfer_id)
    .bind(payout.seller_id)
    .bind(sum)
    .bind(CURRENCY)
    .bind(reference)
    .bind(form_key)
    .bind(by)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    for (entry_id, _) in due {
        sqlx::query("INSERT INTO seller_transfer_items (entry_id, transfer_id) VALUES ($1, $2)")
            .bind(entry_id)
            .bind(transfer_id)
            .execute(&mut *tx)
            .await?;
    }
    let note = format!("Bank transfer, reference {reference}");
    let entry = NewEntry {
        seller_id: payout.seller_id,
        currency: CURRENCY,
        kind: EntryKind::Transfer,
        amount: -sum,
        order_id: None,
        refund_id: None,
        transfer_id: Some(transfer_id),
        note: &note,
        key: format!("transfer:{transfer_id}"),
        created_by: by,
    };
    append(tx, &entry).await?;
    let store_name: String = sqlx::query_scalar("SELECT store_name FROM sellers WHERE id = $1")
        .bind(payout.seller_id)
        .fetch_one(&mut *tx)
        .await?;
    let recorded = Entry::new(
        AuditAction::PayoutRecorded,
        Subject::new("store", payout.seller_id, store_name),
    )
    .store(payout.seller_id)
    .change("payout", "", transfer_id)
    .change("amount", "", Money::new(sum, CURRENCY).display())
    .reason(&note);
    audit::record(tx, actor, &recorded).await?;
    tell_store(tx, payout.seller_id, transfer_id, sum, reference).await?;
    Ok(transfer_id)
}

/// Emails the store that transfer `transfer_id` of `amount` went out under `reference`.
pub(super) async fn tell_store(
    tx: &mut AnyConnection,
    seller_id: i64,
    transfer_id: i64,
    amount: i64,
    reference: &str,
) -> Result<(), sqlx::Error> {
    let owner: Option<(String, String)> =
        sqlx::query_as("SELECT u.email, s.store_name FROM sellers s JOIN users u ON u.id = s.user_id WHERE s.id = $1")
            .bind(seller_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((email, store_name)) = owner {
        let amount = Money::new(amount, CURRENCY).display();
        let mail = crate::notifications::templates::payout_sent(&email, &store_name, &amount, reference);
        crate::notifications::enqueue(tx, &format!("payout:{transfer_id}"), &mail).await?;
    }
    Ok(())
}

fn invalid(field: &str, message: &str) -> SellerError {
    SellerError::Invalid(vec![FieldError::new(field, message)])
}

/// Every store with money on the platform, for the admin's payouts screen: balances and what a payout would
/// cover now.
pub async fn payout_rows(db: &Db, actor: &Actor) -> Result<Vec<PayoutRow>, SellerError> {
    if !actor.is_admin() {
        return Err(SellerError::Forbidden);
    }
    let mut conn = db.pool().acquire().await?;
    let stores: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.id, s.store_name FROM seller_balances b JOIN sellers s ON s.id = b.seller_id \
         WHERE b.currency = $1 ORDER BY s.store_name",
    )
    .bind(CURRENCY)
    .fetch_all(&mut *conn)
    .await?;
    let now = now_ms();
    let least = Money::new(super::policy::read(&mut conn).await?.min_transfer, CURRENCY);
    let mut rows = Vec::with_capacity(stores.len());
    for (seller_id, store_name) in stores {
        let entries_due = due_entries(&mut conn, seller_id, now).await?.len() as i64;
        rows.push(PayoutRow {
            seller_id,
            store_name,
            held: crate::sellers::standing::payouts_held(&mut conn, seller_id).await?,
            balances: balances(&mut conn, seller_id, now).await?,
            entries_due,
            form_key: format!("payout-{}", next_id()),
            adjust_key: super::adjustments::form_key(),
            min_transfer: least.clone(),
            stripe: super::connect::payouts(&mut conn, seller_id).await?,
        });
    }
    Ok(rows)
}
