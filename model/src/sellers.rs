//! Becoming a seller and the seller portal, as the pages show them.

use serde::{Deserialize, Serialize};

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplicationStatus {
    Pending,
    Approved,
    Rejected,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<ApplicationStatus> {
        [
            ApplicationStatus::Pending,
            ApplicationStatus::Approved,
            ApplicationStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "Pending review",
            ApplicationStatus::Approved => "Approved",
            ApplicationStatus::Rejected => "Rejected",
        }
    }
}

/// An application to sell, with the applicant and the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationView {
    pub id: i64,
    pub store_name: String,
    pub slug: String,
    pub description: String,
    pub support_email: String,
    pub country: String,
    pub return_days: i64,
    pub return_policy: String,
    pub status: ApplicationStatus,
    /// The admin's reason for a rejection ('' otherwise).
    pub reason: String,
    pub applicant_name: String,
    pub applicant_email: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// What the application form sends, as typed (kept whole when a field is wrong).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApplicationForm {
    pub store_name: String,
    pub slug: String,
    pub description: String,
    pub support_email: String,
    pub country: String,
    pub return_days: String,
    pub return_policy: String,
}

/// One page of the admins' queue of applications awaiting a decision, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationQueue {
    pub pending: i64,
    pub items: Vec<ApplicationView>,
    /// The `after` cursor of the next page, when there is one.
    pub next: Option<String>,
}

/// A product named on the seller's overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRef {
    pub id: i64,
    pub title: String,
}

/// A variant whose stock needs the seller's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRef {
    pub product_id: i64,
    pub product_title: String,
    pub variant_title: String,
    pub sku: String,
    pub available: i64,
    pub threshold: i64,
}

/// The seller portal's overview: the store and what needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerHome {
    pub store_name: String,
    pub slug: String,
    /// The statement of reasons while an admin has the store suspended.
    pub suspension: Option<String>,
    /// An admin holds its payouts (also while it is suspended).
    pub payouts_held: bool,
    pub products: i64,
    pub drafts: Vec<ProductRef>,
    pub without_pictures: Vec<ProductRef>,
    pub low_stock: Vec<StockRef>,
    pub out_of_stock: Vec<StockRef>,
}

/// The seller's products index as the URL says it (search, filters, sort, the keyset cursor).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProductFilter {
    pub q: String,
    /// '' (all), draft, active or archived.
    pub status: String,
    /// A category slug, or ''.
    pub category: String,
    /// '' (any), in, low or out.
    pub stock: String,
    /// A tag ('' = any), in any case.
    pub tag: String,
    /// updated (default), title or price.
    pub sort: String,
    /// asc or desc ('' = the sort's natural direction).
    pub dir: String,
    pub after: String,
}

/// One row of the seller's products index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub status: String,
    pub category_name: String,
    /// The cheapest variant's price, absent without variants.
    pub price: Option<crate::catalog::Money>,
    pub variants: i64,
    pub available: i64,
    pub has_picture: bool,
    pub updated_at: i64,
}

/// A page of the seller's products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    pub store_name: String,
    pub store_slug: String,
    /// Products matching the filters (all pages).
    pub total: i64,
    pub items: Vec<ProductRow>,
    pub next: Option<String>,
    /// Categories to filter by: (slug, name).
    pub categories: Vec<(String, String)>,
    /// The store's tags, to filter by.
    pub tags: Vec<String>,
}

/// One of up to three options (Size, Colour…) and its values, comma-separated as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OptionInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub values: String,
}

/// Units of a variant in one warehouse, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StockInput {
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub units: String,
    /// The units the form was opened with ('' for a new variant): stock is written only where the seller changed
    /// the figure, and only if nobody else (an order) changed it meanwhile.
    #[serde(default)]
    pub was: String,
}

/// A variant row of the product form, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VariantInput {
    /// '' for a new variant.
    #[serde(default)]
    pub id: String,
    /// Its value of each option, in the options' order.
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub compare_at: String,
    #[serde(default)]
    pub weight: String,
    /// GTIN, UPC, EAN or ISBN, as typed.
    #[serde(default)]
    pub barcode: String,
    /// What the variant costs the seller ('' = not said), never shown to shoppers.
    #[serde(default)]
    pub cost: String,
    #[serde(default)]
    pub stock: Vec<StockInput>,
    /// 'on' when the row's "Keep selling when out of stock" box is ticked (offered in a store with backorders).
    #[serde(default)]
    pub keep_selling: String,
    /// 'on' when the row's "Remove" box is ticked.
    #[serde(default)]
    pub remove: String,
}

/// A typed attribute's value, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttributeInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// A picture's place and alt text, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImageInput {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub alt: String,
    /// The position typed (1 = first).
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub remove: String,
    /// The address an import fetched the picture from (empty for an upload): read from the store, never sent by
    /// the editor (a save keeps the stored one), so an import of the same file finds the picture by it.
    #[serde(default, skip_serializing)]
    pub source: String,
}

