//! The store's orders: the list, one order, shipping it, cancelling or refunding part of it, marking it delivered.

use leptos::prelude::*;
use model::seller_orders::{PackingSlip, SellerOrderDetail, SellerOrderPage};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::signed_in;
use crate::error::AppError;

/// Where a refused shipment waits, to show the form with what was typed.
pub const SHIP_FORM: &str = "shipment";

/// A shipment as typed, kept when it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeptShipment {
    pub number: String,
    pub carrier: String,
    pub tracking: String,
    /// (variant id, units typed).
    pub lines: Vec<(i64, String)>,
}

/// One order's page: the order, a fresh key for its shipping form, the shipment typed last if it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderScreen {
    pub order: SellerOrderDetail,
    pub form_key: String,
    pub kept: Option<KeptShipment>,
    pub kept_refund: Option<KeptRefund>,
    /// The message the store typed last, if it was refused.
    pub kept_message: Option<String>,
}

#[server(endpoint = "seller_orders", input = leptos::server_fn::codec::GetUrl)]
pub async fn seller_orders(
    #[server(default)] tab: String,
    #[server(default)] q: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] after: String,
) -> Result<SellerOrderPage, AppError> {
    let (services, actor) = signed_in()?;
    let filter = model::seller_orders::OrderFilter {
        tab: model::seller_orders::OrderTab::parse(&tab),
        q,
        from,
        to,
    };
    Ok(domain::orders::portal::page(&services.db, &actor, &filter, &after).await?)
}

/// How the store kept its ship-by dates (the overview's card).
#[server(endpoint = "shipping_record", input = leptos::server_fn::codec::GetUrl)]
pub async fn shipping_record() -> Result<model::seller_orders::ShippingRecord, AppError> {
    let (services, actor) = signed_in()?;
    Ok(domain::orders::portal::shipping_record(&services.db, &actor).await?)
}

/// Orders of the actor's store with units left to ship (the portal navigation's count).
#[server(endpoint = "orders_to_ship", input = leptos::server_fn::codec::GetUrl)]
pub async fn orders_to_ship() -> Result<i64, AppError> {
    let (services, actor) = signed_in()?;
    Ok(domain::orders::portal::to_ship(&services.db, &actor).await?)
}

#[server(endpoint = "seller_order", input = leptos::server_fn::codec::GetUrl)]
pub async fn seller_order(number: String) -> Result<OrderScreen, AppError> {
    let (services, actor) = signed_in()?;
    let order = domain::orders::portal::detail(&services.db, &actor, &number).await?;
    let kept = crate::ssr::take_typed::<KeptShipment>(SHIP_FORM)
        .await?
        .filter(|k| k.number == order.number);
    let kept_refund = crate::ssr::take_typed::<KeptRefund>(REFUND_FORM)
        .await?
        .filter(|k| k.number == order.number);
    let kept_message = crate::ssr::take_typed::<crate::api::messages::KeptMessage>(crate::api::messages::MESSAGE_FORM)
        .await?
        .filter(|k| k.order == order.number)
        .map(|k| k.body);
    Ok(OrderScreen {
        order,
        form_key: format!("s{}", domain::platform::ids::next_id()),
        kept,
        kept_refund,
        kept_message,
    })
}

/// Ships the units typed per line (`variant[i]`, `qty[i]`) with the carrier and tracking number. The form's
/// `key` makes a second sending of it change nothing.
#[server(endpoint = "ship_order")]
pub async fn ship_order(
    number: String,
    #[server(default)] key: String,
    #[server(default)] carrier: String,
    #[server(default)] tracking: String,
    #[server(default)] variant: Vec<i64>,
    #[server(default)] qty: Vec<String>,
) -> Result<(), AppError> {
    use domain::orders::fulfilment::Shipped;
    use domain::workflows::ship_order::{ship, ShipForm};
    let (services, actor) = signed_in()?;
    let form = ShipForm {
        key,
        carrier: carrier.clone(),
        tracking_number: tracking.clone(),
        lines: crate::api::form_lines(variant, qty)?,
    };
    let back = format!("/seller/orders/{}", crate::url_encode(&number));
    match ship(&services.db, &actor, &number, &form).await {
        Ok(shipped) => {
            let done = match shipped {
                Shipped::Recorded { complete: true, .. } => "shipped",
                Shipped::Recorded { .. } => "partly",
                Shipped::AlreadyRecorded => "already",
            };
            crate::ssr::redirect(&format!("{back}?done={done}"));
            Ok(())
        }
        Err(e) => {
            let kept = KeptShipment {
                number,
                carrier,
                tracking,
                lines: form.lines,
            };
            crate::ssr::keep_typed(SHIP_FORM, &kept).await?;
            Err(e.into())
        }
    }
}

/// Where a refused cancel or refund waits, to show its form with what was typed.
pub const REFUND_FORM: &str = "refund";

/// A cancel or refund as typed, kept when it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeptRefund {
    pub number: String,
    pub kind: String,
    pub lines: Vec<(i64, String)>,
    pub shipping: String,
    pub amount: String,
    pub reason: String,
    pub restock: bool,
}

