//! The Bazaar server: router assembly, middleware order, health endpoints, background housekeeping.

pub mod analytics;
pub mod auth;
pub mod catalog_files;
pub mod cli;
pub mod config;
pub mod connect_routes;
pub mod email_previews;
pub mod form_errors;
pub mod fragments;
pub mod money_files;
pub mod page_cache;
pub mod privacy_files;
pub mod product_views;
pub mod rest;
pub mod review_uploads;
pub mod search;
pub mod security;
pub mod telemetry;
pub mod unsubscribe;
pub mod uploads;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use app::ssr::{Services, SessionPolicy};
use app::{shell, App};
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use domain::accounts::sessions::SqlSessionStore;
use domain::accounts::ThrottlePolicy;
use domain::search::SearchIndex;
use domain::Db;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub config: Arc<Config>,
}

/// Leptos options built from our config, so the binary runs outside cargo-leptos with only env vars.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("bazaar")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .reload_port(3001)
        .env(if config.dev_mode {
            leptos_config::Env::DEV
        } else {
            leptos_config::Env::PROD
        })
        .build()
}

/// The shop's services. Payments: Stripe when `STRIPE_SECRET_KEY` is set, else the built-in test gateway.
pub fn services(config: &Config, db: Db, search: Arc<dyn SearchIndex>) -> Result<Services, String> {
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.site_addr));
    let (payments, test_gateway): (Arc<dyn domain::payments::PaymentGateway>, _) = match &config.stripe_secret_key {
        Some(key) => {
            let stripe = domain::payments::stripe::StripeGateway::new(
                key.expose(),
                config.stripe_api_base.as_deref(),
                &public_url,
            )
            .map_err(|e| format!("cannot set up Stripe: {e}"))?;
            (Arc::new(stripe), None)
        }
        None => {
            let test = domain::payments::TestGateway::new(db.clone());
            (Arc::new(test.clone()), Some(test))
        }
    };
    let connect: Option<Arc<dyn domain::payments::connect::ConnectRail>> =
        match (&config.stripe_secret_key, &config.stripe_connect_webhook_secret) {
            (Some(key), Some(_)) => Some(Arc::new(
                domain::payments::stripe_connect::StripeConnect::new(
                    key.expose(),
                    config.stripe_api_base.as_deref(),
                    &public_url,
                )
                .map_err(|e| format!("cannot set up Stripe Connect: {e}"))?,
            )),
            _ => None,
        };
    let passkeys = Arc::new(domain::accounts::passkeys::RelyingParty::new(&public_url)?);
    Ok(Services {
        form_targets: form_targets(config),
        passkeys,
        discovery: Arc::new(domain::discovery::cache::RowsCache::new()),
        connect,
        payments,
        test_gateway,
        dev_mailbox: config.dev_mailbox,
        db,
        search,
        images: Arc::new(domain::catalog::images::LocalImageStore::new(config.image_dir.clone())),
        throttle: ThrottlePolicy {
            per_account: config.login_per_account,
            per_client: config.login_per_client,
            window_ms: config.login_window.as_millis() as i64,
        },
        session_policy: SessionPolicy {
            idle: config.session_idle,
            absolute: config.session_absolute,
            admin_idle: config.admin_idle,
        },
        dev_mode: config.dev_mode,
        platform_zone: config.platform_zone.clone(),
        refund_confirm_above: config.refund_confirm_above,
        analytics: config.analytics.then(|| {
            Arc::new(domain::analytics::Recorder::new(
                &config.platform_zone,
                config.analytics_keep_days,
            ))
        }),
        views: config
            .product_views
            .then(|| Arc::new(domain::money::views::ViewCounter::new())),
    })
}

