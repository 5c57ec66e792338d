//! What shoppers do, for the admin's analytics (decision 0054): page views by page type, searches with their
//! result counts, additions to the cart and orders placed. The shop records each event in memory
//! ([`Recorder::record`], no database write per request) and writes them every second in one transaction
//! ([`Recorder::flush`], `write`): the rows of the rarer events (page views are only counted), and the counts
//! added to the day rollups the screen reads
//! (`report`). A shop that stops between flushes loses at most that second of events (never an order).
//!
//! Privacy: the shop never hands this module an IP address or a user agent, only [`Visitor::from_client`]'s digest
//! of them; the stored key is that digest hashed again under the day's random salt, which is deleted the day after
//! (yesterday's is kept for events still buffered at midnight). Browsers that send `Sec-GPC: 1` or `DNT: 1` are not recorded (the caller makes no `Visitor`).

pub mod report;
mod write;

use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::platform::clock::now_ms;
use crate::platform::Db;

/// Events held between two flushes; beyond it an event is dropped (a flood, or a database that has been down for
/// long, cannot grow the shop's memory without bound) and counted in [`Recorder::dropped`].
const MAX_BUFFERED: usize = 200_000;

/// Longest search kept, in characters; the rest of a longer one is cut.
const MAX_QUERY: usize = 100;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    PageView,
    Search,
    AddToCart,
    OrderPlaced,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PageView => "page_view",
            EventKind::Search => "search",
            EventKind::AddToCart => "add_to_cart",
            EventKind::OrderPlaced => "order_placed",
        }
    }
}

/// The kind of storefront page a view was of; seller, admin and machine routes are not pages shoppers view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageType {
    Home,
    Product,
    Category,
    Search,
    Store,
    Cart,
    Checkout,
    Order,
    Account,
    Other,
}

impl PageType {
    pub const ALL: [PageType; 10] = [
        PageType::Home,
        PageType::Product,
        PageType::Category,
        PageType::Search,
        PageType::Store,
        PageType::Cart,
        PageType::Checkout,
        PageType::Order,
        PageType::Account,
        PageType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PageType::Home => "home",
            PageType::Product => "product",
            PageType::Category => "category",
            PageType::Search => "search",
            PageType::Store => "store",
            PageType::Cart => "cart",
            PageType::Checkout => "checkout",
            PageType::Order => "order",
            PageType::Account => "account",
            PageType::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<PageType> {
        PageType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PageType::Home => "Home page",
            PageType::Product => "Product pages",
            PageType::Category => "Category pages",
            PageType::Search => "Search results",
            PageType::Store => "Store pages",
            PageType::Cart => "Cart",
            PageType::Checkout => "Checkout",
            PageType::Order => "Order pages",
            PageType::Account => "Account and sign-in",
            PageType::Other => "Other pages",
        }
    }

    /// The page type of a storefront path, `None` for everything that is not a shopper's page (the seller
    /// portal, the admin, server functions, files, webhooks, test and health routes).
    pub fn of_path(path: &str) -> Option<PageType> {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        Some(match first {
            "" => PageType::Home,
            "p" => PageType::Product,
            "c" => PageType::Category,
            "search" => PageType::Search,
            "store" => PageType::Store,
            "cart" => PageType::Cart,
            "checkout" | "pay" => PageType::Checkout,
            "orders" => PageType::Order,
            "account" | "login" | "register" | "forgot-password" | "reset-password" | "verify-email" => {
                PageType::Account
            }
            "seller" | "admin" | "api" | "pkg" | "media" | "fragments" | "webhooks" | "test" | "dev" | "healthz"
            | "readyz" | "unsubscribe" | "favicon.ico" | "robots.txt" | "sitemap.xml" => return None,
            _ => PageType::Other,
        })
    }
}

