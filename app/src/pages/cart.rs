use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::cart::{CartLineView, MAX_QUANTITY};

use crate::api::cart::{cart_contents, cart_discovery, RemoveCartLine, UpdateCartLine};
use crate::components::discovery::DiscoveryRows;
use crate::error::AppError;
use crate::pages::url_error;

/// The cart, grouped by seller. Changes are plain form posts (each answers with this page again), so the page
/// works without JS and needs no island.
#[component]
pub fn CartPage() -> impl IntoView {
    let error: Option<AppError> = url_error::<UpdateCartLine>().or_else(url_error::<RemoveCartLine>);
    view! {
        <Title text="Your cart"/>
        <h1 class="page-title">"Your cart"</h1>
        {error.map(|e| {
            let text = e.message_for(&crate::api::cart::LINE_FIELDS);
            view! { <p class="alert alert--error" role="alert">{text}</p> }
        })}
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match cart_contents().await {
                    Ok(cart) if cart.is_empty() => view! {
                        <CartNotices notices=cart.notices/>
                        <div class="empty card stack">
                            <h2>"Your cart is empty"</h2>
                            <p><a class="button" href="/">"Continue shopping"</a></p>
                        </div>
                    }.into_any(),
                    Ok(cart) => {
                        let count = cart.item_count;
                        let ready = cart.ready_for_checkout();
                        let total = cart.total.as_ref().map(|t| t.display()).unwrap_or_default();
                        view! {
                            <CartNotices notices=cart.notices/>
                            <div class="cart">
                                <div class="cart__groups stack">
                                    {cart.groups.into_iter().enumerate().map(|(i, group)| {
                                        let heading_id = format!("seller-{i}");
                                        view! {
                                            <section class="card cart-group" aria-labelledby=heading_id.clone()>
                                                <h2 id=heading_id.clone() class="cart-group__title">
                                                    "Sold by " <a href=group.seller_url.clone()>{group.seller_name.clone()}</a>
                                                </h2>
                                                <ul class="cart-lines">
                                                    {group.lines.into_iter().map(|line| view! { <CartLine line=line/> }).collect_view()}
                                                </ul>
                                                <p class="cart-group__subtotal">
                                                    {format!("Subtotal from {}: ", group.seller_name)}
                                                    <strong>{group.subtotal.display()}</strong>
                                                </p>
                                            </section>
                                        }
                                    }).collect_view()}
                                </div>
                                <aside class="card cart__summary" aria-label="Order summary">
                                    <p>{format!("{count} item{}", if count == 1 { "" } else { "s" })}</p>
                                    <p class="cart__total">"Items total " <strong>{total}</strong></p>
                                    <p class="muted">"Shipping and tax are worked out at checkout."</p>
                                    {if ready {
                                        view! { <a class="button button--wide" href="/checkout">"Check out"</a> }.into_any()
                                    } else {
                                        view! { <p class="alert alert--error">"Fix the items marked above to check out."</p> }.into_any()
                                    }}
                                </aside>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        // Its own read: what to offer next never holds up the cart, and a failure there shows nothing.
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                cart_discovery().await.ok().map(|discovery| view! { <DiscoveryRows discovery=discovery/> })
            })}
        </Suspense>
    }
}

#[component]
fn CartLine(line: CartLineView) -> impl IntoView {
    let notice = line.notice();
    let quantity_id = format!("quantity-{}", line.variant_id);
    let variant = line.variant_id.to_string();
    view! {
        <li class="cart-line">
            <img class="cart-line__image" src=line.image_url.clone() alt="" width="80" height="80" loading="lazy"/>
            <div class="cart-line__info">
                <h3 class="cart-line__title"><a href=line.product_url.clone()>{line.product_title.clone()}</a></h3>
                {(!line.variant_label.is_empty()).then(|| view! { <p class="muted">{line.variant_label.clone()}</p> })}
                <p class="muted">"SKU " {line.sku.clone()}</p>
                <p>
                    {line.unit_price.display()} " each"
                    {line.price_was.as_ref().map(|was| view! {
                        " " <s class="price--was"><span class="visually-hidden">"was "</span>{was.display()}</s>
                    })}
                </p>
                {notice.map(|n| view! { <p class="cart-line__notice" role="note">{n}</p> })}
            </div>
            <div class="cart-line__actions">
                <form method="post" action=UpdateCartLine::url() class="cart-line__quantity">
                    <input type="hidden" name="variant" value=variant.clone()/>
                    <label for=quantity_id.clone()>{format!("Quantity of {}", line.product_title)}</label>
                    <input
                        id=quantity_id
                        name="quantity"
                        type="number"
                        inputmode="numeric"
                        min="0"
                        max=MAX_QUANTITY.to_string()
                        value=line.quantity.to_string()
                        required=true
                    />
                    <button class="button button--secondary" type="submit">"Update"</button>
                </form>
                <form method="post" action=RemoveCartLine::url()>
                    <input type="hidden" name="variant" value=variant/>
                    <button class="link-button" type="submit" aria-label=format!("Remove {}", line.product_title)>
                        "Remove"
                    </button>
                </form>
                <p class="cart-line__total">{line.line_total.display()}</p>
            </div>
        </li>
    }
}

/// What the shopper is told once about their cart (a line taken out because its variant is no longer sold).
#[component]
fn CartNotices(notices: Vec<String>) -> impl IntoView {
    (!notices.is_empty()).then(|| {
        view! {
            <div role="status" class="stack">
                {notices.into_iter().map(|n| view! { <p class="alert">{n}</p> }).collect_view()}
            </div>
        }
    })
}
