//! Server-side glue between Leptos and the domain: the services in context, the current user, the session,
//! and the mapping of domain errors to `AppError` (logging the cause of internal ones with the request id).

use std::fmt::Display;
use std::time::Duration;

use domain::accounts::{ClientKey, ThrottlePolicy};
use domain::platform::Problem;
use domain::{Actor, Db};
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use model::UserView;
use tower_sessions::Session;

use crate::error::AppError;

/// Everything a server function needs, provided as Leptos context by the server for SSR and server functions.
#[derive(Clone, Debug)]
pub struct Services {
    pub db: Db,
    /// The product search index (tantivy or Meilisearch); listings fall back to `db` when it fails.
    pub search: std::sync::Arc<dyn domain::search::SearchIndex>,
    /// Product pictures and their thumbnails.
    pub images: std::sync::Arc<dyn domain::catalog::images::ImageStore>,
    /// Payments: the built-in test gateway (Stripe comes with `STRIPE_SECRET_KEY`).
    pub payments: std::sync::Arc<dyn domain::payments::PaymentGateway>,
    /// The test gateway itself, whose hosted payment page the shop serves; `None` with a real provider.
    pub test_gateway: Option<domain::payments::TestGateway>,
    /// Whether `/dev/mailbox` shows the development mailbox (`DEV_MAILBOX=1`).
    pub dev_mailbox: bool,
    pub throttle: ThrottlePolicy,
    pub session_policy: SessionPolicy,
    /// Whether to add the live-reload websocket to the CSP.
    pub dev_mode: bool,
    /// The zone whose dates the admin dashboard counts days in (`PLATFORM_TIME_ZONE`).
    pub platform_zone: String,
    /// An admin's refund above this amount (minor units) asks for their password again
    /// (`ADMIN_REFUND_CONFIRM_ABOVE`).
    pub refund_confirm_above: i64,
    /// What shoppers do, recorded in memory and written every second (`None`: not recorded, `ANALYTICS=false`).
    pub analytics: Option<std::sync::Arc<domain::analytics::Recorder>>,
    /// Product page views counted in memory (`None`: not counted, `PRODUCT_VIEWS=false`).
    pub views: Option<std::sync::Arc<domain::money::views::ViewCounter>>,
    /// Where a form may send the browser besides this shop (CSP `form-action`): Stripe's hosted checkout and
    /// onboarding pages when Stripe is configured, else nothing.
    pub form_targets: String,
    /// Stores paid through their Stripe accounts (Stripe Connect; `None`: admins record bank payouts by hand).
    pub connect: Option<std::sync::Arc<dyn domain::payments::connect::ConnectRail>>,
    /// The shop as a passkey relying party (its host name and origin).
    pub passkeys: std::sync::Arc<domain::accounts::passkeys::RelyingParty>,
    /// Product pages' "also bought" and "similar" rows, kept per product (dropped by the indexer like the page
    /// cache).
    pub discovery: std::sync::Arc<domain::discovery::cache::RowsCache>,
}

#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
    /// An admin's session ends after this long unused (shorter than a shopper's `idle`).
    pub admin_idle: Duration,
}

/// The id of the current request (set by the server's outermost middleware).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The signed-in user, loaded by the server's auth middleware before any page or server function runs.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub UserView);

/// Who this request acts as, made by the auth middleware from the verified session's user row (a visitor when
/// nobody is signed in). Nothing a client sends can set it.
#[derive(Clone, Copy, Debug)]
pub struct CurrentActor(pub Actor);

/// Units in the visitor's cart, loaded with the user for the header's count.
#[derive(Clone, Copy, Debug)]
pub struct CartCount(pub i64);

/// The header's cart count for this request (0 without a cart).
pub fn cart_count() -> i64 {
    parts()
        .and_then(|p| p.extensions.get::<CartCount>().map(|c| c.0))
        .unwrap_or(0)
}

pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| internal("services missing from context"))
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// This request's User-Agent header, if it sent one readable as text.
pub fn user_agent() -> Option<String> {
    parts().and_then(|p| {
        p.headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    })
}

pub fn request_id() -> String {
    parts()
        .and_then(|p| p.extensions.get::<RequestId>().map(|r| r.0.clone()))
        .unwrap_or_else(|| "unknown".to_string())
}

pub fn client_key() -> ClientKey {
    parts()
        .and_then(|p| p.extensions.get::<ClientKey>().cloned())
        .unwrap_or_else(|| ClientKey("unknown".to_string()))
}

/// The signed-in user of this request, if any.
pub fn current_user() -> Option<UserView> {
    parts().and_then(|p| p.extensions.get::<CurrentUser>().map(|u| u.0.clone()))
}

