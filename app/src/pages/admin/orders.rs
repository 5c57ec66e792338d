//! `/admin/orders`: every checkout, newest first (keyset pages), by order number or customer, state, store, days
//! placed and amount; `/admin/orders/{number}`: a checkout with its stores' orders, payments, refunds, messages
//! and the admins' internal notes. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::admin_orders::{
    CheckoutDetail, CheckoutList, CheckoutState, OrderNote, OrderSearch, PaymentRecord, RefundRecord, NOTE_MAX_CHARS,
};
use model::orders::SellerOrderView;

use super::{admin_gate, NotLoaded};
use crate::api::admin::orders::{admin_order, admin_orders, AddOrderNote};
use crate::components::portal::{AdminSection, AdminShell, NextPage, Notice};
use crate::pages::url_error;

fn search_from_query() -> (OrderSearch, String) {
    leptos_router::hooks::use_query_map().with_untracked(|m| {
        let get = |name: &str| m.get(name).unwrap_or_default();
        let search = OrderSearch {
            q: get("q"),
            state: CheckoutState::parse(&get("state")),
            store: get("store"),
            from: get("from"),
            to: get("to"),
            min: get("min"),
            max: get("max"),
        };
        (search, get("after"))
    })
}

#[component]
pub fn AdminOrdersPage() -> impl IntoView {
    let (search, after) = search_from_query();
    if let Some(instead) = admin_gate(&search.href(&after)) {
        return instead;
    }
    view! {
        <Title text="Orders · Admin"/>
        <AdminShell section=AdminSection::Orders>
            <h1 class="page-title">"Orders"</h1>
            <OrderFilters search=search.clone()/>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let s = search.clone();
                    let state = s.state.map(|st| st.as_str().to_string()).unwrap_or_default();
                    let found = admin_orders(
                        s.q.clone(), state, s.store.clone(), s.from.clone(), s.to.clone(), s.min.clone(),
                        s.max.clone(), after,
                    ).await;
                    match found {
                        Ok(list) => view! { <OrderTable list=list search=s/> }.into_any(),
                        Err(e) => view! {
                            <p class="alert alert--error" role="alert">{e.message_for(&["from", "to", "min", "max"])}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </AdminShell>
    }
    .into_any()
}

/// A labelled input of the filters form.
#[component]
fn Filter(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
) -> impl IntoView {
    let inputmode = (kind == "text" && (name == "min" || name == "max")).then_some("decimal");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name type=kind value=value inputmode=inputmode/>
        </div>
    }
}

/// The search box, the state, the store, the days and the amounts, in the address (a GET form).
#[component]
fn OrderFilters(search: OrderSearch) -> impl IntoView {
    view! {
        <form method="get" action="/admin/orders" class="filters card" role="search" aria-label="Search orders">
            <Filter id="orders-q" name="q" label="Order number, customer or email" kind="search" value=search.q.clone()/>
            <div class="field">
                <label for="orders-state">"State"</label>
                <select id="orders-state" name="state">
                    <option value="">"Any state"</option>
                    {CheckoutState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=search.state == Some(s)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <Filter id="orders-store" name="store" label="Store" kind="search" value=search.store.clone()/>
            <Filter id="orders-from" name="from" label="Placed from (UTC)" kind="date" value=search.from.clone()/>
            <Filter id="orders-to" name="to" label="Placed until (UTC)" kind="date" value=search.to.clone()/>
            <Filter id="orders-min" name="min" label="Total at least" kind="text" value=search.min.clone()/>
            <Filter id="orders-max" name="max" label="Total at most" kind="text" value=search.max.clone()/>
            <div class="filters__actions">
                <button class="button button--secondary" type="submit">"Search"</button>
                {search.narrowed().then(|| view! { <a href="/admin/orders">"Clear filters"</a> })}
            </div>
        </form>
    }
}

#[component]
fn OrderTable(list: CheckoutList, search: OrderSearch) -> impl IntoView {
    if list.rows.is_empty() {
        let why = if search.narrowed() {
            "No order matches these filters."
        } else {
            "No orders yet: a checkout appears here as soon as a shopper places it."
        };
        return view! { <section class="card empty"><p>{why}</p></section> }.into_any();
    }
    let next = list.next.as_deref().map(|after| search.href(after));
    view! {
        <table class="table">
            <caption class="visually-hidden">"Orders, newest first"</caption>
            <thead><tr>
                <th scope="col">"Order"</th><th scope="col">"Placed (UTC)"</th><th scope="col">"Customer"</th>
                <th scope="col">"Stores"</th><th scope="col">"State"</th>
                <th scope="col" class="num">"Total"</th><th scope="col" class="num">"Refunded"</th>
            </tr></thead>
            <tbody>
                {list.rows.into_iter().map(|o| {
                    let placed = model::format_time(o.placed_at);
                    let refunded = if o.refunded.amount == 0 { String::new() } else { o.refunded.display() };
                    view! {
                        <tr>
                            <td><a href=format!("/admin/orders/{}", o.number)>{o.number.clone()}</a></td>
                            <td data-label="Placed (UTC)"><time datetime=placed.clone()>{placed.clone()}</time></td>
                            <td data-label="Customer">{o.customer.clone()}<br/><span class="muted">{o.email.clone()}</span></td>
                            <td data-label="Stores">{o.stores.join(", ")}</td>
                            <td data-label="State">{o.status_label.clone()}</td>
                            <td data-label="Total" class="num">{o.total.display()}</td>
                            <td data-label="Refunded" class="num">{refunded}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <NextPage href=next/>
    }
    .into_any()
}

#[component]
pub fn AdminOrderPage() -> impl IntoView {
    let number = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("number"))
        .unwrap_or_default();
    if let Some(instead) = admin_gate(&format!("/admin/orders/{}", crate::url_encode(&number))) {
        return instead;
    }
    let notice = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("done"))
        .filter(|done| done == "note")
        .map(|_| "Note added: admins see it here; the shopper and the stores never do.");
    let error = url_error::<AddOrderNote>();
    view! {
        <Title text=format!("Order {number} · Admin")/>
        <AdminShell section=AdminSection::Orders>
            <p><a href="/admin/orders">"← Orders"</a></p>
            <Notice text=notice/>
            {error.map(|e| view! { <p class="alert alert--error" role="alert">{e.message_for(&["note"])}</p> })}
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match admin_order(number.clone()).await {
                        Ok(detail) => view! { <CheckoutView detail=detail/> }.into_any(),
                        Err(e) => view! { <NotLoaded title="Order" error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminShell>
    }
    .into_any()
}

#[component]
fn CheckoutView(detail: CheckoutDetail) -> impl IntoView {
    let o = detail.order;
    let placed = model::format_time(o.placed_at);
    let customer = match detail.customer_id {
        Some(id) => view! { <a href=format!("/admin/users/{id}")>{detail.customer_name.clone()}</a> }.into_any(),
        None => view! { <span>"A guest (no account)"</span> }.into_any(),
    };
    let messages = format!("/admin/messages?order={}", crate::url_encode(&o.number));
    view! {
        <h1 class="page-title">{format!("Order {}", o.number)}</h1>
        <section class="card" aria-labelledby="checkout-title">
            <h2 id="checkout-title">"Checkout"</h2>
            <dl class="details">
                <dt>"State"</dt><dd>{o.status_label.clone()}</dd>
                <dt>"Placed (UTC)"</dt><dd><time datetime=placed.clone()>{placed.clone()}</time></dd>
                <dt>"Customer"</dt><dd>{customer}" · "{o.email.clone()}</dd>
                <dt>"Ship to"</dt><dd>{o.address.join(", ")}</dd>
                <dt>"Items"</dt><dd>{o.items_total.display()}</dd>
                <dt>"Shipping"</dt><dd>{o.shipping_total.display()}</dd>
                {(o.discount_total.amount != 0).then(|| view! {
                    <dt>"Discount"</dt>
                    <dd>{format!("-{}{}", o.discount_total.display(), o.promo_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())}</dd>
                })}
                <dt>{if o.tax_inclusive { "Tax included" } else { "Tax" }}</dt><dd>{o.tax_total.display()}</dd>
                <dt>"Paid"</dt><dd>{o.grand_total.display()}</dd>
                <dt>"Messages"</dt><dd><a href=messages>{model::count_of(detail.messages, "message", "messages")}</a></dd>
            </dl>
        </section>
        {o.orders.into_iter().map(|s| {
            let refundable = detail.refundable.contains(&s.number);
            view! { <StoreOrder order=s refundable=refundable/> }
        }).collect_view()}
        <Payments payments=detail.payments refunds=detail.refunds/>
        <Notes number=o.number.clone() notes=detail.notes/>
    }
}

/// One store's part: its lines, totals, shipments and timeline, and its refund page while money can go back.
#[component]
fn StoreOrder(order: SellerOrderView, refundable: bool) -> impl IntoView {
    let heading = format!("store-order-{}", order.number);
    let refund = refundable.then(|| {
        let href = format!("/admin/orders/{}/refund", crate::url_encode(&order.number));
        view! { <p><a href=href>{format!("Refund or cancel items of {}", order.number)}</a></p> }
    });
    view! {
        <section class="card stack" aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>{format!("{} · {}", order.seller_name, order.number)}</h2>
            <p>{format!("{} · total {}", order.status_label, order.total.display())}
               {(order.refunded.amount != 0).then(|| format!(" · refunded {}", order.refunded.display()))}</p>
            {refund}
            <table class="table">
                <caption class="visually-hidden">{format!("Items of {}", order.number)}</caption>
                <thead><tr>
                    <th scope="col">"Item"</th><th scope="col">"SKU"</th>
                    <th scope="col" class="num">"Quantity"</th><th scope="col" class="num">"Price"</th>
                </tr></thead>
                <tbody>
                    {order.lines.into_iter().map(|l| view! {
                        <tr>
                            <td>{if l.variant.is_empty() { l.title.clone() } else { format!("{} ({})", l.title, l.variant) }}</td>
                            <td data-label="SKU">{l.sku.clone()}</td>
                            <td data-label="Quantity" class="num">{l.quantity}</td>
                            <td data-label="Price" class="num">{l.line_total.display()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(!order.shipments.is_empty()).then(|| view! {
                <ul class="plain-list">
                    {order.shipments.into_iter().map(|s| view! {
                        <li>{format!("Shipped {} with {} ({}): {}", model::format_date(s.shipped_at), s.carrier,
                            s.tracking_number, s.lines.join(", "))}</li>
                    }).collect_view()}
                </ul>
            })}
            <ol class="timeline">
                {order.timeline.into_iter().map(|t| view! {
                    <li>{format!("{} · {}", model::format_time(t.at), t.label)}
                        {(!t.note.is_empty()).then(|| format!(": {}", t.note))}</li>
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn Payments(payments: Vec<PaymentRecord>, refunds: Vec<RefundRecord>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="payments-title">
            <h2 id="payments-title">"Payments and refunds"</h2>
            {if payments.is_empty() {
                view! { <p>"No payment was attempted."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <caption class="visually-hidden">"Payment attempts, oldest first"</caption>
                        <thead><tr>
                            <th scope="col">"When"</th><th scope="col">"Provider"</th><th scope="col">"Reference"</th>
                            <th scope="col">"State"</th><th scope="col" class="num">"Amount"</th>
                            <th scope="col" class="num">"Refunded"</th>
                        </tr></thead>
                        <tbody>
                            {payments.into_iter().map(|p| view! {
                                <tr>
                                    <td>{model::format_time(p.at)}</td>
                                    <td data-label="Provider">{if p.provider == "test" { "Test gateway".to_string() } else { p.provider.clone() }}</td>
                                    <td data-label="Reference"><code class="secret">{p.reference.clone()}</code></td>
                                    <td data-label="State">{p.status.replace('_', " ")}
                                        {(!p.failure.is_empty()).then(|| format!(": {}", p.failure))}</td>
                                    <td data-label="Amount" class="num">{p.amount.display()}</td>
                                    <td data-label="Refunded" class="num">{p.refunded.display()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(!refunds.is_empty()).then(|| view! {
                <h3>"Refunds"</h3>
                <ul class="plain-list">
                    {refunds.into_iter().map(|r| view! {
                        <li>{format!("{} · {} for {}", model::format_time(r.at), r.amount.display(),
                            r.order_number.as_deref().unwrap_or("the whole payment"))}</li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// The admins' internal notes, oldest first, and the form that adds one.
#[component]
fn Notes(number: String, notes: Vec<OrderNote>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="notes-title">
            <h2 id="notes-title">"Internal notes"</h2>
            <p class="muted">"Admins only: the shopper and the stores never see these. A note cannot be changed once added."</p>
            {if notes.is_empty() {
                view! { <p>"No notes yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list stack">
                        {notes.into_iter().map(|n| view! {
                            <li>
                                <p class="muted">{format!("{} · {}", n.author, model::format_time(n.at))}</p>
                                <p class="prewrap">{n.body.clone()}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form method="post" action=AddOrderNote::url() class="form">
                <input type="hidden" name="number" value=number/>
                <div class="field">
                    <label for="order-note">"Add a note"</label>
                    <textarea id="order-note" name="note" rows="3" required maxlength=NOTE_MAX_CHARS.to_string()></textarea>
                </div>
                <button class="button" type="submit">"Add the note"</button>
            </form>
        </section>
    }
}
