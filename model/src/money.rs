//! Seller money as the portal and the admin screens show it: a store's balances, its statement (the ledger with a
//! running balance), the stores an admin pays out, and the sales dashboard.

use serde::{Deserialize, Serialize};

use crate::catalog::Money;

/// What a ledger entry records. The spellings are the database's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryKind {
    Sale,
    Commission,
    CommissionTax,
    ProcessingFee,
    Refund,
    CommissionBack,
    CommissionTaxBack,
    Dispute,
    DisputeWon,
    Transfer,
    Adjustment,
}

impl EntryKind {
    pub const ALL: [EntryKind; 11] = [
        EntryKind::Sale,
        EntryKind::Commission,
        EntryKind::CommissionTax,
        EntryKind::ProcessingFee,
        EntryKind::Refund,
        EntryKind::CommissionBack,
        EntryKind::CommissionTaxBack,
        EntryKind::Dispute,
        EntryKind::DisputeWon,
        EntryKind::Transfer,
        EntryKind::Adjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Sale => "sale",
            EntryKind::Commission => "commission",
            EntryKind::CommissionTax => "commission_tax",
            EntryKind::ProcessingFee => "processing_fee",
            EntryKind::Refund => "refund",
            EntryKind::CommissionBack => "commission_back",
            EntryKind::CommissionTaxBack => "commission_tax_back",
            EntryKind::Dispute => "dispute",
            EntryKind::DisputeWon => "dispute_won",
            EntryKind::Transfer => "transfer",
            EntryKind::Adjustment => "adjustment",
        }
    }

    pub fn parse(text: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// As the statement names it.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Sale => "Sale",
            EntryKind::Commission => "Commission",
            EntryKind::CommissionTax => "Tax on commission",
            EntryKind::ProcessingFee => "Processing fee",
            EntryKind::Refund => "Refund",
            EntryKind::CommissionBack => "Commission given back",
            EntryKind::CommissionTaxBack => "Tax on commission given back",
            EntryKind::Dispute => "Dispute",
            EntryKind::DisputeWon => "Dispute won",
            EntryKind::Transfer => "Payout",
            EntryKind::Adjustment => "Adjustment",
        }
    }
}

/// A store's money now: `pending` waits for delivery and the holding days, `available` can be paid out (below
/// zero: the store owes it, taken from its next payouts), `paid_out` went to the store so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances {
    pub pending: Money,
    pub available: Money,
    pub paid_out: Money,
    /// When the next pending money becomes available, if any is on its way.
    pub next_release: Option<i64>,
    pub hold_days: i64,
}

impl Balances {
    /// The store's whole balance: what is pending plus what is available.
    pub fn total(&self) -> Money {
        Money::new(
            self.pending.amount + self.available.amount,
            self.pending.currency.clone(),
        )
    }

    /// Whether the store owes money (refunds after a payout).
    pub fn owes(&self) -> bool {
        self.available.amount < 0
    }
}

/// One statement line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementEntry {
    pub id: i64,
    pub seq: i64,
    /// The day it was made, in the store's time zone (`2026-12-05`).
    pub date: String,
    pub kind: EntryKind,
    pub amount: Money,
    /// The store's balance after this entry.
    pub balance: Money,
    /// The order it is about, by number.
    pub order: Option<String>,
    pub note: String,
}

/// Which entries a statement shows (as typed into its filters; checked on the server).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementFilter {
    pub from: String,
    pub to: String,
    /// An [`EntryKind`] spelling, or empty for every kind.
    pub kind: String,
}

