//! `/seller/reviews`: the reviews of the store's products, newest first (or only those without a reply), each
//! with the store's one public reply or the form to write it. A store cannot hide or change a review; the page
//! says so. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::reviews::{StoreReviewRow, StoreReviews};

use crate::api::reviews::{store_review_list, ReplyToReview};
use crate::components::portal::{PortalShell, Section};
use crate::components::reviews::Stars;
use crate::error::AppError;
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

#[component]
pub fn SellerReviewsPage() -> impl IntoView {
    let (unanswered, replied) = leptos_router::hooks::use_query_map()
        .with_untracked(|q| (q.get("unanswered").unwrap_or_default(), q.get("replied").is_some()));
    let here = if unanswered == "1" {
        "/seller/reviews?unanswered=1"
    } else {
        "/seller/reviews"
    };
    if let Some(instead) = portal_gate(here) {
        return instead;
    }
    let error = url_error::<ReplyToReview>();
    view! {
        <Title text="Reviews · Seller portal"/>
        <Suspense fallback=|| ()>
            {let error = error.clone(); let unanswered = unanswered.clone(); Suspend::new(async move {
                match store_review_list(unanswered).await {
                    Ok(reviews) => view! { <Reviews reviews=reviews replied=replied error=error/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Reviews(reviews: StoreReviews, replied: bool, error: Option<AppError>) -> impl IntoView {
    let (all_current, open_current) = if reviews.unanswered_only {
        (None, Some("page"))
    } else {
        (Some("page"), None)
    };
    view! {
        <PortalShell section=Section::Reviews store_name=reviews.store_name.clone() store_slug=reviews.store_slug.clone()>
            <h1 class="page-title">"Reviews"</h1>
            <div role="status">{replied.then(|| view! { <p class="alert alert--success">"Your reply is published under the review."</p> })}</div>
            {error.map(|e| view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> })}
            <p class="lead">"What shoppers who received your products say. You can reply once, publicly, to each review; you cannot hide or change one. Report a review that breaks "<a href="/help/reviews">"the rules"</a>" from its product page."</p>
            <nav aria-label="Which reviews" class="tabs">
                <ul class="chips">
                    <li><a class="chip" href="/seller/reviews" aria-current=all_current>"All"</a></li>
                    <li><a class="chip" href="/seller/reviews?unanswered=1" aria-current=open_current>{format!("Waiting for a reply ({})", reviews.awaiting_reply)}</a></li>
                </ul>
            </nav>
            {if reviews.reviews.is_empty() {
                view! { <section class="card empty"><p>"No reviews here yet."</p></section> }.into_any()
            } else {
                view! {
                    <ul class="plain-list stack">
                        {reviews.reviews.into_iter().map(|row| view! { <ReviewRowView row=row/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </PortalShell>
    }
}

#[component]
fn ReviewRowView(row: StoreReviewRow) -> impl IntoView {
    let r = row.review;
    let id = r.id;
    view! {
        <li class="card stack" id=format!("review-{id}")>
            <p><a href=format!("/p/{}#review-{id}", crate::url_encode(&row.product_slug))>{row.product_title.clone()}</a>
                {(!r.variant.is_empty()).then(|| view! { <span class="muted">{format!(" · {}", r.variant)}</span> })}</p>
            <p><Stars stars=r.stars/>" "<strong>{r.title.clone()}</strong></p>
            <p class="muted">{format!("{} · {}", r.author, model::format_date(r.written_at))}{r.edited.then_some(" · edited")}
                {row.hidden.then_some(" · hidden by moderators")}{r.demo.then_some(" · demo data")}</p>
            {r.body.split('\n').filter(|p| !p.trim().is_empty()).map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
            <crate::components::reviews::ReviewPictures pictures=r.pictures.clone() author=r.author.clone()/>
            {match (r.reply, row.hidden || r.demo) {
                (Some(reply), _) => view! {
                    <div class="review__reply">
                        <p><strong>"Your reply"</strong>{format!(" · {}", model::format_date(reply.at))}</p>
                        {reply.body.split('\n').filter(|p| !p.trim().is_empty()).map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
                    </div>
                }.into_any(),
                (None, true) => ().into_any(),
                (None, false) => view! {
                    <form method="post" action=ReplyToReview::url() class="form stack">
                        <input type="hidden" name="review" value=id.to_string()/>
                        <div class="field">
                            <label for=format!("reply-{id}")>{format!("Your public reply to {}", r.author)}</label>
                            <textarea id=format!("reply-{id}") name="reply" rows="3" maxlength=model::limits::REVIEW_REPLY_MAX_CHARS required=true></textarea>
                        </div>
                        <div class="form-actions"><button class="button" type="submit">"Publish reply"</button></div>
                    </form>
                }.into_any(),
            }}
        </li>
    }
}
