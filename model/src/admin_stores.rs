//! What the admins' store screens show: the stores list (`/admin/sellers`) and a store's page with its standing,
//! its payouts hold and its commission rate.

use serde::{Deserialize, Serialize};

use crate::admin::AuditEntryView;
use crate::catalog::Money;

/// Whether a store sells, as the admin lists show it (the `status` column of `sellers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreState {
    /// Opened by an approval and not set up to sell yet.
    Pending,
    Active,
    Suspended,
}

impl StoreState {
    pub const ALL: [StoreState; 3] = [StoreState::Active, StoreState::Suspended, StoreState::Pending];

    pub fn as_str(self) -> &'static str {
        match self {
            StoreState::Pending => "pending",
            StoreState::Active => "active",
            StoreState::Suspended => "suspended",
        }
    }

    pub fn parse(text: &str) -> Option<StoreState> {
        StoreState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            StoreState::Pending => "Pending",
            StoreState::Active => "Selling",
            StoreState::Suspended => "Suspended",
        }
    }

    pub fn tone(self) -> &'static str {
        match self {
            StoreState::Pending => "neutral",
            StoreState::Active => "success",
            StoreState::Suspended => "danger",
        }
    }
}

/// The ground of a store's suspension, from the list a statement of reasons names (EU Digital Services Act,
/// art. 17): the seller reads it with the admin's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuspensionGround {
    IllegalProducts,
    Counterfeits,
    UnsafeProducts,
    Fraud,
    OrdersNotShipped,
    TermsBreach,
    Other,
}

impl SuspensionGround {
    pub const ALL: [SuspensionGround; 7] = [
        SuspensionGround::IllegalProducts,
        SuspensionGround::Counterfeits,
        SuspensionGround::UnsafeProducts,
        SuspensionGround::Fraud,
        SuspensionGround::OrdersNotShipped,
        SuspensionGround::TermsBreach,
        SuspensionGround::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SuspensionGround::IllegalProducts => "illegal",
            SuspensionGround::Counterfeits => "counterfeit",
            SuspensionGround::UnsafeProducts => "unsafe",
            SuspensionGround::Fraud => "fraud",
            SuspensionGround::OrdersNotShipped => "not-shipped",
            SuspensionGround::TermsBreach => "terms",
            SuspensionGround::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<SuspensionGround> {
        SuspensionGround::ALL.into_iter().find(|g| g.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            SuspensionGround::IllegalProducts => "Illegal or prohibited products",
            SuspensionGround::Counterfeits => "Counterfeits or intellectual property infringement",
            SuspensionGround::UnsafeProducts => "Unsafe products",
            SuspensionGround::Fraud => "Fraud or deceptive listings",
            SuspensionGround::OrdersNotShipped => "Orders not shipped",
            SuspensionGround::TermsBreach => "Breach of the seller terms",
            SuspensionGround::Other => "Other",
        }
    }
}

/// The stores list's filters, as the address carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreFilter {
    /// Words of the store's name or address name.
    pub q: String,
    pub state: Option<StoreState>,
    /// Only stores whose payouts are held.
    pub held: bool,
}

impl StoreFilter {
    pub fn narrowed(&self) -> bool {
        *self != StoreFilter::default()
    }

    pub fn href(&self, after: &str) -> String {
        let state = self.state.map(StoreState::as_str).unwrap_or_default();
        let held = if self.held { "1" } else { "" };
        crate::href_with(
            "/admin/sellers",
            &[("q", &self.q), ("state", state), ("held", held), ("after", after)],
        )
    }
}

/// A row of the stores list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub state: StoreState,
    pub payouts_held: bool,
    /// What shoppers paid for its orders over the last 30 days (the sales rollup).
    pub sales_30_days: Money,
    /// Its ledger's balance: what the platform holds for it (negative: it owes).
    pub balance: Money,
    /// The commission rate its next sale pays, in basis points, and whose rate that is.
    pub commission_bp: i64,
    pub commission_own: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreList {
    pub rows: Vec<StoreRow>,
    pub next: Option<String>,
}

/// A store's admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreDetail {
    pub store: StoreRow,
    pub owner_id: Option<i64>,
    pub owner_name: String,
    pub owner_email: String,
    /// Its products on sale (when it sells) and in all.
    pub active_products: i64,
    pub products: i64,
    /// The statement the seller reads while the store is suspended.
    pub suspension_note: String,
    /// The platform's rate, which applies when the store has none of its own.
    pub platform_bp: i64,
    /// What was done to this store, newest first.
    pub audit: Vec<AuditEntryView>,
    /// The viewer must give their password again before a suspension or a commission change.
    pub needs_password: bool,
}

/// "10 %", "12.5 %": a rate in basis points as people read it.
pub fn percent(rate_bp: i64) -> String {
    let (whole, fraction) = (rate_bp / 100, rate_bp % 100);
    if fraction == 0 {
        format!("{whole} %")
    } else {
        format!("{whole}.{} %", format!("{fraction:02}").trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_percentages_without_trailing_zeros() {
        assert_eq!(percent(1000), "10 %");
        assert_eq!(percent(1250), "12.5 %");
        assert_eq!(percent(1205), "12.05 %");
        assert_eq!(percent(0), "0 %");
    }

    #[test]
    fn states_and_grounds_round_trip_and_filters_make_addresses() {
        for s in StoreState::ALL {
            assert_eq!(StoreState::parse(s.as_str()), Some(s));
        }
        for g in SuspensionGround::ALL {
            assert_eq!(SuspensionGround::parse(g.as_str()), Some(g));
        }
        let f = StoreFilter {
            q: "tea & co".into(),
            state: Some(StoreState::Suspended),
            held: true,
        };
        assert_eq!(
            f.href("9"),
            "/admin/sellers?q=tea+%26+co&state=suspended&held=1&after=9"
        );
        assert_eq!(StoreFilter::default().href(""), "/admin/sellers");
    }
}
