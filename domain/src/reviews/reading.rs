//! A product's reviews as its page shows them: the summary of all visible reviews and one page of them, in the
//! order and with the star filter the shopper chose.

use model::reviews::{ProductReviews, RatingSummary, ReviewQuery, ReviewSort};
use sqlx::AnyConnection;

use super::{ReviewRow, REVIEW_COLUMNS};
use crate::platform::Db;

pub const PAGE_SIZE: u32 = 10;
/// Deeper pages are not offered: a shopper reads the first few, then sorts or filters.
pub const MAX_PAGE: u32 = 50;

/// The page's query from its URL parameters (`reviews` = sort, `stars`, `reviews_page`); anything unknown or out
/// of range is left at its default: a hand-edited link still shows the reviews.
pub fn query_from<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ReviewQuery {
    let mut query = ReviewQuery {
        page: 1,
        ..ReviewQuery::default()
    };
    for (key, value) in pairs {
        match key {
            "reviews" => query.sort = ReviewSort::parse(value).unwrap_or_default(),
            "stars" => query.stars = value.parse::<u8>().ok().filter(|s| (1..=5).contains(s)),
            "reviews_page" => {
                query.page = value
                    .parse::<u32>()
                    .ok()
                    .filter(|p| (1..=MAX_PAGE).contains(p))
                    .unwrap_or(1)
            }
            _ => {}
        }
    }
    query
}

/// How many visible reviews of each star a product has.
pub async fn summary(conn: &mut AnyConnection, product_id: i64) -> Result<RatingSummary, sqlx::Error> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT stars, COUNT(*) FROM reviews WHERE product_id = $1 AND hidden_at IS NULL GROUP BY stars",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_stars = [0i64; 5];
    for (stars, n) in rows {
        if (1..=5).contains(&stars) {
            by_stars[(stars - 1) as usize] = n;
        }
    }
    let count: i64 = by_stars.iter().sum();
    let sum: i64 = by_stars.iter().enumerate().map(|(i, n)| (i as i64 + 1) * n).sum();
    Ok(RatingSummary {
        count,
        by_stars,
        average: (count > 0).then(|| ((sum * 10 / count) as f32) / 10.0),
    })
}

/// A product's reviews for its page. Hidden reviews are never shown.
pub async fn for_product(db: &Db, product_id: i64, query: ReviewQuery) -> Result<ProductReviews, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    let summary = summary(&mut conn, product_id).await?;
    let page = query.page.clamp(1, MAX_PAGE);
    let order = match query.sort {
        ReviewSort::Newest => "r.created_at DESC, r.id DESC",
        ReviewSort::Helpful => "r.helpful DESC, r.created_at DESC, r.id DESC",
        ReviewSort::Lowest => "r.stars ASC, r.created_at DESC, r.id DESC",
    };
    let stars = query.stars.map(i64::from).unwrap_or(0);
    let rows: Vec<ReviewRow> = sqlx::query_as(&format!(
        "SELECT {REVIEW_COLUMNS} FROM reviews r JOIN sellers s ON s.id = r.seller_id \
         WHERE r.product_id = $1 AND r.hidden_at IS NULL AND ($2 = 0 OR r.stars = $2) \
         ORDER BY {order} LIMIT $3 OFFSET $4"
    ))
    .bind(product_id)
    .bind(stars)
    .bind(i64::from(PAGE_SIZE) + 1)
    .bind(i64::from((page - 1) * PAGE_SIZE))
    .fetch_all(&mut *conn)
    .await?;
    let matching = match query.stars {
        Some(s) => summary.by_stars[usize::from(s) - 1],
        None => summary.count,
    };
    let has_more = rows.len() > PAGE_SIZE as usize;
    let with_pictures: Vec<i64> = rows.iter().filter(|r| r.picture_count > 0).map(|r| r.id).collect();
    let mut reviews: Vec<_> = rows.into_iter().take(PAGE_SIZE as usize).map(ReviewRow::view).collect();
    super::pictures::attach(
        &mut conn,
        reviews
            .iter_mut()
            .filter(|r| with_pictures.contains(&r.id))
            .map(|r| (r.id, &mut r.pictures)),
    )
    .await?;
    Ok(ProductReviews {
        summary,
        query: ReviewQuery { page, ..query },
        matching,
        reviews,
        has_more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_keeps_what_it_understands() {
        let q = query_from([("reviews", "lowest"), ("stars", "2"), ("reviews_page", "3")]);
        assert_eq!((q.sort, q.stars, q.page), (ReviewSort::Lowest, Some(2), 3));
        let q = query_from([("reviews", "<script>"), ("stars", "9"), ("reviews_page", "99999999999")]);
        assert_eq!((q.sort, q.stars, q.page), (ReviewSort::Newest, None, 1));
    }
}
