//! What the admin screens show: the accounts list and an account's page, and the audit log.

use serde::{Deserialize, Serialize};

use crate::Role;

/// What an audit entry records was done. Stored as `as_str`; the log's filter lists `ALL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    AccountSuspended,
    AccountReactivated,
    RoleChanged,
    ApplicationApproved,
    ApplicationRejected,
    BalanceAdjusted,
    PayoutRecorded,
    ReviewHidden,
    ProductChanged,
    StockAdjusted,
    StoreSuspended,
    StoreReactivated,
    TransfersHeld,
    TransfersReleased,
    CommissionChanged,
    OrderRefunded,
    OrderCancelled,
    SynonymSaved,
    SynonymRemoved,
    SearchRebuilt,
}

impl AuditAction {
    pub const ALL: [AuditAction; 20] = [
        AuditAction::AccountSuspended,
        AuditAction::AccountReactivated,
        AuditAction::RoleChanged,
        AuditAction::ApplicationApproved,
        AuditAction::ApplicationRejected,
        AuditAction::BalanceAdjusted,
        AuditAction::PayoutRecorded,
        AuditAction::ReviewHidden,
        AuditAction::ProductChanged,
        AuditAction::StockAdjusted,
        AuditAction::StoreSuspended,
        AuditAction::StoreReactivated,
        AuditAction::TransfersHeld,
        AuditAction::TransfersReleased,
        AuditAction::CommissionChanged,
        AuditAction::OrderRefunded,
        AuditAction::OrderCancelled,
        AuditAction::SynonymSaved,
        AuditAction::SynonymRemoved,
        AuditAction::SearchRebuilt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::AccountSuspended => "account.suspended",
            AuditAction::AccountReactivated => "account.reactivated",
            AuditAction::RoleChanged => "account.role",
            AuditAction::ApplicationApproved => "application.approved",
            AuditAction::ApplicationRejected => "application.rejected",
            AuditAction::BalanceAdjusted => "money.adjusted",
            AuditAction::PayoutRecorded => "money.payout",
            AuditAction::ReviewHidden => "review.hidden",
            AuditAction::ProductChanged => "product.changed",
            AuditAction::StockAdjusted => "stock.adjusted",
            AuditAction::StoreSuspended => "store.suspended",
            AuditAction::StoreReactivated => "store.reactivated",
            AuditAction::TransfersHeld => "money.held",
            AuditAction::TransfersReleased => "money.released",
            AuditAction::CommissionChanged => "money.commission",
            AuditAction::OrderRefunded => "order.refunded",
            AuditAction::OrderCancelled => "order.cancelled",
            AuditAction::SynonymSaved => "search.synonym",
            AuditAction::SynonymRemoved => "search.synonym_removed",
            AuditAction::SearchRebuilt => "search.rebuild",
        }
    }

    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditAction::AccountSuspended => "Account suspended",
            AuditAction::AccountReactivated => "Account reactivated",
            AuditAction::RoleChanged => "Role changed",
            AuditAction::ApplicationApproved => "Seller application approved",
            AuditAction::ApplicationRejected => "Seller application rejected",
            AuditAction::BalanceAdjusted => "Store balance adjusted",
            AuditAction::PayoutRecorded => "Payout recorded",
            AuditAction::ReviewHidden => "Review hidden",
            AuditAction::ProductChanged => "Product changed",
            AuditAction::StockAdjusted => "Stock adjusted",
            AuditAction::StoreSuspended => "Store suspended",
            AuditAction::StoreReactivated => "Store reactivated",
            AuditAction::TransfersHeld => "Payouts held",
            AuditAction::TransfersReleased => "Payouts released",
            AuditAction::CommissionChanged => "Commission changed",
            AuditAction::OrderRefunded => "Order refunded",
            AuditAction::OrderCancelled => "Order items cancelled",
            AuditAction::SynonymSaved => "Search synonym saved",
            AuditAction::SynonymRemoved => "Search synonym removed",
            AuditAction::SearchRebuilt => "Search index rebuild asked",
        }
    }
}

/// One field's value before and after an action (empty where there was none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: i64,
    /// Who acted: their name and role then ("the shop" when no one did).
    pub actor_name: String,
    pub actor_role: String,
    pub actor_id: Option<i64>,
    /// The handle of the session it came from (the same handle an account's sign-ins list shows).
    pub session: Option<String>,
    pub action: AuditAction,
    /// What it was done to: a kind (`account`, `store`, `product`…), its id and its name then.
    pub subject_kind: String,
    pub subject_id: String,
    pub subject_label: String,
    pub changes: Vec<FieldChange>,
    pub reason: String,
}

