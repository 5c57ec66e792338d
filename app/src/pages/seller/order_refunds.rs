//! Giving money back on one order, on its page (`/seller/orders/{number}`): cancelling units not shipped yet, and
//! refunding shipped units, shipping or an amount. Plain forms, no island; a refused form comes back as typed.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::seller_orders::{RefundReason, SellerLineView, SellerOrderDetail};

use crate::api::sellers::{KeptRefund, RefundOrder};
use crate::error::AppError;

/// The fields a refund's or a return step's error may name, for the message at the top of the page.
pub const REFUND_FIELDS: [&str; 9] = [
    "qty[0]", "shipping", "amount", "reason", "key", "answer", "carrier", "tracking", "password",
];

/// An admin's refund above `above` asks for their password again (`needed`: their last one is older than 10
/// minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmAbove {
    pub needed: bool,
    pub above: String,
}

/// The cancel form when units are left to ship, and the refund form while money can still go back. They post to
/// `action` (the store's server function unless an admin's page says otherwise), with the password field
/// `confirm` asks for.
#[component]
pub fn RefundForms(
    order: SellerOrderDetail,
    form_key: String,
    kept: Option<KeptRefund>,
    error: Option<AppError>,
    #[prop(optional)] action: Option<String>,
    #[prop(optional)] confirm: Option<ConfirmAbove>,
) -> impl IntoView {
    let action = action.unwrap_or_else(|| RefundOrder::url().to_string());
    if !order.refunds_open {
        return ().into_any();
    }
    let kept_kind = kept.as_ref().map(|k| k.kind.clone()).unwrap_or_default();
    let for_kind = |kind: &str| {
        if kept_kind == kind {
            (kept.clone(), error.clone())
        } else {
            (None, None)
        }
    };
    let cancellable: Vec<SellerLineView> = order.lines.iter().filter(|l| l.open() > 0).cloned().collect();
    let refundable: Vec<SellerLineView> = order.lines.iter().filter(|l| l.refundable() > 0).cloned().collect();
    let (cancel_kept, cancel_error) = for_kind("cancel");
    let (refund_kept, refund_error) = for_kind("refund");
    let cancel = (order.shippable && !cancellable.is_empty()).then(|| {
        let fields = FormFields {
            number: order.number.clone(),
            action: action.clone(),
            confirm: confirm.clone(),
            form_key: format!("{form_key}c"),
            kept: cancel_kept.unwrap_or_default(),
            error: cancel_error,
        };
        view! { <CancelForm lines=cancellable fields=fields/> }
    });
    let refund = (order.refundable.amount > 0).then(|| {
        let fields = FormFields {
            number: order.number.clone(),
            action: action.clone(),
            confirm: confirm.clone(),
            form_key: format!("{form_key}r"),
            kept: refund_kept.unwrap_or_default(),
            error: refund_error,
        };
        view! { <RefundForm order=order.clone() lines=refundable fields=fields/> }
    });
    view! { {cancel} {refund} }.into_any()
}

/// What both forms carry: the order, the form's key, what was typed, and the error it brought back.
#[derive(Clone)]
struct FormFields {
    number: String,
    action: String,
    confirm: Option<ConfirmAbove>,
    form_key: String,
    kept: KeptRefund,
    error: Option<AppError>,
}

impl FormFields {
    fn field(&self, name: &str) -> Option<String> {
        self.error.as_ref().and_then(|e| e.field(name))
    }

    fn typed(&self, variant: i64) -> Option<String> {
        self.kept
            .lines
            .iter()
            .find(|(v, _)| *v == variant)
            .map(|(_, q)| q.clone())
    }
}

fn line_label(l: &SellerLineView, how_many: String) -> String {
    let variant = if l.variant.is_empty() {
        String::new()
    } else {
        format!(" ({})", l.variant)
    };
    format!("{}{variant} ({how_many})", l.title)
}

