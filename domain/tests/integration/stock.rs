//! The seller's stock: adjustments with reasons and counts, the movement history (which orders write to as
//! well), the low-stock alert once per crossing, and another store's stock out of reach. Both databases.

use domain::inventory::{levels, InventoryError};
use domain::payments::TestGateway;
use domain::workflows::adjust_stock::{adjust_stock, Adjustment};
use domain::{cart, Actor, Db};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{available, count, draft, key, two_sellers};

/// A variant of a seeded store, its warehouse holding `units`, and that store's seller.
async fn stocked(db: &Db, units: i64) -> (i64, i64, i64, Actor) {
    let (variant, _) = two_sellers(db, units).await;
    let (store, warehouse): (i64, i64) = sqlx::query_as(
        "SELECT p.seller_id, st.warehouse_id FROM variants v JOIN products p ON p.id = v.product_id \
         JOIN stock st ON st.variant_id = v.id WHERE v.id = $1 AND st.available = $2",
    )
    .bind(variant)
    .bind(units)
    .fetch_one(db.pool())
    .await
    .expect("stock");
    let seller = actors::seller_of(db, store).await;
    (variant, warehouse, store, seller)
}

fn change(variant: i64, warehouse: i64, units: &str, reason: &str, mode: &str) -> Adjustment {
    Adjustment {
        variant_id: variant,
        warehouse_id: warehouse,
        units: units.into(),
        reason: reason.into(),
        mode: mode.into(),
    }
}

async fn low_stock_mails(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE 'Low stock:%'").await
}

