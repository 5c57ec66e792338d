//! Wiring of the search index: which backend, the first build, and the indexer that applies the outbox.

use std::sync::Arc;
use std::time::Duration;

use app::ssr::Services;
use domain::search::meili::MeiliIndex;
use domain::search::{Indexer, SearchIndex, TantivyIndex};

use crate::config::Config;
use crate::page_cache::PageCache;

/// How often the indexer looks at the outbox: a catalog change is searchable within this plus a commit.
const INDEXER_PERIOD: Duration = Duration::from_millis(250);

/// The configured index: Meilisearch when `MEILI_URL` is set, else the embedded tantivy index in `SEARCH_DIR`.
pub fn open_index(config: &Config) -> Result<Arc<dyn SearchIndex>, String> {
    if let Some(url) = &config.meili_url {
        let key = config.meili_key.as_ref().map(|k| k.expose().as_str());
        return MeiliIndex::new(url, key, "products")
            .map(|index| Arc::new(index) as Arc<dyn SearchIndex>)
            .map_err(|e| format!("cannot use Meilisearch at {url}: {e}"));
    }
    TantivyIndex::open(&config.search_dir)
        .map(|index| Arc::new(index) as Arc<dyn SearchIndex>)
        .map_err(|e| format!("cannot open the search index in {}: {e}", config.search_dir.display()))
}

/// Makes sure the index matches the database (rebuilding it in the background when the counts differ, while
/// listings answer from the database), then applies outbox rows every `INDEXER_PERIOD`.
pub fn start(services: &Services, cache: Arc<PageCache>) -> tokio::task::JoinHandle<()> {
    let db = services.db.clone();
    let index = services.search.clone();
    let discovery = services.discovery.clone();
    tokio::spawn(async move {
        if let Err(e) = domain::search::ensure_fresh(&db, &*index).await {
            tracing::error!(error = %e, "search index rebuild failed; listings answer from the database");
        }
        let indexer = Indexer::new(db, index);
        let mut tick = tokio::time::interval(INDEXER_PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match indexer.drain().await {
                Ok(ids) if !ids.is_empty() => {
                    // The rows first: a page rendered between the two drops would otherwise be cached with old
                    // rows.
                    discovery.invalidate(&ids);
                    cache.invalidate(&ids);
                    tracing::debug!(products = ids.len(), "search index and page cache updated");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "indexer failed; will retry"),
            }
        }
    })
}
