//! The product form's rules: every wrong field named at once, and the checked product the save step writes.

use model::product_form::{ProductField, ProductStatus, VariantField};
use model::sellers::{ProductForm, VariantInput};
use model::FieldError;

use super::matrix::suggest_sku;
use super::{
    ALT_MAX, BARCODE_MAX, DESCRIPTION_MAX, MAX_OPTIONS, MAX_VARIANTS, OPTION_NAME_MAX, OPTION_VALUE_MAX, PRICE_MAX,
    SEO_DESCRIPTION_MAX, SEO_TITLE_MAX, SKU_MAX, TITLE_MAX, UNITS_MAX,
};
use crate::catalog::attributes::AttributeDefinition;
use crate::platform::text::{self, TextProblem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidVariant {
    pub id: Option<i64>,
    /// (option name, value) in the options' order.
    pub options: Vec<(String, String)>,
    pub sku: String,
    pub price: i64,
    pub compare_at: Option<i64>,
    pub weight: i64,
    pub barcode: String,
    /// What it costs the seller, in minor units.
    pub cost: Option<i64>,
    /// (warehouse id, units, units the form was opened with).
    pub stock: Vec<(i64, i64, Option<i64>)>,
    /// Stays on sale when out of stock.
    pub keep_selling: bool,
}

impl ValidVariant {
    /// "M / Red", or "Default" for a product without options.
    pub fn title(&self) -> String {
        if self.options.is_empty() {
            "Default".into()
        } else {
            self.options
                .iter()
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
                .join(" / ")
        }
    }

    pub(super) fn options_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .options
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        serde_json::Value::Object(map).to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProduct {
    pub id: Option<i64>,
    pub version: i64,
    pub title: String,
    pub category_id: i64,
    pub description: String,
    pub status: ProductStatus,
    pub attributes: Vec<(String, String)>,
    pub variants: Vec<ValidVariant>,
    /// Existing variants to delete.
    pub removed: Vec<i64>,
    /// Pictures kept, in their new order, with their alt text.
    pub images: Vec<(String, String)>,
    /// The address a new product asks for (a catalog import's Handle); `None`: one made from the title.
    pub handle: Option<String>,
    pub seo_title: String,
    pub seo_description: String,
    /// In their order, each once.
    pub tags: Vec<String>,
}

/// What the rules need to know beyond the form.
pub struct Context<'a> {
    pub categories: &'a [(i64, String)],
    pub attributes: &'a [AttributeDefinition],
    pub warehouses: &'a [(i64, String)],
    /// Keys of the product's stored pictures.
    pub pictures: &'a [String],
    pub sku_prefix: &'a str,
    /// Whether the platform lets a variant be priced 0.00 (`platform::settings::FREE_ITEMS`).
    pub free_items: bool,
    /// Whether the store allows backorders: only then may a variant keep selling when out of stock.
    pub backorders: bool,
}

/// A price typed as "12.99", "12" or "12,99", in minor units.
pub fn parse_money(typed: &str) -> Option<i64> {
    let t = typed.trim().trim_start_matches('$');
    let t = if t.contains('.') {
        t.to_string()
    } else {
        t.replace(',', ".")
    };
    let (whole, cents) = match t.split_once('.') {
        Some((w, c)) if c.len() <= 2 && !c.is_empty() => (w, format!("{c:0<2}")),
        Some(_) => return None,
        None => (t.as_str(), "00".to_string()),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !cents.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents.parse::<i64>().ok()?)?;
    (amount <= PRICE_MAX).then_some(amount)
}

fn whole_number(typed: &str, max: i64) -> Option<i64> {
    let t = typed.trim();
    if t.is_empty() {
        return Some(0);
    }
    t.parse::<i64>().ok().filter(|n| (0..=max).contains(n))
}

/// What stores really use as SKUs (`Tool - Ice 15mm Wrench`, `MUD SCRUB`, `4160`): any printable text up to
/// [`SKU_MAX`] characters (trimmed before).
fn sku_ok(sku: &str) -> bool {
    !sku.is_empty() && sku.chars().count() <= SKU_MAX && !sku.chars().any(char::is_control)
}

/// A rule's complaint: the field it is about and what is wrong, in the shop's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: ProductField,
    pub message: String,
}