/// Cancels units not shipped yet (`kind` "cancel") or refunds shipped units, shipping or an amount ("refund"),
/// through the payment provider; the shopper is emailed. The form's `key` makes a second sending change nothing.
#[server(endpoint = "refund_order")]
#[allow(clippy::too_many_arguments)] // one argument per form field
pub async fn refund_order(
    number: String,
    #[server(default)] kind: String,
    #[server(default)] key: String,
    #[server(default)] variant: Vec<i64>,
    #[server(default)] qty: Vec<String>,
    #[server(default)] shipping: String,
    #[server(default)] amount: String,
    #[server(default)] reason: String,
    #[server(default)] restock: Option<String>,
) -> Result<(), AppError> {
    use domain::workflows::refund_order::by_store;
    let (services, actor) = signed_in()?;
    let typed = TypedRefund {
        number,
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
    let outcome = by_store(
        &services.db,
        &*services.payments,
        &actor,
        &typed.number,
        refund_kind,
        &form,
    )
    .await;
    let back = format!("/seller/orders/{}", crate::url_encode(&typed.number));
    typed.answer(outcome.map_err(AppError::from), form, &back).await
}

/// A cancel or refund form's fields as they came (the store's and the admins' forms are the same).
#[cfg(feature = "ssr")]
pub(crate) struct TypedRefund {
    pub number: String,
    pub kind: String,
    pub key: String,
    pub variant: Vec<i64>,
    pub qty: Vec<String>,
    pub shipping: String,
    pub amount: String,
    pub reason: String,
    pub restock: Option<String>,
}

#[cfg(feature = "ssr")]
impl TypedRefund {
    pub(crate) fn form(
        &self,
    ) -> Result<(domain::orders::refunds::RefundKind, domain::orders::refunds::RefundForm), AppError> {
        use domain::orders::refunds::{RefundForm, RefundKind};
        let kind = if self.kind == "cancel" {
            RefundKind::Cancel
        } else {
            RefundKind::Refund
        };
        let form = RefundForm {
            key: self.key.clone(),
            lines: crate::api::form_lines(self.variant.clone(), self.qty.clone())?,
            shipping: self.shipping.clone(),
            amount: self.amount.clone(),
            reason: self.reason.clone(),
            restock: self.restock.is_some(),
        };
        Ok((kind, form))
    }

    /// Back to `back` saying what was done, or the refusal with the form kept as typed.
    pub(crate) async fn answer(
        self,
        outcome: Result<domain::workflows::refund_order::Outcome, AppError>,
        form: domain::orders::refunds::RefundForm,
        back: &str,
    ) -> Result<(), AppError> {
        use domain::workflows::refund_order::Outcome;
        match outcome {
            Ok(outcome) => {
                let done = match (outcome, self.kind == "cancel") {
                    (Outcome::AlreadyRecorded, _) => "already-refunded",
                    (Outcome::EarlierFinished, _) => "earlier-refund",
                    (Outcome::Done(_), true) => "cancelled",
                    (Outcome::Done(_), false) => "refunded",
                };
                crate::ssr::redirect(&format!("{back}?done={done}"));
                Ok(())
            }
            Err(e) => {
                let kept = KeptRefund {
                    number: self.number,
                    kind: self.kind,
                    lines: form.lines,
                    shipping: form.shipping,
                    amount: form.amount,
                    reason: form.reason,
                    restock: form.restock,
                };
                crate::ssr::keep_typed(REFUND_FORM, &kept).await?;
                Err(e)
            }
        }
    }
}

#[server(endpoint = "mark_order_delivered")]
pub async fn mark_order_delivered(number: String) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::workflows::ship_order::mark_delivered(&services.db, &actor, &number).await?;
    crate::ssr::redirect(&format!("/seller/orders/{}?done=delivered", crate::url_encode(&number)));
    Ok(())
}

/// Accepts a paid order (stores that accept their orders).
#[server(endpoint = "accept_order")]
pub async fn accept_order(number: String) -> Result<(), AppError> {
    use domain::workflows::accept_order::{accept, Accepted};
    let (services, actor) = signed_in()?;
    let done = match accept(&services.db, &actor, &number).await? {
        Accepted::Now => "accepted",
        Accepted::Already => "already-accepted",
    };
    crate::ssr::redirect(&format!("/seller/orders/{}?done={done}", crate::url_encode(&number)));
    Ok(())
}

/// The packing slips of the store's orders `numbers` (comma-separated), for one print.
#[server(endpoint = "packing_slips", input = leptos::server_fn::codec::GetUrl)]
pub async fn packing_slips(numbers: String) -> Result<Vec<PackingSlip>, AppError> {
    let (services, actor) = signed_in()?;
    let numbers: Vec<String> = numbers.split(',').map(str::to_string).collect();
    Ok(domain::orders::slips::slips(&services.db, &actor, &numbers).await?)
}
