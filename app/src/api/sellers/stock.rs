//! The stock screen: levels, adjustments with a reason or a count, alert levels.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::signed_in;
use crate::error::AppError;

/// Where a refused stock adjustment waits, to show its row with what was typed.
pub const STOCK_FORM: &str = "stock_adjustment";

/// A stock adjustment as typed, kept when it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeptAdjustment {
    pub variant: i64,
    pub warehouse: i64,
    pub units: String,
    pub reason: String,
}

/// The stock screen: a page of variants, and the kept adjustment if the last one was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockScreen {
    pub page: model::sellers::StockPage,
    pub kept: Option<KeptAdjustment>,
}

#[server(endpoint = "seller_stock", input = leptos::server_fn::codec::GetUrl)]
pub async fn seller_stock(
    #[server(default)] q: String,
    #[server(default)] low: String,
    #[server(default)] after: String,
) -> Result<StockScreen, AppError> {
    let (services, actor) = signed_in()?;
    let kept = crate::ssr::take_typed(STOCK_FORM).await?;
    let page = domain::inventory::levels::page(&services.db, &actor, &q, !low.is_empty(), &after).await?;
    Ok(StockScreen { page, kept })
}

/// Adds or removes units of a variant in a warehouse with a reason, or sets the counted figure (`mode=count`).
#[server(endpoint = "adjust_stock")]
pub async fn adjust_stock(
    variant: i64,
    warehouse: i64,
    #[server(default)] units: String,
    #[server(default)] reason: String,
    #[server(default)] mode: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    use domain::workflows::adjust_stock::{adjust_stock, Adjustment};
    let (services, actor) = signed_in()?;
    let adjustment = Adjustment {
        variant_id: variant,
        warehouse_id: warehouse,
        units: units.clone(),
        reason: reason.clone(),
        mode,
    };
    match adjust_stock(&services.db, &actor, &adjustment).await {
        Ok(after) => {
            let back = crate::api::safe_next(if back.is_empty() { "/seller/stock" } else { &back });
            let join = if back.contains('?') { '&' } else { '?' };
            crate::ssr::redirect(&format!(
                "{back}{join}updated={variant}&level={after}#variant-{variant}"
            ));
            Ok(())
        }
        Err(e) => {
            let kept = KeptAdjustment {
                variant,
                warehouse,
                units,
                reason,
            };
            crate::ssr::keep_typed(STOCK_FORM, &kept).await?;
            Err(e.into())
        }
    }
}

/// Sets a variant's low-stock alert level ('' = the store's default).
#[server(endpoint = "set_stock_threshold")]
pub async fn set_stock_threshold(
    variant: i64,
    #[server(default)] threshold: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::catalog::editor::set_threshold(&services.db, &actor, variant, &threshold).await?;
    let back = crate::api::safe_next(if back.is_empty() { "/seller/stock" } else { &back });
    let join = if back.contains('?') { '&' } else { '?' };
    crate::ssr::redirect(&format!("{back}{join}threshold={variant}#variant-{variant}"));
    Ok(())
}
