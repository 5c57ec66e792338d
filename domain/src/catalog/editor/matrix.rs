//! The option matrix (Size S, M × Colour Red, Blue → 4 rows) and the SKUs suggested for its rows.

use std::collections::BTreeSet;

use model::sellers::{OptionInput, ProductForm, StockInput, VariantInput};

use super::{MAX_OPTIONS, MAX_VARIANTS, SKU_MAX};
use crate::platform::text::slugify;

/// The option matrix: every combination of the options' values (Size S, M, L × Colour Red, Blue → 6 rows), in
/// order. A row that already exists (same values) keeps what was typed in it; new rows start from the first
/// row's price and weight, with a suggested SKU; rows no combination needs are dropped.
pub fn generate_variants(form: &ProductForm, sku_prefix: &str) -> ProductForm {
    let options: Vec<(String, Vec<String>)> = form
        .options
        .iter()
        .filter(|o| !o.name.trim().is_empty())
        .take(MAX_OPTIONS)
        .map(|o| (o.name.trim().to_string(), split_values(&o.values)))
        .filter(|(_, values)| !values.is_empty())
        .collect();
    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
    for (_, values) in &options {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut next = c.clone();
                    next.push(v.clone());
                    next
                })
            })
            .take(MAX_VARIANTS)
            .collect();
    }
    let template = form.variants.first().cloned().unwrap_or_default();
    let variants = combos
        .into_iter()
        .map(|values| {
            match form
                .variants
                .iter()
                .find(|v| v.values.iter().map(|s| s.trim()).eq(values.iter().map(String::as_str)))
            {
                Some(existing) => existing.clone(),
                None => VariantInput {
                    id: String::new(),
                    sku: suggest_sku(sku_prefix, &form.title, &values),
                    price: template.price.clone(),
                    compare_at: template.compare_at.clone(),
                    weight: template.weight.clone(),
                    cost: template.cost.clone(),
                    barcode: String::new(),
                    keep_selling: template.keep_selling.clone(),
                    stock: template
                        .stock
                        .iter()
                        .map(|s| StockInput {
                            warehouse: s.warehouse.clone(),
                            units: "0".into(),
                            was: String::new(),
                        })
                        .collect(),
                    remove: String::new(),
                    values,
                },
            }
        })
        .collect();
    let mut out = form.clone();
    out.options = options
        .into_iter()
        .map(|(name, values)| OptionInput {
            name,
            values: values.join(", "),
        })
        .collect();
    out.variants = variants;
    out
}

fn split_values(typed: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    typed
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .filter(|v| seen.insert(v.to_lowercase()))
        .map(str::to_string)
        .collect()
}

/// A SKU from the store's prefix, the title's words and the option values: `OAK-COPPER-KETTLE-M-RED`.
pub fn suggest_sku(prefix: &str, title: &str, values: &[String]) -> String {
    let mut parts: Vec<String> = vec![prefix.to_uppercase()];
    parts.extend(
        slugify(title)
            .split('-')
            .filter(|w| !w.is_empty())
            // Every word of the title (up to the SKU's length): "Stoneware Mug Sage" and "Stoneware Mug Rust"
            // must not suggest one SKU.
            .take(8)
            .map(str::to_uppercase),
    );
    parts.extend(
        values
            .iter()
            .map(|v| slugify(v).to_uppercase())
            .filter(|v| !v.is_empty()),
    );
    let sku = parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    sku.chars().take(SKU_MAX).collect()
}

/// The prefix of a store's suggested SKUs: the first letters of its address's words (`oak-iron` → `OI`).
pub fn sku_prefix(store_slug: &str) -> String {
    let initials: String = store_slug.split('-').filter_map(|w| w.chars().next()).collect();
    initials.to_uppercase()
}
