//! Picture uploads from the seller's product editor: the editor's form posted as `multipart/form-data` by its
//! "Upload pictures" button (a file input with `multiple`), handled here because it is a stream of files. Each
//! file is limited to 10 MB (a larger one is answered 413 with a message, before anything is stored); the domain
//! checks, decodes and re-encodes each picture and adds it to the seller's own product. The refused files and why
//! are shown on the editor, where the seller is sent back to the form as typed.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use domain::catalog::images::MAX_BYTES;
use domain::catalog::{editor, CatalogError};
use tower_sessions::Session;

use crate::AppState;
use app::ssr::CurrentActor;

/// The body of one upload may hold several pictures of up to 10 MB each, and the editor's other fields.
pub const BODY_LIMIT: usize = 8 * MAX_BYTES + FIELDS_MAX + 64 * 1024;

/// Where a refusal page sends the person back: the address and the link's words.
pub(crate) type Back<'a> = (&'a str, &'a str);

pub(crate) fn page(status: StatusCode, title: &str, message: &str, (back, back_label): Back<'_>) -> Response {
    // Every text here is ours or a number: nothing the client sent is echoed.
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Bazaar</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/pkg/bazaar.css\"></head><body><main id=\"main\" class=\"narrow stack\">\
         <h1 class=\"page-title\">{title}</h1><p class=\"alert alert--error\" role=\"alert\">{message}</p>\
         <p><a class=\"button\" href=\"{back}\">{back_label}</a></p></main></body></html>"
    );
    (status, Html(body)).into_response()
}

/// What a form sent with its pictures.
pub(crate) struct PictureUpload {
    pub files: Vec<(String, Vec<u8>)>,
    /// The form sent more pictures than one upload adds (the rest was not read).
    pub more_than_allowed: bool,
    /// The form's other fields, as typed (the editor keeps them for the seller: an upload is not a save).
    pub fields: Vec<(String, String)>,
}

impl PictureUpload {
    /// What the person is told besides each refused file: nothing was chosen, or more files were sent than one
    /// upload takes (`more` says how many it takes).
    pub(crate) fn notes(&self, sent: usize, more: &str) -> Vec<(String, String)> {
        let mut notes = Vec::new();
        if sent == 0 {
            notes.push((
                "No picture".to_string(),
                "Choose one or more pictures, then press Upload pictures.".to_string(),
            ));
        }
        if self.more_than_allowed {
            notes.push(("The other files".to_string(), more.to_string()));
        }
        notes
    }
}

/// The most text the editor's fields may send with pictures (far above a product's limits).
const FIELDS_MAX: usize = 2 * 1024 * 1024;

/// `POST /seller/products/{id}/pictures`: the editor's form sent as `multipart/form-data` by its "Upload pictures"
/// button. The pictures are added; the other fields are not saved but kept as typed, so the editor shows them
/// again with the new pictures (an upload never loses unsaved edits).
pub async fn pictures(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    session: Session,
    Path(id): Path<i64>,
    multipart: Multipart,
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
    let to_product = (back.as_str(), "Back to the product");
    let upload = match read_pictures(multipart, to_product, editor::MAX_PICTURES_PER_UPLOAD).await {
        Ok(upload) => upload,
        Err(answer) => return answer,
    };
    let services = &state.services;
    let more = format!(
        "At most {} pictures are added at a time: upload the others next.",
        editor::MAX_PICTURES_PER_UPLOAD
    );
    let notes = upload.notes(upload.files.len(), &more);
    match editor::add_pictures(&services.db, &*services.images, &actor, id, upload.files).await {
        Ok(done) => {
            // Not `sent` less the refused: a picture the product already shows is not added again.
            let added = done.added.len();
            let mut refused = done.refused.clone();
            refused.extend(notes);
            keep_for_the_editor(&session, &services.db, &refused, &upload.fields, &done).await;
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
            ("/seller/products", "Back to your products"),
        ),
        Err(e) => {
            tracing::error!(error = %e, product = id, "pictures could not be added");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Pictures not added",
                "Something went wrong on our side; nothing was added. Please try again.",
                to_product,
            )
        }
    }
}

