//! Checkout (details → review → the payment provider's page → the order), order history, and the development
//! mailbox. Every form is a plain post to a server function that answers with a redirect: no island, and the
//! details typed are kept in the session, so a mistake or the back button loses nothing.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use model::orders::{country_name, OrderGroupView, SellerOrderView, COUNTRIES};

use crate::api::checkout::{
    checkout_data, dev_mailbox, order_data, order_history, review_data, test_payment_data, ApplyPromo, CancelOrder,
    ConfirmReceived, PlaceOrder, RemovePromo, SaveCheckoutDetails, TestCancel, TestPay, UseSavedAddress,
};
use crate::components::forms::Field;
use crate::components::shipments::ShipmentLine;
use model::format_date;

pub(crate) fn error_view(e: crate::error::AppError) -> AnyView {
    if matches!(e, crate::error::AppError::NotFound) {
        #[cfg(feature = "ssr")]
        crate::ssr::set_status(404);
        return view! { <crate::pages::errors::NotFoundPage/> }.into_any();
    }
    view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any()
}

fn empty_cart() -> AnyView {
    view! {
        <div class="empty card stack">
            <h2>"Your cart is empty"</h2>
            <p><a class="button" href="/">"Continue shopping"</a></p>
        </div>
    }
    .into_any()
}

