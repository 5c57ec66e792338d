//! What an import changes, phrase by phrase, for the report: a new product, each changed field of a product and
//! of each variant, each stock figure.

use model::sellers::ImportReport;

use super::columns::*;
use super::plan::Setting;
use super::stage::Staged;
use crate::catalog::editor::{self, ValidProduct, ValidVariant};

/// Counts and describes what the import changes for one product against how it is stored (`before`: `None` for
/// a new product). Whether it needs writing.
pub(super) fn compare(
    setting: &Setting,
    after: &ValidProduct,
    before: Option<&ValidProduct>,
    staged: &Staged,
    report: &mut ImportReport,
) -> bool {
    let Some(before) = before else {
        new_product(after, staged.first, report);
        return true;
    };
    let product_changed = product_changes(setting, before, after, staged, report);
    let variants_changed = variant_rows_compared(setting, before, after, staged, report);
    if product_changed || variants_changed {
        report.products.update += 1;
        true
    } else {
        report.products.unchanged += 1;
        false
    }
}

fn new_product(after: &ValidProduct, first: usize, report: &mut ImportReport) {
    report.products.create += 1;
    report.variants.create += after.variants.len();
    report.stock_changes += after
        .variants
        .iter()
        .flat_map(|v| &v.stock)
        .filter(|(_, units, _)| *units > 0)
        .count();
    let variants = after.variants.len();
    report.changes.push(issue(
        first,
        HANDLE,
        format!(
            "New product “{}” with {variants} {}, {}",
            after.title,
            if variants == 1 { "variant" } else { "variants" },
            after.status.as_str()
        ),
    ));
}

/// The product's own fields and its pictures' alt texts. Whether any changed.
fn product_changes(
    setting: &Setting,
    before: &ValidProduct,
    after: &ValidProduct,
    staged: &Staged,
    report: &mut ImportReport,
) -> bool {
    let first = staged.first;
    let mut changed = false;
    let mut say = |row: usize, column: &str, message: String| {
        report.changes.push(issue(row, column, message));
        changed = true;
    };
    if before.title != after.title {
        say(first, TITLE, format!("Title “{}” → “{}”", before.title, after.title));
    }
    if before.description != after.description {
        say(first, BODY, "Description changed".into());
    }
    if before.seo_title != after.seo_title {
        say(
            first,
            SEO_TITLE,
            format!("SEO title “{}” → “{}”", before.seo_title, after.seo_title),
        );
    }
    if before.seo_description != after.seo_description {
        say(first, SEO_DESCRIPTION, "SEO description changed".into());
    }
    if before.tags != after.tags {
        let (was, now) = (before.tags.join(", "), after.tags.join(", "));
        say(first, TAGS, format!("Tags “{was}” → “{now}”"));
    }
    if before.status != after.status {
        let (was, now) = (before.status.as_str(), after.status.as_str());
        say(first, STATUS, format!("Status {was} → {now}"));
    }
    if before.category_id != after.category_id {
        let (was, now) = (
            setting.category_name(before.category_id),
            setting.category_name(after.category_id),
        );
        say(first, CATEGORY, format!("Category {was} → {now}"));
    }
    for (i, (b, a)) in before.images.iter().zip(&after.images).enumerate() {
        if b.1 != a.1 {
            let row = staged.image_rows.get(i).copied().unwrap_or(first);
            say(row, IMAGE_ALT, format!("Alt text of picture {} changed", i + 1));
        }
    }
    changed
}

/// Each variant of the file against the stored one it is (or as a new one). Whether any changed.
fn variant_rows_compared(
    setting: &Setting,
    before: &ValidProduct,
    after: &ValidProduct,
    staged: &Staged,
    report: &mut ImportReport,
) -> bool {
    let mut changed = false;
    for (i, v) in after.variants.iter().enumerate() {
        let row = staged.variant_rows.get(i).copied().unwrap_or(staged.first);
        let old = v.id.and_then(|id| before.variants.iter().find(|b| b.id == Some(id)));
        let Some(old) = old else {
            report.variants.create += 1;
            report.stock_changes += v.stock.iter().filter(|(_, units, _)| *units > 0).count();
            let message = format!(
                "New variant {} ({}) at {}",
                v.sku,
                v.title(),
                editor::money_text(v.price)
            );
            report.changes.push(issue(row, SKU, message));
            changed = true;
            continue;
        };
        let mut parts = variant_changes(old, v);
        let stock = stock_changes(setting, old, v);
        report.stock_changes += stock.len();
        parts.extend(stock);
        if parts.is_empty() {
            report.variants.unchanged += 1;
        } else {
            report.variants.update += 1;
            changed = true;
            report
                .changes
                .push(issue(row, SKU, format!("{}: {}", v.sku, parts.join("; "))));
        }
    }
    changed
}

/// Each stock figure that changes, as "Main 5 → 3 units".
fn stock_changes(setting: &Setting, old: &ValidVariant, new: &ValidVariant) -> Vec<String> {
    new.stock
        .iter()
        .filter_map(|(w, units, _)| {
            let was = old.stock.iter().find(|(ow, _, _)| ow == w).map_or(0, |(_, u, _)| *u);
            (was != *units).then(|| {
                let name = setting
                    .warehouses
                    .iter()
                    .find(|(id, _)| id == w)
                    .map_or("a warehouse", |(_, n)| n.as_str());
                format!("{name} {was} → {units} units")
            })
        })
        .collect()
}

/// What differs in a variant's own fields, one phrase each.
pub(super) fn variant_changes(old: &ValidVariant, new: &ValidVariant) -> Vec<String> {
    let mut parts = Vec::new();
    if old.sku != new.sku {
        parts.push(format!("SKU {} → {}", old.sku, new.sku));
    }
    if old.options != new.options {
        parts.push(format!("options {} → {}", old.title(), new.title()));
    }
    if old.price != new.price {
        parts.push(format!(
            "price {} → {}",
            editor::money_text(old.price),
            editor::money_text(new.price)
        ));
    }
    if old.compare_at != new.compare_at {
        let text = |c: Option<i64>| c.map_or_else(|| "none".to_string(), editor::money_text);
        parts.push(format!(
            "compare-at price {} → {}",
            text(old.compare_at),
            text(new.compare_at)
        ));
    }
    if old.weight != new.weight {
        parts.push(format!("weight {} g → {} g", old.weight, new.weight));
    }
    if old.barcode != new.barcode {
        parts.push(format!("barcode “{}” → “{}”", old.barcode, new.barcode));
    }
    if old.cost != new.cost {
        let text = |c: Option<i64>| c.map_or_else(|| "none".to_string(), editor::money_text);
        parts.push(format!("cost {} → {}", text(old.cost), text(new.cost)));
    }
    if old.keep_selling != new.keep_selling {
        let text = |on: bool| if on { "keeps selling" } else { "stops" };
        parts.push(format!(
            "when out of stock: {} → {}",
            text(old.keep_selling),
            text(new.keep_selling)
        ));
    }
    parts
}
