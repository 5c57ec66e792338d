//! Becoming a seller: applying (the application and the admins' emails commit together) and an admin's decision
//! (approval opens the store and its first warehouse, makes the account a seller and emails the applicant, all
//! in one transaction; a rejection records the reason and emails it).

use model::admin::AuditAction;
use model::sellers::{ApplicationForm, ApplicationStatus};

use crate::accounts::{self, AccountError};
use crate::notifications::{self, templates};
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::{Actor, ActorKind, Db};
use crate::sellers::applications;
use crate::sellers::SellerError;

fn account_error(e: AccountError) -> SellerError {
    match e {
        AccountError::Db(e) => SellerError::Db(e),
        AccountError::Invalid(fields) => SellerError::Invalid(fields),
        _ => SellerError::NotFound,
    }
}

/// A signed-in shopper applies to sell. A seller already runs a store and an admin's account cannot also be a
/// seller's; a visitor must sign in first (`Forbidden`, which the page turns into the login).
pub async fn apply(db: &Db, actor: &Actor, form: &ApplicationForm) -> Result<i64, SellerError> {
    let user_id = match actor.kind() {
        ActorKind::Shopper { user_id } => user_id,
        ActorKind::Seller { .. } => {
            return Err(SellerError::Conflict(
                "You already run a store on Bazaar: manage it in the seller portal.".into(),
            ))
        }
        ActorKind::Admin { .. } => {
            return Err(SellerError::Conflict(
                "An administrator's account cannot also run a store; apply from a separate account.".into(),
            ))
        }
        ActorKind::Visitor => return Err(SellerError::Forbidden),
    };
    let valid = applications::validate(form).map_err(SellerError::Invalid)?;
    {
        let mut conn = db.pool().acquire().await?;
        applications::check_region(&mut conn, &valid.country).await?;
    }
    let mut tx = db.begin_write().await?;
    // Admins and shoppers write to the store's support address and its owner's: it must reach someone.
    if !accounts::verification::is_verified(&mut tx, user_id).await? {
        return Err(SellerError::Conflict(
            "Confirm your email address first: open the link we sent you, or send a new one from your account page."
                .into(),
        ));
    }
    let id = applications::insert(&mut tx, user_id, &valid).await?;
    let applicant: (String, String) = sqlx::query_as("SELECT name, email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    let applicant = format!("{} <{}>", applicant.0, applicant.1);
    for admin in accounts::admin_emails(&mut tx).await.map_err(account_error)? {
        let mail = templates::application_received(&admin, &valid.store_name, &applicant);
        notifications::enqueue(&mut tx, &format!("application-received:{id}:{admin}"), &mail).await?;
    }
    tx.commit().await?;
    tracing::info!(application_id = id, user_id, "seller application received");
    Ok(id)
}

fn admin_id(actor: &Actor) -> Result<i64, SellerError> {
    match actor.kind() {
        ActorKind::Admin { user_id } => Ok(user_id),
        _ => Err(SellerError::Forbidden),
    }
}

/// An admin approves: the store opens with a first warehouse, the account becomes its seller, the applicant is
/// told. Returns the new store's id.
pub async fn approve(db: &Db, actor: &Actor, application_id: i64) -> Result<i64, SellerError> {
    let admin = admin_id(actor)?;
    let mut tx = db.begin_write().await?;
    let pending = applications::pending(&mut tx, application_id).await?;
    // The region may have changed since the application came.
    match applications::check_region(&mut tx, &pending.view.country).await {
        Err(SellerError::Invalid(_)) => {
            return Err(SellerError::Conflict(
                "Bazaar no longer takes stores from the applicant's country: reject the application with that \
                 reason instead."
                    .into(),
            ))
        }
        other => other?,
    }
    let store = applications::open_store(&mut tx, pending.user_id, &pending.view).await?;
    accounts::make_seller(&mut tx, pending.user_id).await.map_err(|_| {
        SellerError::Conflict(
            "The applicant's account can no longer become a seller's (it is an administrator's now, suspended, \
                 or gone); reject the application instead."
                .into(),
        )
    })?;
    applications::decide(
        &mut tx,
        pending.id,
        ApplicationStatus::Approved,
        "",
        Some(admin),
        Some(store),
    )
    .await?;
    let entry = Entry::new(
        AuditAction::ApplicationApproved,
        Subject::new("application", pending.id, &pending.view.store_name),
    )
    .store(store)
    .change("status", "Pending", "Approved")
    .change("role of the applicant", "Shopper", "Seller");
    audit::record(&mut tx, actor, &entry).await?;
    let mail = templates::application_approved(&pending.view.applicant_email, &pending.view.store_name);
    notifications::enqueue(&mut tx, &format!("application-approved:{}", pending.id), &mail).await?;
    tx.commit().await?;
    tracing::info!(application_id, store, admin, "seller application approved");
    Ok(store)
}

/// An admin rejects with a reason the applicant reads (in the email and on `/sell`); they may apply again.
pub async fn reject(db: &Db, actor: &Actor, application_id: i64, reason: &str) -> Result<(), SellerError> {
    let admin = admin_id(actor)?;
    let reason = applications::parse_reason(reason)?;
    let mut tx = db.begin_write().await?;
    let pending = applications::pending(&mut tx, application_id).await?;
    applications::decide(
        &mut tx,
        pending.id,
        ApplicationStatus::Rejected,
        &reason,
        Some(admin),
        None,
    )
    .await?;
    let entry = Entry::new(
        AuditAction::ApplicationRejected,
        Subject::new("application", pending.id, &pending.view.store_name),
    )
    .change("status", "Pending", "Rejected")
    .reason(&reason);
    audit::record(&mut tx, actor, &entry).await?;
    let mail = templates::application_rejected(&pending.view.applicant_email, &pending.view.store_name, &reason);
    notifications::enqueue(&mut tx, &format!("application-rejected:{}", pending.id), &mail).await?;
    tx.commit().await?;
    tracing::info!(application_id, admin, "seller application rejected");
    Ok(())
}