impl StatementFilter {
    fn query(&self, after: &str) -> String {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("kind", &self.kind),
            ("after", &after.to_string()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(n, v)| format!("{n}={}", crate::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The statement's address with this filter and the cursor `after`.
    pub fn href(&self, after: &str) -> String {
        let q = self.query(after);
        if q.is_empty() {
            "/seller/money".into()
        } else {
            format!("/seller/money?{q}")
        }
    }

    /// The CSV of the entries this filter picks (every page of them).
    pub fn csv_href(&self) -> String {
        let q = self.query("");
        if q.is_empty() {
            "/seller/money/statement.csv".into()
        } else {
            format!("/seller/money/statement.csv?{q}")
        }
    }
}

/// The sum of one kind of entry over the filtered period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindTotal {
    pub kind: EntryKind,
    pub entries: i64,
    pub amount: Money,
}

/// `/seller/money`: the balances, the period's totals and a page of the statement, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyScreen {
    pub store_name: String,
    pub store_slug: String,
    pub balances: Balances,
    pub filter: StatementFilter,
    pub totals: Vec<KindTotal>,
    pub entries: Vec<StatementEntry>,
    /// The cursor of the next (older) page.
    pub next: Option<String>,
    /// Why the filter typed was not used (the whole statement is shown instead), field by field.
    pub problem: Vec<crate::FieldError>,
    /// The store's disputes, open ones first.
    pub disputes: Vec<crate::disputes::DisputeRow>,
    /// Payouts through the store's Stripe account, when the marketplace pays stores with Stripe Connect.
    pub stripe: Option<StripePayouts>,
}

/// Where a store's Stripe account stands (Stripe decides; the store is paid only when `Ready`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayoutSetup {
    /// No account opened yet.
    NotStarted,
    /// Opened; Stripe still needs the seller's details.
    Incomplete,
    /// Details sent; Stripe has not enabled transfers and payouts yet.
    InReview,
    Ready,
}

impl PayoutSetup {
    /// From Stripe's three flags (`None`: no account).
    pub fn from_flags(account: Option<(bool, bool, bool)>) -> PayoutSetup {
        match account {
            None => PayoutSetup::NotStarted,
            Some((false, _, _)) => PayoutSetup::Incomplete,
            Some((true, true, true)) => PayoutSetup::Ready,
            Some(_) => PayoutSetup::InReview,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PayoutSetup::NotStarted => "Not set up",
            PayoutSetup::Incomplete => "Details needed",
            PayoutSetup::InReview => "Stripe is checking",
            PayoutSetup::Ready => "Ready",
        }
    }
}

/// A bank payout from a store's Stripe balance that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutFailure {
    pub at: i64,
    pub amount: Money,
    pub message: String,
}

/// A store's payouts through Stripe: its account's state and the bank payouts that failed, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripePayouts {
    pub setup: PayoutSetup,
    pub failures: Vec<PayoutFailure>,
}

/// A store as the admin's payouts screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutRow {
    pub seller_id: i64,
    pub store_name: String,
    /// No payout leaves for it: it is suspended, or an admin holds its payouts.
    pub held: bool,
    pub balances: Balances,
    /// Entries that the next payout would cover.
    pub entries_due: i64,
    /// A fresh key for the payout form: sent twice, recorded once.
    pub form_key: String,
    /// The same for the adjustment form.
    pub adjust_key: String,
    /// The least payout (the platform's rule): less waits for more sales.
    pub min_transfer: Money,
    /// The store's Stripe account and its failed bank payouts (stores without an account: not set up).
    pub stripe: StripePayouts,
}

/// A store's sales over a period: what the sales dashboard compares with the period before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesFigures {
    pub revenue: Money,
    pub orders: i64,
    pub units: i64,
    pub refunds: Money,
    pub refund_count: i64,
    /// Paid orders that ended cancelled, and return requests, over the period.
    pub cancelled: i64,
    pub returns: i64,
}

/// The store's health: each measure's name and the rate above which it needs attention, in tenths of a percent
/// (the marketplace's thresholds, as the large marketplaces publish theirs).
pub const HEALTH_THRESHOLDS: [(&str, i64); 2] = [("Cancelled after payment", 25), ("Return requests", 100)];

/// `part` of `whole` in tenths of a percent, rounded; `None` without a base.
pub fn rate_tenths(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 1000 + whole / 2) / whole)
}

/// Tenths of a percent as text ("2.5 %").
pub fn tenths_label(tenths: i64) -> String {
    format!("{}.{} %", tenths / 10, tenths % 10)
}

impl SalesFigures {
    /// Revenue per order; `None` without an order.
    pub fn average_order(&self) -> Option<Money> {
        (self.orders > 0).then(|| Money::new(self.revenue.amount / self.orders, self.revenue.currency.clone()))
    }
}

/// Whole percent `now` is above (or below) `before`; `None` without a base (nothing before).
pub fn change_percent(now: i64, before: i64) -> Option<i64> {
    (before > 0).then(|| {
        let diff = (now - before) * 100;
        // Rounded half away from zero.
        (diff + diff.signum() * before / 2) / before
    })
}

