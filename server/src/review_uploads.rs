//! Pictures on a review: `POST /account/reviews/pictures?order=…&variant=…`, the review page's "Upload pictures"
//! form as `multipart/form-data`. The files go through the same rules as a product's pictures (10 MB each, checked,
//! decoded and re-encoded by the image store); the refused ones and why are shown on the review page.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use domain::catalog::images::MAX_BYTES;
use domain::reviews::pictures::{self, MAX_PER_REVIEW};
use domain::reviews::ReviewError;
use serde::Deserialize;
use tower_sessions::Session;

use crate::uploads::{page, read_pictures, see_other_plain, Back};
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

pub async fn pictures(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    session: Session,
    Query(line): Query<Line>,
    multipart: Multipart,
) -> Response {
    let back = app::api::reviews::form_href(line.order, line.variant);
    let Some(Extension(CurrentActor(actor))) = actor else {
        return see_other_plain(&format!("/login?next={}", app::url_encode(&back)));
    };
    let to_review = (back.as_str(), "Back to your review");
    let services = &state.services;
    // Only the review's author makes the server read pictures for it, and no more than its room.
    let room = match pictures::room(&services.db, &actor, line.order, line.variant).await {
        Ok(0) => {
            let full = format!("A review shows at most {MAX_PER_REVIEW} pictures: remove one to add another.");
            return page(StatusCode::CONFLICT, "Pictures not added", &full, to_review);
        }
        Ok(room) => room,
        Err(e) => return refusal(e, to_review),
    };
    let upload = match read_pictures(multipart, to_review, room).await {
        Ok(upload) => upload,
        Err(answer) => return answer,
    };
    let notes = upload.notes(
        upload.files.len(),
        &format!("A review shows at most {MAX_PER_REVIEW} pictures."),
    );
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
            refused.extend(notes);
            if !refused.is_empty() {
                let key = app::api::reviews::refused_pictures_key(line.order, line.variant);
                if let Err(e) = app::ssr::keep_typed_in(&session, &services.db, &key, &refused).await {
                    tracing::error!(error = %e, "could not keep the refused review pictures");
                }
            }
            see_other_plain(&format!("{back}&pictures={}#pictures-title", done.added))
        }
        Err(e) => refusal(e, to_review),
    }
}

/// The page for a refused upload: not this person's line, a rule of reviews, or our failure.
fn refusal(error: ReviewError, to_review: Back<'_>) -> Response {
    match error {
        ReviewError::NotFound => page(
            StatusCode::NOT_FOUND,
            "Review not found",
            "We could not find that item among the ones you received.",
            ("/account/reviews", "Back to your reviews"),
        ),
        ReviewError::NotAllowed(message) => page(StatusCode::CONFLICT, "Pictures not added", &message, to_review),
        e => {
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
