//! Paying stores through their own provider accounts (Stripe Connect Express, decision 0031): the account a store
//! opens from its money screen, the provider's reports about it, transfers from the platform's balance and
//! reversals of them. The money context decides what to transfer; this is only the provider's side.

use std::fmt::Debug;

use async_trait::async_trait;

use super::stripe::{text, WebhookError};
use super::GatewayError;

/// What the provider says of a store's account: payable only when all three hold (coming back from the
/// onboarding page does not mean done).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountState {
    pub account: String,
    pub details_submitted: bool,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
}

/// A transfer to ask for (its key is derived from our transfer row, so a retry after a timeout makes one transfer).
#[derive(Debug, Clone)]
pub struct TransferOrder<'a> {
    pub account: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    /// The order group's number (Stripe's `transfer_group`).
    pub group: Option<&'a str>,
    /// The provider's payment the money came from (its charge becomes `source_transaction`).
    pub source_payment: Option<&'a str>,
    pub description: &'a str,
}

/// A move Stripe may have made while its answer was lost, to look up by the id of our row (in its metadata):
/// Stripe keeps idempotency keys for 24 hours only, so a claim older than that is looked up before it is sent.
#[derive(Debug, Clone)]
pub enum Lookup<'a> {
    /// Among the account's transfers made since `since_secs`.
    Transfer {
        account: &'a str,
        since_secs: i64,
        row: i64,
    },
    /// Among the transfer's reversals.
    Reversal { transfer: &'a str, row: i64 },
}

#[async_trait]
pub trait ConnectRail: Send + Sync + Debug {
    /// Opens the store's account in its country (ISO 3166 code; once per store: the key is the store's).
    async fn create_account(&self, seller_id: i64, email: &str, country: &str) -> Result<String, GatewayError>;
    /// A fresh single-use onboarding page for the account.
    async fn onboarding_link(&self, account: &str) -> Result<String, GatewayError>;
    /// The account as the provider knows it now.
    async fn account_state(&self, account: &str) -> Result<AccountState, GatewayError>;
    /// Moves money to the account; the provider's id of the transfer. `row`: ours, kept in its metadata.
    async fn transfer(&self, order: &TransferOrder<'_>, row: i64) -> Result<String, GatewayError>;
    /// Takes `amount` back from transfer `transfer`; the provider's id of the reversal. `row`: ours, in its metadata.
    async fn reverse(&self, transfer: &str, amount: i64, row: i64) -> Result<String, GatewayError>;
    /// The provider's id of a move made for our row, if it was made.
    async fn find_made(&self, lookup: &Lookup<'_>) -> Result<Option<String>, GatewayError>;
}

/// A Connect event as the inbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ConnectEvent {
    Account(AccountState),
    /// A bank payout from the account's balance failed.
    PayoutFailed {
        account: String,
        payout: String,
        amount: i64,
        currency: String,
        message: String,
    },
}

/// A Connect event with its id and the moment the provider made it (ms): reports about an account apply in
/// that order, whatever order they arrive in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectReport {
    pub event_id: String,
    pub created_ms: i64,
    pub event: ConnectEvent,
}

impl ConnectEvent {
    pub fn account(&self) -> &str {
        match self {
            ConnectEvent::Account(state) => &state.account,
            ConnectEvent::PayoutFailed { account, .. } => account,
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            ConnectEvent::Account(_) => "account",
            ConnectEvent::PayoutFailed { .. } => "payout_failed",
        }
    }
}

#[derive(serde::Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    created: i64,
    /// The connected account an event is about (Connect endpoints only).
    account: Option<String>,
    data: EventData,
}

#[derive(serde::Deserialize)]
struct EventData {
    object: serde_json::Value,
}

fn flag(object: &serde_json::Value, field: &str) -> bool {
    object.get(field).and_then(serde_json::Value::as_bool).unwrap_or(false)
}

