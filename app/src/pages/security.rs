//! `/account/security`: where the account is signed in (device and time, this browser marked), and the buttons
//! that end one of the others or all of them (OWASP ASVS V7.5); then the account's passkeys. Plain forms, no
//! island (adding a passkey runs `public/passkeys.js`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::SignInView;

use crate::api::passkeys::{passkey_list, RemovePasskey};
use crate::api::sign_ins::{sign_ins, EndOtherSignIns, EndSignIn};
use crate::components::forms::FormAlert;
use crate::components::passkeys::PasskeySection;
use crate::pages::url_error;

#[component]
pub fn SecurityPage() -> impl IntoView {
    if crate::request_user().is_none() {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect("/login?next=%2Faccount%2Fsecurity");
        return ().into_any();
    }
    let ended = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("ended"));
    let passkey = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("passkey"));
    let notice = match (ended.as_deref(), passkey.as_deref()) {
        (Some("all"), _) => Some("Every other device was signed out."),
        (Some(_), _) => Some("That device was signed out."),
        (None, Some("added")) => Some("Your passkey was added: use it next time you sign in."),
        (None, Some("removed")) => Some("That passkey was removed."),
        (None, _) => None,
    };
    let error = url_error::<EndSignIn>()
        .or_else(url_error::<EndOtherSignIns>)
        .or_else(url_error::<RemovePasskey>);
    view! {
        <Title text="Where you are signed in"/>
        <div class="narrow stack">
            <p><a href="/account">"← Your account"</a></p>
            <h1 class="page-title">"Where you are signed in"</h1>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            <FormAlert error=error/>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match sign_ins().await {
                        Ok(list) => view! { <SignInList list=list/> }.into_any(),
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match passkey_list().await {
                        Ok(list) => view! { <PasskeySection list=list/> }.into_any(),
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

#[component]
fn SignInList(list: Vec<SignInView>) -> impl IntoView {
    let others = list.iter().filter(|s| !s.current).count();
    view! {
        <p class="muted">
            "Times are when each device signed in (UTC). A device you do not know? Sign it out, then change your "
            "password."
        </p>
        <ul class="sign-ins stack" aria-label="Signed-in devices">
            {list.into_iter().map(|s| view! { <SignInItem sign_in=s/> }).collect_view()}
        </ul>
        {(others > 1).then(|| view! {
            <form method="post" action=EndOtherSignIns::url() class="form">
                <button class="button button--secondary" type="submit">"Sign out every other device"</button>
            </form>
        })}
    }
}

#[component]
fn SignInItem(sign_in: SignInView) -> impl IntoView {
    let when = sign_in
        .signed_in_at
        .map(|ms| format!("Signed in {} UTC", model::format_time(ms)))
        .unwrap_or_else(|| "Signed in before devices were recorded".to_string());
    let label = format!("Sign out {}", sign_in.device);
    view! {
        <li class="card sign-in">
            <div>
                <strong>{sign_in.device.clone()}</strong>
                {sign_in.current.then(|| view! { " " <span class="badge badge--success">"This device"</span> })}
                <p class="muted">{when}</p>
            </div>
            {(!sign_in.current).then(|| view! {
                <form method="post" action=EndSignIn::url() class="form">
                    <input type="hidden" name="handle" value=sign_in.handle.clone()/>
                    <button class="button button--secondary" type="submit" aria-label=label>"Sign out"</button>
                </form>
            })}
        </li>
    }
}
