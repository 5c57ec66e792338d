//! `GET /seller/money/statement.csv`: the store's statement as a file (the filters of `/seller/money`),
//! `GET /seller/sales.csv`: the sales dashboard's tables (`table`: its days, its summary, its products),
//! `GET /admin/sales.csv`: the admin dashboard's days, `GET /admin/analytics.csv`: an analytics table, and
//! `POST /test/clock`: moves the shop's clock forward, only in a shop started with `TEST_CLOCK=1` (the browser
//! journeys wait out a holding period that way).

use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::sellers::SellerError;
use model::money::{SalesRange, StatementFilter};

use crate::AppState;
use app::ssr::CurrentActor;

#[derive(Debug, serde::Deserialize)]
pub struct Filter {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    kind: String,
}

pub async fn statement(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    Query(filter): Query<Filter>,
) -> Response {
    let Some(Extension(CurrentActor(actor))) = actor else {
        return see_other("/login?next=%2Fseller%2Fmoney");
    };
    let filter = StatementFilter {
        from: filter.from,
        to: filter.to,
        kind: filter.kind,
    };
    let made = domain::money::statement::csv(&state.services.db, &actor, &filter).await;
    seller_file(&actor, "statement", made)
}

#[derive(Debug, serde::Deserialize)]
pub struct Period {
    #[serde(default)]
    range: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    table: String,
}

/// `GET /seller/sales.csv`: one of the sales dashboard's tables as a file.
pub async fn sales(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    Query(period): Query<Period>,
) -> Response {
    let Some(Extension(CurrentActor(actor))) = actor else {
        return see_other("/login?next=%2Fseller");
    };
    let made = domain::money::dashboard::csv(&state.services.db, &actor, &period.range(), &period.table).await;
    let name = match period.table.trim() {
        "summary" => "sales-summary",
        "products" => "sales-products",
        _ => "sales",
    };
    seller_file(&actor, name, made)
}

/// `GET /admin/sales.csv`: each day of the admin dashboard's period, per currency, as a file. Admins only.
pub async fn admin_sales(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    Query(period): Query<Period>,
) -> Response {
    let Some(Extension(CurrentActor(actor))) = actor else {
        return see_other("/login?next=%2Fadmin");
    };
    let services = &state.services;
    let made = domain::admin::dashboard::csv(&services.db, &actor, &period.range(), &services.platform_zone).await;
    admin_file("marketplace-sales", made)
}

/// `GET /admin/analytics.csv`: one of the analytics screen's tables (`table`) over its period. Admins only.
pub async fn admin_analytics(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    Query(period): Query<Period>,
) -> Response {
    let Some(Extension(CurrentActor(actor))) = actor else {
        return see_other("/login?next=%2Fadmin%2Fanalytics");
    };
    let Some(table) = model::admin_analytics::AnalyticsTable::parse(period.table.trim()) else {
        return (StatusCode::NOT_FOUND, "There is no such table.").into_response();
    };
    let services = &state.services;
    let zone = &services.platform_zone;
    let made = domain::analytics::report::csv(&services.db, &actor, &period.range(), zone, table).await;
    admin_file(&format!("analytics-{}", table.key()), made)
}

impl Period {
    fn range(&self) -> SalesRange {
        SalesRange {
            range: self.range.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }
}

/// An admin's CSV download, or why there is none.
fn admin_file(name: &str, made: Result<Vec<u8>, domain::admin::AdminError>) -> Response {
    use domain::admin::AdminError;
    match made {
        Ok(bytes) => attachment(
            "text/csv; charset=utf-8",
            &format!("{name}-{}.csv", domain::platform::clock::today()),
            bytes,
        ),
        Err(AdminError::Forbidden) => (StatusCode::FORBIDDEN, "Only admins may download this.").into_response(),
        Err(AdminError::Invalid(fields)) => invalid(fields),
        Err(e) => {
            tracing::error!(error = %e, file = name, "an admin's file could not be written");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The file could not be written; please try again.",
            )
                .into_response()
        }
    }
}

/// 400 with what to type instead.
fn invalid(fields: Vec<model::FieldError>) -> Response {
    let message: Vec<String> = fields.into_iter().map(|f| f.message).collect();
    (StatusCode::BAD_REQUEST, message.join(" ")).into_response()
}

/// A seller's CSV download, or why there is none: admins use the admin screens, a visitor who runs no store is
/// sent to apply, a wrong filter is told what to type.
fn seller_file(actor: &domain::Actor, name: &str, made: Result<Vec<u8>, SellerError>) -> Response {
    if actor.is_admin() {
        return (StatusCode::FORBIDDEN, "The seller portal is for sellers.").into_response();
    }
    match made {
        Ok(bytes) => attachment(
            "text/csv; charset=utf-8",
            &format!("{name}-{}.csv", domain::platform::clock::today()),
            bytes,
        ),
        Err(SellerError::NotFound) => see_other("/sell"),
        Err(SellerError::Invalid(fields)) => invalid(fields),
        Err(e) => {
            tracing::error!(error = %e, file = name, "a seller's file could not be written");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The file could not be written; please try again.",
            )
                .into_response()
        }
    }
}

/// A download: `body` saved as `file_name`, never cached (it is one account's or one store's).
pub(crate) fn attachment(content_type: &str, file_name: &str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body.into(),
    )
        .into_response()
}

pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct Move {
    days: i64,
}

/// `POST /test/clock` when `enabled` (`TEST_CLOCK`): the clock may then be moved; nothing otherwise (a 404).
pub fn test_clock(enabled: bool) -> axum::Router {
    if !enabled {
        return axum::Router::new();
    }
    domain::platform::clock::allow_moving();
    axum::Router::new().route("/test/clock", axum::routing::post(move_clock))
}

/// Moves the clock `days` (1 to 60) forward. The route exists only with `TEST_CLOCK=1`.
pub async fn move_clock(Form(moved): Form<Move>) -> Response {
    if !(1..=60).contains(&moved.days) {
        return (StatusCode::BAD_REQUEST, "days: 1 to 60").into_response();
    }
    if !domain::platform::clock::move_forward(moved.days * 86_400_000) {
        return StatusCode::NOT_FOUND.into_response();
    }
    (StatusCode::OK, "moved").into_response()
}