impl From<RuleError> for FieldError {
    fn from(e: RuleError) -> FieldError {
        FieldError::new(e.field.name(), e.message)
    }
}

/// The complaints of one check, in the order the form shows its fields.
#[derive(Default)]
struct Complaints(Vec<RuleError>);

impl Complaints {
    fn add(&mut self, field: ProductField, message: impl Into<String>) {
        self.0.push(RuleError {
            field,
            message: message.into(),
        });
    }

    fn has(&self, field: ProductField) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// A text field by its rule (one line or several) and limit; empty when refused.
    fn text(&mut self, field: ProductField, typed: &str, multiline: bool, max: usize) -> String {
        let checked = if multiline {
            text::lines(typed, max)
        } else {
            text::line(typed, max)
        };
        checked.unwrap_or_else(|problem: TextProblem| {
            self.add(field, problem.message());
            String::new()
        })
    }
}

/// Checks the whole form; every wrong field is named at once.
pub fn validate(form: &ProductForm, cx: &Context<'_>) -> Result<ValidProduct, Vec<RuleError>> {
    let mut complaints = Complaints::default();
    let id = match form.id.trim() {
        "" => None,
        t => t.parse::<i64>().ok().or_else(|| {
            complaints.add(ProductField::Id, "This form is damaged; reload the page.");
            None
        }),
    };
    let title = complaints.text(ProductField::Title, &form.title, false, TITLE_MAX);
    if title.is_empty() && !complaints.has(ProductField::Title) {
        complaints.add(ProductField::Title, "Enter the product's title.");
    }
    let description = complaints.text(ProductField::Description, &form.description, true, DESCRIPTION_MAX);
    let seo_title = complaints.text(ProductField::SeoTitle, &form.seo_title, false, SEO_TITLE_MAX);
    let seo_description = complaints.text(
        ProductField::SeoDescription,
        &form.seo_description,
        false,
        SEO_DESCRIPTION_MAX,
    );
    let tags = super::tags::parse_tags(&form.tags).unwrap_or_else(|(field, message)| {
        complaints.add(field, message);
        Vec::new()
    });
    let category_id = form
        .category
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|c| cx.categories.iter().any(|(id, _)| id == c));
    if category_id.is_none() {
        complaints.add(ProductField::Category, "Choose the category shoppers will find it in.");
    }
    let attributes = check_attributes(form, cx, &mut complaints);
    let options = check_options(form, &mut complaints);
    let (variants, removed) = check_variants(form, cx, &options, &title, &mut complaints);
    let images = check_images(form, cx, &mut complaints);
    let status = check_status(form, &variants, &images, &mut complaints);
    if !complaints.0.is_empty() {
        return Err(complaints.0);
    }
    Ok(ValidProduct {
        id,
        version: form.version.trim().parse::<i64>().unwrap_or(0),
        title,
        category_id: category_id.unwrap_or_default(),
        description,
        status: status.unwrap_or(ProductStatus::Draft),
        attributes,
        variants,
        removed,
        images,
        handle: None,
        seo_title,
        seo_description,
        tags,
    })
}

/// The category's attributes that were typed (an empty one is simply not shown), each by its kind's rule.
fn check_attributes(form: &ProductForm, cx: &Context<'_>, complaints: &mut Complaints) -> Vec<(String, String)> {
    let mut attributes = Vec::new();
    for (i, def) in cx.attributes.iter().enumerate() {
        let typed = form
            .attributes
            .iter()
            .find(|a| a.name == def.name)
            .map(|a| a.value.trim())
            .unwrap_or_default();
        if typed.is_empty() {
            continue;
        }
        match def.validate(typed) {
            Ok(value) => attributes.push((def.name.clone(), value)),
            Err(e) => complaints.add(ProductField::Attribute(i), e.message),
        }
    }
    attributes
}

