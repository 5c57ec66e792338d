//! "Your data": what the privacy page shows, and the erasure. The export is a file, served by the server's
//! `/account/privacy/export.json` route.

use leptos::prelude::*;
use model::privacy::PrivacyOverview;

use crate::error::AppError;

/// What is held about the signed-in account, and what stops an erasure now.
#[server(endpoint = "privacy_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn privacy_page() -> Result<PrivacyOverview, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let actor = crate::ssr::actor();
    Ok(domain::workflows::account_data::overview(&services.db, &actor).await?)
}

/// Erases the signed-in account (the password asked again, the box ticked), then ends this session too.
#[server(endpoint = "erase_account")]
pub async fn erase_account(password: String, understood: Option<String>) -> Result<(), AppError> {
    use domain::workflows::account_data::{self, Erasure};
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let actor = crate::ssr::actor();
    let form = Erasure {
        password,
        understood: understood.is_some(),
    };
    account_data::erase(&services.db, &actor, &form).await?;
    // The erasure deleted the account's sessions; this one would be saved again at the end of the request.
    let session = crate::ssr::session().await?;
    session.flush().await.map_err(crate::ssr::internal)?;
    crate::ssr::redirect("/account/erased");
    Ok(())
}
