//! What the admins' order screens show: every checkout (`/admin/orders`, filtered by state, days, store,
//! customer and amount) and one checkout with its stores' orders, payments, refunds and internal notes.

use serde::{Deserialize, Serialize};

use crate::catalog::Money;
use crate::orders::OrderGroupView;

/// Where a checkout stands, in the words the admins' filter uses: a checkout is in a state when any of its stores'
/// orders is (a checkout from two stores can be shipped by one and still to ship by the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckoutState {
    /// Placed, the shopper has not paid yet.
    AwaitingPayment,
    /// Paid, with units a store still has to ship.
    ToShip,
    Shipped,
    Delivered,
    /// Money went back, in full or in part.
    Refunded,
    Cancelled,
    /// The payment failed or was not made in time.
    NotPaid,
}

impl CheckoutState {
    pub const ALL: [CheckoutState; 7] = [
        CheckoutState::AwaitingPayment,
        CheckoutState::ToShip,
        CheckoutState::Shipped,
        CheckoutState::Delivered,
        CheckoutState::Refunded,
        CheckoutState::Cancelled,
        CheckoutState::NotPaid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckoutState::AwaitingPayment => "awaiting-payment",
            CheckoutState::ToShip => "to-ship",
            CheckoutState::Shipped => "shipped",
            CheckoutState::Delivered => "delivered",
            CheckoutState::Refunded => "refunded",
            CheckoutState::Cancelled => "cancelled",
            CheckoutState::NotPaid => "not-paid",
        }
    }

    pub fn parse(text: &str) -> Option<CheckoutState> {
        CheckoutState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckoutState::AwaitingPayment => "Awaiting payment",
            CheckoutState::ToShip => "To ship",
            CheckoutState::Shipped => "Shipped",
            CheckoutState::Delivered => "Delivered",
            CheckoutState::Refunded => "Refunded (in full or in part)",
            CheckoutState::Cancelled => "Cancelled",
            CheckoutState::NotPaid => "Payment failed or expired",
        }
    }
}

/// The orders list's filters, as the address carries them (what was typed, checked by the domain).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSearch {
    /// A whole order number (the checkout's or a store's), or words of the customer's name or email.
    pub q: String,
    pub state: Option<CheckoutState>,
    /// Words of a store's name: checkouts with an order from a store so named.
    pub store: String,
    /// First and last day placed, `YYYY-MM-DD` (either may be empty).
    pub from: String,
    pub to: String,
    /// The least and most the shopper paid, as typed ("12.50").
    pub min: String,
    pub max: String,
}

impl OrderSearch {
    pub fn narrowed(&self) -> bool {
        *self != OrderSearch::default()
    }

    pub fn href(&self, after: &str) -> String {
        let state = self.state.map(CheckoutState::as_str).unwrap_or_default();
        crate::href_with(
            "/admin/orders",
            &[
                ("q", &self.q),
                ("state", state),
                ("store", &self.store),
                ("from", &self.from),
                ("to", &self.to),
                ("min", &self.min),
                ("max", &self.max),
                ("after", after),
            ],
        )
    }
}

/// A row of the orders list: one checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutRow {
    pub number: String,
    pub placed_at: i64,
    pub customer: String,
    pub email: String,
    /// The stores it bought from, by name.
    pub stores: Vec<String>,
    pub total: Money,
    pub refunded: Money,
    pub status_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutList {
    pub rows: Vec<CheckoutRow>,
    pub next: Option<String>,
}

/// A payment attempt of a checkout, as the provider knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// "test" (the built-in test gateway) or "stripe".
    pub provider: String,
    /// The provider's id of the payment, to look it up on the provider's side.
    pub reference: String,
    pub amount: Money,
    pub refunded: Money,
    pub status: String,
    /// Why the provider declined it (its own words).
    pub failure: String,
    pub at: i64,
}

/// Money sent back through the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecord {
    pub amount: Money,
    /// The store's order it was for (`None`: the whole payment).
    pub order_number: Option<String>,
    pub at: i64,
}

/// An internal note: seen by admins only, never by the shopper or the stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderNote {
    pub author: String,
    pub body: String,
    pub at: i64,
}

/// A checkout's admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutDetail {
    /// What the shopper sees (stores' orders with their lines, shipments and timelines), read by an admin.
    pub order: OrderGroupView,
    /// The account that placed it (`None`: a guest, or an erased account).
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub payments: Vec<PaymentRecord>,
    pub refunds: Vec<RefundRecord>,
    /// Messages between the shopper and the stores about it.
    pub messages: i64,
    /// Oldest first.
    pub notes: Vec<OrderNote>,
    /// The store orders money can still go back on (their refund page is linked).
    pub refundable: Vec<String>,
}

/// A store's order as an admin refunds or cancels it (`/admin/orders/{number}/refund`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminStoreOrder {
    /// The checkout it is part of.
    pub checkout: String,
    pub order: crate::seller_orders::SellerOrderDetail,
    /// Whether the admin's last password is older than 10 minutes (a refund above `confirm_above` asks for it).
    pub needs_password: bool,
    pub confirm_above: Money,
}

/// The longest internal note, in characters.
pub const NOTE_MAX_CHARS: usize = 2000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_searches_make_addresses() {
        for s in CheckoutState::ALL {
            assert_eq!(CheckoutState::parse(s.as_str()), Some(s));
        }
        let search = OrderSearch {
            q: "ada@example.com".into(),
            state: Some(CheckoutState::ToShip),
            store: "Tea & Co".into(),
            min: "10".into(),
            ..OrderSearch::default()
        };
        assert_eq!(
            search.href("1.2"),
            "/admin/orders?q=ada%40example.com&state=to-ship&store=Tea+%26+Co&min=10&after=1.2"
        );
        assert!(search.narrowed());
        assert_eq!(OrderSearch::default().href(""), "/admin/orders");
    }
}
