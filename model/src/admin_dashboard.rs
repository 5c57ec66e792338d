//! The admin dashboard on `/admin`: the marketplace's sales over a period against the period before, one set of
//! figures per currency (amounts of two currencies are never summed), each day of it, and the people who joined.

use serde::{Deserialize, Serialize};

use crate::catalog::Money;
use crate::money::SalesRange;

/// The marketplace's paid checkouts over a period, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformFigures {
    /// Gross merchandise value: what shoppers paid (goods after discounts, shipping and tax).
    pub gmv: Money,
    /// Paid checkouts (one per payment, however many stores it bought from).
    pub orders: i64,
    /// Refunded, on the days of the sales they refund (a refund restates its sale's day).
    pub refunds: Money,
    pub refund_count: i64,
}

impl PlatformFigures {
    pub fn zero(currency: &str) -> Self {
        PlatformFigures {
            gmv: Money::new(0, currency),
            orders: 0,
            refunds: Money::new(0, currency),
            refund_count: 0,
        }
    }

    /// GMV per checkout; `None` without a checkout.
    pub fn average_order(&self) -> Option<Money> {
        (self.orders > 0).then(|| Money::new(self.gmv.amount / self.orders, self.gmv.currency.clone()))
    }
}

/// One day of the marketplace's chart, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformDay {
    /// `YYYY-MM-DD`, in the platform's time zone.
    pub date: String,
    pub orders: i64,
    pub gmv: Money,
    pub refunds: Money,
}

/// A currency's figures: this period, the one before, and each day of this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencySales {
    pub currency: String,
    pub current: PlatformFigures,
    pub previous: PlatformFigures,
    pub days: Vec<PlatformDay>,
}

/// A count over the period and over the period before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compared {
    pub now: i64,
    pub before: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformDashboard {
    pub range: SalesRange,
    /// "the last 30 days", "2026-11-01 to 2026-11-30".
    pub label: String,
    pub days: i64,
    /// The platform's time zone, whose dates the days are.
    pub time_zone: String,
    /// One entry per currency sold in either period, the shop's own first; the shop's own (as zeros) when nothing
    /// was sold.
    pub sales: Vec<CurrencySales>,
    /// Accounts registered, and stores opened.
    pub new_accounts: Compared,
    pub new_stores: Compared,
    /// Waiting now (not over the period).
    pub pending_applications: i64,
}

impl PlatformDashboard {
    /// The address of this period's days as CSV (each day of each currency, then the totals).
    pub fn csv_href(&self) -> String {
        self.range.href("/admin/sales.csv")
    }
}
