//! `/forgot-password` (ask for a link) and `/reset-password?token=…` (set a new password with it). Plain forms, no
//! island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::limits;

use crate::api::password_reset::{reset_link_works, ForgotPassword, ResetPassword};
use crate::components::forms::{error_for, Field, FormAlert};
use crate::pages::url_error;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let sent = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("sent"))
        .is_some();
    let error = url_error::<ForgotPassword>();
    view! {
        <Title text="Forgot your password?"/>
        <div class="narrow stack">
            <h1 class="page-title">"Forgot your password?"</h1>
            <div role="status">
                {sent.then(|| view! {
                    <p class="alert alert--success">"If an account uses this address, an email with a link to choose a new password is on its way. The link works for an hour, once."</p>
                })}
            </div>
            <div class="card">
                <form method="post" action=ForgotPassword::url() class="form" aria-label="Ask for a reset link">
                    <FormAlert error=error.clone()/>
                    <Field name="email" label="Email" kind="email" autocomplete="username" maxlength=limits::EMAIL_MAX_CHARS hint="We send a link to choose a new password to this address." error=error_for(&error, "email")/>
                    <button class="button" type="submit">"Send the link"</button>
                </form>
            </div>
            <p class="form-footer">"Remembered it? " <a href="/login">"Log in"</a></p>
        </div>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("token"))
        .unwrap_or_default();
    let error = url_error::<ResetPassword>();
    let check = token.clone();
    view! {
        <Title text="Choose a new password"/>
        <div class="narrow stack">
            <h1 class="page-title">"Choose a new password"</h1>
            <Suspense fallback=|| ()>
                {move || {
                    let (token, check, error) = (token.clone(), check.clone(), error.clone());
                    Suspend::new(async move {
                        match reset_link_works(check).await {
                            Ok(true) => view! { <ResetForm token=token error=error/> }.into_any(),
                            _ => view! {
                                <p class="alert alert--error" role="alert">"This link was already used or has expired."</p>
                                <p><a href="/forgot-password">"Ask for a new link"</a></p>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

#[component]
fn ResetForm(token: String, error: Option<crate::error::AppError>) -> impl IntoView {
    view! {
        <div class="card">
            <form method="post" action=ResetPassword::url() class="form" aria-label="Choose a new password">
                <input type="hidden" name="token" value=token/>
                <FormAlert error=error.clone()/>
                <Field
                    name="password"
                    label="New password"
                    kind="password"
                    autocomplete="new-password"
                    hint="8 to 128 characters. Common passwords are not accepted. Every device signed in to your account will be signed out."
                    minlength=limits::PASSWORD_MIN_CHARS
                    maxlength=limits::PASSWORD_MAX_CHARS
                    error=error_for(&error, "password")
                />
                <Field name="confirm_password" label="Confirm new password" kind="password" autocomplete="new-password" error=error_for(&error, "confirm_password")/>
                <button class="button" type="submit">"Save the new password"</button>
            </form>
        </div>
    }
}
