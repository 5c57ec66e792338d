//! The admins' order screens: every checkout (filters in the address) and one checkout with its payments,
//! refunds and internal notes, and the note form.

use leptos::prelude::*;
use model::admin_orders::{CheckoutDetail, CheckoutList};
#[cfg(feature = "ssr")]
use model::admin_orders::{CheckoutState, OrderSearch};

use crate::error::AppError;

/// A page of checkouts: an order number or customer, a state, a store, days placed and amounts.
#[server(endpoint = "admin_orders", input = leptos::server_fn::codec::GetUrl)]
#[allow(clippy::too_many_arguments)]
pub async fn admin_orders(
    #[server(default)] q: String,
    #[server(default)] state: String,
    #[server(default)] store: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] min: String,
    #[server(default)] max: String,
    #[server(default)] after: String,
) -> Result<CheckoutList, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let search = OrderSearch {
        q,
        state: CheckoutState::parse(&state),
        store,
        from,
        to,
        min,
        max,
    };
    Ok(domain::admin::orders::list(&services.db, &crate::ssr::actor(), &search, &after).await?)
}

/// Checkout `number`'s admin page.
#[server(endpoint = "admin_order", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_order(number: String) -> Result<CheckoutDetail, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    Ok(domain::admin::orders::detail(&services.db, &crate::ssr::actor(), &number).await?)
}

/// Adds an internal note to checkout `number`.
#[server(endpoint = "add_order_note")]
pub async fn add_order_note(number: String, note: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::admin::orders::add_note(&services.db, &crate::ssr::actor(), &number, &note).await?;
    crate::ssr::redirect(&format!("/admin/orders/{}?done=note", crate::url_encode(number.trim())));
    Ok(())
}
