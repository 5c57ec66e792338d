//! "Your data" (`/account/privacy`): what the page tells an account before it downloads or erases.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyOverview {
    pub email: String,
    pub orders: i64,
    pub reviews: i64,
    pub addresses: i64,
    pub wishlist_items: i64,
    /// Orders on their way or with a return open, by number: while there are any, the account cannot be erased.
    pub open_orders: Vec<String>,
    /// Why this account is not erased from here (a store's or an admin's), if it is not.
    pub not_erasable: Option<String>,
}
