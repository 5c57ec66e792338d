//! `/admin/orders/{number}/refund`: one store's order as an admin gives money back on it, with the store's own
//! cancel and refund forms (one path: the claim, the provider under its key, the shopper's email, the audit entry)
//! and the admin's password asked again for a large refund. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::{admin_gate, NotLoaded};
use crate::api::admin::orders::{admin_refund_screen, AdminRefundOrder, RefundScreen};
use crate::components::portal::{AdminSection, AdminShell, Notice};
use crate::error::AppError;
use crate::pages::seller::order_refunds::{ConfirmAbove, RefundForms, REFUND_FIELDS};
use crate::pages::seller::orders::{done_text, OrderLines, OrderTimeline};
use crate::pages::url_error;

#[component]
pub fn AdminRefundPage() -> impl IntoView {
    let number = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("number"))
        .unwrap_or_default();
    if let Some(instead) = admin_gate(&format!("/admin/orders/{}/refund", crate::url_encode(&number))) {
        return instead;
    }
    let done = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("done"));
    let error = url_error::<AdminRefundOrder>();
    view! {
        <Title text=format!("Refund {number} · Admin")/>
        <AdminShell section=AdminSection::Orders>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match admin_refund_screen(number.clone()).await {
                        Ok(screen) => view! { <RefundView screen=screen done=done.clone() error=error.clone()/> }.into_any(),
                        Err(e) => view! {
                            <p><a href="/admin/orders">"← Orders"</a></p>
                            <NotLoaded title="Refund" error=e/>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </AdminShell>
    }
    .into_any()
}

#[component]
fn RefundView(screen: RefundScreen, done: Option<String>, error: Option<AppError>) -> impl IntoView {
    let RefundScreen { store, form_key, kept } = screen;
    let order = store.order;
    let confirm = ConfirmAbove {
        needed: store.needs_password,
        above: store.confirm_above.display(),
    };
    let message = error.as_ref().map(|e| e.message_for(&REFUND_FIELDS));
    let checkout = store.checkout;
    view! {
        <p><a href=format!("/admin/orders/{}", crate::url_encode(&checkout))>{format!("← Order {checkout}")}</a></p>
        <h1 class="page-title">{format!("Refund or cancel {}", order.number)}</h1>
        <p>{format!("{} · {} · total {}", order.store_name, order.status_label, order.total.display())}</p>
        <Notice text=done_text(done.as_deref())/>
        {message.map(|m| view! { <p class="alert alert--error" role="alert">{m}</p> })}
        {(!order.refunds_open).then(|| view! {
            <p class="alert">"Nothing more can be cancelled or refunded on this order."</p>
        })}
        <OrderLines order=order.clone()/>
        <RefundForms order=order.clone() form_key=form_key kept=kept error=error
            action=AdminRefundOrder::url().to_string() confirm=confirm/>
        <OrderTimeline timeline=order.timeline/>
    }
}
