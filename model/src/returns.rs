//! Returns of delivered units, as the shopper asks for them and both sides follow them.

use serde::{Deserialize, Serialize};

/// Why a shopper sends units back: a list, so the store and both timelines read it plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReturnReason {
    Damaged,
    WrongItem,
    NotAsDescribed,
    NoLongerNeeded,
    Other,
}

impl ReturnReason {
    pub const ALL: [ReturnReason; 5] = [
        ReturnReason::Damaged,
        ReturnReason::WrongItem,
        ReturnReason::NotAsDescribed,
        ReturnReason::NoLongerNeeded,
        ReturnReason::Other,
    ];

    /// The spelling stored and posted by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnReason::Damaged => "damaged",
            ReturnReason::WrongItem => "wrong_item",
            ReturnReason::NotAsDescribed => "not_as_described",
            ReturnReason::NoLongerNeeded => "no_longer_needed",
            ReturnReason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<ReturnReason> {
        ReturnReason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReturnReason::Damaged => "It arrived damaged",
            ReturnReason::WrongItem => "The wrong item was sent",
            ReturnReason::NotAsDescribed => "It is not as described",
            ReturnReason::NoLongerNeeded => "I no longer need it",
            ReturnReason::Other => "Another reason",
        }
    }
}

impl ReturnReason {
    /// Whether the shopper may ask for the same units again instead of their money: only when the store's
    /// units were at fault.
    pub fn allows_replacement(self) -> bool {
        matches!(self, ReturnReason::Damaged | ReturnReason::WrongItem)
    }
}

/// What a shopper asks for with a return: their money back, or the same units again (an exchange).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Remedy {
    Refund,
    Replacement,
}

impl Remedy {
    pub const ALL: [Remedy; 2] = [Remedy::Refund, Remedy::Replacement];

    /// The spelling stored and posted by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Remedy::Refund => "refund",
            Remedy::Replacement => "replacement",
        }
    }

    pub fn parse(text: &str) -> Option<Remedy> {
        Remedy::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Remedy::Refund => "My money back",
            Remedy::Replacement => "A replacement (damaged or wrong items)",
        }
    }
}

/// One return as both sides see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnView {
    pub id: i64,
    pub requested_at: i64,
    /// The state's spelling and what it reads as.
    pub state: String,
    pub state_label: String,
    pub reason: String,
    pub note: String,
    /// Why the store refused it.
    pub answer: String,
    /// "1 × Copper kettle (Large)".
    pub lines: Vec<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    /// The returned units go back on sale when refunded.
    pub restock: bool,
    /// The shopper asks for a replacement instead of a refund.
    pub replacement: bool,
    /// The replacement's parcel, once the store sent it.
    pub replacement_tracking: Option<String>,
    pub replacement_url: Option<String>,
}

/// A delivered line and how many of its units can still be sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnableLine {
    pub variant_id: i64,
    pub title: String,
    pub variant: String,
    pub returnable: i64,
}

/// The shopper's returns page of one seller order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnScreen {
    pub group_number: String,
    pub order_number: String,
    pub store_name: String,
    /// The store's return window in days (0: it takes no returns) and its policy text.
    pub return_days: i64,
    pub policy: String,
    /// The last day units can be sent back (from delivery), when the order was delivered.
    pub window_ends: Option<i64>,
    /// Whether a return can be asked for now.
    pub open: bool,
    pub lines: Vec<ReturnableLine>,
    pub returns: Vec<ReturnView>,
}
