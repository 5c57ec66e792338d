//! `/seller/promotions`: the store's promo codes with their uses and what they took off, a form for a new one, and
//! pause / resume. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::promotions::{PromotionForm, PromotionRow, PROMOTION_FIELDS};

use crate::api::sellers::{store_promotions, CreatePromotion, PausePromotion, PromotionsScreen};
use crate::components::forms::{error_for, ErrorSummary, Field, SelectField};
use crate::components::portal::{PortalShell, Section};
use crate::error::AppError;
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

#[component]
pub fn SellerPromotionsPage() -> impl IntoView {
    if let Some(instead) = portal_gate("/seller/promotions") {
        return instead;
    }
    let notice = leptos_router::hooks::use_query_map().with_untracked(|q| {
        [("saved", "created"), ("paused", "paused"), ("resumed", "resumed")]
            .into_iter()
            .find_map(|(key, done)| q.get(key).map(|code| format!("Code {code} {done}.")))
    });
    let create_error = url_error::<CreatePromotion>();
    let pause_error = url_error::<PausePromotion>();
    view! {
        <Title text="Promotions · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match store_promotions().await {
                    Ok(screen) => view! { <Promotions screen=screen notice=notice create_error=create_error pause_error=pause_error/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Promotions(
    screen: PromotionsScreen,
    notice: Option<String>,
    create_error: Option<AppError>,
    pause_error: Option<AppError>,
) -> impl IntoView {
    let p = screen.promotions;
    let count = p.codes.len();
    view! {
        <PortalShell section=Section::Promotions store_name=p.store_name.clone() store_slug=p.store_slug.clone()>
            <div class="page-head">
                <h1 class="page-title">"Promotions"</h1>
                <a class="button" href="#new-code">"New code"</a>
            </div>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            {pause_error.map(|e| view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> })}
            <p class="lead">{format!("{} · shoppers type these at checkout; each takes off your items only.", model::count_of(count as i64, "code", "codes"))}</p>
            {if p.codes.is_empty() {
                view! { <section class="card empty"><p>"No codes yet. Create one below and share it with your customers."</p></section> }.into_any()
            } else {
                view! { <CodeTable codes=p.codes/> }.into_any()
            }}
            <NewCodeForm kept=screen.kept.unwrap_or_default() error=create_error/>
        </PortalShell>
    }
}

#[component]
fn CodeTable(codes: Vec<PromotionRow>) -> impl IntoView {
    view! {
        <table class="table">
            <caption class="visually-hidden">"Your promo codes"</caption>
            <thead><tr>
                <th scope="col">"Code"</th><th scope="col">"Offer"</th><th scope="col">"Status"</th>
                <th scope="col" class="num">"Uses"</th><th scope="col" class="num">"Discount given"</th>
                <th scope="col">"Last used"</th><th scope="col">"Action"</th>
            </tr></thead>
            <tbody>
                {codes.into_iter().map(|c| {
                    let uses = match c.max_uses {
                        Some(max) => format!("{} of {max}", c.uses),
                        None => c.uses.to_string(),
                    };
                    let (pause, verb) = if c.paused { ("0", "Resume") } else { ("1", "Pause") };
                    view! {
                        <tr>
                            <th scope="row" data-label="Code"><code>{c.code.clone()}</code></th>
                            <td data-label="Offer">{c.offer}{(!c.conditions.is_empty()).then(|| view! { <br/><span class="muted">{c.conditions}</span> })}</td>
                            <td data-label="Status"><span class=format!("badge badge--{}", c.state.tone())>{c.state.label()}</span></td>
                            <td data-label="Uses" class="num">{uses}</td>
                            <td data-label="Discount given" class="num">{c.discount_given.display()}</td>
                            <td data-label="Last used">{c.last_used.map(model::format_date).unwrap_or_else(|| "Never".into())}</td>
                            <td data-label="Action">
                                <form method="post" action=PausePromotion::url()>
                                    <input type="hidden" name="id" value=c.id.to_string()/>
                                    <input type="hidden" name="pause" value=pause/>
                                    <button class="button button--secondary" type="submit">{format!("{verb} {}", c.code)}</button>
                                </form>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn NewCodeForm(kept: PromotionForm, error: Option<AppError>) -> impl IntoView {
    let err = {
        let e = error.clone();
        move |name: &str| error_for(&e, name)
    };
    let kinds = vec![
        ("percent".to_string(), "Percentage off".to_string()),
        ("fixed".to_string(), "Amount off (USD)".to_string()),
    ];
    view! {
        <section class="card stack" aria-labelledby="new-code">
            <h2 id="new-code">"New code"</h2>
            <form method="post" action=CreatePromotion::url() class="form" novalidate aria-labelledby="new-code">
                <ErrorSummary error=error.clone() fields=PROMOTION_FIELDS/>
                <Field name="code" label="Code" value=kept.code maxlength=32 hint="3 to 32 letters, digits, hyphens or underscores; shoppers may type it in any case." error=err("code")/>
                <div class="field-row">
                    <SelectField name="kind" label="Discount type" options=kinds value=if kept.kind.is_empty() { "percent".to_string() } else { kept.kind } error=err("kind")/>
                    <Field name="value" label="Discount (percent or amount)" inputmode="decimal" value=kept.value error=err("value")/>
                </div>
                <Field name="min_subtotal" label="Minimum order of your items (USD, optional)" inputmode="decimal" required=false value=kept.min_subtotal error=err("min_subtotal")/>
                <div class="field-row">
                    <Field name="starts" label="Starts on (optional)" kind="date" required=false value=kept.starts error=err("starts")/>
                    <Field name="ends" label="Last day (optional)" kind="date" required=false value=kept.ends error=err("ends")/>
                </div>
                <div class="field-row">
                    <Field name="max_uses" label="Total uses (optional)" inputmode="numeric" required=false value=kept.max_uses error=err("max_uses")/>
                    <Field name="per_customer" label="Uses per customer (optional)" inputmode="numeric" required=false value=kept.per_customer error=err("per_customer")/>
                </div>
                <div class="form-actions"><button class="button" type="submit">"Create code"</button></div>
            </form>
        </section>
    }
}
