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
    Ok(domain::catalog::editor::list(&services.db, &crate::ssr::actor(), &filter).await?)
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
    let editor = domain::catalog::editor::editor(&services.db, &crate::ssr::actor(), id, form).await?;
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
    use domain::catalog::{editor, CatalogError};
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
            let editor = editor::editor(&services.db, &actor, form.id.trim().parse().ok(), None).await?;
            if intent == "generate" {
                form = editor::generate_variants(&form, &editor::sku_prefix(&editor.store_slug));
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

/// Publishes, archives or returns to draft the ticked products of the index. Archiving asks first: without
/// `confirmed` the seller is sent to the confirmation page naming the products.
#[server(endpoint = "bulk_products")]
pub async fn bulk_products(
    #[server(default)] ids: Vec<i64>,
    action: String,
    #[server(default)] confirmed: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    if action == "archived" && confirmed != "1" && !ids.is_empty() {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        crate::ssr::redirect(&format!("/seller/archive?ids={}", list.join(",")));
        return Ok(());
    }
    let outcome = domain::catalog::editor::set_status_bulk(&services.db, &crate::ssr::actor(), &ids, &action).await?;
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

/// Where a refused stock adjustment waits, to show its row with what was typed.
pub const STOCK_FORM: &str = "stock_adjustment";

/// A stock adjustment as typed, kept when it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeptAdjustment {
    pub variant: i64,
    pub warehouse: i64,
    pub units: String,
    pub reason: String,
}

/// The stock screen: a page of variants, and the kept adjustment if the last one was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockScreen {
    pub page: model::sellers::StockPage,
    pub kept: Option<KeptAdjustment>,
}

#[server(endpoint = "seller_stock", input = leptos::server_fn::codec::GetUrl)]
pub async fn seller_stock(
    #[server(default)] q: String,
    #[server(default)] low: String,
    #[server(default)] after: String,
) -> Result<StockScreen, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let kept = crate::ssr::take_typed(STOCK_FORM).await?;
    let page = domain::inventory::levels::page(&services.db, &crate::ssr::actor(), &q, !low.is_empty(), &after).await?;
    Ok(StockScreen { page, kept })
}

/// Adds or removes units of a variant in a warehouse with a reason, or sets the counted figure (`mode=count`).
#[server(endpoint = "adjust_stock")]
pub async fn adjust_stock(
    variant: i64,
    warehouse: i64,
    #[server(default)] units: String,
    #[server(default)] reason: String,
    #[server(default)] mode: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    use domain::workflows::adjust_stock::{adjust_stock, Adjustment};
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let adjustment = Adjustment {
        variant_id: variant,
        warehouse_id: warehouse,
        units: units.clone(),
        reason: reason.clone(),
        mode,
    };
    match adjust_stock(&services.db, &crate::ssr::actor(), &adjustment).await {
        Ok(after) => {
            let back = crate::api::safe_next(if back.is_empty() { "/seller/stock" } else { &back });
            let join = if back.contains('?') { '&' } else { '?' };
            crate::ssr::redirect(&format!(
                "{back}{join}updated={variant}&level={after}#variant-{variant}"
            ));
            Ok(())
        }
        Err(e) => {
            let kept = KeptAdjustment {
                variant,
                warehouse,
                units,
                reason,
            };
            crate::ssr::keep_typed(STOCK_FORM, &kept).await?;
            Err(e.into())
        }
    }
}

/// Sets a variant's low-stock alert level ('' = the store's default).
#[server(endpoint = "set_stock_threshold")]
pub async fn set_stock_threshold(
    variant: i64,
    #[server(default)] threshold: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::catalog::editor::set_threshold(&services.db, &crate::ssr::actor(), variant, &threshold).await?;
    let back = crate::api::safe_next(if back.is_empty() { "/seller/stock" } else { &back });
    let join = if back.contains('?') { '&' } else { '?' };
    crate::ssr::redirect(&format!("{back}{join}threshold={variant}#variant-{variant}"));
    Ok(())
}

/// The products a confirmation names: the actor's own among `ids` (comma-separated), as (id, title).
#[server(endpoint = "products_to_confirm", input = leptos::server_fn::codec::GetUrl)]
pub async fn products_to_confirm(#[server(default)] ids: String) -> Result<Vec<(i64, String)>, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let ids: Vec<i64> = ids
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .take(200)
        .collect();
    Ok(domain::catalog::editor::titles(&services.db, &crate::ssr::actor(), &ids).await?)
}

/// Where the typed store profile waits when a field is wrong.
pub const PROFILE_FORM: &str = "store_profile";

