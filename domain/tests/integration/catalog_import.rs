//! The catalog's CSV export and import: an export reads back as no change, one edited price is one change that
//! applies, a Shopify file creates drafts (sanitised description, pictures fetched after the apply), every bad row is named
//! with its column and nothing is written, another store's import is out of reach, and an apply is refused when
//! the catalog changed after its dry run. Both databases.

use domain::catalog::transfer;
use domain::workflows::import_products::{self, Applied};
use domain::{seed, Actor, Db};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::count;

/// A seeded catalog and the seller of a store with `warehouses` warehouses (and some products).
pub(crate) async fn store_with(db: &Db, warehouses: i64) -> (i64, Actor) {
    seed::seed(db, 80, 7).await.expect("seed");
    let store: i64 = sqlx::query_scalar(
        "SELECT w.seller_id FROM warehouses w GROUP BY w.seller_id HAVING COUNT(*) = $1 \
         ORDER BY (SELECT COUNT(*) FROM products p WHERE p.seller_id = w.seller_id) DESC, w.seller_id LIMIT 1",
    )
    .bind(warehouses)
    .fetch_one(db.pool())
    .await
    .expect("a store");
    (store, actors::seller_of(db, store).await)
}

pub(crate) async fn export_text(db: &Db, seller: &Actor) -> String {
    let bytes = transfer::export_bytes(db, seller, "http://shop.test")
        .await
        .expect("export");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a byte-order mark");
    String::from_utf8(bytes).expect("utf-8")
}

/// The file with one cell changed: `column` of the data row `row` (0 = first product row).
pub(crate) fn edit(csv_text: &str, row: usize, column: &str, value: &str) -> String {
    let text = csv_text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let at = records[0].iter().position(|h| h == column).expect("column");
    let mut cells: Vec<String> = records[row + 1].iter().map(str::to_string).collect();
    cells[at] = value.to_string();
    records[row + 1] = csv::StringRecord::from(cells);
    let mut out = csv::Writer::from_writer(Vec::new());
    for r in &records {
        out.write_record(r).expect("write");
    }
    String::from_utf8(out.into_inner().expect("bytes")).expect("utf-8")
}

pub(crate) fn cell(csv_text: &str, row: usize, column: &str) -> String {
    let text = csv_text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let at = reader
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == column)
        .expect("column");
    reader.records().nth(row).expect("row").expect("record")[at].to_string()
}

pub(crate) async fn upload(
    db: &Db,
    seller: &Actor,
    text: &str,
    category: Option<i64>,
) -> (i64, model::sellers::ImportReport) {
    let id = import_products::upload(db, seller, "catalog.csv", text.as_bytes(), category)
        .await
        .expect("upload");
    let view = import_products::view(db, seller, id).await.expect("view");
    (id, view.report)
}

async fn an_export_imports_back_with_no_change(db: Db) {
    let (store, seller) = store_with(&db, 2).await;
    let products = count(&db, &format!("SELECT COUNT(*) FROM products WHERE seller_id = {store}")).await;
    assert!(products > 0);
    let text = export_text(&db, &seller).await;
    assert!(text.contains("Bazaar Stock: "), "a stock column per warehouse");
    let (id, report) = upload(&db, &seller, &text, None).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.changes.is_empty(), "{:?}", report.changes);
    assert_eq!(report.products.unchanged as i64, products);
    assert_eq!((report.products.create, report.products.update), (0, 0));
    assert!(!report.changes_anything());
    let versions = count(
        &db,
        &format!("SELECT CAST(SUM(version) AS BIGINT) FROM products WHERE seller_id = {store}"),
    )
    .await;
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    let after = count(
        &db,
        &format!("SELECT CAST(SUM(version) AS BIGINT) FROM products WHERE seller_id = {store}"),
    )
    .await;
    assert_eq!(versions, after, "nothing was rewritten");
}

