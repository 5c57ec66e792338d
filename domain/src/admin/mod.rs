//! Admin use cases. Authorization is checked here, not only in the UI: every function takes the acting user.

pub mod audit;
pub mod dashboard;
pub mod orders;
mod query;
pub mod stores;
pub mod users;

use model::Role;
use sqlx::Row;

use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::Actor;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("only admins may do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("the input is not valid")]
    Invalid(Vec<model::FieldError>),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub shoppers: i64,
    pub sellers: i64,
    pub admins: i64,
    pub active_sessions: i64,
    /// Seller applications awaiting a decision.
    pub pending_applications: i64,
}

pub fn require_admin(actor: &Actor) -> Result<(), AdminError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AdminError::Forbidden)
    }
}

/// Accounts per role and live signed-in sessions.
pub async fn overview(db: &Db, actor: &Actor) -> Result<Overview, AdminError> {
    require_admin(actor)?;
    let rows = sqlx::query("SELECT role, COUNT(*) AS user_count FROM users GROUP BY role")
        .fetch_all(db.pool())
        .await?;
    let mut overview = Overview {
        shoppers: 0,
        sellers: 0,
        admins: 0,
        active_sessions: 0,
        pending_applications: 0,
    };
    for row in rows {
        let role: String = row.try_get("role")?;
        let count: i64 = row.try_get("user_count")?;
        match Role::parse(&role) {
            Some(Role::Shopper) => overview.shoppers = count,
            Some(Role::Seller) => overview.sellers = count,
            Some(Role::Admin) => overview.admins = count,
            None => {}
        }
    }
    overview.active_sessions =
        sqlx::query("SELECT COUNT(*) AS active_sessions FROM sessions WHERE user_id IS NOT NULL AND expires_at > $1")
            .bind(now_ms())
            .fetch_one(db.pool())
            .await?
            .try_get("active_sessions")?;
    overview.pending_applications =
        sqlx::query("SELECT COUNT(*) AS pending FROM seller_applications WHERE status = 'pending'")
            .fetch_one(db.pool())
            .await?
            .try_get("pending")?;
    Ok(overview)
}

impl From<AdminError> for crate::platform::Problem {
    fn from(err: AdminError) -> Self {
        use crate::platform::Problem;
        match err {
            AdminError::Forbidden => Problem::Forbidden,
            AdminError::NotFound => Problem::NotFound,
            AdminError::Invalid(fields) => Problem::Invalid(fields),
            AdminError::Db(e) => e.into(),
        }
    }
}
