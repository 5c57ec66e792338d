//! The messages of a seller order, as its shopper, its store and admins read them.

use serde::{Deserialize, Serialize};

/// One message (or, for the store, an internal note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub at: i64,
    /// "The shopper", the store's name, or "Internal note".
    pub author: String,
    /// The store's own message or note (shown on the right for the store).
    pub from_store: bool,
    pub internal: bool,
    pub body: String,
    /// What it holds that takes a deal off Bazaar ("a phone number"), when it does.
    pub flagged: Option<String>,
}

/// One seller order's conversation, for its shopper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageScreen {
    pub group_number: String,
    pub order_number: String,
    pub store_name: String,
    pub messages: Vec<MessageView>,
}

/// A flagged message in the admins' list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedMessage {
    pub order_number: String,
    pub store_name: String,
    pub message: MessageView,
}
