//! The store's orders: the list (`/seller/orders`: tabs, search, keyset pages) and one order
//! (`/seller/orders/{number}`: lines, address, shipments, timeline, the shipping form, and the cancel and refund
//! forms of `order_refunds`). Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::seller_orders::{Carrier, OrderTab, SellerOrderDetail, SellerOrderPage};

use crate::api::messages::StoreMessage;
use crate::api::returns::{DecideReturn, ReceiveReturn, RefundReturn};
use crate::api::sellers::{
    seller_order, seller_orders, KeptShipment, MarkOrderDelivered, OrderScreen, RefundOrder, ShipOrder,
};
use crate::components::portal::{PortalShell, Section};
use crate::components::shipments::Shipments;
use crate::error::AppError;
use crate::pages::seller::order_messages::OrderMessages;
use crate::pages::seller::order_refunds::{RefundForms, REFUND_FIELDS};
use crate::pages::seller::order_returns::OrderReturns;
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

fn list_href(tab: OrderTab, q: &str, after: &str) -> String {
    let mut pairs = vec![format!("tab={}", tab.as_str())];
    if !q.is_empty() {
        pairs.push(format!("q={}", crate::url_encode(q)));
    }
    if !after.is_empty() {
        pairs.push(format!("after={}", crate::url_encode(after)));
    }
    format!("/seller/orders?{}", pairs.join("&"))
}

#[component]
pub fn SellerOrdersPage() -> impl IntoView {
    if let Some(instead) = portal_gate("/seller/orders") {
        return instead;
    }
    let (tab, q, after) = leptos_router::hooks::use_query_map().with_untracked(|m| {
        (
            m.get("tab").unwrap_or_default(),
            m.get("q").unwrap_or_default(),
            m.get("after").unwrap_or_default(),
        )
    });
    let chosen = OrderTab::parse(&tab);
    view! {
        <Title text="Orders · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match seller_orders(chosen.as_str().to_string(), q.clone(), after).await {
                    Ok(page) => view! { <OrderIndex page=page tab=chosen q=q/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn OrderIndex(page: SellerOrderPage, tab: OrderTab, q: String) -> impl IntoView {
    let next = page.next.clone().map(|after| list_href(tab, &q, &after));
    let to_ship = page.to_ship;
    let empty = if !q.is_empty() {
        format!("No order in “{}” matches “{q}”.", tab.label())
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
                        view! { <li><a class="chip" href=list_href(t, &q, "") aria-current=current>{label}</a></li> }
                    }).collect_view()}
                </ul>
            </nav>
            <form method="get" action="/seller/orders" class="filters card" role="search" aria-label="Search orders">
                <input type="hidden" name="tab" value=tab.as_str()/>
                <div class="field">
                    <label for="orders-q">"Search orders"</label>
                    <input id="orders-q" name="q" type="search" value=q.clone() placeholder="Order number or customer name"/>
                </div>
                <div class="filters__actions">
                    <button class="button button--secondary" type="submit">"Search"</button>
                    {(!q.is_empty()).then(|| view! { <a href=list_href(tab, "", "")>"Clear search"</a> })}
                </div>
            </form>
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
                                        <td data-label="Status"><span class=format!("badge badge--{}", r.tone)>{r.status_label}</span></td>
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
                    {next.map(|href| view! { <p><a class="button button--secondary" href=href>"Next page"</a></p> })}
                }.into_any()
            }}
        </PortalShell>
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
    let error = url_error::<ShipOrder>().or_else(url_error::<MarkOrderDelivered>);
    let refund_error = url_error::<RefundOrder>()
        .or_else(url_error::<DecideReturn>)
        .or_else(url_error::<ReceiveReturn>)
        .or_else(url_error::<RefundReturn>);
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

fn done_text(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "shipped" => "Shipment recorded: everything has shipped. The shopper was emailed the tracking.",
        "partly" => "Shipment recorded. The shopper was emailed the tracking; the rest is still to ship.",
        "already" => "This shipment was already recorded (the form was sent twice): nothing changed.",
        "delivered" => "Marked delivered.",
        "cancelled" => "Units cancelled and refunded: they are back on sale, and the shopper was emailed.",
        "refunded" => "Refund made: the shopper was emailed.",
        "return-approved" => "Return approved: the shopper was emailed to send the units back.",
        "return-rejected" => "Return rejected: the shopper was emailed your reason.",
        "return-received" => "Return received: refund it when you have checked the units.",
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
                </address>
                <p>{format!("Shipping option: {}", order.shipping_option)}</p>
            </section>
            {order.shippable.then(|| view! { <ShipForm order=order.clone() form_key=form_key.clone() kept=kept error=error/> })}
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
            <section class="card stack" aria-labelledby="timeline">
                <h2 id="timeline">"Timeline"</h2>
                <ol class="timeline">
                    {order.timeline.iter().map(|e| {
                        let day = model::format_date(e.at);
                        view! {
                            <li><time datetime=day.clone()>{day.clone()}</time>" " <strong>{e.label.clone()}</strong>
                                {(!e.note.is_empty()).then(|| format!(" — {}", e.note))}</li>
                        }
                    }).collect_view()}
                </ol>
            </section>
        </PortalShell>
    }
}

#[component]
fn OrderLines(order: SellerOrderDetail) -> impl IntoView {
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
                <dt>"Shipping"</dt><dd>{order.shipping.display()}</dd>
                <dt>"Tax"</dt><dd>{order.tax.display()}</dd>
                <dt>"Total"</dt><dd><strong>{order.total.display()}</strong></dd>
                {(order.refunded.amount > 0).then(|| view! { <dt>"Refunded"</dt><dd>{order.refunded.display()}</dd> })}
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
