//! The store's settings: profile, logo, warehouses and shipping rates.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::signed_in;
use crate::error::AppError;

/// Where the typed store profile waits when a field is wrong.
pub const PROFILE_FORM: &str = "store_profile";

#[server(endpoint = "store_settings", input = leptos::server_fn::codec::GetUrl)]
pub async fn store_settings() -> Result<model::sellers::StoreSettings, AppError> {
    let (services, actor) = signed_in()?;
    let kept = crate::ssr::take_typed(PROFILE_FORM).await?;
    let mut settings = domain::sellers::settings::settings(&services.db, &actor, kept).await?;
    settings.logo_refused = crate::ssr::take_typed(REFUSED_LOGO).await?;
    Ok(settings)
}

/// Where the logo upload handler keeps why a picture was refused, for the settings page.
pub const REFUSED_LOGO: &str = "refused_logo";

#[server(endpoint = "remove_store_logo")]
pub async fn remove_store_logo() -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::sellers::settings::remove_logo(&services.db, &actor).await?;
    crate::ssr::redirect("/seller/settings?saved=logo#logo-title");
    Ok(())
}

#[allow(clippy::too_many_arguments)] // one argument per form field
#[server(endpoint = "save_store_profile")]
pub async fn save_store_profile(
    #[server(default)] store_name: String,
    #[server(default)] description: String,
    #[server(default)] support_email: String,
    #[server(default)] return_days: String,
    #[server(default)] return_policy: String,
    #[server(default)] low_stock_default: String,
    #[server(default)] handling_days: String,
    #[server(default)] time_zone: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let form = model::sellers::StoreProfileForm {
        store_name,
        description,
        support_email,
        return_days,
        return_policy,
        low_stock_default,
        handling_days,
        time_zone,
    };
    match domain::sellers::settings::update_profile(&services.db, &actor, &form).await {
        Ok(()) => {
            crate::ssr::redirect("/seller/settings?saved=profile");
            Ok(())
        }
        Err(e) => {
            crate::ssr::keep_typed(PROFILE_FORM, &form).await?;
            Err(e.into())
        }
    }
}

#[server(endpoint = "add_warehouse")]
pub async fn add_warehouse(
    #[server(default)] name: String,
    #[server(default)] country: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::sellers::settings::add_warehouse(&services.db, &actor, &name, &country).await?;
    crate::ssr::redirect("/seller/settings?saved=warehouse#warehouses-title");
    Ok(())
}

#[server(endpoint = "rename_warehouse")]
pub async fn rename_warehouse(id: i64, #[server(default)] name: String) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::sellers::settings::rename_warehouse(&services.db, &actor, id, &name).await?;
    crate::ssr::redirect("/seller/settings?saved=warehouse#warehouses-title");
    Ok(())
}

#[server(endpoint = "remove_warehouse")]
pub async fn remove_warehouse(id: i64) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::sellers::settings::remove_warehouse(&services.db, &actor, id).await?;
    crate::ssr::redirect("/seller/settings?saved=removed#warehouses-title");
    Ok(())
}

#[server(endpoint = "add_shipping_rate")]
pub async fn add_shipping_rate(
    #[server(default)] name: String,
    #[server(default)] country: String,
    #[server(default)] kind: String,
    #[server(default)] amount: String,
    #[server(default)] free_over: String,
    #[server(default)] days_min: String,
    #[server(default)] days_max: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let form = model::sellers::RateForm {
        name,
        country,
        kind,
        amount,
        free_over,
        days_min,
        days_max,
    };
    domain::checkout::rates::add(&services.db, &actor, &form).await?;
    crate::ssr::redirect("/seller/settings?saved=rate#shipping-title");
    Ok(())
}

#[server(endpoint = "remove_shipping_rate")]
pub async fn remove_shipping_rate(id: i64) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::checkout::rates::remove(&services.db, &actor, id).await?;
    crate::ssr::redirect("/seller/settings?saved=rate#shipping-title");
    Ok(())
}

/// The stock and imports card: a checkbox left unticked is not sent at all.
#[server(endpoint = "save_stock_policy")]
pub async fn save_stock_policy(
    #[server(default)] default_warehouse: String,
    #[server(default)] backorders: Option<String>,
    #[server(default)] strict_import_skus: Option<String>,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let policy = model::sellers::StockPolicy {
        // Not a number: no warehouse of the store, refused by the domain like another store's.
        default_warehouse: default_warehouse.trim().parse().unwrap_or(0),
        backorders: backorders.is_some(),
        strict_import_skus: strict_import_skus.is_some(),
    };
    domain::workflows::stock_policy::set_stock_policy(&services.db, &actor, &policy).await?;
    crate::ssr::redirect("/seller/settings?saved=stock#stock-title");
    Ok(())
}

/// The orders card: whether new orders wait for acceptance (an unticked checkbox is not sent at all).
#[server(endpoint = "save_order_policy")]
pub async fn save_order_policy(#[server(default)] accept_orders: Option<String>) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::sellers::settings::set_accept_orders(&services.db, &actor, accept_orders.is_some()).await?;
    crate::ssr::redirect("/seller/settings?saved=orders#orders-title");
    Ok(())
}
