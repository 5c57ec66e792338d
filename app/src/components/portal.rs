//! The seller portal's shell and the pieces every portal and admin screen shares (../shared/PORTALS.md): server
//! rendered, no island, so none of it reaches a shopper's wasm (docs/decisions/0015-portal-without-wasm.md).

use leptos::prelude::*;

/// A section of the seller portal, for the navigation's `aria-current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Orders,
    Products,
    Stock,
    Promotions,
    Reviews,
    Money,
    Settings,
}

const SECTIONS: [(Section, &str, &str); 8] = [
    (Section::Overview, "/seller", "Overview"),
    (Section::Orders, "/seller/orders", "Orders"),
    (Section::Products, "/seller/products", "Products"),
    (Section::Stock, "/seller/stock", "Stock"),
    (Section::Promotions, "/seller/promotions", "Promotions"),
    (Section::Reviews, "/seller/reviews", "Reviews"),
    (Section::Money, "/seller/money", "Money"),
    (Section::Settings, "/seller/settings", "Store settings"),
];

/// The portal's frame: the store's name, the navigation (a disclosure at phone width, which works without
/// JavaScript) with the number of orders to ship, and a link back to the storefront, around the page's content.
#[component]
pub fn PortalShell(section: Section, store_name: String, store_slug: String, children: Children) -> impl IntoView {
    let nav = move |class: &'static str| {
        let store_slug = store_slug.clone();
        view! {
            <ul class=class>
                {SECTIONS.iter().map(|(s, href, label)| {
                    let current = (*s == section).then_some("page");
                    let count = (*s == Section::Orders).then(|| view! {
                        <Suspense fallback=|| ()>
                            {Suspend::new(async move {
                                crate::api::sellers::orders_to_ship().await.ok().filter(|n| *n > 0).map(|n| view! {
                                    " " <span class="badge badge--warning">{n}<span class="visually-hidden">" to ship"</span></span>
                                })
                            })}
                        </Suspense>
                    });
                    view! { <li><a href=*href aria-current=current>{*label}{count}</a></li> }
                }).collect_view()}
                <li><a href=format!("/store/{store_slug}")>"View your storefront"</a></li>
            </ul>
        }
    };
    view! {
        <Frame label="Seller portal" name=store_name nav=nav>
            {children()}
        </Frame>
    }
}

/// The frame both portals share: a side navigation (a disclosure at phone width, which works without JavaScript)
/// headed by `name`, around the page's content. `nav` draws the list with the class it is given.
#[component]
fn Frame<N, V>(label: &'static str, name: String, nav: N, children: Children) -> impl IntoView
where
    N: Fn(&'static str) -> V,
    V: IntoView,
{
    view! {
        <div class="portal">
            <nav class="portal-nav" aria-label=label>
                <p class="portal-nav__store">{name}</p>
                // Wide screens show the list; at phone width it folds into a disclosure (no JavaScript needed).
                {nav("portal-nav__list portal-nav__wide")}
                <details class="portal-nav__menu">
                    <summary>"Menu"</summary>
                    {nav("portal-nav__list")}
                </details>
            </nav>
            <div class="portal__content stack">{children()}</div>
        </div>
    }
}

/// A section of the admin screens, for the navigation's `aria-current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminSection {
    Dashboard,
    Analytics,
    Users,
    Stores,
    Orders,
    Search,
    Applications,
    Payouts,
    Reviews,
    Messages,
    Emails,
    Audit,
}

const ADMIN_SECTIONS: [(AdminSection, &str, &str); 12] = [
    (AdminSection::Dashboard, "/admin", "Dashboard"),
    (AdminSection::Analytics, "/admin/analytics", "Analytics"),
    (AdminSection::Users, "/admin/users", "Accounts"),
    (AdminSection::Stores, "/admin/sellers", "Stores"),
    (AdminSection::Orders, "/admin/orders", "Orders"),
    (AdminSection::Search, "/admin/search", "Search"),
    (
        AdminSection::Applications,
        "/admin/sellers/applications",
        "Seller applications",
    ),
    (AdminSection::Payouts, "/admin/payouts", "Payouts"),
    (AdminSection::Reviews, "/admin/reviews", "Reported reviews"),
    (AdminSection::Messages, "/admin/messages", "Flagged messages"),
    (AdminSection::Emails, "/admin/emails", "Emails"),
    (AdminSection::Audit, "/admin/audit", "Audit log"),
];

/// The admin screens' frame: their navigation and a link back to the storefront.
#[component]
pub fn AdminShell(section: AdminSection, children: Children) -> impl IntoView {
    let nav = move |class: &'static str| {
        view! {
            <ul class=class>
                {ADMIN_SECTIONS.iter().map(|(s, href, label)| {
                    let current = (*s == section).then_some("page");
                    view! { <li><a href=*href aria-current=current>{*label}</a></li> }
                }).collect_view()}
                <li><a href="/">"View the storefront"</a></li>
            </ul>
        }
    };
    view! {
        <Frame label="Admin" name="Bazaar admin".to_string() nav=nav>
            {children()}
        </Frame>
    }
}

/// A status as a badge with its words (colour is never the only signal).
#[component]
pub fn Badge(label: &'static str, #[prop(default = "neutral")] tone: &'static str) -> impl IntoView {
    view! { <span class=format!("badge badge--{tone}")>{label}</span> }
}

/// The link to a keyset list's next page, when there is one.
#[component]
pub fn NextPage(href: Option<String>) -> impl IntoView {
    href.map(|href| view! { <p><a class="button button--secondary" href=href>"Next page"</a></p> })
}

/// The notice after a change ("Application sent"), announced politely.
#[component]
pub fn Notice(text: Option<&'static str>) -> impl IntoView {
    view! {
        <div role="status">
            {text.map(|t| view! { <p class="alert alert--success">{t}</p> })}
        </div>
    }
}

/// A filter form's two date inputs (`from`, `to`: days as the input sends them) with their labels, and its
/// actions: the search button and, when the list is narrowed, "Clear filters" to `cleared`.
#[component]
pub fn DaysAndSearch(
    id: &'static str,
    from_label: &'static str,
    to_label: &'static str,
    from: String,
    to: String,
    narrowed: bool,
    cleared: String,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=format!("{id}-from")>{from_label}</label>
            <input id=format!("{id}-from") name="from" type="date" value=from/>
        </div>
        <div class="field">
            <label for=format!("{id}-to")>{to_label}</label>
            <input id=format!("{id}-to") name="to" type="date" value=to/>
        </div>
        <div class="filters__actions">
            <button class="button button--secondary" type="submit">"Search"</button>
            {narrowed.then(|| view! { <a href=cleared>"Clear filters"</a> })}
        </div>
    }
}
