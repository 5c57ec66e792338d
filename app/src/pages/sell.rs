//! `/sell`: apply to sell on Bazaar, then follow the application (pending, approved, or rejected with the
//! admin's reason, after which the applicant may apply again).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::sellers::{ApplicationForm, ApplicationStatus, ApplicationView};

use crate::api::accounts::ResendVerification;
use crate::api::sellers::{sell_page, ApplyToSell};
use crate::components::forms::{error_for, EmailUnconfirmed, ErrorSummary, Field, SelectField, TextAreaField};
use crate::components::portal::Notice;
use crate::error::AppError;
use crate::pages::url_error;

const FIELDS: &[(&str, &str)] = &[
    ("store_name", "Store name"),
    ("slug", "Store address"),
    ("description", "Description"),
    ("support_email", "Support email"),
    ("country", "Country"),
    ("return_days", "Return window"),
    ("return_policy", "Return policy"),
];

#[component]
pub fn SellPage() -> impl IntoView {
    let Some(user) = crate::request_user() else {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect("/login?next=%2Fsell");
        return ().into_any();
    };
    if !user.email_verified {
        return view! {
            <Title text="Sell on Bazaar"/>
            <div class="narrow stack">
                <h1 class="page-title">"Sell on Bazaar"</h1>
                <p>"Shoppers and our team write to a store's owner by email: confirm yours before you apply."</p>
                <EmailUnconfirmed email=user.email sent=false error={url_error::<ResendVerification>()}/>
            </div>
        }
        .into_any();
    }
    let applied = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("applied").is_some());
    let error = url_error::<ApplyToSell>();
    view! {
        <Title text="Sell on Bazaar"/>
        <div class="narrow stack">
            <h1 class="page-title">"Sell on Bazaar"</h1>
            <Notice text=applied.then_some("Application sent. We will email you when an admin has decided.")/>
            <Suspense fallback=|| ()>
                // Not in a reactive closure: the page's data is read once (it takes what was typed out of the session).
                {Suspend::new(async move {
                    match sell_page().await {
                        Ok(page) => {
                            if let Some((name, _)) = page.store {
                                return view! {
                                    <section class="card stack">
                                        <h2>{format!("You run {name}")}</h2>
                                        <p><a class="button" href="/seller">"Go to the seller portal"</a></p>
                                    </section>
                                }.into_any();
                            }
                            let can_apply = !matches!(
                                page.application.as_ref().map(|a| a.status),
                                Some(ApplicationStatus::Pending | ApplicationStatus::Approved)
                            );
                            view! {
                                {page.application.map(|a| view! { <ApplicationState application=a/> })}
                                {can_apply.then(|| view! { <ApplicationFormCard form=page.form countries=page.countries error=error/> })}
                            }.into_any()
                        }
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

#[component]
fn ApplicationState(application: ApplicationView) -> impl IntoView {
    let tone = match application.status {
        ApplicationStatus::Pending => "warning",
        ApplicationStatus::Approved => "success",
        ApplicationStatus::Rejected => "danger",
    };
    let sent = model::format_date(application.created_at);
    view! {
        <section class="card stack" aria-labelledby="application-title">
            <h2 id="application-title">"Your application"</h2>
            <dl class="details">
                <dt>"Store"</dt><dd>{application.store_name.clone()}</dd>
                <dt>"Status"</dt>
                <dd><span class=format!("badge badge--{tone}")>{application.status.label()}</span></dd>
                <dt>"Sent"</dt><dd><time datetime=sent.clone()>{sent.clone()}</time></dd>
            </dl>
            {match application.status {
                ApplicationStatus::Pending => view! {
                    <p>"An admin reviews every application. We will email you the decision."</p>
                }.into_any(),
                ApplicationStatus::Approved => view! {
                    <p><a class="button" href="/seller">"Go to the seller portal"</a></p>
                }.into_any(),
                ApplicationStatus::Rejected => view! {
                    <p>"The reason given: " <strong>{application.reason.clone()}</strong></p>
                    <p>"You can change your application below and send it again."</p>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ApplicationFormCard(
    form: ApplicationForm,
    countries: Vec<(String, String)>,
    error: Option<AppError>,
) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="apply-title">
            <h2 id="apply-title">"Apply to open a store"</h2>
            <p class="muted">"Tell shoppers who you are. An admin reviews the application, usually within a day."</p>
            <form method="post" action=ApplyToSell::url() class="form" aria-labelledby="apply-title" novalidate>
                <ErrorSummary error=error.clone() fields=FIELDS/>
                <Field name="store_name" label="Store name" value=form.store_name maxlength=60 error=error_for(&error, "store_name")/>
                <Field
                    name="slug"
                    label="Store address"
                    value=form.slug
                    required=false
                    maxlength=40
                    hint="Your store's page will be /store/your-address. Leave it empty to make one from the store name."
                    error=error_for(&error, "slug")
                />
                <TextAreaField name="description" label="Description" value=form.description maxlength=2000 hint="What you sell, in a few sentences." error=error_for(&error, "description")/>
                <Field name="support_email" label="Support email" kind="email" autocomplete="email" value=form.support_email error=error_for(&error, "support_email")/>
                <SelectField name="country" label="Country" options=countries value=form.country error=error_for(&error, "country")/>
                <Field name="return_days" label="Return window (days)" kind="number" inputmode="numeric" value=form.return_days error=error_for(&error, "return_days")/>
                <TextAreaField name="return_policy" label="Return policy" value=form.return_policy maxlength=2000 hint="What a shopper may return, and how." error=error_for(&error, "return_policy")/>
                <button class="button" type="submit">"Send application"</button>
            </form>
        </section>
    }
}
