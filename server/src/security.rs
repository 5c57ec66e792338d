//! Request-level defaults every route gets: a request id, the cross-site check on state-changing requests,
//! security headers (pages add their CSP nonce), the client address for throttling, and one log line per request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use app::ssr::RequestId;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::accounts::ClientKey;
use futures_util::FutureExt;

use crate::config::Config;

fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// The outermost layer: request id, access log line, security headers.
pub async fn request_context(State(config): State<Arc<Config>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
        .unwrap_or_else(|| random_token(8));
    let client = client_key(&req, config.trust_proxy_headers);
    let method = req.method().clone();
    let path = logged_path(req.uri().path());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    req.extensions_mut().insert(client);

    let personal = is_personal(&req);
    let response = match reject_cross_site(&req, &config).or_else(|| reject_foreign_encoding(&req)) {
        Some(rejection) => rejection,
        // A panic below becomes the generic 500 page with this request's id; the panic text goes to the log only.
        None => match std::panic::AssertUnwindSafe(next.run(req)).catch_unwind().await {
            Ok(response) => response,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(request_id, panic = what, "request handler panicked");
                panic_response(Some(&request_id))
            }
        },
    };
    let mut response = client_mistake_status(response).await;
    add_security_headers(response.headers_mut(), &config);
    // With a session cookie, a page is personal (the visitor's name and cart are on it); the site's files are not,
    // so browsers keep caching the wasm, CSS and pictures.
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if personal == Personal::Always || (personal == Personal::IfPage && html) {
        // Personal data (an account, an order, a checkout, a payment page) is never kept by a browser's cache or
        // its back/forward cache, nor by a shared cache: Back after paying must not show a live payment form.
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(target: "bazaar::access", %method, path, status, latency_ms, request_id, "request");
    response
}

/// The path as the access log keeps it: an unsubscribe link's token is left out (other links carry theirs in the
/// query, which is never logged).
fn logged_path(path: &str) -> String {
    if path.starts_with("/unsubscribe/") {
        "/unsubscribe/…".to_string()
    } else {
        path.to_string()
    }
}

fn client_key(req: &Request, trust_proxy_headers: bool) -> ClientKey {
    if trust_proxy_headers {
        if let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            return ClientKey(first.to_string());
        }
    }
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    ClientKey(addr)
}

/// Server functions have no CSRF token: a state-changing request is refused when the browser says it comes from
/// another site (`Sec-Fetch-Site`) or names a foreign `Origin`. Requests without either header (curl, other
/// servers) carry no ambient cookies from a victim's browser, so they pass.
fn reject_cross_site(req: &Request, config: &Config) -> Option<Response> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return Some(forbidden());
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        if !origin_allowed(origin, headers, config) {
            return Some(forbidden());
        }
    }
    None
}

fn origin_allowed(origin: &str, headers: &HeaderMap, config: &Config) -> bool {
    if origin == "null" {
        return false;
    }
    if let Some(public) = &config.public_url {
        return origin.eq_ignore_ascii_case(public);
    }
    // Without PUBLIC_URL the shop is where the request says it is: Origin must name the same host and port.
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    origin_host.eq_ignore_ascii_case(host)
}

/// A server function whose arguments could not be read (a missing field, bytes that are not UTF-8, a body over
/// the limit) is answered by Leptos with 500 and a `Transport` error: the client's mistake, so 400 (413 for the
/// size), with the same body. Our own failures keep their 500 (they are `Internal`, with a reference).
async fn client_mistake_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR || !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => bytes,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    if bytes.starts_with(b"{\"Transport\"") {
        let text = String::from_utf8_lossy(&bytes);
        parts.status = if text.contains("length limit") {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Whether an answer carries personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Personal {
    /// The account, orders, checkout, payment and cart pages, the mailbox, admin screens, every server function.
    Always,
    /// A page rendered for a visitor with a session (their name and cart count are on it).
    IfPage,
    /// Anonymous catalog pages, the public REST API, the site's files.
    No,
}

fn is_personal(req: &Request) -> Personal {
    const PERSONAL: [&str; 11] = [
        "/account",
        // An unsubscribe link names an account by its token.
        "/unsubscribe/",
        // `/sell` and the seller portal under `/seller`.
        "/sell",
        "/orders",
        "/checkout",
        "/cart",
        "/pay/",
        "/dev/",
        "/admin",
        "/login",
        "/register",
    ];
    let path = req.uri().path();
    if PERSONAL.iter().any(|p| path.starts_with(p)) || (path.starts_with("/api/") && !path.starts_with("/api/v1/")) {
        Personal::Always
    } else if req.headers().contains_key(header::COOKIE) {
        Personal::IfPage
    } else {
        Personal::No
    }
}

/// Server functions take only the encoding our forms and islands send (`application/x-www-form-urlencoded`):
/// a `text/plain` body (which a cross-site form may send without a preflight) or any other is refused with 415.
fn reject_foreign_encoding(req: &Request) -> Option<Response> {
    let path = req.uri().path();
    if req.method() != Method::POST || !path.starts_with("/api/") || path.starts_with("/api/v1/") {
        return None;
    }
    let acceptable = match req.headers().get(header::CONTENT_TYPE) {
        Some(value) => value.to_str().ok().is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        }),
        // A post without a body (a sign-out button) says no type; a body without a type is refused.
        None => req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|n| n.trim() == "0"),
    };
    if acceptable {
        return None;
    }
    Some(
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Send this form as application/x-www-form-urlencoded.",
        )
            .into_response(),
    )
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Cross-site request refused.",
    )
        .into_response()
}

fn add_security_headers(headers: &mut HeaderMap, config: &Config) {
    // Pages set their own CSP with their nonce (app::ssr::set_page_csp); everything else gets the strict one.
    let csp = app::ssr::content_security_policy(None, config.dev_mode, "");
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.entry(name).or_insert(value);
        }
    };
    set("content-security-policy", &csp);
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "strict-origin-when-cross-origin");
    set("x-frame-options", "DENY");
    set("permissions-policy", "camera=(), microphone=(), geolocation=()");
    if config.is_https() {
        set("strict-transport-security", "max-age=63072000; includeSubDomains");
    }
}

/// The answer to a panic anywhere below: a plain 500 page with the request id, never the panic text.
pub fn panic_response(request_id: Option<&str>) -> Response<Body> {
    let reference = request_id.unwrap_or("unknown");
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Something went wrong · Bazaar</title>\
         <link rel=\"stylesheet\" href=\"/pkg/bazaar.css\"></head><body><main class=\"error-page\">\
         <h1>Something went wrong</h1><p>We could not finish your request. Please try again in a moment.</p>\
         <p>If it keeps happening, contact support and quote reference <code>{}</code>.</p>\
         <p><a href=\"/\">Back to the shop</a></p></main></body></html>",
        model::escape_html(reference)
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_match_the_host_without_public_url() {
        let config = Config::from_lookup(|_| None).expect("config");
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:3000"));
        assert!(origin_allowed("http://127.0.0.1:3000", &headers, &config));
        assert!(!origin_allowed("http://evil.example", &headers, &config));
        assert!(!origin_allowed("http://127.0.0.1:3000.evil.example", &headers, &config));
        assert!(!origin_allowed("null", &headers, &config));
    }
}
