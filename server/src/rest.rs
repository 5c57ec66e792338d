//! The public REST API under /api/v1 (JSON, for integrations). Thin handlers over the domain's catalog queries.
//! Errors are `{"error": {"code", "message"}}`; internal ones carry only the request id.

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::catalog::{self, RawSearch};
use domain::platform::Problem;
use model::catalog::ProductCard;
use serde_json::{json, Value};

use app::ssr::Services;

pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/v1/products/search", get(search))
        .route("/api/v1/products/{id}", get(product))
        .route("/api/v1/categories", get(categories))
}

pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn internal(request_id: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(request_id, error = %cause, "REST request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("Something went wrong on our side; quote reference {request_id}."),
        )
    }

    /// The one mapping from a domain problem to the REST error object (the web app's is `AppError`'s). `what` names
    /// the thing a 404 is about.
    fn from_problem(request_id: &str, problem: impl Into<Problem>, what: &str) -> Self {
        match problem.into() {
            Problem::Invalid(fields) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Problem::NotFound => ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("No {what} has this id.")),
            Problem::Forbidden | Problem::BadCredentials => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", "You do not have access to this.")
            }
            Problem::Throttled { .. } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests; try again later.",
            ),
            Problem::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            Problem::Unavailable { message, cause } => {
                tracing::error!(request_id, error = %cause, "a service we depend on failed");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
            }
            Problem::Internal(cause) => ApiError::internal(request_id, cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": { "code": self.code, "message": self.message } })),
        )
            .into_response()
    }
}

fn request_id(req: &Request) -> String {
    req.extensions()
        .get::<app::ssr::RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

/// JSON with a weak ETag of the body and a short shared cache lifetime; answers 304 to a matching If-None-Match.
fn cached_json(headers: &HeaderMap, body: Value) -> Response {
    let text = body.to_string();
    let etag = format!("W/\"{:016x}\"", fnv1a(text.as_bytes()));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], text).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30, stale-while-revalidate=60"),
    );
    response
}

/// FNV-1a: a stable, dependency-free fingerprint for ETags (not a security hash).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn card_json(card: &ProductCard) -> Value {
    json!({
        "id": card.id,
        "name": card.title,
        "price": card.price.major(),
        "currency": card.price.currency,
        "category": card.category_name,
        "rating": card.rating,
        "image_url": card.image_url,
        "url": format!("/p/{}", card.slug),
    })
}

async fn search(
    State(services): State<Services>,
    Query(pairs): Query<Vec<(String, String)>>,
    req: Request,
) -> Result<Response, ApiError> {
    let rid = request_id(&req);
    let raw = RawSearch::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let query = catalog::parse_search(&raw)
        .map_err(|fields| ApiError::from_problem(&rid, Problem::Invalid(fields), "product"))?;
    let results = domain::search::search(&services.db, &*services.search, &query)
        .await
        .map_err(|e| ApiError::from_problem(&rid, e, "product"))?;
    Ok(cached_json(
        req.headers(),
        json!({
            "total": results.total,
            "page": results.page,
            "per_page": results.per_page,
            "results": results.items.iter().map(card_json).collect::<Vec<_>>(),
        }),
    ))
}

async fn product(State(services): State<Services>, Path(id): Path<String>, req: Request) -> Result<Response, ApiError> {
    let rid = request_id(&req);
    let id: i64 = id.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "id: expected a positive whole number.",
        )
    })?;
    let detail = catalog::product_by_id(&services.db, id)
        .await
        .map_err(|e| ApiError::from_problem(&rid, e, "product"))?;
    let mut body = card_json(&detail.card);
    body["description"] = json!(detail.description_md);
    body["seller"] = json!({ "name": detail.card.seller_name, "slug": detail.card.seller_slug });
    body["attributes"] = json!(detail
        .attributes
        .iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect::<Vec<_>>());
    body["variants"] = json!(detail
        .variants
        .iter()
        .map(|v| json!({
            "id": v.id,
            "sku": v.sku,
            "title": v.title,
            "options": v.options.iter().map(|(k, val)| json!({"name": k, "value": val})).collect::<Vec<_>>(),
            "price": v.price.major(),
            // The lowest price of the 30 days before this one, when above it (decision 0042).
            "was_price": v.was_price.as_ref().map(|m| m.major()),
            "available": v.available,
        }))
        .collect::<Vec<_>>());
    Ok(cached_json(req.headers(), body))
}

async fn categories(State(services): State<Services>, req: Request) -> Result<Response, ApiError> {
    let rid = request_id(&req);
    let all = catalog::categories(&services.db)
        .await
        .map_err(|e| ApiError::from_problem(&rid, e, "category"))?;
    let body = json!({
        "categories": all.iter().map(|c| json!({
            "id": c.id, "parent_id": c.parent_id, "slug": c.slug, "name": c.name
        })).collect::<Vec<_>>()
    });
    Ok(cached_json(req.headers(), body))
}

/// A generated product image: a coloured card with the product's name (demo data has no photos).
pub async fn product_card_image(State(services): State<Services>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".svg").and_then(|s| s.parse::<i64>().ok()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let title = match catalog::product_title(&services.db, id).await {
        Ok(Some(t)) => t,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "product image failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let hue = fnv1a(title.as_bytes()) % 360;
    let escaped = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let words: Vec<&str> = escaped.split(' ').collect();
    let (line1, line2) = words.split_at(words.len().div_ceil(2));
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"600\" viewBox=\"0 0 600 600\">\
         <rect width=\"600\" height=\"600\" fill=\"hsl({hue},55%,88%)\"/>\
         <circle cx=\"300\" cy=\"250\" r=\"120\" fill=\"hsl({hue},45%,62%)\"/>\
         <text x=\"300\" y=\"450\" font-family=\"system-ui,sans-serif\" font-size=\"38\" font-weight=\"700\" text-anchor=\"middle\" fill=\"hsl({hue},40%,22%)\">{}</text>\
         <text x=\"300\" y=\"500\" font-family=\"system-ui,sans-serif\" font-size=\"38\" font-weight=\"700\" text-anchor=\"middle\" fill=\"hsl({hue},40%,22%)\">{}</text></svg>",
        line1.join(" "),
        line2.join(" ")
    );
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response()
}

/// A stored product image or thumbnail. Names are content hashes, so a name's bytes never change: browsers and
/// CDNs may keep them for a year without asking again.
pub async fn stored_image(State(services): State<Services>, Path(file): Path<String>) -> Response {
    match services.images.get(&file).await {
        Ok(Some((bytes, content_type))) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "image read failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
