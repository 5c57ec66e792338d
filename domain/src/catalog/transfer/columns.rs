//! The columns a file has (Shopify's product CSV and two of our own) and its cells: a cell a spreadsheet would run
//! as a formula is neutralised on export and read back as it was on import.

use model::sellers::ImportIssue;

pub(super) const HANDLE: &str = "Handle";
pub(super) const TITLE: &str = "Title";
pub(super) const BODY: &str = "Body (HTML)";
pub(super) const VENDOR: &str = "Vendor";
pub(super) const TYPE: &str = "Type";
pub(super) const TAGS: &str = "Tags";
pub(super) const PUBLISHED: &str = "Published";
pub(super) const OPTION_NAMES: [&str; 3] = ["Option1 Name", "Option2 Name", "Option3 Name"];
pub(super) const OPTION_VALUES: [&str; 3] = ["Option1 Value", "Option2 Value", "Option3 Value"];
pub(super) const SKU: &str = "Variant SKU";
pub(super) const GRAMS: &str = "Variant Grams";
pub(super) const QUANTITY: &str = "Variant Inventory Qty";
/// `continue`: the variant keeps selling when out of stock (in a store with backorders); `deny`: it stops.
pub(super) const INVENTORY_POLICY: &str = "Variant Inventory Policy";
pub(super) const PRICE: &str = "Variant Price";
pub(super) const COMPARE_AT: &str = "Variant Compare At Price";
pub(super) const BARCODE: &str = "Variant Barcode";
/// What the variant costs the seller (never shown to shoppers).
pub(super) const COST: &str = "Cost per item";
/// Shopify's unit for showing a weight; `Variant Grams` is always grams. Read with `Variant Weight` (other
/// platforms' files) to convert it to grams.
pub(super) const WEIGHT_UNIT: &str = "Variant Weight Unit";
/// A weight in `Variant Weight Unit` (g, kg, lb, oz), read when there is no `Variant Grams`.
pub(super) const WEIGHT: &str = "Variant Weight";
pub(super) const IMAGE_SRC: &str = "Image Src";
pub(super) const IMAGE_ALT: &str = "Image Alt Text";
pub(super) const STATUS: &str = "Status";
pub(super) const SEO_TITLE: &str = "SEO Title";
/// Shopify's taxonomy path (`Home & Garden > Kitchen & Dining > Cookware`): read, matched to one of our
/// categories by name, never written (our export names its category in `Bazaar Category`).
pub(super) const PRODUCT_CATEGORY: &str = "Product Category";
/// A variant's picture: Bazaar shows pictures per product, so it is fetched as one of the product's.
pub(super) const VARIANT_IMAGE: &str = "Variant Image";
/// The picture's place among the product's (1 = first).
pub(super) const IMAGE_POSITION: &str = "Image Position";
/// Columns an import reads that an export does not write.
pub(super) const READ_ONLY: [&str; 4] = [PRODUCT_CATEGORY, VARIANT_IMAGE, IMAGE_POSITION, WEIGHT];
pub(super) const SEO_DESCRIPTION: &str = "SEO Description";
pub(super) const CATEGORY: &str = "Bazaar Category";
/// The row's stock figures as exported, per warehouse (`7:12 9:3`: warehouse id, units): an import changes a
/// figure only where the seller changed it, never back over units sold since the export (decision 0016's rule,
/// applied to a file). They are the very figures written in the stock columns, so no clock is involved (a time
/// would miss a sale that took its time before the export and committed after the export read the stock).
pub(super) const STOCK_EXPORTED: &str = "Bazaar Stock Exported";
/// What earlier exports wrote instead (a time): such a file's figures cannot be checked, so it is refused whole.
pub(super) const LEGACY_STOCK_AS_OF: &str = "Bazaar Stock As Of";
pub(super) const STOCK_PREFIX: &str = "Bazaar Stock: ";

/// The columns an import reads, in the order an export writes them (the stock columns follow).
pub(super) const KNOWN: [&str; 29] = [
    HANDLE,
    TITLE,
    BODY,
    VENDOR,
    TYPE,
    TAGS,
    PUBLISHED,
    OPTION_NAMES[0],
    OPTION_VALUES[0],
    OPTION_NAMES[1],
    OPTION_VALUES[1],
    OPTION_NAMES[2],
    OPTION_VALUES[2],
    SKU,
    GRAMS,
    WEIGHT_UNIT,
    QUANTITY,
    INVENTORY_POLICY,
    PRICE,
    COMPARE_AT,
    BARCODE,
    COST,
    IMAGE_SRC,
    IMAGE_ALT,
    STATUS,
    SEO_TITLE,
    SEO_DESCRIPTION,
    CATEGORY,
    STOCK_EXPORTED,
];

/// Shopify's placeholder option of a product without options.
pub(super) const DEFAULT_OPTION: (&str, &str) = ("Title", "Default Title");

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return first) gets an
/// apostrophe in front: the spreadsheet shows it as text (CSV injection).
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some(c) if starts_formula(c) => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The characters that make a spreadsheet read a cell as a formula; spreadsheets in East Asian locales take the
/// full-width forms (`＝＋－＠`) for the same.
pub(super) fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
}

/// The reverse of `neutralise`, so an exported cell reads back as it was.
pub(super) fn restore(cell: &str) -> &str {
    let mut chars = cell.chars();
    match (chars.next(), chars.next()) {
        (Some('\''), Some(c)) if starts_formula(c) => &cell[1..],
        _ => cell,
    }
}

/// `text` without `prefix` (ASCII, any case); `None` when it does not start with it. Never cuts a character:
/// `get` answers `None` where the prefix's length falls inside one (`Prix barré (€)`).
pub(super) fn strip_prefix_any_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

pub(super) fn issue(row: usize, column: &str, message: impl Into<String>) -> ImportIssue {
    ImportIssue {
        row,
        column: column.to_string(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_read_back() {
        for cell in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-50% off",
            "@SUM(A1)",
            "\tx",
            "＝HYPERLINK(1)",
            "＋1",
            "－2",
            "＠A1",
        ] {
            let out = neutralise(cell);
            assert!(out.starts_with('\''), "{out}");
            assert_eq!(restore(&out), cell);
        }
        assert_eq!(neutralise("Copper kettle"), "Copper kettle");
        assert_eq!(restore("'quoted"), "'quoted");
    }

    #[test]
    fn a_header_is_never_cut_inside_a_character() {
        assert_eq!(strip_prefix_any_case("Prix barré (€)", STOCK_PREFIX), None);
        assert_eq!(strip_prefix_any_case("Bazaar Stöck", STOCK_PREFIX), None);
        assert_eq!(
            strip_prefix_any_case("bazaar stock: Lager Köln", STOCK_PREFIX),
            Some("Lager Köln")
        );
    }
}
