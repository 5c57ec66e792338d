//! The seller's products: the portal's overview, the products list, the editor (save, option matrix, preview), bulk
//! status changes and what an archive confirmation names.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::signed_in;
use crate::error::AppError;

/// The portal's overview of the signed-in seller's store.
#[server(endpoint = "seller_home")]
pub async fn seller_home() -> Result<model::sellers::SellerHome, AppError> {
    let (services, actor) = signed_in()?;
    Ok(domain::sellers::portal::home(&services.db, &actor).await?)
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
// One argument per filter of the list's URL (`?tag=…`). `allow`, not `expect`: see `save_product`.
#[allow(clippy::too_many_arguments)]
pub async fn seller_products(
    #[server(default)] q: String,
    #[server(default)] status: String,
    #[server(default)] category: String,
    #[server(default)] stock: String,
    #[server(default)] tag: String,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] after: String,
) -> Result<model::sellers::ProductPage, AppError> {
    let (services, actor) = signed_in()?;
    let filter = model::sellers::ProductFilter {
        q,
        status,
        category,
        stock,
        tag,
        sort,
        dir,
        after,
    };
    Ok(domain::catalog::editor::list(&services.db, &actor, &filter).await?)
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
    let (services, actor) = signed_in()?;
    let kept: Option<KeptProduct> = crate::ssr::take_typed(PRODUCT_FORM).await?;
    let (form, preview, notice) = match kept {
        Some(k) => (Some(k.form), k.preview, k.notice),
        None => (None, false, None),
    };
    let refused: Vec<(String, String)> = crate::ssr::take_typed(REFUSED_UPLOADS).await?.unwrap_or_default();
    let editor = domain::catalog::editor::editor(&services.db, &actor, id, form).await?;
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
    #[server(default)] seo_title: String,
    #[server(default)] seo_description: String,
    #[server(default)] tags: String,
    #[server(default)] intent: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    let form = SaveProduct {
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
        seo_title,
        seo_description,
        tags,
        intent: String::new(),
    }
    .into_form();
    match intent.as_str() {
        "generate" => rework(&services, &actor, form, Rework::Matrix).await,
        "preview" => rework(&services, &actor, form, Rework::Preview).await,
        _ => save(&services, &actor, form).await,
    }
}

#[cfg(feature = "ssr")]
impl SaveProduct {
    /// The product form the editor's fields make (also read from an upload of pictures, which sends them too).
    pub fn into_form(self) -> model::sellers::ProductForm {
        model::sellers::ProductForm {
            id: self.id,
            version: self.version,
            title: self.title,
            category: self.category,
            description: self.description,
            status: self.status,
            attributes: self.attributes,
            options: self.options,
            variants: self.variants,
            images: self.images,
            seo_title: self.seo_title,
            seo_description: self.seo_description,
            tags: self.tags,
        }
    }
}

/// What the editor's second buttons ask for: the form shown again as typed, with something added.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rework {
    /// The option matrix generated.
    Matrix,
    /// The description as the product page shows it.
    Preview,
}

/// Saves nothing: the form comes back as typed, with the matrix or the preview.
#[cfg(feature = "ssr")]
async fn rework(
    services: &crate::ssr::Services,
    actor: &domain::Actor,
    mut form: model::sellers::ProductForm,
    what: Rework,
) -> Result<(), AppError> {
    use domain::catalog::editor;
    let back = editor_path(&form.id);
    let page = editor::editor(&services.db, actor, form.id.trim().parse().ok(), None).await?;
    if what == Rework::Matrix {
        form = editor::generate_variants(&form, &editor::sku_prefix(&page.store_slug));
    }
    let kept = KeptProduct {
        form,
        preview: what == Rework::Preview,
        notice: None,
    };
    crate::ssr::keep_typed(PRODUCT_FORM, &kept).await?;
    let anchor = if what == Rework::Preview { "preview" } else { "variants" };
    crate::ssr::redirect(&format!("{back}#{anchor}"));
    Ok(())
}

/// Saves the product; a refusal keeps the form as typed (a stale one at the version now stored, so saving again
/// is a choice to replace the other save).
#[cfg(feature = "ssr")]
async fn save(
    services: &crate::ssr::Services,
    actor: &domain::Actor,
    mut form: model::sellers::ProductForm,
) -> Result<(), AppError> {
    use domain::catalog::CatalogError;
    match domain::workflows::save_product::save_product(&services.db, actor, &form).await {
        Ok(saved) => {
            crate::ssr::redirect(&format!("/seller/products/{saved}?saved=1"));
            Ok(())
        }
        Err(e) => {
            let notice = match &e {
                CatalogError::Stale { changes, version } => {
                    form.version = version.to_string();
                    Some(CatalogError::stale_message(changes))
                }
                _ => None,
            };
            let kept = KeptProduct {
                form,
                preview: false,
                notice,
            };
            crate::ssr::keep_typed(PRODUCT_FORM, &kept).await?;
            Err(e.into())
        }
    }
}

/// Publishes, archives or returns to draft the ticked products of the index. Archiving asks first: without
/// `confirmed` the seller is sent to the confirmation page naming the products.
#[server(endpoint = "bulk_products")]
pub async fn bulk_products(
    #[server(default)] ids: Vec<i64>,
    action: String,
    #[server(default)] confirmed: String,
) -> Result<(), AppError> {
    let (services, actor) = signed_in()?;
    if action == "archived" && confirmed != "1" && !ids.is_empty() {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        crate::ssr::redirect(&format!("/seller/archive?ids={}", list.join(",")));
        return Ok(());
    }
    let outcome = domain::catalog::editor::set_status_bulk(&services.db, &actor, &ids, &action).await?;
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

/// The products a confirmation names: the actor's own among `ids` (comma-separated), as (id, title).
#[server(endpoint = "products_to_confirm", input = leptos::server_fn::codec::GetUrl)]
pub async fn products_to_confirm(#[server(default)] ids: String) -> Result<Vec<(i64, String)>, AppError> {
    let (services, actor) = signed_in()?;
    let ids: Vec<i64> = ids
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .take(200)
        .collect();
    Ok(domain::catalog::editor::titles(&services.db, &actor, &ids).await?)
}

/// A product of the seller's own store as its page will show it, whatever its status (a draft's preview).
#[server(endpoint = "product_preview", input = leptos::server_fn::codec::GetUrl)]
pub async fn product_preview(id: i64) -> Result<model::catalog::ProductDetail, AppError> {
    let (services, actor) = signed_in()?;
    Ok(domain::catalog::preview(&services.db, &actor, id).await?)
}