/// The named options: (position on the form, name), each name once and one line.
fn check_options(form: &ProductForm, complaints: &mut Complaints) -> Vec<(usize, String)> {
    let options: Vec<(usize, String)> = form
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            (
                i,
                complaints.text(ProductField::OptionName(i), &o.name, false, OPTION_NAME_MAX),
            )
        })
        .filter(|(_, name)| !name.is_empty())
        .collect();
    if options.len() > MAX_OPTIONS {
        complaints.add(ProductField::Options, format!("Use at most {MAX_OPTIONS} options."));
    }
    for (n, (i, name)) in options.iter().enumerate() {
        if options[..n].iter().any(|(_, other)| other.eq_ignore_ascii_case(name)) {
            complaints.add(ProductField::OptionName(*i), "Each option needs its own name.");
        }
    }
    options
}

/// What a variant costs its seller: empty, or an amount like its price.
fn check_cost(v: &VariantInput, field: ProductField, complaints: &mut Complaints) -> Option<i64> {
    let typed = v.cost.trim();
    if typed.is_empty() {
        return None;
    }
    let cost = parse_money(typed).filter(|c| *c <= PRICE_MAX);
    if cost.is_none() {
        complaints.add(field, "Enter the cost like 12.50, or leave it empty.");
    }
    cost
}

/// The variant rows: the kept ones checked, and the ids of those marked for removal.
fn check_variants(
    form: &ProductForm,
    cx: &Context<'_>,
    options: &[(usize, String)],
    title: &str,
    complaints: &mut Complaints,
) -> (Vec<ValidVariant>, Vec<i64>) {
    let mut variants: Vec<ValidVariant> = Vec::new();
    let mut removed = Vec::new();
    let mut seen_values: Vec<Vec<String>> = Vec::new();
    for (i, v) in form.variants.iter().enumerate() {
        let id = v.id.trim().parse::<i64>().ok();
        if v.remove == "on" {
            removed.extend(id);
            continue;
        }
        let field = |part| ProductField::Variant(i, part);
        let values = check_values(v, options, field(VariantField::Values), complaints);
        let key: Vec<String> = values.iter().map(|(_, v)| v.to_lowercase()).collect();
        if seen_values.contains(&key) && !options.is_empty() {
            complaints.add(field(VariantField::Values), "Two variants have the same options.");
        }
        seen_values.push(key);
        let sku = check_sku(v, cx, &values, title, &variants, field(VariantField::Sku), complaints);
        let (price, compare_at) = check_prices(v, cx, i, complaints);
        let weight = whole_number(&v.weight, 1_000_000);
        if weight.is_none() {
            complaints.add(field(VariantField::Weight), "Enter the weight in whole grams.");
        }
        let barcode = complaints.text(
            field(VariantField::Barcode),
            super::typed_code(&v.barcode),
            false,
            BARCODE_MAX,
        );
        let cost = check_cost(v, field(VariantField::Cost), complaints);
        let stock = check_stock(v, cx, i, complaints);
        variants.push(ValidVariant {
            id,
            options: values,
            sku,
            price: price.unwrap_or(0),
            compare_at,
            weight: weight.unwrap_or(0),
            barcode,
            cost,
            stock,
            // The box is offered only in a store with backorders; a form sent after they were turned off (or
            // crafted) cannot make a variant sell beyond its stock.
            keep_selling: v.keep_selling == "on" && cx.backorders,
        });
    }
    if variants.is_empty() {
        complaints.add(ProductField::Variants, "A product needs at least one variant.");
    }
    if variants.len() > MAX_VARIANTS {
        complaints.add(ProductField::Variants, format!("Use at most {MAX_VARIANTS} variants."));
    }
    (variants, removed)
}