async fn one_changed_price_is_one_change_and_applies(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    let text = export_text(&db, &seller).await;
    let sku = cell(&text, 0, "Variant SKU");
    let price = cell(&text, 0, "Variant Price");
    let whole: i64 = price.split('.').next().and_then(|w| w.parse().ok()).expect("a price");
    let new_price = format!("{}.45", whole + 3);
    let changed = edit(&text, 0, "Variant Price", &new_price);
    let (id, report) = upload(&db, &seller, &changed, None).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.changes.len(), 1, "{:?}", report.changes);
    assert_eq!((report.variants.update, report.products.update), (1, 1));
    assert_eq!(report.changes[0].row, 2);
    assert!(
        report.changes[0]
            .message
            .contains(&format!("price {price} → {new_price}")),
        "{:?}",
        report.changes
    );
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    let stored: i64 = sqlx::query_scalar("SELECT price FROM variants WHERE sku = $1")
        .bind(&sku)
        .fetch_one(db.pool())
        .await
        .expect("price");
    assert_eq!(domain::catalog::editor::money_text(stored), new_price);
    // The same file again: nothing left to change; and an applied import is not applied twice.
    let (_, again) = upload(&db, &seller, &changed, None).await;
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    assert!(import_products::apply(&db, &seller, id).await.is_err());
}

const SHOPIFY: &str = "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,\
Variant Grams,Variant Inventory Qty,Variant Price,Variant Compare At Price,Image Src,Image Alt Text,Gift Card,Status\n\
enamel-mug,Enamel Mug,\"<p>Camp <strong>classic</strong>.</p><script>alert(1)</script><ul><li>350 ml</li></ul>\",\
Old Shop,Mugs,\"camp, mug\",TRUE,Title,Default Title,MUG-ENAMEL-1,250.0,-2,9.50,9.50,https://cdn.example.com/mug.jpg,\
A white mug,FALSE,active\n\
linen-apron,Linen Apron,<p>Natural linen.</p>,Old Shop,Aprons,,TRUE,Size,S,APRON-LINEN-S,300,4,24.00,30.00,,,FALSE,active\n\
linen-apron,,,,,,,,M,APRON-LINEN-M,320,6,26.00,,,,,\n";

async fn a_shopify_file_creates_drafts_and_imports_twice_as_once(db: Db) {
    let (store, seller) = store_with(&db, 1).await;
    let category: i64 = sqlx::query_scalar(
        "SELECT MIN(c.id) FROM categories c WHERE NOT EXISTS (SELECT 1 FROM categories d WHERE d.parent_id = c.id)",
    )
    .fetch_one(db.pool())
    .await
    .expect("category");
    // Without a category for the rows, the apron (whose Type, Aprons, is none of ours) is refused, naming the
    // column; the mug's Type names a category.
    let (_, refused) = upload(&db, &seller, SHOPIFY, None).await;
    assert!(
        refused
            .errors
            .iter()
            .any(|e| e.row == 3 && e.column == "Bazaar Category"),
        "{:?}",
        refused.errors
    );
    let (id, report) = upload(&db, &seller, SHOPIFY, Some(category)).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.products.create, report.variants.create), (2, 3));
    let notes: Vec<(usize, &str)> = report.notices.iter().map(|n| (n.row, n.column.as_str())).collect();
    for expected in [(1, ""), (2, "Status"), (2, "Variant Inventory Qty")] {
        assert!(notes.contains(&expected), "{expected:?} in {notes:?}");
    }
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    let (owner, status, description): (i64, String, String) =
        sqlx::query_as("SELECT seller_id, status, description_md FROM products WHERE slug = 'enamel-mug'")
            .fetch_one(db.pool())
            .await
            .expect("mug");
    assert_eq!((owner, status.as_str()), (store, "draft"), "no picture yet: a draft");
    // Its picture is fetched after the apply (tests/integration/picture_fetches.rs), which publishes it.
    assert_eq!(report.pictures, 1);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM picture_fetches WHERE state = 'waiting' AND publish = 1"
        )
        .await,
        1
    );
    assert_eq!(description, "Camp **classic**.\n\n- 350 ml");
    let (weight, compare_at): (i64, Option<i64>) =
        sqlx::query_as("SELECT weight_grams, compare_at_price FROM variants WHERE sku = 'MUG-ENAMEL-1'")
            .fetch_one(db.pool())
            .await
            .expect("mug variant");
    assert_eq!(
        (weight, compare_at),
        (250, None),
        "grams rounded; a compare-at equal to the price is no sale"
    );
    let apron_units = count(
        &db,
        "SELECT CAST(SUM(st.available) AS BIGINT) FROM stock st JOIN variants v ON v.id = st.variant_id \
         WHERE v.sku LIKE 'APRON-LINEN-%'",
    )
    .await;
    assert_eq!(apron_units, 10);
    let mug_units = count(
        &db,
        "SELECT CAST(COALESCE(SUM(st.available), 0) AS BIGINT) FROM stock st JOIN variants v ON v.id = st.variant_id \
         WHERE v.sku = 'MUG-ENAMEL-1'",
    )
    .await;
    assert_eq!(mug_units, 0, "negative stock reads as none");
    // The same file again changes nothing.
    let (_, again) = upload(&db, &seller, SHOPIFY, Some(category)).await;
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    assert_eq!(again.products.unchanged, 2);
    // And exporting what was imported, then importing that, changes nothing either.
    let (_, round) = upload(&db, &seller, &export_text(&db, &seller).await, None).await;
    assert!(
        round.changes.is_empty() && round.errors.is_empty(),
        "{:?} {:?}",
        round.changes,
        round.errors
    );
}

