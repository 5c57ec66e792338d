//! Two-factor sign-in: the second step of a sign-in, and turning it on and off from `/account/two-factor`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What `/account/two-factor` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    pub enabled: bool,
    pub recovery_codes_left: i64,
    /// While it is off: the secret to add to an app, and its QR code (SVG).
    pub secret: Option<String>,
    pub qr_svg: Option<String>,
    /// Recovery codes made just now, shown this once.
    pub fresh_codes: Vec<String>,
}

/// Remembers, in this session, that `user_id`'s password was right and a code is awaited.
#[cfg(feature = "ssr")]
pub async fn await_code(user_id: i64) -> Result<(), AppError> {
    use domain::accounts::sessions::{TWO_FACTOR_SINCE_KEY, TWO_FACTOR_USER_KEY};
    let session = crate::ssr::session().await?;
    session
        .insert(TWO_FACTOR_USER_KEY, user_id)
        .await
        .map_err(crate::ssr::internal)?;
    session
        .insert(TWO_FACTOR_SINCE_KEY, domain::platform::clock::now_ms())
        .await
        .map_err(crate::ssr::internal)?;
    Ok(())
}

/// The account whose password this session gave and when, while the code may still follow.
#[cfg(feature = "ssr")]
async fn awaited(session: &tower_sessions::Session) -> Option<(i64, i64)> {
    use domain::accounts::sessions::{TWO_FACTOR_SINCE_KEY, TWO_FACTOR_USER_KEY, TWO_FACTOR_WAIT_MS};
    let user_id = session.get::<i64>(TWO_FACTOR_USER_KEY).await.ok().flatten()?;
    let since = session.get::<i64>(TWO_FACTOR_SINCE_KEY).await.ok().flatten()?;
    (domain::platform::clock::now_ms() - since < TWO_FACTOR_WAIT_MS).then_some((user_id, since))
}

/// The second step of a sign-in: a code from the app, or a recovery code.
#[server(endpoint = "login_two_factor")]
pub async fn login_two_factor(code: String, next: String) -> Result<(), AppError> {
    use domain::accounts::sessions::TWO_FACTOR_PASSED_KEY;
    let services = crate::ssr::services()?;
    let session = crate::ssr::session().await?;
    let Some((user_id, since)) = awaited(&session).await else {
        return Err(crate::ssr::fail(AppError::Conflict(
            "Your sign-in waited too long: log in again with your password.".into(),
        )));
    };
    let user =
        domain::accounts::two_factor::second_step(&services.db, &services.throttle, user_id, since, &code).await?;
    crate::api::accounts::imp::sign_in(&user).await?;
    session
        .insert(TWO_FACTOR_PASSED_KEY, true)
        .await
        .map_err(crate::ssr::internal)?;
    crate::ssr::redirect(&crate::api::safe_next(&next));
    Ok(())
}

/// Whether this session waits for a code (the second step's page shows its form only then).
#[server(endpoint = "two_factor_awaited")]
pub async fn two_factor_awaited() -> Result<bool, AppError> {
    let session = crate::ssr::session().await?;
    Ok(awaited(&session).await.is_some())
}

/// The signed-in user's two-factor state; while it is off, the set-up (the same secret until it is turned on).
#[server(endpoint = "two_factor_page")]
pub async fn two_factor_page() -> Result<TwoFactorView, AppError> {
    use domain::accounts::sessions::FRESH_RECOVERY_CODES_KEY;
    use domain::accounts::two_factor;
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let status = two_factor::status(&services.db, me.id).await?;
    let session = crate::ssr::session().await?;
    let fresh_codes = session
        .remove::<Vec<String>>(FRESH_RECOVERY_CODES_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let setup = if status.enabled {
        None
    } else {
        Some(two_factor::setup(&services.db, me.id).await?)
    };
    Ok(TwoFactorView {
        enabled: status.enabled,
        recovery_codes_left: status.recovery_codes_left,
        secret: setup.as_ref().map(|s| s.secret.clone()),
        qr_svg: setup.map(|s| s.qr_svg),
        fresh_codes,
    })
}

/// Turns two-factor sign-in on with a code from the app; the recovery codes are shown once by the next page.
#[server(endpoint = "enable_two_factor")]
pub async fn enable_two_factor(code: String) -> Result<(), AppError> {
    use domain::accounts::sessions::FRESH_RECOVERY_CODES_KEY;
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let session = crate::ssr::session().await?;
    let keep = session.id().map(|id| id.to_string());
    let codes = domain::accounts::two_factor::enable(&services.db, me.id, &code, keep.as_deref()).await?;
    // A new id: a request of this session still in flight cannot save its older record (without the mark) over
    // this one.
    session.cycle_id().await.map_err(crate::ssr::internal)?;
    session
        .insert(FRESH_RECOVERY_CODES_KEY, codes)
        .await
        .map_err(crate::ssr::internal)?;
    // This session stays signed in: it just gave a code.
    session
        .insert(domain::accounts::sessions::TWO_FACTOR_PASSED_KEY, true)
        .await
        .map_err(crate::ssr::internal)?;
    crate::ssr::redirect("/account/two-factor?on=1");
    Ok(())
}

/// Turns two-factor sign-in off, with the password and a code (admins cannot).
#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    domain::accounts::two_factor::disable(&services.db, &services.throttle, me.id, &password, &code).await?;
    crate::ssr::redirect("/account/two-factor?off=1");
    Ok(())
}
