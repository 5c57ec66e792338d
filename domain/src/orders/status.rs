//! The seller order's state machine. Every status change goes through [`OrderStatus::can_become`]; the database
//! update is conditional on the old status, so two racing changes cannot both apply.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
    PartiallyRefunded,
    PaymentFailed,
    Expired,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
        OrderStatus::PartiallyRefunded,
        OrderStatus::PaymentFailed,
        OrderStatus::Expired,
    ];

    /// The spelling stored in the database (the CHECK constraint lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
            OrderStatus::PartiallyRefunded => "partially_refunded",
            OrderStatus::PaymentFailed => "payment_failed",
            OrderStatus::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What a shopper reads.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "Awaiting payment",
            OrderStatus::Paid => "Paid",
            OrderStatus::Shipped => "Shipped",
            OrderStatus::Delivered => "Delivered",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::Refunded => "Refunded",
            OrderStatus::PartiallyRefunded => "Partially refunded",
            OrderStatus::PaymentFailed => "Payment failed",
            OrderStatus::Expired => "Expired (not paid in time)",
        }
    }

    /// Whether a change from `self` to `next` is allowed.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (PendingPayment, Paid | PaymentFailed | Expired | Cancelled)
                // A payment that succeeds after the reservation expired is re-checked (and refunded if the
                // stock is gone): the order may still become paid.
                | (Expired | PaymentFailed, Paid)
                | (Paid, Shipped | Cancelled | Refunded | PartiallyRefunded)
                | (PartiallyRefunded, Shipped | Refunded | PartiallyRefunded | Cancelled)
                | (Shipped, Delivered | Refunded | PartiallyRefunded)
                | (Delivered, Refunded | PartiallyRefunded)
        )
    }

    /// Whether the shopper may still cancel (nothing has left the warehouse).
    pub fn cancellable(self) -> bool {
        matches!(self, OrderStatus::Paid | OrderStatus::PartiallyRefunded)
    }
}

/// Timeline entries that are no status of their own: some units left, the rest are still to ship; some units
/// were cancelled before they shipped; a refund the payment provider did not make.
pub(super) const PARTIALLY_SHIPPED: &str = "partially_shipped";
pub(super) const ITEMS_CANCELLED: &str = "items_cancelled";
pub(super) const REFUND_FAILED: &str = "refund_failed";
/// The store accepted a paid order (stores that accept their orders), or did not in time.
pub(super) const ACCEPTED: &str = "accepted";
pub(super) const NOT_ACCEPTED: &str = "not_accepted";

/// What a timeline entry of `kind` (a status's spelling or one of the events above) reads as.
pub fn event_label(kind: &str) -> String {
    match OrderStatus::parse(kind) {
        Some(status) => status.label().to_string(),
        None if kind == PARTIALLY_SHIPPED => "Partially shipped".to_string(),
        None if kind == ITEMS_CANCELLED => "Items cancelled".to_string(),
        None if kind == REFUND_FAILED => "Refund failed".to_string(),
        None if kind == ACCEPTED => "Accepted".to_string(),
        None if kind == NOT_ACCEPTED => "Not accepted in time".to_string(),
        None => match super::returns::ReturnState::ALL
            .into_iter()
            .find(|s| s.event_kind() == kind)
        {
            Some(state) => state.label().to_string(),
            None => kind.replace('_', " "),
        },
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An order group's status: the checkout as a whole (its one payment), apart from each seller's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupStatus {
    PendingPayment,
    Paid,
    PaymentFailed,
    Expired,
    Cancelled,
}

impl GroupStatus {
    pub const ALL: [GroupStatus; 5] = [
        GroupStatus::PendingPayment,
        GroupStatus::Paid,
        GroupStatus::PaymentFailed,
        GroupStatus::Expired,
        GroupStatus::Cancelled,
    ];

    /// The spelling stored in the database (the CHECK constraint lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupStatus::PendingPayment => "pending_payment",
            GroupStatus::Paid => "paid",
            GroupStatus::PaymentFailed => "payment_failed",
            GroupStatus::Expired => "expired",
            GroupStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<GroupStatus> {
        GroupStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What a person reads: the words of the order status of the same name.
    pub fn label(self) -> &'static str {
        match self {
            GroupStatus::PendingPayment => OrderStatus::PendingPayment.label(),
            GroupStatus::Paid => OrderStatus::Paid.label(),
            GroupStatus::PaymentFailed => OrderStatus::PaymentFailed.label(),
            GroupStatus::Expired => OrderStatus::Expired.label(),
            GroupStatus::Cancelled => OrderStatus::Cancelled.label(),
        }
    }

    /// Not paid (yet): waiting, or ended before the money arrived. A payment may still land on such a group.
    pub fn unpaid(self) -> bool {
        matches!(
            self,
            GroupStatus::PendingPayment | GroupStatus::Expired | GroupStatus::PaymentFailed
        )
    }

    /// The group status an unpaid group takes when its orders end this way.
    pub fn ending(to: OrderStatus) -> GroupStatus {
        match to {
            OrderStatus::Expired => GroupStatus::Expired,
            OrderStatus::PaymentFailed => GroupStatus::PaymentFailed,
            _ => GroupStatus::Cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::{self, *};

    #[test]
    fn the_happy_path_is_allowed_and_the_spelling_round_trips() {
        for (a, b) in [
            (PendingPayment, Paid),
            (Paid, Shipped),
            (Shipped, Delivered),
            (Delivered, Refunded),
        ] {
            assert!(a.can_become(b), "{a:?} → {b:?}");
        }
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderStatus::parse("lost"), None);
    }

    #[test]
    fn illegal_transitions_are_rejected() {
        for (a, b) in [
            (PendingPayment, Shipped),
            (Shipped, Cancelled),
            (Delivered, Paid),
            (Cancelled, Paid),
            (Refunded, Shipped),
            (Paid, PendingPayment),
            (Refunded, Refunded),
        ] {
            assert!(!a.can_become(b), "{a:?} → {b:?} must be refused");
        }
        assert!(!Shipped.cancellable());
        assert!(Paid.cancellable());
    }

    #[test]
    fn group_statuses_round_trip() {
        for s in super::GroupStatus::ALL {
            assert_eq!(super::GroupStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(super::GroupStatus::parse("lost"), None);
    }
}
