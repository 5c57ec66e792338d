//! The admins' search settings (`/admin/search`): synonyms and the index's rebuild.

use serde::{Deserialize, Serialize};

/// One synonym rule: what else a word typed into the search box finds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymView {
    pub id: i64,
    /// One word, as the index reads it (lower case, accents folded).
    pub term: String,
    /// Words or phrases the term also finds.
    pub alternatives: Vec<String>,
    /// Each alternative also finds the term and the other alternatives.
    pub both_ways: bool,
    pub version: i64,
    pub changed_by: String,
    pub changed_at: i64,
}

impl SynonymView {
    /// How the rule reads in a list: "sofa → couch, settee" or "sofa ↔ couch, settee".
    pub fn summary(&self) -> String {
        let arrow = if self.both_ways { "↔" } else { "→" };
        format!("{} {arrow} {}", self.term, self.alternatives.join(", "))
    }
}

/// Where the last asked rebuild of the search index is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebuildView {
    pub requested_by: String,
    pub requested_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Products indexed, once finished.
    pub documents: Option<i64>,
    pub failed: bool,
}

impl RebuildView {
    /// The rebuild's state in words, for a badge.
    pub fn state(&self) -> &'static str {
        match (self.started_at, self.finished_at, self.failed) {
            (_, Some(_), true) => "Failed",
            (_, Some(_), false) => "Done",
            (Some(_), None, _) => "Rebuilding",
            (None, None, _) => "Waiting",
        }
    }

    pub fn running(&self) -> bool {
        self.finished_at.is_none()
    }
}

/// The search settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchSettings {
    /// The index's engine ("tantivy" or "meilisearch").
    pub engine: String,
    /// Products the index holds now, and products that are on sale (they differ while changes wait).
    pub indexed: Option<u64>,
    pub on_sale: i64,
    pub synonyms: Vec<SynonymView>,
    pub rebuild: Option<RebuildView>,
}
