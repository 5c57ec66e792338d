//! The shopper's messages page of one seller order (`/orders/{number}/messages/{order}`): the conversation with
//! the store and the form to write to it. A plain form, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::messages::{message_page, MessagePageData, SendMessage};
use crate::components::messages::MessageList;
use crate::pages::checkout::error_view;
use crate::pages::url_error;

#[component]
pub fn MessagePage() -> impl IntoView {
    let params = use_params_map();
    let (number, order) =
        params.with_untracked(|p| (p.get("number").unwrap_or_default(), p.get("order").unwrap_or_default()));
    let token = use_query_map().with_untracked(|q| q.get("token"));
    let error = url_error::<SendMessage>();
    view! {
        <Title text=format!("Messages about order {order}")/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match message_page(number.clone(), order.clone(), token.clone()).await {
                    Ok(data) => view! { <Conversation data=data token=token.clone() error=error.clone()/> }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Conversation(data: MessagePageData, token: Option<String>, error: Option<crate::error::AppError>) -> impl IntoView {
    let MessagePageData { screen, form_key, kept } = data;
    let token = token.filter(|t| !t.is_empty());
    let back = match token.as_deref() {
        Some(t) => format!(
            "/orders/{}?token={}",
            crate::url_encode(&screen.group_number),
            crate::url_encode(t)
        ),
        None => format!("/orders/{}", crate::url_encode(&screen.group_number)),
    };
    let body_error = error.as_ref().map(|e| e.message_for(&["body", "key"]));
    view! {
        <p><a href=back>"← Your order"</a></p>
        <h1 class="page-title">{format!("Messages about order {}", screen.order_number)}</h1>
        <p class="muted">{format!("Between you and {}. Keep the conversation and any payment on Bazaar.", screen.store_name)}</p>
        <section class="card stack" aria-labelledby="conversation">
            <h2 id="conversation">"Conversation"</h2>
            <MessageList messages=screen.messages.clone()/>
        </section>
        <form method="post" action=SendMessage::url() class="card stack" aria-labelledby="write-title">
            <h2 id="write-title">{format!("Write to {}", screen.store_name)}</h2>
            <input type="hidden" name="number" value=screen.group_number.clone()/>
            <input type="hidden" name="order" value=screen.order_number.clone()/>
            <input type="hidden" name="token" value=token.clone().unwrap_or_default()/>
            <input type="hidden" name="key" value=form_key/>
            <div class="field">
                <label for="body">"Your message"</label>
                <textarea id="body" name="body" rows="4" maxlength="2000" required
                    aria-invalid=body_error.as_ref().map(|_| "true") aria-describedby=body_error.as_ref().map(|_| "body-error")>
                    {kept.map(|k| k.body).unwrap_or_default()}
                </textarea>
                {body_error.map(|m| view! { <p class="field__error" id="body-error">{m}</p> })}
            </div>
            <p><button class="button" type="submit">"Send the message"</button></p>
        </form>
    }
}
