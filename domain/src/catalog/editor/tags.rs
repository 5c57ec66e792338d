//! A product's tags: words shoppers find it by (they are in its search text) and its seller filters the products
//! list by. Typed as one comma-separated line, as Shopify's `Tags` column writes them; kept in their order, the
//! same tag (in any case) once.

use model::product_form::ProductField;
use sqlx::AnyConnection;

/// The most characters of one tag, of the typed line, and the most tags of a product.
pub const TAG_MAX: usize = 60;
const TAGS_TEXT_MAX: usize = 2_000;
pub const TAGS_MAX: usize = 50;

pub use model::sellers::tag_key;

/// The tags of a typed line, or why not (`(field, message)`): each tag trimmed with its inner spaces made one.
pub(super) fn parse_tags(typed: &str) -> Result<Vec<String>, (ProductField, String)> {
    // A tab is a space here (a spreadsheet's cell may hold one); other invisible characters are refused.
    let line = crate::platform::text::line(&typed.replace('\t', " "), TAGS_TEXT_MAX)
        .map_err(|problem| (ProductField::Tags, problem.message()))?;
    let tags = model::sellers::split_tags(&line);
    if let Some(long) = tags.iter().find(|t| t.chars().count() > TAG_MAX) {
        let start: String = long.chars().take(20).collect();
        return Err((
            ProductField::Tags,
            format!("A tag is at most {TAG_MAX} characters (“{start}…” is longer): separate tags with commas."),
        ));
    }
    if tags.len() > TAGS_MAX {
        return Err((
            ProductField::Tags,
            format!("A product has at most {TAGS_MAX} tags ({} typed).", tags.len()),
        ));
    }
    Ok(tags)
}

/// Replaces a product's tags in `conn`'s transaction.
pub(super) async fn write_tags(
    conn: &mut AnyConnection,
    product_id: i64,
    tags: &[String],
    existing: bool,
) -> Result<(), sqlx::Error> {
    if existing {
        sqlx::query("DELETE FROM product_tags WHERE product_id = $1")
            .bind(product_id)
            .execute(&mut *conn)
            .await?;
    }
    for (position, tag) in tags.iter().enumerate() {
        sqlx::query("INSERT INTO product_tags (product_id, position, tag, tag_key) VALUES ($1, $2, $3, $4)")
            .bind(product_id)
            .bind(position as i64)
            .bind(tag)
            .bind(tag_key(tag))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A product's tags as the form shows them: `winter, ice tools`.
pub(super) async fn tags_line(conn: &mut AnyConnection, product_id: i64) -> Result<String, sqlx::Error> {
    let tags: Vec<String> = sqlx::query_scalar("SELECT tag FROM product_tags WHERE product_id = $1 ORDER BY position")
        .bind(product_id)
        .fetch_all(conn)
        .await?;
    Ok(tags.join(", "))
}

/// The store's tags (each once, in its first spelling), for the products list's filter.
pub(super) async fn store_tags(conn: &mut AnyConnection, store: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MIN(t.tag) FROM product_tags t JOIN products p ON p.id = t.product_id WHERE p.seller_id = $1 \
         GROUP BY t.tag_key ORDER BY t.tag_key LIMIT 500",
    )
    .bind(store)
    .fetch_all(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_once_each_and_limited() {
        assert_eq!(
            parse_tags(" winter,  Ice   tools ,WINTER,, snow ").expect("tags"),
            ["winter", "Ice tools", "snow"]
        );
        assert_eq!(parse_tags("").expect("none"), Vec::<String>::new());
        assert!(parse_tags(&"x".repeat(61)).is_err());
        assert!(parse_tags(&(0..51).map(|n| format!("t{n}")).collect::<Vec<_>>().join(",")).is_err());
        assert!(parse_tags("a\u{0}b").is_err(), "control characters are refused");
    }
}