/// Where the shop's forms may send the browser besides the shop itself: with Stripe, its hosted checkout and
/// onboarding pages, and the origin of `STRIPE_API_BASE` when one is set (a local fake Stripe serves them there).
fn form_targets(config: &Config) -> String {
    if config.stripe_secret_key.is_none() {
        return String::new();
    }
    let mut targets = "https://checkout.stripe.com https://connect.stripe.com".to_string();
    let origin = config.stripe_api_base.as_deref().and_then(|base| {
        let (scheme, rest) = base.split_once("://")?;
        let host = rest.split('/').next()?;
        // Only what an origin holds: nothing else reaches the header.
        let plain = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        };
        (matches!(scheme, "http" | "https") && !host.is_empty() && plain(host)).then(|| format!("{scheme}://{host}"))
    });
    if let Some(origin) = origin {
        targets.push(' ');
        targets.push_str(&origin);
    }
    targets
}

/// Where the shop's mail goes: the SMTP relay of `SMTP_URL`, else the development mailbox.
pub fn mailer(config: &Config, db: Db) -> Result<Arc<dyn domain::notifications::Mailer>, String> {
    let Some(url) = &config.smtp_url else {
        return Ok(Arc::new(domain::notifications::DevMailbox::new(db)));
    };
    if config.public_url.is_none() {
        tracing::warn!("SMTP_URL is set without PUBLIC_URL: links in mail stay paths a mail client cannot open");
    }
    let smtp = domain::notifications::SmtpMailer::new(url.expose(), &config.mail_from, config.public_url.as_deref())
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(smtp))
}

/// Where the shop's text messages go: the provider of `SMS_*`, else the log.
pub fn texts(config: &Config) -> Result<Arc<dyn domain::notifications::texts::TextSender>, String> {
    use domain::notifications::texts::{HttpTexts, LogTexts};
    let Some(sms) = &config.sms else {
        return Ok(Arc::new(LogTexts));
    };
    let http = HttpTexts::new(
        &sms.api_base,
        &sms.account,
        sms.token.expose(),
        &sms.from,
        config.public_url.as_deref(),
    )
    .map_err(|e| e.to_string())?;
    Ok(Arc::new(http))
}

/// The session cookie's name: `__Host-` prefixed over https, which pins it to this host, path / and Secure.
pub fn session_cookie_name(config: &Config) -> &'static str {
    if config.is_https() {
        "__Host-bazaar_session"
    } else {
        "bazaar_session"
    }
}

/// The whole application: pages, server functions, health endpoints, files, with every layer in its place.
pub fn router(config: Arc<Config>, services: Services, cache: Arc<page_cache::PageCache>) -> Router {
    let leptos_options = leptos_options(&config);
    let db = services.db.clone();
    let state = AppState {
        leptos_options: leptos_options.clone(),
        services: services.clone(),
        config: config.clone(),
    };
    let routes = generate_route_list(App);
    let idle = time::Duration::try_from(config.session_idle).unwrap_or(time::Duration::days(2));
    let session_layer = SessionManagerLayer::new(SqlSessionStore::new(db))
        .with_name(session_cookie_name(&config))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.is_https())
        .with_path("/")
        // Every request of a signed-in user moves the idle deadline.
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(idle));

    let context_services = services.clone();
    let pages = Router::new()
        .route("/seller/products/export.csv", get(catalog_files::export))
        .route("/seller/money/statement.csv", get(money_files::statement))
        .route("/seller/sales.csv", get(money_files::sales))
        .route("/admin/sales.csv", get(money_files::admin_sales))
        .route("/admin/analytics.csv", get(money_files::admin_analytics))
        .route("/account/privacy/export.json", get(privacy_files::export))
        .route("/admin/emails/preview/{key}", get(email_previews::preview))
        .route("/seller/money/stripe/onboard", post(connect_routes::onboard))
        .route("/seller/money/stripe/refresh", get(connect_routes::refresh))
        .route("/seller/money/stripe/return", get(connect_routes::returned))
        .route(
            "/seller/settings/logo",
            post(uploads::logo).layer(axum::extract::DefaultBodyLimit::max(uploads::BODY_LIMIT)),
        )
        .route(
            "/seller/products/import",
            post(catalog_files::import).layer(axum::extract::DefaultBodyLimit::max(catalog_files::BODY_LIMIT)),
        )
        .route(
            app::api::reviews::PICTURES_ROUTE,
            post(review_uploads::pictures).layer(axum::extract::DefaultBodyLimit::max(review_uploads::BODY_LIMIT)),
        )
        .route(
            "/seller/products/{id}/pictures",
            post(uploads::pictures).layer(axum::extract::DefaultBodyLimit::max(uploads::BODY_LIMIT)),
        )
        .leptos_routes_with_context(&state, routes, move || provide_context(context_services.clone()), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            services.clone(),
            auth::load_current_user,
        ))
        // Form errors travel in the session, never in a URL an attacker can write.
        .layer(axum::middleware::from_fn(form_errors::middleware))
        .layer(session_layer)
        // Outside the session and auth layers: a cached page costs neither a session lookup nor a user load.
        .layer(axum::middleware::from_fn_with_state(cache, page_cache::middleware))
        // Outside the page cache: a page served from it is a view too.
        .layer(axum::middleware::from_fn_with_state(
            services.views.clone(),
            product_views::middleware,
        ))
        .layer(axum::middleware::from_fn_with_state(
            services.analytics.clone(),
            analytics::middleware,
        ))
        .with_state(state.clone());

    let webhooks = webhook_routes(&config, &services);
    let api = rest::routes()
        .route("/media/card/{file}", get(rest::product_card_image))
        .route(
            app::components::discovery::RECENT_CARDS,
            get(fragments::recently_viewed),
        )
        .route("/media/{file}", get(rest::stored_image))
        .route(
            "/unsubscribe/one-click/{token}/{topic}",
            get(unsubscribe::one_click_page).post(unsubscribe::one_click),
        )
        .with_state(services.clone());

    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
        .merge(api)
        .merge(webhooks)
        .merge(money_files::test_clock(config.test_clock))
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(config, security::request_context))
}

