//! What a shopper might look at next (decision 0044): "Customers also bought" and "Similar items", rendered on
//! the server and cached with the page, and "Recently viewed", an island: the browser keeps the list of products
//! it showed in its local storage (no database write, no session, nothing personal in a cached page) and asks the
//! server for their cards.

use leptos::prelude::*;
use model::catalog::{Discovery, ProductCard};

use crate::components::catalog::ProductGrid;

/// Where the island asks for cards: `?ids=1,2,3` answers the published ones' cards as HTML (empty when none is).
pub const RECENT_CARDS: &str = "/fragments/recently-viewed";
/// The browser's local storage key holding the ids, newest first.
const KEY: &str = "bazaar-recently-viewed";
/// Ids kept (`domain::discovery::recent::MAX_IDS` accepts as many).
const KEPT: usize = 12;
/// Cards shown besides the product on screen.
const SHOWN: usize = 8;

#[component]
pub fn DiscoveryRows(discovery: Discovery) -> impl IntoView {
    view! {
        <Row id="also-bought-title" title="Customers also bought" cards=discovery.also_bought/>
        <Row id="similar-title" title="Similar items" cards=discovery.similar/>
    }
}

/// One titled row of cards; nothing at all when it has none.
#[component]
fn Row(id: &'static str, title: &'static str, cards: Vec<ProductCard>) -> impl IntoView {
    (!cards.is_empty()).then(|| {
        view! {
            <section class="section" aria-labelledby=id>
                <h2 id=id>{title}</h2>
                <ProductGrid products=cards/>
            </section>
        }
    })
}

/// The cards the island puts in place: the same grid every listing shows.
#[cfg(feature = "ssr")]
pub fn cards_html(cards: Vec<ProductCard>) -> String {
    if cards.is_empty() {
        return String::new();
    }
    view! { <ProductGrid products=cards/> }.to_html()
}

/// The list after showing `current`: it first, the others after it without repeats, at most [`KEPT`]. Anything
/// the server would refuse (not a positive id of at most 18 digits) is dropped, so a tampered entry cannot keep
/// the list from showing.
fn remembered(stored: &str, current: Option<i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = current.into_iter().collect();
    for part in stored.split(',').filter(|p| !p.is_empty() && p.len() <= 18) {
        match part.parse::<i64>() {
            Ok(id) if id > 0 && !ids.contains(&id) => ids.push(id),
            _ => {}
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

/// "Recently viewed": rendered hidden on the server (the same for everyone, so the page cache may keep it); the
/// island shows it once the browser's list has a product other than `current` still published.
#[component]
pub fn RecentlyViewed(#[prop(optional)] current: Option<i64>) -> impl IntoView {
    view! {
        <RecentlyViewedList>
            <section
                class="section recently-viewed"
                aria-labelledby="recent-title"
                hidden=true
                data-current=current.map(|id| id.to_string()).unwrap_or_default()
            >
                <div class="section__head">
                    <h2 id="recent-title" tabindex="-1">"Recently viewed"</h2>
                    <button type="button" class="link-button" aria-label="Clear recently viewed">"Clear"</button>
                </div>
                <p role="status" data-recent="status"></p>
                <div data-recent="cards"></div>
            </section>
        </RecentlyViewedList>
    }
}

/// Works on the section the server rendered: it takes no props, so the bundle needs no serde (decision 0008).
#[island]
fn RecentlyViewedList(children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    let part = move |name: &str| {
        root.get_untracked()?
            .query_selector(&format!("[data-recent={name}]"))
            .ok()?
    };
    Effect::new(move |_| {
        let Some(section) = root.get().and_then(|r| r.query_selector("section").ok().flatten()) else {
            return;
        };
        let current = section.get_attribute("data-current").and_then(|v| v.parse().ok());
        let others = remember(current);
        if others.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            let (Some(html), Some(cards)) = (fetch_cards(&others).await, part("cards")) else {
                return;
            };
            // The section (and its Clear) stays hidden until here, so nothing can have been cleared meanwhile.
            if html.trim().is_empty() {
                return;
            }
            // Our own server's HTML: the same escaped cards as every listing.
            cards.set_inner_html(&html);
            let _ = section.remove_attribute("hidden");
        });
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let on_button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("button").ok().flatten())
            .is_some();
        if !on_button {
            return;
        }
        forget();
        if let Some(cards) = part("cards") {
            cards.set_inner_html("");
        }
        if let Some(status) = part("status") {
            status.set_text_content(Some("Cleared. Products you view from now on will show here."));
        }
        // The button stays, with nothing left to clear; the heading takes the focus so a keyboard user is not
        // sent back to the top of the page.
        if let Some(heading) = root
            .get_untracked()
            .and_then(|r| r.query_selector("h2").ok().flatten())
            .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = heading.focus();
        }
    };
    view! { <div node_ref=root on:click=on_click>{children()}</div> }
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
