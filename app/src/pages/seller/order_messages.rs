//! The conversation on the store's order page: the shopper's and the store's messages and the store's internal
//! notes, and one form that sends a message to the shopper or keeps a note only the store reads.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::messages::MessageView;

use crate::api::messages::StoreMessage;
use crate::components::messages::MessageList;
use crate::error::AppError;

#[component]
pub fn OrderMessages(
    number: String,
    messages: Vec<MessageView>,
    form_key: String,
    kept: Option<String>,
    error: Option<AppError>,
) -> impl IntoView {
    let body_error = error.as_ref().and_then(|e| e.field("body"));
    view! {
        <section class="card stack" aria-labelledby="messages">
            <h2 id="messages">"Messages"</h2>
            <p class="muted">"The shopper reads your messages on their order; internal notes stay with your store."</p>
            <MessageList messages=messages/>
            <form method="post" action=StoreMessage::url() class="stack" aria-label="Write a message or a note">
                <input type="hidden" name="number" value=number/>
                <input type="hidden" name="key" value=format!("{form_key}m")/>
                <div class="field">
                    <label for="message-body">"Message or note"</label>
                    <textarea id="message-body" name="body" rows="3" maxlength="2000" required
                        aria-invalid=body_error.as_ref().map(|_| "true") aria-describedby=body_error.as_ref().map(|_| "message-body-error")>
                        {kept.unwrap_or_default()}
                    </textarea>
                    {body_error.map(|m| view! { <p class="field__error" id="message-body-error">{m}</p> })}
                </div>
                <p class="actions">
                    <button class="button" type="submit" name="internal" value="">"Send to the shopper"</button>
                    <button class="button button--secondary" type="submit" name="internal" value="note">"Save as an internal note"</button>
                </p>
            </form>
        </section>
    }
}