/// A row's value of each option: present, one line.
fn check_values(
    v: &VariantInput,
    options: &[(usize, String)],
    field: ProductField,
    complaints: &mut Complaints,
) -> Vec<(String, String)> {
    let mut values = Vec::new();
    for (n, (_, name)) in options.iter().enumerate() {
        let typed = v.values.get(n).map(String::as_str).unwrap_or_default();
        let value = match text::line(typed, OPTION_VALUE_MAX) {
            Ok(value) if value.is_empty() => {
                complaints.add(field, format!("Give this variant a {name}."));
                value
            }
            Ok(value) => value,
            Err(problem) => {
                complaints.add(field, problem.message());
                String::new()
            }
        };
        values.push((name.clone(), value));
    }
    values
}

/// A row's SKU (suggested when empty): allowed characters, and not another row's.
fn check_sku(
    v: &VariantInput,
    cx: &Context<'_>,
    values: &[(String, String)],
    title: &str,
    earlier: &[ValidVariant],
    field: ProductField,
    complaints: &mut Complaints,
) -> String {
    let taken = |sku: &str| earlier.iter().any(|e| super::sku_key(&e.sku) == super::sku_key(sku));
    let mut sku = super::typed_code(&v.sku).to_string();
    if sku.is_empty() {
        let vals: Vec<String> = values.iter().map(|(_, v)| v.clone()).collect();
        sku = suggest_sku(cx.sku_prefix, title, &vals);
        let base = sku.clone();
        let mut n = 2;
        while taken(&sku) {
            sku = format!("{base}-{n}");
            n += 1;
        }
    }
    if !sku_ok(&sku) {
        complaints.add(
            field,
            format!("Use up to {SKU_MAX} characters, on one line (no tabs or control characters)."),
        );
    } else if taken(&sku) {
        complaints.add(field, "Two variants have this SKU; each needs its own.");
    }
    sku
}

/// A row's price (above zero unless the platform allows free items) and compare-at price (above the price).
fn check_prices(
    v: &VariantInput,
    cx: &Context<'_>,
    i: usize,
    complaints: &mut Complaints,
) -> (Option<i64>, Option<i64>) {
    let (price_field, compare_field) = (
        ProductField::Variant(i, VariantField::Price),
        ProductField::Variant(i, VariantField::CompareAt),
    );
    let price = parse_money(&v.price);
    match price {
        None => complaints.add(price_field, "Enter a price like 12.99."),
        // A slip of the keyboard would otherwise sell the item for nothing (and mark its order paid).
        Some(0) if !cx.free_items => complaints.add(
            price_field,
            "Enter a price above 0.00: Bazaar does not sell items for free.",
        ),
        Some(_) => {}
    }
    let compare_at = match v.compare_at.trim() {
        "" => None,
        typed => match parse_money(typed) {
            Some(c) if price.is_some_and(|p| c > p) => Some(c),
            // No price to compare with: the price's own error says what to fix first.
            Some(_) if price.is_none() => None,
            Some(_) => {
                complaints.add(
                    compare_field,
                    "The compare-at price must be higher than the price (or left empty).",
                );
                None
            }
            None => {
                complaints.add(compare_field, "Enter a price like 19.99, or leave it empty.");
                None
            }
        },
    };
    (price, compare_at)
}

/// A row's units per warehouse, each with the figure the form was opened with.
fn check_stock(
    v: &VariantInput,
    cx: &Context<'_>,
    i: usize,
    complaints: &mut Complaints,
) -> Vec<(i64, i64, Option<i64>)> {
    let mut stock = Vec::new();
    for (w, cell) in v.stock.iter().enumerate() {
        let field = ProductField::Variant(i, VariantField::Stock(w));
        let Some(warehouse) = cell
            .warehouse
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| cx.warehouses.iter().any(|(w, _)| w == id))
        else {
            complaints.add(field, "Unknown warehouse; reload the page.");
            continue;
        };
        // A figure below zero (units owed by a keep-selling variant) stays as it is: it is never written back.
        let owed = Some(cell.units.trim())
            .filter(|u| *u == cell.was.trim())
            .and_then(|u| u.parse::<i64>().ok())
            .filter(|n| (-UNITS_MAX..0).contains(n));
        match owed.or_else(|| whole_number(&cell.units, UNITS_MAX)) {
            Some(units) => stock.push((warehouse, units, cell.was.trim().parse::<i64>().ok())),
            None => complaints.add(field, format!("Enter a whole number of units from 0 to {UNITS_MAX}.")),
        }
    }
    stock
}