/// A Connect endpoint's event as our inbox understands it; `Ok(None)` for types we do not act on.
pub fn parse_connect_event(payload: &[u8]) -> Result<Option<ConnectReport>, WebhookError> {
    let event: Event = serde_json::from_slice(payload).map_err(|_| WebhookError::BadPayload)?;
    let object = &event.data.object;
    let parsed = match event.kind.as_str() {
        "account.updated" => ConnectEvent::Account(AccountState {
            account: text(object, "id").ok_or(WebhookError::BadPayload)?,
            details_submitted: flag(object, "details_submitted"),
            charges_enabled: flag(object, "charges_enabled"),
            payouts_enabled: flag(object, "payouts_enabled"),
        }),
        "payout.failed" => ConnectEvent::PayoutFailed {
            account: event.account.clone().ok_or(WebhookError::BadPayload)?,
            payout: text(object, "id").ok_or(WebhookError::BadPayload)?,
            amount: object
                .get("amount")
                .and_then(serde_json::Value::as_i64)
                .ok_or(WebhookError::BadPayload)?,
            currency: text(object, "currency").unwrap_or_default().to_uppercase(),
            message: text(object, "failure_message")
                .or_else(|| text(object, "failure_code"))
                .unwrap_or_else(|| "The bank refused the payout.".to_string()),
        },
        _ => return Ok(None),
    };
    Ok(Some(ConnectReport {
        event_id: event.id,
        created_ms: event.created.saturating_mul(1000),
        event: parsed,
    }))
}

/// The inbox's provider name for Connect events (their ids are Stripe's, from another endpoint).
pub const CONNECT_PROVIDER: &str = "stripe_connect";

/// A Connect event as the inbox keeps it: the event and when Stripe made it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    created_ms: i64,
    event: ConnectEvent,
}

/// Records a Connect event in the payments inbox; `false`: seen before (a redelivery), nothing to do.
pub async fn record(conn: &mut sqlx::AnyConnection, report: &ConnectReport) -> Result<bool, sqlx::Error> {
    let stored = Stored {
        created_ms: report.created_ms,
        event: report.event.clone(),
    };
    let payload = serde_json::to_string(&stored).unwrap_or_default();
    let fresh = sqlx::query(
        "INSERT INTO payment_events (provider, event_id, kind, payload, received_at, subject, applied) \
         VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (provider, event_id) DO NOTHING",
    )
    .bind(CONNECT_PROVIDER)
    .bind(&report.event_id)
    .bind(report.event.name())
    .bind(&payload)
    .bind(crate::platform::clock::now_ms())
    .bind(report.event.account())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(fresh == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_events_map_to_the_inbox() {
        let updated = br#"{"id":"evt_1","type":"account.updated","created":20,"account":"acct_1","data":{"object":
            {"id":"acct_1","details_submitted":true,"charges_enabled":true,"payouts_enabled":false}}}"#;
        let report = parse_connect_event(updated).expect("ok").expect("ok");
        assert_eq!(report.created_ms, 20_000);
        assert_eq!(
            report.event,
            ConnectEvent::Account(AccountState {
                account: "acct_1".into(),
                details_submitted: true,
                charges_enabled: true,
                payouts_enabled: false,
            })
        );
        let failed = br#"{"id":"evt_2","type":"payout.failed","created":30,"account":"acct_1","data":{"object":
            {"id":"po_1","amount":4200,"currency":"usd","failure_code":"account_closed",
             "failure_message":"The bank account has been closed."}}}"#;
        let report = parse_connect_event(failed).expect("ok").expect("ok");
        assert_eq!(
            report.event,
            ConnectEvent::PayoutFailed {
                account: "acct_1".into(),
                payout: "po_1".into(),
                amount: 4200,
                currency: "USD".into(),
                message: "The bank account has been closed.".into(),
            }
        );
        let unowned = br#"{"id":"evt_3","type":"payout.failed","data":{"object":{"id":"po_1","amount":1}}}"#;
        assert_eq!(parse_connect_event(unowned), Err(WebhookError::BadPayload));
        let other = br#"{"id":"evt_4","type":"payout.paid","account":"acct_1","data":{"object":{"id":"po_2"}}}"#;
        assert_eq!(parse_connect_event(other), Ok(None));
        assert_eq!(parse_connect_event(b"{"), Err(WebhookError::BadPayload));
    }
}
