//! The admin's analytics on `/admin/analytics`: the shoppers' funnel per day, traffic by page type, the top
//! searches and the searches that found nothing, over a period in the platform's time zone.

use serde::{Deserialize, Serialize};

use crate::money::SalesRange;

/// The visitors who reached each step of buying on a day (or, for the totals, the sum of the days: a visitor is
/// known for one day only, so one who comes back on another day counts again).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelDay {
    /// `YYYY-MM-DD` in the platform's time zone; "Total" for the period.
    pub date: String,
    pub visits: i64,
    pub product_views: i64,
    pub added_to_cart: i64,
    pub checkout_started: i64,
    /// Visitors whose order placed that day was paid.
    pub paid: i64,
}

impl FunnelDay {
    /// The steps in order, with their names.
    pub fn steps(&self) -> [(&'static str, i64); 5] {
        [
            ("Visits", self.visits),
            ("Viewed a product", self.product_views),
            ("Added to cart", self.added_to_cart),
            ("Started checkout", self.checkout_started),
            ("Paid", self.paid),
        ]
    }
}

/// Page views of one page type over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageTraffic {
    pub label: String,
    pub views: i64,
}

/// A search (its normalised words) over the period: how often, and how often it found nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchCount {
    pub query: String,
    pub searches: i64,
    pub empty: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analytics {
    pub range: SalesRange,
    /// "the last 30 days", "2026-11-01 to 2026-11-30".
    pub label: String,
    pub time_zone: String,
    /// Each day of the period, oldest first.
    pub funnel: Vec<FunnelDay>,
    pub total: FunnelDay,
    /// Every page type with a view, most viewed first.
    pub pages: Vec<PageTraffic>,
    /// The most frequent searches, and those that found nothing most often.
    pub top_searches: Vec<SearchCount>,
    pub empty_searches: Vec<SearchCount>,
}

/// The tables of the analytics screen, each downloadable as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnalyticsTable {
    Funnel,
    Pages,
    Searches,
    EmptySearches,
}

impl AnalyticsTable {
    pub const ALL: [AnalyticsTable; 4] = [
        AnalyticsTable::Funnel,
        AnalyticsTable::Pages,
        AnalyticsTable::Searches,
        AnalyticsTable::EmptySearches,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AnalyticsTable::Funnel => "funnel",
            AnalyticsTable::Pages => "pages",
            AnalyticsTable::Searches => "searches",
            AnalyticsTable::EmptySearches => "no-results",
        }
    }

    pub fn parse(key: &str) -> Option<AnalyticsTable> {
        AnalyticsTable::ALL.into_iter().find(|t| t.key() == key)
    }
}

impl Analytics {
    /// The address of one of this period's tables as CSV.
    pub fn csv_href(&self, table: AnalyticsTable) -> String {
        crate::href_with("/admin/analytics.csv", &self.range.pairs(&[("table", table.key())]))
    }
}
