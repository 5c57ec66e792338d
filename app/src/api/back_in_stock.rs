//! "Notify me" on a sold-out variant: the request, and the mailed link that confirms a visitor's address.

use leptos::prelude::*;

use crate::error::AppError;

/// Asks for one email when `variant` is back (a visitor gives `email`; a signed-in shopper's account address is
/// used). Back to the product page, which says what happens next.
#[server(endpoint = "notify_when_back")]
pub async fn notify_when_back(variant: String, #[server(default)] email: String) -> Result<(), AppError> {
    use domain::workflows::back_in_stock::{self, Outcome};
    let services = crate::ssr::services()?;
    let variant: i64 = variant
        .trim()
        .parse()
        .map_err(|_| crate::ssr::fail(AppError::NotFound))?;
    let actor = crate::ssr::actor();
    let (slug, outcome) = back_in_stock::ask(&services.db, &actor, variant, &email).await?;
    let flag = match outcome {
        Outcome::Watching => "on",
        Outcome::LinkSent => "link",
    };
    crate::ssr::redirect(&format!("/p/{slug}?notify={flag}#notify"));
    Ok(())
}

/// What a confirmation link is for ("Kettle (1.5 l)"), while it still works.
#[server(endpoint = "back_in_stock_pending")]
pub async fn back_in_stock_pending(token: String) -> Result<Option<String>, AppError> {
    use domain::inventory::back_in_stock;
    let services = crate::ssr::services()?;
    let found = back_in_stock::pending(&services.db, &token)
        .await
        .map_err(domain::inventory::InventoryError::from)?;
    Ok(found.map(|(product, variant)| domain::notifications::templates::item_name(&product, &variant)))
}

/// Confirms the address a link was mailed to; back to the product page.
#[server(endpoint = "confirm_back_in_stock")]
pub async fn confirm_back_in_stock(token: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let slug = domain::inventory::back_in_stock::confirm(&services.db, &token).await?;
    crate::ssr::redirect(&format!("/p/{slug}?notify=on#notify"));
    Ok(())
}
