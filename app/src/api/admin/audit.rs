//! The audit log's screen.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::admin::AuditFilter;
use model::admin::AuditPage;

use crate::error::AppError;

/// A page of the audit log, newest first, filtered as the address says.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "audit_log", input = leptos::server_fn::codec::GetUrl)]
pub async fn audit_log(
    q: String,
    action: String,
    actor: String,
    kind: String,
    subject: String,
    from: String,
    to: String,
    after: String,
) -> Result<AuditPage, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let filter = AuditFilter {
        q,
        action,
        actor: actor.trim().parse().ok(),
        subject_kind: kind,
        subject_id: subject,
        from,
        to,
    };
    Ok(domain::admin::audit::search(&services.db, &crate::ssr::actor(), &filter, &after).await?)
}
