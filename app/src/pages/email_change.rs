//! `/account/email?token=…`: the link sent to a new address; a button makes the change (a mail scanner that opens
//! the link changes nothing). Plain form, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::accounts::{email_change_pending, ConfirmEmailChange};
use crate::components::forms::{error_for, FormAlert};
use crate::pages::url_error;

#[component]
pub fn EmailChangePage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let token = query.with_untracked(|q| q.get("token")).unwrap_or_default();
    let changed = query.with_untracked(|q| q.get("changed")).is_some();
    let error = url_error::<ConfirmEmailChange>();
    view! {
        <Title text="Confirm your new email"/>
        <div class="narrow stack">
            <h1 class="page-title">"Confirm your new email"</h1>
            {if changed {
                view! {
                    <p class="alert alert--success" role="status">"Your email is changed. Sign in with it from now on."</p>
                    <p><a href="/account">"Your account"</a></p>
                }.into_any()
            } else {
                view! {
                    <Suspense fallback=|| ()>
                        {move || {
                            let (token, error) = (token.clone(), error.clone());
                            Suspend::new(async move {
                                match email_change_pending(token.clone()).await {
                                    Ok(Some(address)) => view! { <ConfirmForm token=token address=address error=error/> }.into_any(),
                                    _ => view! {
                                        <p class="alert alert--error" role="alert">"This link was already used or has expired."</p>
                                        <p><a href="/account">"Your account"</a></p>
                                    }.into_any(),
                                }
                            })
                        }}
                    </Suspense>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn ConfirmForm(token: String, address: String, error: Option<crate::error::AppError>) -> impl IntoView {
    view! {
        <div class="card stack">
            <p>"Make " <strong>{address}</strong> " your Bazaar account's email?"</p>
            <form method="post" action=ConfirmEmailChange::url() class="form" aria-label="Confirm the new email">
                <input type="hidden" name="token" value=token/>
                <FormAlert error=error.clone()/>
                {error_for(&error, "token").map(|m| view! { <p class="alert alert--error" role="alert">{m}</p> })}
                <button class="button" type="submit">"Use this email"</button>
            </form>
        </div>
    }
}
