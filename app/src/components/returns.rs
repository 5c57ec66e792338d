//! One return as both sides read it: what goes back, where it is, why, the store's answer and the tracking.

use leptos::prelude::*;
use model::returns::ReturnView;

/// The return's heading (`return-{id}`, for the section around it to be named by), state and details.
#[component]
pub fn ReturnSummary(ret: ReturnView) -> impl IntoView {
    let day = model::format_date(ret.requested_at);
    let tracking = ret
        .tracking_number
        .clone()
        .map(|number| match ret.tracking_url.clone() {
            Some(url) => view! { <a href=url rel="noopener noreferrer">{format!("Track {number}")}</a> }.into_any(),
            None => view! { <span>{format!("Tracking {number}")}</span> }.into_any(),
        });
    view! {
        <h3 id=format!("return-{}", ret.id)>{format!("Return: {}", ret.lines.join(", "))}</h3>
        <p>
            <span class="badge">{ret.state_label.clone()}</span>
            " asked " <time datetime=day.clone()>{day.clone()}</time>
        </p>
        <p>{format!("Reason: {}", ret.reason)}</p>
        {(!ret.note.is_empty()).then(|| view! { <p class="muted">{format!("The shopper wrote: {}", ret.note)}</p> })}
        {(!ret.answer.is_empty()).then(|| view! { <p>{format!("The store's answer: {}", ret.answer)}</p> })}
        {tracking.map(|t| view! { <p>{ret.carrier.clone().unwrap_or_default()}" " {t}</p> })}
        {ret.replacement.then(|| view! { <p>"Asks for a replacement instead of a refund."</p> })}
        {ret.replacement_tracking.clone().map(|parcel| view! {
            <p>"Replacement sent with " {parcel.clone()}
                {ret.replacement_url.clone().map(|url| view! { " · " <a href=url rel="noopener noreferrer">"Track the replacement"</a> })}</p>
        })}
    }
}
