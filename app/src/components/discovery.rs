//! What a shopper might look at next (decision 0044): "Customers also bought" and "Similar items", rendered on
//! the server and cached with the page, and "Recently viewed", an island: the browser keeps the list of products
//! it showed in its local storage (no database write, no session, nothing personal in a cached page) and asks the
//! server for their cards.

use leptos::prelude::*;
use model::catalog::{Discovery, ProductCard};

use crate::components::catalog::ProductGrid;

/// Where the island asks for cards: `?ids=1,2,3` answers the cards as HTML (empty when none is on sale).
pub const RECENT_CARDS: &str = "/fragments/recently-viewed";
/// The browser's local storage key holding the ids, newest first.
const KEY: &str = "bazaar-recently-viewed";
/// Ids kept (`domain::discovery::recent::MAX_IDS` accepts as many).
const KEPT: usize = 12;
/// Cards shown besides the product on screen.
const SHOWN: usize = 8;

#[component]
pub fn DiscoveryRows(discovery: Discovery) -> impl IntoView {
    let Discovery { also_bought, similar } = discovery;
    view! {
        {(!also_bought.is_empty()).then(|| view! {
            <section class="section" aria-labelledby="also-bought-title">
                <h2 id="also-bought-title">"Customers also bought"</h2>
                <ProductGrid products=also_bought/>
            </section>
        })}
        {(!similar.is_empty()).then(|| view! {
            <section class="section" aria-labelledby="similar-title">
                <h2 id="similar-title">"Similar items"</h2>
                <ProductGrid products=similar/>
            </section>
        })}
    }
}

/// The cards the island puts in place: the same grid every listing shows.
#[cfg(feature = "ssr")]
pub fn cards_html(cards: Vec<ProductCard>) -> String {
    if cards.is_empty() {
        return String::new();
    }
    view! { <ProductGrid products=cards/> }.to_html()
}

/// The list after showing `current`: it first, the others after it without repeats, at most [`KEPT`].
fn remembered(stored: &str, current: Option<i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = current.into_iter().collect();
    for id in stored.split(',').filter_map(|p| p.parse::<i64>().ok()) {
        if id > 0 && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.truncate(KEPT);
    ids
}

fn joined(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Records `current` in the browser's list and answers the others to show. A browser without local storage
/// (blocked, or full) shows nothing and loses nothing.
fn remember(current: Option<i64>) -> Vec<i64> {
    let Some(storage) = window().local_storage().ok().flatten() else {
        return Vec::new();
    };
    let stored = storage.get_item(KEY).ok().flatten().unwrap_or_default();
    let ids = remembered(&stored, current);
    let _ = storage.set_item(KEY, &joined(&ids));
    ids.into_iter().filter(|&id| Some(id) != current).take(SHOWN).collect()
}

fn forget() {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.remove_item(KEY);
    }
}

/// The cards' HTML from the server, read with the browser's own fetch (no serde in the bundle; decision 0008).
async fn fetch_cards(ids: &[i64]) -> Option<String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let url = format!("{RECENT_CARDS}?ids={}", joined(ids));
    let answer = JsFuture::from(window().fetch_with_str(&url)).await.ok()?;
    let response = answer
        .dyn_into::<web_sys::Response>()
        .ok()
        .filter(web_sys::Response::ok)?;
    JsFuture::from(response.text().ok()?).await.ok()?.as_string()
}

/// "Recently viewed": hidden until the browser's list has a product on sale other than `current`.
#[island]
pub fn RecentlyViewed(#[prop(optional)] current: Option<i64>) -> impl IntoView {
    let list = NodeRef::<leptos::html::Div>::new();
    let shown = RwSignal::new(false);
    Effect::new(move |_| {
        let others = remember(current);
        if others.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            let (Some(html), Some(el)) = (fetch_cards(&others).await, list.get_untracked()) else {
                return;
            };
            // Our own server's HTML: the same escaped cards as every listing.
            el.set_inner_html(&html);
            shown.set(!html.trim().is_empty());
        });
    });
    let clear = move |_| {
        forget();
        shown.set(false);
    };
    view! {
        <section class="section recently-viewed" aria-labelledby="recent-title" hidden=move || !shown.get()>
            <div class="section__head">
                <h2 id="recent-title">"Recently viewed"</h2>
                <button type="button" class="link-button" aria-label="Clear recently viewed" on:click=clear>"Clear"</button>
            </div>
            <div node_ref=list></div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_product_goes_first_once_and_the_list_stays_short() {
        assert_eq!(remembered("3,2,1", Some(2)), vec![2, 3, 1]);
        assert_eq!(remembered("", None), Vec::<i64>::new());
        assert_eq!(remembered("x,-4,5,,5", Some(7)), vec![7, 5]);
        let long = joined(&(1..=20).collect::<Vec<_>>());
        assert_eq!(remembered(&long, Some(99)).len(), KEPT);
    }
}
