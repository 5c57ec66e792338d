//! Server tests over HTTP against the real router on port 0, with a cookie-keeping client.
//!
//! One test binary (`http`), one module per concern; the fixtures they share are in [`support`]:
//! - `accounts`: registration, sign-in and sign-out, the session cookie, login throttling, password change, roles;
//! - `security`: the cross-site check, security headers and the CSP nonce, the 404 shell, readiness, internal errors;
//! - `catalog`: the REST API, storefront pages, the page cache, product images, search;
//! - `payments`: Stripe's webhook and the URLs a browser returns on from Stripe;
//! - `orders`: who may see and change an order, a payment session and a cart.

mod support;

mod accounts;
mod admin_analytics;
mod admin_dashboard;
mod admin_orders;
mod admin_search;
mod admin_stores;
mod admin_users;
mod back_in_stock;
mod catalog;
mod discovery;
mod fuzz;
mod hostile;
mod notifications;
mod orders;
mod passkeys;
mod payments;
mod privacy;
mod reviews;
mod security;
mod seller_forms;
mod seller_money;
mod seller_orders;
mod seller_payouts;
mod seller_probe;
mod sellers;
mod wishlist;