/// The product form, as typed: what a save sends and what a wrong field brings back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProductForm {
    /// '' for a new product.
    pub id: String,
    /// The version the form was opened at ('' for a new product).
    pub version: String,
    pub title: String,
    /// A category id.
    pub category: String,
    pub description: String,
    /// draft, active or archived.
    pub status: String,
    pub attributes: Vec<AttributeInput>,
    pub options: Vec<OptionInput>,
    pub variants: Vec<VariantInput>,
    pub images: Vec<ImageInput>,
    /// The page's title in search engines ('' = the product's title).
    #[serde(default)]
    pub seo_title: String,
    /// The page's meta description ('' = none).
    #[serde(default)]
    pub seo_description: String,
    /// Words shoppers find the product by, comma-separated as typed (`winter, ice tools`).
    #[serde(default)]
    pub tags: String,
}

/// A typed attribute the product's category asks for, with how to enter it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeField {
    pub name: String,
    /// text, number, boolean or choice.
    pub kind: String,
    pub choices: Vec<String>,
    pub unit: String,
}

/// A stored picture of the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PictureView {
    pub key: String,
    pub url: String,
    pub alt: String,
}

/// Everything the product editor shows besides the form: the choices and the stored pictures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductEditor {
    pub store_name: String,
    pub store_slug: String,
    pub form: ProductForm,
    /// Leaf categories: (id, "Parent › Name").
    pub categories: Vec<(i64, String)>,
    pub attributes: Vec<AttributeField>,
    /// The store's warehouses: (id, name).
    pub warehouses: Vec<(i64, String)>,
    pub pictures: Vec<PictureView>,
    /// The product's public address, once it has one.
    pub slug: Option<String>,
    pub currency: String,
    /// The store allows backorders: each variant may keep selling when out of stock.
    pub backorders: bool,
}

/// A variant's units in one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockCell {
    pub warehouse_id: i64,
    pub warehouse: String,
    pub available: i64,
    /// Held for orders awaiting payment.
    pub reserved: i64,
}

/// One variant on the stock screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLine {
    pub variant_id: i64,
    pub product_id: i64,
    pub product_title: String,
    pub variant_title: String,
    pub sku: String,
    /// The threshold in force (the variant's own, else the store's default).
    pub threshold: i64,
    /// The variant's own threshold, if it has one.
    pub own_threshold: Option<i64>,
    pub available: i64,
    pub cells: Vec<StockCell>,
}

/// One change in the stock history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementView {
    pub at: i64,
    pub product_title: String,
    pub variant_title: String,
    pub sku: String,
    pub warehouse: String,
    /// The variant has been removed since (its names are as they were then).
    pub variant_removed: bool,
    /// The warehouse has been removed since.
    pub warehouse_removed: bool,
    pub delta: i64,
    pub level_after: i64,
    pub reason: String,
    /// Who: the account's name, or "Bazaar" for orders and expiries.
    pub who: String,
}

/// The stock screen: a page of variants with their units, and the latest movements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockPage {
    pub store_name: String,
    pub store_slug: String,
    pub default_threshold: i64,
    pub lines: Vec<StockLine>,
    pub next: Option<String>,
    pub movements: Vec<MovementView>,
}

/// The store's public profile and policies, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StoreProfileForm {
    pub store_name: String,
    pub description: String,
    pub support_email: String,
    pub return_days: String,
    pub return_policy: String,
    /// The low-stock alert level of variants that set none.
    pub low_stock_default: String,
    /// Business days a paid order has to ship (its ship-by date).
    #[serde(default)]
    pub handling_days: String,
    /// The IANA time zone the store's days are counted in (`Europe/Berlin`).
    #[serde(default)]
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarehouseView {
    pub id: i64,
    pub name: String,
    pub country: String,
    /// Units held there (available and reserved): a warehouse holding stock cannot be removed.
    pub units: i64,
}

/// How a shipping rate charges: once per order, or for each item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateKind {
    Flat,
    PerItem,
}

impl RateKind {
    pub const ALL: [RateKind; 2] = [RateKind::Flat, RateKind::PerItem];

    /// The spelling stored in the database and submitted by the form (a CHECK constraint lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            RateKind::Flat => "flat",
            RateKind::PerItem => "per_item",
        }
    }

    pub fn parse(text: &str) -> Option<RateKind> {
        RateKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// How the settings screen names it.
    pub fn label(self) -> &'static str {
        match self {
            RateKind::Flat => "Per order",
            RateKind::PerItem => "Per item",
        }
    }
}

/// A shipping rate as the store sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateView {
    pub id: i64,
    pub name: String,
    /// A country code, or '*' for everywhere else.
    pub country: String,
    pub kind: RateKind,
    pub amount: crate::catalog::Money,
    pub free_over: Option<crate::catalog::Money>,
    pub days_min: i64,
    pub days_max: i64,
}

/// A new shipping rate, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RateForm {
    pub name: String,
    pub country: String,
    /// flat or per_item ([`RateKind::as_str`]), as submitted.
    pub kind: String,
    pub amount: String,
    pub free_over: String,
    pub days_min: String,
    pub days_max: String,
}