#[component]
pub fn CheckoutPage() -> impl IntoView {
    view! {
        <Title text="Checkout"/>
        <h1 class="page-title">"Checkout"</h1>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let data = match checkout_data().await {
                    Ok(d) => d,
                    Err(e) => return error_view(e),
                };
                let Some(quote) = data.quote.filter(|_| !data.cart.is_empty()) else {
                    return empty_cart();
                };
                let d = data.draft;
                let has_errors = !d.errors.is_empty();
                let saved = data.saved;
                view! {
                    {(!saved.is_empty()).then(|| view! {
                        <section class="card checkout__saved" aria-labelledby="saved-title">
                            <h2 id="saved-title" class="cart-group__title">"Saved addresses"</h2>
                            <ul class="saved-addresses">
                                {saved.into_iter().map(|a| {
                                    let label = a.label();
                                    view! {
                                        <li>
                                            <form method="post" action=UseSavedAddress::url()>
                                                <input type="hidden" name="id" value=a.id.to_string()/>
                                                <span>{label.clone()}</span>
                                                <button class="button button--secondary" type="submit"
                                                    aria-label=format!("Deliver to {label}")>"Deliver here"</button>
                                            </form>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </section>
                    })}
                    <form method="post" action=SaveCheckoutDetails::url() class="form checkout" aria-label="Checkout details">
                        {has_errors.then(|| view! {
                            <p class="alert alert--error" role="alert">"Please correct the highlighted fields."</p>
                        })}
                        <fieldset class="checkout__section">
                            <legend>"Contact"</legend>
                            <Field name="email" label="Email" kind="email" autocomplete="email" value=d.email.clone() maxlength=254 error=d.error("email")/>
                        </fieldset>
                        <fieldset class="checkout__section">
                            <legend>"Shipping address"</legend>
                            <Field name="name" label="Full name" autocomplete="name" value=d.name.clone() maxlength=80 error=d.error("name")/>
                            <Field name="line1" label="Street address" autocomplete="address-line1" value=d.line1.clone() maxlength=120 error=d.error("line1")/>
                            <Field name="line2" label="Apartment, suite (optional)" autocomplete="address-line2" value=d.line2.clone() maxlength=120 required=false error=d.error("line2")/>
                            <Field name="city" label="City" autocomplete="address-level2" value=d.city.clone() maxlength=80 error=d.error("city")/>
                            <Field name="postal" label="Postal code" autocomplete="postal-code" value=d.postal.clone() maxlength=16 error=d.error("postal")/>
                            <div class="field">
                                <label for="field-country">"Country"</label>
                                <select id="field-country" name="country" autocomplete="country">
                                    {COUNTRIES.iter().map(|(code, name)| view! {
                                        <option value=*code selected=d.country == *code>{*name}</option>
                                    }).collect_view()}
                                </select>
                                <span class="field__error" role="alert">{d.error("country")}</span>
                            </div>
                            <Field name="phone" label="Phone (optional)" kind="tel" autocomplete="tel" value=d.phone.clone() maxlength=24 required=false
                                hint="Only for the carrier and the store, if they need to reach you about delivery." error=d.error("phone")/>
                        </fieldset>
                        {quote.groups.into_iter().map(|g| {
                            let field = format!("ship[s{}]", g.seller_id);
                            let chosen = g.chosen.or_else(|| g.options.first().map(|o| o.rate_id));
                            view! {
                                <fieldset class="checkout__section">
                                    <legend>{format!("Shipping from {}", g.seller_name)}</legend>
                                    {g.options.is_empty().then(|| view! {
                                        <p class="alert alert--error">{format!("{} does not ship to {}.", g.seller_name, country_name(&d.country))}</p>
                                    })}
                                    {g.options.into_iter().map(|o| {
                                        let price = if o.free { "Free".to_string() } else { o.cost.display() };
                                        view! {
                                            <label class="choice">
                                                <input type="radio" name=field.clone() value=o.rate_id.to_string() checked=chosen == Some(o.rate_id) required=true/>
                                                <span>{format!("{} — {} · {}", o.name, price, o.eta)}</span>
                                            </label>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }
                        }).collect_view()}
                        <button class="button" type="submit">"Continue to review"</button>
                    </form>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    view! {
        <Title text="Review your order"/>
        <h1 class="page-title">"Review your order"</h1>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let data = match review_data().await {
                    Ok(d) => d,
                    Err(e) => return error_view(e),
                };
                let notice = data.notice.clone();
                let Some(q) = data.quote else {
                    return view! { {notice.map(|n| view! { <p class="alert alert--error" role="alert">{n}</p> })} {empty_cart()} }.into_any();
                };
                let d = data.draft;
                let pay_label = format!("Pay {}", q.grand_total.display());
                let ready = q.problems.is_empty() && d.errors.is_empty();
                view! {
                    {notice.map(|n| view! { <p class="alert alert--error" role="alert">{n}</p> })}
                    {q.test_mode.then(|| view! {
                        <p class="alert alert--warning" role="note">
                            "Test mode: no real money moves. Pay with the test card 4242 4242 4242 4242."
                        </p>
                    })}
                    <div class="cart">
                        <div class="stack">
                            <section class="card" aria-labelledby="delivery-title">
                                <h2 id="delivery-title" class="cart-group__title">"Delivery"</h2>
                                <p>{d.name.clone()}<br/>{d.line1.clone()}
                                    {(!d.line2.is_empty()).then(|| view! { <br/>{d.line2.clone()} })}
                                    <br/>{format!("{} {}", d.postal, d.city)}<br/>{country_name(&d.country).to_string()}
                                    {(!d.phone.trim().is_empty()).then(|| view! { <br/>{format!("Phone: {}", d.phone.trim())} })}</p>
                                <p class="muted">"Confirmation to " {d.email.clone()}</p>
                                <p><a href="/checkout">"Change details or shipping"</a></p>
                            </section>
                            {q.groups.into_iter().enumerate().map(|(i, g)| {
                                let id = format!("review-seller-{i}");
                                let shipping = g.chosen.and_then(|r| g.options.iter().find(|o| o.rate_id == r).cloned());
                                view! {
                                    <section class="card" aria-labelledby=id.clone()>
                                        <h2 id=id.clone() class="cart-group__title">{format!("From {}", g.seller_name)}</h2>
                                        <ul class="review-lines">
                                            {g.lines.into_iter().map(|l| view! {
                                                <li>
                                                    <span>{format!("{} × {}", l.quantity, l.product_title)}
                                                        {(!l.variant_label.is_empty()).then(|| format!(" ({})", l.variant_label))}</span>
                                                    <span>{l.line_total.display()}</span>
                                                </li>
                                            }).collect_view()}
                                            {(g.discount.amount > 0).then(|| view! {
                                                <li class="discount"><span>"Promo code"</span><span>{format!("-{}", g.discount.display())}</span></li>
                                            })}
                                            <li class="muted">
                                                <span>{shipping.as_ref().map_or_else(|| "Shipping: not chosen".to_string(), |o| format!("Shipping: {}", o.name))}</span>
                                                <span>{shipping.map(|o| if o.free { "Free".to_string() } else { o.cost.display() })}</span>
                                            </li>
                                        </ul>
                                    </section>
                                }
                            }).collect_view()}
                        </div>
                        <aside class="card cart__summary" aria-label="Order total">
                            <dl class="totals">
                                <dt>"Items"</dt><dd>{q.items_total.display()}</dd>
                                {q.promo.clone().map(|p| view! {
                                    <dt>{format!("Discount ({})", p.code)}</dt><dd>{format!("-{}", q.discount_total.display())}</dd>
                                })}
                                <dt>"Shipping"</dt><dd>{q.shipping_total.display()}</dd>
                                {(!q.tax_label.is_empty()).then(|| view! {
                                    <dt>{q.tax_label.clone()}</dt><dd>{q.tax_total.display()}</dd>
                                })}
                                <dt class="totals__grand">"Total"</dt><dd class="totals__grand">{q.grand_total.display()}</dd>
                            </dl>
                            {match q.promo.clone() {
                                Some(p) => view! {
                                    <form method="post" action=RemovePromo::url() class="promo" aria-label="Promo code">
                                        <p role="status">"Code " <strong>{p.code.clone()}</strong> ": " {p.label.clone()}</p>
                                        <button class="link-button" type="submit">"Remove code"</button>
                                    </form>
                                }.into_any(),
                                None => view! {
                                    <form method="post" action=ApplyPromo::url() class="promo form" aria-label="Promo code">
                                        <Field name="code" label="Promo code" autocomplete="off" maxlength=32 required=false
                                            value=d.promo.clone() error=q.promo_error.clone()/>
                                        <button class="button button--secondary" type="submit">"Apply code"</button>
                                    </form>
                                }.into_any(),
                            }}
                            {(!q.problems.is_empty()).then(|| view! {
                                <div class="alert alert--error" role="alert">
                                    <ul>{q.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
                                </div>
                            })}
                            {(!d.errors.is_empty()).then(|| view! {
                                <p class="alert alert--error" role="alert"><a href="/checkout">"Complete your details first."</a></p>
                            })}
                            {ready.then(|| view! {
                                <form method="post" action=PlaceOrder::url() aria-label="Place order">
                                    <input type="hidden" name="key" value=data.key.clone()/>
                                    <input type="hidden" name="reviewed" value=data.reviewed.clone()/>
                                    <button class="button button--wide" type="submit">{pay_label.clone()}</button>
                                </form>
                            })}
                        </aside>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn TestPaymentPage() -> impl IntoView {
    let session = use_params_map()
        .with_untracked(|p| p.get("session"))
        .unwrap_or_default();
    view! {
        <Title text="Test payment"/>
        <Suspense fallback=|| ()>
            {let session = session.clone(); Suspend::new(async move {
                let data = match test_payment_data(session).await {
                    Ok(d) => d,
                    Err(e) => return error_view(e),
                };
                let amount = data.amount.display();
                let open = data.status == "open";
                view! {
                    <div class="narrow stack test-gateway">
                        <p class="badge badge--test">"TEST MODE"</p>
                        <h1 class="page-title">"Bazaar test payments"</h1>
                        <p>"This page stands in for the card payment provider. No real money moves."</p>
                        <div class="card stack">
                            <p>"Order " <strong>{data.reference.clone()}</strong></p>
                            <p class="price price--large">{amount.clone()}</p>
                            {data.error.clone().map(|e| view! { <p class="alert alert--error" role="alert">{e}</p> })}
                            {if open {
                                view! {
                                    <form method="post" action=TestPay::url() class="form" aria-label="Pay by card">
                                        <input type="hidden" name="session" value=data.session.clone()/>
                                        <Field name="card" label="Card number" autocomplete="cc-number" inputmode="numeric" maxlength=23 error=None/>
                                        <button class="button" type="submit">{format!("Pay {amount}")}</button>
                                    </form>
                                    <p class="muted">"Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 9995 has insufficient funds; 4000 0000 0000 0259 pays, then the bank disputes it."</p>
                                    <form method="post" action=TestCancel::url()>
                                        <input type="hidden" name="session" value=data.session.clone()/>
                                        <button class="link-button" type="submit">"Cancel and return to the shop"</button>
                                    </form>
                                }.into_any()
                            } else {
                                match (data.status == "succeeded", data.order_url.clone()) {
                                    (true, url) => view! {
                                        <p role="status">"This order is paid."</p>
                                        <p><a class="button" href=url.unwrap_or_else(|| "/account/orders".to_string())>"See your order"</a></p>
                                    }.into_any(),
                                    (false, _) => view! {
                                        <p role="status">"This payment was cancelled; nothing was charged."</p>
                                        <p><a href="/">"Back to the shop"</a></p>
                                    }.into_any(),
                                }
                            }}
                        </div>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

/// A button that changes one seller order of the group (`action`, a server function's address).
fn order_form(action: &'static str, group: &str, order: &str, token: &Option<String>, label: String) -> impl IntoView {
    view! {
        <form method="post" action=action>
            <input type="hidden" name="number" value=group.to_string()/>
            <input type="hidden" name="order" value=order.to_string()/>
            <input type="hidden" name="token" value=token.clone().unwrap_or_default()/>
            <button class="button button--secondary" type="submit">{label}</button>
        </form>
    }
}

#[component]
fn SellerOrder(order: SellerOrderView, group: String, token: Option<String>) -> impl IntoView {
    let id = format!("order-{}", order.number);
    let lines = order.lines.clone();
    view! {
        <section class="card stack" aria-labelledby=id.clone()>
            <h2 id=id.clone() class="cart-group__title">
                {format!("{} from ", order.number)}<a href=order.seller_url.clone()>{order.seller_name.clone()}</a>
            </h2>
            <p><span class="badge">{order.status_label.clone()}</span></p>
            <ul class="review-lines">
                {lines.into_iter().map(|l| view! {
                    <li>
                        <span>{format!("{} × {}", l.quantity, l.title)}{(!l.variant.is_empty()).then(|| format!(" ({})", l.variant))}</span>
                        <span>{l.line_total.display()}</span>
                    </li>
                }).collect_view()}
                <li class="muted"><span>{format!("Shipping: {}", order.shipping_name)}</span><span>{order.shipping.display()}</span></li>
                <li><strong>"Total"</strong><strong>{order.total.display()}</strong></li>
                {(order.refunded.amount > 0).then(|| view! {
                    <li class="muted"><span>"Refunded"</span><span>{order.refunded.display()}</span></li>
                })}
            </ul>
            {(!order.shipments.is_empty()).then(|| view! {
                <h3>"Shipments"</h3>
                <ul class="plain-list stack" aria-label=format!("Shipments of {}", order.number)>
                    {order.shipments.iter().cloned().map(|s| view! { <li><ShipmentLine shipment=s/></li> }).collect_view()}
                </ul>
            })}
            <ol class="timeline" aria-label=format!("Timeline of {}", order.number)>
                {order.timeline.iter().map(|e| view! {
                    <li><time>{format_date(e.at)}</time>" " <strong>{e.label.clone()}</strong>
                        {(!e.note.is_empty()).then(|| format!(" — {}", e.note))}</li>
                }).collect_view()}
            </ol>
            {order.receivable.then(|| {
                let label = format!("I received order {}", order.number);
                order_form(ConfirmReceived::url(), &group, &order.number, &token, label)
            })}
            <p><a href=crate::api::messages::messages_href(&group, &order.number, token.as_deref())>
                {format!("Message {} about order {}", order.seller_name, order.number)}
            </a></p>
            {(order.status == "delivered").then(|| {
                let href = crate::api::returns::returns_href(&group, &order.number, token.as_deref());
                view! {
                    <p><a href=href>{format!("Return items of order {}", order.number)}</a></p>
                    <p><a href="/account/reviews">{format!("Review the items of order {}", order.number)}</a></p>
                }
            })}
            {order.cancellable.then(|| {
                let label = format!("Cancel order {}", order.number);
                order_form(CancelOrder::url(), &group, &order.number, &token, label)
            })}
        </section>
    }
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let number = use_params_map().with_untracked(|p| p.get("number")).unwrap_or_default();
    let query = use_query_map();
    let token = query.with_untracked(|q| q.get("token"));
    let placed = query.with_untracked(|q| q.get("placed")).is_some();
    view! {
        <Title text="Your order"/>
        <Suspense fallback=|| ()>
            {let (number, token) = (number.clone(), token.clone()); Suspend::new(async move {
                let (g, flash): (OrderGroupView, Option<String>) = match order_data(number, token.clone()).await {
                    Ok(d) => d,
                    Err(e) => return error_view(e),
                };
                view! {
                    {(placed && g.status == "paid").then(|| view! {
                        <div class="alert alert--success" role="status">
                            <h2 class="cart-group__title">"Thank you! Your order is confirmed."</h2>
                            <p>{format!("A confirmation is on its way to {}.", g.email)}</p>
                        </div>
                    })}
                    {flash.map(|f| view! { <p class="alert alert--warning" role="status">{f}</p> })}
                    <h1 class="page-title">{format!("Order {}", g.number)}</h1>
                    <p>{format!("Placed {} · {}", format_date(g.placed_at), g.status_label)}</p>
                    <div class="cart">
                        <div class="stack">
                            {g.orders.iter().cloned().map(|o| view! { <SellerOrder order=o group=g.number.clone() token=token.clone()/> }).collect_view()}
                        </div>
                        <aside class="card cart__summary stack" aria-label="Order summary">
                            <dl class="totals">
                                <dt>"Items"</dt><dd>{g.items_total.display()}</dd>
                                {(g.discount_total.amount > 0).then(|| view! {
                                    <dt>{format!("Discount ({})", g.promo_code.clone().unwrap_or_default())}</dt>
                                    <dd>{format!("-{}", g.discount_total.display())}</dd>
                                })}
                                <dt>"Shipping"</dt><dd>{g.shipping_total.display()}</dd>
                                <dt>{if g.tax_inclusive { "Tax (included)" } else { "Tax" }}</dt><dd>{g.tax_total.display()}</dd>
                                <dt class="totals__grand">"Total"</dt><dd class="totals__grand">{g.grand_total.display()}</dd>
                            </dl>
                            <h2 class="cart-group__title">"Delivery"</h2>
                            <p>{g.address.iter().map(|l| view! { {l.clone()}<br/> }).collect_view()}</p>
                        </aside>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn OrderHistoryPage() -> impl IntoView {
    if crate::request_user().is_none() {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect("/login?next=%2Faccount%2Forders");
        return ().into_any();
    }
    view! {
        <Title text="Your orders"/>
        <h1 class="page-title">"Your orders"</h1>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match order_history().await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty card stack"><h2>"No orders yet"</h2><p><a class="button" href="/">"Start shopping"</a></p></div>
                    }.into_any(),
                    Ok(list) => view! {
                        <table class="orders-table">
                            <thead><tr><th scope="col">"Order"</th><th scope="col">"Placed"</th><th scope="col">"Status"</th><th scope="col">"Sellers"</th><th scope="col">"Total"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|o| view! {
                                    <tr>
                                        <th scope="row"><a href=format!("/orders/{}", o.number)>{o.number.clone()}</a></th>
                                        <td>{format_date(o.placed_at)}</td>
                                        <td>{o.status_label.clone()}</td>
                                        <td>{format!("{} ({} items)", o.seller_orders, o.items)}</td>
                                        <td>{o.grand_total.display()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
pub fn MailboxPage() -> impl IntoView {
    view! {
        <Title text="Development mailbox"/>
        <h1 class="page-title">"Development mailbox"</h1>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match dev_mailbox().await {
                    Ok(list) if list.is_empty() => view! { <p>"No mail yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <p class="muted">"Every message the shop sent, newest first (development only)."</p>
                        {list.into_iter().map(|m| {
                            // The first site path in the body (the order, reset, new-email, confirmation or notify-me link) as a link.
                            let link = m
                                .body
                                .split_whitespace()
                                .find(|w| ["/orders/", "/reset-password?", "/account/email?", "/verify-email?", "/back-in-stock?"].iter().any(|p| w.starts_with(p)))
                                .map(str::to_string);
                            let unsubscribe = m.body.split_whitespace().find(|w| w.starts_with("/unsubscribe/")).map(str::to_string);
                            view! {
                                <article class="card stack mail" aria-label=m.subject.clone()>
                                    <h2 class="cart-group__title">{m.subject.clone()}</h2>
                                    <p class="muted">{format!("To {} · {}", m.to, format_date(m.sent_at))}</p>
                                    <pre class="mail__body">{m.body.clone()}</pre>
                                    {link.map(|l| view! { <p><a href=l>"Open the link"</a></p> })}
                                    {unsubscribe.map(|l| view! { <p><a href=l>"Unsubscribe"</a></p> })}
                                </article>
                            }
                        }).collect_view()}
                    }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Suspense>
    }
}
