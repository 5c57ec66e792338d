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
    })
}