/// The actor of this request: who every use case is called for.
pub fn actor() -> Actor {
    parts()
        .and_then(|p| p.extensions.get::<CurrentActor>().map(|a| a.0))
        .unwrap_or_else(Actor::visitor)
}

pub fn require_user() -> Result<UserView, AppError> {
    current_user().ok_or_else(|| fail(AppError::Unauthenticated))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal(format!("session unavailable: {e}")))
}

/// Logs the cause with the request id and returns the opaque error the user sees.
pub fn internal(cause: impl Display) -> AppError {
    let request_id = request_id();
    tracing::error!(request_id, error = %cause, "internal error");
    fail(AppError::Internal { request_id })
}

/// Sets the HTTP status (and `Retry-After`) for an error answered to a script. A plain HTML form post (no JS
/// yet) keeps Leptos' redirect back to the form, which then shows the error.
pub fn fail(err: AppError) -> AppError {
    if let Some(response) = use_context::<ResponseOptions>() {
        let form_post = parts()
            .and_then(|p| p.headers.get(http::header::ACCEPT).cloned())
            .and_then(|v| v.to_str().ok().map(|v| v.contains("text/html")))
            .unwrap_or(false);
        if !form_post {
            if let Ok(status) = StatusCode::from_u16(err.status()) {
                response.set_status(status);
            }
        }
        if let AppError::RateLimited { retry_after_secs } = &err {
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.insert_header(http::header::RETRY_AFTER, value);
            }
        }
    }
    err
}

/// The header a page names the other products it shows with (its "also bought" and "similar" cards), so the page
/// cache drops it when one of them changes; the page cache takes it off every response.
pub const SHOWS_HEADER: &str = "x-bazaar-shows";

/// Names the other products this page shows (see [`SHOWS_HEADER`]).
pub fn page_shows(ids: impl IntoIterator<Item = i64>) {
    let list = ids.into_iter().map(|id| id.to_string()).collect::<Vec<_>>().join(",");
    if let (Some(response), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&list)) {
        response.insert_header(http::HeaderName::from_static(SHOWS_HEADER), value);
    }
}

/// The header a search page names its result count with, for the analytics recorder (`server::analytics`), which
/// takes it off every response; the page cache keeps it with the page, so a search served from the cache counts
/// its results too.
pub const RESULTS_HEADER: &str = "x-bazaar-results";

/// Names how many products this search page found (see [`RESULTS_HEADER`]).
pub fn page_found(results: i64) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.insert_header(
            http::HeaderName::from_static(RESULTS_HEADER),
            HeaderValue::from(results),
        );
    }
}

/// The visitor this request is recorded as (set by the analytics middleware; absent when analytics is off or the
/// browser asked not to be tracked).
#[derive(Clone, Copy, Debug)]
pub struct AnalyticsVisitor(pub domain::analytics::Visitor);

/// Records what this request's visitor did, unless they are not recorded.
pub fn record(event: impl FnOnce(domain::analytics::Visitor) -> domain::analytics::Event) {
    let visitor = parts().and_then(|p| p.extensions.get::<AnalyticsVisitor>().map(|v| v.0));
    if let (Some(visitor), Some(recorder)) = (visitor, use_context::<Services>().and_then(|s| s.analytics)) {
        recorder.record(event(visitor));
    }
}

/// For an error a server function turns into an ordinary answer (a refusal the page shows in place): puts back
/// the 200 that `fail` replaced, so the browser does not log a failed request.
pub fn refusal_answered() {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(StatusCode::OK);
    }
}

/// The one mapping from a domain problem to what the user sees: statuses set, internal causes logged once with
/// the request id and never sent.
impl From<Problem> for AppError {
    fn from(problem: Problem) -> Self {
        match problem {
            Problem::Invalid(fields) => fail(AppError::Validation(fields)),
            Problem::BadCredentials => fail(AppError::BadCredentials),
            Problem::Throttled { retry_after_secs } => fail(AppError::RateLimited { retry_after_secs }),
            Problem::Forbidden => fail(AppError::Forbidden),
            Problem::NotFound => fail(AppError::NotFound),
            Problem::Conflict(message) => fail(AppError::Conflict(message)),
            Problem::Unavailable { message, cause } => {
                tracing::error!(request_id = request_id(), error = %cause, "a service we depend on failed");
                fail(AppError::Conflict(message))
            }
            Problem::Internal(cause) => internal(cause),
        }
    }
}

/// Every domain error reaches the user through [`Problem`].
macro_rules! through_problem {
    ($($error:ty),* $(,)?) => {
        $(
            impl From<$error> for AppError {
                fn from(err: $error) -> Self {
                    AppError::from(Problem::from(err))
                }
            }
        )*
    };
}

