//! The catalog import's stock figures: a figure equal to the one the file was exported with is no change, so
//! units sold since the export are never put back (even by a sale that committed after the export read the
//! stock); one warehouse named by two columns is refused. Both databases.

use domain::workflows::import_products::{self, Applied};
use domain::{Actor, Db};

use crate::catalog_import::{cell, edit, export_text, leaf_slug, store_with, upload};
use crate::db_tests;
use crate::harness::fixtures::count;

/// The stock screen's adjustment of the first variant of the export: `units` more (or fewer).
async fn adjust_first(db: &Db, seller: &Actor, text: &str, units: i64) -> (i64, i64) {
    let sku = cell(text, 0, "Variant SKU");
    let (variant, warehouse): (i64, i64) = sqlx::query_as(
        "SELECT v.id, st.warehouse_id FROM variants v JOIN stock st ON st.variant_id = v.id WHERE v.sku = $1",
    )
    .bind(&sku)
    .fetch_one(db.pool())
    .await
    .expect("variant");
    let adjustment = domain::workflows::adjust_stock::Adjustment {
        variant_id: variant,
        warehouse_id: warehouse,
        units: units.to_string(),
        reason: if units > 0 { "received" } else { "damaged" }.into(),
        mode: "change".into(),
    };
    domain::workflows::adjust_stock::adjust_stock(db, seller, &adjustment)
        .await
        .expect("adjust");
    (variant, warehouse)
}

async fn units_of(db: &Db, variant: i64) -> i64 {
    count(
        db,
        &format!("SELECT CAST(SUM(available) AS BIGINT) FROM stock WHERE variant_id = {variant}"),
    )
    .await
}

/// Issue 19, defect 2: export, units go out while the seller edits prices in a spreadsheet, import: the units that
/// went out are not put back; a figure the seller did change over units that moved is refused, row by row.
async fn stock_that_moved_since_the_export_is_never_put_back(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    let before = export_text(&db, &seller).await;
    let exported: i64 = cell(&before, 0, "Variant Inventory Qty").parse().expect("units");
    let figures = cell(&before, 0, "Bazaar Stock Exported");
    assert!(figures.ends_with(&format!(":{exported}")), "{figures}");
    // Three units go out after the export (damaged: a movement like an order's).
    let (variant, _) = adjust_first(&db, &seller, &before, 5).await;
    adjust_first(&db, &seller, &before, -3).await;
    let today = units_of(&db, variant).await;
    assert_eq!(today, exported + 2);
    let price = cell(&before, 0, "Variant Price");
    let whole: i64 = price.split('.').next().and_then(|w| w.parse().ok()).expect("a price");
    let repriced = edit(&before, 0, "Variant Price", &format!("{}.00", whole + 1));
    let (id, report) = upload(&db, &seller, &repriced, None).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.changes.len(), 1, "the price only: {:?}", report.changes);
    assert_eq!(report.stock_changes, 0);
    assert!(
        report
            .notices
            .iter()
            .any(|n| n.row == 2 && n.message.starts_with(&format!("Left at {today}"))),
        "{:?}",
        report.notices
    );
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    assert_eq!(units_of(&db, variant).await, today, "the units that moved stay moved");
    // A figure the seller changed in the old file, over units that moved since: refused, saying why.
    let stock_column = before
        .lines()
        .next()
        .and_then(|h| h.split(',').find(|c| c.starts_with("Bazaar Stock: ")))
        .expect("a stock column")
        .trim()
        .to_string();
    let recounted = edit(&before, 0, &stock_column, "40");
    let (_, refused) = upload(&db, &seller, &recounted, None).await;
    assert_eq!(refused.errors.len(), 1, "{:?}", refused.errors);
    assert_eq!(
        (refused.errors[0].row, refused.errors[0].column.as_str()),
        (2, stock_column.as_str())
    );
    assert!(
        refused.errors[0].message.contains(&format!("so it is {today} now")),
        "{}",
        refused.errors[0].message
    );
    // The old file with today's figure typed (counted after the sales): no change, nothing refused.
    let counted = edit(&before, 0, &stock_column, &today.to_string());
    let (_, report) = upload(&db, &seller, &counted, None).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.stock_changes, 0);
    // Exported figures someone typed over are none: the row's figures are refused, not taken as new levels.
    let reformatted = edit(&edit(&before, 0, "Bazaar Stock Exported", "12"), 0, &stock_column, "40");
    let (_, report) = upload(&db, &seller, &reformatted, None).await;
    assert_eq!(
        report
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect::<Vec<_>>(),
        [(2, "Bazaar Stock Exported")],
        "{:?}",
        report.errors
    );
    // A file from before the exported figures (a time instead) is refused whole: its figures cannot be checked.
    let legacy = before.replacen("Bazaar Stock Exported", "Bazaar Stock As Of", 1);
    let (_, report) = upload(&db, &seller, &legacy, None).await;
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].column, "Bazaar Stock As Of");
    // From a fresh export the same change applies.
    let fresh = edit(&export_text(&db, &seller).await, 0, &stock_column, "40");
    let (id, report) = upload(&db, &seller, &fresh, None).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.stock_changes, 1);
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    assert_eq!(units_of(&db, variant).await, 40);
    // The history says the import set it, not the product form.
    let reason: String = sqlx::query_scalar(
        "SELECT reason FROM stock_movements WHERE variant_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(variant)
    .fetch_one(db.pool())
    .await
    .expect("movement");
    assert_eq!(reason, "imported");
}

