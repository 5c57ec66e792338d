//! Becoming a seller and the seller portal. Plain form posts (no island, nothing in the shoppers' wasm): each
//! answers with a redirect; a wrong field sends the visitor back with everything typed kept.

use leptos::prelude::*;
use model::sellers::{ApplicationForm, ApplicationView};
use serde::{Deserialize, Serialize};

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
}

#[server(endpoint = "sell_page")]
pub async fn sell_page() -> Result<SellPageData, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let actor = crate::ssr::actor();
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
    Ok(SellPageData {
        application,
        form,
        store,
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
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let form = ApplicationForm {
        store_name,
        slug,
        description,
        support_email,
        country,
        return_days,
        return_policy,
    };
    match domain::workflows::onboard_seller::apply(&services.db, &crate::ssr::actor(), &form).await {
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

/// The portal's overview of the signed-in seller's store.
#[server(endpoint = "seller_home")]
pub async fn seller_home() -> Result<model::sellers::SellerHome, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    Ok(domain::sellers::portal::home(&services.db, &crate::ssr::actor()).await?)
}

/// Where the typed product form waits while the seller fixes a field (or looks at a generated matrix).
pub const PRODUCT_FORM: &str = "product_form";

/// The product form kept between a post and the page it sends the seller back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptProduct {
    pub form: model::sellers::ProductForm,
    /// Show the description's preview.
    pub preview: bool,
    /// What a stale save was refused with, shown above the form.
    pub notice: Option<String>,
}

/// A page of the seller's own products.
#[server(endpoint = "seller_products", input = leptos::server_fn::codec::GetUrl)]
pub async fn seller_products(
    #[server(default)] q: String,
    #[server(default)] status: String,
    #[server(default)] category: String,
    #[server(default)] stock: String,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] after: String,
) -> Result<model::sellers::ProductPage, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let filter = model::sellers::ProductFilter {
        q,
        status,
        category,
        stock,
        sort,
        dir,
        after,
    };
    Ok(domain::catalog::manage::list(&services.db, &crate::ssr::actor(), &filter).await?)
}

/// What the product editor shows: the product (or what was typed), and whether to show the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorPage {
    pub editor: model::sellers::ProductEditor,
    pub preview: bool,
    pub notice: Option<String>,
    /// Uploaded files that were refused: (file name, why).
    pub refused: Vec<(String, String)>,
}

/// Where the upload handler leaves the names of refused files and why, for the editor to show once.
pub const REFUSED_UPLOADS: &str = "refused_uploads";

#[server(endpoint = "product_editor", input = leptos::server_fn::codec::GetUrl)]
pub async fn product_editor(#[server(default)] id: Option<i64>) -> Result<EditorPage, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let kept: Option<KeptProduct> = crate::ssr::take_typed(PRODUCT_FORM).await?;
    let (form, preview, notice) = match kept {
        Some(k) => (Some(k.form), k.preview, k.notice),
        None => (None, false, None),
    };
    let refused: Vec<(String, String)> = crate::ssr::take_typed(REFUSED_UPLOADS).await?.unwrap_or_default();
    let editor = domain::catalog::manage::editor(&services.db, &crate::ssr::actor(), id, form).await?;
    Ok(EditorPage {
        editor,
        preview,
        notice,
        refused,
    })
}

/// The editor's address for a product (`new` before it is saved).
pub fn editor_path(id: &str) -> String {
    if id.trim().is_empty() {
        "/seller/products/new".to_string()
    } else {
        format!("/seller/products/{}", id.trim())
    }
}

/// Saves the product form; with `intent` = `generate` (the option matrix) or `preview` (the description as the
/// product page shows it) it saves nothing and shows the form again, as typed.
#[server(endpoint = "save_product")]
// `allow`, not `expect`: the lint fires on one of the server macro's expansions and not the other.
#[allow(clippy::too_many_arguments)]
pub async fn save_product(
    #[server(default)] id: String,
    #[server(default)] version: String,
    #[server(default)] title: String,
    #[server(default)] category: String,
    #[server(default)] description: String,
    #[server(default)] status: String,
    #[server(default)] attributes: Vec<model::sellers::AttributeInput>,
    #[server(default)] options: Vec<model::sellers::OptionInput>,
    #[server(default)] variants: Vec<model::sellers::VariantInput>,
    #[server(default)] images: Vec<model::sellers::ImageInput>,
    #[server(default)] intent: String,
) -> Result<(), AppError> {
    use domain::catalog::{manage, CatalogError};
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let actor = crate::ssr::actor();
    let mut form = model::sellers::ProductForm {
        id,
        version,
        title,
        category,
        description,
        status,
        attributes,
        options,
        variants,
        images,
    };
    let back = editor_path(&form.id);
    match intent.as_str() {
        "generate" | "preview" => {
            // Nothing is saved: the form comes back as typed (with the matrix, or with the preview).
            let editor = manage::editor(&services.db, &actor, form.id.trim().parse().ok(), None).await?;
            if intent == "generate" {
                form = manage::generate_variants(&form, &manage::sku_prefix(&editor.store_slug));
            }
            let kept = KeptProduct {
                form,
                preview: intent == "preview",
                notice: None,
            };
            crate::ssr::keep_typed(PRODUCT_FORM, &kept).await?;
            crate::ssr::redirect(&format!(
                "{back}#{}",
                if intent == "preview" { "preview" } else { "variants" }
            ));
            Ok(())
        }
        _ => match domain::workflows::save_product::save_product(&services.db, &actor, &form).await {
            Ok(saved) => {
                crate::ssr::redirect(&format!("/seller/products/{saved}?saved=1"));
                Ok(())
            }
            Err(e) => {
                let notice = match &e {
                    CatalogError::Stale { changes, version } => {
                        // The seller's version is kept at the version now stored: saving again replaces theirs.
                        form.version = version.to_string();
                        Some(CatalogError::stale_message(changes))
                    }
                    _ => None,
                };
                crate::ssr::keep_typed(
                    PRODUCT_FORM,
                    &KeptProduct {
                        form,
                        preview: false,
                        notice,
                    },
                )
                .await?;
                Err(e.into())
            }
        },
    }
}

/// Publishes, archives or returns to draft the ticked products of the index.
#[server(endpoint = "bulk_products")]
pub async fn bulk_products(#[server(default)] ids: Vec<i64>, action: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let outcome = domain::catalog::manage::set_status_bulk(&services.db, &crate::ssr::actor(), &ids, &action).await?;
    let mut target = format!(
        "/seller/products?done={}&changed={}",
        crate::url_encode(&action),
        outcome.changed
    );
    if !outcome.skipped.is_empty() {
        target.push_str(&format!("&skipped={}", outcome.skipped.len()));
    }
    crate::ssr::redirect(&target);
    Ok(())
}
