pub mod account;
pub mod admin;
pub mod admin_emails;
pub mod admin_payouts;
pub mod admin_reviews;
pub mod cart;
pub mod checkout;
pub mod email_links;
pub mod errors;
pub mod home;
pub mod listing;
pub mod messages;
pub mod notifications;
pub mod password_reset;
pub mod privacy;
pub mod product;
pub mod returns;
pub mod reviews;
pub mod security;
pub mod sell;
pub mod seller;
pub mod two_factor;
pub mod wishlist;

use leptos::prelude::*;

use crate::error::AppError;

/// The error a plain (no-JS) form post of server function `S` brought back in the URL, if any.
pub fn url_error<S>() -> Option<AppError>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S: serde::de::DeserializeOwned,
    S::Output: Clone + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    action.value().get_untracked().and_then(Result::err)
}

/// The query parameter `next`, made safe.
pub fn next_param() -> String {
    let query = leptos_router::hooks::use_query_map();
    let next = query.with_untracked(|q| q.get("next")).unwrap_or_default();
    crate::api::safe_next(&next)
}