through_problem!(
    domain::accounts::AccountError,
    domain::admin::AdminError,
    domain::cart::CartError,
    domain::catalog::CatalogError,
    domain::checkout::CheckoutError,
    domain::inventory::InventoryError,
    domain::orders::OrderError,
    domain::reviews::ReviewError,
    domain::wishlist::WishlistError,
    domain::workflows::move_to_cart::MoveError,
    domain::workflows::account_data::AccountDataError,
    domain::checkout::rates::RateError,
    domain::sellers::SellerError,
    domain::workflows::settle_payment::SettleError,
    domain::platform::db::SqlError,
);

/// The Content-Security-Policy of an HTML page: scripts only from us or carrying this response's nonce; forms
/// posted only to us, or answered with a redirect to `form_targets` (browsers apply `form-action` to the redirect
/// too: Stripe's pages must be named).
pub fn content_security_policy(nonce: Option<&str>, dev_mode: bool, form_targets: &str) -> String {
    let connect_src = if dev_mode {
        // cargo-leptos' live reload talks over a websocket on the reload port.
        "'self' ws://127.0.0.1:3001 ws://localhost:3001"
    } else {
        "'self'"
    };
    let script_src = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    let form_action = match form_targets {
        "" => "'self'".to_string(),
        targets => format!("'self' {targets}"),
    };
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src {connect_src}; object-src 'none'; base-uri 'self'; form-action {form_action}; \
         frame-ancestors 'none'"
    )
}

/// Puts this render's nonce into the page's CSP header (the server's middleware keeps a header already set).
pub fn set_page_csp() {
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    let services = use_context::<Services>();
    let dev_mode = services.as_ref().is_some_and(|s| s.dev_mode);
    let targets = services.as_ref().map(|s| s.form_targets.as_str()).unwrap_or("");
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&content_security_policy(nonce.as_deref(), dev_mode, targets)),
    ) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Sets the status of the page being rendered (404 page, 403 page).
pub fn set_status(code: u16) {
    if let (Some(response), Ok(status)) = (use_context::<ResponseOptions>(), StatusCode::from_u16(code)) {
        response.set_status(status);
    }
}

/// Sends the visitor on to `location` after a server function. A location that cannot be a header (a newline
/// from a crafted token, say) goes to the home page instead: `leptos_axum::redirect` would panic on it.
pub fn redirect(location: &str) {
    if HeaderValue::from_str(location).is_ok() {
        leptos_axum::redirect(location);
    } else {
        tracing::warn!(
            request_id = request_id(),
            "refused a redirect that is not a valid header value"
        );
        leptos_axum::redirect("/");
    }
}

/// Answers the page being rendered with a 302 to `location`, whatever the client's Accept header says
/// (`leptos_axum::redirect` only sets the status for clients that ask for HTML).
pub fn page_redirect(location: &str) {
    if let (Some(response), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(location)) {
        response.set_status(StatusCode::FOUND);
        response.insert_header(http::header::LOCATION, value);
    }
}

/// Keeps what a plain form post typed under `key`, for the page the visitor is sent back to when a field is wrong
/// (nothing typed is lost). Taken once by [`take_typed`].
pub async fn keep_typed<T: serde::Serialize>(key: &str, typed: &T) -> Result<(), AppError> {
    keep_typed_in(&session().await?, &services()?.db, key, typed)
        .await
        .map_err(internal)
}

/// [`keep_typed`] outside a server function (the upload handlers): the form is kept on the server
/// (`accounts::kept`: a product form outgrows a session), the session holds its id. A form too large to keep is
/// not kept (the page shows what is stored instead).
pub async fn keep_typed_in<T: serde::Serialize>(
    session: &Session,
    db: &domain::Db,
    key: &str,
    typed: &T,
) -> Result<(), String> {
    match domain::accounts::kept::keep_value(db, typed)
        .await
        .map_err(|e| e.to_string())?
    {
        Some(id) => session.insert(&typed_key(key), id).await.map_err(|e| e.to_string()),
        None => {
            tracing::warn!(key, "a form too large to keep was not kept");
            Ok(())
        }
    }
}

/// What [`keep_typed`] kept under `key`, once.
pub async fn take_typed<T: serde::de::DeserializeOwned>(key: &str) -> Result<Option<T>, AppError> {
    let id = session().await?.remove_value(&typed_key(key)).await.map_err(internal)?;
    let Some(id) = id.as_ref().and_then(|v| v.as_str()) else {
        return Ok(None);
    };
    domain::accounts::kept::take_value(&services()?.db, id)
        .await
        .map_err(internal)
}

/// The session key [`keep_typed`] uses for `key`.
fn typed_key(key: &str) -> String {
    format!("typed:{key}")
}
