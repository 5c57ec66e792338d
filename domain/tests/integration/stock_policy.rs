//! Issue 27: the store's stock policy. An import's Variant Inventory Qty goes to the default warehouse; Variant
//! Inventory Policy = continue keeps a variant selling when out of stock only in a store that allows backorders
//! (otherwise one notice); a strict store skips a product whose SKU an earlier row holds; a keep-selling variant
//! takes concurrent orders beyond its stock, its figure going below zero and coming back when an order is
//! cancelled; turning backorders off stops it. Both databases.

use std::sync::Arc;

use domain::payments::TestGateway;
use domain::workflows::import_products::{self, Applied};
use domain::workflows::settle_payment;
use domain::workflows::stock_policy::set_stock_policy;
use domain::{cart, Actor, Db};
use model::sellers::StockPolicy;

use crate::catalog_import::{edit, export_text, store_with};
use crate::catalog_import_shopify::{checked, has_notice, shopify_file, units};
use crate::db_tests;
use crate::harness::fixtures::{available, count, draft, key, session_of, two_sellers};

async fn policy_of(db: &Db, seller: &Actor) -> StockPolicy {
    domain::sellers::settings::settings(db, seller, None)
        .await
        .expect("settings")
        .stock_policy
}

async fn keeps_selling(db: &Db, sku: &str) -> bool {
    let on: i64 = sqlx::query_scalar("SELECT keep_selling FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_one(db.pool())
        .await
        .expect("variant");
    on == 1
}

async fn import(db: &Db, seller: &Actor, text: &str) -> model::sellers::ImportReport {
    let (id, report) = checked(db, seller, text.as_bytes()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(matches!(
        import_products::apply(db, seller, id).await.expect("apply"),
        Applied::Done { .. }
    ));
    report
}

async fn an_import_follows_the_default_warehouse_and_the_backorder_setting(db: Db) {
    let (store, seller) = store_with(&db, 2).await;
    let policy = policy_of(&db, &seller).await;
    let warehouses: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM warehouses WHERE seller_id = $1 ORDER BY created_at, id")
            .bind(store)
            .fetch_all(db.pool())
            .await
            .expect("warehouses");
    assert_eq!(
        policy,
        StockPolicy {
            default_warehouse: warehouses[0],
            backorders: false,
            strict_import_skus: false
        },
        "the first warehouse until changed"
    );
    // Without backorders, "continue" is said once and the variant stops at 0.
    let file = edit(&shopify_file(), 0, "Variant Inventory Policy", "continue");
    let report = import(&db, &seller, &file).await;
    assert!(
        has_notice(&report, 1, "Variant Inventory Policy", "does not allow backorders"),
        "{:?}",
        report.notices
    );
    assert!(!keeps_selling(&db, "Tool - Ice 15mm Wrench").await);
    // The second warehouse as the default, backorders on: the figures go there, "continue" is kept and exported.
    let chosen = StockPolicy {
        default_warehouse: warehouses[1],
        backorders: true,
        strict_import_skus: false,
    };
    set_stock_policy(&db, &seller, &chosen).await.expect("policy");
    assert_eq!(policy_of(&db, &seller).await, chosen);
    let file = edit(&file, 0, "Variant Inventory Qty", "9");
    let report = import(&db, &seller, &file).await;
    assert!(
        has_notice(&report, 1, "Variant Inventory Qty", "your default warehouse"),
        "{:?}",
        report.notices
    );
    assert_eq!(units(&db, "Tool - Ice 15mm Wrench").await, [7, 9]);
    assert!(keeps_selling(&db, "Tool - Ice 15mm Wrench").await);
    assert!(!keeps_selling(&db, "MUD SCRUB").await);
    let exported = export_text(&db, &seller).await;
    assert!(
        exported
            .lines()
            .any(|l| l.contains("Tool - Ice 15mm Wrench") && l.contains(",continue,")),
        "{exported}"
    );
    // Turning backorders off stops every variant selling beyond its stock.
    set_stock_policy(
        &db,
        &seller,
        &StockPolicy {
            backorders: false,
            ..chosen
        },
    )
    .await
    .expect("off");
    assert!(!keeps_selling(&db, "Tool - Ice 15mm Wrench").await);
}

async fn a_strict_store_skips_a_product_whose_sku_an_earlier_row_holds(db: Db) {
    let (store, seller) = store_with(&db, 1).await;
    let mut policy = policy_of(&db, &seller).await;
    policy.strict_import_skus = true;
    set_stock_policy(&db, &seller, &policy).await.expect("strict");
    // Another store's warehouse is refused; nothing changes.
    let foreign: i64 = sqlx::query_scalar("SELECT id FROM warehouses WHERE seller_id <> $1 ORDER BY id LIMIT 1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("a warehouse of another store");
    let refused = set_stock_policy(
        &db,
        &seller,
        &StockPolicy {
            default_warehouse: foreign,
            ..policy.clone()
        },
    )
    .await;
    assert!(
        matches!(refused, Err(domain::sellers::SellerError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(policy_of(&db, &seller).await, policy);
    let (id, report) = checked(&db, &seller, shopify_file().as_bytes()).await;
    // Row 4 repeats row 3's SKU (two variants of mud-scrub), row 6 row 5's (another product, bolt-pack-xl):
    // both products are skipped.
    for (row, words) in [(4, "Two variants have this SKU"), (6, "is also on row 5")] {
        assert!(
            report.errors.iter().any(|e| e.row == row && e.message.contains(words)),
            "{row}: {:?}",
            report.errors
        );
    }
    // Both say which setting skipped them.
    for row in [4, 6] {
        assert!(
            report
                .notices
                .iter()
                .any(|n| n.row == row && n.message.contains("refuses repeated SKUs")),
            "{row}: {:?}",
            report.notices
        );
    }
    assert_eq!((report.products.create, report.products.skipped), (2, 2));
    assert!(matches!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { .. }
    ));
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM products WHERE slug IN ('mud-scrub', 'bolt-pack-xl')"
        )
        .await,
        0
    );
    assert_eq!(units(&db, "Tool - Ice 15mm Wrench").await, [7]);
}

/// Twenty shoppers order one unit each of a keep-selling variant that has 2: every order is placed, the default
/// warehouse owes 18 (one conditional-free decrement per order, none lost), and a cancelled one gives its unit back.
async fn a_keep_selling_variant_takes_concurrent_orders_beyond_its_stock(db: Db) {
    let (variant, _) = two_sellers(&db, 2).await;
    let store: i64 = sqlx::query_scalar("SELECT seller_id FROM variants WHERE id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("store");
    let seller = crate::harness::actors::seller_of(&db, store).await;
    let mut policy = policy_of(&db, &seller).await;
    policy.backorders = true;
    set_stock_policy(&db, &seller, &policy).await.expect("backorders");
    sqlx::query("UPDATE variants SET keep_selling = 1 WHERE id = $1")
        .bind(variant)
        .execute(db.pool())
        .await
        .expect("keep selling");
    let gateway = Arc::new(TestGateway::new(db.clone()));
    let mut carts = Vec::new();
    for _ in 0..20 {
        let id = cart::create_guest_cart(&db).await.expect("cart");
        cart::add(&db, id, variant, 1)
            .await
            .expect("a keep-selling variant is added beyond its stock");
        carts.push(id);
    }
    let details = draft(&db, carts[0], "US").await;
    let tasks = carts.into_iter().map(|cart_id| {
        let (db, gateway, details) = (db.clone(), gateway.clone(), details.clone());
        tokio::spawn(async move {
            crate::harness::fixtures::place(&db, &*gateway, &Actor::visitor(), cart_id, &details, &key())
                .await
                .expect("placed")
        })
    });
    let placed: Vec<_> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    assert_eq!(placed.len(), 20);
    assert_eq!(available(&db, variant).await, -18);
    let owed: i64 = sqlx::query_scalar("SELECT available FROM stock WHERE variant_id = $1 AND warehouse_id = $2")
        .bind(variant)
        .bind(policy.default_warehouse)
        .fetch_one(db.pool())
        .await
        .expect("default warehouse");
    assert!(owed < 0, "the default warehouse owes the units: {owed}");
    assert_eq!(
        count(
            &db,
            &format!("SELECT CAST(SUM(quantity) AS BIGINT) FROM reservations WHERE variant_id = {variant}")
        )
        .await,
        20
    );
    // A cancelled payment gives its unit back.
    let event = gateway
        .cancel(&session_of(&placed[0].redirect_url))
        .await
        .expect("cancel")
        .expect("event");
    settle_payment::apply_event(&db, &event).await.expect("apply");
    assert_eq!(available(&db, variant).await, -17);
    owed_units_are_edited_exported_and_received(&db, &seller, variant, policy.default_warehouse).await;
    // Backorders off: the variant sells what it has, no more.
    policy.backorders = false;
    set_stock_policy(&db, &seller, &policy).await.expect("off");
    let id = cart::create_guest_cart(&db).await.expect("cart");
    assert!(
        cart::add(&db, id, variant, 4).await.is_err(),
        "no more than the 3 in stock without backorders"
    );
    cart::add(&db, id, variant, 3).await.expect("the 3 in stock");
}

/// A product whose variant owes 17 units: its editor form saves as it is, its export imports back as no change,
/// and receiving 20 units leaves 3.
async fn owed_units_are_edited_exported_and_received(db: &Db, seller: &Actor, variant: i64, warehouse: i64) {
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("product");
    let form = domain::catalog::editor::editor(db, seller, Some(product), None)
        .await
        .expect("editor")
        .form;
    domain::workflows::save_product::save_product(db, seller, &form)
        .await
        .expect("a form with owed units saves as it is");
    assert_eq!(available(db, variant).await, -17);
    assert!(count(db, &format!("SELECT keep_selling FROM variants WHERE id = {variant}")).await == 1);
    let exported = export_text(db, seller).await;
    let (_, report) = checked(db, seller, exported.as_bytes()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        (report.stock_changes, report.changes.len()),
        (0, 0),
        "{:?}",
        report.changes
    );
    let received = domain::workflows::adjust_stock::Adjustment {
        variant_id: variant,
        warehouse_id: warehouse,
        units: "20".into(),
        reason: "received".into(),
        mode: "change".into(),
    };
    domain::workflows::adjust_stock::adjust_stock(db, seller, &received)
        .await
        .expect("units received pay what is owed first");
    assert_eq!(available(db, variant).await, 3);
}

db_tests!(
    an_import_follows_the_default_warehouse_and_the_backorder_setting,
    a_strict_store_skips_a_product_whose_sku_an_earlier_row_holds,
    a_keep_selling_variant_takes_concurrent_orders_beyond_its_stock,
);