/// Issue 19 named every bad row; issue 27: a product with problems is skipped and the rest applies, while a
/// problem with the file's columns stops it all.
async fn every_bad_row_is_named_and_skipped_while_the_rest_applies(db: Db) {
    let (store, seller) = store_with(&db, 2).await;
    let other_sku: String = sqlx::query_scalar(
        "SELECT v.sku FROM variants v JOIN products p ON p.id = v.product_id WHERE p.seller_id <> $1 LIMIT 1",
    )
    .bind(store)
    .fetch_one(db.pool())
    .await
    .expect("sku");
    let other_handle: String = sqlx::query_scalar("SELECT slug FROM products WHERE seller_id <> $1 LIMIT 1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("handle");
    let text = format!(
        "Handle,Title,Variant SKU,Variant Price,Bazaar Category,Variant Inventory Qty\n\
         good-one,Good One,GOOD-1,5.00,{cat},\n\
         bad-price,Bad Price,BAD-1,abc,{cat},\n\
         taken-sku,Taken,{other_sku},5.00,{cat},\n\
         twice-a,Twice A,TWICE-1,5.00,{cat},\n\
         twice-b,Twice B,twice-1,5.00,{cat},\n\
         no-category,No Category,NOCAT-1,5.00,nowhere,\n\
         {other_handle},Theirs,THEIRS-1,5.00,{cat},\n\
         Bad Handle,Bad,BADH-1,5.00,{cat},\n\
         two-houses,Two Houses,TWO-1,5.00,{cat},7\n\
         untitled,,UNT-1,5.00,,\n\
         ,No Handle,NOH-1,5.00,{cat},\n",
        cat = leaf_slug(&db).await
    );
    let products = count(&db, "SELECT COUNT(*) FROM products").await;
    let (id, report) = upload(&db, &seller, &text, None).await;
    let found: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(
        found,
        [
            (3, "Variant Price"),
            (7, "Bazaar Category"),
            (8, "Handle"),
            (9, "Handle"),
            // Every problem of a row at once.
            (11, "Bazaar Category"),
            (11, "Title"),
            (12, "Handle"),
        ],
        "{:?}",
        report.errors
    );
    // Issue 27: another store's SKU is this one's to use (row 4), a SKU on two rows stays on the first and the
    // second gets its own (row 6), and one Inventory Qty in a store with two warehouses is the first one's.
    let notices: Vec<(usize, &str)> = report.notices.iter().map(|n| (n.row, n.column.as_str())).collect();
    assert!(
        notices.contains(&(6, "Variant SKU")) && notices.contains(&(1, "Variant Inventory Qty")),
        "{notices:?}"
    );
    // A file that is not text is refused whole, saying so.
    for bytes in [&b"Handle,Title\nmug,Mug\0\n"[..], &b""[..]] {
        match import_products::upload(&db, &seller, "x.csv", bytes, None).await {
            Err(domain::catalog::CatalogError::Invalid(errors)) => assert_eq!(errors[0].field, "file"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    // Issue 27: the products with problems are skipped and the rest applies (rows 2, 4, 5, 6 and 10).
    assert_eq!(
        (report.products.skipped, report.products.create),
        (5, 5),
        "{:?}",
        report.products
    );
    // The row without a handle belongs to no product, and its variant is counted skipped with the others'.
    assert_eq!(report.variants.skipped, 6, "{:?}", report.variants);
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM products").await, products + 5);
    let skipped = count(
        &db,
        "SELECT COUNT(*) FROM products WHERE slug IN ('bad-price', 'no-category', 'untitled') OR title = 'Theirs'",
    )
    .await;
    assert_eq!(skipped, 0, "nothing of a skipped product is written");
    // A problem with the file itself (its columns) stops it all.
    let header_wrong = format!(
        "Handle,Title,Variant Price,Bazaar Category,Bazaar Stock: Nowhere\nlone-one,Lone One,5.00,{},3\n",
        leaf_slug(&db).await
    );
    let (id, report) = upload(&db, &seller, &header_wrong, None).await;
    assert!(report.file_refused(), "{:?}", report.errors);
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Replanned
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM products WHERE slug = 'lone-one'").await,
        0
    );
}

pub(crate) async fn leaf_slug(db: &Db) -> String {
    sqlx::query_scalar(
        "SELECT c.slug FROM categories c WHERE NOT EXISTS (SELECT 1 FROM categories d WHERE d.parent_id = c.id) \
         ORDER BY c.id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .expect("category")
}

async fn another_store_and_a_shopper_cannot_reach_an_import(db: Db) {
    let (store, seller) = store_with(&db, 1).await;
    let (id, _) = upload(&db, &seller, &export_text(&db, &seller).await, None).await;
    let other: i64 = sqlx::query_scalar("SELECT id FROM sellers WHERE id <> $1 ORDER BY id LIMIT 1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("other");
    let intruder = actors::seller_of(&db, other).await;
    let (_, shopper) = actors::shopper(&db).await;
    for actor in [&intruder, &shopper] {
        assert!(matches!(
            import_products::view(&db, actor, id).await,
            Err(domain::catalog::CatalogError::NotFound)
        ));
        assert!(matches!(
            import_products::apply(&db, actor, id).await,
            Err(domain::catalog::CatalogError::NotFound)
        ));
    }
    assert!(transfer::export_bytes(&db, &shopper, "").await.is_err());
    assert_eq!(
        count(
            &db,
            &format!("SELECT COUNT(*) FROM product_imports WHERE id = {id} AND applied_at IS NULL")
        )
        .await,
        1
    );
}

async fn an_apply_after_the_catalog_changed_is_refused(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    let text = export_text(&db, &seller).await;
    let sku = cell(&text, 0, "Variant SKU");
    let changed = edit(&text, 0, "Variant Price", "999.00");
    let (id, report) = upload(&db, &seller, &changed, None).await;
    assert_eq!(report.changes.len(), 1);
    // Meanwhile the seller sets the same price in the editor: the file's one change is no change any more.
    let variant: i64 = sqlx::query_scalar("SELECT id FROM variants WHERE sku = $1")
        .bind(&sku)
        .fetch_one(db.pool())
        .await
        .expect("variant");
    crate::harness::fixtures::seller_sets_price(&db, variant, 99_900).await;
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Replanned
    );
    let view = import_products::view(&db, &seller, id).await.expect("view");
    assert!(view.applied_at.is_none());
    assert!(
        view.report.changes.is_empty(),
        "the report is the new check: {:?}",
        view.report.changes
    );
}

/// Issue 19, defect 1: accented, CJK and emoji text in every cell and header, in a semicolon-separated file (what
/// a spreadsheet in much of Europe saves) with decimal commas: read as it is, never a panic.
async fn european_text_and_semicolons_import_as_they_are(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    let text = format!(
        "Handle;Title;Body (HTML);Vendor;Type;Tags;Option1 Name;Option1 Value;Variant SKU;Variant Price;\
         Bazaar Category;Prix barré (€);茶;🎁\n\
         cafe-the;Café & thé — crème 🍵;\"<p>Café &amp; thé — crème</p><p>茶&amp;茶器のセット 🎁</p>\";Müller;Thé;été;\
         Größe;Klein;CAFE-THE-1;12,50;{cat};3,00;緑;🎁\n\
         cafe-the;;;;;;;Groß;CAFE-THE-2;14,00;;;;\n",
        cat = leaf_slug(&db).await
    );
    let (id, report) = upload(&db, &seller, &text, None).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.products.create, report.variants.create), (1, 2));
    assert!(
        report
            .notices
            .iter()
            .any(|n| n.message.contains("Prix barré (€), 茶, 🎁")),
        "{:?}",
        report.notices
    );
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    let (title, description): (String, String) =
        sqlx::query_as("SELECT title, description_md FROM products WHERE slug = 'cafe-the'")
            .fetch_one(db.pool())
            .await
            .expect("product");
    assert_eq!(title, "Café & thé — crème 🍵");
    assert_eq!(description, "Café & thé — crème\n\n茶&茶器のセット 🎁");
    let prices: Vec<i64> = sqlx::query_scalar("SELECT price FROM variants WHERE sku LIKE 'CAFE-THE-%' ORDER BY sku")
        .fetch_all(db.pool())
        .await
        .expect("prices");
    assert_eq!(prices, [1250, 1400]);
    // The store's own export of it reads back as no change.
    let (_, round) = upload(&db, &seller, &export_text(&db, &seller).await, None).await;
    assert!(
        round.errors.is_empty() && round.changes.is_empty(),
        "{:?} {:?}",
        round.errors,
        round.changes
    );
}

/// Issue 19, defect 3: an edit made in the editor between the dry run and "Apply" is not overwritten, even when
/// the report's words would read the same; and of two applies at once, one applies and the other is told.
async fn an_edit_between_the_check_and_apply_is_kept_and_an_import_applies_once(db: Db) {
    let (store, seller) = store_with(&db, 1).await;
    let text = export_text(&db, &seller).await;
    let described = edit(&text, 0, "Body (HTML)", "<p>From the file.</p>");
    let (id, report) = upload(&db, &seller, &described, None).await;
    assert_eq!(report.changes.len(), 1, "{:?}", report.changes);
    // Meanwhile the seller rewrites the description in the editor.
    let handle = cell(&text, 0, "Handle");
    let product: i64 = sqlx::query_scalar("SELECT id FROM products WHERE slug = $1 AND seller_id = $2")
        .bind(&handle)
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("product");
    let mut form = domain::catalog::editor::editor(&db, &seller, Some(product), None)
        .await
        .expect("editor")
        .form;
    form.description = "Written in the editor.".into();
    domain::workflows::save_product::save_product(&db, &seller, &form)
        .await
        .expect("save");
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Replanned
    );
    let kept: String = sqlx::query_scalar("SELECT description_md FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(db.pool())
        .await
        .expect("description");
    assert_eq!(kept, "Written in the editor.");
    // The new check is applied from two tabs at once: once.
    let (a, b) = tokio::join!(
        import_products::apply(&db, &seller, id),
        import_products::apply(&db, &seller, id)
    );
    let outcomes = [&a, &b];
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Ok(Applied::Done { .. })))
            .count(),
        1,
        "{a:?} {b:?}"
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Err(domain::catalog::CatalogError::Conflict(m)) if m.contains("already imported")))
            .count(),
        1,
        "{a:?} {b:?}"
    );
}

