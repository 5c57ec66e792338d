//! An admin's decisions on a store's standing (`/admin/sellers/{id}`): suspended (its listings leave the
//! storefront, search and carts within seconds, no order can be placed with it, its payouts are held, and its seller
//! is emailed the statement of reasons), reactivated, or its payouts held and released. Each is a conditional
//! update on the state the admin saw, writes its audit entry in the same transaction, and a suspension asks for the
//! admin's password again when their last one is old.

use model::admin::AuditAction;
use model::admin_stores::{StoreState, SuspensionGround};
use sqlx::AnyConnection;

use super::SellerError;
use crate::accounts::step_up::{self, Confirmed};
use crate::notifications::{self, templates};
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::clock::now_ms;
use crate::platform::{Actor, Db};

/// The store as the change reads it under its transaction.
#[derive(sqlx::FromRow)]
struct Target {
    store_name: String,
    status: String,
    transfers_held_at: Option<i64>,
    owner_email: Option<String>,
}

async fn target(conn: &mut AnyConnection, seller_id: i64) -> Result<Target, SellerError> {
    sqlx::query_as(
        "SELECT s.store_name, s.status, s.transfers_held_at, u.email AS owner_email FROM sellers s \
         LEFT JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    )
    .bind(seller_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(SellerError::NotFound)
}

fn state_of(status: &str) -> StoreState {
    StoreState::parse(status).unwrap_or(StoreState::Pending)
}

/// An admin, with a recent password when `confirmed` is asked for.
pub(crate) fn admin_confirmed(actor: &Actor, confirmed: Option<&Confirmed>) -> Result<(), SellerError> {
    if !actor.is_admin() {
        return Err(SellerError::Forbidden);
    }
    if confirmed.is_some_and(|c| !c.covers(actor)) {
        return Err(SellerError::Invalid(vec![step_up::password_asked()]));
    }
    Ok(())
}

pub(crate) fn reason_of(typed: &str) -> Result<String, SellerError> {
    audit::reason(typed).map_err(|e| SellerError::Invalid(vec![e]))
}

/// Suspends selling store `seller_id` on `ground` for `reason` (both in the statement its seller is emailed).
pub async fn suspend(
    db: &Db,
    actor: &Actor,
    confirmed: Confirmed,
    seller_id: i64,
    ground: SuspensionGround,
    reason: &str,
) -> Result<(), SellerError> {
    set_selling(db, actor, confirmed, seller_id, Some(ground), reason).await
}

/// Lets suspended store `seller_id` sell again (its payouts stay held if an admin held them on their own).
pub async fn reactivate(
    db: &Db,
    actor: &Actor,
    confirmed: Confirmed,
    seller_id: i64,
    reason: &str,
) -> Result<(), SellerError> {
    set_selling(db, actor, confirmed, seller_id, None, reason).await
}

/// Suspends store `seller_id` (`suspend_on` a ground) or reactivates it (`None`): a conditional update on the state
/// it leaves (of two admins acting at once, one changes it), its listings through the outbox, the audit entry and
/// the seller's email, in one transaction.
async fn set_selling(
    db: &Db,
    actor: &Actor,
    confirmed: Confirmed,
    seller_id: i64,
    suspend_on: Option<SuspensionGround>,
    reason: &str,
) -> Result<(), SellerError> {
    admin_confirmed(actor, Some(&confirmed))?;
    let reason = reason_of(reason)?;
    let (from, to) = match suspend_on {
        Some(_) => (StoreState::Active, StoreState::Suspended),
        None => (StoreState::Suspended, StoreState::Active),
    };
    let note = suspend_on
        .map(|g| format!("{}: {reason}", g.label()))
        .unwrap_or_default();
    let mut tx = db.begin_write().await?;
    let before = target(&mut tx, seller_id).await?;
    let done = sqlx::query("UPDATE sellers SET status = $1, suspension_note = $2 WHERE id = $3 AND status = $4")
        .bind(to.as_str())
        .bind(&note)
        .bind(seller_id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        // Read again: another admin's change may have been waited for.
        let now = target(&mut tx, seller_id).await?;
        return Err(SellerError::Conflict(format!(
            "The store is {} now: only a {} store is {}.",
            state_of(&now.status).label().to_lowercase(),
            if suspend_on.is_some() { "selling" } else { "suspended" },
            if suspend_on.is_some() {
                "suspended"
            } else {
                "reactivated"
            },
        )));
    }
    listings_changed(&mut tx, seller_id).await?;
    let action = match suspend_on {
        Some(_) => AuditAction::StoreSuspended,
        None => AuditAction::StoreReactivated,
    };
    let entry = Entry::new(action, Subject::new("store", seller_id, &before.store_name))
        .store(seller_id)
        .change("state", from.label(), to.label())
        .change(
            "ground",
            "",
            suspend_on.map(SuspensionGround::label).unwrap_or_default(),
        )
        .reason(&reason);
    audit::record(&mut tx, actor, &entry).await?;
    if let Some(email) = &before.owner_email {
        let mail = match suspend_on {
            Some(g) => templates::store_suspended(email, &before.store_name, g.label(), &reason),
            None => templates::store_reactivated(email, &before.store_name),
        };
        let key = format!("{}:{seller_id}:{}", action.as_str(), now_ms());
        notifications::enqueue(&mut tx, &key, &mail).await?;
    }
    tx.commit().await?;
    tracing::info!(seller_id, to = to.as_str(), "store standing changed by an admin");
    Ok(())
}

/// Holds (`hold`) or releases store `seller_id`'s payouts for `reason`: while held, the transfer sweep sends it
/// nothing (reversals it owes still run) and no manual payout is recorded.
pub async fn hold_payouts(db: &Db, actor: &Actor, seller_id: i64, hold: bool, reason: &str) -> Result<(), SellerError> {
    admin_confirmed(actor, None)?;
    let reason = reason_of(reason)?;
    let mut tx = db.begin_write().await?;
    let before = target(&mut tx, seller_id).await?;
    let query = if hold {
        sqlx::query("UPDATE sellers SET transfers_held_at = $1 WHERE id = $2 AND transfers_held_at IS NULL")
            .bind(now_ms())
            .bind(seller_id)
    } else {
        sqlx::query("UPDATE sellers SET transfers_held_at = NULL WHERE id = $1 AND transfers_held_at IS NOT NULL")
            .bind(seller_id)
    };
    let done = query.execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        let now = target(&mut tx, seller_id).await?;
        return Err(SellerError::Conflict(
            if now.transfers_held_at.is_some() {
                "The store's payouts are held already: nothing was changed."
            } else {
                "The store's payouts are not held: nothing was changed."
            }
            .into(),
        ));
    }
    let (action, from, to) = if hold {
        (AuditAction::TransfersHeld, "Paid out", "Held")
    } else {
        (AuditAction::TransfersReleased, "Held", "Paid out")
    };
    let entry = Entry::new(action, Subject::new("store", seller_id, &before.store_name))
        .store(seller_id)
        .change("payouts", from, to)
        .reason(&reason);
    audit::record(&mut tx, actor, &entry).await?;
    tx.commit().await?;
    tracing::info!(seller_id, hold, "store payouts changed by an admin");
    Ok(())
}

/// Whether store `seller_id` may be paid now: it sells and no admin holds its payouts. Takes the store's row in
/// the caller's transaction (the sweep's claim, a manual payout), so a hold or a suspension waits for the payout
/// or the payout sees it: never both committed with the money gone.
pub(crate) async fn payable(conn: &mut AnyConnection, seller_id: i64) -> Result<bool, sqlx::Error> {
    let row: Option<(String, Option<i64>)> =
        sqlx::query_as("UPDATE sellers SET status = status WHERE id = $1 RETURNING status, transfers_held_at")
            .bind(seller_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some_and(|(status, held)| state_of(&status) == StoreState::Active && held.is_none()))
}

/// Takes store `seller_id`'s row in the caller's transaction (a change to what the store pays waits for another
/// one, and the second sees the first); its name, `None` for no such store.
pub(crate) async fn take_store(conn: &mut AnyConnection, seller_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("UPDATE sellers SET store_name = store_name WHERE id = $1 RETURNING store_name")
        .bind(seller_id)
        .fetch_optional(&mut *conn)
        .await
}

/// Whether store `seller_id`'s payouts are held (it is suspended, or an admin holds them), for the screens.
pub async fn payouts_held(conn: &mut AnyConnection, seller_id: i64) -> Result<bool, sqlx::Error> {
    let paid: Option<i64> =
        sqlx::query_scalar("SELECT id FROM sellers WHERE id = $1 AND status = 'active' AND transfers_held_at IS NULL")
            .bind(seller_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(paid.is_none())
}

/// Every product of the store goes through the search outbox (the index drops or re-adds it and the cached pages
/// that show it are dropped, within a second), and every cached listing (its store page, even without products).
async fn listings_changed(conn: &mut AnyConnection, seller_id: i64) -> Result<(), sqlx::Error> {
    super::settings::store_changed(conn, seller_id).await?;
    crate::platform::outbox::listings_changed(conn).await
}
