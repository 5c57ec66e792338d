//! The seller's products: creating with an option matrix, publishing rules, pictures, conflicting edits, stock
//! written only where the seller changed it, the index, and another store's products out of reach. Both
//! databases.

use domain::catalog::images::{demo_card, LocalImageStore};
use domain::catalog::{editor, CatalogError};
use domain::workflows::save_product::save_product;
use domain::{seed, Actor, Db};
use model::sellers::{OptionInput, ProductFilter, ProductForm};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::count;

async fn two_stores(db: &Db) -> ((i64, Actor), (i64, Actor)) {
    crate::harness::fixtures::two_stores(db, 60).await
}

async fn leaf_category(db: &Db) -> i64 {
    sqlx::query_scalar(
        "SELECT MIN(c.id) FROM categories c WHERE NOT EXISTS (SELECT 1 FROM categories d WHERE d.parent_id = c.id)",
    )
    .fetch_one(db.pool())
    .await
    .expect("category")
}

/// A kettle in Size S, M × Colour Red, Blue, priced 24.50, as the editor would send it after "Generate".
async fn kettle_form(db: &Db, seller: &Actor, title: &str) -> ProductForm {
    let editor = editor::editor(db, seller, None, None).await.expect("editor");
    let mut form = editor.form;
    form.title = title.into();
    form.category = leaf_category(db).await.to_string();
    form.description = "Hammered copper.\n\n- 1.5 litres\n- **Induction** ready".into();
    form.options = vec![
        OptionInput {
            name: "Size".into(),
            values: "S, M".into(),
        },
        OptionInput {
            name: "Colour".into(),
            values: "Red, Blue".into(),
        },
    ];
    form.variants[0].price = "24.50".into();
    form.variants[0].weight = "900".into();
    editor::generate_variants(&form, &editor::sku_prefix(&editor.store_slug))
}

async fn stock_of(db: &Db, product: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(st.available), 0) AS BIGINT) FROM stock st JOIN variants v ON v.id = st.variant_id \
         WHERE v.product_id = $1",
    )
    .bind(product)
    .fetch_one(db.pool())
    .await
    .expect("stock")
}

fn image_store() -> LocalImageStore {
    LocalImageStore::new(std::env::temp_dir().join(format!("bazaar_seller_img_{}", domain::testing::unique_name())))
}

async fn a_seller_creates_a_product_with_an_option_matrix(db: Db) {
    let ((store, seller), _) = two_stores(&db).await;
    let mut form = kettle_form(&db, &seller, "Copper Kettle").await;
    assert_eq!(form.variants.len(), 4);
    form.variants[1].stock[0].units = "5".into();
    let outbox_before = count(&db, "SELECT COUNT(*) FROM search_outbox").await;
    let id = save_product(&db, &seller, &form).await.expect("save");
    let (owner, status, min_price, version): (i64, String, i64, i64) =
        sqlx::query_as("SELECT seller_id, status, min_price, version FROM products WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .expect("product");
    assert_eq!((owner, status.as_str(), min_price, version), (store, "draft", 2450, 1));
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM variants WHERE product_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(db.pool())
        .await
        .expect("variants");
    assert_eq!(titles, ["S / Red", "S / Blue", "M / Red", "M / Blue"]);
    assert_eq!(stock_of(&db, id).await, 5);
    assert!(
        count(&db, "SELECT COUNT(*) FROM search_outbox").await > outbox_before,
        "search hears of it"
    );
    // The editor shows what was saved, at version 1; the index lists it as a draft.
    let editor = editor::editor(&db, &seller, Some(id), None).await.expect("editor");
    assert_eq!(editor.form.version, "1");
    assert_eq!(editor.form.variants[1].stock[0].units, "5");
    assert_eq!(editor.form.options[0].values, "S, M");
    let page = editor::list(
        &db,
        &seller,
        &ProductFilter {
            q: "copper kettle".into(),
            ..ProductFilter::default()
        },
    )
    .await
    .expect("list");
    assert_eq!(page.total, 1);
    assert_eq!(
        (page.items[0].id, page.items[0].status.as_str(), page.items[0].variants),
        (id, "draft", 4)
    );
}

async fn publishing_needs_a_price_and_a_picture(db: Db) {
    let ((_, seller), _) = two_stores(&db).await;
    let form = kettle_form(&db, &seller, "Quiet Kettle").await;
    let id = save_product(&db, &seller, &form).await.expect("draft");
    let mut publish = editor::editor(&db, &seller, Some(id), None).await.expect("editor").form;
    publish.status = "active".into();
    match save_product(&db, &seller, &publish).await {
        Err(CatalogError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "status");
            assert!(errors[0].message.contains("a picture"), "{}", errors[0].message);
        }
        other => panic!("expected the missing picture named, got {other:?}"),
    }
    let images = image_store();
    let refused = editor::add_pictures(
        &db,
        &images,
        &seller,
        id,
        vec![
            ("kettle.png".into(), demo_card(20, 1, 320)),
            ("notes.txt".into(), b"not a picture".to_vec()),
        ],
    )
    .await
    .expect("upload")
    .refused;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0, "notes.txt");
    assert!(refused[0].1.contains("PNG, JPEG or WebP"));
    // The form opened before the upload is stale now (the upload moved the version on): even a valid save of it
    // is refused, so it cannot drop the new picture.
    publish.status = "draft".into();
    assert!(matches!(
        save_product(&db, &seller, &publish).await,
        Err(CatalogError::Stale { .. })
    ));
    let mut publish = editor::editor(&db, &seller, Some(id), None).await.expect("editor").form;
    assert_eq!(publish.images.len(), 1);
    // A new picture has no alt text (the title would tell a screen reader user nothing about it): the save asks
    // for one; the storefront meanwhile says which picture it is.
    assert_eq!(publish.images[0].alt, "", "no alt text is made up");
    publish.status = "active".into();
    match save_product(&db, &seller, &publish).await {
        Err(CatalogError::Invalid(errors)) => {
            assert!(
                errors.iter().any(|e| e.message.contains("Describe the picture")),
                "{errors:?}"
            )
        }
        other => panic!("expected the alt text asked for, got {other:?}"),
    }
    publish.images[0].alt = "A copper kettle on a stove".into();
    save_product(&db, &seller, &publish).await.expect("publish");
    let status: String = sqlx::query_scalar("SELECT status FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .expect("status");
    assert_eq!(status, "active");
}

