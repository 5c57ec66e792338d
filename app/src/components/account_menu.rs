use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::UserView;
use wasm_bindgen::JsCast;

use crate::api::accounts::Logout;

/// The header's account menu: server-rendered markup (name, email, links, a plain log-out form) inside a small
/// island that only opens and closes it. The menu opens only once the page has hydrated, which is also how the
/// end-to-end tests know hydration happened.
#[component]
pub fn AccountMenu(user: UserView) -> impl IntoView {
    view! {
        <MenuDisclosure>
            <button
                type="button"
                class="account-menu__button"
                aria-haspopup="true"
                aria-expanded="false"
                aria-controls="account-menu-list"
            >
                <span class="avatar" aria-hidden="true">{user.initial()}</span>
                <span class="account-menu__name">{user.name.clone()}</span>
                <span class="visually-hidden">" account menu"</span>
            </button>
            <ul id="account-menu-list" class="account-menu__list" hidden=true>
                <li class="account-menu__who">"Signed in as " {user.email.clone()}</li>
                <li><a href="/account">"Your account"</a></li>
                <li><a href="/account/orders">"Your orders"</a></li>
                <li><a href="/account/reviews">"Your reviews"</a></li>
                <li><a href="/wishlist">"Your wishlist"</a></li>
                {user.is_admin().then(|| view! { <li><a href="/admin">"Admin dashboard"</a></li> })}
                {match user.role {
                    model::Role::Seller => Some(view! { <li><a href="/seller">"Seller portal"</a></li> }),
                    model::Role::Shopper => Some(view! { <li><a href="/sell">"Sell on Bazaar"</a></li> }),
                    model::Role::Admin => None,
                }}
                <li>
                    <form method="post" action=Logout::url()>
                        <button type="submit">"Log out"</button>
                    </form>
                </li>
            </ul>
        </MenuDisclosure>
        // Without JavaScript the menu cannot open: signing out must still work.
        <noscript>
            <form method="post" action=Logout::url() class="account-menu__fallback">
                <button type="submit">"Log out"</button>
            </form>
        </noscript>
    }
}

/// Opens and closes the disclosure inside it: a click on its button toggles the list, Escape closes it. It works on
/// the DOM the server rendered (children are not re-rendered in the browser), so it takes no props and needs no
/// serde in the bundle (decision 0008).
#[island]
pub fn MenuDisclosure(children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    let set_open = move |open: bool| {
        let Some(root) = root.get_untracked() else {
            return;
        };
        if let Ok(Some(button)) = root.query_selector("button[aria-controls]") {
            let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
        }
        if let Ok(Some(list)) = root.query_selector("ul") {
            let _ = if open {
                list.remove_attribute("hidden")
            } else {
                list.set_attribute("hidden", "")
            };
        }
    };
    let is_open = move || {
        root.get_untracked()
            .and_then(|r| r.query_selector("button[aria-controls]").ok().flatten())
            .and_then(|b| b.get_attribute("aria-expanded"))
            .as_deref()
            == Some("true")
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let on_button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("button[aria-controls]").ok().flatten())
            .is_some();
        if on_button {
            set_open(!is_open());
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            set_open(false);
        }
    };
    mark_hydrated();
    view! {
        <div class="account-menu" node_ref=root on:click=on_click on:keydown=on_keydown>
            {children()}
        </div>
    }
}

/// Sets `data-hydrated` on the body once the islands run; the end-to-end tests wait for it.
fn mark_hydrated() {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Marks hydration for pages without an account menu (signed-out visitors).
#[island]
pub fn HydrationMarker() -> impl IntoView {
    mark_hydrated();
}
