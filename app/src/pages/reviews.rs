//! The shopper's reviews: `/account/reviews` (delivered items waiting for a review, and the reviews written),
//! `/account/reviews/write` (the form, which edits a review written), and `/help/reviews` (how reviews work:
//! EU consumer law asks a shop to say how it checks that reviews come from buyers). Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::reviews::{AccountReviews, ReviewForm, ReviewPicture, REVIEW_FIELDS};

use crate::api::reviews::{
    my_reviews, open_review_form, AccountReviewsScreen, RateStore, RemoveReviewPicture, ReviewFormScreen, WriteReview,
};
use crate::components::forms::{error_for, ErrorSummary, Field, SelectField, TextAreaField};
use crate::components::reviews::Stars;
use crate::components::store_ratings::RateStores;
use crate::error::AppError;
use crate::pages::url_error;
use model::limits::REVIEW_PICTURES_MAX as MAX_REVIEW_PICTURES;

/// Sends a visitor to sign in first, back to `path` after.
fn signed_in_or_login(path: &str) -> bool {
    if crate::request_user().is_some() {
        return true;
    }
    #[cfg(feature = "ssr")]
    crate::ssr::page_redirect(&format!("/login?next={}", crate::url_encode(path)));
    #[cfg(not(feature = "ssr"))]
    let _ = path;
    false
}

