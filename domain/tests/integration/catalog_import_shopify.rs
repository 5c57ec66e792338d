//! Issue 27: a Shopify product export imports as it is. SKUs as real stores write them (spaces, Excel's
//! apostrophe, one SKU on two rows, another store's SKU), one Inventory Qty in a store with two warehouses,
//! entities and non-breaking spaces in Body (HTML), quoted newlines, CRLF; UTF-16 and Windows-1252 files. Both
//! databases.

use domain::workflows::import_products::{self, Applied};
use domain::{Actor, Db};

use crate::catalog_import::{leaf_id, store_with};
use crate::db_tests;
use crate::harness::fixtures::count;

/// Shopify's product CSV columns, as its export writes them.
const HEADER: &str = "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,\
Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,\
Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,\
Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,\
Image Alt Text,Gift Card,SEO Title,SEO Description,Variant Image,Variant Weight Unit,Cost per item,Status";

/// One row: handle, title, body, option name and value, SKU, units, price (the other columns as Shopify fills
/// them; the SEO title is the title's, "– Ridge Tools").
fn row(handle: &str, title: &str, body: &str, option: (&str, &str), sku: &str, units: &str, price: &str) -> String {
    let seo = if title.is_empty() {
        String::new()
    } else {
        format!("{title} – Ridge Tools")
    };
    let quoted = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
    [
        handle.to_string(),
        quoted(title),
        quoted(body),
        "Ridge Tools".into(),
        "Hardware > Tools".into(),
        "Tools".into(),
        quoted("winter, ice tools"),
        if title.is_empty() { String::new() } else { "TRUE".into() },
        option.0.into(),
        quoted(option.1),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        quoted(sku),
        "120.0".into(),
        "shopify".into(),
        units.into(),
        "deny".into(),
        "manual".into(),
        price.into(),
        String::new(),
        "TRUE".into(),
        "TRUE".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        "FALSE".into(),
        quoted(&seo),
        quoted(if title.is_empty() {
            ""
        } else {
            "Made to last, sold by Ridge."
        }),
        String::new(),
        "kg".into(),
        String::new(),
        "active".into(),
    ]
    .join(",")
}

/// The file: a wrench whose SKU has spaces and whose description an entity and a non-breaking space; a scrub
/// whose two sizes share one SKU and whose description holds a line break; two bolt packs whose SKUs Excel
/// kept as `'4160` (the same one twice). CRLF line ends.
pub(crate) fn shopify_file() -> String {
    [
        HEADER.to_string(),
        row(
            "ice-wrench",
            "Ice Wrench",
            "<p>Steel &amp;\u{a0}grip — 15\u{a0}mm</p>",
            ("Title", "Default Title"),
            "Tool - Ice 15mm Wrench",
            "7",
            "14.00",
        ),
        row(
            "mud-scrub",
            "Mud Scrub",
            "<p>Line one</p>\r\n<p>Line two</p>",
            ("Size", "S"),
            "MUD SCRUB",
            "3",
            "9.50",
        ),
        row("mud-scrub", "", "", ("", "M"), "MUD SCRUB", "4", "9.50"),
        row(
            "bolt-pack",
            "Bolt Pack",
            "<p>Ten bolts.</p>",
            ("Title", "Default Title"),
            "'4160",
            "-2",
            "5.00",
        ),
        row(
            "bolt-pack-xl",
            "Bolt Pack XL",
            "<p>Twenty bolts.</p>",
            ("Title", "Default Title"),
            "'4160",
            "1",
            "6.00",
        ),
    ]
    .join("\r\n")
        + "\r\n"
}

pub(crate) async fn checked(db: &Db, seller: &Actor, bytes: &[u8]) -> (i64, model::sellers::ImportReport) {
    let category = leaf_id(db).await;
    let id = import_products::upload(db, seller, "products_export.csv", bytes, Some(category))
        .await
        .expect("upload");
    (id, import_products::view(db, seller, id).await.expect("view").report)
}

pub(crate) fn has_notice(report: &model::sellers::ImportReport, row: usize, column: &str, words: &str) -> bool {
    report
        .notices
        .iter()
        .any(|n| n.row == row && n.column == column && n.message.contains(words))
}

pub(crate) async fn units(db: &Db, sku: &str) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT st.available FROM stock st JOIN variants v ON v.id = st.variant_id \
         JOIN warehouses w ON w.id = st.warehouse_id WHERE v.sku = $1 ORDER BY w.created_at, w.id",
    )
    .bind(sku)
    .fetch_all(db.pool())
    .await
    .expect("units")
}

