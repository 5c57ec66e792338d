//! The cart as the pages show it.

use serde::{Deserialize, Serialize};

use crate::catalog::Money;

/// At most this many of one variant per cart line (and per order line).
pub const MAX_QUANTITY: i64 = 99;

/// The units a shopper may buy of a variant with `available` in stock: those, or a line's most for a variant
/// that keeps selling when out of stock.
pub fn sellable_units(available: i64, keep_selling: bool) -> i64 {
    if keep_selling {
        available.max(MAX_QUANTITY)
    } else {
        available
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLineView {
    pub variant_id: i64,
    pub product_title: String,
    pub product_url: String,
    /// Option values such as "Blue / M"; empty for a product with one variant.
    pub variant_label: String,
    pub sku: String,
    pub image_url: String,
    pub quantity: i64,
    /// Today's unit price (what checkout will charge).
    pub unit_price: Money,
    /// The unit price when the line was added, when it differs from today's.
    pub price_was: Option<Money>,
    /// Units on hand across the seller's warehouses.
    pub available: i64,
    pub line_total: Money,
    /// Whether the product is still for sale (published, its store active): a line can outlive either.
    pub on_sale: bool,
}

impl CartLineView {
    /// What the cart must tell the shopper about this line, if anything.
    pub fn notice(&self) -> Option<String> {
        if !self.on_sale {
            Some("No longer available: remove it to check out.".to_string())
        } else if self.available <= 0 {
            Some("Sold out: remove it to check out.".to_string())
        } else if self.quantity > self.available {
            Some(format!(
                "Only {} left: lower the quantity to check out.",
                self.available
            ))
        } else {
            self.price_was.as_ref().map(|was| {
                let direction = if was.amount > self.unit_price.amount {
                    "dropped"
                } else {
                    "went up"
                };
                format!("The price {direction} from {} since you added it.", was.display())
            })
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerGroupView {
    pub seller_id: i64,
    pub seller_name: String,
    pub seller_url: String,
    pub lines: Vec<CartLineView>,
    pub subtotal: Money,
}

/// What the buy box's island is told after adding to the cart without a page load: the cart's new item count, or
/// why the shop refused (above stock, sold out, not on sale). A refusal is an expected answer, not a failed
/// request, so it comes with status 200 and the browser's console stays clean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddOutcome {
    pub count: Option<i64>,
    pub refused: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CartView {
    /// What the shopper is told once (a line taken out because its variant is no longer sold).
    #[serde(default)]
    pub notices: Vec<String>,
    pub groups: Vec<SellerGroupView>,
    pub item_count: i64,
    /// Sum of the line totals; `None` for an empty cart.
    pub total: Option<Money>,
}

impl CartView {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Whether every line can be bought as it stands.
    pub fn ready_for_checkout(&self) -> bool {
        !self.is_empty()
            && self
                .groups
                .iter()
                .flat_map(|g| &g.lines)
                .all(|l| l.available > 0 && l.quantity <= l.available)
    }
}
