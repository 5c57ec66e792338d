//! A forgotten password: asking for a reset link, and setting a new password with it.

use leptos::prelude::*;

use crate::error::AppError;

/// Sends a reset link to the address if an account uses it; the answer is the same either way (and as quick: the
/// work happens after the answer, so its time does not tell either).
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use domain::accounts::resets;
    let services = crate::ssr::services()?;
    let email = resets::check_address(&email)?;
    resets::send_link_later(services.db.clone(), email);
    crate::ssr::redirect("/forgot-password?sent=1");
    Ok(())
}

/// Whether a reset link still works (the page shows the form, or says to ask for a new one).
#[server(endpoint = "reset_link_works")]
pub async fn reset_link_works(token: String) -> Result<bool, AppError> {
    let services = crate::ssr::services()?;
    Ok(domain::accounts::resets::link_works(&services.db, &token).await?)
}

/// Sets a new password with a reset link; every session of the account ends.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String, confirm_password: String) -> Result<(), AppError> {
    use model::FieldError;
    let services = crate::ssr::services()?;
    if password != confirm_password {
        return Err(crate::ssr::fail(AppError::Validation(vec![FieldError::new(
            "confirm_password",
            "The two passwords do not match.",
        )])));
    }
    domain::accounts::resets::reset(&services.db, &token, &password).await?;
    crate::ssr::redirect("/login?reset=1");
    Ok(())
}