/// Issue 19, defect 2: a sale stamped before the export but committed after the export read the stock (a writer
/// that took its time) is still not put back: the file carries the figures it was read with, not a moment.
async fn a_sale_committed_after_the_export_read_the_stock_is_not_put_back(db: Db) {
    let (_, seller) = store_with(&db, 1).await;
    // Units to sell first (a seeded variant may have none).
    let (variant, warehouse) = adjust_first(&db, &seller, &export_text(&db, &seller).await, 5).await;
    let before = export_text(&db, &seller).await;
    let exported: i64 = cell(&before, 0, "Variant Inventory Qty").parse().expect("units");
    assert!(exported >= 5);
    // The racing order: two units out, its movement stamped an hour before the export.
    let mut tx = db.pool().begin().await.expect("tx");
    sqlx::query("UPDATE stock SET available = available - 2 WHERE variant_id = $1 AND warehouse_id = $2")
        .bind(variant)
        .bind(warehouse)
        .execute(&mut *tx)
        .await
        .expect("sold");
    sqlx::query(
        "INSERT INTO stock_movements (id, variant_id, warehouse_id, delta, level_after, reason, created_at) \
         VALUES ($1, $2, $3, -2, $4, 'reserved', $5)",
    )
    .bind(domain::platform::ids::next_id())
    .bind(variant)
    .bind(warehouse)
    .bind(exported - 2)
    .bind(domain::platform::clock::now_ms() - 3_600_000)
    .execute(&mut *tx)
    .await
    .expect("movement");
    tx.commit().await.expect("commit");
    let (id, report) = upload(&db, &seller, &edit(&before, 0, "Variant Price", "99.00"), None).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.stock_changes, 0, "{:?}", report.changes);
    assert_eq!(
        import_products::apply(&db, &seller, id).await.expect("apply"),
        Applied::Done { left_out: 0 }
    );
    assert_eq!(
        units_of(&db, variant).await,
        exported - 2,
        "the two sold units stay sold"
    );
}

/// Issue 19, defect 6: a file with two columns for one warehouse is refused, naming the column.
async fn two_columns_for_one_warehouse_are_refused(db: Db) {
    let (store, seller) = store_with(&db, 1).await;
    let warehouse: String = sqlx::query_scalar("SELECT name FROM warehouses WHERE seller_id = $1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("warehouse");
    let text = format!(
        "Handle,Title,Variant SKU,Variant Price,Bazaar Category,Bazaar Stock: {warehouse},Bazaar Stock: {}\n\
         two-shelves,Two Shelves,TWO-SHELVES-1,5.00,{},3,4\n",
        warehouse.to_uppercase(),
        leaf_slug(&db).await
    );
    let (_, report) = upload(&db, &seller, &text, None).await;
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(
        report.errors[0].column,
        format!("Bazaar Stock: {}", warehouse.to_uppercase())
    );
}

db_tests!(
    stock_that_moved_since_the_export_is_never_put_back,
    a_sale_committed_after_the_export_read_the_stock_is_not_put_back,
    two_columns_for_one_warehouse_are_refused,
);
