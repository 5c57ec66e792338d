//! Messages of a seller order: the shopper's page of one order's conversation, the store's messages and internal
//! notes on its order page, and the admins' reading of every thread. Plain form posts answered with a redirect; a
//! refused message comes back as typed.

use leptos::prelude::*;
use model::messages::{FlaggedMessage, MessageScreen};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where a refused message waits, to show the form with what was typed.
pub const MESSAGE_FORM: &str = "message";

/// A message as typed, kept when it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeptMessage {
    pub order: String,
    pub body: String,
}

/// The shopper's messages page: the conversation, a fresh key for the form, what was typed if refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePageData {
    pub screen: MessageScreen,
    pub form_key: String,
    pub kept: Option<KeptMessage>,
}

/// The messages page address of seller order `order` of group `number` (with a guest's token).
pub fn messages_href(number: &str, order: &str, token: Option<&str>) -> String {
    let path = format!(
        "/orders/{}/messages/{}",
        crate::url_encode(number),
        crate::url_encode(order)
    );
    match token.filter(|t| !t.is_empty()) {
        Some(t) => format!("{path}?token={}", crate::url_encode(t)),
        None => path,
    }
}

#[server(endpoint = "message_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn message_page(number: String, order: String, token: Option<String>) -> Result<MessagePageData, AppError> {
    let services = crate::ssr::services()?;
    let token = token.filter(|t| !t.is_empty());
    let screen =
        domain::orders::messages::screen(&services.db, &crate::ssr::actor(), &number, &order, token.as_deref()).await?;
    let kept = crate::ssr::take_typed::<KeptMessage>(MESSAGE_FORM)
        .await?
        .filter(|k| k.order == screen.order_number);
    Ok(MessagePageData {
        screen,
        form_key: format!("m{}", domain::platform::ids::next_id()),
        kept,
    })
}

/// The shopper writes to the store of seller order `order`.
#[server(endpoint = "send_message")]
pub async fn send_message(
    number: String,
    order: String,
    #[server(default)] token: Option<String>,
    #[server(default)] key: String,
    #[server(default)] body: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let token = token.filter(|t| !t.is_empty());
    let of = domain::workflows::return_order::ShopperOrder {
        group: &number,
        order: &order,
        token: token.as_deref(),
    };
    let sent =
        domain::workflows::message_order::from_shopper(&services.db, &crate::ssr::actor(), of, &key, &body).await;
    if let Err(e) = sent {
        crate::ssr::keep_typed(MESSAGE_FORM, &KeptMessage { order, body }).await?;
        return Err(e.into());
    }
    crate::ssr::redirect(&messages_href(&number, &order, token.as_deref()));
    Ok(())
}

/// The store writes to the shopper of its order `number`, or (`internal` set) keeps a note only it reads.
#[server(endpoint = "store_message")]
pub async fn store_message(
    number: String,
    #[server(default)] key: String,
    #[server(default)] body: String,
    #[server(default)] internal: Option<String>,
) -> Result<(), AppError> {
    let (services, actor) = crate::api::sellers::signed_in()?;
    let internal = internal.is_some_and(|v| v == "note");
    let sent = domain::workflows::message_order::from_store(&services.db, &actor, &number, &key, &body, internal).await;
    if let Err(e) = sent {
        crate::ssr::keep_typed(MESSAGE_FORM, &KeptMessage { order: number, body }).await?;
        return Err(e.into());
    }
    let done = if internal { "noted" } else { "sent" };
    crate::ssr::redirect(&format!("/seller/orders/{}?done={done}", crate::url_encode(&number)));
    Ok(())
}

/// For admins: the newest flagged messages, or (with `order`) one order's whole thread.
#[server(endpoint = "admin_messages", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_messages(#[server(default)] order: String) -> Result<Vec<FlaggedMessage>, AppError> {
    let services = crate::ssr::services()?;
    Ok(domain::orders::messages::for_admin(&services.db, &crate::ssr::actor(), &order).await?)
}