/// Issue 19, defect 4: a store keeps at most 20 checked files waiting, and files older than their 7 days go.
async fn kept_files_have_a_quota_and_expire(db: Db) {
    let (store, seller) = store_with(&db, 1).await;
    let text = format!(
        "Handle,Title,Variant SKU,Variant Price,Bazaar Category\nquota-mug,Quota Mug,QUOTA-1,5.00,{}\n",
        leaf_slug(&db).await
    );
    for _ in 0..20 {
        upload(&db, &seller, &text, None).await;
    }
    match import_products::upload(&db, &seller, "one-more.csv", text.as_bytes(), None).await {
        Err(domain::catalog::CatalogError::Invalid(errors)) => {
            assert!(
                errors[0].message.contains("20 checked files waiting"),
                "{}",
                errors[0].message
            )
        }
        other => panic!("a 21st waiting file was kept: {other:?}"),
    }
    // A week later they are gone, and the store may upload again.
    sqlx::query("UPDATE product_imports SET created_at = created_at - $1 WHERE seller_id = $2")
        .bind(8 * 24 * 60 * 60 * 1000_i64)
        .bind(store)
        .execute(db.pool())
        .await
        .expect("a week passes");
    assert_eq!(import_products::purge_expired(&db).await.expect("purge"), 20);
    upload(&db, &seller, &text, None).await;
}

