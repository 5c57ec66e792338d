//! `/seller/money/disputes/{id}`: one dispute on a store's order — the store's share, the bank's reason and
//! deadline, the order's facts the shop sends the bank on its own, and a form for the store's account (sent once).
//! The store's list of cases is on `/seller/money` ([`DisputeList`]). Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::disputes::{reason_label, DisputeDetail, DisputeRow, DisputeStatus, EVIDENCE_MAX};

use crate::api::sellers::{store_dispute, SendDisputeEvidence};
use crate::components::forms::{error_for, ErrorSummary, TextAreaField};
use crate::components::portal::{Badge, Notice, PortalShell, Section};
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

fn badge(status: DisputeStatus) -> impl IntoView {
    let tone = match status {
        DisputeStatus::NeedsResponse => "danger",
        DisputeStatus::UnderReview => "warning",
        DisputeStatus::Won => "success",
        DisputeStatus::Lost => "neutral",
    };
    view! { <Badge label=status.label() tone=tone/> }
}

#[component]
pub fn SellerDisputePage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    if let Some(instead) = portal_gate(&format!("/seller/money/disputes/{}", crate::url_encode(&id))) {
        return instead;
    }
    let sent = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("sent").is_some());
    let error = url_error::<SendDisputeEvidence>();
    let id: i64 = id.parse().unwrap_or(0);
    view! {
        <Title text="Dispute · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match store_dispute(id).await {
                    Ok(screen) => {
                        let typed = screen.kept.unwrap_or_else(|| screen.detail.evidence.clone());
                        view! { <Dispute detail=screen.detail typed=typed sent=sent error=error.clone()/> }.into_any()
                    }
                    Err(e) => view! {
                        <h1 class="page-title">"Dispute"</h1>
                        <p class="alert alert--error" role="alert">{e.to_string()}</p>
                        <p><a href="/seller/money">"Back to money"</a></p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Dispute(detail: DisputeDetail, typed: String, sent: bool, error: Option<crate::error::AppError>) -> impl IntoView {
    let row = detail.row.clone();
    let money_note = if detail.held {
        "This order's money is held (pending) until the bank decides. If the case is lost, your share is taken then."
    } else {
        "Your share was taken from your balance when the case opened. If the case is won, it comes back."
    };
    let share = if detail.total == row.amount {
        row.amount.display()
    } else {
        format!("{} of {}", row.amount.display(), detail.total.display())
    };
    let notice = sent.then_some("Evidence sent: the bank decides. This page and your statement show the outcome.");
    view! {
        <PortalShell section=Section::Money store_name=detail.store_name.clone() store_slug=detail.store_slug.clone()>
            <p><a href="/seller/money">"← Money"</a></p>
            <div class="page-head">
                <h1 class="page-title">{format!("Dispute on order {}", row.order)}</h1>
                {badge(row.status)}
            </div>
            <Notice text=notice/>
            <section class="card stack" aria-labelledby="case-title">
                <h2 id="case-title">"The case"</h2>
                <dl class="details">
                    <dt>"Disputed"</dt><dd>{share}</dd>
                    <dt>"Bank's reason"</dt><dd>{reason_label(&row.reason)}</dd>
                    <dt>"Opened"</dt><dd>{model::format_date(row.opened_at)}</dd>
                    {row.respond_by.filter(|_| row.status.open()).map(|at| view! {
                        <dt>"Evidence due by"</dt><dd>{model::format_date(at)}</dd>
                    })}
                    <dt>"Order"</dt><dd><a href=format!("/seller/orders/{}", crate::url_encode(&row.order))>{row.order.clone()}</a></dd>
                </dl>
                <p class="muted">{money_note}</p>
            </section>
            <section class="card stack" aria-labelledby="facts-title">
                <h2 id="facts-title">"What the marketplace sends the bank"</h2>
                <p class="muted">"Taken from the order's own records; you do not need to repeat them."</p>
                <dl class="details">
                    {detail.facts.into_iter().map(|f| view! { <dt>{f.label}</dt><dd>{f.value}</dd> }).collect_view()}
                </dl>
            </section>
            {match (detail.evidence_sent_at, row.status) {
                (None, DisputeStatus::NeedsResponse) => view! { <EvidenceForm id=row.id typed=typed error=error/> }.into_any(),
                (Some(at), _) => view! {
                    <section class="card stack" aria-labelledby="sent-title">
                        <h2 id="sent-title">"Your account"</h2>
                        <p class="muted">{format!("Sent to the bank on {}.", model::format_date(at))}</p>
                        <p class="prewrap">{detail.evidence}</p>
                    </section>
                }.into_any(),
                _ => view! { <p class="muted">"This case was decided without evidence from the store."</p> }.into_any(),
            }}
        </PortalShell>
    }
}

#[component]
fn EvidenceForm(id: i64, typed: String, error: Option<crate::error::AppError>) -> impl IntoView {
    let field_error = error_for(&error, "evidence");
    view! {
        <section class="card stack" aria-labelledby="evidence-title">
            <h2 id="evidence-title">"Your account for the bank"</h2>
            <ErrorSummary error=error fields=&[("evidence", "Your account")]/>
            <form method="post" action=SendDisputeEvidence::url() class="form" novalidate>
                <input type="hidden" name="id" value=id.to_string()/>
                <TextAreaField
                    name="evidence"
                    label="What happened"
                    hint="What was sent, when and how; what the shopper said. It goes with the facts above, once: it cannot be changed after."
                    value=typed
                    maxlength=EVIDENCE_MAX
                    rows=6
                    error=field_error
                />
                <button class="button" type="submit">"Send evidence to the bank"</button>
            </form>
        </section>
    }
}

/// The store's cases on `/seller/money`, open ones first.
#[component]
pub fn DisputeList(rows: Vec<DisputeRow>) -> impl IntoView {
    view! {
        <section class="stack" aria-labelledby="disputes-title">
            <h2 id="disputes-title">"Disputes"</h2>
            <table class="table">
                <caption class="visually-hidden">"Disputes on your orders, open ones first"</caption>
                <thead><tr>
                    <th scope="col">"Order"</th><th scope="col">"Status"</th><th scope="col">"Opened"</th>
                    <th scope="col">"Respond by"</th><th scope="col" class="num">"Your share"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let due = r.respond_by.filter(|_| r.status.open()).map(model::format_date).unwrap_or_default();
                        view! {
                            <tr>
                                <th scope="row" data-label="Order">
                                    <a href=format!("/seller/money/disputes/{}", r.id)>{format!("Dispute on {}", r.order)}</a>
                                </th>
                                <td data-label="Status">{badge(r.status)}</td>
                                <td data-label="Opened">{model::format_date(r.opened_at)}</td>
                                <td data-label="Respond by">{due}</td>
                                <td data-label="Your share" class="num">{r.amount.display()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
