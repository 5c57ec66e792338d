//! The seller portal (`/seller/…`): server-rendered pages inside the portal's shell, one file per screen (the
//! overview is here).

pub mod disputes;
pub mod editor;
pub mod import;
pub mod import_pictures;
pub mod money;
pub mod order_messages;
pub mod order_refunds;
pub mod order_returns;
pub mod orders;
pub mod products;
pub mod promotions;
pub mod reviews;
pub mod sales;
pub mod settings;
pub mod slips;
pub mod stock;
pub mod stripe_payouts;

use leptos::prelude::*;
use leptos_meta::Title;
use model::seller_orders::{SellerOrderRow, ShippingRecord};
use model::sellers::{ProductRef, SellerHome, StockRef};
use model::Role;

use crate::api::sellers::{seller_home, seller_orders, shipping_record};
use crate::components::portal::{PortalShell, Section};
use crate::pages::errors::ForbiddenPage;

/// Who may see the portal: a seller. Signed out → the login (back here after); a shopper → the application;
/// an admin → 403. Returns the view to show instead of the page, if any.
pub fn portal_gate(path: &str) -> Option<AnyView> {
    let Some(user) = crate::request_user() else {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect(&format!("/login?next={}", crate::url_encode(path)));
        #[cfg(not(feature = "ssr"))]
        let _ = path;
        return Some(().into_any());
    };
    match user.role {
        Role::Seller => None,
        Role::Shopper => {
            #[cfg(feature = "ssr")]
            crate::ssr::page_redirect("/sell");
            Some(().into_any())
        }
        Role::Admin => Some(view! { <ForbiddenPage/> }.into_any()),
    }
}

