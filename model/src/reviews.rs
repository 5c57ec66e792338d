//! Reviews as the product page, the shopper's account, the store's portal and the admins' queue show them.

use serde::{Deserialize, Serialize};

/// How a product's reviews are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReviewSort {
    #[default]
    Newest,
    Helpful,
    Lowest,
}

impl ReviewSort {
    pub const ALL: [ReviewSort; 3] = [ReviewSort::Newest, ReviewSort::Helpful, ReviewSort::Lowest];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewSort::Newest => "newest",
            ReviewSort::Helpful => "helpful",
            ReviewSort::Lowest => "lowest",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewSort> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewSort::Newest => "Newest",
            ReviewSort::Helpful => "Most helpful",
            ReviewSort::Lowest => "Lowest rating",
        }
    }
}

/// Why a review is reported, and why an admin hides one. "Negative" is not a reason and never will be: a review
/// is not suppressed for what it thinks of the product (16 CFR 465).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewReason {
    Spam,
    Offensive,
    PersonalInformation,
    NotAboutProduct,
    ConflictOfInterest,
    Illegal,
}

impl ReviewReason {
    pub const ALL: [ReviewReason; 6] = [
        ReviewReason::Spam,
        ReviewReason::Offensive,
        ReviewReason::PersonalInformation,
        ReviewReason::NotAboutProduct,
        ReviewReason::ConflictOfInterest,
        ReviewReason::Illegal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewReason::Spam => "spam",
            ReviewReason::Offensive => "offensive",
            ReviewReason::PersonalInformation => "personal_information",
            ReviewReason::NotAboutProduct => "not_about_product",
            ReviewReason::ConflictOfInterest => "conflict_of_interest",
            ReviewReason::Illegal => "illegal",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewReason> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewReason::Spam => "Spam or advertising",
            ReviewReason::Offensive => "Offensive, hateful or abusive",
            ReviewReason::PersonalInformation => "Shares someone's personal information",
            ReviewReason::NotAboutProduct => "Not about this product",
            ReviewReason::ConflictOfInterest => "Written by the seller or a competitor",
            ReviewReason::Illegal => "Illegal content",
        }
    }
}

/// A product's ratings: how many of each star (index 0 is one star) and the average.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RatingSummary {
    pub count: i64,
    pub by_stars: [i64; 5],
    /// Average to one decimal, `None` without ratings.
    pub average: Option<f32>,
}

/// One review as the product page shows it (the text is plain: shown escaped, never as HTML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub id: i64,
    pub author: String,
    pub stars: u8,
    pub title: String,
    pub body: String,
    /// The variant bought ("Blue / M"), empty for a product without options.
    pub variant: String,
    pub written_at: i64,
    pub edited: bool,
    /// Seeded demo data, not a purchase: labelled so on the page.
    pub demo: bool,
    pub helpful: i64,
    pub reply: Option<StoreReply>,
    /// The pictures its author added, in their order.
    pub pictures: Vec<ReviewPicture>,
}

/// A picture on a review: its small version for the list, and the picture itself (re-encoded when stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPicture {
    pub key: String,
    pub thumb_url: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreReply {
    pub store_name: String,
    pub body: String,
    pub at: i64,
}

/// What the product page asks for: the order, a star filter and a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQuery {
    pub sort: ReviewSort,
    pub stars: Option<u8>,
    pub page: u32,
}

/// A product's reviews: the summary of all of them and one page of those the query asks for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductReviews {
    pub summary: RatingSummary,
    pub query: ReviewQuery,
    /// How many reviews match the star filter.
    pub matching: i64,
    pub reviews: Vec<ReviewView>,
    pub has_more: bool,
}

/// A delivered item the shopper may still review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewableItem {
    pub order_id: i64,
    pub variant_id: i64,
    pub product_title: String,
    pub product_slug: String,
    pub variant: String,
    pub order_number: String,
    /// The last moment a review can be written (100 days after delivery).
    pub until: i64,
}

/// A review the shopper wrote, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnReview {
    pub order_id: i64,
    pub variant_id: i64,
    pub product_title: String,
    pub product_slug: String,
    pub review: ReviewView,
    /// Why moderators hid it, when they did.
    pub hidden: Option<String>,
}

/// `/account/reviews`: what is waiting for a review and what the shopper wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountReviews {
    pub waiting: Vec<ReviewableItem>,
    pub written: Vec<OwnReview>,
    /// Delivered seller orders whose store the account may rate, or rated.
    #[serde(default)]
    pub stores: Vec<RateableOrder>,
}

/// A store rating's fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRatingForm {
    pub stars: String,
    pub comment: String,
}

/// A delivered seller order whose store its buyer may rate (one rating per order), with the rating given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateableOrder {
    pub order_id: i64,
    pub order_number: String,
    pub store_name: String,
    pub store_slug: String,
    /// Until when a first rating may be given (an existing one can be changed at any time).
    pub until: i64,
    pub stars: Option<u8>,
    pub comment: String,
}

/// One store rating as the store page shows it (the comment is plain text, shown escaped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRatingView {
    pub author: String,
    pub stars: u8,
    pub comment: String,
    pub written_at: i64,
}

/// A store's ratings: the summary and the latest ones with a comment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreRatings {
    pub summary: RatingSummary,
    pub recent: Vec<StoreRatingView>,
}

/// The review form's fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewForm {
    pub stars: String,
    pub title: String,
    pub body: String,
}

pub const REVIEW_FIELDS: &[(&str, &str)] = &[("stars", "Rating"), ("title", "Title"), ("body", "Your review")];

/// The review form's page: the item, and the review when one exists (to edit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewFormPage {
    pub item: ReviewableItem,
    pub existing: Option<ReviewForm>,
    /// The pictures of the review written (none before it is).
    pub pictures: Vec<ReviewPicture>,
}

/// A review in the store's portal list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreReviewRow {
    pub product_title: String,
    pub product_slug: String,
    pub review: ReviewView,
    pub hidden: bool,
}

/// `/seller/reviews`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreReviews {
    pub store_name: String,
    pub store_slug: String,
    pub awaiting_reply: i64,
    /// Only those without a reply.
    pub unanswered_only: bool,
    pub reviews: Vec<StoreReviewRow>,
}

/// A reported review in the admins' queue. Its stars are left out on purpose: a decision looks at what the text
/// says, never at how it rates the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedReview {
    pub id: i64,
    pub product_title: String,
    pub product_slug: String,
    pub author: String,
    pub title: String,
    pub body: String,
    pub written_at: i64,
    /// Each reason given and how many accounts gave it.
    pub reports: Vec<(String, i64)>,
    /// The review's pictures (a report may be about one of them).
    pub pictures: Vec<ReviewPicture>,
}
