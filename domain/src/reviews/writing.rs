//! The shopper's side: the delivered items waiting for a review, the reviews written, the form, and writing or
//! editing one (in the `review_product` workflow's transaction, after it holds the product's row).

use model::reviews::{AccountReviews, OwnReview, ReviewForm, ReviewFormPage, ReviewReason, ReviewableItem};
use model::FieldError;
use sqlx::AnyConnection;

use super::{author_name, ReviewError, ReviewRow, BODY_MAX, REVIEW_COLUMNS, TITLE_MAX, WRITE_WITHIN_MS};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{text, Actor, Db};

/// One order line the actor bought and received, as the form and the lists need it.
#[derive(Debug, sqlx::FromRow)]
pub struct BoughtLine {
    pub order_id: i64,
    pub variant_id: i64,
    pub product_id: i64,
    pub seller_id: i64,
    pub product_title: String,
    pub product_slug: String,
    pub variant: String,
    pub order_number: String,
    pub delivered_at: i64,
}

impl BoughtLine {
    fn item(&self) -> ReviewableItem {
        ReviewableItem {
            order_id: self.order_id,
            variant_id: self.variant_id,
            product_title: self.product_title.clone(),
            product_slug: self.product_slug.clone(),
            variant: self.variant.clone(),
            order_number: self.order_number.clone(),
            until: self.delivered_at + WRITE_WITHIN_MS,
        }
    }
}

/// The lines of delivered orders of `user` (units of them shipped), newest delivery first; `line` narrows to one.
const BOUGHT: &str = "SELECT * FROM (SELECT l.order_id, l.variant_id, l.product_id, o.seller_id, \
     p.title AS product_title, p.slug AS product_slug, l.variant, o.number AS order_number, \
     (SELECT MAX(e.created_at) FROM order_events e WHERE e.order_id = o.id AND e.status = 'delivered') AS delivered_at \
     FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN order_groups g ON g.id = o.group_id \
     JOIN products p ON p.id = l.product_id \
     WHERE g.user_id = $1 AND l.shipped > 0 AND ($2 = 0 OR (l.order_id = $2 AND l.variant_id = $3))) bought \
     WHERE delivered_at IS NOT NULL ORDER BY delivered_at DESC, order_id DESC, variant_id";

async fn bought(conn: &mut AnyConnection, user: i64, line: Option<(i64, i64)>) -> Result<Vec<BoughtLine>, sqlx::Error> {
    let (order, variant) = line.unwrap_or((0, 0));
    sqlx::query_as(BOUGHT)
        .bind(user)
        .bind(order)
        .bind(variant)
        .fetch_all(&mut *conn)
        .await
}

/// One line the actor bought and received; `NotFound` for anyone else's, or one not delivered.
pub async fn bought_line(
    conn: &mut AnyConnection,
    actor: &Actor,
    order_id: i64,
    variant_id: i64,
) -> Result<BoughtLine, ReviewError> {
    let user = actor.user_id().ok_or(ReviewError::NotFound)?;
    if order_id == 0 {
        return Err(ReviewError::NotFound);
    }
    let line = bought(conn, user, Some((order_id, variant_id)))
        .await?
        .into_iter()
        .next()
        .ok_or(ReviewError::NotFound)?;
    if actor.store_id() == Some(line.seller_id) {
        return Err(own_store());
    }
    Ok(line)
}

fn own_store() -> ReviewError {
    ReviewError::NotAllowed("A store's seller cannot review its own products.".into())
}

#[derive(Debug, sqlx::FromRow)]
struct OwnRow {
    order_id: Option<i64>,
    variant_id: Option<i64>,
    product_title: String,
    product_slug: String,
    hidden_reason: Option<String>,
    #[sqlx(flatten)]
    review: ReviewRow,
}

/// `/account/reviews`: delivered items still open for a review, and the reviews the actor wrote.
pub async fn account_reviews(db: &Db, actor: &Actor) -> Result<AccountReviews, ReviewError> {
    let user = actor.user_id().ok_or(ReviewError::NotFound)?;
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<OwnRow> = sqlx::query_as(&format!(
        "SELECT r.order_id, r.variant_id, p.title AS product_title, p.slug AS product_slug, r.hidden_reason, \
         {REVIEW_COLUMNS} FROM reviews r JOIN products p ON p.id = r.product_id JOIN sellers s ON s.id = r.seller_id \
         WHERE r.user_id = $1 ORDER BY r.created_at DESC, r.id DESC"
    ))
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    let reviewed: std::collections::HashSet<(i64, i64)> =
        rows.iter().filter_map(|r| Some((r.order_id?, r.variant_id?))).collect();
    let now = now_ms();
    let waiting = bought(&mut conn, user, None)
        .await?
        .iter()
        .filter(|l| now <= l.delivered_at + WRITE_WITHIN_MS && !reviewed.contains(&(l.order_id, l.variant_id)))
        .filter(|l| actor.store_id() != Some(l.seller_id))
        .map(BoughtLine::item)
        .collect();
    let mut written: Vec<OwnReview> = rows
        .into_iter()
        .map(|r| OwnReview {
            order_id: r.order_id.unwrap_or_default(),
            variant_id: r.variant_id.unwrap_or_default(),
            product_title: r.product_title,
            product_slug: r.product_slug,
            hidden: r
                .hidden_reason
                .as_deref()
                .and_then(ReviewReason::parse)
                .map(|reason| reason.label().to_string()),
            review: r.review.view(),
        })
        .collect();
    super::pictures::attach(
        &mut conn,
        written.iter_mut().map(|w| (w.review.id, &mut w.review.pictures)),
    )
    .await?;
    let stores = super::store_ratings::rateable(&mut conn, user, actor.store_id()).await?;
    Ok(AccountReviews {
        waiting,
        written,
        stores,
    })
}

