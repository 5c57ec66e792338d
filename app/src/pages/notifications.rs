//! `/account/notifications`: which optional emails and texts the account gets; `/unsubscribe/{token}/{topic}`:
//! where an optional mail's "turn them off" link lands (asks first: a link scanner's visit must not unsubscribe
//! anyone). Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::notifications::{NotificationSettings, Topic};

use crate::api::notifications::{notification_choices, SaveNotifications, UnsubscribeTopic};
use crate::components::forms::{error_for, Field, FormAlert};
use crate::components::portal::Notice;
use crate::error::AppError;
use crate::pages::url_error;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    if crate::request_user().is_none() {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect("/login?next=%2Faccount%2Fnotifications");
        return ().into_any();
    }
    let saved = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("saved").is_some());
    let error = url_error::<SaveNotifications>();
    view! {
        <Title text="Emails and texts"/>
        <div class="narrow stack">
            <p><a href="/account">"← Your account"</a></p>
            <h1 class="page-title">"Emails and texts"</h1>
            <Notice text=(saved && error.is_none()).then_some("Your choices are saved.")/>
            <Suspense fallback=|| ()>
                {let error = error.clone(); Suspend::new(async move {
                    match notification_choices().await {
                        Ok(settings) => view! { <SettingsForm settings=settings error=error/> }.into_any(),
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

/// One checkbox with its hint.
#[component]
fn Choice(name: &'static str, label: &'static str, hint: &'static str, checked: bool) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field field--check">
            <input id=id.clone() type="checkbox" name=name value="on" checked=checked aria-describedby=hint_id.clone()/>
            <label for=id>{label}</label>
            <p id=hint_id class="field__hint">{hint}</p>
        </div>
    }
}

#[component]
fn SettingsForm(settings: NotificationSettings, error: Option<AppError>) -> impl IntoView {
    view! {
        <form method="post" action=SaveNotifications::url() class="form card stack" aria-label="Emails and texts">
            <FormAlert error=error.clone()/>
            <p>"Emails about your orders, returns, payments and your account always come: you need them."</p>
            <fieldset class="stack">
                <legend>"Optional emails"</legend>
                <Choice name="review_reminders" label="Reminders to review what you bought"
                    hint="One email a few days after an order arrives." checked=settings.review_reminders/>
                <Choice name="price_drops" label="Price drops on your wishlist"
                    hint="When a product you saved costs less than at any time in the 30 days before." checked=settings.price_drops/>
                <Choice name="marketing" label="News and offers from Bazaar"
                    hint="At most one email a week. Off unless you turn it on." checked=settings.marketing/>
            </fieldset>
            <fieldset class="stack">
                <legend>"Text messages"</legend>
                <Choice name="texts" label="Text me when an order ships and when it arrives"
                    hint="Standard message rates of your phone plan apply." checked=settings.texts/>
                <Field name="phone" label="Mobile number" kind="tel" autocomplete="tel" inputmode="tel"
                    hint="With + and the country code, e.g. +44 7700 900123." value=settings.phone
                    maxlength=32 required=false error=error_for(&error, "phone")/>
            </fieldset>
            <p class="muted">"Every optional email has a link that turns its kind off at once."</p>
            <div class="form-actions"><button class="button" type="submit">"Save choices"</button></div>
        </form>
    }
}

/// Where an optional mail's "turn them off" link lands: one button, then a confirmation.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let (token, topic) =
        params.with_untracked(|p| (p.get("token").unwrap_or_default(), p.get("topic").unwrap_or_default()));
    let done = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("done").is_some());
    let error = url_error::<UnsubscribeTopic>();
    let Some(kind) = Topic::parse(&topic) else {
        return view! {
            <Title text="Unsubscribe"/>
            <div class="narrow stack">
                <h1 class="page-title">"Unsubscribe"</h1>
                <p class="alert alert--error" role="alert">"This unsubscribe link is not known. Choose which emails you get from your account: "<a href="/account/notifications">"Emails and texts"</a>"."</p>
            </div>
        }
        .into_any();
    };
    view! {
        <Title text="Unsubscribe"/>
        <div class="narrow stack">
            <h1 class="page-title">"Unsubscribe"</h1>
            {if done {
                view! {
                    <p class="alert alert--success" role="status">{format!("Done: you will no longer get {}.", kind.label())}</p>
                    <p>"Changed your mind, or want to choose other emails? Sign in and open "<a href="/account/notifications">"Emails and texts"</a>"."</p>
                }.into_any()
            } else {
                view! {
                    <FormAlert error=error/>
                    <p>{format!("Stop {}?", kind.label())}</p>
                    <form method="post" action=UnsubscribeTopic::url() class="form">
                        <input type="hidden" name="token" value=token/>
                        <input type="hidden" name="topic" value=topic/>
                        <button class="button" type="submit">"Unsubscribe"</button>
                    </form>
                    <p class="muted">"Emails about your orders and your account still come."</p>
                }.into_any()
            }}
        </div>
    }
    .into_any()
}
