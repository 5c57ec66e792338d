//! Notification preferences (`/account/notifications`), the unsubscribe page an optional mail links to, and the
//! admins' previews of every message. Plain form posts answered with a redirect.

use leptos::prelude::*;
use model::notifications::{MessagePreview, NotificationSettings};

use crate::error::AppError;

#[cfg(feature = "ssr")]
const KEPT: &str = "notifications";

/// The settings page: what is saved, or what was typed last if it was refused.
#[server(endpoint = "notification_choices", input = leptos::server_fn::codec::GetUrl)]
pub async fn notification_choices() -> Result<NotificationSettings, AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    if let Some(kept) = crate::ssr::take_typed::<NotificationSettings>(KEPT).await? {
        return Ok(kept);
    }
    domain::notifications::prefs::settings(&services.db, me.id)
        .await
        .map_err(crate::ssr::internal)
}

/// Saves the signed-in account's settings (a checkbox sends "on" when ticked, nothing when not).
#[server(endpoint = "save_notifications")]
pub async fn save_notifications(
    #[server(default)] marketing: String,
    #[server(default)] review_reminders: String,
    #[server(default)] price_drops: String,
    #[server(default)] texts: String,
    #[server(default)] phone: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let form = NotificationSettings {
        marketing: marketing == "on",
        review_reminders: review_reminders == "on",
        price_drops: price_drops == "on",
        texts: texts == "on",
        phone: phone.chars().take(64).collect(),
    };
    match domain::notifications::prefs::save(&services.db, me.id, &form).await {
        Ok(_) => {
            crate::ssr::redirect("/account/notifications?saved=1");
            Ok(())
        }
        Err(e) => {
            crate::ssr::keep_typed(KEPT, &form).await?;
            Err(crate::ssr::fail(e.into()))
        }
    }
}

/// The unsubscribe page's button: turns `topic` off for the account the link's token names (no sign-in needed).
#[server(endpoint = "unsubscribe_topic")]
pub async fn unsubscribe_topic(token: String, topic: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let known = model::notifications::Topic::parse(&topic)
        .filter(|_| token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()));
    let Some(kind) = known else {
        return Err(crate::ssr::fail(AppError::NotFound));
    };
    if !domain::notifications::prefs::unsubscribe(&services.db, &token, kind)
        .await
        .map_err(crate::ssr::internal)?
    {
        return Err(crate::ssr::fail(AppError::NotFound));
    }
    crate::ssr::redirect(&format!("/unsubscribe/{token}/{}?done=1", kind.as_str()));
    Ok(())
}

/// Every message the shop sends, with sample facts (admins only).
#[server(endpoint = "message_previews", input = leptos::server_fn::codec::GetUrl)]
pub async fn message_previews() -> Result<Vec<MessagePreview>, AppError> {
    crate::ssr::services()?;
    crate::ssr::require_user()?;
    Ok(domain::notifications::samples::for_admin(&crate::ssr::actor())?)
}
