//! Disputes as a store sees them: a shopper's bank took a payment back until the case is decided. The store reads
//! its share, what the shop offers the bank on its own (the order's facts), and adds its own account.

use serde::{Deserialize, Serialize};

use crate::catalog::Money;

/// Where a case stands. The spellings are the database's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DisputeStatus {
    /// The bank waits for the evidence.
    NeedsResponse,
    /// Evidence was sent; the bank decides.
    UnderReview,
    Won,
    Lost,
}

impl DisputeStatus {
    pub const ALL: [DisputeStatus; 4] = [
        DisputeStatus::NeedsResponse,
        DisputeStatus::UnderReview,
        DisputeStatus::Won,
        DisputeStatus::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DisputeStatus::NeedsResponse => "needs_response",
            DisputeStatus::UnderReview => "under_review",
            DisputeStatus::Won => "won",
            DisputeStatus::Lost => "lost",
        }
    }

    pub fn parse(text: &str) -> Option<DisputeStatus> {
        DisputeStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            DisputeStatus::NeedsResponse => "Needs your evidence",
            DisputeStatus::UnderReview => "Under review",
            DisputeStatus::Won => "Won",
            DisputeStatus::Lost => "Lost",
        }
    }

    pub fn open(self) -> bool {
        matches!(self, DisputeStatus::NeedsResponse | DisputeStatus::UnderReview)
    }
}

/// The bank's reason, as Stripe spells it, in words a seller reads.
pub fn reason_label(reason: &str) -> &'static str {
    match reason {
        "fraudulent" => "The cardholder says they did not make this payment",
        "product_not_received" => "The shopper says the items did not arrive",
        "product_unacceptable" => "The shopper says the items were not as described",
        "duplicate" => "The shopper says they were charged twice",
        "subscription_canceled" => "The shopper says they had cancelled",
        "credit_not_processed" => "The shopper says a promised refund was not made",
        "unrecognized" => "The cardholder does not recognise the payment",
        _ => "The shopper's bank gave a general reason",
    }
}

/// One case in a store's list (its share of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeRow {
    pub id: i64,
    pub order: String,
    pub opened_at: i64,
    /// The store's share of the disputed amount.
    pub amount: Money,
    pub reason: String,
    pub status: DisputeStatus,
    pub respond_by: Option<i64>,
}

/// A fact of the order the shop offers the bank without being asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFact {
    pub label: String,
    pub value: String,
}

/// `/seller/money/disputes/{id}`: the case, the facts offered, and the store's own account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeDetail {
    pub store_name: String,
    pub store_slug: String,
    pub row: DisputeRow,
    /// The whole disputed amount (several stores' orders may share one payment).
    pub total: Money,
    /// 'hold': the order's money waits for the decision; otherwise it was taken and comes back if the case is won.
    pub held: bool,
    pub facts: Vec<EvidenceFact>,
    /// What the store wrote.
    pub evidence: String,
    /// When the evidence went to the bank; the case takes no more after that.
    pub evidence_sent_at: Option<i64>,
}

/// The longest account a store may write for the bank.
pub const EVIDENCE_MAX: usize = 5_000;