#[component]
pub fn AccountReviewsPage() -> impl IntoView {
    if !signed_in_or_login("/account/reviews") {
        return ().into_any();
    }
    let notice = leptos_router::hooks::use_query_map().with_untracked(|q| match q.get("saved").as_deref() {
        Some("new") => Some("Thank you: your review is published."),
        Some("edited") => Some("Your review is updated."),
        Some("rated") => Some("Thank you: your rating of the store is published."),
        Some("rerated") => Some("Your rating of the store is updated."),
        _ => None,
    });
    let rating_error = url_error::<RateStore>();
    view! {
        <Title text="Your reviews"/>
        <div class="narrow stack">
            <p><a href="/account">"← Your account"</a></p>
            <h1 class="page-title">"Your reviews"</h1>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match my_reviews().await {
                        Ok(AccountReviewsScreen { reviews, kept_rating }) => {
                            let stores = reviews.stores.clone();
                            view! {
                                <ReviewLists reviews=reviews/>
                                <RateStores stores=stores kept=kept_rating error=rating_error.clone()/>
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

use crate::api::reviews::form_href;

#[component]
fn ReviewLists(reviews: AccountReviews) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="waiting-title">
            <h2 id="waiting-title">"Waiting for your review"</h2>
            {if reviews.waiting.is_empty() {
                view! { <p>"Nothing to review right now. Items appear here once they are delivered, for 100 days."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list stack">
                        {reviews.waiting.into_iter().map(|item| {
                            let what = if item.variant.is_empty() { item.product_title.clone() } else { format!("{} ({})", item.product_title, item.variant) };
                            view! {
                                <li class="row-between">
                                    <span>
                                        <a href=format!("/p/{}", crate::url_encode(&item.product_slug))>{what.clone()}</a>
                                        <span class="muted">{format!(" · order {} · review by {}", item.order_number, model::format_date(item.until))}</span>
                                    </span>
                                    <a class="button button--secondary" href=form_href(item.order_id, item.variant_id)>
                                        "Write a review"<span class="visually-hidden">{format!(" of {what}")}</span>
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card stack" aria-labelledby="written-title">
            <h2 id="written-title">"Reviews you wrote"</h2>
            {if reviews.written.is_empty() {
                view! { <p>"You have not written a review yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list stack">
                        {reviews.written.into_iter().map(|own| view! {
                            <li class="stack">
                                <p><a href=format!("/p/{}#review-{}", crate::url_encode(&own.product_slug), own.review.id)>{own.product_title.clone()}</a></p>
                                <p><Stars stars=own.review.stars/>" "<strong>{own.review.title.clone()}</strong></p>
                                {own.hidden.map(|why| view! { <p class="alert alert--error">{format!("Hidden by our moderators: {why}.")}</p> })}
                                {own.review.reply.map(|r| view! { <p class="muted">{format!("{} replied on {}.", r.store_name, model::format_date(r.at))}</p> })}
                                <p><a href=form_href(own.order_id, own.variant_id)>"Edit"<span class="visually-hidden">{format!(" your review of {}", own.product_title)}</span></a></p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn WriteReviewPage() -> impl IntoView {
    let (order, variant) = leptos_router::hooks::use_query_map().with_untracked(|q| {
        let id = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        (id("order"), id("variant"))
    });
    if !signed_in_or_login(&form_href(order, variant)) {
        return ().into_any();
    }
    let error = url_error::<WriteReview>();
    view! {
        <Title text="Write a review"/>
        <div class="narrow stack">
            <p><a href="/account/reviews">"← Your reviews"</a></p>
            <Suspense fallback=|| ()>
                {let error = error.clone(); Suspend::new(async move {
                    match open_review_form(order, variant).await {
                        Ok(screen) => view! { <ReviewFormView screen=screen error=error/> }.into_any(),
                        Err(AppError::NotFound) => view! { <crate::pages::errors::NotFoundPage/> }.into_any(),
                        Err(e) => view! { <h1 class="page-title">"Write a review"</h1><p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

#[component]
fn ReviewFormView(screen: ReviewFormScreen, error: Option<AppError>) -> impl IntoView {
    let page = screen.page;
    let editing = page.existing.is_some();
    let (order_id, variant_id) = (page.item.order_id, page.item.variant_id);
    let pictures = page.pictures.clone();
    let refused = screen.refused;
    let typed: ReviewForm = screen.kept.or(page.existing).unwrap_or_default();
    let err = {
        let e = error.clone();
        move |name: &str| error_for(&e, name)
    };
    let item = page.item;
    let what = if item.variant.is_empty() {
        item.product_title.clone()
    } else {
        format!("{} ({})", item.product_title, item.variant)
    };
    let stars: Vec<(String, String)> = std::iter::once((String::new(), "Choose a rating".to_string()))
        .chain(
            [
                (5, "5 stars: excellent"),
                (4, "4 stars: good"),
                (3, "3 stars: average"),
                (2, "2 stars: poor"),
                (1, "1 star: very poor"),
            ]
            .into_iter()
            .map(|(n, l)| (n.to_string(), l.to_string())),
        )
        .collect();
    view! {
        <h1 class="page-title">{if editing { "Edit your review" } else { "Write a review" }}</h1>
        <p class="lead">{what}<span class="muted">{format!(" · order {}", item.order_number)}</span></p>
        <form method="post" action=WriteReview::url() class="form card stack" novalidate>
            <ErrorSummary error=error.clone() fields=REVIEW_FIELDS/>
            <input type="hidden" name="order" value=item.order_id.to_string()/>
            <input type="hidden" name="variant" value=item.variant_id.to_string()/>
            <SelectField name="stars" label="Rating" options=stars value=typed.stars error=err("stars")/>
            <Field name="title" label="Title" value=typed.title maxlength=model::limits::REVIEW_TITLE_MAX_CHARS hint="A few words that sum it up." error=err("title")/>
            <TextAreaField name="body" label="Your review (optional)" value=typed.body maxlength=model::limits::REVIEW_BODY_MAX_CHARS rows=6
                hint="What you liked or did not, and how you use it. Plain text; shown with your first name and initial." error=err("body")/>
            <p class="muted">"Reviews are published at once and labelled \"Verified purchase\". "<a href="/help/reviews">"How reviews work"</a></p>
            <div class="form-actions"><button class="button" type="submit">{if editing { "Save changes" } else { "Publish review" }}</button></div>
        </form>
        <PicturesOfReview editing=editing order_id=order_id variant_id=variant_id pictures=pictures refused=refused/>
    }
}

/// The review's pictures with a button to remove each, and the upload form (once the review is published).
#[component]
fn PicturesOfReview(
    editing: bool,
    order_id: i64,
    variant_id: i64,
    pictures: Vec<ReviewPicture>,
    refused: Vec<(String, String)>,
) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let added = query.with_untracked(|q| q.get("pictures").and_then(|n| n.parse::<usize>().ok()));
    let removed = query.with_untracked(|q| q.get("picture")).as_deref() == Some("removed");
    let notice = match (added, removed) {
        (Some(1), _) => Some("1 picture added.".to_string()),
        (Some(n), _) if (2..=MAX_REVIEW_PICTURES).contains(&n) => Some(format!("{n} pictures added.")),
        (_, true) => Some("The picture was removed.".to_string()),
        _ => None,
    };
    let room = MAX_REVIEW_PICTURES.saturating_sub(pictures.len());
    let count = pictures.len();
    let upload_to = crate::api::reviews::pictures_href(order_id, variant_id);
    view! {
        <section class="card stack" aria-labelledby="pictures-title">
            <h2 id="pictures-title">"Pictures"</h2>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            {(!refused.is_empty()).then(|| view! {
                <div class="alert alert--error" role="alert">
                    <p>"Not added:"</p>
                    <ul>{refused.into_iter().map(|(name, why)| view! { <li><strong>{name}</strong>{format!(": {why}")}</li> }).collect_view()}</ul>
                </div>
            })}
            {if !editing {
                view! { <p class="muted">{format!("Once your review is published you can add up to {MAX_REVIEW_PICTURES} pictures to it.")}</p> }.into_any()
            } else {
                view! {
                    {(count == 0).then(|| view! { <p>"Your review has no pictures yet."</p> })}
                    <ul class="review-pictures review-pictures--editable" aria-label="Pictures of your review" hidden=count == 0>
                        {pictures.into_iter().enumerate().map(|(n, p)| view! {
                            <li>
                                <img src=p.thumb_url alt=format!("Picture {} of {count}", n + 1) width="96" height="96"/>
                                <form method="post" action=RemoveReviewPicture::url()>
                                    <input type="hidden" name="order" value=order_id.to_string()/>
                                    <input type="hidden" name="variant" value=variant_id.to_string()/>
                                    <input type="hidden" name="key" value=p.key/>
                                    <button class="button button--secondary button--small" type="submit">
                                        "Remove"<span class="visually-hidden">{format!(" picture {}", n + 1)}</span>
                                    </button>
                                </form>
                            </li>
                        }).collect_view()}
                    </ul>
                    {if room == 0 {
                        view! { <p class="muted">{format!("A review shows at most {MAX_REVIEW_PICTURES} pictures: remove one to add another.")}</p> }.into_any()
                    } else {
                        view! {
                            <form method="post" action=upload_to enctype="multipart/form-data" class="form stack">
                                <div class="field">
                                    <label for="review-pictures">{format!("Add pictures (PNG, JPEG or WebP, up to 10 MB each; {room} more)")}</label>
                                    <input id="review-pictures" name="pictures" type="file" multiple=true accept="image/png,image/jpeg,image/webp"
                                        aria-describedby="review-pictures-hint"/>
                                </div>
                                <p class="muted" id="review-pictures-hint">"Pictures are shown with your review. Location and camera details are removed."</p>
                                <div class="form-actions"><button class="button button--secondary" type="submit">"Upload pictures"</button></div>
                            </form>
                        }.into_any()
                    }}
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn HowReviewsWorkPage() -> impl IntoView {
    view! {
        <Title text="How reviews work"/>
        <div class="narrow stack prose">
            <h1 class="page-title">"How reviews work"</h1>
            <h2>"Who can write one"</h2>
            <p>"Only a shopper who bought the product on Bazaar and received it. Each review is tied to the order line it is about: one review per item bought, written from the shopper's account within 100 days of delivery. Reviews are labelled \"Verified purchase\"."</p>
            <p>"Sellers cannot write reviews of their own products, and nobody is paid or rewarded for a review."</p>
            <h2>"What is shown"</h2>
            <p>"Every review is published, whatever its rating. The average and the bars count every visible review. You can sort them by newest, most helpful or lowest rating, and show only one rating."</p>
            <p>"The author's first name and the initial of their last name are shown, never their email. An author can edit their review; it is then marked \"edited\"."</p>
            <p>"Reviews labelled \"Demo review\" are sample data of a demonstration shop, not purchases."</p>
            <h2>"Sellers' replies"</h2>
            <p>"The seller can reply once, publicly, under a review. A seller cannot change, hide or delete a review."</p>
            <h2>"Reports and moderation"</h2>
            <p>"Anyone signed in can report a review. Our moderators hide a review only for one of these reasons, and never because it is negative:"</p>
            <ul>
                {model::reviews::ReviewReason::ALL.iter().map(|r| view! { <li>{r.label()}</li> }).collect_view()}
            </ul>
            <p>"Moderators decide without seeing the review's rating."</p>
            <h2>"Store ratings"</h2>
            <p>"A shopper rates a store once for each order it delivered to them, within 100 days of delivery, and can change the rating later. A store's page shows the average, how many of each star, and the latest comments. A store cannot hide or delete a rating."</p>
        </div>
    }
}
