//! The pages mailed links open: `/account/email?token=…` (a change of email, from the new address) and
//! `/verify-email?token=…` (confirming a new account's address), `/back-in-stock?token=…` (a visitor's "Notify me"). Each shows what the link would do and a button
//! that does it: a mail scanner that opens the link changes nothing. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::accounts::{email_change_pending, verification_pending, ConfirmEmailChange, ConfirmVerification};
use crate::api::back_in_stock::{back_in_stock_pending, ConfirmBackInStock};
use crate::components::forms::{error_for, FormAlert};
use crate::error::AppError;
use crate::pages::url_error;

/// Whether the page address has `name` in its query (set by the redirect after a link was used).
fn query_flag(name: &str) -> bool {
    leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get(name))
        .is_some()
}

fn query_token() -> String {
    leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("token"))
        .unwrap_or_default()
}

#[component]
pub fn EmailChangePage() -> impl IntoView {
    view! {
        <LinkPage
            title="Confirm your new email"
            done_flag="changed"
            done_text="Your email is changed. Sign in with it from now on."
            pending=email_change_pending
            question={|address: &str| format!("Make {address} your Bazaar account's email?")}
            action={ConfirmEmailChange::url()}
            label="Confirm the new email"
            button="Use this email"
            error={url_error::<ConfirmEmailChange>()}
        />
    }
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    view! {
        <LinkPage
            title="Confirm your email"
            done_flag="done"
            done_text="Your email is confirmed. Thank you."
            pending=verification_pending
            question={|address: &str| format!("Confirm that {address} is your address?")}
            action={ConfirmVerification::url()}
            label="Confirm your email"
            button="Confirm my email"
            error={url_error::<ConfirmVerification>()}
        />
    }
}

/// `/back-in-stock?token=…`: a visitor confirms the address they asked to be told at when a product is back.
#[component]
pub fn BackInStockLinkPage() -> impl IntoView {
    view! {
        <LinkPage
            title="Confirm your email"
            done_flag="done"
            done_text="Confirmed: we will email you once when it is back."
            pending=back_in_stock_pending
            question={|item: &str| format!("Email this address once when {item} is back in stock?")}
            action={ConfirmBackInStock::url()}
            label="Confirm the request"
            button="Yes, email me"
            error={url_error::<ConfirmBackInStock>()}
        />
    }
}

/// A page a mailed link opens: once used (`done_flag` in the query), what it did; else, when the link still
/// works (`pending` gives the address it is for), the question and its button; else that it is spent.
#[component]
fn LinkPage<P, Fut>(
    title: &'static str,
    done_flag: &'static str,
    done_text: &'static str,
    pending: P,
    question: fn(&str) -> String,
    action: &'static str,
    label: &'static str,
    button: &'static str,
    error: Option<AppError>,
) -> impl IntoView
where
    P: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Option<String>, AppError>> + Send + 'static,
{
    let (token, done) = (query_token(), query_flag(done_flag));
    view! {
        <Title text=title/>
        <div class="narrow stack">
            <h1 class="page-title">{title}</h1>
            {if done {
                view! {
                    <p class="alert alert--success" role="status">{done_text}</p>
                    <p><a href="/account">"Your account"</a></p>
                }.into_any()
            } else {
                view! {
                    <Suspense fallback=|| ()>
                        {move || {
                            let (token, error, pending) = (token.clone(), error.clone(), pending.clone());
                            Suspend::new(async move {
                                match pending(token.clone()).await {
                                    Ok(Some(address)) => view! {
                                        <ConfirmForm
                                            token=token
                                            question=question(&address)
                                            action=action
                                            label=label
                                            button=button
                                            error=error
                                        />
                                    }.into_any(),
                                    _ => view! { <SpentLink/> }.into_any(),
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
fn SpentLink() -> impl IntoView {
    view! {
        <p class="alert alert--error" role="alert">"This link was already used or has expired."</p>
        <p><a href="/account">"Your account"</a></p>
    }
}

#[component]
fn ConfirmForm(
    token: String,
    question: String,
    action: &'static str,
    label: &'static str,
    button: &'static str,
    error: Option<AppError>,
) -> impl IntoView {
    view! {
        <div class="card stack">
            <p>{question}</p>
            <form method="post" action=action class="form" aria-label=label>
                <input type="hidden" name="token" value=token/>
                <FormAlert error=error.clone()/>
                {error_for(&error, "token").map(|m| view! { <p class="alert alert--error" role="alert">{m}</p> })}
                <button class="button" type="submit">{button}</button>
            </form>
        </div>
    }
}
