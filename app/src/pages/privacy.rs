//! `/account/privacy` ("Your data"): what Bazaar holds about the account, the download of all of it as JSON
//! (`/account/privacy/export.json`, served by the server), and the erasure of the account; `/account/erased` is
//! where an erasure ends. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::privacy::PrivacyOverview;

use crate::api::privacy::{privacy_page, EraseAccount};
use crate::components::forms::{error_for, Field, FormAlert};
use crate::error::AppError;
use crate::pages::url_error;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    if crate::request_user().is_none() {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect("/login?next=%2Faccount%2Fprivacy");
        return ().into_any();
    }
    let error = url_error::<EraseAccount>();
    view! {
        <Title text="Your data"/>
        <div class="narrow stack">
            <p><a href="/account">"← Your account"</a></p>
            <h1 class="page-title">"Your data"</h1>
            <Suspense fallback=|| ()>
                {let error = error.clone(); Suspend::new(async move {
                    match privacy_page().await {
                        Ok(overview) => view! { <Overview overview=overview error=error/> }.into_any(),
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

#[component]
fn Overview(overview: PrivacyOverview, error: Option<AppError>) -> impl IntoView {
    let held = format!(
        "{}, {}, {}, {} on your wishlist.",
        model::count_of(overview.orders, "order", "orders"),
        model::count_of(overview.reviews, "review", "reviews"),
        model::count_of(overview.addresses, "saved address", "saved addresses"),
        model::count_of(overview.wishlist_items, "product", "products"),
    );
    view! {
        <section class="card stack" aria-labelledby="download-title">
            <h2 id="download-title">"Download your data"</h2>
            <p>
                "One JSON file with everything we hold about your account: your profile, addresses and sign-ins, "
                "your orders with their messages and returns, your reviews (with links to their pictures), votes and reports, your passkeys' names, your wishlist and your \"Notify me\" requests."
            </p>
            <p class="muted">{format!("We hold: {held}")}</p>
            <p><a class="button button--secondary" href="/account/privacy/export.json" download="">"Download your data (JSON)"</a></p>
            <p class="muted">
                "\"Recently viewed\" is kept by this browser only, never by us: clear it from the home page."
            </p>
        </section>
        <section class="card stack" aria-labelledby="erase-title">
            <h2 id="erase-title">"Erase your account"</h2>
            {match (overview.not_erasable, overview.open_orders.is_empty()) {
                (Some(why), _) => view! { <p class="alert alert--warning">{why}</p> }.into_any(),
                (None, false) => view! {
                    <p class="alert alert--warning">
                        {format!(
                            "You can erase your account once these orders are delivered, cancelled or their returns closed: {}.",
                            overview.open_orders.join(", ")
                        )}
                    </p>
                }.into_any(),
                (None, true) => view! { <EraseForm email=overview.email error=error/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn EraseForm(email: String, error: Option<AppError>) -> impl IntoView {
    let understood_error = error_for(&error, "understood");
    view! {
        <p>"Erasing your account cannot be undone. When you erase it:"</p>
        <ul>
            <li>"your profile, saved addresses, sign-ins, two-factor settings, passkeys, reviews and their pictures (their files within a day), votes, wishlist and cart are deleted, and you are signed out everywhere;"</li>
            <li>"your orders stay in the sellers' and tax records with your name, address, phone and email taken out;"</li>
            <li>{format!("we send one last email to {email} to confirm it, and nothing after.")}</li>
        </ul>
        <form method="post" action=EraseAccount::url() class="form" aria-label="Erase your account">
            <FormAlert error=error.clone()/>
            <Field name="password" label="Your password" kind="password" autocomplete="current-password" error=error_for(&error, "password")/>
            <div class="field field--check">
                <input
                    id="field-understood"
                    type="checkbox"
                    name="understood"
                    value="yes"
                    required=true
                    aria-invalid=understood_error.is_some().to_string()
                    aria-describedby="field-understood-error"
                />
                <label for="field-understood">"I understand that an erased account cannot be brought back"</label>
                <span class="field__error field__hint" id="field-understood-error" role="alert">{understood_error}</span>
            </div>
            <button class="button button--danger" type="submit">"Erase my account"</button>
        </form>
    }
}

/// Where an erasure ends: the visitor is signed out.
#[component]
pub fn ErasedPage() -> impl IntoView {
    view! {
        <Title text="Your account was erased"/>
        <div class="narrow stack">
            <h1 class="page-title">"Your account was erased"</h1>
            <p role="status">"Your account and the personal data it held are gone, and you are signed out. We sent a last email to confirm it."</p>
            <p><a href="/">"Back to the shop"</a></p>
        </div>
    }
}
