//! The wishlist as its page shows it.

use serde::{Deserialize, Serialize};

use crate::catalog::{Money, ProductCard};

/// A kept product: its card as listings show it (price and stock now), and what it cost when it was kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WishlistItem {
    pub card: ProductCard,
    pub saved_price: Money,
    /// The product has one variant in stock: "Move to cart" takes it; otherwise the shopper chooses options.
    pub movable_variant: Option<i64>,
}

impl WishlistItem {
    /// The price it had when kept, when it is lower now.
    pub fn dropped_from(&self) -> Option<&Money> {
        (self.card.price.amount < self.saved_price.amount && self.card.price.currency == self.saved_price.currency)
            .then_some(&self.saved_price)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WishlistView {
    pub items: Vec<WishlistItem>,
    /// Kept products no longer on sale (archived by their store), left out of `items`.
    pub unavailable: i64,
}
