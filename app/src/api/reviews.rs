//! Reviews: the shopper's list and form, "helpful" and reports from the product page, the store's replies, and
//! the admins' queue. Plain form posts answered with a redirect; the domain decides who may do what.

use leptos::prelude::*;
use model::reviews::{AccountReviews, ReportedReview, ReviewForm, ReviewFormPage, StoreRatingForm, StoreReviews};

use crate::error::AppError;

/// Where a refused review waits, to show that line's form with what was typed.
#[cfg(feature = "ssr")]
fn kept_key(order: i64, variant: i64) -> String {
    format!("review:{order}:{variant}")
}

/// Where the pictures an upload refused wait (name and why), for that line's form.
pub fn refused_pictures_key(order: i64, variant: i64) -> String {
    format!("review-pictures:{order}:{variant}")
}

/// The form of the review of one bought line (order and variant).
pub fn form_href(order_id: i64, variant_id: i64) -> String {
    format!("/account/reviews/write?order={order_id}&variant={variant_id}")
}

/// Where the form's pictures are uploaded (`server::review_uploads`, a multipart route).
pub const PICTURES_ROUTE: &str = "/account/reviews/pictures";

/// The upload address of one bought line's review pictures.
pub fn pictures_href(order_id: i64, variant_id: i64) -> String {
    format!("{PICTURES_ROUTE}?order={order_id}&variant={variant_id}")
}

#[cfg(feature = "ssr")]
use super::sellers::signed_in;

/// `/account/reviews`, with the store rating typed last if it was refused (its order and what was typed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountReviewsScreen {
    pub reviews: AccountReviews,
    pub kept_rating: Option<(i64, StoreRatingForm)>,
}

#[cfg(feature = "ssr")]
const KEPT_RATING: &str = "store-rating";

#[server(endpoint = "my_reviews", input = leptos::server_fn::codec::GetUrl)]
pub async fn my_reviews() -> Result<AccountReviewsScreen, AppError> {
    let (services, actor) = signed_in()?;
    let reviews = domain::reviews::writing::account_reviews(&services.db, &actor).await?;
    let kept_rating = crate::ssr::take_typed(KEPT_RATING).await?;
    Ok(AccountReviewsScreen { reviews, kept_rating })
}

/// The buyer rates the store of a delivered order (or changes the rating).
#[server(endpoint = "rate_store")]
pub async fn rate_store(
    order: i64,
    #[server(default)] stars: String,
    #[server(default)] comment: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let form = StoreRatingForm { stars, comment };
    match domain::workflows::review_product::rate_store(&services.db, &actor, order, &form).await {
        Ok((slug, new)) => {
            let done = if new { "rated" } else { "rerated" };
            crate::ssr::redirect(&format!(
                "/account/reviews?saved={done}&store={}",
                crate::url_encode(&slug)
            ));
            Ok(())
        }
        Err(e) => {
            crate::ssr::keep_typed(KEPT_RATING, &(order, form)).await?;
            Err(e.into())
        }
    }
}

/// The review form's page, with what was typed last if it was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReviewFormScreen {
    pub page: ReviewFormPage,
    pub kept: Option<ReviewForm>,
    /// The files the last upload refused, and why.
    pub refused: Vec<(String, String)>,
}

#[server(endpoint = "open_review_form", input = leptos::server_fn::codec::GetUrl)]
pub async fn open_review_form(order: i64, variant: i64) -> Result<ReviewFormScreen, AppError> {
    let (services, actor) = signed_in()?;
    let page = domain::reviews::writing::form_page(&services.db, &actor, order, variant).await?;
    let kept = crate::ssr::take_typed(&kept_key(order, variant)).await?;
    let refused = crate::ssr::take_typed(&refused_pictures_key(order, variant))
        .await?
        .unwrap_or_default();
    Ok(ReviewFormScreen { page, kept, refused })
}

#[server(endpoint = "write_review")]
pub async fn write_review(
    order: i64,
    variant: i64,
    #[server(default)] stars: String,
    #[server(default)] title: String,
    #[server(default)] body: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let form = ReviewForm { stars, title, body };
    match domain::workflows::review_product::write(&services.db, &actor, order, variant, &form).await {
        Ok((slug, written)) => {
            let done = match written {
                domain::reviews::writing::Written::New => "new",
                domain::reviews::writing::Written::Edited => "edited",
            };
            crate::ssr::redirect(&format!(
                "/account/reviews?saved={done}&product={}",
                crate::url_encode(&slug)
            ));
            Ok(())
        }
        Err(e) => {
            crate::ssr::keep_typed(&kept_key(order, variant), &form).await?;
            Err(e.into())
        }
    }
}

/// Takes one picture off the signed-in shopper's review of a line (a plain form on the review's page).
#[server(endpoint = "remove_review_picture")]
pub async fn remove_review_picture(order: i64, variant: i64, key: String) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::reviews::pictures::remove(&services.db, &actor, order, variant, &key).await?;
    crate::ssr::redirect(&format!("{}&picture=removed#pictures-title", form_href(order, variant)));
    Ok(())
}

#[server(endpoint = "mark_review_helpful")]
pub async fn mark_review_helpful(review: i64) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let slug = domain::reviews::feedback::mark_helpful(&services.db, &crate::ssr::actor(), review).await?;
    crate::ssr::redirect(&format!(
        "/p/{}?thanks=helpful#review-{review}",
        crate::url_encode(&slug)
    ));
    Ok(())
}

#[server(endpoint = "report_review")]
pub async fn report_review(review: i64, #[server(default)] reason: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let slug = domain::reviews::feedback::report(&services.db, &crate::ssr::actor(), review, &reason).await?;
    crate::ssr::redirect(&format!(
        "/p/{}?thanks=reported#review-{review}",
        crate::url_encode(&slug)
    ));
    Ok(())
}

#[server(endpoint = "store_review_list", input = leptos::server_fn::codec::GetUrl)]
pub async fn store_review_list(#[server(default)] unanswered: String) -> Result<StoreReviews, AppError> {
    let (services, actor) = signed_in()?;
    Ok(domain::reviews::replies::store_reviews(&services.db, &actor, unanswered == "1").await?)
}

#[server(endpoint = "reply_to_review")]
pub async fn reply_to_review(review: i64, #[server(default)] reply: String) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::reviews::replies::reply(&services.db, &actor, review, &reply).await?;
    crate::ssr::redirect(&format!("/seller/reviews?replied={review}#review-{review}"));
    Ok(())
}

#[server(endpoint = "reported_reviews", input = leptos::server_fn::codec::GetUrl)]
pub async fn reported_reviews() -> Result<Vec<ReportedReview>, AppError> {
    let (services, actor) = signed_in()?;
    Ok(domain::reviews::moderation::queue(&services.db, &actor).await?)
}

/// An admin's decision on a reported review: `hide` = "1" hides it for `reason`; otherwise it is kept.
#[server(endpoint = "decide_review")]
pub async fn decide_review(
    review: i64,
    #[server(default)] hide: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let done = if hide == "1" {
        domain::workflows::review_product::hide(&services.db, &actor, review, &reason).await?;
        "hidden"
    } else {
        domain::reviews::moderation::keep(&services.db, &actor, review).await?;
        "kept"
    };
    crate::ssr::redirect(&format!("/admin/reviews?done={done}"));
    Ok(())
}
