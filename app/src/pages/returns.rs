//! The shopper's returns page of one seller order (`/orders/{number}/returns/{order}`): the store's window and
//! policy, the request form (units per delivered line, a reason from the list, a note), each return with where it
//! is, and "I sent it back" once the store approved it. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use model::returns::{Remedy, ReturnReason, ReturnScreen, ReturnView};
use model::seller_orders::Carrier;

use crate::api::returns::{return_page, KeptReturn, RequestReturn, ReturnPageData, ReturnSentBack};
use crate::components::returns::ReturnSummary;
use crate::error::AppError;
use crate::pages::checkout::error_view;
use crate::pages::url_error;

fn done_text(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "requested" => "Return requested: the store was told and will answer by email.",
        "already" => "This return was already requested (the form was sent twice): nothing changed.",
        "sent" => "Thank you: the store was told the parcel is on its way.",
        _ => return None,
    })
}

#[component]
pub fn ReturnPage() -> impl IntoView {
    let params = use_params_map();
    let (number, order) =
        params.with_untracked(|p| (p.get("number").unwrap_or_default(), p.get("order").unwrap_or_default()));
    let query = use_query_map();
    let (token, done) = query.with_untracked(|q| (q.get("token"), q.get("done")));
    let error = url_error::<RequestReturn>().or_else(url_error::<ReturnSentBack>);
    view! {
        <Title text=format!("Return items of order {order}")/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match return_page(number.clone(), order.clone(), token.clone()).await {
                    Ok(data) => view! { <Returns data=data token=token.clone() done=done.clone() error=error.clone()/> }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Returns(
    data: ReturnPageData,
    token: Option<String>,
    done: Option<String>,
    error: Option<AppError>,
) -> impl IntoView {
    let ReturnPageData { screen, form_key, kept } = data;
    let back = match token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => format!(
            "/orders/{}?token={}",
            crate::url_encode(&screen.group_number),
            crate::url_encode(t)
        ),
        None => format!("/orders/{}", crate::url_encode(&screen.group_number)),
    };
    let message = error
        .as_ref()
        .map(|e| e.message_for(&["qty[0]", "reason", "wants", "note", "key", "tracking"]));
    let window = match (screen.return_days, screen.window_ends) {
        (0, _) => format!("{} does not accept returns.", screen.store_name),
        (_, Some(ends)) => format!("You can send items back until {}.", model::format_date(ends)),
        (days, None) => format!("{} accepts returns within {days} days of delivery.", screen.store_name),
    };
    let hidden = ReturnHidden {
        number: screen.group_number.clone(),
        order: screen.order_number.clone(),
        token: token.clone().unwrap_or_default(),
    };
    view! {
        <p><a href=back>"← Your order"</a></p>
        <h1 class="page-title">{format!("Return items of order {}", screen.order_number)}</h1>
        <p>{window}</p>
        {(!screen.policy.is_empty()).then(|| view! { <p class="muted">{screen.policy.clone()}</p> })}
        <div role="status">{done_text(done.as_deref()).map(|t| view! { <p class="alert alert--success">{t}</p> })}</div>
        {message.map(|m| view! { <p class="alert alert--error" role="alert">{m}</p> })}
        {(screen.open && !screen.lines.is_empty()).then(|| view! {
            <RequestForm screen=screen.clone() hidden=hidden.clone() form_key=form_key kept=kept.unwrap_or_default() error=error.clone()/>
        })}
        {screen.returns.into_iter().map(|r| view! { <ReturnCard ret=r hidden=hidden.clone()/> }).collect_view()}
    }
}

/// The order a form acts on, as hidden fields.
#[derive(Clone)]
struct ReturnHidden {
    number: String,
    order: String,
    token: String,
}

impl ReturnHidden {
    fn fields(&self) -> impl IntoView {
        view! {
            <input type="hidden" name="number" value=self.number.clone()/>
            <input type="hidden" name="order" value=self.order.clone()/>
            <input type="hidden" name="token" value=self.token.clone()/>
        }
    }
}

#[component]
fn RequestForm(
    screen: ReturnScreen,
    hidden: ReturnHidden,
    form_key: String,
    kept: KeptReturn,
    error: Option<AppError>,
) -> impl IntoView {
    let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
    let (qty_error, reason_error, note_error) = (field("qty[0]"), field("reason"), field("note"));
    let wants_error = field("wants");
    let wants = if kept.wants.is_empty() {
        Remedy::Refund.as_str().to_string()
    } else {
        kept.wants.clone()
    };
    let typed = |variant: i64| kept.lines.iter().find(|(v, _)| *v == variant).map(|(_, q)| q.clone());
    view! {
        <form method="post" action=RequestReturn::url() class="card stack" aria-labelledby="request-title">
            <h2 id="request-title">"Send items back"</h2>
            {hidden.fields()}
            <input type="hidden" name="key" value=form_key/>
            <fieldset class="stack" aria-describedby=qty_error.as_ref().map(|_| "qty-error")>
                <legend>"Units to send back"</legend>
                {qty_error.clone().map(|m| view! { <p class="field__error" id="qty-error">{m}</p> })}
                {screen.lines.iter().enumerate().map(|(i, l)| {
                    let id = format!("qty-{i}");
                    let variant = if l.variant.is_empty() { String::new() } else { format!(" ({})", l.variant) };
                    let label = format!("{}{variant} (up to {})", l.title, l.returnable);
                    view! {
                        <div class="field field--inline">
                            <input type="hidden" name=format!("variant[{i}]") value=l.variant_id.to_string()/>
                            <label for=id.clone()>{label}</label>
                            <input id=id name=format!("qty[{i}]") type="number" min="0" max=l.returnable.to_string() inputmode="numeric"
                                value=typed(l.variant_id).unwrap_or_else(|| "0".to_string())/>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for="reason">"Why are you sending it back?"</label>
                <select id="reason" name="reason" aria-invalid=reason_error.as_ref().map(|_| "true") aria-describedby=reason_error.as_ref().map(|_| "reason-error")>
                    {ReturnReason::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=kept.reason == r.as_str()>{r.label()}</option>
                    }).collect_view()}
                </select>
                {reason_error.map(|m| view! { <p class="field__error" id="reason-error">{m}</p> })}
            </div>
            <fieldset class="stack" aria-describedby=wants_error.as_ref().map(|_| "wants-error")>
                <legend>"What would you like?"</legend>
                {wants_error.clone().map(|m| view! { <p class="field__error" id="wants-error">{m}</p> })}
                {Remedy::ALL.into_iter().map(|r| {
                    let id = format!("wants-{}", r.as_str());
                    view! {
                        <div class="field field--check">
                            <input id=id.clone() type="radio" name="wants" value=r.as_str() checked=wants == r.as_str()/>
                            <label for=id>{r.label()}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for="note">"Anything the store should know (optional)"</label>
                <textarea id="note" name="note" maxlength="500" rows="3" aria-invalid=note_error.as_ref().map(|_| "true")
                    aria-describedby=note_error.as_ref().map(|_| "note-error")>{kept.note.clone()}</textarea>
                {note_error.map(|m| view! { <p class="field__error" id="note-error">{m}</p> })}
            </div>
            <p><button class="button" type="submit">"Ask to return these units"</button></p>
        </form>
    }
}

#[component]
fn ReturnCard(ret: ReturnView, hidden: ReturnHidden) -> impl IntoView {
    let approved = ret.state == "approved";
    let id = ret.id;
    view! {
        <section class="card stack" aria-labelledby=format!("return-{id}")>
            <ReturnSummary ret=ret.clone()/>
            {approved.then(|| view! {
                <form method="post" action=ReturnSentBack::url() class="stack" aria-labelledby=format!("sent-{id}")>
                    <h3 id=format!("sent-{id}")>"I sent it back"</h3>
                    {hidden.fields()}
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="field">
                        <label for=format!("carrier-{id}")>"Carrier"</label>
                        <select id=format!("carrier-{id}") name="carrier">
                            {Carrier::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for=format!("tracking-{id}")>"Tracking number (optional)"</label>
                        <input id=format!("tracking-{id}") name="tracking" maxlength="40" autocomplete="off"/>
                    </div>
                    <p><button class="button" type="submit">"Tell the store it is on its way"</button></p>
                </form>
            })}
        </section>
    }
}
