//! Errors of plain (no-JavaScript) form posts travel in the session, never in a URL someone else can write.
//!
//! Leptos answers a failed form post with a redirect to the form's page carrying the error in `__err` (and the
//! server function in `__path`), and the page renders whatever error such a URL carries — so a link like
//! `/login?__err=<base64 of "Your account is suspended. Call …">` would show an attacker's text as ours. Here:
//! - on the way out of a server function, the error is taken out of the redirect and kept in the session, and a
//!   redirect to another site (a foreign `Referer`) becomes a redirect to our home page;
//! - on the way into a page, `__err`/`__path` in the URL are dropped, and the session's error (if it was kept
//!   for this page) is put back for Leptos to render, once.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, Uri};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const KEY: &str = "form_error";
/// Longer encoded errors are not kept (ours are a few hundred bytes): the session stays small.
const MAX_ENCODED: usize = 4096;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeptError {
    /// The page it is for.
    page: String,
    server_fn: String,
    encoded: String,
}

pub async fn middleware(session: Session, mut req: Request, next: Next) -> Response {
    let is_server_fn = req.method() == Method::POST && req.uri().path().starts_with("/api/");
    if is_server_fn {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut response = next.run(req).await;
        keep_error(&session, &mut response, host.as_deref()).await;
        return response;
    }
    if req.method() == Method::GET {
        let kept: Option<KeptError> = session.get(KEY).await.ok().flatten();
        let (path, pairs) = split(req.uri());
        let forged = pairs.iter().any(|(k, _)| k == "__err" || k == "__path");
        let mine = kept.as_ref().filter(|k| k.page == path);
        if forged || mine.is_some() {
            let mut query: Vec<(String, String)> = pairs
                .into_iter()
                .filter(|(k, _)| k != "__err" && k != "__path")
                .collect();
            if let Some(kept) = mine {
                query.push(("__path".into(), kept.server_fn.clone()));
                query.push(("__err".into(), kept.encoded.clone()));
                let _ = session.remove::<KeptError>(KEY).await;
            }
            if let Some(uri) = rebuild(&path, &query) {
                *req.uri_mut() = uri;
            }
        }
    }
    next.run(req).await
}

/// The path and decoded query pairs of a URI.
fn split(uri: &Uri) -> (String, Vec<(String, String)>) {
    let pairs = uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    (uri.path().to_string(), pairs)
}

fn rebuild(path: &str, query: &[(String, String)]) -> Option<Uri> {
    if query.is_empty() {
        return path.parse().ok();
    }
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query.iter())
        .finish();
    format!("{path}?{encoded}").parse().ok()
}

/// Takes the error out of a server function's redirect into the session; keeps the redirect on this site.
async fn keep_error(session: &Session, response: &mut Response, host: Option<&str>) {
    let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return;
    };
    // A fragment (`#review-12`: where the page should scroll to) is not part of a URI: kept aside, put back after.
    let (location, fragment) = match location.split_once('#') {
        Some((before, after)) if after.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
            (before.to_string(), format!("#{after}"))
        }
        Some((before, _)) => (before.to_string(), String::new()),
        None => (location, String::new()),
    };
    let Some(local) = same_site_path(&location, host) else {
        tracing::warn!(location, "a form's redirect pointed at another site; sent home instead");
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/"));
        return;
    };
    let Ok(uri) = local.parse::<Uri>() else {
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/"));
        return;
    };
    let (path, pairs) = split(&uri);
    let take = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    if let (Some(server_fn), Some(encoded)) = (take("__path"), take("__err")) {
        if encoded.len() <= MAX_ENCODED {
            let kept = KeptError {
                page: path.clone(),
                server_fn,
                encoded,
            };
            if let Err(e) = session.insert(KEY, kept).await {
                tracing::error!(error = %e, "could not keep a form's error in the session");
            }
        }
    }
    let rest: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| k != "__err" && k != "__path")
        .collect();
    let target = rebuild(&path, &rest).map_or_else(|| "/".to_string(), |u| format!("{u}{fragment}"));
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(header::LOCATION, value);
    }
}

/// `location` as a path on this site: a path (not `//host`), or an absolute URL whose host is ours.
fn same_site_path(location: &str, host: Option<&str>) -> Option<String> {
    if location.starts_with('/') && !location.starts_with("//") && !location.starts_with("/\\") {
        return Some(location.to_string());
    }
    let rest = location
        .strip_prefix("http://")
        .or_else(|| location.strip_prefix("https://"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    (Some(authority) == host).then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::same_site_path;

    #[test]
    fn only_our_own_site_is_a_redirect_target() {
        let host = Some("shop.example:3000");
        assert_eq!(same_site_path("/login?x=1", host).as_deref(), Some("/login?x=1"));
        assert_eq!(
            same_site_path("http://shop.example:3000/cart?a=b", host).as_deref(),
            Some("/cart?a=b")
        );
        assert_eq!(same_site_path("https://evil.example/login", host), None);
        assert_eq!(same_site_path("//evil.example/", host), None);
        assert_eq!(same_site_path("http://shop.example:3000.evil.example/", host), None);
    }
}
