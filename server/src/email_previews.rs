//! `GET /admin/emails/preview/{key}`: the HTML part of one of the shop's messages with sample facts, for the
//! frame on `/admin/emails`. Served with a policy of its own: inline styles (as mail clients see them), no script,
//! no form, framed only by the shop's own pages.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use app::ssr::CurrentActor;

pub async fn preview(actor: Option<Extension<CurrentActor>>, Path(key): Path<String>) -> Response {
    let actor = actor
        .map(|Extension(CurrentActor(a))| a)
        .unwrap_or_else(domain::Actor::visitor);
    let Ok(all) = domain::notifications::samples::for_admin(&actor) else {
        return (StatusCode::NOT_FOUND, "Not found.").into_response();
    };
    match all.into_iter().find(|p| p.key == key && !p.html.is_empty()) {
        Some(p) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; \
                     form-action 'none'; base-uri 'none'",
                ),
                (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            p.html,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "No such message.").into_response(),
    }
}
