//! Issue 27: a product's tags, barcodes, costs and weights in any unit. A Shopify file's Tags are kept (trimmed, each once, in their order), written back by
//! the export in the same column, found by the storefront's search, and filter the seller's products list in any
//! case; a change to them is one line of the import's report. Both databases.

use domain::catalog::{self, editor, parse_search, RawSearch};
use domain::workflows::import_products;
use domain::Db;
use model::sellers::ProductFilter;

use crate::catalog_import::{export_text, leaf_id, store_with};
use crate::db_tests;

const FILE: &str = "Handle,Title,Body (HTML),Tags,Option1 Name,Option1 Value,Variant SKU,Variant Price,Status\n\
tag-lamp,Tag Lamp,<p>Bright.</p>,\" winter,  Ice   tools ,WINTER\",Title,Default Title,TAG-1,30.00,draft\n\
tag-mug,Tag Mug,<p>Warm.</p>,camping,Title,Default Title,TAG-2,9.00,draft\n";

async fn tags_of(db: &Db, slug: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT t.tag FROM product_tags t JOIN products p ON p.id = t.product_id WHERE p.slug = $1 ORDER BY t.position",
    )
    .bind(slug)
    .fetch_all(db.pool())
    .await
    .expect("tags")
}

async fn tags_are_kept_found_and_filtered(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    let category = leaf_id(&db).await;
    let id = import_products::upload(&db, &seller, "products_export.csv", FILE.as_bytes(), Some(category))
        .await
        .expect("upload");
    let report = import_products::view(&db, &seller, id).await.expect("view").report;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        !report.notices.iter().any(|n| n.column == "Tags"),
        "tags are no longer ignored: {:?}",
        report.notices
    );
    import_products::apply(&db, &seller, id).await.expect("apply");
    assert_eq!(tags_of(&db, "tag-lamp").await, ["winter", "Ice tools"]);

    // The seller's list: filtered by a tag in any case; the store's tags offered once each.
    let filter = |tag: &str| ProductFilter {
        tag: tag.to_string(),
        ..ProductFilter::default()
    };
    let page = editor::list(&db, &seller, &filter("ICE TOOLS")).await.expect("list");
    let titles: Vec<&str> = page.items.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["Tag Lamp"]);
    for tag in ["camping", "Ice tools", "winter"] {
        assert!(page.tags.iter().any(|t| t == tag), "{tag} in {:?}", page.tags);
    }
    let crafted = editor::list(&db, &seller, &filter("ice\u{0}tools"))
        .await
        .expect("no error");
    assert!(crafted.items.is_empty(), "a tag no product can have matches nothing");

    // Shoppers find a published product by a tag.
    sqlx::query("UPDATE products SET status = 'active' WHERE slug IN ('tag-lamp', 'tag-mug')")
        .execute(db.pool())
        .await
        .expect("publish");
    let query = parse_search(&RawSearch::from_pairs([("q", "ice tools")])).expect("query");
    let found = catalog::search(&db, &query).await.expect("search");
    assert!(found.items.iter().any(|c| c.title == "Tag Lamp"), "found by its tag");
    assert!(!found.items.iter().any(|c| c.title == "Tag Mug"));

    // The export writes them back; a changed tag is one change, and applies.
    let exported = export_text(&db, &seller).await;
    assert!(exported.contains("\"winter, Ice tools\""), "{exported}");
    let changed = exported.replace("\"winter, Ice tools\"", "\"winter, sale\"");
    let id = import_products::upload(&db, &seller, "again.csv", changed.as_bytes(), None)
        .await
        .expect("upload");
    let report = import_products::view(&db, &seller, id).await.expect("view").report;
    let changes: Vec<&str> = report.changes.iter().map(|c| c.message.as_str()).collect();
    assert_eq!(changes, ["Tags “winter, Ice tools” → “winter, sale”"]);
    import_products::apply(&db, &seller, id).await.expect("apply");
    assert_eq!(tags_of(&db, "tag-lamp").await, ["winter", "sale"]);
}

/// Barcodes (Excel's apostrophe before a number taken off), costs and weights in other units, from a file; the
/// export writes them back in Shopify's columns and reads back as no change; a unit that is none is that
/// product's problem.
async fn barcodes_costs_and_weight_units_are_kept(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    let category = leaf_id(&db).await;
    let file = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Barcode,Cost per item,\
Variant Weight,Variant Weight Unit,Status\n\
w-kettle,Weighed Kettle,Size,S,WK-S,30.00,'0012345678905,12.40,1.5,kg,draft\n\
w-kettle,,Size,M,WK-M,32.00,978-3-16-148410-0,,12,oz,\n\
w-stone,Stone Weight,Title,Default Title,WS-1,5.00,,,3,stone,draft\n";
    let id = import_products::upload(&db, &seller, "weights.csv", file.as_bytes(), Some(category))
        .await
        .expect("upload");
    let report = import_products::view(&db, &seller, id).await.expect("view").report;
    let problems: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(problems, [(4, "Variant Weight")], "{:?}", report.errors);
    import_products::apply(&db, &seller, id).await.expect("apply");
    let variants: Vec<(String, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT sku, weight_grams, barcode, cost FROM variants WHERE sku IN ('WK-S', 'WK-M') ORDER BY sku",
    )
    .fetch_all(db.pool())
    .await
    .expect("variants");
    assert_eq!(
        variants,
        [
            ("WK-M".to_string(), 340, "978-3-16-148410-0".to_string(), None),
            ("WK-S".to_string(), 1500, "0012345678905".to_string(), Some(1240)),
        ]
    );
    let exported = export_text(&db, &seller).await;
    let id = import_products::upload(&db, &seller, "round.csv", exported.as_bytes(), None)
        .await
        .expect("upload");
    let round = import_products::view(&db, &seller, id).await.expect("view").report;
    assert!(
        round.changes.is_empty() && round.errors.is_empty(),
        "{:?} {:?}",
        round.changes,
        round.errors
    );
    let header = exported.lines().next().expect("header");
    for column in ["Variant Barcode", "Cost per item", "Variant Weight Unit"] {
        assert!(header.contains(column), "{header}");
    }
}

db_tests!(
    tags_are_kept_found_and_filtered,
    barcodes_costs_and_weight_units_are_kept
);
