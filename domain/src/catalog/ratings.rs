//! A product's rating aggregate (`products.rating_sum`, `rating_count`): what listings, search and sorting by
//! rating read. Only the `review_product` workflow sets it, from the product's visible reviews, after holding
//! the product's row so two reviews written at once cannot both miss each other.

use sqlx::AnyConnection;

/// Takes the product's row for the rest of the caller's transaction (a no-op update: portable row lock, and
/// SQLite's writer holds the whole database anyway). Returns whether the product exists.
pub async fn hold(conn: &mut AnyConnection, product_id: i64) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE products SET rating_count = rating_count WHERE id = $1")
            .bind(product_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Sets the aggregate to the sum of stars and the count of the product's visible reviews.
pub async fn set(conn: &mut AnyConnection, product_id: i64, sum: i64, count: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE products SET rating_sum = $1, rating_count = $2 WHERE id = $3")
        .bind(sum)
        .bind(count)
        .bind(product_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
