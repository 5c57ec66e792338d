//! Issue 19's catalog defects, each kept fixed on both databases: a price of 0.00 is refused unless the platform
//! allows free items; another store's SKU cannot be taken in another case (nor freed by listing its variant as
//! "removed"); warehouse names are unique per store whatever their case; a stock adjustment cannot pass the most
//! a warehouse keeps, nor go the wrong way for its reason; a crafted page cursor of the wrong kind is the first
//! page.

use domain::catalog::{editor, CatalogError};
use domain::inventory::InventoryError;
use domain::platform::settings;
use domain::sellers::{settings as store_settings, SellerError};
use domain::workflows::adjust_stock::{adjust_stock, Adjustment};
use domain::workflows::save_product::save_product;
use domain::{Actor, Db};
use model::sellers::{ProductFilter, ProductForm};

use crate::db_tests;

async fn two_stores(db: &Db) -> ((i64, Actor), (i64, Actor)) {
    crate::harness::fixtures::two_stores(db, 40).await
}

/// A one-variant draft as the editor sends it for a new product.
async fn simple_form(db: &Db, seller: &Actor, title: &str, price: &str) -> ProductForm {
    let mut form = editor::editor(db, seller, None, None).await.expect("editor").form;
    form.title = title.into();
    form.category = sqlx::query_scalar::<_, i64>(
        "SELECT MIN(c.id) FROM categories c WHERE NOT EXISTS (SELECT 1 FROM categories d WHERE d.parent_id = c.id)",
    )
    .fetch_one(db.pool())
    .await
    .expect("category")
    .to_string();
    form.variants[0].price = price.into();
    form
}

async fn a_price_of_zero_is_refused_unless_the_platform_allows_free_items(db: Db) {
    let ((_, seller), _) = two_stores(&db).await;
    let form = simple_form(&db, &seller, "Free Sample", "0.00").await;
    match save_product(&db, &seller, &form).await {
        Err(CatalogError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, "variants-0-price");
            assert!(errors[0].message.contains("above 0.00"), "{}", errors[0].message);
        }
        other => panic!("a free item was accepted: {other:?}"),
    }
    assert!(settings::set(&db, settings::FREE_ITEMS, true).await.expect("setting"));
    save_product(&db, &seller, &form).await.expect("free items allowed");
    assert!(!settings::set(&db, "no_such_setting", true).await.expect("setting"));
}

/// Issue 27 (after issue 19, defect 9): a SKU is unique in its store whatever its case, and only there: another
/// store may use the same one. Listing another store's variant as "removed" in a crafted form frees nothing.
async fn skus_are_unique_per_store_whatever_their_case_and_a_crafted_removal_frees_nothing(db: Db) {
    let ((store_a, seller), (store_b, _)) = two_stores(&db).await;
    let (their_variant, their_sku): (i64, String) = sqlx::query_as(
        "SELECT v.id, v.sku FROM variants v JOIN products p ON p.id = v.product_id WHERE p.seller_id = $1 \
         ORDER BY v.id LIMIT 1",
    )
    .bind(store_b)
    .fetch_one(db.pool())
    .await
    .expect("their variant");
    let mut form = simple_form(&db, &seller, "Same SKU, other store", "5.00").await;
    form.variants[0].sku = their_sku.to_lowercase();
    // The crafted part: the other store's variant listed as one of this form's, removed.
    let mut removed = form.variants[0].clone();
    removed.id = their_variant.to_string();
    removed.remove = "on".into();
    form.variants.push(removed);
    save_product(&db, &seller, &form)
        .await
        .expect("another store's SKU is this store's to use too");
    let holders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM variants WHERE LOWER(sku) = LOWER($1)")
        .bind(&their_sku)
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(holders, 2, "theirs is still there, and this store's");
    // In this store the same SKU in another case is taken.
    let mut again = simple_form(&db, &seller, "Same SKU, same store", "6.00").await;
    again.variants[0].sku = their_sku.to_uppercase();
    match save_product(&db, &seller, &again).await {
        Err(CatalogError::Invalid(errors)) => {
            assert_eq!(errors[0].field, "variants-0-sku", "{errors:?}");
            assert!(errors[0].message.contains("another of your products"), "{errors:?}");
        }
        other => panic!("a store's SKU was taken twice: {other:?}"),
    }
    // And the schema itself refuses a second SKU of one store that differs only in case.
    let product: i64 = sqlx::query_scalar("SELECT id FROM products WHERE seller_id = $1 ORDER BY id LIMIT 1")
        .bind(store_a)
        .fetch_one(db.pool())
        .await
        .expect("product");
    let duplicate = sqlx::query(
        "INSERT INTO variants (id, product_id, sku, title, options, price, currency, weight_grams, position, \
         seller_id, sku_key) VALUES ($1, $2, $3, 'x', '{}', 100, 'USD', 0, 99, $4, $5)",
    )
    .bind(domain::platform::ids::next_id())
    .bind(product)
    .bind(their_sku.to_uppercase())
    .bind(store_a)
    .bind(domain::catalog::editor::sku_key(&their_sku))
    .execute(db.pool())
    .await;
    assert!(
        duplicate.as_ref().is_err_and(domain::platform::is_unique_violation),
        "{duplicate:?}"
    );
}

