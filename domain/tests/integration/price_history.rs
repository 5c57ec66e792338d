//! Issue 22: price history (decision 0042) — every price a variant had is kept when its seller saves it, and the
//! product page's "was" price is the lowest price of the 30 days before the current one began, shown only when it
//! is above it (EU Omnibus directive, art. 6a): never a price raised the day before a "sale", never a compare-at.

use domain::catalog::{self, prices};
use domain::testing::seller_sets_price;
use domain::Db;

use crate::db_tests;
use crate::harness::fixtures::count;
use crate::seller_orders::store_with_two_variants;

const DAY: i64 = 86_400_000;

/// Clears the seeded history of `variant` and gives it `steps` of (price, days ago) instead.
async fn history(db: &Db, variant: i64, steps: &[(i64, i64)]) {
    sqlx::query("DELETE FROM variant_prices WHERE variant_id = $1")
        .bind(variant)
        .execute(db.pool())
        .await
        .expect("clear");
    let now = domain::platform::clock::now_ms();
    let mut conn = db.pool().acquire().await.expect("conn");
    for (price, days_ago) in steps {
        prices::record(&mut conn, variant, *price, now - days_ago * DAY)
            .await
            .expect("record");
    }
}

/// The "was" price the product page shows for `variant`, in cents.
async fn was(db: &Db, variant: i64) -> Option<i64> {
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("product");
    let page = catalog::product_by_id(db, product).await.expect("page");
    let shown = page.variants.iter().find(|v| v.id == variant).expect("variant");
    shown.was_price.as_ref().map(|m| m.amount)
}

async fn a_was_price_is_the_lowest_of_the_30_days_before_and_never_a_raise_or_a_compare_at(db: Db) {
    let (_, [kettle, mug]) = store_with_two_variants(&db, 10).await;

    // A price held for 50 days, then lowered: the old price is the "was".
    history(&db, kettle, &[(5_000, 50)]).await;
    sqlx::query("UPDATE variants SET price = 5000, compare_at_price = 99900 WHERE id = $1")
        .bind(kettle)
        .execute(db.pool())
        .await
        .expect("arrange");
    assert_eq!(was(&db, kettle).await, None, "a compare-at price alone is never shown");
    seller_sets_price(&db, kettle, 4_000).await;
    assert_eq!(was(&db, kettle).await, Some(5_000));

    // Raised to 90.00 yesterday, then "reduced" to 50.00: nothing is shown, the 30 days held 50.00.
    history(&db, mug, &[(5_000, 50), (9_000, 1)]).await;
    seller_sets_price(&db, mug, 5_000).await;
    assert_eq!(was(&db, mug).await, None, "never against a price raised the day before");
    // Lowered below the 30 days' lowest: that lowest is the "was", not yesterday's 90.00.
    seller_sets_price(&db, mug, 4_500).await;
    assert_eq!(was(&db, mug).await, Some(5_000));

    // Prices older than 30 days do not count, except the one in force 30 days ago.
    history(&db, mug, &[(9_900, 45), (6_000, 40), (7_000, 10), (4_500, 0)]).await;
    assert_eq!(
        was(&db, mug).await,
        Some(6_000),
        "in force 30 days ago: 60.00; the 45-day 99.00 is too old"
    );
}

async fn a_save_keeps_a_price_only_when_it_changed(db: Db) {
    let (_, [kettle, _]) = store_with_two_variants(&db, 10).await;
    history(&db, kettle, &[(5_000, 50)]).await;
    let rows = format!("SELECT COUNT(*) FROM variant_prices WHERE variant_id = {kettle}");
    seller_sets_price(&db, kettle, 5_000).await;
    assert_eq!(count(&db, &rows).await, 1, "the same price again adds nothing");
    seller_sets_price(&db, kettle, 4_200).await;
    seller_sets_price(&db, kettle, 4_300).await;
    assert_eq!(count(&db, &rows).await, 3);
    let latest: i64 =
        sqlx::query_scalar("SELECT price FROM variant_prices WHERE variant_id = $1 ORDER BY started_at DESC LIMIT 1")
            .bind(kettle)
            .fetch_one(db.pool())
            .await
            .expect("latest");
    assert_eq!(latest, 4_300);
    let seeded = "SELECT COUNT(*) FROM variants v WHERE NOT EXISTS \
                  (SELECT 1 FROM variant_prices h WHERE h.variant_id = v.id)";
    assert_eq!(count(&db, seeded).await, 0, "every variant has a history");
}

db_tests!(
    a_was_price_is_the_lowest_of_the_30_days_before_and_never_a_raise_or_a_compare_at,
    a_save_keeps_a_price_only_when_it_changed,
);
