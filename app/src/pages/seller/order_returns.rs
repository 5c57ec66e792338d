//! The returns of one order on the store's order page: each with the step the store can take now — approve or
//! reject (with the reason the shopper reads), mark received (and whether the units go back in stock), refund, or
//! send a replacement when the shopper asked for one (an exchange).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::returns::ReturnView;
use model::seller_orders::Carrier;

use crate::api::returns::{DecideReturn, ReceiveReturn, RefundReturn, ReplaceReturn};
use crate::components::returns::ReturnSummary;

#[component]
pub fn OrderReturns(number: String, returns: Vec<ReturnView>) -> impl IntoView {
    (!returns.is_empty()).then(|| {
        view! {
            <section class="card stack" aria-labelledby="returns-title">
                <h2 id="returns-title">"Returns"</h2>
                {returns.into_iter().map(|r| view! { <OrderReturn number=number.clone() ret=r/> }).collect_view()}
            </section>
        }
    })
}

#[component]
fn OrderReturn(number: String, ret: ReturnView) -> impl IntoView {
    let id = ret.id;
    let replace_form = ret
        .replacement
        .then(|| view! { <ReplaceForm number=number.clone() id=id/> });
    let hidden = move || {
        view! {
            <input type="hidden" name="number" value=number.clone()/>
            <input type="hidden" name="id" value=id.to_string()/>
        }
    };
    let step = match ret.state.as_str() {
        "requested" => view! {
            <form method="post" action=DecideReturn::url() class="stack" aria-label=format!("Approve or reject return {id}")>
                {hidden()}
                <div class="field">
                    <label for=format!("answer-{id}")>"Reason, if you reject it (the shopper reads it)"</label>
                    <input id=format!("answer-{id}") name="answer" maxlength="300" autocomplete="off"/>
                </div>
                <p class="actions">
                    <button class="button" type="submit" name="decision" value="approve">"Approve the return"</button>
                    <button class="button button--secondary" type="submit" name="decision" value="reject">"Reject the return"</button>
                </p>
            </form>
        }
        .into_any(),
        "approved" | "sent_back" => view! {
            <form method="post" action=ReceiveReturn::url() class="stack" aria-label=format!("Receive return {id}")>
                {hidden()}
                <div class="field field--check">
                    <input id=format!("restock-{id}") type="checkbox" name="restock" value="on" checked=true/>
                    <label for=format!("restock-{id}")>"Put the returned units back in stock (they came back unused)"</label>
                </div>
                <p><button class="button" type="submit">"Mark the return received"</button></p>
            </form>
        }
        .into_any(),
        "received" => view! {
            {replace_form}
            <form method="post" action=RefundReturn::url() aria-label=format!("Refund return {id}")>
                {hidden()}
                <p><button class="button" type="submit">
                    {if ret.replacement { "Refund the returned units instead" } else { "Refund the returned units" }}
                </button></p>
            </form>
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        <div class="stack" role="group" aria-labelledby=format!("return-{id}")>
            <ReturnSummary ret=ret/>
            {step}
        </div>
    }
}

/// Sending the same units again from the store's stock, with the parcel's carrier and tracking number.
#[component]
fn ReplaceForm(number: String, id: i64) -> impl IntoView {
    view! {
        <form method="post" action=ReplaceReturn::url() class="stack" aria-labelledby=format!("replace-{id}")>
            <h4 id=format!("replace-{id}")>"Send a replacement"</h4>
            <input type="hidden" name="number" value=number/>
            <input type="hidden" name="id" value=id.to_string()/>
            <div class="field-row">
                <div class="field">
                    <label for=format!("replace-carrier-{id}")>"Replacement carrier"</label>
                    <select id=format!("replace-carrier-{id}") name="carrier">
                        {Carrier::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=format!("replace-tracking-{id}")>"Replacement tracking number"</label>
                    <input id=format!("replace-tracking-{id}") name="tracking" maxlength="40" autocomplete="off"/>
                </div>
            </div>
            <p class="muted">"The units leave your stock; the shopper is emailed the tracking."</p>
            <p><button class="button" type="submit">"Send the replacement"</button></p>
        </form>
    }
}
