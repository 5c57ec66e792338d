#![recursion_limit = "256"]
//! Bazaar's UI. Rendered on the server for every page; only `#[island]` components are shipped to the browser
//! as wasm and hydrated (docs/decisions/0003-islands.md).

pub mod api;
pub mod components;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};
use model::UserView;

use components::account_menu::HydrationMarker;
use components::layout::{Footer, Header};
use pages::account::{AccountPage, LoginPage, RegisterPage};
use pages::admin::AdminPage;
use pages::errors::NotFoundPage;
use pages::home::HomePage;
use pages::listing::{CategoryPage, SearchPage, StorePage};
use pages::product::ProductPage;

pub use error::AppError;

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <leptos_meta::MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

pub use model::url_encode;

/// The signed-in user of the request being rendered (server only: islands take no props, decision 0008).
pub fn request_user() -> Option<UserView> {
    #[cfg(feature = "ssr")]
    {
        ssr::current_user()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Units in the visitor's cart, for the header (server only).
pub fn request_cart_count() -> i64 {
    #[cfg(feature = "ssr")]
    {
        ssr::cart_count()
    }
    #[cfg(not(feature = "ssr"))]
    {
        0
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    ssr::set_page_csp();
    let user = request_user();
    view! {
        <Stylesheet id="leptos" href="/pkg/bazaar.css"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Title formatter=|text: String| format!("{} · Bazaar", escape_head_text(&text))/>
        <Router>
            <Header user=user.clone() cart_count=request_cart_count()/>
            <main id="main">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("login") view=LoginPage/>
                    <Route path=path!("register") view=RegisterPage/>
                    <Route path=path!("forgot-password") view=pages::password_reset::ForgotPasswordPage/>
                    <Route path=path!("account/email") view=pages::email_links::EmailChangePage ssr=SsrMode::Async/>
                    <Route path=path!("login/two-factor") view=pages::two_factor::TwoFactorLoginPage ssr=SsrMode::Async/>
                    <Route path=path!("account/two-factor") view=pages::two_factor::TwoFactorPage ssr=SsrMode::Async/>
                    <Route path=path!("account/security") view=pages::security::SecurityPage ssr=SsrMode::Async/>
                    <Route path=path!("account/privacy") view=pages::privacy::PrivacyPage ssr=SsrMode::Async/>
                    <Route path=path!("account/notifications") view=pages::notifications::NotificationsPage ssr=SsrMode::Async/>
                    <Route path=path!("unsubscribe/:token/:topic") view=pages::notifications::UnsubscribePage/>
                    <Route path=path!("account/erased") view=pages::privacy::ErasedPage/>
                    <Route path=path!("verify-email") view=pages::email_links::VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("back-in-stock") view=pages::email_links::BackInStockLinkPage ssr=SsrMode::Async/>
                    <Route path=path!("reset-password") view=pages::password_reset::ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("account") view=AccountPage/>
                    <Route path=path!("account/reviews") view=pages::reviews::AccountReviewsPage ssr=SsrMode::Async/>
                    <Route path=path!("account/reviews/write") view=pages::reviews::WriteReviewPage ssr=SsrMode::Async/>
                    <Route path=path!("help/reviews") view=pages::reviews::HowReviewsWorkPage/>
                    <Route path=path!("admin/reviews") view=pages::admin_reviews::AdminReviewsPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/emails") view=pages::admin_emails::AdminEmailsPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/reviews") view=pages::seller::reviews::SellerReviewsPage ssr=SsrMode::Async/>
                    <Route path=path!("admin") view=AdminPage/>
                    <Route path=path!("admin/analytics") view=pages::admin::analytics::AdminAnalyticsPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/search") view=pages::admin::search::AdminSearchPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/search/synonyms/:id") view=pages::admin::search::AdminSynonymPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/users") view=pages::admin::users::AdminUsersPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/users/:id") view=pages::admin::users::AdminUserPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/audit") view=pages::admin::audit::AuditLogPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/sellers") view=pages::admin::stores::AdminStoresPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/orders") view=pages::admin::orders::AdminOrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/orders/:number") view=pages::admin::orders::AdminOrderPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/orders/:number/refund") view=pages::admin::order_refund::AdminRefundPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/sellers/applications") view=pages::admin::SellerApplicationsPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/sellers/:id") view=pages::admin::stores::AdminStorePage ssr=SsrMode::Async/>
                    <Route path=path!("admin/payouts") view=pages::admin_payouts::PayoutsPage ssr=SsrMode::Async/>
                    <Route path=path!("sell") view=pages::sell::SellPage ssr=SsrMode::Async/>
                    <Route path=path!("seller") view=pages::seller::SellerHomePage ssr=SsrMode::Async/>
                    <Route path=path!("seller/orders") view=pages::seller::orders::SellerOrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/orders/slips") view=pages::seller::slips::PackingSlipsPage ssr=SsrMode::Async/>
                    <Route path=path!("orders/:number/returns/:order") view=pages::returns::ReturnPage ssr=SsrMode::Async/>
                    <Route path=path!("orders/:number/messages/:order") view=pages::messages::MessagePage ssr=SsrMode::Async/>
                    <Route path=path!("admin/messages") view=pages::admin::AdminMessagesPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/orders/:number") view=pages::seller::orders::SellerOrderPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/orders/:number/slip") view=pages::seller::slips::PackingSlipPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/products") view=pages::seller::products::SellerProductsPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/stock") view=pages::seller::stock::SellerStockPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/settings") view=pages::seller::settings::SellerSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/promotions") view=pages::seller::promotions::SellerPromotionsPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/money") view=pages::seller::money::SellerMoneyPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/money/disputes/:id") view=pages::seller::disputes::SellerDisputePage ssr=SsrMode::Async/>
                    <Route path=path!("seller/archive") view=pages::seller::products::ArchiveConfirmPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/products/import") view=pages::seller::import::SellerImportPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/products/import/:id") view=pages::seller::import::ImportReportPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/products/:id") view=pages::seller::editor::SellerProductEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("seller/products/:id/preview") view=pages::seller::editor::SellerProductPreviewPage ssr=SsrMode::Async/>
                    <Route path=path!("cart") view=pages::cart::CartPage ssr=SsrMode::Async/>
                    <Route path=path!("wishlist") view=pages::wishlist::WishlistPage ssr=SsrMode::Async/>
                    <Route path=path!("checkout") view=pages::checkout::CheckoutPage ssr=SsrMode::Async/>
                    <Route path=path!("checkout/review") view=pages::checkout::ReviewPage ssr=SsrMode::Async/>
                    <Route path=path!("pay/test/:session") view=pages::checkout::TestPaymentPage ssr=SsrMode::Async/>
                    <Route path=path!("orders/:number") view=pages::checkout::OrderPage ssr=SsrMode::Async/>
                    <Route path=path!("account/orders") view=pages::checkout::OrderHistoryPage ssr=SsrMode::Async/>
                    <Route path=path!("dev/mailbox") view=pages::checkout::MailboxPage ssr=SsrMode::Async/>
                    // Async: the status (404 for an unknown slug) is known before the first byte is sent.
                    <Route path=path!("search") view=SearchPage ssr=SsrMode::Async/>
                    <Route path=path!("c/:slug") view=CategoryPage ssr=SsrMode::Async/>
                    <Route path=path!("p/:slug") view=ProductPage ssr=SsrMode::Async/>
                    <Route path=path!("store/:slug") view=StorePage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <Footer/>
            {user.is_none().then(|| view! { <HydrationMarker/> })}
        </Router>
    }
}

/// Text for `<title>`: leptos_meta writes the title into the head as it is, so a search query or a product's
/// title with markup in it would otherwise end the element and inject tags (`</title><meta http-equiv=…>`).
pub fn escape_head_text(text: &str) -> String {
    model::escape_html(text)
}

#[cfg(test)]
mod head_text_tests {
    #[test]
    fn markup_in_a_title_stays_text() {
        assert_eq!(
            super::escape_head_text("</title><b>hi</b> & \"x\""),
            "&lt;/title&gt;&lt;b&gt;hi&lt;/b&gt; &amp; &quot;x&quot;"
        );
    }
}
