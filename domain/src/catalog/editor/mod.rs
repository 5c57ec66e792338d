//! The seller's own products, as the portal's product screens use them:
//! - `index`: the products list (search, filters, sort, keyset pages);
//! - `form`: the editor's data (a stored product as the form shows it, a new product's form);
//! - `matrix`: the option matrix (every combination of the options' values) and suggested SKUs;
//! - `rules`: the product form's rules (every wrong field named at once) and the checked product;
//! - `save`: checking a form against the store and writing it with optimistic concurrency (a version column: a save
//!   from a form opened at an older version is refused with what changed);
//! - `bulk`: publishing or archiving several products, alert levels;
//! - `pictures`: adding uploaded pictures.
//!
//! Every query carries the acting seller's store id from the actor, never from the request; an id of another
//! store's product answers `NotFound`, as for one that does not exist.

pub mod audit;
mod bulk;
mod form;
mod index;
mod matrix;
mod pictures;
mod rules;
mod save;
mod tags;

pub(crate) use bulk::stop_selling_beyond_stock;
pub use bulk::{set_status_bulk, set_threshold, titles, BulkOutcome};
pub use form::editor;
pub(in crate::catalog) use form::{leaf_categories, load_form, new_form, new_variant, store_names, warehouses_of};
pub use index::list;
pub use matrix::{generate_variants, sku_prefix, suggest_sku};
pub use pictures::{add_pictures, Uploaded};
pub use rules::{parse_money, validate, Context, RuleError, ValidProduct, ValidVariant};
pub use save::{prepare, refresh_listing_price, write, Written};
pub use tags::{tag_key, TAGS_MAX, TAG_MAX};

/// Products per page of the index.
pub const PAGE: i64 = 25;
pub const TITLE_MAX: usize = 150;
pub const DESCRIPTION_MAX: usize = 10_000;
/// What search engines show of a page's title and description (Shopify's limits).
pub const SEO_TITLE_MAX: usize = 70;
pub const SEO_DESCRIPTION_MAX: usize = 320;
pub const MAX_OPTIONS: usize = 3;
pub const MAX_VARIANTS: usize = 100;
pub const SKU_MAX: usize = 64;
/// A barcode: GTIN-14 is 14 digits; ISBNs with hyphens and other schemes are longer.
pub const BARCODE_MAX: usize = 64;

/// A SKU as uniqueness compares it: its case folded by Unicode's rules, here rather than by the database's
/// `LOWER` (SQLite folds ASCII only), so "ÉTUI" and "étui" are one SKU on both databases (`variants.sku_key`).
pub fn sku_key(sku: &str) -> String {
    sku.trim().to_lowercase()
}

/// A SKU or barcode as typed, as it is kept: trimmed, and without the apostrophe a spreadsheet puts before a
/// number to keep its leading zeros (`'0416` is `0416`), in the editor as in a file, so an export reads back as
/// the same code.
pub fn typed_code(typed: &str) -> &str {
    let sku = typed.trim();
    sku.strip_prefix('\'')
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(sku)
}
/// The largest price a variant may have: 1,000,000.00.
pub const PRICE_MAX: i64 = 100_000_000;
pub use crate::inventory::UNITS_MAX;
pub const ALT_MAX: usize = 200;
pub const OPTION_NAME_MAX: usize = 40;
/// The most pictures a product has, and the most one upload adds.
pub const MAX_PICTURES: usize = 20;
pub const MAX_PICTURES_PER_UPLOAD: usize = 8;
pub const OPTION_VALUE_MAX: usize = 60;
/// The shop's one currency today (checkout and payments are in it).
pub const CURRENCY: &str = "USD";

/// Money typed as "12.99" from minor units.
pub fn money_text(amount: i64) -> String {
    format!("{}.{:02}", amount / 100, amount % 100)
}