/// Units per line, `idp` naming the inputs' ids (`cancel-qty-0`…), at most `max(line)` each.
#[component]
fn UnitFields(
    lines: Vec<SellerLineView>,
    fields: FormFields,
    idp: &'static str,
    legend: &'static str,
    max: fn(&SellerLineView) -> i64,
    left: &'static str,
) -> impl IntoView {
    let qty_error = fields.field("qty[0]");
    let error_id = format!("{idp}-qty-error");
    let described_by = qty_error.as_ref().map(|_| error_id.clone());
    view! {
        <fieldset class="stack" aria-describedby=described_by>
            <legend>{legend}</legend>
            {qty_error.map(|m| view! { <p class="field__error" id=error_id.clone()>{m}</p> })}
            {lines.into_iter().enumerate().map(|(i, l)| {
                let id = format!("{idp}-qty-{i}");
                let label = line_label(&l, format!("{} {left}", max(&l)));
                view! {
                    <div class="field field--inline">
                        <input type="hidden" name=format!("variant[{i}]") value=l.variant_id.to_string()/>
                        <label for=id.clone()>{label}</label>
                        <input id=id name=format!("qty[{i}]") type="number" min="0" max=max(&l).to_string() inputmode="numeric"
                            value=fields.typed(l.variant_id).unwrap_or_else(|| "0".to_string())/>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// The reasons to choose from, the typed one selected.
#[component]
fn ReasonField(fields: FormFields, idp: &'static str, reasons: &'static [RefundReason]) -> impl IntoView {
    let error = fields.field("reason");
    let id = format!("{idp}-reason");
    let error_id = format!("{idp}-reason-error");
    let (invalid, described_by) = (error.as_ref().map(|_| "true"), error.as_ref().map(|_| error_id.clone()));
    view! {
        <div class="field">
            <label for=id.clone()>"Reason"</label>
            <select id=id name="reason" aria-invalid=invalid aria-describedby=described_by>
                {reasons.iter().map(|r| view! {
                    <option value=r.as_str() selected=fields.kept.reason == r.as_str()>{r.label()}</option>
                }).collect_view()}
            </select>
            {error.map(|m| view! { <p class="field__error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// The admin's password, when a refund above the amount would ask for it (optional: a smaller one does not).
#[component]
fn PasswordField(fields: FormFields, idp: &'static str) -> impl IntoView {
    let confirm = fields.confirm.clone().filter(|c| c.needed)?;
    let error = fields.field("password");
    let (id, hint_id, error_id) = (
        format!("{idp}-password"),
        format!("{idp}-password-hint"),
        format!("{idp}-password-error"),
    );
    let described_by = match error {
        Some(_) => format!("{error_id} {hint_id}"),
        None => hint_id.clone(),
    };
    Some(view! {
        <div class="field">
            <label for=id.clone()>"Your password (for a large refund)"</label>
            <input id=id name="password" type="password" autocomplete="current-password"
                aria-invalid=error.as_ref().map(|_| "true") aria-describedby=described_by/>
            <p class="field__hint" id=hint_id>{format!(
                "Asked for a refund above {}: your last password was given more than 10 minutes ago.", confirm.above
            )}</p>
            {error.map(|m| view! { <p class="field__error" id=error_id>{m}</p> })}
        </div>
    })
}

#[component]
fn CancelForm(lines: Vec<SellerLineView>, fields: FormFields) -> impl IntoView {
    view! {
        <form method="post" action=fields.action.clone() class="card stack" aria-labelledby="cancel-title">
            <h2 id="cancel-title">"Cancel items"</h2>
            <p class="muted">"Units you cannot send: they will not ship, go back on sale, and the shopper is refunded what they paid for them and emailed."</p>
            <input type="hidden" name="number" value=fields.number.clone()/>
            <input type="hidden" name="key" value=fields.form_key.clone()/>
            <input type="hidden" name="kind" value="cancel"/>
            <UnitFields lines=lines fields=fields.clone() idp="cancel" legend="Units to cancel" max=SellerLineView::open left="left to ship"/>
            <ReasonField fields=fields.clone() idp="cancel" reasons=&RefundReason::FOR_CANCEL/>
            <PasswordField fields=fields.clone() idp="cancel"/>
            <p><button class="button button--danger" type="submit">"Cancel and refund these units"</button></p>
        </form>
    }
}

#[component]
fn RefundForm(order: SellerOrderDetail, lines: Vec<SellerLineView>, fields: FormFields) -> impl IntoView {
    let (shipping_error, amount_error) = (fields.field("shipping"), fields.field("amount"));
    let has_lines = !lines.is_empty();
    view! {
        <form method="post" action=fields.action.clone() class="card stack" aria-labelledby="refund-title">
            <h2 id="refund-title">"Refund"</h2>
            <p class="muted">{format!("Up to {} can still be refunded. The shopper is emailed.", order.refundable.display())}</p>
            <input type="hidden" name="number" value=fields.number.clone()/>
            <input type="hidden" name="key" value=fields.form_key.clone()/>
            <input type="hidden" name="kind" value="refund"/>
            {has_lines.then(|| view! {
                <UnitFields lines=lines fields=fields.clone() idp="refund" legend="Shipped units to refund" max=SellerLineView::refundable left="refundable"/>
            })}
            {(order.shipping_refundable.amount > 0).then(|| view! {
            <div class="field">
                <label for="refund-shipping">{format!("Shipping to refund (up to {})", order.shipping_refundable.display())}</label>
                <input id="refund-shipping" name="shipping" inputmode="decimal" autocomplete="off" value=fields.kept.shipping.clone()
                    aria-invalid=shipping_error.as_ref().map(|_| "true") aria-describedby=shipping_error.as_ref().map(|_| "refund-shipping-error")/>
                {shipping_error.map(|m| view! { <p class="field__error" id="refund-shipping-error">{m}</p> })}
            </div>
            })}
            <div class="field">
                <label for="refund-amount">"Amount instead (optional)"</label>
                <input id="refund-amount" name="amount" inputmode="decimal" autocomplete="off" value=fields.kept.amount.clone()
                    aria-describedby=if amount_error.is_some() { "refund-amount-error refund-amount-hint" } else { "refund-amount-hint" }
                    aria-invalid=amount_error.as_ref().map(|_| "true")/>
                <p class="field__hint" id="refund-amount-hint">"Empty: what the units and shipping above come to. Or type a smaller amount (a partial refund for a damaged item)."</p>
                {amount_error.map(|m| view! { <p class="field__error" id="refund-amount-error">{m}</p> })}
            </div>
            <ReasonField fields=fields.clone() idp="refund" reasons=&RefundReason::FOR_REFUND/>
            <PasswordField fields=fields.clone() idp="refund"/>
            {has_lines.then(|| view! {
                <div class="field field--check">
                    <input id="refund-restock" type="checkbox" name="restock" value="on" checked=fields.kept.restock/>
                    <label for="refund-restock">"Put the refunded units back in stock (they came back unused)"</label>
                </div>
            })}
            <p><button class="button" type="submit">"Refund"</button></p>
        </form>
    }
}