/// One day of the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigure {
    /// `YYYY-MM-DD`, in the store's time zone.
    pub date: String,
    pub orders: i64,
    pub units: i64,
    pub revenue: Money,
    pub refunds: Money,
}

/// A best-selling product of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopProduct {
    pub product_id: i64,
    pub title: String,
    pub units: i64,
    pub revenue: Money,
    /// Orders that bought it, and its page's views, over the period.
    pub orders: i64,
    pub views: i64,
}

/// Orders per hundred views, with one decimal ("2.5 %"); "—" without views (no rate without a base).
pub fn conversion(orders: i64, views: i64) -> String {
    rate_tenths(orders, views).map_or_else(|| "—".to_string(), tenths_label)
}

/// The periods the dashboard offers, and a custom one.
pub const SALES_RANGES: [(&str, &str, i64); 4] = [
    ("1", "Today", 1),
    ("7", "7 days", 7),
    ("30", "30 days", 30),
    ("90", "90 days", 90),
];

/// Which days the dashboard shows (as typed: `range` one of [`SALES_RANGES`], or `from`/`to` dates).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesRange {
    pub range: String,
    pub from: String,
    pub to: String,
}

impl SalesRange {
    pub(crate) fn pairs<'a>(&'a self, more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut pairs = vec![
            ("range", self.range.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ];
        pairs.extend_from_slice(more);
        pairs
    }

    /// `path` with this period in its query (a dashboard's address, or its CSV's).
    pub fn href(&self, path: &str) -> String {
        crate::href_with(path, &self.pairs(&[]))
    }

    /// The CSV of the period's days.
    pub fn csv_href(&self) -> String {
        self.href("/seller/sales.csv")
    }

    /// The CSV of another of the period's tables: `summary` (every figure against the period before) or
    /// `products` (each product's sales, views and conversion).
    pub fn table_csv_href(&self, table: &str) -> String {
        crate::href_with("/seller/sales.csv", &self.pairs(&[("table", table)]))
    }
}

/// The sales dashboard on `/seller`: the period's figures against the period before, each day, the best sellers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesDashboard {
    pub range: SalesRange,
    /// "the last 30 days", "2026-11-01 to 2026-11-30".
    pub label: String,
    pub days: i64,
    pub current: SalesFigures,
    pub previous: SalesFigures,
    pub series: Vec<DayFigure>,
    pub top: Vec<TopProduct>,
    /// The most viewed products of the period.
    pub viewed: Vec<TopProduct>,
    /// Product page views of the store over the period.
    pub views: i64,
    /// The store's time zone, whose dates the days are (`Europe/Berlin`).
    pub time_zone: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_rates_round_and_need_a_base() {
        assert_eq!(rate_tenths(1, 40), Some(25));
        assert_eq!(rate_tenths(0, 3), Some(0));
        assert_eq!(rate_tenths(1, 0), None);
        assert_eq!(tenths_label(25), "2.5 %");
    }

    #[test]
    fn conversion_is_orders_per_hundred_views() {
        assert_eq!(conversion(1, 40), "2.5 %");
        assert_eq!(conversion(2, 3), "66.7 %");
        assert_eq!(conversion(0, 10), "0.0 %");
        assert_eq!(conversion(3, 0), "—");
    }

    #[test]
    fn kinds_read_back_and_filters_keep_their_fields() {
        for kind in EntryKind::ALL {
            assert_eq!(EntryKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EntryKind::parse("Sale"), None);
        let f = StatementFilter {
            from: "2026-12-01".into(),
            to: String::new(),
            kind: "refund".into(),
        };
        assert_eq!(f.href("9"), "/seller/money?from=2026-12-01&kind=refund&after=9");
        assert_eq!(f.csv_href(), "/seller/money/statement.csv?from=2026-12-01&kind=refund");
        assert_eq!(StatementFilter::default().href(""), "/seller/money");
    }

    #[test]
    fn growth_needs_a_base_and_rounds_half_away_from_zero() {
        assert_eq!(change_percent(150, 100), Some(50));
        assert_eq!(change_percent(50, 100), Some(-50));
        assert_eq!(change_percent(1, 0), None);
        assert_eq!(change_percent(2, 3), Some(-33));
        assert_eq!(change_percent(201, 200), Some(1), "0.5 % rounds up");
        assert_eq!(change_percent(199, 200), Some(-1));
    }
}
