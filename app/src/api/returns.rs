//! Returns: the shopper's returns page of one seller order (ask to send units back, say they were sent), and the
//! store's steps on its order page (approve or reject, received, refund). Plain form posts answered with a
//! redirect; a refused request comes back with what was typed.

use leptos::prelude::*;
use model::returns::ReturnScreen;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where a refused return request waits, to show the form with what was typed.
pub const RETURN_FORM: &str = "return";

/// A return request as typed, kept when it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeptReturn {
    pub order: String,
    pub lines: Vec<(i64, String)>,
    pub reason: String,
    pub note: String,
    #[serde(default)]
    pub wants: String,
}

/// The shopper's returns page: the order's returns, what can go back, a fresh key for the request form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnPageData {
    pub screen: ReturnScreen,
    pub form_key: String,
    pub kept: Option<KeptReturn>,
}

/// The returns page address of seller order `order` of group `number` (with a guest's token).
pub fn returns_href(number: &str, order: &str, token: Option<&str>) -> String {
    let path = format!(
        "/orders/{}/returns/{}",
        crate::url_encode(number),
        crate::url_encode(order)
    );
    match token.filter(|t| !t.is_empty()) {
        Some(t) => format!("{path}?token={}", crate::url_encode(t)),
        None => path,
    }
}

#[server(endpoint = "return_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn return_page(number: String, order: String, token: Option<String>) -> Result<ReturnPageData, AppError> {
    let services = crate::ssr::services()?;
    let token = token.filter(|t| !t.is_empty());
    let screen =
        domain::orders::returns::screen(&services.db, &crate::ssr::actor(), &number, &order, token.as_deref()).await?;
    let kept = crate::ssr::take_typed::<KeptReturn>(RETURN_FORM)
        .await?
        .filter(|k| k.order == screen.order_number);
    Ok(ReturnPageData {
        screen,
        form_key: format!("r{}", domain::platform::ids::next_id()),
        kept,
    })
}

/// Asks to send back the units typed per line (`variant[i]`, `qty[i]`) with a reason and an optional note.
#[server(endpoint = "request_return")]
#[allow(clippy::too_many_arguments)] // one argument per form field
pub async fn request_return(
    number: String,
    order: String,
    #[server(default)] token: Option<String>,
    #[server(default)] key: String,
    #[server(default)] variant: Vec<i64>,
    #[server(default)] qty: Vec<String>,
    #[server(default)] reason: String,
    #[server(default)] note: String,
    #[server(default)] wants: String,
) -> Result<(), AppError> {
    use domain::orders::returns::ReturnForm;
    use domain::workflows::return_order::{request, Requested, ShopperOrder};
    let services = crate::ssr::services()?;
    let token = token.filter(|t| !t.is_empty());
    let form = ReturnForm {
        key,
        lines: crate::api::form_lines(variant, qty)?,
        reason,
        note,
        wants,
    };
    let back = returns_href(&number, &order, token.as_deref());
    let actor = crate::ssr::actor();
    let of = ShopperOrder {
        group: &number,
        order: &order,
        token: token.as_deref(),
    };
    match request(&services.db, &actor, of, &form).await {
        Ok(requested) => {
            let done = match requested {
                Requested::New { .. } => "requested",
                Requested::AlreadyRecorded => "already",
            };
            crate::ssr::redirect(&with_done(&back, done));
            Ok(())
        }
        Err(e) => {
            let kept = KeptReturn {
                order,
                lines: form.lines,
                reason: form.reason,
                note: form.note,
                wants: form.wants,
            };
            crate::ssr::keep_typed(RETURN_FORM, &kept).await?;
            Err(e.into())
        }
    }
}

/// `href` with `done=…` added (server functions only: the browser's build has no use for it).
#[cfg(feature = "ssr")]
fn with_done(href: &str, done: &str) -> String {
    let join = if href.contains('?') { '&' } else { '?' };
    format!("{href}{join}done={done}")
}

/// The shopper sent an approved return back (carrier and tracking number optional).
#[server(endpoint = "return_sent_back")]
pub async fn return_sent_back(
    number: String,
    order: String,
    #[server(default)] token: Option<String>,
    id: i64,
    #[server(default)] carrier: String,
    #[server(default)] tracking: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let token = token.filter(|t| !t.is_empty());
    let actor = crate::ssr::actor();
    let of = domain::workflows::return_order::ShopperOrder {
        group: &number,
        order: &order,
        token: token.as_deref(),
    };
    domain::workflows::return_order::sent_back(&services.db, &actor, of, id, &carrier, &tracking).await?;
    crate::ssr::redirect(&with_done(&returns_href(&number, &order, token.as_deref()), "sent"));
    Ok(())
}

/// The store approves (`decision` "approve") or rejects a requested return, with the answer the shopper reads.
#[server(endpoint = "decide_return")]
pub async fn decide_return(
    number: String,
    id: i64,
    #[server(default)] decision: String,
    #[server(default)] answer: String,
) -> Result<(), AppError> {
    let (services, actor) = crate::api::sellers::signed_in()?;
    let approve = decision == "approve";
    domain::workflows::return_order::decide(&services.db, &actor, &number, id, approve, &answer).await?;
    let done = if approve { "return-approved" } else { "return-rejected" };
    crate::ssr::redirect(&format!("/seller/orders/{}?done={done}", crate::url_encode(&number)));
    Ok(())
}

/// The store has a return's units back; `restock`: they go back on sale when refunded.
#[server(endpoint = "receive_return")]
pub async fn receive_return(
    number: String,
    id: i64,
    #[server(default)] restock: Option<String>,
) -> Result<(), AppError> {
    let (services, actor) = crate::api::sellers::signed_in()?;
    domain::workflows::return_order::receive(&services.db, &actor, &number, id, restock.is_some()).await?;
    crate::ssr::redirect(&format!(
        "/seller/orders/{}?done=return-received",
        crate::url_encode(&number)
    ));
    Ok(())
}

/// The store refunds a received return through the payment provider; the shopper is emailed.
#[server(endpoint = "refund_return")]
pub async fn refund_return(number: String, id: i64) -> Result<(), AppError> {
    let (services, actor) = crate::api::sellers::signed_in()?;
    domain::workflows::return_order::refund(&services.db, &*services.payments, &actor, &number, id).await?;
    crate::ssr::redirect(&format!("/seller/orders/{}?done=refunded", crate::url_encode(&number)));
    Ok(())
}

/// The store sends a replacement for a received return whose shopper asked for one (an exchange).
#[server(endpoint = "replace_return")]
pub async fn replace_return(
    number: String,
    id: i64,
    #[server(default)] carrier: String,
    #[server(default)] tracking: String,
) -> Result<(), AppError> {
    let (services, actor) = crate::api::sellers::signed_in()?;
    domain::workflows::return_order::replace(&services.db, &actor, &number, id, &carrier, &tracking).await?;
    crate::ssr::redirect(&format!("/seller/orders/{}?done=replaced", crate::url_encode(&number)));
    Ok(())
}
