//! The catalog import: the import page, an upload's report, and applying it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::signed_in;
use crate::error::AppError;

/// Where the upload handler keeps why a catalog file was refused, for the import page.
pub const REFUSED_IMPORT: &str = "refused_import";

/// What `/seller/products/import` shows: what a file may hold, and why the last upload was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPageData {
    pub guide: model::sellers::ImportGuide,
    pub refused: Option<String>,
}

#[server(endpoint = "import_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn import_page() -> Result<ImportPageData, AppError> {
    let (services, actor) = signed_in()?;
    let refused: Option<String> = crate::ssr::take_typed(REFUSED_IMPORT).await?;
    let guide = domain::catalog::transfer::guide(&services.db, &actor).await?;
    Ok(ImportPageData { guide, refused })
}

#[server(endpoint = "import_report", input = leptos::server_fn::codec::GetUrl)]
pub async fn import_report(id: i64) -> Result<model::sellers::ImportView, AppError> {
    let (services, actor) = signed_in()?;
    Ok(domain::workflows::import_products::view(&services.db, &actor, id).await?)
}

/// Starts applying an uploaded file's changes and returns to its report, which follows them.
#[server(endpoint = "apply_import")]
pub async fn apply_import(id: i64) -> Result<(), AppError> {
    use domain::workflows::import_products::{apply_in_background, Applied};
    let (services, actor) = signed_in()?;
    let flag = match apply_in_background(&services.db, &actor, id).await? {
        Applied::Done { .. } | Applied::Started => "applied",
        Applied::Replanned => "replanned",
    };
    crate::ssr::redirect(&format!("/seller/products/import/{id}?{flag}=1"));
    Ok(())
}

/// Sends an import's failed pictures back to be fetched again and returns to its report.
#[server(endpoint = "retry_pictures")]
pub async fn retry_pictures(id: i64) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let sent = domain::catalog::picture_fetches::retry_failed(&services.db, &actor, id).await?;
    crate::ssr::redirect(&format!("/seller/products/import/{id}?retried={sent}#pictures"));
    Ok(())
}
