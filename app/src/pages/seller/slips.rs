//! Packing slips and shipping labels (`/seller/orders/{number}/slip`, and `/seller/orders/slips?n=…&n=…` for
//! the orders ticked in the list): one sheet per order, print CSS, no JavaScript, no portal navigation.

use leptos::prelude::*;
use leptos_meta::Title;
use model::seller_orders::PackingSlip;

use crate::api::sellers::packing_slips;
use crate::pages::seller::portal_gate;

#[component]
pub fn PackingSlipPage() -> impl IntoView {
    let number = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("number"))
        .unwrap_or_default();
    slips_view(
        format!("/seller/orders/{}/slip", crate::url_encode(&number)),
        vec![number],
    )
}

#[component]
pub fn PackingSlipsPage() -> impl IntoView {
    let numbers: Vec<String> =
        leptos_router::hooks::use_query_map().with_untracked(|q| q.get_all("n").unwrap_or_default());
    slips_view("/seller/orders".to_string(), numbers)
}

fn slips_view(path: String, numbers: Vec<String>) -> AnyView {
    if let Some(instead) = portal_gate(&path) {
        return instead;
    }
    view! {
        <Title text="Packing slips · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match packing_slips(numbers.join(",")).await {
                    Ok(slips) => view! { <Slips slips=slips/> }.into_any(),
                    Err(e) => view! {
                        <h1 class="page-title">"Packing slips"</h1>
                        <p class="alert alert--error" role="alert">{e.to_string()}</p>
                        <p><a href="/seller/orders">"← Orders"</a></p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Slips(slips: Vec<PackingSlip>) -> impl IntoView {
    let count = slips.len();
    view! {
        <div class="slips">
            <div class="no-print stack">
                <p><a href="/seller/orders">"← Orders"</a></p>
                <h1 class="page-title">{if count == 1 { "Packing slip".to_string() } else { format!("{count} packing slips") }}</h1>
                <p class="muted">"Print this page (Ctrl+P or ⌘P): each order is a sheet of its own, with its label on top."</p>
            </div>
            {slips.into_iter().map(|s| view! { <Slip slip=s/> }).collect_view()}
        </div>
    }
}

#[component]
fn Slip(slip: PackingSlip) -> impl IntoView {
    let o = slip.order;
    let id = format!("slip-{}", o.number);
    let heading_id = id.clone();
    view! {
        <article class="slip" aria-labelledby=id>
            <section class="slip__label">
                <div>
                    <h2 id=heading_id>{format!("Order {}", o.number)}</h2>
                    <p class="slip__from">{format!("From {}", o.store_name)}</p>
                </div>
                <div class="slip__to">
                    <p class="muted">"Ship to"</p>
                    <address>
                        <strong>{o.customer.clone()}</strong>
                        {o.address.iter().map(|l| view! { <br/>{l.clone()} }).collect_view()}
                        {(!o.phone.is_empty()).then(|| view! { <br/>{format!("Phone: {}", o.phone)} })}
                    </address>
                </div>
                // Drawn by the server from the order number alone (letters, digits and dashes): no user text.
                <div class="barcode" role="img" aria-label=format!("Barcode of order {}", o.number) inner_html=slip.barcode_svg></div>
                <p class="slip__number">{o.number.clone()}</p>
            </section>
            <section class="slip__items">
                <p>{format!("Placed {} · {}", model::format_date(o.placed_at), o.shipping_option)}</p>
                <table class="table">
                    <thead><tr><th scope="col">"Item"</th><th scope="col">"SKU"</th><th scope="col" class="num">"Ordered"</th><th scope="col" class="num">"To pack"</th></tr></thead>
                    <tbody>
                        {o.lines.into_iter().map(|l| {
                            let open = l.open();
                            view! {
                                <tr>
                                    <td>{l.title}{(!l.variant.is_empty()).then(|| format!(" ({})", l.variant))}</td>
                                    <td data-label="SKU"><code>{l.sku}</code></td>
                                    <td data-label="Ordered" class="num">{l.quantity}</td>
                                    <td data-label="To pack" class="num">{open}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="muted">"Questions about this order? Write to us from your order page."</p>
            </section>
        </article>
    }
}
