//! Pieces of pages an island fills in after load. `GET /fragments/recently-viewed?ids=1,2,3` answers the cards of
//! those products still on sale, as the same HTML every listing shows (decision 0044); the browser keeps the ids.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::ssr::Services;

#[derive(Deserialize)]
pub struct RecentQuery {
    #[serde(default)]
    ids: String,
}

pub async fn recently_viewed(State(services): State<Services>, Query(query): Query<RecentQuery>) -> Response {
    let ids = match domain::discovery::recent::parse_ids(&query.ids) {
        Ok(ids) => ids,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    match domain::catalog::cards_by_ids(&services.db, &ids).await {
        Ok(cards) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                // Public products only, the same for everyone who names the same ids.
                (header::CACHE_CONTROL, "public, max-age=60"),
            ],
            app::components::discovery::cards_html(cards),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "recently viewed cards failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