/// The funnel's steps, in order. `Paid` is not an event: it is read from the orders the recorded visitors placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Visit,
    ProductView,
    AddToCart,
    CheckoutStarted,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Visit => "visit",
            Step::ProductView => "product_view",
            Step::AddToCart => "add_to_cart",
            Step::CheckoutStarted => "checkout_started",
        }
    }

    /// The steps an event shows its visitor reached.
    fn of(event: &Event) -> impl Iterator<Item = Step> {
        let steps: [Option<Step>; 2] = match (event.kind, event.page_type) {
            (EventKind::PageView, Some(PageType::Product)) => [Some(Step::Visit), Some(Step::ProductView)],
            (EventKind::PageView, Some(PageType::Checkout)) => [Some(Step::Visit), Some(Step::CheckoutStarted)],
            (EventKind::PageView, _) => [Some(Step::Visit), None],
            (EventKind::AddToCart, _) => [Some(Step::AddToCart), None],
            (EventKind::Search | EventKind::OrderPlaced, _) => [None, None],
        };
        steps.into_iter().flatten()
    }
}

/// Who did it, as a digest of the client's address and user agent (never kept), made per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Visitor([u8; 32]);

impl Visitor {
    pub fn from_client(address: &str, user_agent: &str) -> Visitor {
        let mut hash = Sha256::new();
        hash.update(address.as_bytes());
        hash.update([0]);
        hash.update(user_agent.as_bytes());
        Visitor(hash.finalize().into())
    }

    /// The key stored for this visitor on the day whose salt is `salt`.
    fn key(&self, salt: &str) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hash = Sha256::new();
        hash.update(salt.as_bytes());
        hash.update(self.0);
        let mut key = String::with_capacity(32);
        for b in &hash.finalize()[..16] {
            key.push(char::from(HEX[usize::from(b >> 4)]));
            key.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        key
    }
}

/// One thing a visitor did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: i64,
    pub kind: EventKind,
    pub page_type: Option<PageType>,
    pub visitor: Visitor,
    pub subject: String,
    pub results: Option<i64>,
}

impl Event {
    /// A view of a page of `page_type` (only counted, so it names nothing more).
    pub fn page_view(visitor: Visitor, page_type: PageType) -> Event {
        Event::new(EventKind::PageView, visitor, "", Some(page_type), None)
    }

    /// A search for `words` that found `results` products; `None` when the words are empty once normalised.
    pub fn search(visitor: Visitor, words: &str, results: i64) -> Option<Event> {
        let query = normalise_query(words);
        (!query.is_empty()).then(|| Event::new(EventKind::Search, visitor, &query, None, Some(results.max(0))))
    }

    pub fn add_to_cart(visitor: Visitor, variant_id: i64) -> Event {
        Event::new(EventKind::AddToCart, visitor, &variant_id.to_string(), None, None)
    }

    pub fn order_placed(visitor: Visitor, checkout_number: &str) -> Event {
        Event::new(EventKind::OrderPlaced, visitor, checkout_number, None, None)
    }

    fn new(
        kind: EventKind,
        visitor: Visitor,
        subject: &str,
        page_type: Option<PageType>,
        results: Option<i64>,
    ) -> Event {
        Event {
            at: now_ms(),
            kind,
            page_type,
            visitor,
            subject: clean(subject),
            results,
        }
    }
}

/// A subject as stored: no control characters, at most [`MAX_QUERY`] characters.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(MAX_QUERY).collect()
}

/// A search as counted: lower case, one space between words, no control characters, at most [`MAX_QUERY`]
/// characters — "Red  Shoes" and "red shoes" are one search.
pub fn normalise_query(words: &str) -> String {
    let lower: String = words
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .to_lowercase();
    let mut out = String::new();
    for word in lower.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.chars().take(MAX_QUERY).collect()
}

/// The shop's events between two flushes, and the zone whose dates they count on.
#[derive(Debug)]
pub struct Recorder {
    zone: String,
    /// Days raw events and visitor keys are kept.
    keep_days: i64,
    buffer: Mutex<Vec<Event>>,
    dropped: std::sync::atomic::AtomicU64,
    /// The salt of the day it was last read for (every instance reads the same one from the database).
    salt: Mutex<Option<(i64, String)>>,
}