/// `count` products in the Shopify layout, each of one variant priced `price` cents.
fn generated(count: usize, price: i64) -> String {
    let mut text = SHOPIFY.lines().next().expect("header").to_string();
    text.push('\n');
    for i in 1..=count {
        text.push_str(&format!(
            "gen-{i},Generated {i},<p>Number {i}.</p>,Old Shop,,,TRUE,Title,Default Title,GEN-{i},100,5,{}.{:02},,,,FALSE,draft\n",
            price / 100,
            price % 100
        ));
    }
    text
}

/// Issue 19, defect 4: a large file is written a few products per transaction (so a shopper's checkout never
/// waits behind the whole file), its progress recorded as it goes; a product edited while the file is being
/// written is left as the edit made it (never overwritten), named on the import's page, and the rest is written.
async fn a_large_import_is_written_in_steps_and_an_edit_meanwhile_is_kept(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    let category = leaf_id(&db).await;
    let (id, report) = upload(&db, &seller, &generated(60, 1_000), Some(category)).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    let progress = import_products::view(&db, &seller, id).await.expect("view").progress;
    assert_eq!((progress.done, progress.planned), (60, 60));
    assert!(progress.finished_at.is_some() && !progress.stopped && progress.left_out.is_empty());

    // Every price changes; while the file waits for its turn to write, the seller renames product 37 in another
    // transaction, which commits after the apply read the catalog and before it writes that product.
    let (id, report) = upload(&db, &seller, &generated(60, 1_250), Some(category)).await;
    assert_eq!(report.products.update, 60, "{:?}", report.errors);
    let mut meanwhile = db.begin_write().await.expect("a concurrent writer");
    sqlx::query("UPDATE products SET title = 'Renamed meanwhile', version = version + 1 WHERE slug = 'gen-37'")
        .execute(&mut *meanwhile)
        .await
        .expect("rename");
    let apply = tokio::spawn({
        let (db, seller) = (db.clone(), seller);
        async move { import_products::apply(&db, &seller, id).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    meanwhile.commit().await.expect("commit the rename");
    assert_eq!(
        apply.await.expect("task").expect("apply"),
        Applied::Done { left_out: 1 }
    );
    let prices: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT p.slug, p.title, v.price FROM products p JOIN variants v ON v.product_id = p.id \
         WHERE p.slug LIKE 'gen-%' ORDER BY p.slug",
    )
    .fetch_all(db.pool())
    .await
    .expect("prices");
    assert_eq!(prices.len(), 60);
    for (slug, title, price) in &prices {
        if slug == "gen-37" {
            assert_eq!(
                (title.as_str(), *price),
                ("Renamed meanwhile", 1_000),
                "the edit is kept whole"
            );
        } else {
            assert_eq!(*price, 1_250, "{slug}");
        }
    }
    let progress = import_products::view(&db, &seller, id).await.expect("view").progress;
    assert_eq!((progress.done, progress.planned), (60, 60));
    assert_eq!(progress.left_out.len(), 1);
    assert_eq!(progress.left_out[0].row, 38, "gen-37's row (the header is row 1)");
    assert!(
        progress.left_out[0].message.contains("Generated 37"),
        "{:?}",
        progress.left_out
    );

    // An import whose server stopped midway says so (and how far it got) once no step came for a while.
    sqlx::query(
        "UPDATE product_imports SET finished_at = NULL, products_done = 25, progress_at = progress_at - 600000 \
         WHERE id = $1",
    )
    .bind(id)
    .execute(db.pool())
    .await
    .expect("a stop");
    let progress = import_products::view(&db, &seller, id).await.expect("view").progress;
    assert!(progress.stopped && progress.done == 25, "{progress:?}");
}

/// Issue 27: a file applies in the background: the apply answers once the file is planned and claimed, before
/// its products are written, and the import's page counts them to the end; applying it again is refused.
async fn a_file_applies_in_the_background_and_its_progress_is_followed(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    let category = leaf_id(&db).await;
    let (id, _) = upload(&db, &seller, &generated(300, 1_000), Some(category)).await;
    assert_eq!(
        import_products::apply_in_background(&db, &seller, id)
            .await
            .expect("apply"),
        Applied::Started
    );
    let answered = domain::platform::clock::now_ms();
    let started = std::time::Instant::now();
    let progress = loop {
        let progress = import_products::view(&db, &seller, id).await.expect("view").progress;
        if progress.finished_at.is_some() || started.elapsed().as_secs() > 60 {
            break progress;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!((progress.done, progress.planned), (300, 300), "{progress:?}");
    assert!(
        progress.finished_at.is_some_and(|f| f >= answered),
        "the apply answered before the last product was written"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM products WHERE slug LIKE 'gen-%'").await,
        300
    );
    let again = import_products::apply_in_background(&db, &seller, id).await;
    assert!(
        matches!(again, Err(domain::catalog::CatalogError::Conflict(_))),
        "{again:?}"
    );
}

pub(crate) async fn leaf_id(db: &Db) -> i64 {
    sqlx::query_scalar(
        "SELECT MIN(c.id) FROM categories c WHERE NOT EXISTS (SELECT 1 FROM categories d WHERE d.parent_id = c.id)",
    )
    .fetch_one(db.pool())
    .await
    .expect("category")
}

db_tests!(
    a_large_import_is_written_in_steps_and_an_edit_meanwhile_is_kept,
    a_file_applies_in_the_background_and_its_progress_is_followed,
    kept_files_have_a_quota_and_expire,
    european_text_and_semicolons_import_as_they_are,
    an_edit_between_the_check_and_apply_is_kept_and_an_import_applies_once,
    an_export_imports_back_with_no_change,
    one_changed_price_is_one_change_and_applies,
    a_shopify_file_creates_drafts_and_imports_twice_as_once,
    every_bad_row_is_named_and_skipped_while_the_rest_applies,
    another_store_and_a_shopper_cannot_reach_an_import,
    an_apply_after_the_catalog_changed_is_refused,
);
