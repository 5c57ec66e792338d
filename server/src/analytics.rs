//! Recording what shoppers do for the admin's analytics (`domain::analytics`, decision 0054): each storefront page
//! answered (rendered, from the page cache, or revalidated) is a page view of its page type, a search page's first
//! page is also a search with its result count (`app::ssr::RESULTS_HEADER`, taken off the response here), and
//! server functions record additions to the cart and orders placed through the visitor this middleware puts on
//! the request (`app::ssr::AnalyticsVisitor`). No database write per request: the order workers flush every
//! second.
//!
//! Not recorded: browsers that send `Sec-GPC: 1` or `DNT: 1`, prefetches, robots that say so in their user
//! agent, and every route that is not a shopper's page.

use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use domain::accounts::ClientKey;
use domain::analytics::{Event, PageType, Recorder, Visitor};

pub async fn middleware(State(recorder): State<Option<Arc<Recorder>>>, mut req: Request, next: Next) -> Response {
    let visitor = recorder.as_ref().and_then(|_| visitor_of(&req));
    let (Some(recorder), Some(visitor)) = (recorder, visitor) else {
        // Analytics off, or a browser not recorded: the count is the recorder's only.
        let mut response = next.run(req).await;
        response.headers_mut().remove(app::ssr::RESULTS_HEADER);
        return response;
    };
    req.extensions_mut().insert(app::ssr::AnalyticsVisitor(visitor));
    let page = (req.method() == Method::GET && !prefetch(req.headers()))
        .then(|| PageType::of_path(req.uri().path()))
        .flatten();
    let search = (page == Some(PageType::Search))
        .then(|| first_page_words(&req))
        .flatten();
    let mut response = next.run(req).await;
    let results = response
        .headers_mut()
        .remove(app::ssr::RESULTS_HEADER)
        .and_then(|v| v.to_str().ok().and_then(|v| v.parse::<i64>().ok()));
    let Some(page) = page else {
        return response;
    };
    // Only a page that exists and is a page: an unknown path answers 404, a redirect is not viewed.
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let shown = match response.status() {
        StatusCode::OK => html,
        StatusCode::NOT_MODIFIED => true,
        _ => false,
    };
    if shown {
        recorder.record(Event::page_view(visitor, page));
        if let (Some(words), Some(results)) = (search, results) {
            if let Some(event) = Event::search(visitor, &words, results) {
                recorder.record(event);
            }
        }
    }
    response
}

/// The visitor a request is recorded as: a digest of its client address and user agent; `None` for a browser
/// that asks not to be tracked or a robot that names itself.
fn visitor_of(req: &Request) -> Option<Visitor> {
    let headers = req.headers();
    let says_one = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim) == Some("1");
    if says_one("sec-gpc") || says_one("dnt") {
        return None;
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let lower = agent.to_ascii_lowercase();
    if ["bot", "crawler", "spider", "slurp"].iter().any(|w| lower.contains(w)) {
        return None;
    }
    let address = req.extensions().get::<ClientKey>().map_or("unknown", |k| k.0.as_str());
    Some(Visitor::from_client(address, agent))
}

/// A search page's words when it is the first page of results (the next pages are the same search).
fn first_page_words(req: &Request) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Search {
        #[serde(default)]
        q: String,
        #[serde(default)]
        page: Option<String>,
    }
    let Query(search) = Query::<Search>::try_from_uri(req.uri()).ok()?;
    let first = search
        .page
        .as_deref()
        .is_none_or(|p| p.trim().is_empty() || p.trim() == "1");
    (first && !search.q.trim().is_empty()).then_some(search.q)
}

/// A browser fetching a page ahead of a click (`Sec-Purpose: prefetch`, or the older `Purpose`).
pub(crate) fn prefetch(headers: &HeaderMap) -> bool {
    ["sec-purpose", "purpose"].iter().any(|name| {
        headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("prefetch"))
    })
}

/// Writes the events recorded since the last flush (a failure keeps them for the next).
pub async fn flush(services: &app::ssr::Services) {
    if let Some(recorder) = &services.analytics {
        if let Err(e) = recorder.flush(&services.db).await {
            tracing::warn!(error = %e, "analytics events not written; kept for the next write");
        }
    }
}

/// Deletes raw events and visitor keys older than `ANALYTICS_KEEP_DAYS` (from housekeeping, every 5 minutes).
pub async fn forget_old(services: &app::ssr::Services) {
    let Some(recorder) = &services.analytics else {
        return;
    };
    match recorder.forget_old(&services.db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(events = n, "old analytics events deleted"),
        Err(e) => tracing::warn!(error = %e, "old analytics events not deleted; will retry"),
    }
}
