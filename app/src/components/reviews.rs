//! A product's reviews on its page: the rating summary with a bar per star (each a link filtering to it), the
//! order, the reviews with the store's reply, and plain forms for "helpful" and reporting (no island: nothing in
//! the shoppers' bundle). The text is shown escaped, never as HTML.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::reviews::{ProductReviews, RatingSummary, ReviewPicture, ReviewReason, ReviewSort, ReviewView};

use crate::api::reviews::{MarkReviewHelpful, ReportReview};
use crate::error::AppError;

/// The link of the reviews with `sort`, `stars` and `page` (defaults left out), to the reviews' heading.
fn reviews_href(slug: &str, sort: ReviewSort, stars: Option<u8>, page: u32) -> String {
    let mut params = Vec::new();
    if sort != ReviewSort::Newest {
        params.push(format!("reviews={}", sort.as_str()));
    }
    if let Some(s) = stars {
        params.push(format!("stars={s}"));
    }
    if page > 1 {
        params.push(format!("reviews_page={page}"));
    }
    let query = if params.is_empty() {
        String::new()
    } else {
        format!("?{}", params.join("&"))
    };
    format!("/p/{}{query}#reviews", crate::url_encode(slug))
}

/// Stars for the eye, words for screen readers.
#[component]
pub fn Stars(stars: u8) -> impl IntoView {
    let stars = stars.min(5) as usize;
    view! {
        <span class="stars" aria-hidden="true">{"★".repeat(stars) + &"☆".repeat(5 - stars)}</span>
        <span class="visually-hidden">{format!("{stars} out of 5 stars")}</span>
    }
}

/// One bar of a rating distribution, `pct` filled (for the eye: the numbers are beside it in words).
#[component]
pub fn RatingBar(pct: i64) -> impl IntoView {
    view! {
        <svg class="rating-bars__bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false">
            <rect class="rating-bars__track" width="100" height="8"/>
            <rect class="rating-bars__fill" width=pct.to_string() height="8"/>
        </svg>
    }
}