async fn a_shopify_export_with_real_skus_imports_as_it_is(db: Db) {
    let (store, seller) = store_with(&db, 2).await;
    let (id, report) = checked(&db, &seller, shopify_file().as_bytes()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.products.create, report.variants.create), (4, 5));
    for (row, column, words) in [
        (1, "Variant Inventory Qty", "read as the units in"),
        (4, "Variant SKU", "also on row 3"),
        (6, "Variant SKU", "also on row 5"),
        (5, "Variant SKU", "2 SKUs (rows 5, 6)"),
    ] {
        assert!(has_notice(&report, row, column, words), "{words}: {:?}", report.notices);
    }
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    // The SKUs as the store wrote them; the repeated ones given their own.
    assert_eq!(
        units(&db, "Tool - Ice 15mm Wrench").await,
        [7, 0],
        "the first warehouse's units"
    );
    assert_eq!(units(&db, "MUD SCRUB").await, [3, 0]);
    assert_eq!(units(&db, "4160").await, [0, 0], "a negative figure reads as none");
    let skus: Vec<String> = sqlx::query_scalar(
        "SELECT v.sku FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE p.seller_id = $1 AND p.slug IN ('mud-scrub', 'bolt-pack-xl') ORDER BY p.slug, v.position",
    )
    .bind(store)
    .fetch_all(db.pool())
    .await
    .expect("skus");
    assert_eq!(skus.len(), 3);
    assert!(skus.iter().all(|s| !s.is_empty()));
    assert!(
        skus[0] != "4160" && skus[2] != "MUD SCRUB" && skus[1] == "MUD SCRUB",
        "{skus:?}"
    );
    let description: String = sqlx::query_scalar("SELECT description_md FROM products WHERE slug = 'ice-wrench'")
        .fetch_one(db.pool())
        .await
        .expect("description");
    assert!(
        description.contains("Steel &") && description.contains("grip"),
        "{description}"
    );
    let (seo_title, seo_description): (String, String) =
        sqlx::query_as("SELECT seo_title, seo_description FROM products WHERE slug = 'ice-wrench'")
            .fetch_one(db.pool())
            .await
            .expect("seo");
    assert_eq!(
        (seo_title.as_str(), seo_description.as_str()),
        ("Ice Wrench – Ridge Tools", "Made to last, sold by Ridge.")
    );
    // The same file again changes nothing.
    let (_, again) = checked(&db, &seller, shopify_file().as_bytes()).await;
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(
        (again.products.create, again.products.update, again.variants.create),
        (0, 0, 0),
        "{:?}",
        again.changes
    );
}

