use leptos::prelude::*;
use model::UserView;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(crate) mod imp {
    use crate::error::AppError;
    use crate::ssr::{internal, session};
    use domain::accounts;
    use domain::accounts::sessions::{
        DEVICE_KEY, SIGNED_IN_AT_KEY, TWO_FACTOR_PASSED_KEY, TWO_FACTOR_SINCE_KEY, TWO_FACTOR_USER_KEY, USER_ID_KEY,
    };

    /// A new session id at every sign-in (no fixation; the session's data, such as the guest cart, is kept), then
    /// the user's id and sign-in time.
    pub async fn sign_in(user: &accounts::User) -> Result<(), AppError> {
        let session = session().await?;
        session.cycle_id().await.map_err(internal)?;
        // Nothing of an earlier sign-in's second step carries over (the caller that checked a code sets it).
        let _ = session.remove::<i64>(TWO_FACTOR_USER_KEY).await;
        let _ = session.remove::<i64>(TWO_FACTOR_SINCE_KEY).await;
        let _ = session.remove::<bool>(TWO_FACTOR_PASSED_KEY).await;
        session.insert(USER_ID_KEY, user.id).await.map_err(internal)?;
        session
            .insert(SIGNED_IN_AT_KEY, domain::platform::clock::now_ms())
            .await
            .map_err(internal)?;
        let device = accounts::devices::describe(crate::ssr::user_agent().as_deref());
        session.insert(DEVICE_KEY, device).await.map_err(internal)?;
        if user.role == model::Role::Admin {
            // From the sign-in on, an admin's session ends after the admins' shorter idle time (the auth
            // middleware keeps it so on each request).
            let idle = crate::ssr::services()?.session_policy.admin_idle;
            let idle = time::Duration::try_from(idle).unwrap_or(time::Duration::minutes(30));
            session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(idle)));
        }
        // The cart filled and the products kept as a guest stay: they join the account's cart and wishlist.
        crate::api::cart::imp::adopt_cart(user.id).await?;
        crate::api::wishlist::imp::adopt_wishlist(user.id).await
    }
}

/// Creates a shopper account and mails a link to confirm its address; then the login page. The answer is the
/// same when the address already has an account (its owner is mailed instead): this form does not tell who
/// shops here.
#[server(endpoint = "register")]
pub async fn register(name: String, email: String, password: String, next: String) -> Result<(), AppError> {
    use domain::accounts;
    let services = crate::ssr::services()?;
    accounts::verification::sign_up(&services.db, &accounts::Registration { name, email, password }).await?;
    // The forms are plain posts (no island): the answer is this redirect.
    let next = crate::url_encode(&crate::api::safe_next(&next));
    crate::ssr::redirect(&format!("/login?registered=1&next={next}"));
    Ok(())
}

/// Sends the signed-in user a new link to confirm their address.
#[server(endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    domain::accounts::verification::resend(&services.db, me.id).await?;
    crate::ssr::redirect("/account?saved=verification");
    Ok(())
}

/// The address a confirmation link would confirm, if it still works.
#[server(endpoint = "verification_pending")]
pub async fn verification_pending(token: String) -> Result<Option<String>, AppError> {
    let services = crate::ssr::services()?;
    Ok(domain::accounts::verification::pending(&services.db, &token).await?)
}

/// Confirms the address a link was sent to (whoever opens it reads that address's mail).
#[server(endpoint = "confirm_verification")]
pub async fn confirm_verification(token: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    domain::accounts::verification::confirm(&services.db, &token).await?;
    crate::ssr::redirect("/verify-email?done=1");
    Ok(())
}

/// Signs in with email and password; `None` when a two-factor code must follow (the account is not signed in and
/// nothing of it is told before the code).
#[server(endpoint = "login")]
pub async fn login(email: String, password: String, next: String) -> Result<Option<UserView>, AppError> {
    use domain::accounts;
    let services = crate::ssr::services()?;
    let client = crate::ssr::client_key();
    let user = accounts::login(&services.db, &services.throttle, &client, &email, &password).await?;
    let next = crate::api::safe_next(&next);
    if user.two_factor_at.is_some() {
        // The password was right; the code from the app comes next (`login_two_factor`). Nobody is signed in yet.
        crate::api::two_factor::await_code(user.id).await?;
        crate::ssr::redirect(&format!("/login/two-factor?next={}", crate::url_encode(&next)));
        return Ok(None);
    }
    imp::sign_in(&user).await?;
    // The forms are plain posts (no island): the answer is this redirect.
    crate::ssr::redirect(&next);
    Ok(Some(user.to_view()))
}

/// Ends this session.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = crate::ssr::session().await?;
    session.flush().await.map_err(crate::ssr::internal)?;
    crate::ssr::redirect("/");
    Ok(())
}

/// Changes the signed-in user's name (the email changes apart: [`request_email_change`]).
#[server(endpoint = "update_profile")]
pub async fn update_profile(name: String) -> Result<UserView, AppError> {
    use domain::accounts;
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let user = accounts::update_profile(&services.db, me.id, &accounts::ProfileUpdate { name }).await?;
    crate::ssr::redirect("/account?saved=profile");
    Ok(user.to_view())
}

/// Changes the password; every other session of the user ends.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use domain::accounts;
    use model::FieldError;
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    if new_password != confirm_password {
        return Err(crate::ssr::fail(AppError::Validation(vec![FieldError::new(
            "confirm_password",
            "The two new passwords do not match.",
        )])));
    }
    let session = crate::ssr::session().await?;
    let keep = session.id().map(|id| id.to_string());
    accounts::change_password(&services.db, me.id, &current_password, &new_password, keep.as_deref()).await?;
    crate::ssr::redirect("/account?saved=password");
    Ok(())
}

/// Asks to change the signed-in user's email (checking the password): a link goes to the new address.
#[server(endpoint = "request_email_change")]
pub async fn request_email_change(email: String, password: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    domain::accounts::email_change::request(&services.db, me.id, &email, &password).await?;
    crate::ssr::redirect("/account?saved=email");
    Ok(())
}

/// The address a change link would set, if it still works.
#[server(endpoint = "email_change_pending")]
pub async fn email_change_pending(token: String) -> Result<Option<String>, AppError> {
    let services = crate::ssr::services()?;
    Ok(domain::accounts::email_change::pending(&services.db, &token).await?)
}

/// Makes the change a link was sent for (whoever opens the link holds the new address's mail).
#[server(endpoint = "confirm_email_change")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    domain::accounts::email_change::confirm(&services.db, &token).await?;
    crate::ssr::redirect("/account/email?changed=1");
    Ok(())
}
