//! The reviews' part of "Your data" (decision 0041): the votes and reports a person gave, for the export, and
//! everything of theirs taken out at an erasure. Their reviews are deleted, not anonymised: a review is the
//! person's own words, which can name them whatever the name above it says. The products whose rating changes
//! are returned for the workflow to recount.

use serde::Serialize;
use sqlx::AnyConnection;

/// A "helpful" vote or a report the person gave, for the export.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FeedbackRecord {
    /// "helpful" or "report".
    pub kind: String,
    pub product: String,
    /// The report's reason (empty for a vote).
    pub reason: String,
    pub at: i64,
}

/// The person's votes and reports, newest first.
pub async fn feedback_of(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<FeedbackRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT 'helpful' AS kind, p.title AS product, '' AS reason, v.created_at AS at FROM review_votes v \
         JOIN reviews r ON r.id = v.review_id JOIN products p ON p.id = r.product_id WHERE v.user_id = $1 \
         UNION ALL SELECT 'report' AS kind, p.title AS product, t.reason, t.created_at AS at FROM review_reports t \
         JOIN reviews r ON r.id = t.review_id JOIN products p ON p.id = r.product_id WHERE t.user_id = $1 \
         ORDER BY at DESC",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// The products the person reviewed, in id order (the order the workflow holds their rows in).
pub async fn reviewed_products(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT DISTINCT product_id FROM reviews WHERE user_id = $1 ORDER BY product_id")
        .bind(user_id)
        .fetch_all(conn)
        .await
}

/// Takes the person's votes and open reports off the counts of the reviews they were on, then deletes their
/// votes, reports and reviews (and, with them, what others gave those reviews). The caller holds the rows of
/// [`reviewed_products`] and recounts their ratings after.
pub async fn forget(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE reviews SET helpful = helpful - 1 WHERE helpful > 0 \
         AND id IN (SELECT review_id FROM review_votes WHERE user_id = $1)",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE reviews SET open_reports = open_reports - 1 WHERE open_reports > 0 \
         AND id IN (SELECT review_id FROM review_reports WHERE user_id = $1 AND decided_at IS NULL)",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    super::pictures::forget(&mut *conn, user_id).await?;
    for table in ["review_votes", "review_reports", "reviews"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
