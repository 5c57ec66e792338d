//! `/login/two-factor` (the second step of a sign-in) and `/account/two-factor` (turn it on with an
//! authenticator app, see the recovery codes once, turn it off). Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::two_factor::{
    two_factor_awaited, two_factor_page, DisableTwoFactor, EnableTwoFactor, LoginTwoFactor, TwoFactorView,
};
use crate::components::forms::{error_for, Field, FormAlert};
use crate::error::AppError;
use crate::pages::{next_param, url_error};

const CODE_HINT: &str = "The six digits your app shows now, or one of your recovery codes.";

#[component]
pub fn TwoFactorLoginPage() -> impl IntoView {
    let next = next_param();
    let error = url_error::<LoginTwoFactor>();
    view! {
        <Title text="Two-factor sign-in"/>
        <div class="narrow stack">
            <h1 class="page-title">"Enter your code"</h1>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    if !two_factor_awaited().await.unwrap_or(false) {
                        return view! {
                            <p class="alert alert--error" role="alert">"Log in with your password first."</p>
                            <p><a href="/login">"Log in"</a></p>
                        }.into_any();
                    }
                    view! {
                        <div class="card">
                            <form method="post" action=LoginTwoFactor::url() class="form" aria-label="Second step of signing in">
                                <FormAlert error=error.clone()/>
                                <input type="hidden" name="next" value=next.clone()/>
                                <Field name="code" label="Code" autocomplete="one-time-code" hint=CODE_HINT maxlength=64 error=error_for(&error, "code")/>
                                <button class="button" type="submit">"Sign in"</button>
                            </form>
                        </div>
                        <p class="form-footer">"Lost your phone and your recovery codes? Write to the shop's team from your account's address: they can give your account a new key."</p>
                    }.into_any()
                })}
            </Suspense>
        </div>
    }
}

#[component]
pub fn TwoFactorPage() -> impl IntoView {
    let Some(user) = crate::request_user() else {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect("/login?next=%2Faccount%2Ftwo-factor");
        return ().into_any();
    };
    let query = leptos_router::hooks::use_query_map();
    let required = query.with_untracked(|q| q.get("required")).is_some() && user.is_admin();
    let off = query.with_untracked(|q| q.get("off")).is_some();
    let (enable_error, disable_error) = (url_error::<EnableTwoFactor>(), url_error::<DisableTwoFactor>());
    view! {
        <Title text="Two-factor sign-in"/>
        <div class="narrow stack">
            <p><a href="/account">"← Your account"</a></p>
            <h1 class="page-title">"Two-factor sign-in"</h1>
            {required.then(|| view! {
                <p class="alert alert--warning" role="alert">"Administrators sign in with a code from an authenticator app before they reach the admin pages."</p>
            })}
            <div role="status">{off.then(|| view! { <p class="alert alert--success">"Two-factor sign-in is off."</p> })}</div>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match two_factor_page().await {
                        Ok(page) if page.enabled => view! { <Enabled page=page error=disable_error/> }.into_any(),
                        Ok(page) => view! { <SetUp page=page error=enable_error/> }.into_any(),
                        // Why it cannot be set up here (an unconfirmed address, an admin's key given by the operator).
                        Err(e) => {
                            let why = e.field("code").unwrap_or_else(|| e.to_string());
                            view! { <p class="alert alert--error" role="alert">{why}</p> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

#[component]
fn SetUp(page: TwoFactorView, error: Option<AppError>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="setup-title">
            <h2 id="setup-title">"Turn it on"</h2>
            <p>"Each time you sign in, we will ask for the code your authenticator app shows (any app that supports TOTP codes)."</p>
            <ol class="steps">
                <li>"Scan this QR code with the app, or enter the key below."</li>
                <li>"Type the six-digit code the app shows."</li>
            </ol>
            <div class="qr" role="img" aria-label="QR code holding your key" inner_html=page.qr_svg.unwrap_or_default()></div>
            <p>"Key: " <code class="secret">{page.secret.unwrap_or_default()}</code></p>
            <form method="post" action=EnableTwoFactor::url() class="form" aria-label="Turn on two-factor sign-in">
                <FormAlert error=error.clone()/>
                <Field name="code" label="Code from the app" autocomplete="one-time-code" inputmode="numeric" maxlength=64 error=error_for(&error, "code")/>
                <button class="button" type="submit">"Turn on"</button>
            </form>
        </section>
    }
}

#[component]
fn Enabled(page: TwoFactorView, error: Option<AppError>) -> impl IntoView {
    let fresh = !page.fresh_codes.is_empty();
    view! {
        <p class="alert alert--success" role="status">"Two-factor sign-in is on."</p>
        {fresh.then(|| view! {
            <section class="card stack" aria-labelledby="codes-title">
                <h2 id="codes-title">"Your recovery codes"</h2>
                <p>"If you lose your phone, each of these signs you in once. Keep them somewhere safe, apart from your password: they are shown only now."</p>
                <ul class="recovery-codes" aria-label="Recovery codes">
                    {page.fresh_codes.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}
                </ul>
            </section>
        })}
        <section class="card stack" aria-labelledby="off-title">
            <h2 id="off-title">"Turn it off"</h2>
            <p class="muted">{format!("Recovery codes left: {}.", page.recovery_codes_left)}</p>
            <form method="post" action=DisableTwoFactor::url() class="form" aria-label="Turn off two-factor sign-in">
                <FormAlert error=error.clone()/>
                <Field name="password" label="Your password" kind="password" autocomplete="current-password" error=error_for(&error, "password")/>
                <Field name="code" label="Code" autocomplete="one-time-code" hint=CODE_HINT maxlength=64 error=error_for(&error, "code")/>
                <button class="button button--secondary" type="submit">"Turn off"</button>
            </form>
        </section>
    }
}
