//! Passkeys (decision 0047): signing in with one from `/login`, and adding and removing them on
//! `/account/security`. The browser's side of each ceremony is `public/passkeys.js` (loaded on those two pages
//! only, never in the storefront's wasm): it asks for the options, runs `navigator.credentials`, and sends the
//! answer back as JSON text in a form field.

use leptos::prelude::*;
use model::PasskeyView;

use crate::error::AppError;

#[cfg(feature = "ssr")]
mod imp {
    use domain::accounts::passkeys::{Pending, Started};
    use domain::accounts::sessions::PASSKEY_PENDING_KEY;

    use crate::error::AppError;
    use crate::ssr::{internal, session};

    /// Keeps step one's state in this session (a ceremony begun again replaces it); the options go to the browser.
    pub async fn keep(started: Started) -> Result<String, AppError> {
        session()
            .await?
            .insert(PASSKEY_PENDING_KEY, &started.pending)
            .await
            .map_err(internal)?;
        Ok(started.options)
    }

    /// Step one's state, taken from the session: each ceremony's second step runs once.
    pub async fn take() -> Result<Pending, AppError> {
        let pending = session()
            .await?
            .remove::<Pending>(PASSKEY_PENDING_KEY)
            .await
            .ok()
            .flatten();
        // Nothing kept, or kept by an older build in another shape: either way the ceremony starts again.
        pending.ok_or_else(|| crate::ssr::fail(AppError::Conflict(domain::accounts::passkeys::START_AGAIN.into())))
    }
}

/// Step one of signing in with a passkey: the options for `navigator.credentials.get` (JSON).
#[server(endpoint = "passkey_sign_in_options")]
pub async fn passkey_sign_in_options() -> Result<String, AppError> {
    let services = crate::ssr::services()?;
    let started = domain::accounts::passkeys::start_sign_in(&services.passkeys)?;
    imp::keep(started).await
}

/// Step two: the browser's signed answer (`credential`, JSON). Signs the account in (a new session id; a passkey
/// verified its user, so no two-factor code follows) and answers where to go next.
#[server(endpoint = "passkey_sign_in")]
pub async fn passkey_sign_in(credential: String, next: String) -> Result<String, AppError> {
    let services = crate::ssr::services()?;
    let pending = imp::take().await?;
    let user =
        domain::accounts::passkeys::finish_sign_in(&services.db, &services.passkeys, pending, &credential).await?;
    crate::api::accounts::imp::sign_in(&user).await?;
    crate::ssr::session()
        .await?
        .insert(domain::accounts::sessions::TWO_FACTOR_PASSED_KEY, true)
        .await
        .map_err(crate::ssr::internal)?;
    Ok(crate::api::safe_next(&next))
}

/// Step one of adding a passkey to the signed-in account, its password given again (and a code from the app when
/// two-factor sign-in is on): the options for `navigator.credentials.create` (JSON).
#[server(endpoint = "passkey_options")]
pub async fn passkey_options(password: String, #[server(default)] code: String) -> Result<String, AppError> {
    use domain::accounts::passkeys::{start_adding, Proof};
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let proof = Proof {
        password: &password,
        code: &code,
    };
    let started = start_adding(&services.db, &services.passkeys, &services.throttle, me.id, proof).await?;
    imp::keep(started).await
}

/// Step two: the new passkey (`credential`, JSON) checked and kept under `name`.
#[server(endpoint = "add_passkey")]
pub async fn add_passkey(name: String, credential: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    // A name refused before the ceremony's state is taken: the person fixes it and tries again at once.
    domain::accounts::passkeys::check_name(&name)?;
    let pending = imp::take().await?;
    domain::accounts::passkeys::finish_adding(&services.db, &services.passkeys, me.id, pending, &name, &credential)
        .await?;
    Ok(())
}

/// The signed-in account's passkeys, newest first.
#[server(endpoint = "passkey_list")]
pub async fn passkey_list() -> Result<Vec<PasskeyView>, AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let list = domain::accounts::passkeys::list(&services.db, me.id).await?;
    Ok(list
        .into_iter()
        .map(|p| PasskeyView {
            id: p.id,
            name: p.name,
            created_at: p.created_at,
            last_used_at: p.last_used_at,
        })
        .collect())
}

/// Removes one of the signed-in account's passkeys (a plain form on the security page).
#[server(endpoint = "remove_passkey")]
pub async fn remove_passkey(id: i64) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    domain::accounts::passkeys::remove(&services.db, me.id, id).await?;
    crate::ssr::redirect("/account/security?passkey=removed");
    Ok(())
}

/// The origin passkeys work at (the page hides its passkey buttons elsewhere, e.g. at an IP address).
pub fn passkey_origin() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::ssr::services()
            .map(|s| s.passkeys.origin().to_string())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}
