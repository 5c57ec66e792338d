use domain::accounts::{self, Registration};
use domain::cart::{self, CartError};
use domain::{seed, Db};

use crate::db_tests;

/// Two variants of two different sellers, with their stock.
async fn two_sellers(db: &Db) -> ((i64, i64), (i64, i64)) {
    seed::seed(db, 40, 7).await.expect("seed");
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT v.id, p.seller_id, (SELECT CAST(SUM(available) AS BIGINT) FROM stock st WHERE st.variant_id = v.id) AS a \
         FROM variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'active' \
         AND (SELECT SUM(available) FROM stock st WHERE st.variant_id = v.id) >= 5 ORDER BY v.id",
    )
    .fetch_all(db.pool())
    .await
    .expect("variants");
    let first = rows[0];
    let second = rows.iter().find(|r| r.1 != first.1).copied().expect("another seller");
    ((first.0, first.2), (second.0, second.2))
}

async fn set_available(db: &Db, variant: i64, units: i64) {
    sqlx::query("UPDATE stock SET available = 0 WHERE variant_id = $1")
        .bind(variant)
        .execute(db.pool())
        .await
        .expect("zero");
    let warehouse: i64 =
        sqlx::query_scalar("SELECT warehouse_id FROM stock WHERE variant_id = $1 ORDER BY warehouse_id")
            .bind(variant)
            .fetch_one(db.pool())
            .await
            .expect("warehouse");
    crate::harness::fixtures::seller_counts(db, variant, warehouse, units).await;
}

fn message(err: CartError) -> String {
    match err {
        CartError::Invalid(fields) => fields[0].message.clone(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn a_cart_groups_lines_by_seller_with_subtotals_from_database_prices(db: Db) {
    let ((a, _), (b, _)) = two_sellers(&db).await;
    let id = cart::create_guest_cart(&db).await.expect("cart");
    assert_eq!(cart::add(&db, id, a, 2).await.expect("add"), 2);
    assert_eq!(cart::add(&db, id, b, 1).await.expect("add"), 3);
    assert_eq!(
        cart::add(&db, id, a, 1).await.expect("add"),
        4,
        "the same variant adds to its line"
    );
    let view = cart::view(&db, id).await.expect("view");
    assert_eq!(view.groups.len(), 2);
    assert_eq!(view.item_count, 4);
    let price_of = |variant: i64| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT price FROM variants WHERE id = $1")
                .bind(variant)
                .fetch_one(db.pool())
                .await
                .expect("price")
        }
    };
    let (pa, pb) = (price_of(a).await, price_of(b).await);
    assert_eq!(view.groups[0].lines[0].quantity, 3);
    assert_eq!(view.groups[0].subtotal.amount, 3 * pa);
    assert_eq!(view.groups[1].subtotal.amount, pb);
    assert_eq!(view.total.as_ref().expect("total").amount, 3 * pa + pb);
    assert!(view.ready_for_checkout());
    assert_eq!(cart::item_count(&db, id).await.expect("count"), 4);

    // A price change since the line was added is shown, and the new price is what counts.
    crate::harness::fixtures::seller_sets_price(&db, b, pb + 500).await;
    let view = cart::view(&db, id).await.expect("view");
    let line = &view.groups[1].lines[0];
    assert_eq!(line.unit_price.amount, pb + 500);
    assert_eq!(line.price_was.as_ref().map(|m| m.amount), Some(pb));
    assert!(line.notice().expect("notice").contains("went up"));
}

async fn quantities_are_checked_against_limits_and_stock(db: Db) {
    let ((a, _), _) = two_sellers(&db).await;
    set_available(&db, a, 3).await;
    let id = cart::create_guest_cart(&db).await.expect("cart");
    for bad in [0, -1, 100] {
        assert!(
            matches!(cart::add(&db, id, a, bad).await, Err(CartError::Invalid(_))),
            "{bad}"
        );
    }
    assert_eq!(
        message(cart::add(&db, id, a, 4).await.expect_err("too many")),
        "Only 3 left."
    );
    cart::add(&db, id, a, 2).await.expect("add");
    assert_eq!(
        message(cart::add(&db, id, a, 2).await.expect_err("too many together")),
        "Only 3 left, and 2 are already in your cart."
    );
    assert!(matches!(cart::add(&db, id, 424_242, 1).await, Err(CartError::NotFound)));
    assert_eq!(cart::set_quantity(&db, id, a, 3).await.expect("set"), 3);
    assert!(cart::set_quantity(&db, id, a, 4).await.is_err());
    assert_eq!(cart::set_quantity(&db, id, a, 0).await.expect("remove"), 0);
    assert_eq!(
        cart::remove(&db, id, a).await.expect("again"),
        0,
        "removing twice is harmless"
    );

    // Stock that drops below the cart's quantity is flagged and blocks checkout.
    cart::add(&db, id, a, 3).await.expect("add");
    set_available(&db, a, 1).await;
    let view = cart::view(&db, id).await.expect("view");
    assert!(!view.ready_for_checkout());
    assert_eq!(
        view.groups[0].lines[0].notice().as_deref(),
        Some("Only 1 left: lower the quantity to check out.")
    );
    set_available(&db, a, 0).await;
    assert_eq!(
        message(cart::add(&db, id, a, 1).await.expect_err("sold out")),
        "Sorry, this item is sold out."
    );

    // A product taken off sale cannot be added.
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(a)
        .fetch_one(db.pool())
        .await
        .expect("product");
    crate::harness::fixtures::seller_sets_status(&db, product, "draft").await;
    assert!(matches!(cart::add(&db, id, a, 1).await, Err(CartError::NotFound)));
}

async fn a_guest_cart_is_merged_into_the_account_cart_capped_at_stock(db: Db) {
    let ((a, _), (b, _)) = two_sellers(&db).await;
    set_available(&db, a, 5).await;
    let user = accounts::register(
        &db,
        &Registration {
            name: "Merger".into(),
            email: "merge@example.com".into(),
            password: "a fine long password".into(),
        },
    )
    .await
    .expect("register");
    let mine = cart::user_cart(&db, user.id).await.expect("user cart");
    assert_eq!(cart::user_cart(&db, user.id).await.expect("same cart"), mine);
    cart::add(&db, mine, a, 3).await.expect("add");
    let guest = cart::create_guest_cart(&db).await.expect("guest");
    cart::add(&db, guest, a, 4).await.expect("add");
    cart::add(&db, guest, b, 1).await.expect("add");
    let merged = cart::merge_into_user(&db, guest, user.id).await.expect("merge");
    assert_eq!(merged, mine);
    let view = cart::view(&db, mine).await.expect("view");
    let qty = |variant: i64| {
        view.groups
            .iter()
            .flat_map(|g| &g.lines)
            .find(|l| l.variant_id == variant)
            .map(|l| l.quantity)
    };
    assert_eq!(qty(a), Some(5), "3 + 4 capped at the 5 in stock");
    assert_eq!(qty(b), Some(1));
    let guests: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM carts WHERE id = $1")
        .bind(guest)
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(guests, 0, "the guest cart is gone");
}

db_tests!(
    a_cart_groups_lines_by_seller_with_subtotals_from_database_prices,
    quantities_are_checked_against_limits_and_stock,
    a_guest_cart_is_merged_into_the_account_cart_capped_at_stock,
);
