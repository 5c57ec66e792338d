//! Reviews: a shopper's stars and words on a product they received (one per order line, within 100 days of its
//! delivery, edited by its author at any time), the store's one public reply, "helpful" votes and reports, and
//! the admins' decisions on reported reviews. No one can delete a review, and a store cannot hide one: only an
//! admin hides one, for a reason from a list that has no "negative" in it (16 CFR 465). The product's rating
//! aggregate is the catalog's; the `review_product` workflow sets it from the visible reviews.

pub mod feedback;
pub mod moderation;
pub mod pictures;
pub mod privacy;
pub mod reading;
pub mod replies;
pub mod store_ratings;
pub mod writing;

use model::reviews::{ReviewView, StoreReply};
use model::FieldError;
use sqlx::AnyConnection;

/// A review can be written up to this long after its order was delivered.
pub const WRITE_WITHIN_MS: i64 = 100 * 86_400_000;
pub use model::limits::{
    REVIEW_BODY_MAX_CHARS as BODY_MAX, REVIEW_REPLY_MAX_CHARS as REPLY_MAX, REVIEW_TITLE_MAX_CHARS as TITLE_MAX,
};

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Unknown, or not this actor's (the same answer).
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    NotAllowed(String),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The picture store failed (a disk, a bucket): not the shopper's doing.
    #[error("image storage: {0}")]
    Storage(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<ReviewError> for crate::platform::Problem {
    fn from(err: ReviewError) -> Self {
        use crate::platform::Problem;
        match err {
            ReviewError::NotFound => Problem::NotFound,
            ReviewError::NotAllowed(message) => Problem::Conflict(message),
            ReviewError::Invalid(errors) => Problem::Invalid(errors),
            ReviewError::Storage(e) => Problem::Internal(e),
            ReviewError::Db(e) => Problem::Internal(e.to_string()),
        }
    }
}

impl From<crate::platform::actor::NotFound> for ReviewError {
    fn from(_: crate::platform::actor::NotFound) -> Self {
        ReviewError::NotFound
    }
}

/// Stars as a form sends them: 1 to 5, or the field's message. Reviews and store ratings share the rule.
pub(crate) fn stars(typed: &str) -> Result<i64, FieldError> {
    match typed.trim().parse::<i64>() {
        Ok(s) if (1..=5).contains(&s) => Ok(s),
        _ => Err(FieldError::new("stars", "Choose from 1 to 5 stars.")),
    }
}

/// The name a review shows for its author: the account's first name and the initial of the last ("Dana K."),
/// never the whole name or the email.
pub fn author_name(full_name: &str) -> String {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    match words.as_slice() {
        [] => "A shopper".to_string(),
        [only] => only.chars().take(40).collect(),
        [first, .., last] => {
            let first: String = first.chars().take(40).collect();
            match last.chars().next() {
                Some(initial) => format!("{first} {}.", initial.to_uppercase()),
                None => first,
            }
        }
    }
}

/// A review's row as the views read it (`reviews r` joined with its store `s`).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ReviewRow {
    pub id: i64,
    pub author_name: String,
    pub stars: i64,
    pub title: String,
    pub body: String,
    pub variant_title: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub demo: i64,
    pub helpful: i64,
    pub reply: Option<String>,
    pub replied_at: Option<i64>,
    pub store_name: String,
    /// How many pictures it shows: a list reads pictures only for the reviews that have some.
    pub picture_count: i64,
}

/// The columns [`ReviewRow`] reads.
pub(crate) const REVIEW_COLUMNS: &str = "r.id, r.author_name, r.stars, r.title, r.body, r.variant_title, \
     r.created_at, r.edited_at, r.demo, r.helpful, r.reply, r.replied_at, s.store_name, \
     (SELECT COUNT(*) FROM review_pictures rp WHERE rp.review_id = r.id) AS picture_count";

impl ReviewRow {
    pub fn view(self) -> ReviewView {
        let reply = match (self.reply, self.replied_at) {
            (Some(body), Some(at)) => Some(StoreReply {
                store_name: self.store_name,
                body,
                at,
            }),
            _ => None,
        };
        ReviewView {
            id: self.id,
            author: self.author_name,
            stars: self.stars.clamp(1, 5) as u8,
            title: self.title,
            body: self.body,
            variant: self.variant_title,
            written_at: self.created_at,
            edited: self.edited_at.is_some(),
            demo: self.demo == 1,
            helpful: self.helpful,
            reply,
            pictures: Vec::new(),
        }
    }
}

/// Where a store's mail goes: its support address, or its seller's account email.
pub async fn store_email(conn: &mut AnyConnection, seller_id: i64) -> Result<Option<String>, sqlx::Error> {
    let email: Option<String> = sqlx::query_scalar(
        "SELECT COALESCE(NULLIF(s.support_email, ''), u.email, '') FROM sellers s \
         LEFT JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    )
    .bind(seller_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(email.filter(|e| !e.is_empty()))
}

/// A review's author's email and its product's title (the author's mail when it is hidden).
pub async fn author_of(conn: &mut AnyConnection, review_id: i64) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.email, p.title FROM reviews r JOIN users u ON u.id = r.user_id \
         JOIN products p ON p.id = r.product_id WHERE r.id = $1",
    )
    .bind(review_id)
    .fetch_optional(&mut *conn)
    .await
}

/// The stars and count of a product's visible reviews: what its rating aggregate must say.
pub async fn totals(conn: &mut AnyConnection, product_id: i64) -> Result<(i64, i64), sqlx::Error> {
    let row: (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(stars), 0) AS BIGINT), COUNT(*) FROM reviews \
         WHERE product_id = $1 AND hidden_at IS NULL",
    )
    .bind(product_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::author_name;

    #[test]
    fn an_author_is_a_first_name_and_an_initial() {
        assert_eq!(author_name("Dana Kowalski"), "Dana K.");
        assert_eq!(author_name("  Ana  María   de la   Cruz "), "Ana C.");
        assert_eq!(author_name("Prince"), "Prince");
        assert_eq!(author_name("   "), "A shopper");
        assert_eq!(author_name("émile ßtraße"), "émile SS.");
    }
}
