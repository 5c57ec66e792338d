//! Catalog wire types: what listings, product pages and the REST API show.

use serde::{Deserialize, Serialize};

/// An amount of money in minor units (cents) of a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount: i64,
    pub currency: String,
}

impl Money {
    pub fn new(amount: i64, currency: impl Into<String>) -> Self {
        Money {
            amount,
            currency: currency.into(),
        }
    }

    /// "$12.99", "€5.00", or "12.99 CHF" for currencies without a symbol here.
    pub fn display(&self) -> String {
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        let number = format!("{}.{:02}", abs / 100, abs % 100);
        match self.currency.as_str() {
            "USD" => format!("{sign}${number}"),
            "EUR" => format!("{sign}€{number}"),
            "GBP" => format!("{sign}£{number}"),
            other => format!("{sign}{number} {other}"),
        }
    }

    /// "12.34", "-0.05": the amount without its currency, as a spreadsheet reads it (files).
    pub fn plain(&self) -> String {
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Major units as a JSON number for the REST API (exact for amounts below 2^53 cents).
    pub fn major(&self) -> f64 {
        self.amount as f64 / 100.0
    }
}

/// A seller's public store profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerView {
    pub slug: String,
    pub store_name: String,
    pub description: String,
    /// The store's logo (a thumbnail's address), if it has one.
    pub logo_url: Option<String>,
    #[serde(default)]
    pub returns: Returns,
}

/// A store's return window and policy, as its store page and its products' pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Returns {
    /// Days after delivery a shopper may ask to return (0: no returns).
    pub days: i64,
    pub policy: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub name: String,
}

/// What a product or cart page offers next: products bought in the same orders, and products like the one shown
/// (issue 22, decision 0044). Either may be empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Discovery {
    pub also_bought: Vec<ProductCard>,
    pub similar: Vec<ProductCard>,
}

/// A product in a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub price: Money,
    pub category_name: String,
    pub category_slug: String,
    pub seller_name: String,
    pub seller_slug: String,
    /// Average rating 0–5, `None` without ratings.
    pub rating: Option<f32>,
    pub rating_count: i64,
    pub in_stock: bool,
    pub image_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantView {
    pub id: i64,
    pub sku: String,
    pub title: String,
    pub options: Vec<(String, String)>,
    pub price: Money,
    /// The lowest price of the 30 days before this price began, when it is above this price: the only "was"
    /// price a shopper is shown (EU Omnibus directive, art. 6a; decision 0042).
    pub was_price: Option<Money>,
    /// Units in stock (below zero: units sold beyond stock, owed by a variant that keeps selling).
    pub available: i64,
    /// Stays on sale when out of stock (its store allows backorders).
    pub keep_selling: bool,
}

impl VariantView {
    /// What a shopper picks it by: its option values ("M / Blue"), or its title when it has none.
    pub fn label(&self) -> String {
        if self.options.is_empty() {
            self.title.clone()
        } else {
            self.options
                .iter()
                .map(|(_, value)| value.as_str())
                .collect::<Vec<_>>()
                .join(" / ")
        }
    }

    /// The units a shopper may buy now.
    pub fn sellable(&self) -> i64 {
        crate::cart::sellable_units(self.available, self.keep_selling)
    }
}

/// One picture of a product: a display size, a thumbnail, the original, and its alt text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageView {
    /// 480 px wide WebP.
    pub url: String,
    /// 160 px wide WebP.
    pub thumb_url: String,
    pub full_url: String,
    pub alt: String,
    /// Of the 480 px rendition, so the page reserves the space before it loads.
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub card: ProductCard,
    /// In the seller's order; empty when the product has no pictures yet.
    pub images: Vec<ImageView>,
    pub description_md: String,
    pub attributes: Vec<(String, String)>,
    pub variants: Vec<VariantView>,
    /// Root first, ending with the product's own category.
    pub breadcrumbs: Vec<CategoryView>,
    /// The page's title in search engines ('' = the product's title).
    #[serde(default)]
    pub seo_title: String,
    /// The page's meta description ('' = none).
    #[serde(default)]
    pub seo_description: String,
    /// The seller's tags, in their order: each finds its products in search.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Its store's return window and policy.
    #[serde(default)]
    pub returns: Returns,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
    Rating,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Sort::Relevance,
        Sort::PriceAsc,
        Sort::PriceDesc,
        Sort::Newest,
        Sort::Rating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::Newest => "newest",
            Sort::Rating => "rating",
        }
    }

    pub fn parse(text: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Relevance => "Relevance",
            Sort::PriceAsc => "Price: low to high",
            Sort::PriceDesc => "Price: high to low",
            Sort::Newest => "Newest",
            Sort::Rating => "Top rated",
        }
    }
}

/// A validated product search (parse with `domain::catalog::SearchQuery::parse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub category: Option<String>,
    pub seller: Option<String>,
    /// Minor units, inclusive.
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// Minimum average rating, 1 to 4 stars.
    pub rating_min: Option<u8>,
    /// Minimum average rating of the product's store (its store ratings), 1 to 4 stars.
    #[serde(default)]
    pub store_rating_min: Option<u8>,
    pub in_stock: bool,
    /// Attribute filters as (name, value); at most one value per name, all must hold.
    pub attrs: Vec<(String, String)>,
    pub page: u32,
    pub per_page: u32,
    pub sort: Sort,
}

/// Price ranges offered as a facet, in minor units: `[from, to)`; `None` = open ended.
pub const PRICE_BUCKETS: [(i64, Option<i64>); 5] = [
    (0, Some(2_500)),
    (2_500, Some(5_000)),
    (5_000, Some(10_000)),
    (10_000, Some(20_000)),
    (20_000, None),
];

/// One value of a facet with the number of results choosing it would give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    /// What goes into the URL parameter (a slug, `Brand:Arbor`, `4`, `25-50`).
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
}

/// Which URL parameter a facet drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacetKind {
    Category,
    Seller,
    Price,
    Rating,
    StoreRating,
    InStock,
    Attribute,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facet {
    pub kind: FacetKind,
    pub label: String,
    pub values: Vec<FacetValue>,
}

/// A product or category offered while typing in the search box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub label: String,
    pub url: String,
    /// "Product" or "Category", read out by screen readers.
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<ProductCard>,
    /// Counts for narrowing the results; each facet counts as if its own filter were not set.
    pub facets: Vec<Facet>,
    /// True when the search index was unavailable and the database answered: results may be incomplete.
    pub degraded: bool,
}

/// "In stock", "Only 3 left", "Out of stock": what the product page and its variant picker say of a variant.
pub fn stock_label(available: i64, keep_selling: bool) -> String {
    match available {
        n if n <= 0 && keep_selling => "Available to order: ships when back in stock".to_string(),
        n if n <= 0 => "Out of stock".to_string(),
        // Never "only 3 left" for a variant that goes on selling after them.
        _ if keep_selling => "In stock".to_string(),
        n if n <= 5 => format!("Only {n} left"),
        _ => "In stock".to_string(),
    }
}

#[cfg(test)]
mod stock_label_tests {
    use super::stock_label;

    #[test]
    fn stock_labels_follow_the_thresholds() {
        assert_eq!(stock_label(0, false), "Out of stock");
        assert_eq!(stock_label(3, false), "Only 3 left");
        assert_eq!(stock_label(40, false), "In stock");
        assert_eq!(stock_label(-2, true), "Available to order: ships when back in stock");
        assert_eq!(stock_label(3, true), "In stock");
    }
}
