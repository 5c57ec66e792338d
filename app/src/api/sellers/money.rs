//! The store's money: balances, the statement with its filters, and (for admins) recording a payout.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::signed_in;
use crate::error::AppError;

#[server(endpoint = "store_money", input = leptos::server_fn::codec::GetUrl)]
pub async fn store_money(
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] kind: String,
    #[server(default)] after: String,
) -> Result<model::money::MoneyScreen, AppError> {
    let (services, actor) = signed_in()?;
    let filter = model::money::StatementFilter { from, to, kind };
    let after = Some(after.as_str()).filter(|a| !a.is_empty());
    let connect = services.connect.is_some();
    Ok(domain::money::statement::screen(&services.db, &actor, &filter, after, connect).await?)
}

/// Where a refused adjustment waits, to show its form with what was typed.
pub const ADJUST_FORM: &str = "adjustment";

/// An adjustment as typed, kept when it was refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeptMoneyAdjustment {
    pub seller_id: i64,
    pub amount: String,
    pub reason: String,
}

/// The admin's payouts screen: the stores with money on the platform, and an adjustment typed last if refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayoutsScreen {
    pub rows: Vec<model::money::PayoutRow>,
    pub kept: Option<KeptMoneyAdjustment>,
    /// Whether stores can be paid through Stripe Connect in this shop (its column is shown then).
    pub connect: bool,
}

#[server(endpoint = "store_payouts", input = leptos::server_fn::codec::GetUrl)]
pub async fn store_payouts() -> Result<PayoutsScreen, AppError> {
    let (services, actor) = signed_in()?;
    let rows = domain::money::transfers::payout_rows(&services.db, &actor).await?;
    let kept = crate::ssr::take_typed(ADJUST_FORM).await?;
    Ok(PayoutsScreen {
        rows,
        kept,
        connect: services.connect.is_some(),
    })
}

/// Records a bank transfer an admin made to a store, of the amount the screen showed.
#[server(endpoint = "record_payout")]
pub async fn record_payout(
    seller_id: i64,
    amount: i64,
    #[server(default)] reference: String,
    #[server(default)] form_key: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let payout = domain::money::transfers::ManualPayout {
        seller_id,
        amount,
        reference: &reference,
        form_key: &form_key,
    };
    domain::money::transfers::record_manual(&services.db, &actor, &payout).await?;
    crate::ssr::redirect(&format!("/admin/payouts?paid={seller_id}"));
    Ok(())
}

/// Books an adjustment an admin makes to a store's money, with the reason the store reads.
#[server(endpoint = "adjust_balance")]
pub async fn adjust_balance(
    seller_id: i64,
    #[server(default)] amount: String,
    #[server(default)] reason: String,
    #[server(default)] form_key: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let form = domain::money::adjustments::AdjustmentForm {
        seller_id,
        amount: &amount,
        reason: &reason,
        form_key: &form_key,
    };
    match domain::money::adjustments::record(&services.db, &actor, &form).await {
        Ok(_) => {
            crate::ssr::redirect(&format!("/admin/payouts?adjusted={seller_id}"));
            Ok(())
        }
        Err(e) => {
            let kept = KeptMoneyAdjustment {
                seller_id,
                amount,
                reason,
            };
            crate::ssr::keep_typed(ADJUST_FORM, &kept).await?;
            Err(e.into())
        }
    }
}

/// The store's sales dashboard for a period (`range` 1, 7, 30 or 90 days, or `from`/`to` dates).
#[server(endpoint = "sales_dashboard", input = leptos::server_fn::codec::GetUrl)]
pub async fn sales_dashboard(
    #[server(default)] range: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<model::money::SalesDashboard, AppError> {
    let (services, actor) = signed_in()?;
    let range = model::money::SalesRange { range, from, to };
    Ok(domain::money::dashboard::screen(&services.db, &actor, &range).await?)
}