/// The form for one bought line, with the review already written for it (to edit).
pub async fn form_page(db: &Db, actor: &Actor, order_id: i64, variant_id: i64) -> Result<ReviewFormPage, ReviewError> {
    let mut conn = db.pool().acquire().await?;
    let line = bought_line(&mut conn, actor, order_id, variant_id).await?;
    let written = own_review(&mut conn, &line).await?;
    let pictures = match &written {
        Some((id, ..)) => super::pictures::of_review(&mut conn, *id).await?,
        None => Vec::new(),
    };
    let existing = written.map(|(_, stars, title, body)| ReviewForm {
        stars: stars.to_string(),
        title,
        body,
    });
    if existing.is_none() && now_ms() > line.delivered_at + WRITE_WITHIN_MS {
        return Err(too_late());
    }
    Ok(ReviewFormPage {
        item: line.item(),
        existing,
        pictures,
    })
}

fn too_late() -> ReviewError {
    ReviewError::NotAllowed("Reviews can be written up to 100 days after delivery; this item's time has passed.".into())
}

/// The review of a line: its id, stars, title and text.
async fn own_review(
    conn: &mut AnyConnection,
    line: &BoughtLine,
) -> Result<Option<(i64, i64, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, stars, title, body FROM reviews WHERE order_id = $1 AND variant_id = $2")
        .bind(line.order_id)
        .bind(line.variant_id)
        .fetch_optional(&mut *conn)
        .await
}

/// A valid form: stars, title, text.
pub struct Checked {
    pub stars: i64,
    pub title: String,
    pub body: String,
}

/// The form's fields checked, every problem at once.
pub fn check(form: &ReviewForm) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let stars = super::stars(&form.stars).unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    let title = match text::line(&form.title, TITLE_MAX) {
        Ok(t) if t.is_empty() => {
            errors.push(FieldError::new("title", "Give your review a title."));
            t
        }
        Ok(t) => t,
        Err(problem) => {
            errors.push(FieldError::new("title", problem.message()));
            String::new()
        }
    };
    let body = text::lines(&form.body, BODY_MAX).unwrap_or_else(|problem| {
        errors.push(FieldError::new("body", problem.message()));
        String::new()
    });
    if errors.is_empty() {
        Ok(Checked { stars, title, body })
    } else {
        Err(errors)
    }
}

/// A review's words or pictures changed: it shows as edited, and a decision on a report was about what it had,
/// so whoever reported it may report what it has now.
pub(super) async fn content_changed(conn: &mut AnyConnection, review_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE reviews SET edited_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(review_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM review_reports WHERE review_id = $1 AND decided_at IS NOT NULL")
        .bind(review_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What writing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    New,
    Edited,
}

/// Writes the actor's review of `line` (found for the actor by [`bought_line`]), or edits the one written, in
/// the caller's transaction (which holds the product's row, so two sends of the form cannot both insert).
pub async fn write(
    conn: &mut AnyConnection,
    actor: &Actor,
    line: &BoughtLine,
    review: &Checked,
) -> Result<Written, ReviewError> {
    let user = actor.user_id().ok_or(ReviewError::NotFound)?;
    let now = now_ms();
    if let Some((id, ..)) = own_review(conn, line).await? {
        sqlx::query("UPDATE reviews SET stars = $1, title = $2, body = $3 WHERE id = $4")
            .bind(review.stars)
            .bind(&review.title)
            .bind(&review.body)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        content_changed(conn, id).await?;
        return Ok(Written::Edited);
    }
    if now > line.delivered_at + WRITE_WITHIN_MS {
        return Err(too_late());
    }
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO reviews (id, product_id, seller_id, order_id, variant_id, user_id, author_name, variant_title, \
         stars, title, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(next_id())
    .bind(line.product_id)
    .bind(line.seller_id)
    .bind(line.order_id)
    .bind(line.variant_id)
    .bind(user)
    .bind(author_name(&name))
    .bind(&line.variant)
    .bind(review.stars)
    .bind(&review.title)
    .bind(&review.body)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Written::New)
}
