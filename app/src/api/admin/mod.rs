pub mod audit;
pub mod orders;
pub mod search;
pub mod stores;
pub mod users;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Figures for the admin dashboard's first card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminFigures {
    pub shoppers: i64,
    pub sellers: i64,
    pub admins: i64,
    pub active_sessions: i64,
    pub pending_applications: i64,
}

#[server(endpoint = "admin_overview")]
pub async fn admin_overview() -> Result<AdminFigures, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let counts = domain::admin::overview(&services.db, &crate::ssr::actor()).await?;
    Ok(AdminFigures {
        shoppers: counts.shoppers,
        sellers: counts.sellers,
        admins: counts.admins,
        active_sessions: counts.active_sessions,
        pending_applications: counts.pending_applications,
    })
}

/// The marketplace's dashboard for a period (`range` 1, 7, 30 or 90 days, or `from`/`to` dates), its days in the
/// platform's time zone.
#[server(endpoint = "admin_dashboard", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_dashboard(
    #[server(default)] range: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<model::admin_dashboard::PlatformDashboard, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let range = model::money::SalesRange { range, from, to };
    let zone = &services.platform_zone;
    Ok(domain::admin::dashboard::screen(&services.db, &crate::ssr::actor(), &range, zone).await?)
}

/// What shoppers did over a period (`range` 1, 7, 30 or 90 days, or `from`/`to` dates), days in the platform's
/// time zone.
#[server(endpoint = "admin_analytics", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_analytics(
    #[server(default)] range: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<model::admin_analytics::Analytics, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let range = model::money::SalesRange { range, from, to };
    let zone = &services.platform_zone;
    Ok(domain::analytics::report::screen(&services.db, &crate::ssr::actor(), &range, zone).await?)
}

/// A page of the seller applications awaiting a decision, oldest first.
#[server(endpoint = "seller_applications")]
pub async fn seller_applications(after: Option<String>) -> Result<model::sellers::ApplicationQueue, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    Ok(domain::sellers::applications::queue(&services.db, &crate::ssr::actor(), after.as_deref()).await?)
}

/// Approves an application: the store opens and the applicant becomes its seller.
#[server(endpoint = "approve_application")]
pub async fn approve_application(id: i64) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::workflows::onboard_seller::approve(&services.db, &crate::ssr::actor(), id).await?;
    crate::ssr::redirect("/admin/sellers/applications?done=approved");
    Ok(())
}

/// Rejects an application with the reason the applicant will read.
#[server(endpoint = "reject_application")]
pub async fn reject_application(id: i64, reason: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::workflows::onboard_seller::reject(&services.db, &crate::ssr::actor(), id, &reason).await?;
    crate::ssr::redirect("/admin/sellers/applications?done=rejected");
    Ok(())
}

/// When this session's account last gave its password: at sign-in, or again for a change that asked for it.
#[cfg(feature = "ssr")]
pub(crate) async fn confirmed_at() -> Result<Option<i64>, AppError> {
    use domain::accounts::sessions::{CONFIRMED_AT_KEY, SIGNED_IN_AT_KEY};
    let session = crate::ssr::session().await?;
    let mut latest = None;
    for key in [SIGNED_IN_AT_KEY, CONFIRMED_AT_KEY] {
        let at = session.get::<i64>(key).await.map_err(crate::ssr::internal)?;
        latest = latest.max(at);
    }
    Ok(latest)
}

/// The step-up a change asks for: a recent password, or `password` checked now (and kept in the session as
/// given, so the next 10 minutes do not ask again).
#[cfg(feature = "ssr")]
pub(crate) async fn step_up(
    services: &crate::ssr::Services,
    password: &str,
) -> Result<domain::accounts::step_up::Confirmed, AppError> {
    use domain::accounts::sessions::CONFIRMED_AT_KEY;
    let before = confirmed_at().await?;
    let confirmed =
        domain::accounts::step_up::confirm(&services.db, &services.throttle, &crate::ssr::actor(), before, password)
            .await?;
    if Some(confirmed.at()) != before {
        let session = crate::ssr::session().await?;
        session
            .insert(CONFIRMED_AT_KEY, confirmed.at())
            .await
            .map_err(crate::ssr::internal)?;
    }
    Ok(confirmed)
}