async fn warehouse_names_are_unique_in_a_store_whatever_their_case(db: Db) {
    let ((store, seller), (_, other)) = two_stores(&db).await;
    let existing: String = sqlx::query_scalar("SELECT name FROM warehouses WHERE seller_id = $1 ORDER BY id LIMIT 1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("warehouse");
    match store_settings::add_warehouse(&db, &seller, &existing.to_uppercase(), "US").await {
        Err(SellerError::Invalid(errors)) => assert!(errors[0].message.contains("already has"), "{errors:?}"),
        other => panic!("a second warehouse of the same name: {other:?}"),
    }
    let second = store_settings::add_warehouse(&db, &seller, "Overflow Shed", "US")
        .await
        .expect("another name");
    assert!(matches!(
        store_settings::rename_warehouse(&db, &seller, second, &existing.to_lowercase()).await,
        Err(SellerError::Invalid(_))
    ));
    // Another store may use the same name.
    store_settings::add_warehouse(&db, &other, &existing, "US")
        .await
        .expect("names are per store");
}

async fn stock_adjustments_stay_within_the_most_a_warehouse_keeps_and_follow_their_reason(db: Db) {
    let ((store, seller), _) = two_stores(&db).await;
    let (variant, warehouse): (i64, i64) = sqlx::query_as(
        "SELECT st.variant_id, st.warehouse_id FROM stock st JOIN warehouses w ON w.id = st.warehouse_id \
         WHERE w.seller_id = $1 ORDER BY st.variant_id LIMIT 1",
    )
    .bind(store)
    .fetch_one(db.pool())
    .await
    .expect("stock");
    let adjust = |units: &str, reason: &str| Adjustment {
        variant_id: variant,
        warehouse_id: warehouse,
        units: units.into(),
        reason: reason.into(),
        mode: "change".into(),
    };
    adjust_stock(&db, &seller, &adjust("900000", "received"))
        .await
        .expect("900,000 more fits a seeded shelf");
    match adjust_stock(&db, &seller, &adjust("200000", "received")).await {
        Err(InventoryError::Invalid(errors)) => assert!(errors[0].message.contains("would pass"), "{errors:?}"),
        other => panic!("a warehouse passed the most it keeps: {other:?}"),
    }
    let units: i64 = sqlx::query_scalar("SELECT available FROM stock WHERE variant_id = $1 AND warehouse_id = $2")
        .bind(variant)
        .bind(warehouse)
        .fetch_one(db.pool())
        .await
        .expect("units");
    assert!(units <= domain::inventory::UNITS_MAX, "{units}");
    for (units, reason) in [("5", "damaged"), ("-5", "received"), ("-5", "returned")] {
        assert!(
            matches!(
                adjust_stock(&db, &seller, &adjust(units, reason)).await,
                Err(InventoryError::Invalid(_))
            ),
            "{reason} {units} was accepted"
        );
    }
    adjust_stock(&db, &seller, &adjust("-5", "damaged"))
        .await
        .expect("damaged units are removed");
}

async fn a_cursor_of_the_wrong_kind_is_the_first_page(db: Db) {
    let ((_, seller), _) = two_stores(&db).await;
    let filter = |after: &str| ProductFilter {
        sort: "title".into(),
        after: after.into(),
        ..ProductFilter::default()
    };
    let first = editor::list(&db, &seller, &filter("")).await.expect("first page");
    let crafted = editor::list(&db, &seller, &filter("1~i5"))
        .await
        .expect("a number for a title sort");
    assert_eq!(
        crafted.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        first.items.iter().map(|r| r.id).collect::<Vec<_>>()
    );
    // A NUL in a cursor or a search (PostgreSQL refuses NUL in text) is no cursor, and no character searched.
    let crafted = editor::list(&db, &seller, &filter("1~sa\0b"))
        .await
        .expect("a NUL in the cursor");
    assert_eq!(crafted.items.len(), first.items.len());
    let nul_search = ProductFilter {
        q: "mug\0".into(),
        ..ProductFilter::default()
    };
    editor::list(&db, &seller, &nul_search)
        .await
        .expect("a NUL in the search");
    domain::inventory::levels::page(&db, &seller, "mug\0", false, "1~a\0")
        .await
        .expect("a NUL in the stock screen's search and cursor");
    let by_date = ProductFilter {
        after: "1~sabc".into(),
        ..ProductFilter::default()
    };
    editor::list(&db, &seller, &by_date)
        .await
        .expect("text for a date sort");
}

async fn a_seller_previews_a_draft_and_nobody_else_does(db: Db) {
    let ((_, seller), (_, other)) = two_stores(&db).await;
    let form = simple_form(&db, &seller, "Unfinished Teapot", "12.00").await;
    let id = save_product(&db, &seller, &form).await.expect("a draft");
    let page = domain::catalog::preview(&db, &seller, id)
        .await
        .expect("the seller's preview");
    assert_eq!(page.card.title, "Unfinished Teapot");
    assert!(matches!(
        domain::catalog::product_by_id(&db, id).await,
        Err(CatalogError::NotFound)
    ));
    let (_, shopper) = crate::harness::actors::shopper(&db).await;
    for intruder in [&other, &shopper] {
        assert!(matches!(
            domain::catalog::preview(&db, intruder, id).await,
            Err(CatalogError::NotFound)
        ));
    }
}

/// Issue 19, defect 9: a variant its seller removes leaves every cart that held it with a note saying so, shown
/// once; another store's crafted "removal" of it tells nobody anything.
async fn a_removed_variant_is_named_in_the_carts_that_held_it(db: Db) {
    let ((store_a, seller_a), (store_b, seller_b)) = two_stores(&db).await;
    let product: i64 = sqlx::query_scalar(
        "SELECT p.id FROM products p JOIN variants v ON v.product_id = p.id WHERE p.seller_id = $1 \
         GROUP BY p.id HAVING COUNT(*) >= 2 ORDER BY p.id LIMIT 1",
    )
    .bind(store_a)
    .fetch_one(db.pool())
    .await
    .expect("a product with two variants");
    let mut form = editor::editor(&db, &seller_a, Some(product), None)
        .await
        .expect("editor")
        .form;
    let gone: i64 = form.variants[1].id.parse().expect("variant id");
    let cart = domain::cart::create_guest_cart(&db).await.expect("cart");
    domain::cart::add(&db, cart, gone, 2).await.expect("add");

    // Another store lists it as a removed variant of its own product: nothing is removed, nobody is told.
    let theirs: i64 = sqlx::query_scalar("SELECT MIN(id) FROM products WHERE seller_id = $1")
        .bind(store_b)
        .fetch_one(db.pool())
        .await
        .expect("their product");
    let mut crafted = editor::editor(&db, &seller_b, Some(theirs), None)
        .await
        .expect("editor")
        .form;
    let mut row = crafted.variants[0].clone();
    row.id = gone.to_string();
    row.remove = "on".into();
    crafted.variants.push(row);
    let _ = save_product(&db, &seller_b, &crafted).await;
    assert!(domain::cart::take_notices(&db, cart).await.expect("notices").is_empty());
    assert_eq!(domain::cart::view(&db, cart).await.expect("cart").item_count, 2);

    form.variants[1].remove = "on".into();
    save_product(&db, &seller_a, &form)
        .await
        .expect("the seller removes the variant");
    assert_eq!(domain::cart::view(&db, cart).await.expect("cart").item_count, 0);
    let notices = domain::cart::take_notices(&db, cart).await.expect("notices");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains(&form.title) && notices[0].contains("taken out of your cart"),
        "{notices:?}"
    );
    assert!(
        domain::cart::take_notices(&db, cart).await.expect("again").is_empty(),
        "shown once"
    );
}

db_tests!(
    a_removed_variant_is_named_in_the_carts_that_held_it,
    a_seller_previews_a_draft_and_nobody_else_does,
    a_price_of_zero_is_refused_unless_the_platform_allows_free_items,
    skus_are_unique_per_store_whatever_their_case_and_a_crafted_removal_frees_nothing,
    warehouse_names_are_unique_in_a_store_whatever_their_case,
    stock_adjustments_stay_within_the_most_a_warehouse_keeps_and_follow_their_reason,
    a_cursor_of_the_wrong_kind_is_the_first_page,
);
