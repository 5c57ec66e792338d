//! A store's disputes: one case with the facts offered to the bank, and sending the store's account.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::signed_in;
use crate::error::AppError;

/// Where a refused account waits, to show the form with what was typed.
pub const EVIDENCE_FORM: &str = "dispute-evidence";

/// The case page: the case, and the account typed last if it was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DisputeScreen {
    pub detail: model::disputes::DisputeDetail,
    pub kept: Option<String>,
}

#[server(endpoint = "store_dispute", input = leptos::server_fn::codec::GetUrl)]
pub async fn store_dispute(id: i64) -> Result<DisputeScreen, AppError> {
    let (services, actor) = signed_in()?;
    let detail = domain::money::dispute_screens::detail(&services.db, &actor, id).await?;
    let kept = crate::ssr::take_typed(EVIDENCE_FORM).await?;
    Ok(DisputeScreen { detail, kept })
}

/// Sends the store's account of case `id` to the bank with the order's facts.
#[server(endpoint = "send_dispute_evidence")]
pub async fn send_dispute_evidence(id: i64, #[server(default)] evidence: String) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let gateway = &*services.payments;
    match domain::workflows::dispute_evidence::send(&services.db, gateway, &actor, id, &evidence).await {
        Ok(_) => {
            crate::ssr::redirect(&format!("/seller/money/disputes/{id}?sent=1"));
            Ok(())
        }
        Err(e) => {
            crate::ssr::keep_typed(EVIDENCE_FORM, &evidence).await?;
            Err(e.into())
        }
    }
}
