//! Counting product page views for the sales dashboard's conversion: each product page answered (rendered, from
//! the page cache, or revalidated) counts one view of its slug in memory; the order workers write the counts every
//! 5 seconds (`domain::money::views`). No database write per view; prefetches are not views.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use domain::money::views::ViewCounter;

pub async fn middleware(State(views): State<Option<Arc<ViewCounter>>>, req: Request, next: Next) -> Response {
    let Some(views) = views else {
        return next.run(req).await;
    };
    let slug = (req.method() == Method::GET && !crate::analytics::prefetch(req.headers()))
        .then(|| req.uri().path().strip_prefix("/p/").map(str::to_string))
        .flatten()
        .filter(|slug| !slug.is_empty() && !slug.contains('/'));
    let response = next.run(req).await;
    if let Some(slug) = slug {
        // Only a page that exists: an unknown slug answers 404 and counts nothing.
        if matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
            views.count(&slug);
        }
    }
    response
}

/// Writes the views counted since the last write (a failure keeps them for the next).
pub async fn flush(services: &app::ssr::Services) {
    if let Some(views) = &services.views {
        if let Err(e) = views.flush(&services.db).await {
            tracing::warn!(error = %e, "product views not written; kept for the next write");
        }
    }
}
