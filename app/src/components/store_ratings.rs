//! Store ratings (decision 0046): the buyer's form per delivered order on `/account/reviews`, and the summary on a
//! store's page. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::limits::STORE_RATING_COMMENT_MAX_CHARS;
use model::reviews::{RateableOrder, StoreRatingForm, StoreRatings};

use crate::api::reviews::RateStore;
use crate::components::reviews::{RatingBar, Stars};
use crate::error::AppError;

/// "Rate the stores": one small form per delivered seller order.
#[component]
pub fn RateStores(
    stores: Vec<RateableOrder>,
    kept: Option<(i64, StoreRatingForm)>,
    error: Option<AppError>,
) -> impl IntoView {
    // A refusal for an order no longer listed (past its 100 days, say) shows above the list.
    let listed = kept
        .as_ref()
        .is_some_and(|(id, _)| stores.iter().any(|o| o.order_id == *id));
    let unlisted = error.clone().filter(|_| !listed);
    view! {
        <section class="card stack" aria-labelledby="stores-title">
            <h2 id="stores-title">"Rate the stores"</h2>
            {unlisted.map(|e| view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> })}
            <p class="muted">"One rating for each order a store delivered: how it packed, shipped and answered. Stores cannot hide ratings."</p>
            {if stores.is_empty() {
                view! { <p>"No store to rate yet. Orders appear here once they are delivered, for 100 days."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list stack">
                        {stores.into_iter().map(|order| {
                            let typed = kept.as_ref().filter(|(id, _)| *id == order.order_id).map(|(_, f)| f.clone());
                            let error = typed.as_ref().and(error.clone());
                            view! { <li><RateStoreForm order=order typed=typed error=error/></li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn RateStoreForm(order: RateableOrder, typed: Option<StoreRatingForm>, error: Option<AppError>) -> impl IntoView {
    let id = order.order_id;
    let chosen: Option<u8> = match &typed {
        Some(form) => form.stars.parse().ok(),
        None => order.stars,
    };
    let comment = typed.map(|f| f.comment).unwrap_or_else(|| order.comment.clone());
    let comment_id = format!("rating-{id}-comment");
    let errors_id = format!("rating-{id}-errors");
    let errors: Vec<String> = match &error {
        Some(AppError::Validation(fields)) => fields.iter().map(|f| f.message.clone()).collect(),
        Some(other) => vec![other.to_string()],
        None => Vec::new(),
    };
    let button = if order.stars.is_some() {
        "Change rating"
    } else {
        "Rate the store"
    };
    view! {
        <form method="post" action=RateStore::url() class="form stack store-rating-form">
            <input type="hidden" name="order" value=id.to_string()/>
            {let invalid = !errors.is_empty(); invalid.then(|| view! {
                <div class="alert alert--error" role="alert" id=errors_id.clone()>{errors.into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}</div>
            })}
            <fieldset class="stars-input" aria-describedby=error.is_some().then(|| errors_id.clone())>
                <legend>{format!("{} · order {}", order.store_name, order.order_number)}</legend>
                {(1..=5u8).map(|n| {
                    let radio = format!("rating-{id}-{n}");
                    view! {
                        <span class="stars-input__choice">
                            <input type="radio" id=radio.clone() name="stars" value=n.to_string() required=true checked=chosen == Some(n)/>
                            <label for=radio>{format!("{n} star{}", if n == 1 { "" } else { "s" })}</label>
                        </span>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for=comment_id.clone()>{format!("Comment on {} (optional)", order.store_name)}</label>
                <textarea id=comment_id name="comment" rows="2" maxlength=STORE_RATING_COMMENT_MAX_CHARS.to_string()
                    aria-invalid=error.is_some().to_string() aria-describedby=error.is_some().then(|| errors_id.clone())>{comment}</textarea>
            </div>
            <p><a href=format!("/store/{}", crate::url_encode(&order.store_slug))>{format!("{}: store page", order.store_name)}</a></p>
            <div>
                <button class="button button--secondary" type="submit">
                    {button}<span class="visually-hidden">{format!(": {} for order {}", order.store_name, order.order_number)}</span>
                </button>
                {order.stars.is_none().then(|| view! { <span class="muted">{format!(" Rate by {}", model::format_date(order.until))}</span> })}
            </div>
        </form>
    }
}

/// A store's ratings on its page: the average, how many of each star, and the latest comments.
#[component]
pub fn StoreRatingSummary(ratings: StoreRatings) -> impl IntoView {
    let summary = ratings.summary;
    let count = summary.count;
    view! {
        <section class="card stack store-ratings" aria-labelledby="store-ratings-title">
            <h2 id="store-ratings-title" class="section-title">"Store rating"</h2>
            {match summary.average {
                Some(avg) => view! {
                    <p class="rating-summary__average"><strong>{format!("{avg:.1}")}</strong>" out of 5 · "{model::count_of(count, "rating", "ratings")}</p>
                }.into_any(),
                None => view! { <p>"No ratings yet. Ratings come from shoppers whose orders from this store were delivered."</p> }.into_any(),
            }}
            {(count > 0).then(|| view! {
                <ul class="rating-bars" aria-label="Store ratings by stars">
                    {(1..=5u8).rev().map(|stars| {
                        let n = summary.by_stars[usize::from(stars) - 1];
                        let pct = n * 100 / count;
                        view! {
                            <li class="rating-bars__row">
                                <span class="rating-bars__label" aria-hidden="true">{format!("{stars} ★")}</span>
                                <RatingBar pct=pct/>
                                <span class="rating-bars__count" aria-hidden="true">{n.to_string()}</span>
                                <span class="visually-hidden">{format!("{stars} stars: {} ({pct}%)", model::count_of(n, "rating", "ratings"))}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!ratings.recent.is_empty()).then(|| view! {
                <ul class="plain-list stack" aria-label="Latest comments">
                    {ratings.recent.into_iter().map(|r| view! {
                        <li>
                            <Stars stars=r.stars/>
                            <p class="store-ratings__comment">{r.comment}</p>
                            <p class="muted">{format!("{} · {}", r.author, model::format_date(r.written_at))}</p>
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <p><a href="/help/reviews">"How reviews work"</a></p>
        </section>
    }
}