/// Reads the pictures (at most one upload's worth; further files are skipped unread) and the form's other
/// fields; an unreadable or too large body is answered with a page saying so.
pub(crate) async fn read_pictures(
    mut multipart: Multipart,
    back: Back<'_>,
    max_files: usize,
) -> Result<PictureUpload, Response> {
    let mut upload = PictureUpload {
        files: Vec::new(),
        more_than_allowed: false,
        fields: Vec::new(),
    };
    let mut text = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(unreadable(e.status(), back)),
        };
        let name = field.name().unwrap_or_default().to_string();
        if field.file_name().is_none() {
            let value = field.text().await.map_err(|e| unreadable(e.status(), back))?;
            text += name.len() + value.len();
            if text > FIELDS_MAX {
                return Err(unreadable(StatusCode::PAYLOAD_TOO_LARGE, back));
            }
            upload.fields.push((name, value));
            continue;
        }
        if name != "pictures" {
            continue;
        }
        if upload.files.len() == max_files {
            // Not read (the next field skips it); the form's fields after it still are.
            upload.more_than_allowed = true;
            continue;
        }
        let file_name: String = field
            .file_name()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        let bytes = field.bytes().await.map_err(|e| unreadable(e.status(), back))?;
        if bytes.is_empty() {
            continue; // the file input was left empty
        }
        if bytes.len() > MAX_BYTES {
            return Err(page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Picture too large",
                "A picture may be at most 10 MB. Make it smaller (or export it at a lower quality) and upload it again; nothing was added.",
                back,
            ));
        }
        let file_name = if file_name.is_empty() {
            "picture".to_string()
        } else {
            file_name
        };
        upload.files.push((file_name, bytes.to_vec()));
    }
    Ok(upload)
}

fn unreadable(status: StatusCode, back: Back<'_>) -> Response {
    tracing::warn!(%status, "an upload could not be read");
    let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "These files are too large together: upload fewer pictures (of up to 10 MB each) at a time."
    } else {
        "The upload was interrupted or damaged. Try again."
    };
    page(status, "Pictures not added", message, back)
}

/// Leaves for the editor, once: the refused files and why, and the form as the seller had typed it with the new
/// pictures laid over it (nothing kept when the fields are not the editor's).
async fn keep_for_the_editor(
    session: &Session,
    db: &domain::Db,
    refused: &[(String, String)],
    fields: &[(String, String)],
    done: &editor::Uploaded,
) {
    use app::api::sellers::{KeptProduct, SaveProduct, PRODUCT_FORM, REFUSED_UPLOADS};
    if !refused.is_empty() {
        if let Err(e) = app::ssr::keep_typed_in(session, db, REFUSED_UPLOADS, &refused).await {
            tracing::error!(error = %e, "could not keep the refused uploads");
        }
    }
    if fields.is_empty() {
        return;
    }
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    // Read the way the editor's save reads the same fields.
    let Ok(typed) = serde_qs::Config::new(5, false).deserialize_str::<SaveProduct>(&encoded) else {
        return;
    };
    let mut form = typed.into_form();
    done.carry_into(&mut form);
    let kept = KeptProduct {
        form,
        preview: false,
        notice: None,
    };
    if let Err(e) = app::ssr::keep_typed_in(session, db, PRODUCT_FORM, &kept).await {
        tracing::error!(error = %e, "could not keep the typed product form");
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
        let (session, db) = (session.clone(), state.services.db.clone());
        async move {
            let kept = app::ssr::keep_typed_in(&session, &db, app::api::sellers::REFUSED_LOGO, &message);
            if let Err(e) = kept.await {
                tracing::error!(error = %e, "could not keep the refused logo");
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

pub(crate) fn see_other_plain(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

fn too_large_or_interrupted(status: StatusCode) -> String {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        "A logo may be at most 10 MB. Make it smaller and upload it again.".into()
    } else {
        "The upload was interrupted. Try again.".into()
    }
}
