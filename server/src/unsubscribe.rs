//! RFC 8058 one-click unsubscribe: the address an optional mail's `List-Unsubscribe` header names. A mail provider
//! posts `List-Unsubscribe=One-Click` to it for the person, without cookies; the token in the path is what names
//! the account, and it can do nothing but turn one kind of mail off (decision 0045). A person who opens the address
//! in a browser is sent to the page that asks first, since a link scanner's GET must never unsubscribe anyone.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use model::notifications::Topic;

use app::ssr::Services;

/// The path of the page that asks, for a person who opened the one-click address.
pub async fn one_click_page(Path((token, topic)): Path<(String, String)>) -> Response {
    match parse(&token, &topic) {
        Some((token, topic)) => Redirect::to(&format!("/unsubscribe/{token}/{}", topic.as_str())).into_response(),
        None => not_found(),
    }
}

/// `POST /unsubscribe/one-click/{token}/{topic}` with the body `List-Unsubscribe=One-Click`.
pub async fn one_click(
    State(services): State<Services>,
    Path((token, topic)): Path<(String, String)>,
    body: String,
) -> Response {
    let Some((token, topic)) = parse(&token, &topic) else {
        return not_found();
    };
    if !one_click_body(&body) {
        return (StatusCode::BAD_REQUEST, "Send List-Unsubscribe=One-Click (RFC 8058).").into_response();
    }
    match domain::notifications::prefs::unsubscribe(&services.db, token, topic).await {
        Ok(true) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("Unsubscribed: no more {}.", topic.label()),
        )
            .into_response(),
        Ok(false) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "one-click unsubscribe failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// RFC 8058's body, `List-Unsubscribe=One-Click`, form-encoded or (as the RFC prefers) `multipart/form-data`.
fn one_click_body(body: &str) -> bool {
    let encoded = body.split('&').any(|pair| pair.trim() == "List-Unsubscribe=One-Click");
    let multipart = body.contains("name=\"List-Unsubscribe\"") && body.contains("One-Click");
    encoded || multipart
}

/// A token as the shop makes them (32 hex digits) and a known topic, or nothing.
fn parse<'a>(token: &'a str, topic: &str) -> Option<(&'a str, Topic)> {
    let well_formed = token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit());
    Some((token, Topic::parse(topic)?)).filter(|_| well_formed)
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "This unsubscribe link is not known.").into_response()
}