/// Issue 27: what else a Shopify file holds: SKUs one whatever their case by Unicode's rules (on both databases),
/// another store's SKU allowed, Shopify's taxonomy path finding a category, an SEO title too long named on its row.
async fn case_taxonomy_and_seo_from_a_shopify_file(db: Db) {
    let (store, seller) = store_with(&db, 2).await;
    // SKUs are one whatever their case, by Unicode's rules on both databases: "ÉTUI" and "étui" are one SKU.
    let cased = format!(
        "{HEADER}\n{}\n{}\n",
        row(
            "etui-a",
            "Etui A",
            "",
            ("Title", "Default Title"),
            "ÉTUI-7",
            "1",
            "3.00"
        ),
        row(
            "etui-b",
            "Etui B",
            "",
            ("Title", "Default Title"),
            "étui-7",
            "1",
            "3.00"
        )
    );
    let (id, report) = checked(&db, &seller, cased.as_bytes()).await;
    assert!(
        has_notice(&report, 3, "Variant SKU", "also on row 2"),
        "{:?}",
        report.notices
    );
    import_products::apply(&db, &seller, id).await.expect("apply");
    let later = format!(
        "{HEADER}\n{}\n",
        row(
            "etui-c",
            "Etui C",
            "",
            ("Title", "Default Title"),
            "étui-7",
            "1",
            "3.00"
        )
    );
    let (_, report) = checked(&db, &seller, later.as_bytes()).await;
    let found: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(found, [(2, "Variant SKU")], "{:?}", report.errors);
    // Another store's SKU is this store's to use too.
    let theirs: String = sqlx::query_scalar(
        "SELECT v.sku FROM variants v JOIN products p ON p.id = v.product_id WHERE p.seller_id <> $1 LIMIT 1",
    )
    .bind(store)
    .fetch_one(db.pool())
    .await
    .expect("their SKU");
    let mine = format!(
        "{HEADER}\n{}\n",
        row(
            "copy-cat",
            "Copy Cat",
            "",
            ("Title", "Default Title"),
            &theirs,
            "1",
            "3.00"
        )
    );
    let (_, report) = checked(&db, &seller, mine.as_bytes()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Shopify's taxonomy path finds our category by its most precise part that is one of ours.
    let taxonomy = "Handle,Title,Product Category,Type,Variant SKU,Variant Price\n\
                    dutch-oven-x,Dutch Oven X,Home & Garden > Kitchen & Dining > Cookware,,PAN-X,12.00\n";
    let id = import_products::upload(&db, &seller, "products_export.csv", taxonomy.as_bytes(), None)
        .await
        .expect("upload");
    let report = import_products::view(&db, &seller, id).await.expect("view").report;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    import_products::apply(&db, &seller, id).await.expect("apply");
    let category: String = sqlx::query_scalar(
        "SELECT c.name FROM products p JOIN categories c ON c.id = p.category_id WHERE p.slug = 'dutch-oven-x'",
    )
    .fetch_one(db.pool())
    .await
    .expect("category");
    assert_eq!(category, "Cookware");
    // An SEO title longer than search engines show is that product's problem, named on its row.
    let long = mine.replace("Copy Cat – Ridge Tools", &"x".repeat(71));
    let (_, report) = checked(&db, &seller, long.as_bytes()).await;
    let found: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(found, [(2, "SEO Title")], "{:?}", report.errors);
}

/// Excel's "Unicode text" (UTF-16 with tabs) and its Windows "CSV" (Windows-1252) read as they are, and the report
/// says how; a file that says it is UTF-8 and is not is refused with the row.
async fn utf16_and_windows_1252_files_read_as_they_are(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    let text = format!(
        "{HEADER}\n{}\n",
        row(
            "cafe-kettle",
            "Café Kettle",
            "<p>Crème</p>",
            ("Title", "Default Title"),
            "CAFE-1",
            "2",
            "30.00"
        )
    );
    // Tab-separated (a quoted cell's comma becomes a tab inside its quotes, which is still one cell).
    let tabbed = text
        .replace("Made to last, sold", "Made to last and sold")
        .replace(',', "\t");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(tabbed.encode_utf16().flat_map(u16::to_le_bytes));
    let (unicode, report) = checked(&db, &seller, &utf16).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(has_notice(&report, 1, "", "UTF-16"), "{:?}", report.notices);
    assert!(has_notice(&report, 1, "", "separated by tabs"), "{:?}", report.notices);
    assert!(
        report.changes.iter().any(|c| c.message.contains("Café Kettle")),
        "{:?}",
        report.changes
    );
    let windows: Vec<u8> = text
        .chars()
        .map(|c| match c {
            'é' => 0xE9,
            'è' => 0xE8,
            '–' => 0x96,
            c => c as u8,
        })
        .collect();
    let (id, report) = checked(&db, &seller, &windows).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(has_notice(&report, 1, "", "Windows-1252"), "{:?}", report.notices);
    // The UTF-16 file applies first, so the Windows one is checked again at its apply: its new report still says
    // how its bytes were read (only the upload saw them).
    import_products::apply(&db, &seller, unicode).await.expect("apply");
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Replanned
    );
    let report = import_products::view(&db, &seller, id).await.expect("view").report;
    assert!(has_notice(&report, 1, "", "Windows-1252"), "{:?}", report.notices);
    let title: String = sqlx::query_scalar("SELECT title FROM products WHERE slug = 'cafe-kettle'")
        .fetch_one(db.pool())
        .await
        .expect("title");
    assert_eq!(title, "Café Kettle");
    let mut broken = b"\xEF\xBB\xBF".to_vec();
    broken.extend(text.as_bytes());
    broken[HEADER.len() + 20] = 0xFF;
    match import_products::upload(&db, &seller, "x.csv", &broken, None).await {
        Err(e) => assert!(format!("{e:?}").contains("row 2 is not"), "{e:?}"),
        Ok(_) => panic!("a file that says UTF-8 and is not was read"),
    }
    // Without the mark too, once accented letters were UTF-8 before the break (else every accent would garble).
    let mut damaged = text.into_bytes();
    let last = damaged.len() - 3;
    damaged[last] = 0xFF;
    match import_products::upload(&db, &seller, "x.csv", &damaged, None).await {
        Err(e) => assert!(format!("{e:?}").contains("row 2 is not"), "{e:?}"),
        Ok(_) => panic!("a damaged UTF-8 file was read as Windows-1252"),
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM products WHERE slug = 'cafe-kettle'").await,
        1
    );
}

db_tests!(
    a_shopify_export_with_real_skus_imports_as_it_is,
    case_taxonomy_and_seo_from_a_shopify_file,
    utf16_and_windows_1252_files_read_as_they_are,
);
