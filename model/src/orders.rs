//! Checkout and orders as the pages show them.

use serde::{Deserialize, Serialize};

use crate::cart::CartLineView;
use crate::catalog::Money;
use crate::FieldError;

/// Countries the shop ships to (ISO 3166 code, name), in the order the checkout lists them.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("NL", "Netherlands"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("AU", "Australia"),
    ("JP", "Japan"),
];

pub fn country_name(code: &str) -> &str {
    COUNTRIES.iter().find(|(c, _)| *c == code).map_or(code, |(_, n)| n)
}

/// What the shopper typed on the checkout page (kept in the session between the pages, so nothing typed is lost).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CheckoutDraft {
    pub email: String,
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postal: String,
    pub country: String,
    /// A phone number for the carrier (optional; empty: none given).
    #[serde(default)]
    pub phone: String,
    /// (seller id, shipping rate id) chosen per seller.
    pub shipping: Vec<(i64, i64)>,
    /// The promo code the shopper applied (empty: none).
    #[serde(default)]
    pub promo: String,
    pub errors: Vec<FieldError>,
}

impl CheckoutDraft {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
    }

    pub fn rate_for(&self, seller_id: i64) -> Option<i64> {
        self.shipping.iter().find(|(s, _)| *s == seller_id).map(|(_, r)| *r)
    }
}

/// A shipping address the account used before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedAddress {
    pub id: i64,
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postal: String,
    pub country: String,
}

impl SavedAddress {
    /// "Ada Shopper, 1 Market Street, 94105 San Francisco, United States".
    pub fn label(&self) -> String {
        let mut parts = vec![self.name.clone(), self.line1.clone()];
        if !self.line2.is_empty() {
            parts.push(self.line2.clone());
        }
        parts.push(format!("{} {}", self.postal, self.city));
        parts.push(country_name(&self.country).to_string());
        parts.join(", ")
    }

    pub fn fill(&self, draft: &mut CheckoutDraft) {
        draft.name = self.name.clone();
        draft.line1 = self.line1.clone();
        draft.line2 = self.line2.clone();
        draft.city = self.city.clone();
        draft.postal = self.postal.clone();
        draft.country = self.country.clone();
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingOptionView {
    pub rate_id: i64,
    pub name: String,
    pub cost: Money,
    pub free: bool,
    /// "2–5 business days".
    pub eta: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteGroupView {
    pub seller_id: i64,
    pub seller_name: String,
    pub lines: Vec<CartLineView>,
    pub options: Vec<ShippingOptionView>,
    pub chosen: Option<i64>,
    pub items_total: Money,
    pub shipping: Option<Money>,
    /// The promo code's share of this seller's items (0 when none).
    pub discount: Money,
    pub tax: Money,
}

/// A promo code that applies to the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromoView {
    pub code: String,
    /// "10 % off everything".
    pub label: String,
}

/// Everything the review page shows; prices from the database at the time of the quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteView {
    pub groups: Vec<QuoteGroupView>,
    pub items_total: Money,
    pub shipping_total: Money,
    pub discount_total: Money,
    pub promo: Option<PromoView>,
    /// Why the code in the draft does not apply (also listed in `problems`).
    pub promo_error: Option<String>,
    pub tax_total: Money,
    /// "VAT 19 % (included)" or "Tax 7 %"; empty when there is no tax.
    pub tax_label: String,
    pub tax_inclusive: bool,
    pub grand_total: Money,
    /// Why the order cannot be placed as it stands (sold out, no shipping to the country…).
    pub problems: Vec<String>,
    pub test_mode: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineView {
    pub title: String,
    pub variant: String,
    pub sku: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub line_total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: i64,
    pub label: String,
    pub note: String,
}

/// One seller's part of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerOrderView {
    pub number: String,
    pub seller_name: String,
    pub seller_url: String,
    pub status: String,
    pub status_label: String,
    pub lines: Vec<OrderLineView>,
    pub shipping_name: String,
    pub shipping: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
    pub refunded: Money,
    /// Every shipment of this seller's part, oldest first, each with its tracking.
    #[serde(default)]
    pub shipments: Vec<crate::seller_orders::ShipmentView>,
    pub timeline: Vec<TimelineEntry>,
    pub cancellable: bool,
    /// Shipped in full: the shopper may say it arrived.
    #[serde(default)]
    pub receivable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderGroupView {
    pub number: String,
    pub placed_at: i64,
    pub status: String,
    pub status_label: String,
    pub email: String,
    pub address: Vec<String>,
    pub items_total: Money,
    pub shipping_total: Money,
    pub discount_total: Money,
    pub promo_code: Option<String>,
    pub tax_total: Money,
    pub tax_inclusive: bool,
    pub grand_total: Money,
    pub orders: Vec<SellerOrderView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummaryView {
    pub number: String,
    pub placed_at: i64,
    pub status_label: String,
    pub grand_total: Money,
    pub seller_orders: i64,
    pub items: i64,
}