/// The store settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettings {
    pub store_name: String,
    pub slug: String,
    pub country: String,
    pub profile: StoreProfileForm,
    pub warehouses: Vec<WarehouseView>,
    pub rates: Vec<RateView>,
    /// The logo's address (a thumbnail), if the store has one.
    pub logo_url: Option<String>,
    /// Why the last logo upload was refused (filled by the page's server function, once).
    pub logo_refused: Option<String>,
    pub stock_policy: StockPolicy,
    /// New paid orders wait for the store to accept them.
    pub accept_orders: bool,
    /// The time zones a store can choose.
    pub time_zones: Vec<String>,
}

/// How a store keeps stock and takes catalog files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockPolicy {
    /// The warehouse an import's `Variant Inventory Qty` goes to, and where units sold beyond stock are counted.
    pub default_warehouse: i64,
    /// Variants may keep selling when out of stock (each variant says whether it does).
    pub backorders: bool,
    /// A SKU repeated in an import file refuses its product instead of being left out of the later row.
    pub strict_import_skus: bool,
}

/// One finding of a catalog import, placed where a spreadsheet shows it: row 1 is the header, the first product
/// row is row 2.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportIssue {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// How many products (or variants) an import creates, updates, leaves as they are, and skips (their rows have
/// problems: the rest of the file still applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportTally {
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    #[serde(default)]
    pub skipped: usize,
}

/// What an import would do (a dry run) or did: every refused row with its column and why, notices (what was
/// ignored or adjusted), each change, and the totals.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportReport {
    /// Product rows read (the header not counted).
    pub rows: usize,
    pub errors: Vec<ImportIssue>,
    pub notices: Vec<ImportIssue>,
    pub changes: Vec<ImportIssue>,
    pub products: ImportTally,
    pub variants: ImportTally,
    /// Stock figures (variant × warehouse) the import sets.
    pub stock_changes: usize,
    /// Pictures the file names by address that an apply fetches (after it, in the background).
    #[serde(default)]
    pub pictures: usize,
}

impl ImportReport {
    /// Whether nothing of the file can be imported: a problem with the file itself (its header, its columns, too
    /// many rows: then no row was read), not with one product's rows (that product is skipped and the rest
    /// applies).
    pub fn file_refused(&self) -> bool {
        self.errors.iter().any(|e| e.row <= 1) || (self.rows == 0 && !self.errors.is_empty())
    }

    /// Whether applying would change anything.
    pub fn changes_anything(&self) -> bool {
        self.products.create
            + self.products.update
            + self.variants.create
            + self.variants.update
            + self.stock_changes
            + self.pictures
            > 0
    }
}

/// An uploaded catalog file and its report, as the import page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: i64,
    pub store_name: String,
    pub store_slug: String,
    pub file_name: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub applied_at: Option<i64>,
    pub report: ImportReport,
    pub progress: ImportProgress,
    pub pictures: PictureProgress,
}

/// The pictures an applied import is fetching: how many are in, failed and waiting, and each failed one with its
/// row and why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PictureProgress {
    pub fetched: usize,
    pub failed: usize,
    pub waiting: usize,
    /// The first 500 failed, by row.
    pub failures: Vec<PictureFailure>,
}

/// A picture that could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PictureFailure {
    pub row: usize,
    pub product_id: i64,
    pub product_title: String,
    pub url: String,
    pub reason: String,
}

/// How far applying an import got: it writes a few products per transaction (a large file never holds the
/// database for long), recording each step with the products it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportProgress {
    /// Products written (or left out) so far, of `planned`.
    pub done: usize,
    pub planned: usize,
    /// Unix milliseconds; `None` while it runs (or after it stopped).
    pub finished_at: Option<i64>,
    /// Started and not finished, with no step for a while: the server stopped during it.
    pub stopped: bool,
    /// Products left as they were because they changed (an edit, an order) between the check and their turn.
    pub left_out: Vec<ImportIssue>,
}

/// What the import page lists so a seller can fill a file: the categories (address and name) and the stock
/// columns of the store's warehouses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportGuide {
    pub store_name: String,
    pub store_slug: String,
    /// (id, address, "Kitchen › Kettles") of each category a product may be in.
    pub categories: Vec<(i64, String, String)>,
    /// The stock column of each warehouse ("Bazaar Stock: Main warehouse").
    pub stock_columns: Vec<String>,
}

/// A tag as it is compared and filtered by: lowercase.
pub fn tag_key(tag: &str) -> String {
    tag.to_lowercase()
}

/// The tags of a comma-separated line as typed: each trimmed with its inner spaces made one, empty ones dropped,
/// the same tag (in any case) once. What the editor shows as chips and what the rules check.
pub fn split_tags(line: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for piece in line.split(',') {
        let tag = piece.split_whitespace().collect::<Vec<_>>().join(" ");
        if !tag.is_empty() && !tags.iter().any(|t| tag_key(t) == tag_key(&tag)) {
            tags.push(tag);
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_kinds_round_trip_through_their_stored_spelling() {
        for kind in RateKind::ALL {
            assert_eq!(RateKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RateKind::parse("free"), None);
    }
}
