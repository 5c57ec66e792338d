//! The store's orders: the list, one order, shipping it and marking it delivered.

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
}

#[server(endpoint = "seller_orders", input = leptos::server_fn::codec::GetUrl)]
pub async fn seller_orders(
    #[server(default)] tab: String,
    #[server(default)] q: String,
    #[server(default)] after: String,
) -> Result<SellerOrderPage, AppError> {
    let (services, actor) = signed_in()?;
    let tab = model::seller_orders::OrderTab::parse(&tab);
    Ok(domain::orders::portal::page(&services.db, &actor, tab, &q, &after).await?)
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
    Ok(OrderScreen {
        order,
        form_key: format!("s{}", domain::platform::ids::next_id()),
        kept,
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
        lines: variant.into_iter().zip(qty).collect(),
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

#[server(endpoint = "mark_order_delivered")]
pub async fn mark_order_delivered(number: String) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    domain::workflows::ship_order::mark_delivered(&services.db, &actor, &number).await?;
    crate::ssr::redirect(&format!("/seller/orders/{}?done=delivered", crate::url_encode(&number)));
    Ok(())
}

/// The packing slips of the store's orders `numbers` (comma-separated), for one print.
#[server(endpoint = "packing_slips", input = leptos::server_fn::codec::GetUrl)]
pub async fn packing_slips(numbers: String) -> Result<Vec<PackingSlip>, AppError> {
    let (services, actor) = signed_in()?;
    let numbers: Vec<String> = numbers.split(',').map(str::to_string).collect();
    Ok(domain::orders::slips::slips(&services.db, &actor, &numbers).await?)
}
