//! The store's orders: the list (`/seller/orders`: tabs, search, keyset pages) and one order
//! (`/seller/orders/{number}`: lines, address, shipments, timeline, the shipping form, and the cancel and refund
//! forms of `order_refunds`). Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::seller_orders::{Carrier, OrderFilter, OrderTab, SellerOrderDetail, SellerOrderPage};

use crate::api::messages::StoreMessage;
use crate::api::returns::{DecideReturn, ReceiveReturn, RefundReturn, ReplaceReturn};
use crate::api::sellers::{
    seller_order, seller_orders, AcceptOrder, KeptShipment, MarkOrderDelivered, OrderScreen, RefundOrder, ShipOrder,
};
use crate::components::portal::{DaysAndSearch, NextPage, PortalShell, Section};
use crate::components::shipments::Shipments;
use crate::error::AppError;
use crate::pages::seller::order_messages::OrderMessages;
use crate::pages::seller::order_refunds::{RefundForms, REFUND_FIELDS};
use crate::pages::seller::order_returns::OrderReturns;
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

#[component]
pub fn SellerOrdersPage() -> impl IntoView {
    if let Some(instead) = portal_gate("/seller/orders") {
        return instead;
    }
    let (filter, after) = leptos_router::hooks::use_query_map().with_untracked(|m| {
        let get = |name: &str| m.get(name).unwrap_or_default();
        let filter = OrderFilter {
            tab: OrderTab::parse(&get("tab")),
            q: get("q"),
            from: model::date_input(get("from")),
            to: model::date_input(get("to")),
        };
        (filter, get("after"))
    });
    view! {
        <Title text="Orders · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let f = filter.clone();
                match seller_orders(f.tab.as_str().to_string(), f.q, f.from, f.to, after).await {
                    Ok(page) => view! { <OrderIndex page=page filter=filter.clone()/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn OrderIndex(page: SellerOrderPage, filter: OrderFilter) -> impl IntoView {
    let next = page.next.clone().map(|after| filter.href(&after));
    let to_ship = page.to_ship;
    let tab = filter.tab;
    let cleared = OrderFilter {
        q: String::new(),
        from: String::new(),
        to: String::new(),
        ..filter.clone()
    };
    let empty = if filter.narrowed() {
        format!("No order in “{}” matches your search and dates.", tab.label())
    } else if tab == OrderTab::ToShip {
        "Nothing to ship: every paid order has left. New orders appear here, and you get an email for each.".into()
    } else {
        format!("No orders in “{}” yet.", tab.label())
    };
    view! {
        <PortalShell section=Section::Orders store_name=page.store_name.clone() store_slug=page.store_slug.clone()>
            <h1 class="page-title">"Orders"</h1>
            <nav aria-label="Order status" class="tabs">
                <ul class="chips">
                    {OrderTab::ALL.into_iter().map(|t| {
                        let current = (t == tab).then_some("page");
                        let label = if t == OrderTab::ToShip && to_ship > 0 {
                            format!("{} ({to_ship})", t.label())
                        } else {
                            t.label().to_string()
                        };
                        let href = OrderFilter { tab: t, ..filter.clone() }.href("");
                        view! { <li><a class="chip" href=href aria-current=current>{label}</a></li> }
                    }).collect_view()}
                </ul>
            </nav>
            <OrderFilters filter=filter.clone() cleared=cleared.href("")/>
            {if page.rows.is_empty() {
                view! { <section class="card empty"><p>{empty}</p></section> }.into_any()
            } else {
                view! {
                    // Ticked orders print together (a GET form: the print has an address of its own).
                    <form method="get" action="/seller/orders/slips" class="stack" aria-label="Orders to print">
                    <p><button class="button button--secondary" type="submit">"Print packing slips of the ticked orders"</button></p>
                    <table class="table">
                        <caption class="visually-hidden">{format!("Orders: {}", tab.label())}</caption>
                        <thead><tr>
                            <th scope="col"><span class="visually-hidden">"Select"</span></th>
                            <th scope="col">"Order"</th><th scope="col">"Placed"</th><th scope="col">"Customer"</th>
                            <th scope="col" class="num">"Items"</th><th scope="col" class="num">"Total"</th>
                            <th scope="col">"Status"</th><th scope="col">"Ship by"</th>
                        </tr></thead>
                        <tbody>
                            {page.rows.into_iter().map(|r| {
                                let placed = model::format_date(r.placed_at);
                                let by = r.ship_by.map(model::format_date);
                                view! {
                                    <tr>
                                        <td><input type="checkbox" name="n" value=r.number.clone() aria-label=format!("Select {}", r.number)/></td>
                                        <td><a href=format!("/seller/orders/{}", crate::url_encode(&r.number))>{r.number.clone()}</a></td>
                                        <td data-label="Placed"><time datetime=placed.clone()>{placed.clone()}</time></td>
                                        <td data-label="Customer">{r.customer}</td>
                                        <td data-label="Items" class="num">{r.units}</td>
                                        <td data-label="Total" class="num">{r.total.display()}</td>
                                        <td data-label="Status"><span class=format!("badge badge--{}", r.tone)>{r.status_label}</span>
                                            {r.awaiting_acceptance.then(|| view! { " " <span class="badge badge--warning">"To accept"</span> })}</td>
                                        <td data-label="Ship by">
                                            {by.map(|d| view! { <time datetime=d.clone()>{d.clone()}</time> })}
                                            {r.late.then(|| view! { " " <span class="badge badge--danger">"Late"</span> })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    </form>
                    <NextPage href=next/>
                }.into_any()
            }}
        </PortalShell>
    }
}

/// The search box and the days the orders were placed on, in the address (a GET form).
#[component]
fn OrderFilters(filter: OrderFilter, cleared: String) -> impl IntoView {
    view! {
        <form method="get" action="/seller/orders" class="filters card" role="search" aria-label="Search orders">
            <input type="hidden" name="tab" value=filter.tab.as_str()/>
            <div class="field">
                <label for="orders-q">"Search orders"</label>
                <input id="orders-q" name="q" type="search" value=filter.q.clone() placeholder="Order number or customer name"/>
            </div>
            <DaysAndSearch id="orders" from_label="Placed from" to_label="Placed until" from=filter.from.clone()
                to=filter.to.clone() narrowed=filter.narrowed() cleared=cleared/>
        </form>
    }
}

#[component]
pub fn SellerOrderPage() -> impl IntoView {
    let number = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("number"))
        .unwrap_or_default();
    if let Some(instead) = portal_gate(&format!("/seller/orders/{}", crate::url_encode(&number))) {
        return instead;
    }
    let done = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("done"));
    let error = url_error::<ShipOrder>()
        .or_else(url_error::<MarkOrderDelivered>)
        .or_else(url_error::<AcceptOrder>);
    let refund_error = url_error::<RefundOrder>()
        .or_else(url_error::<DecideReturn>)
        .or_else(url_error::<ReceiveReturn>)
        .or_else(url_error::<RefundReturn>)
        .or_else(url_error::<ReplaceReturn>);
    let message_error = url_error::<StoreMessage>();
    view! {
        <Title text=format!("Order {number} · Seller portal")/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match seller_order(number.clone()).await {
                    Ok(screen) => view! {
                        <OrderDetail screen=screen done=done.clone() error=error.clone() refund_error=refund_error.clone()
                            message_error=message_error.clone()/>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

pub(crate) fn done_text(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "shipped" => "Shipment recorded: everything has shipped. The shopper was emailed the tracking.",
        "partly" => "Shipment recorded. The shopper was emailed the tracking; the rest is still to ship.",
        "already" => "This shipment was already recorded (the form was sent twice): nothing changed.",
        "delivered" => "Marked delivered.",
        "accepted" => "Order accepted: ship it by its ship-by date.",
        "already-accepted" => "This order was already accepted: nothing changed.",
        "cancelled" => "Units cancelled and refunded: they are back on sale, and the shopper was emailed.",
        "refunded" => "Refund made: the shopper was emailed.",
        "return-approved" => "Return approved: the shopper was emailed to send the units back.",
        "return-rejected" => "Return rejected: the shopper was emailed your reason.",
        "return-received" => "Return received: refund it (or send the replacement asked for) when you have checked the units.",
        "replaced" => "Replacement sent: the units left your stock and the shopper was emailed the tracking.",
        "sent" => "Message sent: the shopper was emailed.",
        "noted" => "Internal note saved: only your store sees it.",
        "earlier-refund" => "A refund sent earlier was still being made: it is finished now, and your form changed nothing. Check the order and send it again if it is still needed.",
        "already-refunded" => "This was already done (the form was sent twice): nothing more changed.",
        _ => return None,
    })
}

#[component]
fn OrderDetail(
    screen: OrderScreen,
    done: Option<String>,
    error: Option<AppError>,
    refund_error: Option<AppError>,
    message_error: Option<AppError>,
) -> impl IntoView {
    let OrderScreen {
        order,
        form_key,
        kept,
        kept_refund,
        kept_message,
    } = screen;
    let message = error
        .as_ref()
        .map(|e| e.message_for(&["carrier", "tracking", "key", "qty[0]"]))
        .or_else(|| refund_error.as_ref().map(|e| e.message_for(&REFUND_FIELDS)))
        .or_else(|| message_error.as_ref().map(|e| e.message_for(&["body", "key"])));
    let number = order.number.clone();
    view! {
        <PortalShell section=Section::Orders store_name=order.store_name.clone() store_slug=order.store_slug.clone()>
            <p><a href="/seller/orders">"← Orders"</a></p>
            <div class="page-head">
                <h1 class="page-title">{format!("Order {number}")}</h1>
                <div class="actions">
                    <span class=format!("badge badge--{}", order.tone)>{order.status_label.clone()}</span>
                    <a href=format!("/seller/orders/{}/slip", crate::url_encode(&number))>"Print packing slip"</a>
                </div>
            </div>
            <p class="muted">
                {format!("Placed {}", model::format_date(order.placed_at))}
                {order.ship_by.map(|by| format!(" · ship by {}", model::format_date(by)))}
                {order.late.then(|| view! { " " <span class="badge badge--danger">"Late"</span> })}
            </p>
            <div role="status">{done_text(done.as_deref()).map(|t| view! { <p class="alert alert--success">{t}</p> })}</div>
            {message.map(|m| view! { <p class="alert alert--error" role="alert">{m}</p> })}
            <OrderLines order=order.clone()/>
            <section class="card stack" aria-labelledby="ship-to">
                <h2 id="ship-to">"Ship to"</h2>
                <address>
                    <strong>{order.customer.clone()}</strong>
                    {order.address.iter().map(|l| view! { <br/>{l.clone()} }).collect_view()}
                    {(!order.phone.is_empty()).then(|| view! { <br/>{format!("Phone: {}", order.phone)} })}
                </address>
                <p>{format!("Shipping option: {}", order.shipping_option)}</p>
            </section>
            {order.accept_by.map(|by| view! { <AcceptCard number=number.clone() by=by/> })}
            {(order.shippable && order.accept_by.is_none()).then(|| view! { <ShipForm order=order.clone() form_key=form_key.clone() kept=kept error=error/> })}
            {order.deliverable.then(|| view! {
                <form method="post" action=MarkOrderDelivered::url() class="card stack">
                    <h2>"Delivered?"</h2>
                    <p class="muted">"When the carrier shows it arrived, mark it delivered: the shopper's return window starts from then."</p>
                    <input type="hidden" name="number" value=number.clone()/>
                    <p><button class="button" type="submit">"Mark delivered"</button></p>
                </form>
            })}
            <OrderReturns number=number.clone() returns=order.returns.clone()/>
            <OrderMessages number=number.clone() messages=order.messages.clone() form_key=form_key.clone()
                kept=kept_message error=message_error/>
            <RefundForms order=order.clone() form_key=form_key kept=kept_refund error=refund_error/>
            <Shipments shipments=order.shipments.clone()/>
            <OrderTimeline timeline=order.timeline.clone()/>
        </PortalShell>
    }
}

/// An order waiting for the store: accept it (the shipping form follows), or cancel it with the cancel form below.
#[component]
fn AcceptCard(number: String, by: i64) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="accept-title">
            <h2 id="accept-title">"Accept this order"</h2>
            <p>{format!(
                "Accept it by {} (UTC) to ship it; if it is not accepted by then, it is cancelled and the shopper refunded. To turn it down, cancel its items below.",
                model::format_time(by)
            )}</p>
            <form method="post" action=AcceptOrder::url()>
                <input type="hidden" name="number" value=number.clone()/>
                <button class="button" type="submit">{format!("Accept order {number}")}</button>
            </form>
        </section>
    }
}

/// What happened to the order, oldest first.
#[component]
pub(crate) fn OrderTimeline(timeline: Vec<model::orders::TimelineEntry>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="timeline">
            <h2 id="timeline">"Timeline"</h2>
            <ol class="timeline">
                {timeline.into_iter().map(|e| {
                    let day = model::format_date(e.at);
                    view! {
                        <li><time datetime=day.clone()>{day.clone()}</time>" " <strong>{e.label.clone()}</strong>
                            {(!e.note.is_empty()).then(|| format!(" — {}", e.note))}</li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
pub(crate) fn OrderLines(order: SellerOrderDetail) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="items">
            <h2 id="items">"Items"</h2>
            <table class="table">
                <thead><tr>
                    <th scope="col">"Product"</th><th scope="col">"SKU"</th><th scope="col" class="num">"Ordered"</th>
                    <th scope="col" class="num">"Shipped"</th><th scope="col" class="num">"Refunded"</th>
                    <th scope="col" class="num">"Price"</th><th scope="col" class="num">"Total"</th>
                </tr></thead>
                <tbody>
                    {order.lines.into_iter().map(|l| view! {
                        <tr>
                            <td>{l.title}{(!l.variant.is_empty()).then(|| format!(" ({})", l.variant))}</td>
                            <td data-label="SKU"><code>{l.sku}</code></td>
                            <td data-label="Ordered" class="num">{l.quantity}</td>
                            <td data-label="Shipped" class="num">{l.shipped}</td>
                            <td data-label="Refunded" class="num">{l.refunded}</td>
                            <td data-label="Price" class="num">{l.unit_price.display()}</td>
                            <td data-label="Total" class="num">{l.line_total.display()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <dl class="totals">
                {(order.discount.amount > 0).then(|| view! { <dt>"Discount (promo code)"</dt><dd>{format!("−{}", order.discount.display())}</dd> })}
                <dt>"Shipping"</dt><dd>{order.shipping.display()}</dd>
                <dt>"Tax"</dt><dd>{order.tax.display()}</dd>
                <dt>"Total"</dt><dd><strong>{order.total.display()}</strong></dd>
                {(order.refunded.amount > 0).then(|| view! { <dt>"Refunded"</dt><dd>{order.refunded.display()}</dd> })}
                {(!order.commission_rates.is_empty()).then(|| view! {
                    <dt>{format!("Bazaar's commission ({}, set at the sale)", order.commission_rates)}</dt>
                    <dd>{format!("−{}", order.commission.display())}</dd>
                })}
            </dl>
        </section>
    }
}

/// The shipping form: units per line (all that is left, to start with), the carrier and the tracking number.
#[component]
fn ShipForm(
    order: SellerOrderDetail,
    form_key: String,
    kept: Option<KeptShipment>,
    error: Option<AppError>,
) -> impl IntoView {
    let kept = kept.unwrap_or_default();
    let typed = |variant: i64| kept.lines.iter().find(|(v, _)| *v == variant).map(|(_, q)| q.clone());
    let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
    let (carrier_error, tracking_error, qty_error) = (field("carrier"), field("tracking"), field("qty[0]"));
    let open: Vec<_> = order.lines.iter().filter(|l| l.open() > 0).cloned().collect();
    view! {
        <form method="post" action=ShipOrder::url() class="card stack" aria-labelledby="ship-title">
            <h2 id="ship-title">"Ship items"</h2>
            <input type="hidden" name="number" value=order.number.clone()/>
            <input type="hidden" name="key" value=form_key/>
            <fieldset class="stack" aria-describedby=qty_error.as_ref().map(|_| "qty-error")>
                <legend>"Units in this parcel"</legend>
                {qty_error.clone().map(|m| view! { <p class="field__error" id="qty-error">{m}</p> })}
                {open.into_iter().enumerate().map(|(i, l)| {
                    let id = format!("qty-{i}");
                    let label = format!("{}{} ({} left)", l.title, if l.variant.is_empty() { String::new() } else { format!(" ({})", l.variant) }, l.open());
                    view! {
                        <div class="field field--inline">
                            <input type="hidden" name=format!("variant[{i}]") value=l.variant_id.to_string()/>
                            <label for=id.clone()>{label}</label>
                            <input id=id name=format!("qty[{i}]") type="number" min="0" max=l.open().to_string() inputmode="numeric"
                                value=typed(l.variant_id).unwrap_or_else(|| l.open().to_string())/>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for="carrier">"Carrier"</label>
                <select id="carrier" name="carrier" aria-invalid=carrier_error.as_ref().map(|_| "true") aria-describedby=carrier_error.as_ref().map(|_| "carrier-error")>
                    {Carrier::ALL.into_iter().map(|c| view! {
                        <option value=c.as_str() selected=kept.carrier == c.as_str()>{c.label()}</option>
                    }).collect_view()}
                </select>
                {carrier_error.map(|m| view! { <p class="field__error" id="carrier-error">{m}</p> })}
            </div>
            <div class="field">
                <label for="tracking">"Tracking number"</label>
                <input id="tracking" name="tracking" required maxlength="40" autocomplete="off" value=kept.tracking.clone()
                    aria-invalid=tracking_error.as_ref().map(|_| "true") aria-describedby=tracking_error.as_ref().map(|_| "tracking-error")/>
                {tracking_error.map(|m| view! { <p class="field__error" id="tracking-error">{m}</p> })}
            </div>
            <p><button class="button" type="submit">"Ship and email the shopper"</button></p>
        </form>
    }
}
