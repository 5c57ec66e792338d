//! Becoming a seller: the application page and the application.

use leptos::prelude::*;
use model::sellers::{ApplicationForm, ApplicationView};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::signed_in;
use crate::error::AppError;

/// Where the typed application waits while the visitor fixes a field.
pub const APPLICATION_FORM: &str = "seller_application";

/// What `/sell` shows: the latest application (if any) and the form, with what was typed when a field was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellPageData {
    pub application: Option<ApplicationView>,
    pub form: ApplicationForm,
    /// The store this account runs, when it is a seller's already: (name, address).
    pub store: Option<(String, String)>,
    /// The countries a store may apply from: (code, name).
    pub countries: Vec<(String, String)>,
}

#[server(endpoint = "sell_page")]
pub async fn sell_page() -> Result<SellPageData, AppError> {
    let (services, actor) = signed_in()?;
    let application = domain::sellers::applications::latest_of(&services.db, &actor).await?;
    let kept: Option<ApplicationForm> = crate::ssr::take_typed(APPLICATION_FORM).await?;
    // A rejected applicant starts from what they sent last time.
    let form = kept.unwrap_or_else(|| match &application {
        Some(a) if a.status == model::sellers::ApplicationStatus::Rejected => ApplicationForm {
            store_name: a.store_name.clone(),
            slug: a.slug.clone(),
            description: a.description.clone(),
            support_email: a.support_email.clone(),
            country: a.country.clone(),
            return_days: a.return_days.to_string(),
            return_policy: a.return_policy.clone(),
        },
        _ => ApplicationForm {
            return_days: "30".into(),
            country: "US".into(),
            ..ApplicationForm::default()
        },
    });
    let store = match actor.store_id() {
        Some(_) => domain::sellers::portal::home(&services.db, &actor)
            .await
            .ok()
            .map(|h| (h.store_name, h.slug)),
        None => None,
    };
    let countries = domain::sellers::applications::countries_open(&services.db)
        .await
        .map_err(domain::sellers::SellerError::from)?;
    Ok(SellPageData {
        application,
        form,
        store,
        countries,
    })
}

/// Sends an application to sell (any signed-in shopper).
#[server(endpoint = "apply_to_sell")]
pub async fn apply_to_sell(
    store_name: String,
    slug: String,
    description: String,
    support_email: String,
    country: String,
    return_days: String,
    return_policy: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let form = ApplicationForm {
        store_name,
        slug,
        description,
        support_email,
        country,
        return_days,
        return_policy,
    };
    match domain::workflows::onboard_seller::apply(&services.db, &actor, &form).await {
        Ok(_) => {
            crate::ssr::redirect("/sell?applied=1");
            Ok(())
        }
        Err(e) => {
            crate::ssr::keep_typed(APPLICATION_FORM, &form).await?;
            Err(e.into())
        }
    }
}