impl AuditEntryView {
    /// Where the entry's subject leads: an account's or a store's admin page, else everything the log holds about it.
    pub fn subject_href(&self) -> String {
        match self.subject_kind.as_str() {
            "account" => format!("/admin/users/{}", self.subject_id),
            "store" => format!("/admin/sellers/{}", self.subject_id),
            // A store's order: its admin page, with its timeline and what can still be refunded.
            "order" => format!("/admin/orders/{}/refund", self.subject_id),
            _ => AuditFilter {
                subject_kind: self.subject_kind.clone(),
                subject_id: self.subject_id.clone(),
                ..AuditFilter::default()
            }
            .href(""),
        }
    }
}

/// The audit log's filters, as the address carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Words of the subject's name, the reason or the actor's name.
    pub q: String,
    /// An [`AuditAction::as_str`], or empty for every action.
    pub action: String,
    /// Entries by this account (its id), or about it.
    pub actor: Option<i64>,
    pub subject_kind: String,
    pub subject_id: String,
    /// Days as a date input sends them (`2026-12-01`), inclusive.
    pub from: String,
    pub to: String,
}

impl AuditFilter {
    pub fn narrowed(&self) -> bool {
        *self != AuditFilter::default()
    }

    /// The log's address with these filters, from the `after` cursor when not empty.
    pub fn href(&self, after: &str) -> String {
        let actor = self.actor.map(|a| a.to_string()).unwrap_or_default();
        crate::href_with(
            "/admin/audit",
            &[
                ("q", &self.q),
                ("action", &self.action),
                ("actor", &actor),
                ("kind", &self.subject_kind),
                ("subject", &self.subject_id),
                ("from", &self.from),
                ("to", &self.to),
                ("after", after),
            ],
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    pub next: Option<String>,
}

/// An account's state as the admin lists show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountState {
    Active,
    Suspended,
    /// Erased at its owner's request: nothing of it can change again.
    Erased,
}

impl AccountState {
    pub const ALL: [AccountState; 3] = [AccountState::Active, AccountState::Suspended, AccountState::Erased];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::Suspended => "suspended",
            AccountState::Erased => "erased",
        }
    }

    pub fn parse(text: &str) -> Option<AccountState> {
        AccountState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountState::Active => "Active",
            AccountState::Suspended => "Suspended",
            AccountState::Erased => "Erased",
        }
    }

    /// The badge's tone.
    pub fn tone(self) -> &'static str {
        match self {
            AccountState::Active => "success",
            AccountState::Suspended => "danger",
            AccountState::Erased => "neutral",
        }
    }
}

/// The accounts list's filters, as the address carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilter {
    /// Words of the name or the email address.
    pub q: String,
    pub role: Option<Role>,
    pub state: Option<AccountState>,
}

impl UserFilter {
    pub fn narrowed(&self) -> bool {
        *self != UserFilter::default()
    }

    pub fn href(&self, after: &str) -> String {
        let role = self.role.map(Role::as_str).unwrap_or_default();
        let state = self.state.map(AccountState::as_str).unwrap_or_default();
        crate::href_with(
            "/admin/users",
            &[("q", &self.q), ("role", role), ("state", state), ("after", after)],
        )
    }
}

/// A row of the accounts list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub state: AccountState,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    pub rows: Vec<UserRow>,
    pub next: Option<String>,
}

/// An order on an account's admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserOrder {
    pub number: String,
    pub placed_at: i64,
    pub total: crate::catalog::Money,
    pub status: String,
}

/// A live sign-in on an account's admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSession {
    pub handle: String,
    pub device: String,
    pub signed_in_at: Option<i64>,
}

/// An account's admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserRow,
    pub email_verified: bool,
    pub two_factor: bool,
    /// The store the account runs, if any, and its id.
    pub store_name: Option<String>,
    pub store_id: Option<i64>,
    pub orders: Vec<UserOrder>,
    pub order_count: i64,
    pub sessions: Vec<UserSession>,
    /// What was done to this account and what it did, newest first.
    pub audit: Vec<AuditEntryView>,
    /// The page's viewer is this account (no suspending or demoting oneself).
    pub is_self: bool,
    /// The viewer must give their password again before a change (their last one is older than the limit).
    pub needs_password: bool,
}

/// The roles an admin may give an account from its page (a seller's role comes with a store, from an approved
/// application).
pub const ASSIGNABLE_ROLES: [Role; 2] = [Role::Shopper, Role::Admin];