async fn buy(db: &Db, variant: i64, quantity: i64) {
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    cart::add(db, cart_id, variant, quantity).await.expect("add");
    let details = draft(db, cart_id, "US").await;
    crate::harness::fixtures::place(db, &gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
}

/// Issue 19: removing a variant whose units are held for an order being paid would lose them; it is refused,
/// and the units stay held.
async fn a_variant_with_units_held_for_an_order_is_not_removed(db: Db) {
    two_sellers(&db, 5).await;
    let (variant, product, store): (i64, i64, i64) = sqlx::query_as(
        "SELECT v.id, v.product_id, p.seller_id FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE p.status = 'active' AND (SELECT COUNT(*) FROM variants o WHERE o.product_id = p.id) > 1 \
         ORDER BY v.id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .expect("a product with two variants");
    crate::harness::fixtures::set_units(&db, variant, 5).await;
    buy(&db, variant, 2).await;
    let seller = actors::seller_of(&db, store).await;
    let mut form = domain::catalog::editor::editor(&db, &seller, Some(product), None)
        .await
        .expect("editor")
        .form;
    let row = form
        .variants
        .iter_mut()
        .find(|v| v.id == variant.to_string())
        .expect("the variant");
    row.remove = "on".into();
    match domain::workflows::save_product::save_product(&db, &seller, &form).await {
        Err(domain::catalog::CatalogError::Conflict(message)) => {
            assert!(message.contains("2 units are held"), "{message}")
        }
        other => panic!("a variant with held units was removed: {other:?}"),
    }
    let held = count(
        &db,
        &format!(
            "SELECT CAST(SUM(quantity) AS BIGINT) FROM reservations WHERE variant_id = {variant} AND state = 'held'"
        ),
    )
    .await;
    assert_eq!(held, 2);
    assert_eq!(
        count(&db, &format!("SELECT COUNT(*) FROM variants WHERE id = {variant}")).await,
        1
    );
}

async fn a_seller_receives_and_counts_stock_and_the_history_says_who(db: Db) {
    let (variant, warehouse, _, seller) = stocked(&db, 10).await;
    let after = adjust_stock(&db, &seller, &change(variant, warehouse, "+5", "received", "change"))
        .await
        .expect("received");
    assert_eq!(after, 15);
    let after = adjust_stock(&db, &seller, &change(variant, warehouse, "-2", "damaged", "change"))
        .await
        .expect("damaged");
    assert_eq!(after, 13);
    let after = adjust_stock(&db, &seller, &change(variant, warehouse, "12", "", "count"))
        .await
        .expect("counted");
    assert_eq!(after, 12);
    assert_eq!(available(&db, variant).await, 12);
    // Removing more than there is, a zero change and a made-up reason are refused, naming the field.
    for bad in [
        change(variant, warehouse, "-13", "damaged", "change"),
        change(variant, warehouse, "0", "received", "change"),
        change(variant, warehouse, "five", "received", "change"),
        change(variant, warehouse, "3", "stolen", "change"),
    ] {
        assert!(
            matches!(adjust_stock(&db, &seller, &bad).await, Err(InventoryError::Invalid(_))),
            "{bad:?}"
        );
    }
    assert_eq!(available(&db, variant).await, 12);
    let sku: String = sqlx::query_scalar("SELECT sku FROM variants WHERE id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("sku");
    let page = levels::page(&db, &seller, &sku, false, "").await.expect("page");
    assert_eq!(page.lines.len(), 1);
    assert_eq!(page.lines[0].available, 12);
    let mine: Vec<(i64, i64, &str)> = page
        .movements
        .iter()
        .filter(|m| m.sku == sku)
        .map(|m| (m.delta, m.level_after, m.reason.as_str()))
        .collect();
    assert_eq!(
        mine,
        [(-1, 12, "Count correction"), (-2, 13, "Damaged"), (5, 15, "Received")]
    );
    assert!(page
        .movements
        .iter()
        .filter(|m| m.sku == sku)
        .all(|m| m.who == "Test Shopper"));
}

async fn orders_write_to_the_history_and_alert_once_per_crossing(db: Db) {
    let (variant, warehouse, store, seller) = stocked(&db, 8).await;
    let seller_email: String =
        sqlx::query_scalar("SELECT u.email FROM users u JOIN sellers s ON s.user_id = u.id WHERE s.id = $1")
            .bind(store)
            .fetch_one(db.pool())
            .await
            .expect("email");
    buy(&db, variant, 2).await; // 6 left: above the store's default of 5
    assert_eq!(low_stock_mails(&db).await, 0);
    buy(&db, variant, 1).await; // 5: crosses
    buy(&db, variant, 1).await; // 4: still below, no second mail
    assert_eq!(low_stock_mails(&db).await, 1);
    let to: String = sqlx::query_scalar("SELECT to_addr FROM mail_outbox WHERE subject LIKE 'Low stock:%'")
        .fetch_one(db.pool())
        .await
        .expect("mail");
    assert_eq!(to, seller_email);
    adjust_stock(&db, &seller, &change(variant, warehouse, "10", "received", "change"))
        .await
        .expect("restocked"); // 14: above again
    buy(&db, variant, 9).await; // 5: crosses again
    assert_eq!(low_stock_mails(&db).await, 2);
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT reason FROM stock_movements WHERE variant_id = $1 ORDER BY created_at, id")
            .bind(variant)
            .fetch_all(db.pool())
            .await
            .expect("history");
    assert_eq!(reasons, ["reserved", "reserved", "reserved", "received", "reserved"]);
    let who: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT user_id FROM stock_movements WHERE variant_id = $1 AND reason = 'reserved'")
            .bind(variant)
            .fetch_all(db.pool())
            .await
            .expect("who");
    assert!(who.iter().all(Option::is_none), "orders are the shop's movements");
    // A per-variant threshold of 0 means: only alert when sold out.
    domain::catalog::editor::set_threshold(&db, &seller, variant, "0")
        .await
        .expect("threshold");
    let page = levels::page(&db, &seller, "", true, "").await.expect("low only");
    assert!(
        page.lines.iter().all(|l| l.variant_id != variant),
        "5 units is not low at a threshold of 0"
    );
}

async fn another_stores_stock_is_out_of_reach(db: Db) {
    let (variant, warehouse, _, _) = stocked(&db, 10).await;
    let other_store: i64 = sqlx::query_scalar(
        "SELECT MIN(s.id) FROM sellers s WHERE s.id <> (SELECT p.seller_id FROM variants v \
         JOIN products p ON p.id = v.product_id WHERE v.id = $1)",
    )
    .bind(variant)
    .fetch_one(db.pool())
    .await
    .expect("other");
    let other = actors::seller_of(&db, other_store).await;
    assert!(matches!(
        adjust_stock(&db, &other, &change(variant, warehouse, "5", "received", "change")).await,
        Err(InventoryError::NotFound)
    ));
    assert!(matches!(
        domain::catalog::editor::set_threshold(&db, &other, variant, "1").await,
        Err(domain::catalog::CatalogError::NotFound)
    ));
    let page = levels::page(&db, &other, "", false, "").await.expect("page");
    assert!(page.lines.iter().all(|l| l.variant_id != variant));
    let (_, shopper) = actors::shopper(&db).await;
    assert!(matches!(
        adjust_stock(&db, &shopper, &change(variant, warehouse, "5", "received", "change")).await,
        Err(InventoryError::NotFound)
    ));
    assert_eq!(available(&db, variant).await, 10);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM stock_movements").await, 0);
}

/// Issue 19, item 9: the history of a removed variant and of a removed warehouse stays, under the names they had,
/// said to be removed.
async fn the_history_of_a_removed_variant_and_warehouse_stays(db: Db) {
    two_sellers(&db, 5).await;
    let (variant, product, store): (i64, i64, i64) = sqlx::query_as(
        "SELECT v.id, v.product_id, p.seller_id FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE (SELECT COUNT(*) FROM variants o WHERE o.product_id = p.id) > 1 ORDER BY v.id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .expect("a product with two variants");
    let seller = actors::seller_of(&db, store).await;
    let main: i64 = sqlx::query_scalar("SELECT warehouse_id FROM stock WHERE variant_id = $1 LIMIT 1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("warehouse");
    adjust_stock(&db, &seller, &change(variant, main, "+3", "received", "change"))
        .await
        .expect("received");
    let sku: String = sqlx::query_scalar("SELECT sku FROM variants WHERE id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("sku");
    let mut form = domain::catalog::editor::editor(&db, &seller, Some(product), None)
        .await
        .expect("editor")
        .form;
    let kept = form
        .variants
        .iter()
        .find(|v| v.id != variant.to_string())
        .and_then(|v| v.id.parse::<i64>().ok())
        .expect("another variant");
    form.variants
        .iter_mut()
        .find(|v| v.id == variant.to_string())
        .expect("the variant")
        .remove = "on".into();
    domain::workflows::save_product::save_product(&db, &seller, &form)
        .await
        .expect("removed");
    // A second warehouse receives units of the kept variant, is counted to 0 and removed.
    let annex = domain::sellers::settings::add_warehouse(&db, &seller, "Annex", "US")
        .await
        .expect("warehouse");
    adjust_stock(&db, &seller, &change(kept, annex, "+2", "received", "change"))
        .await
        .expect("received");
    adjust_stock(&db, &seller, &change(kept, annex, "0", "", "count"))
        .await
        .expect("counted");
    domain::sellers::settings::remove_warehouse(&db, &seller, annex)
        .await
        .expect("removed");
    let page = levels::page(&db, &seller, "", false, "").await.expect("page");
    let removed: Vec<_> = page.movements.iter().filter(|m| m.sku == sku).collect();
    assert_eq!(removed.len(), 1, "{:?}", page.movements);
    assert!(removed[0].variant_removed && !removed[0].warehouse_removed);
    assert_eq!((removed[0].delta, removed[0].reason.as_str()), (3, "Received"));
    let annexed: Vec<_> = page.movements.iter().filter(|m| m.warehouse == "Annex").collect();
    assert_eq!(annexed.len(), 2, "{:?}", page.movements);
    assert!(annexed.iter().all(|m| m.warehouse_removed && !m.variant_removed));
    // Another store's history does not show them.
    let other: i64 = sqlx::query_scalar("SELECT id FROM sellers WHERE id <> $1 ORDER BY id LIMIT 1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("another store");
    let theirs = levels::page(&db, &actors::seller_of(&db, other).await, "", false, "")
        .await
        .expect("their page");
    assert!(theirs.movements.iter().all(|m| m.sku != sku && m.warehouse != "Annex"));
}

db_tests!(
    the_history_of_a_removed_variant_and_warehouse_stays,
    a_variant_with_units_held_for_an_order_is_not_removed,
    a_seller_receives_and_counts_stock_and_the_history_says_who,
    orders_write_to_the_history_and_alert_once_per_crossing,
    another_stores_stock_is_out_of_reach,
);