impl Recorder {
    pub fn new(zone: &str, keep_days: i64) -> Recorder {
        Recorder {
            zone: zone.to_string(),
            keep_days: keep_days.max(1),
            buffer: Mutex::new(Vec::new()),
            dropped: std::sync::atomic::AtomicU64::new(0),
            salt: Mutex::new(None),
        }
    }

    pub fn record(&self, event: Event) {
        if let Ok(mut buffer) = self.buffer.lock() {
            if buffer.len() < MAX_BUFFERED {
                buffer.push(event);
                return;
            }
        }
        self.dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Events not recorded because the buffer was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Writes the events recorded since the last flush (the rows of those kept and all their counts, in one
    /// transaction); how many. Events a failed write did not write are kept for the next flush. A flush dropped
    /// half-way (a stopping shop aborts its workers) loses its events: it may have committed already, and putting
    /// them back could count them twice.
    pub async fn flush(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let events = self
            .buffer
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default();
        if events.is_empty() {
            return Ok(0);
        }
        match write::write(self, db, &events).await {
            Ok(()) => Ok(events.len()),
            Err(e) => {
                self.put_back(events);
                Err(e)
            }
        }
    }

    fn put_back(&self, events: Vec<Event>) {
        if let Ok(mut buffer) = self.buffer.lock() {
            let room = MAX_BUFFERED.saturating_sub(buffer.len());
            buffer.extend(events.into_iter().take(room));
        }
    }

    /// Deletes raw events and visitor keys of days before the last `keep_days`, and the salts of days before
    /// yesterday (yesterday's is kept for events still in a buffer at midnight); how many events.
    pub async fn forget_old(&self, db: &Db) -> Result<u64, sqlx::Error> {
        let today = crate::platform::zones::day_in(&self.zone, now_ms());
        let first_kept = today - self.keep_days + 1;
        let mut tx = db.begin_write().await?;
        let events = sqlx::query("DELETE FROM analytics_events WHERE day < $1")
            .bind(first_kept)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM analytics_visitors WHERE day < $1")
            .bind(first_kept)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM analytics_salts WHERE day < $1")
            .bind(today - 1)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storefront_paths_have_a_page_type_and_the_rest_none() {
        assert_eq!(PageType::of_path("/"), Some(PageType::Home));
        assert_eq!(PageType::of_path("/p/red-shoes"), Some(PageType::Product));
        assert_eq!(PageType::of_path("/checkout/review"), Some(PageType::Checkout));
        assert_eq!(PageType::of_path("/help/reviews"), Some(PageType::Other));
        for path in [
            "/admin",
            "/seller/products",
            "/api/cart_add",
            "/pkg/bazaar.js",
            "/media/x.webp",
        ] {
            assert_eq!(PageType::of_path(path), None, "{path}");
        }
        for t in PageType::ALL {
            assert_eq!(PageType::parse(t.as_str()), Some(t));
        }
    }

    #[test]
    fn searches_count_as_their_normalised_words() {
        assert_eq!(normalise_query("  Red \t SHOES\u{0}\n"), "red shoes");
        assert_eq!(normalise_query(&"x".repeat(500)).chars().count(), MAX_QUERY);
        let v = Visitor::from_client("192.0.2.1", "Firefox");
        assert!(Event::search(v, " \u{7} ", 3).is_none());
        assert_eq!(Event::search(v, "Lamp", -1).and_then(|e| e.results), Some(0));
    }

    #[test]
    fn a_visitor_key_changes_with_the_salt_and_the_client() {
        let a = Visitor::from_client("192.0.2.1", "Firefox");
        let b = Visitor::from_client("192.0.2.1", "Chrome");
        assert_eq!(a.key("s1"), a.key("s1"));
        assert_ne!(a.key("s1"), a.key("s2"));
        assert_ne!(a.key("s1"), b.key("s1"));
        assert_eq!(a.key("s1").len(), 32);
        assert!(!a.key("s1").contains("192"));
    }
}
