//! The admins' search screen: synonyms (added, changed on the copy the form showed, removed) and the index's
//! rebuild. A form sent back with a wrong field keeps what was typed.

use leptos::prelude::*;
use model::admin_search::{SearchSettings, SynonymView};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What a synonym form typed, kept for the page it is sent back to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedSynonym {
    /// The rule's id as the form carried it ("" for a new rule).
    pub id: String,
    pub term: String,
    pub alternatives: String,
    pub both_ways: bool,
}

/// The key a synonym form's typed values are kept under.
#[cfg(feature = "ssr")]
const SYNONYM_FORM: &str = "synonym";

/// The search screen, with what the last synonym form typed if it was sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchScreen {
    pub settings: SearchSettings,
    pub kept: Option<TypedSynonym>,
}

#[server(endpoint = "admin_search", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_search() -> Result<SearchScreen, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let settings = domain::search::settings::screen(&services.db, &crate::ssr::actor(), &*services.search).await?;
    let kept = crate::ssr::take_typed::<TypedSynonym>(SYNONYM_FORM).await?;
    Ok(SearchScreen { settings, kept })
}

/// Synonym rule `id`, for its edit form.
#[server(endpoint = "admin_synonym", input = leptos::server_fn::codec::GetUrl)]
pub async fn admin_synonym(id: i64) -> Result<(SynonymView, Option<TypedSynonym>), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let rule = domain::search::synonyms::one(&services.db, &crate::ssr::actor(), id).await?;
    let kept = crate::ssr::take_typed::<TypedSynonym>(SYNONYM_FORM)
        .await?
        .filter(|k| k.id == id.to_string());
    Ok((rule, kept))
}

/// Adds a synonym rule (`id` empty) or changes rule `id` from `version`, the copy the form showed.
#[server(endpoint = "save_synonym")]
pub async fn save_synonym(
    #[server(default)] id: String,
    #[server(default)] version: String,
    #[server(default)] term: String,
    #[server(default)] alternatives: String,
    #[server(default)] both_ways: Option<String>,
) -> Result<(), AppError> {
    use domain::search::synonyms::{save, RuleForm};
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let form = RuleForm {
        term,
        alternatives,
        both_ways: both_ways.is_some(),
    };
    let rule = id.trim().parse::<i64>().ok();
    let saved = save(
        &services.db,
        &crate::ssr::actor(),
        rule,
        version.trim().parse().ok(),
        &form,
    )
    .await;
    if let Err(e) = saved {
        let e = AppError::from(e);
        if !matches!(e, AppError::Validation(_)) {
            // A conflict: the page shows the rule as it is now, not the copy this form was typed on (sending that
            // again would overwrite the other admin's change).
            return Err(e);
        }
        let typed = TypedSynonym {
            id,
            term: form.term,
            alternatives: form.alternatives,
            both_ways: form.both_ways,
        };
        crate::ssr::keep_typed(SYNONYM_FORM, &typed).await?;
        return Err(e);
    }
    crate::ssr::redirect("/admin/search?done=saved");
    Ok(())
}

/// Removes synonym rule `id`, as the page showed it at `version`.
#[server(endpoint = "remove_synonym")]
pub async fn remove_synonym(id: i64, version: i64) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    domain::search::synonyms::remove(&services.db, &crate::ssr::actor(), id, version).await?;
    crate::ssr::redirect("/admin/search?done=removed");
    Ok(())
}

/// Asks the indexer to rebuild the search index from the database.
#[server(endpoint = "rebuild_search_index")]
pub async fn rebuild_search_index() -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    let asked = domain::search::rebuilds::request(&services.db, &crate::ssr::actor()).await?;
    crate::ssr::redirect(if asked {
        "/admin/search?done=rebuild"
    } else {
        "/admin/search?done=waiting"
    });
    Ok(())
}
