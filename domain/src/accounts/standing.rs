//! An admin's changes to an account's standing: suspended (every session ends in the same transaction, so the
//! next request of each is a visitor's; sign-in is refused), reactivated, or given another role. Each is a
//! conditional update on the state the admin saw, asks for the admin's password again when their last one is old
//! ([`super::step_up`]), and writes its audit entry in the same transaction.

use model::admin::{AccountState, AuditAction};
use model::Role;

use super::step_up::Confirmed;
use super::AccountError;
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::Actor;

/// What the change is made to: the account as it is read under the transaction.
#[derive(sqlx::FromRow)]
struct Target {
    name: String,
    role: String,
    disabled_at: Option<i64>,
    erased_at: Option<i64>,
    store_name: Option<String>,
}

impl Target {
    fn state(&self) -> AccountState {
        match (self.erased_at, self.disabled_at) {
            (Some(_), _) => AccountState::Erased,
            (None, Some(_)) => AccountState::Suspended,
            (None, None) => AccountState::Active,
        }
    }
}

/// The actor is an admin other than account `user_id`'s, who gave their password recently (`confirmed`).
fn admin_other_than(actor: &Actor, confirmed: &Confirmed, user_id: i64, what: &str) -> Result<(), AccountError> {
    if !actor.is_admin() {
        return Err(AccountError::Forbidden);
    }
    if !confirmed.covers(actor) {
        return Err(AccountError::Invalid(vec![super::step_up::password_asked()]));
    }
    if actor.user_id() == Some(user_id) {
        return Err(AccountError::Refused(format!(
            "You cannot {what} your own account: ask another admin."
        )));
    }
    Ok(())
}

async fn target(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<Target, AccountError> {
    sqlx::query_as(
        "SELECT name, role, disabled_at, erased_at, (SELECT MIN(s.store_name) FROM sellers s WHERE s.user_id = users.id) \
         AS store_name FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AccountError::NotFound)
}

fn reason_of(typed: &str) -> Result<String, AccountError> {
    audit::reason(typed).map_err(|e| AccountError::Invalid(vec![e]))
}

/// Suspends account `user_id`: it is signed out everywhere at once and cannot sign in until reactivated.
pub async fn suspend(
    db: &Db,
    actor: &Actor,
    confirmed: Confirmed,
    user_id: i64,
    reason: &str,
) -> Result<(), AccountError> {
    set_suspended(db, actor, confirmed, user_id, reason, true).await
}

/// Lets a suspended account sign in again (an erased one stays erased).
pub async fn reactivate(
    db: &Db,
    actor: &Actor,
    confirmed: Confirmed,
    user_id: i64,
    reason: &str,
) -> Result<(), AccountError> {
    set_suspended(db, actor, confirmed, user_id, reason, false).await
}

/// Suspends (`suspend`) or reactivates account `user_id`: a conditional update on the state it leaves, with the
/// sessions ended on a suspension and the audit entry, in one transaction.
async fn set_suspended(
    db: &Db,
    actor: &Actor,
    confirmed: Confirmed,
    user_id: i64,
    reason: &str,
    suspend: bool,
) -> Result<(), AccountError> {
    admin_other_than(
        actor,
        &confirmed,
        user_id,
        if suspend { "suspend" } else { "reactivate" },
    )?;
    let reason = reason_of(reason)?;
    let mut tx = db.begin_write().await?;
    let before = target(&mut tx, user_id).await?;
    if let (true, Some(store)) = (suspend, &before.store_name) {
        return Err(AccountError::Refused(format!(
            "This account runs the store “{store}”: suspending it would leave the store's listings on sale with \
             no one to ship them. Suspend the store from its own page instead (Stores)."
        )));
    }
    let sql = if suspend {
        // Not an account that runs a store, in the update itself: an approval committed since the read above is
        // seen here.
        "UPDATE users SET disabled_at = $1, updated_at = $1 WHERE id = $2 AND disabled_at IS NULL AND erased_at IS NULL \
         AND role <> 'seller' AND NOT EXISTS (SELECT 1 FROM sellers s WHERE s.user_id = users.id)"
    } else {
        "UPDATE users SET disabled_at = NULL, updated_at = $1 WHERE id = $2 AND disabled_at IS NOT NULL \
         AND erased_at IS NULL"
    };
    let done = sqlx::query(sql).bind(now_ms()).bind(user_id).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        let state = before.state().label().to_lowercase();
        return Err(AccountError::Refused(
            if suspend && before.state() == AccountState::Active {
                "The account changed while you were deciding (it runs a store now): read the page again.".to_string()
            } else if suspend {
                format!("The account is {state} already: nothing was changed.")
            } else {
                format!("The account is {state}: only a suspended account is reactivated.")
            },
        ));
    }
    let (action, after) = if suspend {
        let ended = super::sessions::delete_user_sessions(&mut tx, user_id, None).await?;
        tracing::info!(user_id, ended, "account suspended by an admin; its sessions ended");
        (AuditAction::AccountSuspended, AccountState::Suspended)
    } else {
        tracing::info!(user_id, "account reactivated by an admin");
        (AuditAction::AccountReactivated, AccountState::Active)
    };
    let entry = Entry::new(action, Subject::new("account", user_id, &before.name))
        .change("state", before.state().label(), after.label())
        .reason(&reason);
    audit::record(&mut tx, actor, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives account `user_id` role `to`: shopper or admin (a seller's role comes with a store, from an approved
/// application). A new admin acts as one only once two-factor sign-in is on (decision 0038).
pub async fn set_role(
    db: &Db,
    actor: &Actor,
    confirmed: Confirmed,
    user_id: i64,
    to: Role,
    reason: &str,
) -> Result<(), AccountError> {
    admin_other_than(actor, &confirmed, user_id, "change the role of")?;
    let reason = reason_of(reason)?;
    if !model::admin::ASSIGNABLE_ROLES.contains(&to) {
        return Err(AccountError::field(
            "role",
            "Choose Shopper or Admin: an account becomes a seller's when its application to sell is approved.",
        ));
    }
    let mut tx = db.begin_write().await?;
    let before = target(&mut tx, user_id).await?;
    let from = Role::parse(&before.role).ok_or(AccountError::NotFound)?;
    if from == Role::Seller || before.store_name.is_some() {
        return Err(AccountError::Refused(
            "This account runs a store: its role comes with the store and is not changed here.".into(),
        ));
    }
    if before.state() == AccountState::Erased {
        return Err(AccountError::Refused("An erased account keeps its role.".into()));
    }
    if from == to {
        return Err(AccountError::Refused(format!(
            "The account is a{} {} already: nothing was changed.",
            if to == Role::Admin { "n" } else { "" },
            to.label().to_lowercase()
        )));
    }
    // On the role the admin saw: two admins changing it at once cannot both succeed.
    let done = sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3 AND role = $4")
        .bind(to.as_str())
        .bind(now_ms())
        .bind(user_id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AccountError::Refused(
            "The account's role changed while you were deciding: read the page again.".into(),
        ));
    }
    let entry = Entry::new(AuditAction::RoleChanged, Subject::new("account", user_id, &before.name))
        .change("role", from.label(), to.label())
        .reason(&reason);
    audit::record(&mut tx, actor, &entry).await?;
    tx.commit().await?;
    tracing::info!(
        user_id,
        from = from.as_str(),
        to = to.as_str(),
        "role changed by an admin"
    );
    Ok(())
}
