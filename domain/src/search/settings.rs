//! The admins' search screen (`/admin/search`): the engine, what the index holds against what is on sale, the
//! synonyms and the last rebuild asked.

use model::admin_search::SearchSettings;

use super::{rebuilds, synonyms, SearchIndex};
use crate::admin::require_admin;
use crate::platform::{Actor, Db, Problem};

pub async fn screen(db: &Db, actor: &Actor, index: &dyn SearchIndex) -> Result<SearchSettings, Problem> {
    require_admin(actor)?;
    let on_sale = super::on_sale(db).await?;
    Ok(SearchSettings {
        engine: index.name().to_string(),
        // An index that cannot answer (being rebuilt, a server away) shows no count, not an error page.
        indexed: index.count().await.ok(),
        on_sale,
        synonyms: synonyms::list(db, actor).await?,
        rebuild: rebuilds::latest(db).await?,
    })
}
