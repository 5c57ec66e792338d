//! The passkey parts of `/login` and `/account/security` (decision 0047). Rendered on the server; the buttons
//! come alive through `public/passkeys.js`, loaded here and nowhere else. Without JavaScript, or where the page is
//! not at the shop's passkey origin, a sentence says so and nothing else changes.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::PasskeyView;

use crate::api::passkeys::{
    passkey_origin, AddPasskey, PasskeyOptions, PasskeySignIn, PasskeySignInOptions, RemovePasskey,
};

const SCRIPT: &str = "/passkeys.js";

/// "Sign in with a passkey" under the login form.
#[component]
pub fn PasskeySignInButton(next: String) -> impl IntoView {
    view! {
        <script src=SCRIPT defer=true></script>
        <div class="card stack" data-passkey-widget="" data-options=PasskeySignInOptions::url()
            data-finish=PasskeySignIn::url() data-origin=passkey_origin() data-next=next>
            <div data-passkey-ready="" hidden=true class="stack">
                <button type="button" class="button button--secondary" data-passkey-sign-in="">
                    "Sign in with a passkey"
                </button>
                <p class="alert alert--error" role="alert" data-passkey-error="" hidden=true></p>
            </div>
            <p class="muted" data-passkey-unavailable="">
                "Passkeys (your fingerprint, face or screen lock instead of a password) work in a browser with "
                "JavaScript at " {passkey_origin()} "."
            </p>
        </div>
    }
}

/// The security page's list of passkeys and the form that adds one.
#[component]
pub fn PasskeySection(list: Vec<PasskeyView>) -> impl IntoView {
    let empty = list.is_empty();
    let two_factor = crate::request_user().is_some_and(|u| u.two_factor);
    view! {
        <script src=SCRIPT defer=true></script>
        <section class="stack" aria-labelledby="passkeys-title" data-passkey-widget="" data-options=PasskeyOptions::url()
            data-add=AddPasskey::url() data-origin=passkey_origin()>
            <h2 id="passkeys-title">"Passkeys"</h2>
            <p class="muted">
                "A passkey signs you in with your fingerprint, face or screen lock instead of your password (and "
                "without a two-factor code): it stays on your device or in its password manager, and works only on "
                "this shop, so it cannot be phished."
            </p>
            {if empty {
                view! { <p>"You have no passkeys yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="sign-ins stack" aria-label="Your passkeys">
                        {list.into_iter().map(|p| view! { <PasskeyItem passkey=p/> }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <form class="form card stack" data-passkey-add="" data-passkey-ready="" hidden=true>
                <h3>"Add a passkey"</h3>
                <div class="field">
                    <label for="passkey-name">"Name (to tell your passkeys apart; optional)"</label>
                    <input id="passkey-name" name="name" type="text" maxlength="60" placeholder="My phone"/>
                </div>
                <div class="field">
                    <label for="passkey-password">"Your password"</label>
                    <input id="passkey-password" name="password" type="password" autocomplete="current-password" required=true/>
                </div>
                {two_factor.then(|| view! {
                    <div class="field">
                        <label for="passkey-code">"Code from your authenticator app"</label>
                        <input id="passkey-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required=true/>
                    </div>
                })}
                <p class="alert alert--error" role="alert" data-passkey-error="" hidden=true></p>
                <button type="submit" class="button">"Add a passkey"</button>
            </form>
            <p class="muted" data-passkey-unavailable="">
                "Adding a passkey needs a browser with JavaScript, at " {passkey_origin()} "."
            </p>
        </section>
    }
}

#[component]
fn PasskeyItem(passkey: PasskeyView) -> impl IntoView {
    let added = format!("Added {} UTC", model::format_time(passkey.created_at));
    let used = passkey
        .last_used_at
        .map(|ms| format!("Last used {} UTC", model::format_time(ms)))
        .unwrap_or_else(|| "Not used yet".to_string());
    let label = format!("Remove the passkey {}", passkey.name);
    view! {
        <li class="card sign-in">
            <div>
                <strong>{passkey.name.clone()}</strong>
                <p class="muted">{added} " · " {used}</p>
            </div>
            <form method="post" action=RemovePasskey::url() class="form">
                <input type="hidden" name="id" value=passkey.id.to_string()/>
                <button class="button button--secondary" type="submit" aria-label=label>"Remove"</button>
            </form>
        </li>
    }
}
