//! Stripe Connect (Express) through async-stripe: accounts, onboarding links, transfers with
//! `source_transaction` and `transfer_group` (separate charges and transfers), and transfer reversals. Every call
//! that makes something carries a key from our own record, so a retry after a timeout makes it once.

use std::collections::HashMap;
use std::fmt;

use async_trait::async_trait;
use stripe::{Client, StripeError, StripeRequest};
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesCardPayments,
    CreateAccountCapabilitiesTransfers, CreateAccountType, RetrieveAccount,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_connect::transfer::{CreateTransfer, ListTransfer};
use stripe_connect::transfer_reversal::{CreateIdTransferReversal, ListIdTransferReversal};
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_types::Currency;

use super::connect::{AccountState, ConnectRail, Lookup, TransferOrder};
use super::stripe::{client, gateway_error, key};
use super::GatewayError;
use stripe_types::RangeQueryTs;

#[derive(Clone)]
pub struct StripeConnect {
    client: Client,
    /// The shop's public address: Stripe's onboarding page sends the seller back to it.
    public_url: String,
}

impl fmt::Debug for StripeConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client holds the secret key: never printed.
        f.debug_struct("StripeConnect")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl StripeConnect {
    /// `api_base`: Stripe's API by default; the tests point it at a local fake Stripe.
    pub fn new(secret_key: &str, api_base: Option<&str>, public_url: &str) -> Result<StripeConnect, GatewayError> {
        Ok(StripeConnect {
            client: client(secret_key, api_base)?,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }

    /// The charge behind a PaymentIntent (what `source_transaction` names).
    async fn charge_of(&self, intent: &str) -> Result<Option<String>, GatewayError> {
        // Unavailable whatever the error: a move is released only by the answer to its own create call.
        let intent = RetrievePaymentIntent::new(intent)
            .send(&self.client)
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        Ok(intent.latest_charge.as_ref().map(|c| c.id().as_str().to_string()))
    }
}

#[async_trait]
impl ConnectRail for StripeConnect {
    async fn create_account(&self, seller_id: i64, email: &str, country: &str) -> Result<String, GatewayError> {
        // Card payments with transfers: Stripe enables charges only with it (the store is payable when
        // `charges_enabled` and `payouts_enabled` both hold).
        let mut capabilities = CreateAccountCapabilities::new();
        let mut transfers = CreateAccountCapabilitiesTransfers::new();
        transfers.requested = Some(true);
        capabilities.transfers = Some(transfers);
        let mut cards = CreateAccountCapabilitiesCardPayments::new();
        cards.requested = Some(true);
        capabilities.card_payments = Some(cards);
        let account = CreateAccount::new()
            .type_(CreateAccountType::Express)
            .email(email)
            .country(country)
            .capabilities(capabilities)
            .metadata(HashMap::from([("seller_id".to_string(), seller_id.to_string())]))
            .customize()
            .request_strategy(key(&format!("bazaar-account-{seller_id}"))?)
            .send(&self.client)
            .await
            .map_err(gateway_error)?;
        Ok(account.id.as_str().to_string())
    }

    async fn onboarding_link(&self, account: &str) -> Result<String, GatewayError> {
        // Single use: Stripe sends the seller to `refresh_url` when the link was used or expired, which makes a
        // fresh one; `return_url` re-reads the account (coming back does not mean done).
        let link = CreateAccountLink::new(account, CreateAccountLinkType::AccountOnboarding)
            .refresh_url(format!("{}/seller/money/stripe/refresh", self.public_url))
            .return_url(format!("{}/seller/money/stripe/return", self.public_url))
            .send(&self.client)
            .await
            .map_err(gateway_error)?;
        Ok(link.url)
    }

    async fn account_state(&self, account: &str) -> Result<AccountState, GatewayError> {
        let found = RetrieveAccount::new(account)
            .send(&self.client)
            .await
            .map_err(gateway_error)?;
        Ok(AccountState {
            account: found.id.as_str().to_string(),
            details_submitted: found.details_submitted.unwrap_or(false),
            charges_enabled: found.charges_enabled.unwrap_or(false),
            payouts_enabled: found.payouts_enabled.unwrap_or(false),
        })
    }

    async fn transfer(&self, order: &TransferOrder<'_>, row: i64) -> Result<String, GatewayError> {
        let currency: Currency = order
            .currency
            .to_lowercase()
            .parse()
            .map_err(|_| GatewayError::Refused(format!("unknown currency {}", order.currency)))?;
        let mut request = CreateTransfer::new(currency, order.account)
            .amount(order.amount)
            .description(order.description)
            .metadata(HashMap::from([(TRANSFER_ROW.to_string(), row.to_string())]));
        if let Some(group) = order.group {
            request = request.transfer_group(group);
        }
        if let Some(intent) = order.source_payment {
            if let Some(charge) = self.charge_of(intent).await? {
                request = request.source_transaction(charge);
            }
        }
        let transfer = request
            .customize()
            .request_strategy(key(&format!("bazaar-transfer-{row}"))?)
            .send(&self.client)
            .await
            .map_err(move_error)?;
        Ok(transfer.id.as_str().to_string())
    }

    async fn reverse(&self, transfer: &str, amount: i64, row: i64) -> Result<String, GatewayError> {
        let reversal = CreateIdTransferReversal::new(transfer)
            .amount(amount)
            .metadata(HashMap::from([(REVERSAL_ROW.to_string(), row.to_string())]))
            .customize()
            .request_strategy(key(&format!("bazaar-reversal-{row}"))?)
            .send(&self.client)
            .await
            .map_err(move_error)?;
        Ok(reversal.id.as_str().to_string())
    }

    async fn find_made(&self, lookup: &Lookup<'_>) -> Result<Option<String>, GatewayError> {
        let ours = |metadata: Option<&HashMap<String, String>>, name: &str, row: i64| {
            metadata.and_then(|m| m.get(name)) == Some(&row.to_string())
        };
        // A failed look-up never releases a move: it waits, whatever Stripe answered.
        let unavailable = |e: StripeError| GatewayError::Unavailable(e.to_string());
        let mut after: Option<String> = None;
        for _ in 0..LOOKUP_PAGES {
            let (found, more, last) = match lookup {
                Lookup::Transfer {
                    account,
                    since_secs,
                    row,
                } => {
                    let mut list = ListTransfer::new()
                        .destination(*account)
                        .created(RangeQueryTs::gte(*since_secs))
                        .limit(100);
                    if let Some(after) = &after {
                        list = list.starting_after(after.clone());
                    }
                    let page = list.send(&self.client).await.map_err(unavailable)?;
                    let found = page.data.iter().find(|t| ours(Some(&t.metadata), TRANSFER_ROW, *row));
                    let last = page.data.last().map(|t| t.id.as_str().to_string());
                    (found.map(|t| t.id.as_str().to_string()), page.has_more, last)
                }
                Lookup::Reversal { transfer, row } => {
                    let mut list = ListIdTransferReversal::new(*transfer).limit(100);
                    if let Some(after) = &after {
                        list = list.starting_after(after.clone());
                    }
                    let page = list.send(&self.client).await.map_err(unavailable)?;
                    let found = page.data.iter().find(|r| ours(r.metadata.as_ref(), REVERSAL_ROW, *row));
                    let last = page.data.last().map(|r| r.id.as_str().to_string());
                    (found.map(|r| r.id.as_str().to_string()), page.has_more, last)
                }
            };
            if found.is_some() || !more || last.is_none() {
                return Ok(found);
            }
            after = last;
        }
        Err(GatewayError::Unavailable("too many moves to look through".into()))
    }
}

/// Pages of 100 a look-up reads at most before it gives up for now.
const LOOKUP_PAGES: usize = 20;

/// The metadata naming our row on a transfer and on a reversal.
const TRANSFER_ROW: &str = "bazaar_transfer";
const REVERSAL_ROW: &str = "bazaar_reversal";

/// Stripe's answer to a move. Only a refusal about the money or the account releases the move's entries; anything
/// that may mean Stripe made it or will (a key in use by a concurrent request, a key or rate problem, a 5xx, no
/// answer) leaves the claim for the next sweep, which asks again under the same key.
fn move_error(err: StripeError) -> GatewayError {
    match err {
        StripeError::Stripe(e, status)
            if matches!(status, 400 | 402 | 404) && e.type_.as_str() != "idempotency_error" =>
        {
            GatewayError::Refused(format!(
                "{status}: {}",
                e.message.clone().unwrap_or_else(|| "refused".to_string())
            ))
        }
        other => GatewayError::Unavailable(other.to_string()),
    }
}
