//! "Notify me" under a product's buy box, when one of its variants is sold out: which variant, and a visitor's
//! email (a signed-in shopper's account address is used). A plain form, no island; the same for every visitor, so
//! the cached page can carry it.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::catalog::VariantView;

use crate::api::back_in_stock::NotifyWhenBack;
use crate::components::forms::{error_for, Field, FormAlert, SelectField};
use crate::pages::url_error;

#[component]
pub fn NotifyMe(variants: Vec<VariantView>) -> impl IntoView {
    let sold_out: Vec<(String, String)> = variants
        .iter()
        .filter(|v| v.sellable() <= 0)
        .map(|v| (v.id.to_string(), v.label()))
        .collect();
    if sold_out.is_empty() {
        return ().into_any();
    }
    let notice = leptos_router::hooks::use_query_map().with_untracked(|q| match q.get("notify").as_deref() {
        Some("on") => Some("Done: we will email you once when it is back in stock."),
        Some("link") => Some("Check your email: open the link we sent to confirm the address, and we will email you once when it is back."),
        _ => None,
    });
    let error = url_error::<NotifyWhenBack>();
    let user = crate::request_user();
    let choice = if sold_out.len() == 1 {
        let (id, label) = sold_out[0].clone();
        view! {
            <input type="hidden" name="variant" value=id/>
            <p>{if label.is_empty() { "This product is sold out.".to_string() } else { format!("{label} is sold out.") }}</p>
        }
        .into_any()
    } else {
        view! { <SelectField name="variant" label="Sold-out option" options=sold_out error=error_for(&error, "variant")/> }.into_any()
    };
    view! {
        <section class="card stack notify-me" id="notify" aria-labelledby="notify-title">
            <h2 id="notify-title" class="section-title">"Sold out? Get an email when it is back"</h2>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            <form method="post" action=NotifyWhenBack::url() class="form" aria-labelledby="notify-title">
                <FormAlert error=error.clone()/>
                {choice}
                {match user {
                    Some(user) => view! { <p class="muted">{format!("We will write to {}, once.", user.email)}</p> }.into_any(),
                    None => view! {
                        <Field name="email" label="Your email" kind="email" autocomplete="email" hint="We send a link to confirm it first, then one email when it is back." error=error_for(&error, "email")/>
                    }.into_any(),
                }}
                <button class="button button--secondary" type="submit">"Notify me"</button>
            </form>
        </section>
    }
    .into_any()
}
