//! A cache of rendered catalog pages for visitors without a session, invalidated through the search outbox.
//!
//! A product page depends on the product, its variants and stock; every change to those writes an outbox row,
//! and the indexer hands the product ids it applied to [`PageCache::invalidate`], so a price or stock change
//! shows within the indexer's period (250 ms). Listing pages (home, categories, stores, search) may show any
//! product, so every invalidation drops all of them. Signed-in visitors (any session cookie) always get a fresh
//! render, and product pages with a query string too.
//!
//! Each answer gets its own CSP nonce: the cached HTML keeps the nonce it was rendered with, which is replaced
//! by a fresh one in the body and the header of every response.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Db;

/// Bounded so a crawler walking 100,000 products cannot grow memory without end (~30 KB per page).
const MAX_ENTRIES: usize = 4_096;
const MAX_BODY: usize = 1 << 20;
/// Longer listing queries (a pasted essay in the search box) are rendered every time rather than kept.
const MAX_QUERY: usize = 512;

struct Entry {
    /// The product a product page shows; `None` for a listing, which any product change may alter.
    product_id: Option<i64>,
    /// The other products a product page shows cards of ("also bought", "similar"): a change to one drops it too.
    shows: Vec<i64>,
    /// The page as rendered, cut where its nonce was: an answer is these with a fresh nonce between them (one
    /// copy, no search through the page on every hit).
    pieces: Vec<String>,
    nonce: String,
    headers: HeaderMap,
    /// The page as rendered, without its nonce: the first half of every answer's ETag.
    fingerprint: String,
}

#[derive(Default)]
struct Inner {
    pages: HashMap<String, Arc<Entry>>,
}

pub struct PageCache {
    db: Db,
    inner: RwLock<Inner>,
    /// Bumped by every invalidation: a render that started before one is not stored (it may be stale).
    generation: AtomicU64,
    session_cookie: &'static str,
}

impl PageCache {
    pub fn new(db: Db, session_cookie: &'static str) -> PageCache {
        PageCache {
            db,
            inner: RwLock::new(Inner::default()),
            generation: AtomicU64::new(0),
            session_cookie,
        }
    }

    /// Drops the pages of these products, the product pages showing their cards, and every listing.
    pub fn invalidate(&self, product_ids: &[i64]) {
        if product_ids.is_empty() {
            return;
        }
        // A set: a whole store announced at once (thousands of ids) must not hold the lock for long.
        let product_ids: HashSet<i64> = product_ids.iter().copied().collect();
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut inner) = self.inner.write() {
            inner.pages.retain(|_, e| {
                e.product_id.is_some_and(|id| !product_ids.contains(&id))
                    && !e.shows.iter().any(|id| product_ids.contains(id))
            });
        }
    }

    pub fn len(&self) -> usize {
        self.inner.read().map(|i| i.pages.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, path: &str) -> Option<Arc<Entry>> {
        self.inner.read().ok()?.pages.get(path).cloned()
    }

    fn put(&self, path: String, entry: Entry, generation: u64) {
        let Ok(mut inner) = self.inner.write() else { return };
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if inner.pages.len() >= MAX_ENTRIES {
            // Any entry will do: what matters is the bound, and hot pages come straight back.
            if let Some(victim) = inner.pages.keys().next().cloned() {
                inner.pages.remove(&victim);
            }
        }
        inner.pages.insert(path, Arc::new(entry));
    }

    fn cacheable(&self, req: &Request) -> bool {
        let uri = req.uri();
        let path = uri.path();
        let page = (path.starts_with("/p/") && uri.query().is_none())
            || ((path == "/" || path == "/search" || path.starts_with("/c/") || path.starts_with("/store/"))
                && uri.query().is_none_or(|q| q.len() <= MAX_QUERY));
        req.method() == Method::GET
            && page
            && !req
                .headers()
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|c| c.split(';').any(|p| p.trim().starts_with(self.session_cookie)))
    }
}

fn fresh_nonce() -> String {
    // Hex digits are valid in a CSP nonce (base64 alphabet), and 128 random bits are plenty.
    format!("{:032x}", rand::random::<u128>())
}

fn nonce_of(headers: &HeaderMap) -> Option<String> {
    let csp = headers.get(header::CONTENT_SECURITY_POLICY)?.to_str().ok()?;
    let start = csp.find("'nonce-")? + "'nonce-".len();
    let len = csp[start..].find('\'')?;
    Some(csp[start..start + len].to_string())
}

/// The validator of one answer: the page's fingerprint and the nonce that answer's body carries. A browser
/// revalidating its copy sends it back, so a 304 can carry the policy whose nonce matches the scripts of the body
/// the browser keeps (it applies the 304's headers to that body; a fresh nonce there would block every inline
/// script of the page).
fn etag_of(fingerprint: &str, nonce: &str) -> String {
    format!("W/\"{fingerprint}-{nonce}\"")
}

