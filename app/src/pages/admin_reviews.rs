//! `/admin/reviews`: reported reviews, oldest report first. An admin hides one for a reason from the list (its
//! rating leaves the product's) or keeps it. The stars are not shown: a decision is about what the text says.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::reviews::{ReportedReview, ReviewReason};

use crate::api::reviews::{reported_reviews, DecideReview};
use crate::components::portal::{AdminSection, AdminShell, Notice};
use crate::pages::admin::admin_gate;
use crate::pages::url_error;

#[component]
pub fn AdminReviewsPage() -> impl IntoView {
    if let Some(instead) = admin_gate("/admin/reviews") {
        return instead;
    }
    let done = leptos_router::hooks::use_query_map().with_untracked(|q| match q.get("done").as_deref() {
        Some("hidden") => Some("The review is hidden; the product's rating no longer counts it."),
        Some("kept") => Some("The review stays published; its reports are closed."),
        _ => None,
    });
    let error = url_error::<DecideReview>();
    view! {
        <Title text="Reported reviews"/>
        <AdminShell section=AdminSection::Reviews>
        <h1 class="page-title">"Reported reviews"</h1>
        <Notice text=done/>
        {error.map(|e| view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> })}
        <p class="muted">"Hide a review only for one of the listed reasons, never because it is negative (16 CFR 465). The rating is left out on purpose."</p>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match reported_reviews().await {
                    Ok(queue) if queue.is_empty() => view! { <section class="card empty"><p>"No reported reviews."</p></section> }.into_any(),
                    Ok(queue) => view! {
                        <ul class="plain-list stack">
                            {queue.into_iter().map(|r| view! { <Reported review=r/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        </AdminShell>
    }
    .into_any()
}

#[component]
fn Reported(review: ReportedReview) -> impl IntoView {
    let id = review.id;
    let reports = review
        .reports
        .iter()
        .map(|(reason, n)| format!("{reason} ({n})"))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <li class="card stack" aria-labelledby=format!("reported-{id}")>
            <h2 id=format!("reported-{id}") class="section-title">{review.title.clone()}</h2>
            <p class="muted">{format!("{} · {} · on ", review.author, model::format_date(review.written_at))}
                <a href=format!("/p/{}", crate::url_encode(&review.product_slug))>{review.product_title.clone()}</a></p>
            {review.body.split('\n').filter(|p| !p.trim().is_empty()).map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
            <crate::components::reviews::ReviewPictures pictures=review.pictures.clone() author=review.author.clone()/>
            <p><strong>"Reported as: "</strong>{reports}</p>
            <div class="form-actions">
                <form method="post" action=DecideReview::url() class="form">
                    <input type="hidden" name="review" value=id.to_string()/>
                    <input type="hidden" name="hide" value="1"/>
                    <div class="field">
                        <label for=format!("hide-reason-{id}")>"Reason to hide it"</label>
                        <select id=format!("hide-reason-{id}") name="reason">
                            {ReviewReason::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <button class="button button--danger" type="submit">"Hide review"<span class="visually-hidden">{format!(" {}", review.title)}</span></button>
                </form>
                <form method="post" action=DecideReview::url()>
                    <input type="hidden" name="review" value=id.to_string()/>
                    <button class="button button--secondary" type="submit">"Keep it published"<span class="visually-hidden">{format!(": {}", review.title)}</span></button>
                </form>
            </div>
        </li>
    }
}
