//! The admins' store screens: the list, a store's page, and the changes to its standing (suspend and reactivate,
//! asking for the admin's password again when their last one is older than 10 minutes), its payouts (hold,
//! release) and its commission rate (with the password too).

use leptos::prelude::*;
use model::admin_stores::{StoreDetail, StoreList};
#[cfg(feature = "ssr")]
use model::admin_stores::{StoreFilter, StoreState, SuspensionGround};

use crate::error::AppError;

/// A page of stores: words of the name, a state and held payouts, newest first.
#[server(endpoint = "admin_stores", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_stores(q: String, state: String, held: String, after: String) -> Result<StoreList, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let filter = StoreFilter {
        q,
        state: StoreState::parse(&state),
        held: held == "1",
    };
    Ok(domain::admin::stores::list(&services.db, &crate::ssr::actor(), &filter, &after).await?)
}

/// Store `id`'s admin page.
#[server(endpoint = "admin_store", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_store(id: i64) -> Result<StoreDetail, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let confirmed_at = super::confirmed_at().await?;
    Ok(domain::admin::stores::detail(&services.db, &crate::ssr::actor(), id, confirmed_at).await?)
}

/// Suspends store `id` on `ground` for `reason` (its seller is emailed both).
#[server(endpoint = "suspend_store")]
pub async fn suspend_store(id: i64, ground: String, reason: String, password: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let Some(ground) = SuspensionGround::parse(&ground) else {
        return Err(crate::ssr::fail(AppError::Validation(vec![model::FieldError::new(
            "ground",
            "Choose the ground of the suspension from the list.",
        )])));
    };
    let confirmed = super::step_up(&services, &password).await?;
    domain::sellers::standing::suspend(&services.db, &crate::ssr::actor(), confirmed, id, ground, &reason).await?;
    crate::ssr::redirect(&format!("/admin/sellers/{id}?done=suspended"));
    Ok(())
}

/// Lets suspended store `id` sell again.
#[server(endpoint = "reactivate_store")]
pub async fn reactivate_store(id: i64, reason: String, password: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let confirmed = super::step_up(&services, &password).await?;
    domain::sellers::standing::reactivate(&services.db, &crate::ssr::actor(), confirmed, id, &reason).await?;
    crate::ssr::redirect(&format!("/admin/sellers/{id}?done=reactivated"));
    Ok(())
}

/// Holds (`hold` = "1") or releases store `id`'s payouts.
#[server(endpoint = "hold_store_payouts")]
pub async fn hold_store_payouts(id: i64, hold: String, reason: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let hold = hold == "1";
    domain::sellers::standing::hold_payouts(&services.db, &crate::ssr::actor(), id, hold, &reason).await?;
    let done = if hold { "held" } else { "released" };
    crate::ssr::redirect(&format!("/admin/sellers/{id}?done={done}"));
    Ok(())
}

/// Sets store `id`'s own commission rate (`rate`, a percentage; empty: the platform's or the category's applies);
/// `seen` is the store's own rate in basis points the page showed ("" when it had none).
#[server(endpoint = "change_store_commission")]
pub async fn change_store_commission(
    id: i64,
    rate: String,
    seen: String,
    reason: String,
    password: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let seen = seen.trim().parse::<i64>().ok();
    let confirmed = super::step_up(&services, &password).await?;
    domain::money::store_rate::change_store_rate(
        &services.db,
        &crate::ssr::actor(),
        confirmed,
        id,
        &rate,
        seen,
        &reason,
    )
    .await?;
    crate::ssr::redirect(&format!("/admin/sellers/{id}?done=commission"));
    Ok(())
}
