//! Typed configuration from environment variables (and an optional `.env` file, loaded by `main`).
//! Every setting has a documented default (README, "Configuration"); secrets are wrapped so they never print.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// A value that must not reach logs: `Debug` and `Display` print `***`.
#[derive(Clone)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `LEPTOS_SITE_ADDR`, as cargo-leptos sets it. Default 127.0.0.1:3000.
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`: the built site (wasm, css, public files). Default `target/site`.
    pub site_root: String,
    /// `DATABASE_URL`: may hold a password, hence secret. Default a SQLite file under ./data/.
    pub database_url: Secret<String>,
    /// `SQLITE_SYNC`: `full` (default; a committed order survives power loss) or `normal` (survives a crash of the
    /// process; faster commits). PostgreSQL ignores it.
    pub sqlite_sync: domain::SqliteSync,
    /// `DATABASE_MAX_CONNECTIONS`. Default 10.
    pub database_max_connections: u32,
    /// `PUBLIC_URL`: the origin users reach the shop at, e.g. https://shop.example.com. When it is https the
    /// session cookie is Secure with the `__Host-` prefix and HSTS is sent. Default: none (plain local http).
    pub public_url: Option<String>,
    /// `SESSION_IDLE_MINUTES`: a session unused this long ends. Default 2 days.
    pub session_idle: Duration,
    /// `SESSION_ABSOLUTE_HOURS`: a sign-in lasts at most this long however active. Default 30 days.
    pub session_absolute: Duration,
    /// `ADMIN_IDLE_MINUTES`: an admin's session unused this long ends (shoppers' keep `SESSION_IDLE_MINUTES`).
    /// Default 30 minutes.
    pub admin_idle: Duration,
    /// `ADMIN_REFUND_CONFIRM_ABOVE`: an admin's refund above this amount (in the shop's currency, "100.00") asks
    /// for their password again when their last one is older than 10 minutes. Default 100.00; 0 asks for every one.
    pub refund_confirm_above: i64,
    /// `LOGIN_MAX_FAILURES_PER_ACCOUNT` / `LOGIN_MAX_FAILURES_PER_CLIENT` / `LOGIN_THROTTLE_WINDOW_SECONDS`.
    pub login_per_account: u32,
    pub login_per_client: u32,
    pub login_window: Duration,
    /// `TRUST_PROXY_HEADERS`: take the client address from X-Forwarded-For (only behind a proxy you run).
    pub trust_proxy_headers: bool,
    /// `LOG_FORMAT`: `human` (default) or `json`.
    pub log_format: LogFormat,
    /// `LEPTOS_ENV`: DEV enables live reload; PROD (the default outside cargo-leptos) does not.
    pub dev_mode: bool,
    /// `PLATFORM_TIME_ZONE`: the IANA zone whose dates the admin dashboard counts days in. Default UTC.
    pub platform_zone: String,
    /// Shows the development mailbox at /dev/mailbox (every message the shop "sent"). Never in production: it
    /// shows everyone's mail to anyone.
    pub dev_mailbox: bool,
    /// `TEST_CLOCK`: `POST /test/clock` moves the shop's clock forward (browser journeys wait out holding periods
    /// that way). Never in production: `serve` refuses it over https.
    pub test_clock: bool,
    /// `PRODUCT_VIEWS`: count product page views (in memory, written every few seconds) for the sales dashboard's
    /// conversion. On by default.
    pub product_views: bool,
    /// `ANALYTICS`: record what shoppers do (page views, searches, additions to the cart, orders placed) for the
    /// admin's analytics, without IP addresses or user agents, never for browsers sending Sec-GPC or DNT. On by
    /// default.
    pub analytics: bool,
    /// `ANALYTICS_KEEP_DAYS`: days raw events and visitor keys are kept (default 90; the day counts stay).
    pub analytics_keep_days: i64,
    /// `ALLOW_DEMO_ACCOUNTS`: serve over https although demo accounts (published password) exist. Default false:
    /// `serve` refuses to start.
    pub allow_demo_accounts: bool,
    /// `ALLOW_DEMO_REVIEWS`: serve over https although the demo's reviews (sample text no purchase backs) exist.
    /// Default false: `serve` refuses to start, as a shop must not show shoppers reviews nobody wrote.
    pub allow_demo_reviews: bool,
    /// `SEARCH_DIR`: where the embedded search index lives (default `data/search`).
    pub search_dir: std::path::PathBuf,
    /// `IMAGE_DIR`: where product images and their thumbnails are stored (default `data/images`).
    pub image_dir: std::path::PathBuf,
    /// `MEILI_URL`: use a Meilisearch server instead of the embedded index.
    pub meili_url: Option<String>,
    /// `MEILI_KEY`: the Meilisearch API key.
    pub meili_key: Option<Secret<String>>,
    /// `STRIPE_SECRET_KEY`: take payments with Stripe instead of the built-in test gateway.
    pub stripe_secret_key: Option<Secret<String>>,
    /// `STRIPE_WEBHOOK_SECRET`: the signing secret of the `/webhooks/stripe` endpoint (required with Stripe).
    pub stripe_webhook_secret: Option<Secret<String>>,
    /// `STRIPE_API_BASE`: another address for Stripe's API (a local fake Stripe in tests).
    pub stripe_api_base: Option<String>,
    /// `STRIPE_CONNECT_WEBHOOK_SECRET`: pays stores through their Stripe accounts (Connect Express): the signing
    /// secret of the `/webhooks/stripe/connect` endpoint. Needs `STRIPE_SECRET_KEY`.
    pub stripe_connect_webhook_secret: Option<Secret<String>>,
    /// `TRANSFER_SWEEP_MINUTES`: how often the transfer sweep pays stores through Stripe (default 60).
    pub transfer_sweep_minutes: u64,
    /// `SMTP_URL`: send mail through this SMTP relay (e.g. `smtps://user:pass@mail.example.com`), else the
    /// development mailbox keeps it.
    pub smtp_url: Option<Secret<String>>,
    /// `MAIL_FROM`: the sender of the shop's mail.
    pub mail_from: String,
    /// `SMS_ACCOUNT` with `SMS_TOKEN` and `SMS_FROM` (and `SMS_API_BASE`): send order texts through a provider with
    /// Twilio's Messages API; else texts are only logged.
    pub sms: Option<SmsConfig>,
    /// `PICTURE_FETCH_ALLOW_LOOPBACK`: lets an import fetch pictures from this machine (tests and the
    /// benchmark only). Default false; refused when serving over https.
    pub picture_fetch_allow_loopback: bool,
    /// `PICTURE_FETCH_SECONDS`: the most one fetched picture may take. Default 20, at most 120.
    pub picture_fetch_seconds: u64,
    /// `PICTURE_FETCHES_PER_STORE_HOUR`: pictures one store's imports may fetch per hour. Default 3,000.
    pub picture_fetches_per_store_hour: i64,
}

