//! The admins' queue of reported reviews (`/admin/reviews`): hide one for a reason from the list, or keep it
//! (the reports are dismissed). The queue never shows a review's stars: a decision is about what the text says,
//! never about how it rates the product. Hiding is the `review_product` workflow's (the rating changes with it).

use model::admin::AuditAction;
use model::reviews::{ReportedReview, ReviewReason};
use model::FieldError;
use sqlx::AnyConnection;

use super::ReviewError;
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::clock::now_ms;
use crate::platform::{Actor, Db};

const QUEUE_MAX: i64 = 100;

fn admin_only(actor: &Actor) -> Result<(), ReviewError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(ReviewError::NotFound)
    }
}

#[derive(Debug, sqlx::FromRow)]
struct QueueRow {
    id: i64,
    product_title: String,
    product_slug: String,
    author_name: String,
    title: String,
    body: String,
    created_at: i64,
}

/// Visible reviews with reports not decided yet, oldest report first, each with its reasons counted.
pub async fn queue(db: &Db, actor: &Actor) -> Result<Vec<ReportedReview>, ReviewError> {
    admin_only(actor)?;
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<QueueRow> = sqlx::query_as(
        "SELECT r.id, p.title AS product_title, p.slug AS product_slug, r.author_name, r.title, r.body, r.created_at \
         FROM reviews r JOIN products p ON p.id = r.product_id \
         WHERE r.open_reports > 0 AND r.hidden_at IS NULL \
         ORDER BY (SELECT MIN(x.created_at) FROM review_reports x WHERE x.review_id = r.id AND x.decided_at IS NULL), \
         r.id LIMIT $1",
    )
    .bind(QUEUE_MAX)
    .fetch_all(&mut *conn)
    .await?;
    let mut queue = Vec::with_capacity(rows.len());
    for row in rows {
        let reasons: Vec<(String, i64)> = sqlx::query_as(
            "SELECT reason, COUNT(*) FROM review_reports WHERE review_id = $1 AND decided_at IS NULL \
             GROUP BY reason ORDER BY COUNT(*) DESC, reason",
        )
        .bind(row.id)
        .fetch_all(&mut *conn)
        .await?;
        queue.push(ReportedReview {
            pictures: Vec::new(),
            id: row.id,
            product_title: row.product_title,
            product_slug: row.product_slug,
            author: row.author_name,
            title: row.title,
            body: row.body,
            written_at: row.created_at,
            reports: reasons
                .into_iter()
                .map(|(reason, n)| {
                    let label = ReviewReason::parse(&reason).map(ReviewReason::label).unwrap_or("Other");
                    (label.to_string(), n)
                })
                .collect(),
        });
    }
    super::pictures::attach(&mut conn, queue.iter_mut().map(|q| (q.id, &mut q.pictures))).await?;
    Ok(queue)
}

/// The reason an admin chose, checked against the list.
pub fn hiding_reason(reason: &str) -> Result<ReviewReason, ReviewError> {
    ReviewReason::parse(reason)
        .ok_or_else(|| ReviewError::Invalid(vec![FieldError::new("reason", "Choose the reason from the list.")]))
}

/// The product of a review (to hold its row before hiding).
pub async fn product_of(conn: &mut AnyConnection, review_id: i64) -> Result<i64, ReviewError> {
    sqlx::query_scalar("SELECT product_id FROM reviews WHERE id = $1")
        .bind(review_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(ReviewError::NotFound)
}

/// Hides a review for `reason` and decides its reports, in the caller's transaction: a conditional update, so a
/// review hidden already (a second admin, a second click) changes nothing. Returns whether it was hidden now.
pub async fn hide(
    conn: &mut AnyConnection,
    actor: &Actor,
    review_id: i64,
    reason: ReviewReason,
) -> Result<bool, ReviewError> {
    admin_only(actor)?;
    let now = now_ms();
    let hidden = sqlx::query(
        "UPDATE reviews SET hidden_at = $1, hidden_reason = $2, open_reports = 0 WHERE id = $3 AND hidden_at IS NULL",
    )
    .bind(now)
    .bind(reason.as_str())
    .bind(review_id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    decide_reports(conn, review_id, now).await?;
    if hidden {
        super::pictures::drop_all(conn, review_id).await?;
        let (seller_id, title): (i64, String) = sqlx::query_as(
            "SELECT r.seller_id, p.title FROM reviews r JOIN products p ON p.id = r.product_id WHERE r.id = $1",
        )
        .bind(review_id)
        .fetch_one(&mut *conn)
        .await?;
        let entry = Entry::new(
            AuditAction::ReviewHidden,
            Subject::new("review", review_id, format!("A review of {title}")),
        )
        .store(seller_id)
        .change("state", "Shown", "Hidden")
        .reason(reason.label());
        audit::record(conn, actor, &entry).await?;
    }
    Ok(hidden)
}

async fn decide_reports(conn: &mut AnyConnection, review_id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE review_reports SET decided_at = $1 WHERE review_id = $2 AND decided_at IS NULL")
        .bind(now)
        .bind(review_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Keeps a reported review: its open reports are decided and it leaves the queue (a new report from another
/// account brings it back).
pub async fn keep(db: &Db, actor: &Actor, review_id: i64) -> Result<(), ReviewError> {
    admin_only(actor)?;
    let mut tx = db.begin_write().await?;
    let found = sqlx::query("UPDATE reviews SET open_reports = 0 WHERE id = $1")
        .bind(review_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if found == 0 {
        return Err(ReviewError::NotFound);
    }
    decide_reports(&mut tx, review_id, now_ms()).await?;
    tx.commit().await?;
    Ok(())
}