#[server(endpoint = "store_settings", input = leptos::server_fn::codec::GetUrl)]
pub async fn store_settings() -> Result<model::sellers::StoreSettings, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let kept = crate::ssr::take_typed(PROFILE_FORM).await?;
    let mut settings = domain::sellers::settings::settings(&services.db, &crate::ssr::actor(), kept).await?;
    settings.logo_refused = crate::ssr::take_typed(REFUSED_LOGO).await?;
    Ok(settings)
}

/// Where the logo upload handler keeps why a picture was refused, for the settings page.
pub const REFUSED_LOGO: &str = "refused_logo";

#[server(endpoint = "remove_store_logo")]
pub async fn remove_store_logo() -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::sellers::settings::remove_logo(&services.db, &crate::ssr::actor()).await?;
    crate::ssr::redirect("/seller/settings?saved=logo#logo-title");
    Ok(())
}

#[server(endpoint = "save_store_profile")]
pub async fn save_store_profile(
    #[server(default)] store_name: String,
    #[server(default)] description: String,
    #[server(default)] support_email: String,
    #[server(default)] return_days: String,
    #[server(default)] return_policy: String,
    #[server(default)] low_stock_default: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let form = model::sellers::StoreProfileForm {
        store_name,
        description,
        support_email,
        return_days,
        return_policy,
        low_stock_default,
    };
    match domain::sellers::settings::update_profile(&services.db, &crate::ssr::actor(), &form).await {
        Ok(()) => {
            crate::ssr::redirect("/seller/settings?saved=profile");
            Ok(())
        }
        Err(e) => {
            crate::ssr::keep_typed(PROFILE_FORM, &form).await?;
            Err(e.into())
        }
    }
}

#[server(endpoint = "add_warehouse")]
pub async fn add_warehouse(
    #[server(default)] name: String,
    #[server(default)] country: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::sellers::settings::add_warehouse(&services.db, &crate::ssr::actor(), &name, &country).await?;
    crate::ssr::redirect("/seller/settings?saved=warehouse#warehouses-title");
    Ok(())
}

#[server(endpoint = "rename_warehouse")]
pub async fn rename_warehouse(id: i64, #[server(default)] name: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::sellers::settings::rename_warehouse(&services.db, &crate::ssr::actor(), id, &name).await?;
    crate::ssr::redirect("/seller/settings?saved=warehouse#warehouses-title");
    Ok(())
}

#[server(endpoint = "remove_warehouse")]
pub async fn remove_warehouse(id: i64) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::sellers::settings::remove_warehouse(&services.db, &crate::ssr::actor(), id).await?;
    crate::ssr::redirect("/seller/settings?saved=removed#warehouses-title");
    Ok(())
}

#[server(endpoint = "add_shipping_rate")]
pub async fn add_shipping_rate(
    #[server(default)] name: String,
    #[server(default)] country: String,
    #[server(default)] kind: String,
    #[server(default)] amount: String,
    #[server(default)] free_over: String,
    #[server(default)] days_min: String,
    #[server(default)] days_max: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let form = model::sellers::RateForm {
        name,
        country,
        kind,
        amount,
        free_over,
        days_min,
        days_max,
    };
    domain::checkout::rates::add(&services.db, &crate::ssr::actor(), &form).await?;
    crate::ssr::redirect("/seller/settings?saved=rate#shipping-title");
    Ok(())
}

#[server(endpoint = "remove_shipping_rate")]
pub async fn remove_shipping_rate(id: i64) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::checkout::rates::remove(&services.db, &crate::ssr::actor(), id).await?;
    crate::ssr::redirect("/seller/settings?saved=rate#shipping-title");
    Ok(())
}

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
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let refused: Option<String> = crate::ssr::take_typed(REFUSED_IMPORT).await?;
    let guide = domain::catalog::transfer::guide(&services.db, &crate::ssr::actor()).await?;
    Ok(ImportPageData { guide, refused })
}

#[server(endpoint = "import_report", input = leptos::server_fn::codec::GetUrl)]
pub async fn import_report(id: i64) -> Result<model::sellers::ImportView, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    Ok(domain::workflows::import_products::view(&services.db, &crate::ssr::actor(), id).await?)
}

/// Applies an uploaded file's changes, all or nothing, and returns to its report.
#[server(endpoint = "apply_import")]
pub async fn apply_import(id: i64) -> Result<(), AppError> {
    use domain::workflows::import_products::{apply, Applied};
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let outcome = apply(&services.db, &crate::ssr::actor(), id).await?;
    let flag = match outcome {
        Applied::Done => "applied",
        Applied::Replanned => "replanned",
    };
    crate::ssr::redirect(&format!("/seller/products/import/{id}?{flag}=1"));
    Ok(())
}
