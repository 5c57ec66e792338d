//! Pictures on a review: `POST /account/reviews/pictures?order=…&variant=…`, the review page's "Upload pictures"
//! form as `multipart/form-data`. The files go through the same rules as a product's pictures (10 MB each, checked,
//! decoded and re-encoded by the image store); the refused ones and why are shown on the review page.

use axum::extract::{Multipart, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::catalog::images::MAX_BYTES;
use domain::reviews::pictures::{self, MAX_PER_REVIEW};
use domain::reviews::ReviewError;
use serde::Deserialize;
use tower_sessions::Session;

use crate::uploads::{page, read_pictures};
use crate::AppState;
use app::ssr::CurrentActor;

/// A review's pictures, and the form's few fields.
pub const BODY_LIMIT: usize = MAX_PER_REVIEW * MAX_BYTES + 64 * 1024;

#[derive(Debug, Deserialize)]
pub struct Line {
    #[serde(default)]
    order: i64,
    #[serde(default)]
    variant: i64,
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

pub async fn pictures(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    session: Session,
    Query(line): Query<Line>,
    multipart: Multipart,
) -> Response {
    let back = app::api::reviews::form_href(line.order, line.variant);
    let Some(Extension(CurrentActor(actor))) = actor else {
        return see_other(&format!("/login?next={}", app::url_encode(&back)));
    };
    let to_review = (back.as_str(), "Back to your review");
    let upload = match read_pictures(multipart, to_review, MAX_PER_REVIEW).await {
        Ok(upload) => upload,
        Err(answer) => return answer,
    };
    let services = &state.services;
    let sent = upload.files.len();
    let added = pictures::add(
        &services.db,
        &*services.images,
        &actor,
        line.order,
        line.variant,
        upload.files,
    )
    .await;
    match added {
        Ok(done) => {
            let mut refused = done.refused;
            if sent == 0 {
                refused.push((
                    "No picture".to_string(),
                    "Choose one or more pictures, then press Upload pictures.".to_string(),
                ));
            }
            if upload.more_than_allowed {
                refused.push((
                    "The other files".to_string(),
                    format!("A review shows at most {MAX_PER_REVIEW} pictures."),
                ));
            }
            if !refused.is_empty() {
                let key = app::api::reviews::refused_pictures_key(line.order, line.variant);
                if let Err(e) = app::ssr::keep_typed_in(&session, &services.db, &key, &refused).await {
                    tracing::error!(error = %e, "could not keep the refused review pictures");
                }
            }
            let joiner = if back.contains('?') { '&' } else { '?' };
            see_other(&format!("{back}{joiner}pictures={}#pictures-title", done.added))
        }
        Err(ReviewError::NotFound) => page(
            StatusCode::NOT_FOUND,
            "Review not found",
            "We could not find that item among the ones you received.",
            ("/account/reviews", "Back to your reviews"),
        ),
        Err(ReviewError::NotAllowed(message)) => page(StatusCode::CONFLICT, "Pictures not added", &message, to_review),
        Err(e) => {
            tracing::error!(error = %e, "review pictures could not be added");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Pictures not added",
                "Something went wrong on our side; nothing was added. Please try again.",
                to_review,
            )
        }
    }
}