#[component]
pub fn SellerHomePage() -> impl IntoView {
    if let Some(instead) = portal_gate("/seller") {
        return instead;
    }
    let range = crate::components::periods::range_from_query();
    view! {
        <Title text="Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let to_ship = seller_orders("to-ship".into(), String::new(), String::new(), String::new(), String::new()).await;
                match (seller_home().await, to_ship, shipping_record().await) {
                    (Ok(home), Ok(orders), Ok(record)) => view! {
                        <Overview home=home to_ship=orders.rows to_ship_count=orders.to_ship record=record range=range.clone()/>
                    }.into_any(),
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Overview(
    home: SellerHome,
    to_ship: Vec<SellerOrderRow>,
    to_ship_count: i64,
    record: ShippingRecord,
    range: model::money::SalesRange,
) -> impl IntoView {
    let nothing = to_ship.is_empty()
        && home.drafts.is_empty()
        && home.without_pictures.is_empty()
        && home.low_stock.is_empty()
        && home.out_of_stock.is_empty();
    let products = home.products;
    view! {
        <PortalShell section=Section::Overview store_name=home.store_name.clone() store_slug=home.slug.clone()>
            <h1 class="page-title">"Overview"</h1>
            <p class="lead">{format!("{} · {products} product{}", home.store_name, if products == 1 { "" } else { "s" })}</p>
            {home.suspension.clone().map(|note| view! {
                <section class="alert alert--error stack" role="alert">
                    <h2>"Your store is suspended"</h2>
                    <p>"Its listings are off the storefront and search, and no new order can be placed. Orders in progress are still yours to ship."</p>
                    <p>{format!("The reason given: {note}")}</p>
                </section>
            })}
            {(home.payouts_held && home.suspension.is_none()).then(|| view! {
                <p class="alert alert--warning" role="status">"An administrator holds your payouts: your balance is kept until they are released."</p>
            })}
            {nothing.then(|| view! {
                <section class="card empty stack">
                    <h2>"Nothing needs your attention"</h2>
                    <p>{if products == 0 {
                        "Your store has no products yet."
                    } else {
                        "Every product is live, has pictures and is in stock."
                    }}</p>
                    {(products == 0).then(|| view! { <p><a class="button" href="/seller/products/new">"Add your first product"</a></p> })}
                </section>
            })}
            <sales::SalesSection range=range/>
            <ToShip orders=to_ship count=to_ship_count/>
            <OnTime record=record/>
            <ProductList title="Drafts" id="drafts" hint="Not on sale yet: add what is missing and publish." items=home.drafts/>
            <ProductList title="Without pictures" id="no-pictures" hint="Products with a picture sell better; a product needs one to be published." items=home.without_pictures/>
            <StockList title="Low on stock" id="low-stock" items=home.low_stock/>
            <StockList title="Out of stock" id="out-of-stock" items=home.out_of_stock/>
        </PortalShell>
    }
}

/// The newest orders waiting to ship (what a seller opens the portal to see), the count, and a link to them all.
#[component]
fn ToShip(orders: Vec<SellerOrderRow>, count: i64) -> impl IntoView {
    (!orders.is_empty()).then(|| {
        view! {
            <section class="card stack" aria-labelledby="to-ship">
                <h2 id="to-ship">"To ship" " " <span class="badge badge--warning">{count}</span></h2>
                <ul class="plain-list">
                    {orders.into_iter().take(5).map(|o| {
                        let by = o.ship_by.map(|b| format!(" · ship by {}", model::format_date(b))).unwrap_or_default();
                        view! {
                            <li>
                                <a href=format!("/seller/orders/{}", crate::url_encode(&o.number))>{o.number.clone()}</a>
                                {format!(" · {} · {}{by}", o.customer, model::count_of(o.units, "item", "items"))}
                                {o.late.then(|| view! { " " <span class="badge badge--danger">"Late"</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p><a href="/seller/orders?tab=to-ship">"All orders to ship"</a></p>
            </section>
        }
    })
}

/// How the store kept its ship-by dates over 30 days (shown once an order was due).
#[component]
fn OnTime(record: ShippingRecord) -> impl IntoView {
    record.on_time_percent().map(|percent| {
        view! {
            <section class="card stack" aria-labelledby="on-time">
                <h2 id="on-time">"Shipping on time"</h2>
                <p>{format!(
                    "{percent} % of the orders due in the last 30 days left by their ship-by date: {} of {} late.",
                    record.late, record.due
                )}</p>
                {(record.late_now > 0).then(|| view! {
                    <p><span class="badge badge--danger">"Late"</span> " "
                    {format!("{} past the ship-by date and not shipped yet.", model::count_of(record.late_now, "order is", "orders are"))}
                    " " <a href="/seller/orders?tab=to-ship">"Ship them"</a></p>
                })}
            </section>
        }
    })
}

#[component]
fn ProductList(title: &'static str, id: &'static str, hint: &'static str, items: Vec<ProductRef>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <section class="card stack" aria-labelledby=id>
                <h2 id=id>{title} " " <span class="badge">{items.len()}</span></h2>
                <p class="muted">{hint}</p>
                <ul class="plain-list">
                    {items.into_iter().map(|p| view! { <li><a href=format!("/seller/products/{}", p.id)>{p.title}</a></li> }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn StockList(title: &'static str, id: &'static str, items: Vec<StockRef>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <section class="card stack" aria-labelledby=id>
                <h2 id=id>{title} " " <span class="badge">{items.len()}</span></h2>
                <table class="table">
                    <thead><tr><th scope="col">"Product"</th><th scope="col">"Variant"</th><th scope="col">"SKU"</th><th scope="col" class="num">"Available"</th></tr></thead>
                    <tbody>
                        {items.into_iter().map(|s| view! {
                            <tr>
                                <td><a href=format!("/seller/products/{}", s.product_id)>{s.product_title}</a></td>
                                <td>{s.variant_title}</td>
                                <td><code>{s.sku}</code></td>
                                <td class="num">{format!("{} (alert at {})", s.available, s.threshold)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
    })
}