async fn a_save_from_an_older_form_is_refused_with_what_changed(db: Db) {
    let ((_, seller), _) = two_stores(&db).await;
    let id = save_product(&db, &seller, &kettle_form(&db, &seller, "Copper Kettle").await)
        .await
        .expect("create");
    let first_tab = editor::editor(&db, &seller, Some(id), None).await.expect("tab 1").form;
    let mut second_tab = first_tab.clone();
    let mut changed = first_tab.clone();
    changed.title = "Copper Kettle, large".into();
    changed.variants[0].price = "29.00".into();
    save_product(&db, &seller, &changed).await.expect("tab 1 saves");
    second_tab.description = "A different description.".into();
    match save_product(&db, &seller, &second_tab).await {
        Err(CatalogError::Stale { changes, version }) => {
            assert_eq!(version, 2);
            let all = changes.join("; ");
            assert!(all.contains("the title is now “Copper Kettle, large”"), "{all}");
            assert!(all.contains("the price of S / Red is now 29.00"), "{all}");
        }
        other => panic!("expected a stale save, got {other:?}"),
    }
    let (title, description): (String, String) =
        sqlx::query_as("SELECT title, description_md FROM products WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .expect("product");
    assert_eq!(title, "Copper Kettle, large", "nothing was overwritten");
    assert!(description.starts_with("Hammered copper."));
}

async fn stock_is_written_only_where_the_seller_changed_it(db: Db) {
    let ((_, seller), _) = two_stores(&db).await;
    let mut form = kettle_form(&db, &seller, "Copper Kettle").await;
    form.variants[0].stock[0].units = "10".into();
    let id = save_product(&db, &seller, &form).await.expect("create");
    let opened = editor::editor(&db, &seller, Some(id), None).await.expect("editor").form;
    // An order takes 3 units while the form is open.
    sqlx::query(
        "UPDATE stock SET available = available - 3 WHERE available >= 3 AND variant_id = \
         (SELECT id FROM variants WHERE product_id = $1 AND position = 0)",
    )
    .bind(id)
    .execute(db.pool())
    .await
    .expect("order");
    // Saving without touching the stock keeps the order's figure.
    let mut renamed = opened.clone();
    renamed.title = "Copper Kettle II".into();
    save_product(&db, &seller, &renamed).await.expect("save");
    assert_eq!(stock_of(&db, id).await, 7);
    // Changing the figure the seller saw (10) is refused: it is 7 now.
    let mut recount = editor::editor(&db, &seller, Some(id), None).await.expect("editor").form;
    recount.variants[0].stock[0].was = "10".into();
    recount.variants[0].stock[0].units = "12".into();
    match save_product(&db, &seller, &recount).await {
        Err(CatalogError::Conflict(message)) => assert!(message.contains("7 now"), "{message}"),
        other => panic!("expected a stock conflict, got {other:?}"),
    }
    assert_eq!(stock_of(&db, id).await, 7);
}

async fn a_sku_used_by_another_product_is_named_on_its_row(db: Db) {
    let ((store, seller), _) = two_stores(&db).await;
    // One of this store's own SKUs (another store's may be used: SKUs are unique per store).
    let taken: String = sqlx::query_scalar("SELECT sku FROM variants WHERE seller_id = $1 ORDER BY id LIMIT 1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("sku");
    let mut form = kettle_form(&db, &seller, "Copper Kettle").await;
    form.variants[2].sku = taken.to_lowercase();
    match save_product(&db, &seller, &form).await {
        Err(CatalogError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "variants-2-sku");
        }
        other => panic!("expected the SKU named, got {other:?}"),
    }
}

async fn another_stores_product_is_out_of_reach(db: Db) {
    let ((_, a), (store_b, b)) = two_stores(&db).await;
    let id = save_product(&db, &a, &kettle_form(&db, &a, "A's Kettle").await)
        .await
        .expect("create");
    assert!(matches!(
        editor::editor(&db, &b, Some(id), None).await,
        Err(CatalogError::NotFound)
    ));
    let mut hijack = editor::editor(&db, &a, Some(id), None).await.expect("editor").form;
    hijack.title = "B was here".into();
    assert!(matches!(
        save_product(&db, &b, &hijack).await,
        Err(CatalogError::NotFound)
    ));
    let images = image_store();
    assert!(matches!(
        editor::add_pictures(&db, &images, &b, id, vec![("x.png".into(), demo_card(1, 1, 64))]).await,
        Err(CatalogError::NotFound)
    ));
    let bulk = editor::set_status_bulk(&db, &b, &[id], "archived").await.expect("bulk");
    assert_eq!(bulk.changed, 0);
    let page = editor::list(&db, &b, &ProductFilter::default()).await.expect("list");
    assert!(page.items.iter().all(|p| p.id != id));
    let owners: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT seller_id FROM products WHERE title = 'A''s Kettle'")
        .fetch_all(db.pool())
        .await
        .expect("owner");
    assert!(!owners.contains(&store_b));
    let (title, status): (String, String) = sqlx::query_as("SELECT title, status FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .expect("unchanged");
    assert_eq!((title.as_str(), status.as_str()), ("A's Kettle", "draft"));
    // A shopper has no products to manage.
    let (_, shopper) = actors::shopper(&db).await;
    assert!(matches!(
        editor::list(&db, &shopper, &ProductFilter::default()).await,
        Err(CatalogError::NotFound)
    ));
}

async fn the_index_filters_sorts_and_pages_without_repeats(db: Db) {
    seed::seed(&db, 400, 4).await.expect("seed");
    let store: i64 = sqlx::query_scalar(
        "SELECT seller_id FROM products GROUP BY seller_id ORDER BY COUNT(*) DESC, seller_id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .expect("store");
    let seller = actors::seller_of(&db, store).await;
    let mine = count(&db, &format!("SELECT COUNT(*) FROM products WHERE seller_id = {store}")).await;
    assert!(mine > editor::PAGE, "the busiest store has more than a page ({mine})");
    for sort in ["", "title", "price"] {
        let mut seen: Vec<i64> = Vec::new();
        let mut filter = ProductFilter {
            sort: sort.into(),
            ..ProductFilter::default()
        };
        let mut last_price = i64::MIN;
        loop {
            let page = editor::list(&db, &seller, &filter).await.expect("page");
            assert_eq!(page.total, mine);
            for row in &page.items {
                assert!(!seen.contains(&row.id), "{sort}: {} twice", row.id);
                seen.push(row.id);
                if sort == "price" {
                    let price = row.price.as_ref().map_or(0, |p| p.amount);
                    assert!(price >= last_price, "prices ascend");
                    last_price = price;
                }
            }
            match page.next {
                Some(next) => filter.after = next,
                None => break,
            }
        }
        assert_eq!(seen.len() as i64, mine, "{sort}: every product once");
    }
    let drafts = editor::set_status_bulk(
        &db,
        &seller,
        &sqlx::query_scalar::<_, i64>("SELECT id FROM products WHERE seller_id = $1 ORDER BY id LIMIT 3")
            .bind(store)
            .fetch_all(db.pool())
            .await
            .expect("ids"),
        "draft",
    )
    .await
    .expect("bulk");
    assert_eq!(drafts.changed, 3);
    let page = editor::list(
        &db,
        &seller,
        &ProductFilter {
            status: "draft".into(),
            ..ProductFilter::default()
        },
    )
    .await
    .expect("drafts");
    assert_eq!(page.total, 3);
}

/// Issue 19, item 7: a picture taken off a product is deleted from the image store once its day has passed and
/// nothing shows it (the same picture on another product keeps its files); a replaced logo too.
async fn removed_pictures_are_deleted_once_nothing_shows_them(db: Db) {
    use domain::catalog::images::ImageStore;
    use domain::catalog::removed_images::{sweep, GRACE_MS};
    let ((_, seller), _) = two_stores(&db).await;
    let images = image_store();
    let mut ids = Vec::new();
    for title in ["Kettle A", "Kettle B"] {
        let form = kettle_form(&db, &seller, title).await;
        ids.push(save_product(&db, &seller, &form).await.expect("product"));
    }
    let (shared, own) = (demo_card(40, 2, 320), demo_card(80, 3, 320));
    let files = vec![("shared.png".into(), shared.clone()), ("own.png".into(), own)];
    editor::add_pictures(&db, &images, &seller, ids[0], files)
        .await
        .expect("A's pictures");
    editor::add_pictures(&db, &images, &seller, ids[1], vec![("shared.png".into(), shared)])
        .await
        .expect("B's picture");
    let take_all_off = |id: i64| {
        let (db, seller) = (db.clone(), seller);
        async move {
            let mut form = editor::editor(&db, &seller, Some(id), None).await.expect("editor").form;
            let keys: Vec<String> = form.images.iter().map(|i| i.key.clone()).collect();
            for image in &mut form.images {
                image.remove = "on".into();
            }
            save_product(&db, &seller, &form).await.expect("saved");
            keys
        }
    };
    let a_keys = take_all_off(ids[0]).await;
    assert_eq!(a_keys.len(), 2);
    let kept = |key: &str| {
        let name = format!("{key}-160.webp");
        let images = &images;
        async move { images.get(&name).await.expect("read").is_some() }
    };
    // Within the day nothing goes; after it, only the picture no product shows.
    assert_eq!(sweep(&db, &images, GRACE_MS).await.expect("sweep"), 0);
    assert!(kept(&a_keys[0]).await && kept(&a_keys[1]).await);
    assert_eq!(sweep(&db, &images, 0).await.expect("sweep"), 1);
    let b_keys = take_all_off(ids[1]).await;
    let shared_key = b_keys[0].clone();
    let own_key = a_keys.iter().find(|k| **k != shared_key).expect("A's own picture");
    assert!(!kept(own_key).await, "A's own picture is deleted");
    assert!(kept(&shared_key).await, "the picture B still showed stays");
    assert_eq!(sweep(&db, &images, 0).await.expect("sweep"), 1);
    assert!(!kept(&shared_key).await, "deleted once B took it off too");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM image_removals").await, 0);
    // A replaced logo goes the same way; the new one stays.
    let settings = domain::sellers::settings::set_logo;
    settings(&db, &images, &seller, demo_card(200, 2, 300))
        .await
        .expect("logo");
    let first: String = sqlx::query_scalar("SELECT logo_key FROM sellers WHERE id = $1")
        .bind(seller.own_store().expect("store"))
        .fetch_one(db.pool())
        .await
        .expect("logo key");
    settings(&db, &images, &seller, demo_card(100, 1, 300))
        .await
        .expect("new logo");
    assert_eq!(sweep(&db, &images, 0).await.expect("sweep"), 1);
    assert!(!kept(&first).await);
    let now: String = sqlx::query_scalar("SELECT logo_key FROM sellers WHERE id = $1")
        .bind(seller.own_store().expect("store"))
        .fetch_one(db.pool())
        .await
        .expect("logo key");
    assert!(kept(&now).await);
}

db_tests!(
    removed_pictures_are_deleted_once_nothing_shows_them,
    a_seller_creates_a_product_with_an_option_matrix,
    publishing_needs_a_price_and_a_picture,
    a_save_from_an_older_form_is_refused_with_what_changed,
    stock_is_written_only_where_the_seller_changed_it,
    a_sku_used_by_another_product_is_named_on_its_row,
    another_stores_product_is_out_of_reach,
    the_index_filters_sorts_and_pages_without_repeats,
);
