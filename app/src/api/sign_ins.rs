//! The account's live sign-ins (`/account/security`): list them, end one, end every other.

use leptos::prelude::*;
use model::SignInView;

use crate::error::AppError;

#[cfg(feature = "ssr")]
async fn current_session_id() -> Result<Option<String>, AppError> {
    Ok(crate::ssr::session().await?.id().map(|id| id.to_string()))
}

/// The signed-in user's live sign-ins, this one first.
#[server(endpoint = "sign_ins")]
pub async fn sign_ins() -> Result<Vec<SignInView>, AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let current = current_session_id().await?;
    let list = domain::accounts::sessions::sign_ins(&services.db, me.id, current.as_deref())
        .await
        .map_err(crate::ssr::internal)?;
    Ok(list
        .into_iter()
        .map(|s| SignInView {
            handle: s.handle,
            device: s.device,
            signed_in_at: s.signed_in_at,
            current: s.current,
        })
        .collect())
}

/// Ends one of the signed-in user's other sign-ins.
#[server(endpoint = "end_sign_in")]
pub async fn end_sign_in(handle: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let current = current_session_id().await?;
    let ended = domain::accounts::sessions::end_sign_in(&services.db, me.id, &handle, current.as_deref())
        .await
        .map_err(crate::ssr::internal)?;
    if !ended {
        return Err(crate::ssr::fail(AppError::Conflict(
            "That sign-in has ended already.".into(),
        )));
    }
    crate::ssr::redirect("/account/security?ended=1");
    Ok(())
}

/// Ends every sign-in of the signed-in user but this one.
#[server(endpoint = "end_other_sign_ins")]
pub async fn end_other_sign_ins() -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let current = current_session_id().await?;
    domain::accounts::sessions::end_other_sign_ins(&services.db, me.id, current.as_deref())
        .await
        .map_err(crate::ssr::internal)?;
    crate::ssr::redirect("/account/security?ended=all");
    Ok(())
}