/// The nonce of the browser's copy, when `If-None-Match` names this page as rendered now.
fn revalidated_nonce(req_headers: &HeaderMap, fingerprint: &str) -> Option<String> {
    let tags = req_headers.get(header::IF_NONE_MATCH)?.to_str().ok()?;
    tags.split(',').find_map(|tag| {
        let inner = tag.trim().strip_prefix("W/\"")?.strip_suffix('"')?;
        let (print, nonce) = inner.split_once('-')?;
        let well_formed = nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_hexdigit());
        (print == fingerprint && well_formed).then(|| nonce.to_string())
    })
}

/// The entry's headers with its policy's nonce replaced by `nonce`.
fn headers_with_nonce(entry: &Entry, nonce: &str) -> HeaderMap {
    let mut headers = entry.headers.clone();
    if let Some(csp) = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
    {
        if let Ok(v) = HeaderValue::from_str(&csp.replace(&entry.nonce, nonce)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    headers
}

fn answer(entry: &Entry, req_headers: &HeaderMap) -> Response {
    if let Some(nonce) = revalidated_nonce(req_headers, &entry.fingerprint) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        let headers = response.headers_mut();
        if let Some(csp) = headers_with_nonce(entry, &nonce).remove(header::CONTENT_SECURITY_POLICY) {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        if let Ok(etag) = HeaderValue::from_str(&etag_of(&entry.fingerprint, &nonce)) {
            headers.insert(header::ETAG, etag);
        }
        // A search seen again is a search again: its result count goes to the analytics recorder.
        if let Some(results) = entry.headers.get(app::ssr::RESULTS_HEADER) {
            headers.insert(app::ssr::RESULTS_HEADER, results.clone());
        }
        return response;
    }
    let nonce = fresh_nonce();
    let mut response = Response::new(Body::from(with_nonce(&entry.pieces, &nonce)));
    *response.headers_mut() = headers_with_nonce(entry, &nonce);
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag_of(&entry.fingerprint, &nonce)) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=0, must-revalidate"),
    );
    headers.insert("x-page-cache", HeaderValue::from_static("hit"));
    response
}

/// The page's pieces joined by `nonce`.
fn with_nonce(pieces: &[String], nonce: &str) -> Vec<u8> {
    let len = pieces.iter().map(String::len).sum::<usize>() + nonce.len() * pieces.len().saturating_sub(1);
    let mut body = Vec::with_capacity(len);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            body.extend_from_slice(nonce.as_bytes());
        }
        body.extend_from_slice(piece.as_bytes());
    }
    body
}

/// The other products a page names (`app::ssr::SHOWS_HEADER`), taken off the response: it is for the cache only.
fn take_shows(headers: &mut HeaderMap) -> Vec<i64> {
    headers
        .remove(app::ssr::SHOWS_HEADER)
        .and_then(|v| v.to_str().ok().map(str::to_string))
        .map(|list| list.split(',').filter_map(|id| id.parse().ok()).collect())
        .unwrap_or_default()
}

pub async fn middleware(State(cache): State<Arc<PageCache>>, req: Request, next: Next) -> Response {
    if !cache.cacheable(&req) {
        let mut response = next.run(req).await;
        take_shows(response.headers_mut());
        return response;
    }
    // Listings are kept per query string: `/search?q=a` and `/search?q=b` are different pages.
    let path = req.uri().to_string();
    if let Some(entry) = cache.get(&path) {
        return answer(&entry, req.headers());
    }
    let generation = cache.generation.load(Ordering::SeqCst);
    let request_headers = req.headers().clone();
    let mut response = next.run(req).await;
    let shows = take_shows(response.headers_mut());
    // Only a plain page: no new session (Set-Cookie), a nonce to swap, a known product.
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let Some(nonce) = nonce_of(response.headers()) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "page too large or unreadable; not cached");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Ok(text) = String::from_utf8(bytes.to_vec()) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    // Results from the database fallback (search index unavailable) are not kept: the next request may do better.
    if text.contains("data-degraded") {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let product_id = match path.strip_prefix("/p/") {
        Some(slug) => match domain::catalog::product_id_by_slug(&cache.db, slug).await {
            Ok(Some(id)) => Some(id),
            _ => return Response::from_parts(parts, Body::from(bytes)),
        },
        None => None,
    };
    // The fingerprint covers the page as rendered, not the per-response nonce, so it stays stable between answers.
    let pieces: Vec<String> = text.split(nonce.as_str()).map(str::to_string).collect();
    let fingerprint = format!("{:016x}", crate::rest::fnv1a(pieces.concat().as_bytes()));
    let headers = parts.headers.clone();
    let entry = Entry {
        product_id,
        shows,
        pieces,
        nonce,
        headers,
        fingerprint,
    };
    let mut response = answer(&entry, &request_headers);
    cache.put(path, entry, generation);
    response
        .headers_mut()
        .insert("x-page-cache", HeaderValue::from_static("miss"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_the_page_with_every_nonce_replaced() {
        let page = "<script nonce=\"abc\">a</script><p>abc is here</p><style nonce=\"abc\"></style>";
        let pieces: Vec<String> = page.split("abc").map(str::to_string).collect();
        assert_eq!(
            String::from_utf8(with_nonce(&pieces, "0f0f")).expect("utf-8"),
            page.replace("abc", "0f0f")
        );
        let plain = vec!["no nonce here".to_string()];
        assert_eq!(with_nonce(&plain, "0f0f"), b"no nonce here");
    }
}
