use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::{ChangePassword, Login, Register, RequestEmailChange, ResendVerification, UpdateProfile};
use crate::components::forms::{EmailChangeForm, EmailUnconfirmed, LoginForm, PasswordForm, ProfileForm, RegisterForm};
use crate::pages::{next_param, url_error};

/// Sends a signed-in visitor away from the login and register pages.
fn redirect_if_signed_in(next: &str) -> bool {
    if crate::request_user().is_some() {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect(next);
        #[cfg(not(feature = "ssr"))]
        let _ = next;
        return true;
    }
    false
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let next = next_param();
    if redirect_if_signed_in(&next) {
        return ().into_any();
    }
    let register_href = format!("/register?next={}", crate::url_encode(&next));
    let query = leptos_router::hooks::use_query_map();
    let reset = query.with_untracked(|q| q.get("reset")).is_some();
    let registered = query.with_untracked(|q| q.get("registered")).is_some();
    view! {
        <Title text="Log in"/>
        <div class="narrow stack">
            <h1 class="page-title">"Log in"</h1>
            <div role="status">
                {reset.then(|| view! { <p class="alert alert--success">"Your new password is saved, and every device was signed out. Log in with it."</p> })}
                {registered.then(|| view! {
                    <p class="alert alert--success">
                        "Thank you. We sent a message to the address you gave: open it to confirm your email. Log in now to go on shopping."
                    </p>
                })}
            </div>
            <div class="card">
                <LoginForm next=next.clone() error={url_error::<Login>()}/>
            </div>
            <crate::components::passkeys::PasskeySignInButton next=next/>
            <p class="form-footer"><a href="/forgot-password">"Forgot your password?"</a></p>
            <p class="form-footer">"New to Bazaar? " <a href=register_href>"Create an account"</a></p>
        </div>
    }
    .into_any()
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let next = next_param();
    if redirect_if_signed_in(&next) {
        return ().into_any();
    }
    let login_href = format!("/login?next={}", crate::url_encode(&next));
    view! {
        <Title text="Create your account"/>
        <div class="narrow stack">
            <h1 class="page-title">"Create your account"</h1>
            <div class="card">
                <RegisterForm next=next error={url_error::<Register>()}/>
            </div>
            <p class="form-footer">"Already have an account? " <a href=login_href>"Log in"</a></p>
        </div>
    }
    .into_any()
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let Some(user) = crate::request_user() else {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect("/login?next=%2Faccount");
        return ().into_any();
    };
    let query = leptos_router::hooks::use_query_map();
    let saved_what = query.with_untracked(|q| q.get("saved"));
    let saved = saved_what.as_deref() == Some("profile");
    let password_saved = saved_what.as_deref() == Some("password");
    let email_asked = saved_what.as_deref() == Some("email");
    let link_sent = saved_what.as_deref() == Some("verification");
    let joined = format_date(user.created_at);
    view! {
        <Title text="Your account"/>
        <h1 class="page-title">"Your account"</h1>
        {saved.then(|| view! { <p class="alert alert--success" role="status">"Profile saved."</p> })}
        {(!user.email_verified).then(|| view! {
            <EmailUnconfirmed email=user.email.clone() sent=link_sent error={url_error::<ResendVerification>()}/>
        })}
        <div class="grid-2">
            <section class="card stack" aria-labelledby="profile-title">
                <h2 id="profile-title">"Profile"</h2>
                <dl class="details">
                    <dt>"Name"</dt><dd>{user.name.clone()}</dd>
                    <dt>"Email"</dt><dd>{user.email.clone()}</dd>
                    <dt>"Role"</dt><dd><span class="badge">{user.role.label()}</span></dd>
                    <dt>"Member since"</dt><dd>{joined}</dd>
                </dl>
                <ProfileForm name=user.name.clone() error={url_error::<UpdateProfile>()}/>
                <h3>"Change email"</h3>
                <EmailChangeForm asked=email_asked error={url_error::<RequestEmailChange>()}/>
            </section>
            <section class="card stack" aria-labelledby="password-title">
                <h2 id="password-title">"Password"</h2>
                <PasswordForm saved=password_saved error={url_error::<ChangePassword>()}/>
                <p><a href="/account/security">"Where you are signed in"</a></p>
                <p><a href="/account/security#passkeys-title">"Passkeys: sign in without your password"</a></p>
                <p><a href="/account/notifications">"Emails and texts"</a></p>
                <p><a href="/account/privacy">"Your data: download or erase"</a></p>
                <p>
                    <a href="/account/two-factor">"Two-factor sign-in"</a>
                    {if user.two_factor { " (on)" } else { " (off)" }}
                </p>
            </section>
        </div>
    }
    .into_any()
}

pub use model::format_date;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_formatted_in_utc() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_795_219_200_000), "2026-11-21");
        assert_eq!(format_date(951_782_400_000), "2000-02-29");
    }

    #[test]
    fn next_is_percent_encoded() {
        assert_eq!(crate::url_encode("/a b?c=d"), "%2Fa+b%3Fc%3Dd");
    }
}
