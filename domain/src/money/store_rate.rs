//! An admin's change to a store's own commission rate (`/admin/sellers/{id}`): set, changed or removed (then the
//! category's or the platform's rate applies), on the rate the admin saw, with its audit entry in the same
//! transaction. Rates are frozen on order lines when paid ([`super::commission::freeze`]), so a change applies to
//! orders paid from then on.

use model::admin::AuditAction;
use model::catalog::Money;
use model::FieldError;
use sqlx::AnyConnection;

use super::commission::{parse_percent, percent_label};
use crate::accounts::step_up::Confirmed;
use crate::catalog::editor::CURRENCY;
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{Actor, Db};
use crate::sellers::standing::{admin_confirmed, reason_of};
use crate::sellers::SellerError;

/// The store's own rate row: its rate, floor and cap.
type OwnRate = (i64, Option<i64>, Option<i64>);

/// A rate typed as a percentage; empty for none of the store's own.
fn typed_rate(typed: &str) -> Result<Option<i64>, SellerError> {
    match typed.trim() {
        "" => Ok(None),
        t => parse_percent(t).map(Some).ok_or_else(|| {
            SellerError::Invalid(vec![FieldError::new(
                "rate",
                "Enter a percentage from 0 to 100 with at most two decimals (12.5), or leave it empty for the \
                 platform's or the category's rate.",
            )])
        }),
    }
}

/// Takes store `seller_id`'s row (two admins changing its rate at once take turns here, and the second sees the
/// first); its name and its own rate.
async fn store_and_rate(conn: &mut AnyConnection, seller_id: i64) -> Result<(String, Option<OwnRate>), SellerError> {
    let store = crate::sellers::standing::take_store(conn, seller_id)
        .await?
        .ok_or(SellerError::NotFound)?;
    let own = sqlx::query_as(
        "SELECT rate_bp, floor_amount, cap_amount FROM commission_rates WHERE scope = 'seller' AND scope_id = $1",
    )
    .bind(seller_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok((store, own))
}

/// Writes the store's own rate `to`, or removes its row.
async fn write(conn: &mut AnyConnection, seller_id: i64, to: Option<i64>) -> Result<(), sqlx::Error> {
    let query = match to {
        Some(rate_bp) => sqlx::query(
            "INSERT INTO commission_rates (id, scope, scope_id, rate_bp, updated_at) VALUES ($1, 'seller', $2, $3, $4) \
             ON CONFLICT (scope, scope_id) DO UPDATE SET rate_bp = excluded.rate_bp, updated_at = excluded.updated_at",
        )
        .bind(next_id())
        .bind(seller_id)
        .bind(rate_bp)
        .bind(now_ms()),
        None => sqlx::query("DELETE FROM commission_rates WHERE scope = 'seller' AND scope_id = $1").bind(seller_id),
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Sets (`typed`, a percentage) or removes (`typed` empty) store `seller_id`'s own rate. A new rate keeps the
/// store's own floor and cap; removing the rate removes them too, and the entry says so. `seen` is the store's own
/// rate the admin saw: a change made meanwhile refuses this one. Admins only, with a recent password.
pub async fn change_store_rate(
    db: &Db,
    actor: &Actor,
    confirmed: Confirmed,
    seller_id: i64,
    typed: &str,
    seen: Option<i64>,
    reason: &str,
) -> Result<(), SellerError> {
    admin_confirmed(actor, Some(&confirmed))?;
    let to = typed_rate(typed)?;
    let reason = reason_of(reason)?;
    let mut tx = db.begin_write().await?;
    let (store, row) = store_and_rate(&mut tx, seller_id).await?;
    let own = row.map(|r| r.0);
    if own != seen {
        return Err(SellerError::Conflict(
            "The store's commission changed while you were deciding: read the page again.".into(),
        ));
    }
    if own == to {
        return Err(SellerError::Conflict(
            "That is the store's rate already: nothing was changed.".into(),
        ));
    }
    write(&mut tx, seller_id, to).await?;
    let label = |rate: Option<i64>| rate.map_or_else(|| "the platform's or the category's".to_string(), percent_label);
    let mut entry = Entry::new(AuditAction::CommissionChanged, Subject::new("store", seller_id, &store))
        .store(seller_id)
        .change("commission", label(own), label(to))
        .reason(&reason);
    if let (None, Some((_, floor, cap))) = (to, row) {
        let money = |amount: Option<i64>| amount.map(|a| Money::new(a, CURRENCY).display()).unwrap_or_default();
        entry = entry
            .change("floor per line", money(floor), "")
            .change("cap per line", money(cap), "");
    }
    audit::record(&mut tx, actor, &entry).await?;
    tx.commit().await?;
    tracing::info!(seller_id, ?to, "store commission changed by an admin");
    Ok(())
}