/// The pictures kept, in their new order, with their alt text (one line, required).
fn check_images(form: &ProductForm, cx: &Context<'_>, complaints: &mut Complaints) -> Vec<(String, String)> {
    let mut images: Vec<(i64, usize, String, String)> = Vec::new();
    for (i, img) in form.images.iter().enumerate() {
        // A picture removed meanwhile (another tab): nothing to keep.
        if !cx.pictures.contains(&img.key) || img.remove == "on" {
            continue;
        }
        let alt = complaints.text(ProductField::ImageAlt(i), &img.alt, false, ALT_MAX);
        if alt.is_empty() && !complaints.has(ProductField::ImageAlt(i)) {
            complaints.add(
                ProductField::ImageAlt(i),
                "Describe the picture for shoppers who cannot see it.",
            );
        }
        let position = img.position.trim().parse::<i64>().unwrap_or(i as i64 + 1);
        images.push((position, i, img.key.clone(), alt));
    }
    images.sort_by_key(|(position, i, _, _)| (*position, *i));
    images.into_iter().map(|(_, _, key, alt)| (key, alt)).collect()
}

/// The status, and what publishing needs (a price above zero, a picture).
fn check_status(
    form: &ProductForm,
    variants: &[ValidVariant],
    images: &[(String, String)],
    complaints: &mut Complaints,
) -> Option<ProductStatus> {
    let Some(status) = ProductStatus::parse(&form.status) else {
        complaints.add(ProductField::Status, "Choose draft, active or archived.");
        return None;
    };
    if status == ProductStatus::Active {
        let mut missing = Vec::new();
        if !variants.iter().any(|v| v.price > 0) {
            missing.push("a price above zero");
        }
        if images.is_empty() {
            missing.push("a picture");
        }
        if !missing.is_empty() {
            complaints.add(
                ProductField::Status,
                format!(
                    "To publish, add {}; until then it can be saved as a draft.",
                    missing.join(" and ")
                ),
            );
        }
    }
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::editor::generate_variants;
    use model::sellers::{OptionInput, StockInput, VariantInput};

    fn cx<'a>(categories: &'a [(i64, String)], warehouses: &'a [(i64, String)], pictures: &'a [String]) -> Context<'a> {
        Context {
            categories,
            attributes: &[],
            warehouses,
            pictures,
            sku_prefix: "KW",
            free_items: false,
            backorders: false,
        }
    }

    fn form() -> ProductForm {
        ProductForm {
            title: "Copper Kettle".into(),
            category: "7".into(),
            status: "draft".into(),
            options: vec![
                OptionInput {
                    name: "Size".into(),
                    values: "S, M, L".into(),
                },
                OptionInput {
                    name: "Colour".into(),
                    values: "Red, Blue, red".into(),
                },
            ],
            variants: vec![VariantInput {
                price: "24.50".into(),
                weight: "900".into(),
                stock: vec![StockInput {
                    warehouse: "1".into(),
                    units: "3".into(),
                    was: String::new(),
                }],
                ..VariantInput::default()
            }],
            ..ProductForm::default()
        }
    }

    #[test]
    fn the_option_matrix_has_every_combination_once() {
        let generated = generate_variants(&form(), "KW");
        let titles: Vec<String> = generated.variants.iter().map(|v| v.values.join(" / ")).collect();
        assert_eq!(
            titles,
            ["S / Red", "S / Blue", "M / Red", "M / Blue", "L / Red", "L / Blue"]
        );
        assert_eq!(generated.options[1].values, "Red, Blue", "repeated values are dropped");
        assert!(generated
            .variants
            .iter()
            .all(|v| v.price == "24.50" && v.weight == "900"));
        assert_eq!(generated.variants[0].sku, "KW-COPPER-KETTLE-S-RED");
        // Generating again keeps what was typed in existing rows.
        let mut edited = generated.clone();
        edited.variants[3].price = "30.00".into();
        let again = generate_variants(&edited, "KW");
        assert_eq!(again.variants[3].price, "30.00");
        assert_eq!(again.variants.len(), 6);
    }

    #[test]
    fn prices_are_read_as_typed_people_type_them() {
        assert_eq!(parse_money("12.99"), Some(1299));
        assert_eq!(parse_money("12"), Some(1200));
        assert_eq!(parse_money("12,5"), Some(1250));
        assert_eq!(parse_money("$0.99"), Some(99));
        assert_eq!(parse_money("-1"), None);
        assert_eq!(parse_money("1.999"), None);
        assert_eq!(parse_money("abc"), None);
        assert_eq!(parse_money("1000000.01"), None);
    }

    #[test]
    fn publishing_names_each_missing_piece() {
        let warehouses = [(1, "Main".to_string())];
        let categories = [(7, "Home › Kettles".to_string())];
        let mut f = generate_variants(&form(), "KW");
        f.status = "active".into();
        for v in &mut f.variants {
            v.price = "0".into();
        }
        let errors = validate(&f, &cx(&categories, &warehouses, &[])).expect_err("cannot publish");
        let status = errors
            .iter()
            .find(|e| e.field == ProductField::Status)
            .expect("status error");
        assert!(
            status.message.contains("a price above zero and a picture"),
            "{}",
            status.message
        );
    }

    #[test]
    fn every_wrong_variant_field_is_named_by_its_row() {
        let warehouses = [(1, "Main".to_string())];
        let categories = [(7, "Home › Kettles".to_string())];
        let mut f = generate_variants(&form(), "KW");
        f.variants[1].price = "ten".into();
        f.variants[2].sku = "a tab\there".into();
        f.variants[3].compare_at = "1.00".into();
        f.variants[4].stock[0].units = "-2".into();
        f.variants[5].sku = f.variants[0].sku.clone();
        let errors = validate(&f, &cx(&categories, &warehouses, &[])).expect_err("invalid");
        let fields: Vec<String> = errors.iter().map(|e| e.field.name()).collect();
        assert_eq!(
            fields,
            [
                "variants-1-price",
                "variants-2-sku",
                "variants-3-compare_at",
                "variants-4-stock-0",
                "variants-5-sku"
            ]
        );
    }

    #[test]
    fn a_valid_form_becomes_variants_with_titles_and_stock() {
        let warehouses = [(1, "Main".to_string())];
        let categories = [(7, "Home › Kettles".to_string())];
        let valid = validate(&generate_variants(&form(), "KW"), &cx(&categories, &warehouses, &[])).expect("valid");
        assert_eq!(valid.variants.len(), 6);
        assert_eq!(valid.variants[0].title(), "S / Red");
        assert_eq!(valid.variants[0].price, 2450);
        assert_eq!(valid.variants[0].stock, vec![(1, 0, None)]);
    }

    #[test]
    fn skus_are_kept_as_stores_write_them_without_a_spreadsheets_apostrophe() {
        let warehouses = [(1, "Main".to_string())];
        let categories = [(7, "Home › Kettles".to_string())];
        let mut f = generate_variants(&form(), "KW");
        f.variants[0].sku = " '0416 ".into();
        f.variants[1].sku = "Tool - Ice 15mm Wrench".into();
        f.variants[2].sku = "'Quoted".into();
        f.variants[3].sku = "ÉTUI".into();
        f.variants[4].sku = "étui".into();
        let errors = validate(&f, &cx(&categories, &warehouses, &[])).expect_err("étui twice");
        assert_eq!(
            errors.iter().map(|e| e.field.name()).collect::<Vec<_>>(),
            ["variants-4-sku"]
        );
        f.variants[4].sku = "étui-2".into();
        let valid = validate(&f, &cx(&categories, &warehouses, &[])).expect("valid");
        let skus: Vec<&str> = valid.variants.iter().take(3).map(|v| v.sku.as_str()).collect();
        assert_eq!(skus, ["0416", "Tool - Ice 15mm Wrench", "'Quoted"]);
    }
}
