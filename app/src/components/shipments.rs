//! An order's shipments with their tracking, as the seller's order page and the shopper's order page show them.

use leptos::prelude::*;
use model::seller_orders::ShipmentView;

/// Every shipment with its tracking (shared with the shopper's order page).
#[component]
pub fn Shipments(shipments: Vec<ShipmentView>) -> impl IntoView {
    (!shipments.is_empty()).then(|| {
        view! {
            <section class="card stack" aria-labelledby="shipments">
                <h2 id="shipments">"Shipments"</h2>
                <ul class="plain-list stack">
                    {shipments.into_iter().map(|s| view! { <li><ShipmentLine shipment=s/></li> }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// One shipment: when, with whom, the tracking number (a link to the carrier's page when it has one), what left.
#[component]
pub fn ShipmentLine(shipment: ShipmentView) -> impl IntoView {
    let day = model::format_date(shipment.shipped_at);
    let number = shipment.tracking_number.clone();
    view! {
        <p>
            <time datetime=day.clone()>{day.clone()}</time>
            {format!(" · {} ", shipment.carrier)}
            {match shipment.tracking_url {
                Some(url) => view! { <a href=url rel="noopener noreferrer">{format!("Track {number}")}</a> }.into_any(),
                None => view! { <span>{format!("Tracking {number}")}</span> }.into_any(),
            }}
        </p>
        <p class="muted">{shipment.lines.join(", ")}</p>
    }
}
