//! An order's messages as the shopper, the store and admins read them: who wrote, when, the text (escaped, its
//! line breaks kept), and the warning on one that holds contact details or a link.

use leptos::prelude::*;
use model::messages::MessageView;

#[component]
pub fn MessageList(messages: Vec<MessageView>) -> impl IntoView {
    if messages.is_empty() {
        return view! { <p class="muted">"No messages yet."</p> }.into_any();
    }
    view! {
        <ol class="messages" aria-label="Messages">
            {messages.into_iter().map(|m| {
                let day = model::format_date(m.at);
                let class = match (m.internal, m.from_store) {
                    (true, _) => "message message--note",
                    (false, true) => "message message--store",
                    (false, false) => "message",
                };
                view! {
                    <li class=class>
                        <p class="message__meta"><strong>{m.author.clone()}</strong>" · " <time datetime=day.clone()>{day.clone()}</time></p>
                        <p class="message__body">{m.body.clone()}</p>
                        {m.flagged.clone().map(|w| view! { <p class="alert alert--warning">{w}</p> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}