#[component]
fn Summary(summary: RatingSummary, slug: String, sort: ReviewSort, filter: Option<u8>) -> impl IntoView {
    let count = summary.count;
    view! {
        <div class="rating-summary">
            {match summary.average {
                Some(avg) => view! {
                    <p class="rating-summary__average"><strong>{format!("{avg:.1}")}</strong>" out of 5"</p>
                    <p class="muted">{model::count_of(count, "review", "reviews")}</p>
                }.into_any(),
                None => view! { <p>"No reviews yet. Reviews come from shoppers who bought and received this product."</p> }.into_any(),
            }}
            <ul class="rating-bars" aria-label="Reviews by rating">
                {(1..=5u8).rev().map(|stars| {
                    let n = summary.by_stars[usize::from(stars) - 1];
                    let pct = if count > 0 { n * 100 / count } else { 0 };
                    let label = format!("{stars} star{}: {} ({pct}%)", if stars == 1 { "" } else { "s" }, model::count_of(n, "review", "reviews"));
                    let current = (filter == Some(stars)).then_some("true");
                    view! {
                        <li>
                            <a href=reviews_href(&slug, sort, Some(stars), 1) aria-current=current>
                                <span class="rating-bars__label">{format!("{stars} ★")}</span>
                                <RatingBar pct=pct/>
                                <span class="rating-bars__count" aria-hidden="true">{n.to_string()}</span>
                                <span class="visually-hidden">{label}</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p><a href="/help/reviews">"How reviews work"</a></p>
        </div>
    }
}

/// A review's pictures as small squares, each a link to the picture itself.
#[component]
pub fn ReviewPictures(pictures: Vec<ReviewPicture>, author: String) -> impl IntoView {
    (!pictures.is_empty()).then(|| {
        let count = pictures.len();
        view! {
            <ul class="review-pictures" aria-label=format!("Pictures from {author}")>
                {pictures.into_iter().enumerate().map(|(n, p)| view! {
                    <li>
                        <a href=p.url>
                            <img src=p.thumb_url alt=format!("Picture {} of {count} from {author}", n + 1)
                                width="96" height="96" loading="lazy"/>
                            <span class="visually-hidden">" (full size)"</span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn ReviewItem(review: ReviewView) -> impl IntoView {
    let id = review.id;
    let paragraphs: Vec<String> = review
        .body
        .split('\n')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_string)
        .collect();
    let origin = if review.demo {
        "Demo review: seeded sample data, not a purchase"
    } else {
        "Verified purchase"
    };
    let reasons: Vec<(String, String)> = ReviewReason::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), r.label().to_string()))
        .collect();
    view! {
        <li>
            <article class="review" id=format!("review-{id}") aria-labelledby=format!("review-{id}-title")>
                <Stars stars=review.stars/>
                <h3 class="review__title" id=format!("review-{id}-title")>{review.title.clone()}</h3>
                <p class="review__meta">
                    {format!("{} · {}", review.author, model::format_date(review.written_at))}
                    {review.edited.then_some(" · edited")}
                    " · "<span class=if review.demo { "badge badge--warning" } else { "badge badge--success" }>{origin}</span>
                </p>
                {(!review.variant.is_empty()).then(|| view! { <p class="muted">{format!("Bought: {}", review.variant)}</p> })}
                {paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
                <ReviewPictures pictures=review.pictures.clone() author=review.author.clone()/>
                {review.reply.clone().map(|r| view! {
                    <div class="review__reply">
                        <p><strong>{format!("Reply from {}", r.store_name)}</strong>{format!(" · {}", model::format_date(r.at))}</p>
                        {r.body.split('\n').filter(|p| !p.trim().is_empty()).map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
                    </div>
                })}
                <div class="review__actions">
                    <form method="post" action=MarkReviewHelpful::url()>
                        <input type="hidden" name="review" value=id.to_string()/>
                        <button class="button button--secondary button--small" type="submit">
                            {format!("Helpful ({})", review.helpful)}
                            <span class="visually-hidden">{format!(": {}", review.title)}</span>
                        </button>
                    </form>
                    <details class="review__report">
                        <summary>"Report"<span class="visually-hidden">{format!(" the review {}", review.title)}</span></summary>
                        <form method="post" action=ReportReview::url() class="form">
                            <input type="hidden" name="review" value=id.to_string()/>
                            <div class="field">
                                <label for=format!("report-{id}")>"Why are you reporting it?"</label>
                                <select id=format!("report-{id}") name="reason">
                                    {reasons.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                                </select>
                            </div>
                            <button class="button button--secondary button--small" type="submit">"Send report"</button>
                        </form>
                    </details>
                </div>
            </article>
        </li>
    }
}

/// The reviews section of a product page.
#[component]
pub fn ReviewsSection(
    slug: String,
    reviews: ProductReviews,
    thanks: Option<String>,
    error: Option<AppError>,
) -> impl IntoView {
    let q = reviews.query.clone();
    let notice = match thanks.as_deref() {
        Some("helpful") => Some("Thank you: your vote is counted."),
        Some("reported") => Some("Thank you: our moderators will read the review and your report."),
        _ => None,
    };
    let signed_out = matches!(&error, Some(AppError::Conflict(m)) if m.starts_with("Sign in"));
    let filter_note = q.stars.map(|s| {
        format!(
            "Showing {} with {s} star{}.",
            model::count_of(reviews.matching, "review", "reviews"),
            if s == 1 { "" } else { "s" }
        )
    });
    view! {
        <section class="reviews card" id="reviews" aria-labelledby="reviews-title">
            <h2 id="reviews-title" class="section-title">"Customer reviews"</h2>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            {error.map(|e| view! {
                <p class="alert alert--error" role="alert">{e.to_string()}
                    {signed_out.then(|| view! { " "<a href=format!("/login?next={}", crate::url_encode(&format!("/p/{}#reviews", slug)))>"Sign in"</a> })}
                </p>
            })}
            <Summary summary=reviews.summary.clone() slug=slug.clone() sort=q.sort filter=q.stars/>
            {(reviews.summary.count > 0).then(|| view! {
                <nav class="reviews__sort" aria-label="Order of the reviews">
                    "Sort: "
                    {ReviewSort::ALL.into_iter().map(|s| {
                        let current = (s == q.sort).then_some("true");
                        view! { <a href=reviews_href(&slug, s, q.stars, 1) aria-current=current>{s.label()}</a>" " }
                    }).collect_view()}
                    {q.stars.map(|_| view! { <a href=reviews_href(&slug, q.sort, None, 1)>"All ratings"</a> })}
                </nav>
            })}
            {filter_note.map(|n| view! { <p class="muted">{n}</p> })}
            <ul class="reviews__list">
                {reviews.reviews.into_iter().map(|r| view! { <ReviewItem review=r/> }).collect_view()}
            </ul>
            {reviews.has_more.then(|| view! {
                <p><a class="button button--secondary" href=reviews_href(&slug, q.sort, q.stars, q.page + 1)>"More reviews"</a></p>
            })}
        </section>
    }
}
