//! The demo's reviews: each demo product's ratings are reviews written by demo shoppers and labelled as demo data
//! (`demo` = 1: no order backs them), so the product's aggregate is what its reviews say, like every product's.
//! Drawn from the product's number, not the seed's random stream, so the rest of the demo stays as it was.

use sqlx::AnyConnection;

use crate::platform::ids::next_id;

const AUTHORS: [&str; 12] = [
    "Alex M.",
    "Priya S.",
    "Jordan T.",
    "Mei L.",
    "Sam O.",
    "Lucía G.",
    "Noah B.",
    "Amara K.",
    "Ivan P.",
    "Chloé D.",
    "Kenji W.",
    "Fatima R.",
];

/// A title and a text for each number of stars (index 0 is one star).
const WORDS: [(&str, &str); 5] = [
    (
        "Not what I hoped",
        "It did not hold up to daily use. Demo review: sample text.",
    ),
    (
        "Could be better",
        "Works, but the finish is rougher than in the pictures. Demo review: sample text.",
    ),
    (
        "Does the job",
        "Fair for the price; nothing special. Demo review: sample text.",
    ),
    (
        "Very good",
        "Well made and arrived quickly. I would buy it again. Demo review: sample text.",
    ),
    (
        "Excellent",
        "Exactly as described, and it feels built to last. Demo review: sample text.",
    ),
];

/// How many demo reviews product `n` gets (none for about one in five) and their stars, averaging about
/// `average_x10` / 10.
pub fn draw(n: usize, rated: bool, average_x10: i64) -> Vec<i64> {
    if !rated {
        return Vec::new();
    }
    let count = 1 + (n * 7 + 3) % 6;
    let total = (count as i64 * average_x10 + 5) / 10;
    // Spread the total over the reviews as evenly as whole stars allow.
    (0..count as i64)
        .map(|i| {
            let base = total / count as i64;
            let extra = i64::from(i < total % count as i64);
            (base + extra).clamp(1, 5)
        })
        .collect()
}

/// Inserts the drawn reviews of a demo product, one statement.
pub async fn insert(
    conn: &mut AnyConnection,
    product_id: i64,
    seller_id: i64,
    n: usize,
    stars: &[i64],
    created: i64,
) -> Result<(), sqlx::Error> {
    if stars.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO reviews (id, product_id, seller_id, author_name, stars, title, body, demo, created_at) VALUES ",
    );
    for i in 0..stars.len() {
        let b = i * 9;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8,
            b + 9
        ));
    }
    let mut query = sqlx::query(&sql);
    for (i, &s) in stars.iter().enumerate() {
        let (title, body) = WORDS[(s - 1) as usize];
        query = query
            .bind(next_id())
            .bind(product_id)
            .bind(seller_id)
            .bind(AUTHORS[(n + i) % AUTHORS.len()])
            .bind(s)
            .bind(title)
            .bind(body)
            .bind(1i64)
            .bind(created - i as i64 * 3_600_000);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Whether the database holds demo reviews (a shop served over https refuses to start with them).
pub async fn present(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let one: Option<i64> = sqlx::query_scalar("SELECT id FROM reviews WHERE demo = 1 LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(one.is_some())
}

#[cfg(test)]
mod tests {
    use super::draw;

    #[test]
    fn demo_stars_average_what_was_drawn() {
        assert!(draw(5, false, 45).is_empty());
        for n in 0..50 {
            for avg in 30..=50 {
                let stars = draw(n, true, avg);
                assert!((1..=6).contains(&stars.len()));
                assert!(stars.iter().all(|s| (1..=5).contains(s)));
                let mean_x10 = stars.iter().sum::<i64>() * 10 / stars.len() as i64;
                assert!((mean_x10 - avg).abs() <= 10, "{n} {avg} {stars:?}");
            }
        }
    }
}
