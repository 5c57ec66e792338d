//! Picture uploads from the seller's product editor: a plain `multipart/form-data` post (a file input with
//! `multiple`), handled here because it is a stream of files, not a form of fields. Each file is limited to
//! 10 MB (a larger one is answered 413 with a message, before anything is stored); the domain checks, decodes and
//! re-encodes each picture and adds it to the seller's own product. The refused files and why are shown on the
//! editor, where the seller is sent back.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use domain::catalog::images::MAX_BYTES;
use domain::catalog::{editor, CatalogError};
use tower_sessions::Session;

use crate::AppState;
use app::ssr::CurrentActor;

/// The body of one upload may hold several pictures of up to 10 MB each.
pub const BODY_LIMIT: usize = 8 * MAX_BYTES + 64 * 1024;

fn page(status: StatusCode, title: &str, message: &str, back: &str) -> Response {
    // Every text here is ours or a number: nothing the client sent is echoed.
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Bazaar</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/pkg/bazaar.css\"></head><body><main id=\"main\" class=\"narrow stack\">\
         <h1 class=\"page-title\">{title}</h1><p class=\"alert alert--error\" role=\"alert\">{message}</p>\
         <p><a class=\"button\" href=\"{back}\">Back to the product</a></p></main></body></html>"
    );
    (status, Html(body)).into_response()
}

pub async fn pictures(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    session: Session,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Response {
    let back = format!("/seller/products/{id}");
    let Some(Extension(CurrentActor(actor))) = actor else {
        let next = app::url_encode(&back);
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/login?next={next}"))],
        )
            .into_response();
    };
    // Only a store's seller may make the server read pictures: anyone else is answered before the body is read.
    if actor.is_admin() {
        return (StatusCode::FORBIDDEN, "The seller portal is for sellers.").into_response();
    }
    if actor.store_id().is_none() {
        return see_other_plain("/sell");
    }
    let mut files = Vec::new();
    let mut more_than_allowed = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let status = e.status();
                tracing::warn!(error = %e, "an upload could not be read");
                let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "These files are too large together: upload at most 8 pictures of up to 10 MB at a time."
                } else {
                    "The upload was interrupted or damaged. Try again."
                };
                return page(status, "Pictures not added", message, &back);
            }
        };
        if field.name() != Some("pictures") {
            continue;
        }
        if files.len() == editor::MAX_PICTURES_PER_UPLOAD {
            // The rest of the body is never read.
            more_than_allowed = true;
            break;
        }
        let name: String = field
            .file_name()
            .unwrap_or("picture")
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(error = %e, "an uploaded file could not be read");
                return page(
                    e.status(),
                    "Pictures not added",
                    "The upload was interrupted. Try again.",
                    &back,
                );
            }
        };
        if bytes.is_empty() && name == "picture" {
            continue; // the file input was left empty
        }
        if bytes.len() > MAX_BYTES {
            return page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Picture too large",
                "A picture may be at most 10 MB. Make it smaller (or export it at a lower quality) and upload it again; nothing was added.",
                &back,
            );
        }
        files.push((name, bytes.to_vec()));
    }
    let services = &state.services;
    let sent = files.len();
    match editor::add_pictures(&services.db, &*services.images, &actor, id, files).await {
        Ok(refused) => {
            let added = sent - refused.len();
            let mut refused = refused;
            if more_than_allowed {
                refused.push((
                    "The other files".to_string(),
                    format!(
                        "At most {} pictures are added at a time: upload the others next.",
                        editor::MAX_PICTURES_PER_UPLOAD
                    ),
                ));
            }
            if !refused.is_empty() {
                let key = app::ssr::typed_key(app::api::sellers::REFUSED_UPLOADS);
                if let Err(e) = session.insert(&key, &refused).await {
                    tracing::error!(error = %e, "could not keep the refused uploads in the session");
                }
            }
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, format!("{back}?uploaded={added}#pictures-title"))],
            )
                .into_response()
        }
        Err(CatalogError::NotFound) => page(
            StatusCode::NOT_FOUND,
            "Product not found",
            "We could not find that product in your store.",
            "/seller/products",
        ),
        Err(e) => {
            tracing::error!(error = %e, product = id, "pictures could not be added");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Pictures not added",
                "Something went wrong on our side; nothing was added. Please try again.",
                &back,
            )
        }
    }
}

/// `POST /seller/settings/logo`: one picture (`logo`), re-encoded by the image store like a product picture.
/// A refusal (not a picture, too large, too many pixels) is shown on the settings page with why.
pub async fn logo(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    session: Session,
    mut multipart: Multipart,
) -> Response {
    let back = "/seller/settings";
    let Some(Extension(CurrentActor(actor))) = actor else {
        let next = app::url_encode(back);
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/login?next={next}"))],
        )
            .into_response();
    };
    if actor.is_admin() {
        return (StatusCode::FORBIDDEN, "The seller portal is for sellers.").into_response();
    }
    // Not a store's seller: answered before the body is read.
    if actor.store_id().is_none() {
        return see_other_plain("/sell");
    }
    let refuse = |message: String| {
        let session = session.clone();
        async move {
            let key = app::ssr::typed_key(app::api::sellers::REFUSED_LOGO);
            if let Err(e) = session.insert(&key, &message).await {
                tracing::error!(error = %e, "could not keep the refused logo in the session");
            }
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, format!("{back}#logo-title"))],
            )
                .into_response()
        }
    };
    let mut bytes = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("logo") => match field.bytes().await {
                Ok(b) => bytes = b.to_vec(),
                Err(e) => {
                    tracing::warn!(error = %e, "a logo upload could not be read");
                    return refuse(too_large_or_interrupted(e.status())).await;
                }
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "a logo upload could not be read");
                return refuse(too_large_or_interrupted(e.status())).await;
            }
        }
    }
    if bytes.len() > MAX_BYTES {
        return refuse(too_large_or_interrupted(StatusCode::PAYLOAD_TOO_LARGE)).await;
    }
    match domain::sellers::settings::set_logo(&state.services.db, &*state.services.images, &actor, bytes).await {
        Ok(()) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("{back}?saved=logo#logo-title"))],
        )
            .into_response(),
        Err(domain::sellers::SellerError::NotFound) => {
            (StatusCode::SEE_OTHER, [(header::LOCATION, "/sell".to_string())]).into_response()
        }
        Err(domain::sellers::SellerError::Invalid(errors)) => {
            refuse(errors.first().map(|e| e.message.clone()).unwrap_or_default()).await
        }
        Err(e) => {
            tracing::error!(error = %e, "a logo could not be saved");
            refuse("Something went wrong on our side; the logo was not changed. Please try again.".into()).await
        }
    }
}

fn see_other_plain(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

fn too_large_or_interrupted(status: StatusCode) -> String {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        "A logo may be at most 10 MB. Make it smaller and upload it again.".into()
    } else {
        "The upload was interrupted. Try again.".into()
    }
}