/// A text-message provider's account (`SMS_*`).
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// `SMS_API_BASE`: default Twilio's API; a local fake in tests.
    pub api_base: String,
    pub account: String,
    pub token: Secret<String>,
    /// `SMS_FROM`: the number or sender id texts come from.
    pub from: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

/// An amount setting typed as money ("100.00"), in minor units.
fn amount(name: &'static str, raw: Option<String>, default: i64) -> Result<i64, ConfigError> {
    match raw {
        None => Ok(default),
        Some(text) => domain::catalog::editor::parse_money(&text).ok_or(ConfigError {
            name,
            problem: format!("{text:?} is not an amount (write it as 100.00)"),
        }),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/bazaar.db";

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can build a config without touching the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        fn parse<T: std::str::FromStr>(name: &'static str, raw: Option<String>, default: T) -> Result<T, ConfigError>
        where
            T::Err: fmt::Display,
        {
            match raw {
                None => Ok(default),
                Some(text) => text.trim().parse().map_err(|e: T::Err| ConfigError {
                    name,
                    problem: format!("cannot read {text:?}: {e}"),
                }),
            }
        }
        let public_url = get("PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string());
        if let Some(url) = &public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError {
                    name: "PUBLIC_URL",
                    problem: "must start with http:// or https://".into(),
                });
            }
        }
        let log_format = match get("LOG_FORMAT").as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("human") => LogFormat::Human,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    name: "LOG_FORMAT",
                    problem: format!("expected human or json, got {other:?}"),
                })
            }
        };
        let stripe_secret_key = get("STRIPE_SECRET_KEY").map(Secret::new);
        let stripe_webhook_secret = get("STRIPE_WEBHOOK_SECRET").map(Secret::new);
        if stripe_secret_key.is_some() && stripe_webhook_secret.is_none() {
            return Err(ConfigError {
                name: "STRIPE_WEBHOOK_SECRET",
                problem: "required with STRIPE_SECRET_KEY (the webhook endpoint's signing secret, whsec_…)".into(),
            });
        }
        let stripe_connect_webhook_secret = get("STRIPE_CONNECT_WEBHOOK_SECRET").map(Secret::new);
        let sms = match (get("SMS_ACCOUNT"), get("SMS_TOKEN"), get("SMS_FROM")) {
            (None, None, None) => None,
            (None, _, _) => {
                return Err(ConfigError {
                    name: "SMS_ACCOUNT",
                    problem: "SMS_TOKEN and SMS_FROM need the provider's account id too".into(),
                })
            }
            (Some(account), Some(token), Some(from)) => Some(SmsConfig {
                api_base: get("SMS_API_BASE").unwrap_or_else(|| "https://api.twilio.com".into()),
                account,
                token: Secret::new(token),
                from,
            }),
            (Some(_), _, _) => {
                return Err(ConfigError {
                    name: "SMS_ACCOUNT",
                    problem: "needs SMS_TOKEN and SMS_FROM too".into(),
                })
            }
        };
        if stripe_connect_webhook_secret.is_some() && stripe_secret_key.is_none() {
            return Err(ConfigError {
                name: "STRIPE_CONNECT_WEBHOOK_SECRET",
                problem: "needs STRIPE_SECRET_KEY (stores are paid from the platform's Stripe balance)".into(),
            });
        }
        let picture_fetch_allow_loopback = parse(
            "PICTURE_FETCH_ALLOW_LOOPBACK",
            get("PICTURE_FETCH_ALLOW_LOOPBACK"),
            false,
        )?;
        if picture_fetch_allow_loopback && public_url.as_deref().is_some_and(|u| u.starts_with("https://")) {
            return Err(ConfigError {
                name: "PICTURE_FETCH_ALLOW_LOOPBACK",
                problem: "is for tests only: a shop served over https must not let a seller's file reach this \
                          machine's own services"
                    .into(),
            });
        }
        let platform_zone = match get("PLATFORM_TIME_ZONE") {
            None => domain::platform::zones::UTC,
            Some(name) => domain::platform::zones::known(name.trim()).ok_or(ConfigError {
                name: "PLATFORM_TIME_ZONE",
                problem: format!("{name:?} is not a time zone (write it as Europe/Berlin or UTC)"),
            })?,
        }
        .to_string();
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        domain::Backend::from_url(&database_url).map_err(|e| ConfigError {
            name: "DATABASE_URL",
            problem: e.to_string(),
        })?;
        Ok(Config {
            site_addr: parse(
                "LEPTOS_SITE_ADDR",
                get("LEPTOS_SITE_ADDR"),
                SocketAddr::from(([127, 0, 0, 1], 3000)),
            )?,
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_string()),
            database_url: Secret::new(database_url),
            database_max_connections: parse("DATABASE_MAX_CONNECTIONS", get("DATABASE_MAX_CONNECTIONS"), 10)?,
            sqlite_sync: parse("SQLITE_SYNC", get("SQLITE_SYNC"), domain::SqliteSync::Full)?,
            public_url,
            session_idle: Duration::from_secs(
                60 * parse("SESSION_IDLE_MINUTES", get("SESSION_IDLE_MINUTES"), 2 * 24 * 60)?,
            ),
            session_absolute: Duration::from_secs(
                3600 * parse("SESSION_ABSOLUTE_HOURS", get("SESSION_ABSOLUTE_HOURS"), 30 * 24)?,
            ),
            // At least a minute: 0 would end every admin session at once.
            admin_idle: Duration::from_secs(
                60 * parse("ADMIN_IDLE_MINUTES", get("ADMIN_IDLE_MINUTES"), 30_u64)?.max(1),
            ),
            refund_confirm_above: amount("ADMIN_REFUND_CONFIRM_ABOVE", get("ADMIN_REFUND_CONFIRM_ABOVE"), 10_000)?,
            login_per_account: parse(
                "LOGIN_MAX_FAILURES_PER_ACCOUNT",
                get("LOGIN_MAX_FAILURES_PER_ACCOUNT"),
                5,
            )?,
            login_per_client: parse(
                "LOGIN_MAX_FAILURES_PER_CLIENT",
                get("LOGIN_MAX_FAILURES_PER_CLIENT"),
                20,
            )?,
            login_window: Duration::from_secs(parse(
                "LOGIN_THROTTLE_WINDOW_SECONDS",
                get("LOGIN_THROTTLE_WINDOW_SECONDS"),
                900,
            )?),
            trust_proxy_headers: parse("TRUST_PROXY_HEADERS", get("TRUST_PROXY_HEADERS"), false)?,
            log_format,
            dev_mode: get("LEPTOS_ENV")
                .map(|e| e.eq_ignore_ascii_case("dev"))
                .unwrap_or(false),
            platform_zone,
            dev_mailbox: parse("DEV_MAILBOX", get("DEV_MAILBOX"), false)?,
            test_clock: parse("TEST_CLOCK", get("TEST_CLOCK"), false)?,
            product_views: parse("PRODUCT_VIEWS", get("PRODUCT_VIEWS"), true)?,
            analytics: parse("ANALYTICS", get("ANALYTICS"), true)?,
            analytics_keep_days: parse("ANALYTICS_KEEP_DAYS", get("ANALYTICS_KEEP_DAYS"), 90)?,
            allow_demo_accounts: parse("ALLOW_DEMO_ACCOUNTS", get("ALLOW_DEMO_ACCOUNTS"), false)?,
            allow_demo_reviews: parse("ALLOW_DEMO_REVIEWS", get("ALLOW_DEMO_REVIEWS"), false)?,
            search_dir: get("SEARCH_DIR").unwrap_or_else(|| "data/search".into()).into(),
            image_dir: get("IMAGE_DIR").unwrap_or_else(|| "data/images".into()).into(),
            meili_url: get("MEILI_URL").map(|u| u.trim_end_matches('/').to_string()),
            meili_key: get("MEILI_KEY").map(Secret::new),
            stripe_secret_key,
            stripe_webhook_secret,
            stripe_api_base: get("STRIPE_API_BASE"),
            stripe_connect_webhook_secret,
            transfer_sweep_minutes: parse("TRANSFER_SWEEP_MINUTES", get("TRANSFER_SWEEP_MINUTES"), 60)?.max(1),
            smtp_url: get("SMTP_URL").map(Secret::new),
            mail_from: get("MAIL_FROM").unwrap_or_else(|| "Bazaar <orders@bazaar.localhost>".to_string()),
            sms,
            picture_fetch_allow_loopback,
            picture_fetch_seconds: parse("PICTURE_FETCH_SECONDS", get("PICTURE_FETCH_SECONDS"), 20)?,
            picture_fetches_per_store_hour: parse(
                "PICTURE_FETCHES_PER_STORE_HOUR",
                get("PICTURE_FETCHES_PER_STORE_HOUR"),
                3_000,
            )?,
        })
    }

    /// Served over https: Secure cookies with the `__Host-` prefix, HSTS.
    pub fn is_https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// The database URL with any password masked, for the start-up log line.
    pub fn database_url_for_log(&self) -> String {
        let url = self.database_url.expose();
        match (url.find("://"), url.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                let creds = &url[scheme_end + 3..at];
                let user = creds.split(':').next().unwrap_or_default();
                format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
            }
            _ => url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn fetching_pictures_from_this_machine_is_refused_over_https() {
        let Err(e) = config(&[
            ("PUBLIC_URL", "https://shop.example.com"),
            ("PICTURE_FETCH_ALLOW_LOOPBACK", "true"),
        ]) else {
            panic!("loopback fetching over https must be refused");
        };
        assert_eq!(e.name, "PICTURE_FETCH_ALLOW_LOOPBACK");
        assert!(config(&[("PICTURE_FETCH_ALLOW_LOOPBACK", "true")]).is_ok());
        assert!(!config(&[]).expect("defaults").picture_fetch_allow_loopback);
    }

    #[test]
    fn defaults_give_a_local_sqlite_shop() {
        let c = config(&[]).expect("defaults");
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url.expose(), DEFAULT_DATABASE_URL);
        assert!(!c.is_https());
        assert_eq!(c.session_idle, Duration::from_secs(2 * 24 * 3600));
        assert_eq!(c.admin_idle, Duration::from_secs(30 * 60));
    }

    #[test]
    fn secrets_never_print() {
        let c = config(&[("DATABASE_URL", "postgres://shop:hunter22@db/shop")]).expect("config");
        let debug = format!("{c:?}");
        assert!(!debug.contains("hunter22"), "{debug}");
        assert_eq!(c.database_url_for_log(), "postgres://shop:***@db/shop");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = config(&[("DATABASE_MAX_CONNECTIONS", "many")]).expect_err("accepted");
        assert_eq!(err.name, "DATABASE_MAX_CONNECTIONS");
        let err = config(&[("DATABASE_URL", "mysql://x")]).expect_err("accepted");
        assert_eq!(err.name, "DATABASE_URL");
    }

    #[test]
    fn the_platforms_zone_is_a_known_one_in_its_own_spelling() {
        assert_eq!(config(&[]).expect("defaults").platform_zone, "UTC");
        assert_eq!(config(&[]).expect("defaults").refund_confirm_above, 10_000);
        let c = config(&[("ADMIN_REFUND_CONFIRM_ABOVE", " 250.50 ")]).expect("amount");
        assert_eq!(c.refund_confirm_above, 25_050);
        let err = config(&[("ADMIN_REFUND_CONFIRM_ABOVE", "lots")]).expect_err("not an amount");
        assert_eq!(err.name, "ADMIN_REFUND_CONFIRM_ABOVE");
        let c = config(&[("PLATFORM_TIME_ZONE", " europe/berlin ")]).expect("zone");
        assert_eq!(c.platform_zone, "Europe/Berlin");
        for wrong in ["Mars/Olympus", "UTC\u{0}", "US/Eastern"] {
            let err = config(&[("PLATFORM_TIME_ZONE", wrong)]).expect_err(wrong);
            assert_eq!(err.name, "PLATFORM_TIME_ZONE");
        }
    }
}
