//! The admins' accounts screens: the list, an account's page, and the changes to its standing (suspend,
//! reactivate, role), each asking for the admin's password again when their last one is older than 10 minutes.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::admin::{AccountState, UserFilter};
use model::admin::{UserDetail, UserList};

use crate::error::AppError;

/// A page of accounts: words of the name or address, a role and a state, newest first.
#[server(endpoint = "admin_users", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_users(q: String, role: String, state: String, after: String) -> Result<UserList, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let filter = UserFilter {
        q,
        role: model::Role::parse(&role),
        state: AccountState::parse(&state),
    };
    Ok(domain::admin::users::list(&services.db, &crate::ssr::actor(), &filter, &after).await?)
}

/// Account `id`'s admin page.
#[server(endpoint = "admin_user", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_user(id: i64) -> Result<UserDetail, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let confirmed_at = super::confirmed_at().await?;
    Ok(domain::admin::users::detail(&services.db, &crate::ssr::actor(), id, confirmed_at).await?)
}

/// Suspends account `id` (signed out everywhere at once) for `reason`.
#[server(endpoint = "suspend_account")]
pub async fn suspend_account(id: i64, reason: String, password: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let confirmed = super::step_up(&services, &password).await?;
    domain::accounts::standing::suspend(&services.db, &crate::ssr::actor(), confirmed, id, &reason).await?;
    crate::ssr::redirect(&format!("/admin/users/{id}?done=suspended"));
    Ok(())
}

/// Lets suspended account `id` sign in again.
#[server(endpoint = "reactivate_account")]
pub async fn reactivate_account(id: i64, reason: String, password: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let confirmed = super::step_up(&services, &password).await?;
    domain::accounts::standing::reactivate(&services.db, &crate::ssr::actor(), confirmed, id, &reason).await?;
    crate::ssr::redirect(&format!("/admin/users/{id}?done=reactivated"));
    Ok(())
}

/// Gives account `id` role `role` (shopper or admin).
#[server(endpoint = "change_account_role")]
pub async fn change_account_role(id: i64, role: String, reason: String, password: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let Some(role) = model::Role::parse(&role) else {
        return Err(crate::ssr::fail(AppError::Validation(vec![model::FieldError::new(
            "role",
            "Choose Shopper or Admin.",
        )])));
    };
    let confirmed = super::step_up(&services, &password).await?;
    domain::accounts::standing::set_role(&services.db, &crate::ssr::actor(), confirmed, id, role, &reason).await?;
    crate::ssr::redirect(&format!("/admin/users/{id}?done=role"));
    Ok(())
}