/// `POST /webhooks/stripe` when Stripe's signing secret is configured, and `POST /webhooks/stripe/connect` when
/// Connect's is.
fn webhook_routes(config: &Config, services: &Services) -> Router {
    let mut routes = Router::new();
    if let Some(secret) = &config.stripe_webhook_secret {
        routes = routes.merge(
            Router::new()
                .route("/webhooks/stripe", post(webhooks::stripe))
                .with_state(webhooks::StripeWebhook {
                    db: services.db.clone(),
                    gateway: services.payments.clone(),
                    secret: Arc::new(config::Secret::new(secret.expose().clone())),
                }),
        );
    }
    if let Some(secret) = &config.stripe_connect_webhook_secret {
        routes = routes.merge(
            Router::new()
                .route("/webhooks/stripe/connect", post(webhooks::stripe_connect))
                .with_state(webhooks::ConnectWebhook {
                    db: services.db.clone(),
                    secret: Arc::new(config::Secret::new(secret.expose().clone())),
                }),
        );
    }
    routes
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(services): State<Services>) -> impl IntoResponse {
    match tokio::time::timeout(Duration::from_secs(2), services.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timed out"),
    }
}

/// Sends queued mail and texts and writes the analytics events recorded (every second), writes the product page views counted and mails "Notify me" requests whose
/// variant is back (every 5 seconds), ends unpaid orders
/// whose stock hold ran out (every 15 seconds), and every minute finishes waiting refunds and cancels orders their
/// store did not accept in time.
pub fn spawn_order_workers(
    services: Services,
    mailer: Arc<dyn domain::notifications::Mailer>,
    texts: Arc<dyn domain::notifications::texts::TextSender>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            n += 1;
            analytics::flush(&services).await;
            if let Err(e) = domain::notifications::deliver_due(&services.db, &*mailer, 50).await {
                tracing::warn!(error = %e, "mail delivery failed; will retry");
            }
            if let Err(e) = domain::notifications::deliver_texts_due(&services.db, &*texts, 50).await {
                tracing::warn!(error = %e, "text delivery failed; will retry");
            }
            if n.is_multiple_of(5) {
                product_views::flush(&services).await;
                // "Notify me" requests whose variant can be bought again: one email each, then they end.
                match domain::workflows::back_in_stock::notify_due(&services.db, 100).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(mails = n, "back-in-stock requests mailed"),
                    Err(e) => tracing::warn!(error = %e, "back-in-stock mails failed; will retry"),
                }
            }
            if n.is_multiple_of(15) {
                match domain::workflows::expire_holds::expire_unpaid(&services.db, domain::platform::clock::now_ms())
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(expired = n, "unpaid orders expired; stock released"),
                    Err(e) => tracing::warn!(error = %e, "order expiry failed; will retry"),
                }
            }
            if n.is_multiple_of(60) {
                // Refunds whose provider call could not be answered, waiting for two minutes or more.
                let before = domain::platform::clock::now_ms() - 120_000;
                match domain::workflows::refund_order::retry_waiting(&services.db, &*services.payments, before).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(refunds = n, "waiting refunds finished"),
                    Err(e) => tracing::warn!(error = %e, "retrying waiting refunds failed; will retry"),
                }
                // Orders their store did not accept within 72 hours.
                let now = domain::platform::clock::now_ms();
                match domain::workflows::accept_order::cancel_unaccepted(&services.db, &*services.payments, now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(orders = n, "orders not accepted in time cancelled and refunded"),
                    Err(e) => tracing::warn!(error = %e, "cancelling unaccepted orders failed; will retry"),
                }
            }
        }
    })
}

