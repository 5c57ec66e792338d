//! A store's own promo codes as its seller manages them (`/seller/promotions`).

use serde::{Deserialize, Serialize};

use crate::catalog::Money;

/// Where a code stands today, in the words the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromotionState {
    Active,
    Paused,
    /// Its start date is still to come.
    Scheduled,
    Ended,
    UsedUp,
}

impl PromotionState {
    pub fn label(self) -> &'static str {
        match self {
            PromotionState::Active => "Active",
            PromotionState::Paused => "Paused",
            PromotionState::Scheduled => "Scheduled",
            PromotionState::Ended => "Ended",
            PromotionState::UsedUp => "Used up",
        }
    }

    /// The badge's tone (its words say the same).
    pub fn tone(self) -> &'static str {
        match self {
            PromotionState::Active => "success",
            PromotionState::Paused | PromotionState::Scheduled => "warning",
            PromotionState::Ended | PromotionState::UsedUp => "neutral",
        }
    }
}

/// One code of the store, with what it has done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionRow {
    pub id: i64,
    pub code: String,
    /// "10 % off", "$5.00 off".
    pub offer: String,
    /// "Orders from $20.00 · once per customer · until 2026-12-31".
    pub conditions: String,
    pub state: PromotionState,
    /// Uses by orders still alive, and the limit if there is one.
    pub uses: i64,
    pub max_uses: Option<i64>,
    /// What the code took off the store's paid orders.
    pub discount_given: Money,
    pub last_used: Option<i64>,
    pub paused: bool,
}

/// The promotions screen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StorePromotions {
    pub store_name: String,
    pub store_slug: String,
    pub codes: Vec<PromotionRow>,
}

/// A new code as typed on the form: every field as text, checked by the domain.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PromotionForm {
    pub code: String,
    /// "percent" or "fixed".
    pub kind: String,
    /// A percentage ("10") or an amount ("5.00").
    pub value: String,
    pub min_subtotal: String,
    /// `YYYY-MM-DD`, empty for today.
    pub starts: String,
    /// `YYYY-MM-DD` (the last day it works), empty for no end.
    pub ends: String,
    pub max_uses: String,
    pub per_customer: String,
}

/// The form's fields and their labels, for the error summary.
pub const PROMOTION_FIELDS: &[(&str, &str)] = &[
    ("code", "Code"),
    ("kind", "Discount type"),
    ("value", "Discount"),
    ("min_subtotal", "Minimum order"),
    ("starts", "Starts on"),
    ("ends", "Last day"),
    ("max_uses", "Total uses"),
    ("per_customer", "Uses per customer"),
];
