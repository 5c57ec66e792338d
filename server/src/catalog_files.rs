//! The seller's catalog as a file: the CSV export (streamed as it is made, never held whole) and the import's
//! upload (a `multipart/form-data` post of one file), which keeps the file with its dry run and sends the seller
//! to the report. Applying is a plain form on the report page (a server function).

use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::catalog::transfer::{self, MAX_BYTES};
use domain::catalog::CatalogError;
use domain::workflows::import_products;
use tower_sessions::Session;

use crate::AppState;
use app::ssr::CurrentActor;

/// Turns to export a catalog (see `export`).
static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The body of an upload: the file and the category field.
pub const BODY_LIMIT: usize = MAX_BYTES + 64 * 1024;

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// An admin acts on stores through the admin UI, not as a seller (as every portal page answers them).
fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "The seller portal is for sellers.").into_response()
}

fn sign_in(back: &str) -> Response {
    see_other(&format!("/login?next={}", app::url_encode(back)))
}

/// `GET /seller/products/export.csv`.
pub async fn export(State(state): State<AppState>, actor: Option<Extension<CurrentActor>>) -> Response {
    let Some(Extension(CurrentActor(actor))) = actor else {
        return sign_in("/seller/products/export.csv");
    };
    if actor.is_admin() {
        return forbidden();
    }
    let db = state.services.db.clone();
    let name = match transfer::export_name(&db, &actor).await {
        Ok(name) => name,
        // Not a seller: the portal's own answer, the application page.
        Err(CatalogError::NotFound) => return see_other("/sell"),
        Err(e) => {
            tracing::error!(error = %e, "the export could not start");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The export could not start; please try again.",
            )
                .into_response();
        }
    };
    let base = state
        .config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", state.config.site_addr));
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let failed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let failure = failed.clone();
    tokio::spawn(async move {
        // A few exports at a time: each reads the whole catalog, and twelve at once must not crowd out shoppers.
        // The others wait here, holding no connection.
        let _turn = EXPORTS.acquire().await;
        // Held until the failure is recorded, so the stream sees the end only after it.
        let keep = tx.clone();
        if let Err(e) = transfer::export(&db, &actor, &base, tx).await {
            tracing::error!(error = %e, "the export stopped");
            failure.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        drop(keep);
    });
    // A download that stopped on our side ends as a broken download, never as a complete-looking short file.
    let stream = futures_util::stream::unfold((rx, failed), |(mut rx, failed)| async move {
        match rx.recv().await {
            Some(chunk) => Some((Ok(chunk), (rx, failed))),
            None if failed.swap(false, std::sync::atomic::Ordering::SeqCst) => Some((
                Err(std::io::Error::other("the export stopped; see the server log")),
                (rx, failed),
            )),
            None => None,
        }
    });
    crate::money_files::attachment("text/csv; charset=utf-8", &name, Body::from_stream(stream))
}

/// Where the import page finds a refused upload's message.
const BACK: &str = "/seller/products/import";

/// `POST /seller/products/import`: the file (`file`) and the category for rows without one (`category`).
pub async fn import(
    State(state): State<AppState>,
    actor: Option<Extension<CurrentActor>>,
    session: Session,
    mut multipart: Multipart,
) -> Response {
    let Some(Extension(CurrentActor(actor))) = actor else {
        return sign_in(BACK);
    };
    if actor.is_admin() {
        return forbidden();
    }
    // Not a store's seller (a shopper): sent to apply before a byte of the file is read.
    if actor.store_id().is_none() {
        return see_other("/sell");
    }
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut category: Option<i64> = None;
    let refused = |message: &str| {
        let (session, db) = (session.clone(), state.services.db.clone());
        let message = message.to_string();
        async move {
            let kept = app::ssr::keep_typed_in(&session, &db, app::api::sellers::REFUSED_IMPORT, &message);
            if let Err(e) = kept.await {
                tracing::error!(error = %e, "could not keep the refused import");
            }
            see_other(&format!("{BACK}#upload"))
        }
    };
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("file") => {
                    let name = field.file_name().unwrap_or("catalog.csv").to_string();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes.to_vec())),
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return refused(
                                "The file is larger than 20 MB; split it and import the parts one after another.",
                            )
                            .await;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "an import upload could not be read");
                            return refused("The upload was interrupted. Try again.").await;
                        }
                    }
                }
                Some("category") => {
                    category = field.text().await.ok().and_then(|t| t.trim().parse().ok());
                }
                _ => {}
            },
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "an import upload could not be read");
                let message = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "The file is larger than 20 MB; split it and import the parts one after another."
                } else {
                    "The upload was interrupted or damaged. Try again."
                };
                return refused(message).await;
            }
        }
    }
    let (name, bytes) = file.unwrap_or_default();
    match import_products::upload(&state.services.db, &actor, &name, &bytes, category).await {
        Ok(id) => see_other(&format!("/seller/products/import/{id}")),
        Err(CatalogError::NotFound) => see_other("/sell"),
        Err(CatalogError::Invalid(errors)) => {
            let message = errors.first().map(|e| e.message.clone()).unwrap_or_default();
            refused(&message).await
        }
        Err(e) => {
            tracing::error!(error = %e, "an import could not be checked");
            refused("Something went wrong on our side; nothing was imported. Please try again.").await
        }
    }
}
