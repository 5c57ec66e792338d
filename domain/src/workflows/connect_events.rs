//! Stripe Connect's webhook (`POST /webhooks/stripe/connect`, its own endpoint and signing secret): an event is
//! verified on the raw body, recorded in the payments inbox (a redelivery changes nothing) and applied in the same
//! transaction: an account's state (payable or not), or a failed bank payout (kept, and the store told).

use crate::money::connect::{apply_state, knows, record_payout_failure, FailedPayout};
use crate::payments::connect::{parse_connect_event, record, ConnectEvent};
use crate::payments::stripe::{verify_signature, WebhookFailure};
use crate::platform::clock::now_ms;
use crate::platform::Db;

/// Handles one delivery; `true` when it changed something.
pub async fn connect_webhook(
    db: &Db,
    payload: &[u8],
    signature_header: &str,
    secret: &str,
) -> Result<bool, WebhookFailure> {
    verify_signature(payload, signature_header, secret, now_ms() / 1000)?;
    let Some(report) = parse_connect_event(payload)? else {
        return Ok(false);
    };
    let failed = |e: sqlx::Error| WebhookFailure::Failed(e.to_string());
    let mut tx = db.begin_write().await.map_err(failed)?;
    // A report that overtakes the shop's own record of the account (the webhook came before the insert committed):
    // not recorded, answered 5xx, so Stripe delivers it again shortly.
    if let ConnectEvent::Account(state) = &report.event {
        if !knows(&mut tx, &state.account).await.map_err(failed)? {
            return Err(WebhookFailure::Failed("the account is not known yet".into()));
        }
    }
    if !record(&mut tx, &report).await.map_err(failed)? {
        return Ok(false);
    }
    let changed = match &report.event {
        ConnectEvent::Account(state) => apply_state(&mut tx, state, report.created_ms).await,
        ConnectEvent::PayoutFailed {
            account,
            payout,
            amount,
            currency,
            message,
        } => {
            let failure = FailedPayout {
                account,
                payout,
                amount: *amount,
                currency,
                message,
                at: report.created_ms,
            };
            record_payout_failure(&mut tx, &failure).await
        }
    }
    .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    Ok(changed)
}
