//! The store's promo codes: the list, a new code, pause and resume.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::signed_in;
use crate::error::AppError;

/// Where a refused new code waits, to show the form with what was typed.
pub const PROMOTION_FORM: &str = "promotion";

/// The promotions screen, with the code typed last if it was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PromotionsScreen {
    pub promotions: model::promotions::StorePromotions,
    pub kept: Option<model::promotions::PromotionForm>,
}

#[server(endpoint = "store_promotions", input = leptos::server_fn::codec::GetUrl)]
pub async fn store_promotions() -> Result<PromotionsScreen, AppError> {
    let (services, actor) = signed_in()?;
    let promotions = domain::sellers::promotions::list(&services.db, &actor).await?;
    let kept = crate::ssr::take_typed(PROMOTION_FORM).await?;
    Ok(PromotionsScreen { promotions, kept })
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "create_promotion")]
pub async fn create_promotion(
    #[server(default)] code: String,
    #[server(default)] kind: String,
    #[server(default)] value: String,
    #[server(default)] min_subtotal: String,
    #[server(default)] starts: String,
    #[server(default)] ends: String,
    #[server(default)] max_uses: String,
    #[server(default)] per_customer: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let form = model::promotions::PromotionForm {
        code,
        kind,
        value,
        min_subtotal,
        starts,
        ends,
        max_uses,
        per_customer,
    };
    match domain::sellers::promotions::create(&services.db, &actor, &form).await {
        Ok(code) => {
            crate::ssr::redirect(&format!("/seller/promotions?saved={}", crate::url_encode(&code)));
            Ok(())
        }
        Err(e) => {
            crate::ssr::keep_typed(PROMOTION_FORM, &form).await?;
            Err(e.into())
        }
    }
}

/// Pauses a code (`pause` = "1") or resumes it.
#[server(endpoint = "pause_promotion")]
pub async fn pause_promotion(id: i64, #[server(default)] pause: String) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let paused = pause == "1";
    let code = domain::sellers::promotions::set_paused(&services.db, &actor, id, paused).await?;
    let done = if paused { "paused" } else { "resumed" };
    crate::ssr::redirect(&format!("/seller/promotions?{done}={}", crate::url_encode(&code)));
    Ok(())
}
