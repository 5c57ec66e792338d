//! A store answers a dispute: its account is kept and the case claimed (once), the evidence goes to the
//! provider, and a decision the provider gives at once (the test gateway, like Stripe's test mode) is applied
//! as its webhook would be. A provider that refuses or cannot be reached leaves the case open to send again.

use model::disputes::DisputeStatus;

use crate::money::dispute_screens::{claim_for_sending, status_of, unclaim};
use crate::payments::{GatewayError, PaymentGateway};
use crate::platform::{Actor, Db};
use crate::sellers::SellerError;
use crate::workflows::settle_payment::{receive, SettleError};

/// Sends the actor's store's evidence for case `id`; the case's status after it.
pub async fn send(
    db: &Db,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    id: i64,
    account: &str,
) -> Result<DisputeStatus, SellerError> {
    let claimed = claim_for_sending(db, actor, id, account).await?;
    let decided = match gateway
        .submit_evidence(&claimed.provider_dispute, &claimed.evidence, &claimed.key)
        .await
    {
        Ok(decided) => decided,
        Err(e) => {
            unclaim(db, id).await?;
            tracing::warn!(error = %e, "the payment provider did not take a dispute's evidence");
            return Err(SellerError::Conflict(match e {
                GatewayError::Refused(_) => "The payment provider refused the evidence. Nothing was sent; \
                     try again, or write to the marketplace's support."
                    .to_string(),
                GatewayError::Unavailable(_) => "The payment provider could not be reached. Nothing was sent; \
                     your account is kept: send it again in a few minutes."
                    .to_string(),
            }));
        }
    };
    if let Some(event) = decided {
        receive(db, gateway, &event).await.map_err(|e| match e {
            SettleError::Db(e) => SellerError::Db(e),
            SettleError::Gateway(e) => SellerError::Conflict(e.to_string()),
        })?;
    }
    Ok(status_of(db, id).await?)
}
