//! An admin's adjustment of a store's money (`/admin/payouts`): an amount in or out with the reason the store
//! reads on its statement (a goodwill credit, a fee the platform passes on, a correction). It is the platform's own
//! money moving, so it is available at once, counted in the store's balance and in no sale.

use model::admin::AuditAction;
use model::catalog::Money;
use model::money::EntryKind;
use model::FieldError;

use super::ledger::{append, NewEntry};
use crate::catalog::editor::{parse_money, CURRENCY};
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::ids::next_id;
use crate::platform::{text, Actor, Db};
use crate::sellers::SellerError;

/// The largest adjustment either way ($10,000.00): a larger correction is two, each with its reason.
const MAX_ADJUSTMENT: i64 = 1_000_000;

/// An adjustment as the admin's form sends it.
#[derive(Debug, Clone)]
pub struct AdjustmentForm<'a> {
    pub seller_id: i64,
    /// "12.50" adds to the store's money, "-12.50" takes from it.
    pub amount: &'a str,
    pub reason: &'a str,
    pub form_key: &'a str,
}

/// A signed amount as typed; `None` for anything else.
fn signed_amount(typed: &str) -> Option<i64> {
    let typed = typed.trim();
    match typed.strip_prefix('-') {
        Some(rest) => parse_money(rest).map(|a| -a),
        None => parse_money(typed.trim_start_matches('+')),
    }
}

/// Books an adjustment (admins only); the amount booked, or `None` when this form was sent before.
pub async fn record(db: &Db, actor: &Actor, form: &AdjustmentForm<'_>) -> Result<Option<Money>, SellerError> {
    if !actor.is_admin() {
        return Err(SellerError::Forbidden);
    }
    let mut errors = Vec::new();
    let amount = signed_amount(form.amount).filter(|a| *a != 0 && a.abs() <= MAX_ADJUSTMENT);
    if amount.is_none() {
        errors.push(FieldError::new(
            "amount",
            "Enter an amount like 12.50 (to add) or -12.50 (to take), at most 10000.00.",
        ));
    }
    let reason = match text::line(form.reason, 200) {
        Ok(r) if r.chars().count() >= 3 => Some(r),
        Ok(_) => {
            errors.push(FieldError::new(
                "reason",
                "Say why, in a few words: the store reads it.",
            ));
            None
        }
        Err(problem) => {
            errors.push(FieldError::new("reason", problem.message()));
            None
        }
    };
    let (Some(amount), Some(reason)) = (amount, reason) else {
        return Err(SellerError::Invalid(errors));
    };
    let form_key = text::line(form.form_key, 64).map_err(|_| SellerError::NotFound)?;
    let store_name: String = sqlx::query_scalar("SELECT store_name FROM sellers WHERE id = $1")
        .bind(form.seller_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(SellerError::NotFound)?;
    let mut tx = db.begin_write().await?;
    let entry = NewEntry {
        seller_id: form.seller_id,
        currency: CURRENCY,
        kind: EntryKind::Adjustment,
        amount,
        order_id: None,
        refund_id: None,
        transfer_id: None,
        note: &reason,
        key: format!("adjustment:{form_key}"),
        created_by: actor.user_id(),
    };
    let made = append(&mut tx, &entry).await?;
    if let Some(entry_id) = made {
        let booked = Entry::new(
            AuditAction::BalanceAdjusted,
            Subject::new("store", form.seller_id, store_name),
        )
        .store(form.seller_id)
        .change("ledger entry", "", entry_id)
        .change("amount", "", Money::new(amount, CURRENCY).display())
        .reason(&reason);
        audit::record(&mut tx, actor, &booked).await?;
    }
    tx.commit().await?;
    Ok(made.map(|_| Money::new(amount, CURRENCY)))
}

/// A fresh key for an adjustment form.
pub fn form_key() -> String {
    format!("adjust-{}", next_id())
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_are_signed() {
        assert_eq!(super::signed_amount("12.50"), Some(1250));
        assert_eq!(super::signed_amount(" -3 "), Some(-300));
        assert_eq!(super::signed_amount("+0.05"), Some(5));
        for bad in ["", "-", "--1", "1.234", "ten", "-$"] {
            assert_eq!(super::signed_amount(bad), None, "{bad:?}");
        }
    }
}