/// Pays stores through Stripe Connect: every minute the sweep is tried; the lease in the database lets one
/// instance run it once per `minutes`.
pub fn spawn_transfer_sweep(services: Services, minutes: u64) -> Option<tokio::task::JoinHandle<()>> {
    let rail = services.connect.clone()?;
    let holder = format!("{}-{}", std::process::id(), domain::platform::ids::next_id());
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let now = domain::platform::clock::now_ms();
            let period = minutes as i64 * 60_000;
            match domain::money::stripe_transfers::sweep(&services.db, &*rail, &holder, now, period).await {
                Ok(Some(swept)) => tracing::info!(?swept, "transfer sweep done"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "transfer sweep failed; the next one finishes it"),
            }
        }
    }))
}

/// Fetches the pictures imports name by address, within the configured limits.
pub fn spawn_picture_fetches(config: &Config, services: Services) -> tokio::task::JoinHandle<()> {
    use domain::catalog::picture_fetches::{FetchLimits, Fetcher, Worker};
    let worker = Worker {
        db: services.db.clone(),
        images: services.images.clone(),
        fetcher: Fetcher::new(
            config.picture_fetch_allow_loopback,
            // At most 2 minutes: a fetch running past the 5 minutes after which a claim counts as lost would be
            // fetched twice.
            Duration::from_secs(config.picture_fetch_seconds.clamp(1, 120)),
        ),
        limits: FetchLimits {
            per_store_hour: config.picture_fetches_per_store_hour,
            ..FetchLimits::default()
        },
    };
    tokio::spawn(worker.work())
}

/// Purges expired sessions and old login failures every few minutes.
pub fn spawn_housekeeping(services: Services) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            analytics::forget_old(&services).await;
            match domain::accounts::sessions::purge_expired(&services.db).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "expired sessions purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
            if let Err(e) = domain::accounts::throttle::purge_old_failures(&services.db, &services.throttle).await {
                tracing::warn!(error = %e, "login-failure purge failed");
            }
            match domain::workflows::import_products::purge_expired(&services.db).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "expired catalog imports purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "catalog import purge failed"),
            }
            match domain::accounts::kept::purge_expired(&services.db).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "kept forms nobody came back for purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "kept-form purge failed"),
            }
            let removed_images = domain::catalog::removed_images::sweep(
                &services.db,
                &*services.images,
                domain::catalog::removed_images::GRACE_MS,
            );
            match removed_images.await {
                Ok(n) if n > 0 => tracing::info!(deleted = n, "removed pictures deleted from the image store"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "removed-picture sweep failed"),
            }
        }
    })
}
