//! The storefront shell around every page: header, footer. Server-rendered; the account menu and the search box are islands.

use leptos::prelude::*;
use model::UserView;

use crate::components::account_menu::AccountMenu;
use crate::components::search_box::SearchBox;

#[component]
pub fn Header(user: Option<UserView>, cart_count: i64) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="logo" href="/" aria-label="Bazaar home">
                    <span class="logo__mark" aria-hidden="true">"B"</span>
                    <span>"Bazaar"</span>
                </a>
                <SearchBox/>
                <nav class="header-actions" aria-label="Account and cart">
                    <a class="header-link cart-link" href="/cart">
                        "Cart" <span class="cart-link__count" data-cart-count aria-label=cart_count_label(cart_count)>{cart_count}</span>
                    </a>
                    {match user {
                        Some(user) => view! {
                            {user.is_admin().then(|| view! { <a class="header-link" href="/admin">"Admin"</a> })}
                            {(user.role == model::Role::Seller).then(|| view! { <a class="header-link" href="/seller">"Seller portal"</a> })}
                            <AccountMenu user=user/>
                        }.into_any(),
                        None => view! {
                            <a class="header-link" href="/login">"Log in"</a>
                            <a class="button" href="/register">"Register"</a>
                        }.into_any(),
                    }}
                </nav>
            </div>
        </header>
    }
}

/// The cart count's accessible text ("1 item in cart"); the add-to-cart island writes the same words.
pub fn cart_count_label(count: i64) -> String {
    format!("{count} item{} in cart", if count == 1 { "" } else { "s" })
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="site-footer__inner">
                <p>"© 2026 Bazaar · a marketplace of independent sellers"</p>
                <nav aria-label="Footer">
                    <ul>
                        <li><a href="/">"Home"</a></li>
                        <li><a href="/account">"Your account"</a></li>
                        <li><a href="/wishlist">"Wishlist"</a></li>
                        <li><a href="/sell">"Sell on Bazaar"</a></li>
                    </ul>
                </nav>
            </div>
        </footer>
    }
}
