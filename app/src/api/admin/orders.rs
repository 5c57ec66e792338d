//! The admins' order screens: every checkout (filters in the address) and one checkout with its payments,
//! refunds and internal notes, and the note form.

use leptos::prelude::*;
use model::admin_orders::{AdminStoreOrder, CheckoutDetail, CheckoutList};
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

/// A store order's refund page: what can still be cancelled or refunded, a fresh key for its forms, and the form
/// typed last if it was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefundScreen {
    pub store: AdminStoreOrder,
    pub form_key: String,
    pub kept: Option<crate::api::sellers::KeptRefund>,
}

/// Store order `number` as an admin refunds or cancels it.
#[server(endpoint = "admin_refund_screen", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_refund_screen(number: String) -> Result<RefundScreen, AppError> {
    use crate::api::sellers::{KeptRefund, REFUND_FORM};
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let confirmed_at = super::confirmed_at().await?;
    let store = domain::admin::orders::store_order(
        &services.db,
        &crate::ssr::actor(),
        &number,
        confirmed_at,
        services.refund_confirm_above,
    )
    .await?;
    let kept = crate::ssr::take_typed::<KeptRefund>(REFUND_FORM)
        .await?
        .filter(|k| k.number == store.order.number);
    Ok(RefundScreen {
        store,
        form_key: format!("a{}", domain::platform::ids::next_id()),
        kept,
    })
}

/// An admin's cancel or refund on any store's order: the store's form, and above `ADMIN_REFUND_CONFIRM_ABOVE` the
/// admin's password again when their last one is older than 10 minutes. Recorded in the audit log.
#[server(endpoint = "admin_refund_order")]
#[allow(clippy::too_many_arguments)] // one argument per form field
pub async fn admin_refund_order(
    number: String,
    #[server(default)] kind: String,
    #[server(default)] key: String,
    #[server(default)] variant: Vec<i64>,
    #[server(default)] qty: Vec<String>,
    #[server(default)] shipping: String,
    #[server(default)] amount: String,
    #[server(default)] reason: String,
    #[server(default)] restock: Option<String>,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    use domain::workflows::refund_order::{by_admin, AdminStepUp};
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let typed = crate::api::sellers::TypedRefund {
        number: number.trim().to_ascii_uppercase(),
        kind,
        key,
        variant,
        qty,
        shipping,
        amount,
        reason,
        restock,
    };
    let (refund_kind, form) = typed.form()?;
    let outcome = async {
        // A password typed (or one given within 10 minutes) covers the refund; none is asked for a small one.
        let recent = domain::accounts::step_up::is_recent(super::confirmed_at().await?);
        let confirmed = if password.is_empty() && !recent {
            None
        } else {
            Some(super::step_up(&services, &password).await?)
        };
        let step_up = AdminStepUp {
            confirmed,
            above: services.refund_confirm_above,
        };
        let actor = crate::ssr::actor();
        let outcome = by_admin(
            &services.db,
            &*services.payments,
            &actor,
            &step_up,
            &typed.number,
            refund_kind,
            &form,
        );
        Ok::<_, AppError>(outcome.await?)
    }
    .await;
    let back = format!("/admin/orders/{}/refund", crate::url_encode(&typed.number));
    typed.answer(outcome, form, &back).await
}
