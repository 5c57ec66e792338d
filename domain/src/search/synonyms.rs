//! Search synonyms (`search_synonyms`): what else a word typed into the search box finds ("settee" also finds
//! "sofa"), set by admins on `/admin/search` and applied at query time by every path a search takes — the
//! embedded index, Meilisearch (its own `synonyms` setting) and the database fallback — so a change needs no
//! reindex. A change is recorded in the outbox ([`SYNONYMS_CHANGED`]); the indexer reads the rules again, hands them
//! to the index and drops the cached listings (decision 0055).

use std::collections::HashMap;

use model::admin::AuditAction;
use model::admin_search::SynonymView;
use model::FieldError;
use sqlx::AnyConnection;

use crate::admin::require_admin;
use crate::platform::audit::{self, Entry, Subject};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{is_unique_violation, outbox, text, Actor, Db, Problem};

/// The outbox's product id for "the synonyms changed": the indexer hands the index the rules again.
pub const SYNONYMS_CHANGED: i64 = -1;

/// The most rules the platform keeps, and alternatives per rule: every search reads them all.
pub const MAX_RULES: usize = 2_000;
pub const MAX_ALTERNATIVES: usize = 20;
/// The most words of one alternative ("t shirt" is two).
pub const MAX_PHRASE_WORDS: usize = 5;
const MAX_TYPED_CHARS: usize = 1_000;

/// The rules as searches use them: for each word, the word lists it also finds (each list: all its words).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    by_word: HashMap<String, Vec<Vec<String>>>,
}

impl Synonyms {
    /// The rules folded into one map: a rule's term finds its alternatives; a both-ways rule's alternatives find
    /// the term and each other.
    pub fn from_rules<'a>(rules: impl IntoIterator<Item = (&'a str, &'a [String], bool)>) -> Synonyms {
        let mut by_word: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        let mut add = |word: &str, phrase: &str| {
            let words: Vec<String> = phrase.split(' ').map(str::to_string).collect();
            let list = by_word.entry(word.to_string()).or_default();
            if word != phrase && !list.contains(&words) {
                list.push(words);
            }
        };
        for (term, alternatives, both_ways) in rules {
            for alternative in alternatives {
                add(term, alternative);
                if both_ways {
                    add(alternative, term);
                    for other in alternatives {
                        add(alternative, other);
                    }
                }
            }
        }
        Synonyms { by_word }
    }

    /// What `word` (as the index reads it) also finds.
    pub fn alternatives(&self, word: &str) -> &[Vec<String>] {
        self.by_word.get(word).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn is_empty(&self) -> bool {
        self.by_word.is_empty()
    }

    /// The rules as Meilisearch's `synonyms` setting takes them: each word and the phrases it also finds.
    pub fn as_map(&self) -> HashMap<String, Vec<String>> {
        self.by_word
            .iter()
            .map(|(word, phrases)| (word.clone(), phrases.iter().map(|p| p.join(" ")).collect()))
            .collect()
    }
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    term: String,
    alternatives: String,
    both_ways: i64,
    version: i64,
    changed_by: String,
    changed_at: i64,
}

impl RuleRow {
    fn view(self) -> SynonymView {
        SynonymView {
            id: self.id,
            term: self.term,
            alternatives: self.alternatives.lines().map(str::to_string).collect(),
            both_ways: self.both_ways == 1,
            version: self.version,
            changed_by: self.changed_by,
            changed_at: self.changed_at,
        }
    }
}

const RULE_COLUMNS: &str = "id, term, alternatives, both_ways, version, changed_by, changed_at";

async fn rules(db: &Db) -> Result<Vec<SynonymView>, sqlx::Error> {
    let rows: Vec<RuleRow> = sqlx::query_as(&format!("SELECT {RULE_COLUMNS} FROM search_synonyms ORDER BY term"))
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(RuleRow::view).collect())
}

/// Every rule, for the indexer and the database fallback.
pub async fn load(db: &Db) -> Result<Synonyms, sqlx::Error> {
    let rules = rules(db).await?;
    Ok(Synonyms::from_rules(
        rules
            .iter()
            .map(|r| (r.term.as_str(), r.alternatives.as_slice(), r.both_ways)),
    ))
}

/// Every rule, by term, for the admins' screen.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<SynonymView>, Problem> {
    require_admin(actor)?;
    Ok(rules(db).await?)
}

/// One rule, for its edit form.
pub async fn one(db: &Db, actor: &Actor, id: i64) -> Result<SynonymView, Problem> {
    require_admin(actor)?;
    let mut conn = db.pool().acquire().await?;
    rule(&mut conn, id).await?.ok_or(Problem::NotFound)
}

async fn rule(conn: &mut AnyConnection, id: i64) -> Result<Option<SynonymView>, sqlx::Error> {
    let row: Option<RuleRow> = sqlx::query_as(&format!("SELECT {RULE_COLUMNS} FROM search_synonyms WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(RuleRow::view))
}

/// A rule as an admin typed it: `alternatives` separated by commas or lines.
#[derive(Debug, Clone, Default)]
pub struct RuleForm {
    pub term: String,
    pub alternatives: String,
    pub both_ways: bool,
}

/// A typed word or phrase as the index reads it: its words lower-cased, accents folded, punctuation gone.
pub(crate) fn as_indexed(typed: &str) -> Vec<String> {
    super::tantivy_index::analyzed(typed)
}

/// The rule's term as stored (one word as the index reads it), or its message.
fn checked_term(typed: &str) -> Result<String, String> {
    let typed = text::line(typed, 100).map_err(|p| p.message())?;
    match as_indexed(&typed).as_slice() {
        [word] => Ok(word.clone()),
        [] if typed.is_empty() => Err("Enter the word shoppers search for.".into()),
        [] => Err("Enter a word with letters or digits.".into()),
        more => Err(format!(
            "Enter one word: the search reads this as {} ({}). Add a rule for each word instead.",
            more.len(),
            more.join(", ")
        )),
    }
}

/// One alternative as stored (its words as the index reads them, joined by a space), or its message.
fn checked_alternative(part: &str, both_ways: bool) -> Result<String, String> {
    let words = as_indexed(part);
    let part = part.trim();
    if words.is_empty() {
        Err(format!("“{part}” has no letters or digits to search for."))
    } else if words.len() > MAX_PHRASE_WORDS {
        Err(format!("Use at most {MAX_PHRASE_WORDS} words in each: “{part}”."))
    } else if both_ways && words.len() > 1 {
        Err(format!(
            "“Both ways” works with single words: “{part}” is {} words. Untick it, or use one word.",
            words.len()
        ))
    } else {
        Ok(words.join(" "))
    }
}

/// The rule's alternatives as stored (without the term and repeats), or the field's messages.
fn checked_alternatives(typed: &str, term: &str, both_ways: bool) -> Result<Vec<String>, Vec<String>> {
    let typed = text::lines(typed, MAX_TYPED_CHARS).map_err(|p| vec![p.message()])?;
    let mut alternatives: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for part in typed.split([',', '\n']).filter(|p| !p.trim().is_empty()) {
        match checked_alternative(part, both_ways) {
            Err(message) => errors.push(message),
            Ok(phrase) if phrase != term && !alternatives.contains(&phrase) => alternatives.push(phrase),
            Ok(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match alternatives.len() {
        0 if typed.trim().is_empty() => Err(vec!["Enter at least one word the search should also find.".into()]),
        0 => Err(vec!["Enter at least one word other than the word itself.".into()]),
        n if n > MAX_ALTERNATIVES => Err(vec![format!("Use at most {MAX_ALTERNATIVES} words or phrases.")]),
        _ => Ok(alternatives),
    }
}

/// The rule's term and alternatives as stored, or every field's message.
fn checked(form: &RuleForm) -> Result<(String, Vec<String>), Problem> {
    let term = checked_term(&form.term);
    let alternatives = checked_alternatives(&form.alternatives, term.as_deref().unwrap_or(""), form.both_ways);
    match (term, alternatives) {
        (Ok(term), Ok(alternatives)) => Ok((term, alternatives)),
        (term, alternatives) => {
            let mut errors: Vec<FieldError> = term.err().map(|m| FieldError::new("term", m)).into_iter().collect();
            errors.extend(
                alternatives
                    .err()
                    .into_iter()
                    .flatten()
                    .map(|m| FieldError::new("alternatives", m)),
            );
            Err(Problem::Invalid(errors))
        }
    }
}

fn described(term: &str, alternatives: &[String], both_ways: bool) -> (String, String) {
    let ways = if both_ways { "both ways" } else { "one way" };
    (alternatives.join(", "), format!("{ways} from “{term}”"))
}

/// Adds a rule (`id` None) or changes rule `id` from the copy at `version` the form was opened on. Audited, and the
/// indexer told in the same transaction. Returns the rule's id.
pub async fn save(
    db: &Db,
    actor: &Actor,
    id: Option<i64>,
    version: Option<i64>,
    form: &RuleForm,
) -> Result<i64, Problem> {
    require_admin(actor)?;
    let (term, alternatives) = checked(form)?;
    let mut tx = db.begin_write().await?;
    let before = match id {
        Some(id) => Some(rule(&mut tx, id).await?.ok_or(Problem::NotFound)?),
        None => None,
    };
    if let Some(before) = &before {
        if Some(before.version) != version {
            return Err(Problem::Conflict(format!(
                "{} changed this rule since you opened it: it now reads “{}”. Open it again to change it.",
                before.changed_by,
                before.summary()
            )));
        }
    }
    let taken_meanwhile = || {
        Problem::Invalid(vec![FieldError::new(
            "term",
            format!("There is a rule for “{term}” already: change that one instead."),
        )])
    };
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM search_synonyms WHERE term = $1")
        .bind(&term)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some_and(|other| Some(other) != id) {
        return Err(taken_meanwhile());
    }
    if id.is_none() {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_synonyms")
            .fetch_one(&mut *tx)
            .await?;
        if count as usize >= MAX_RULES {
            return Err(Problem::Conflict(format!(
                "The platform holds {MAX_RULES} synonym rules, the most it keeps: remove one first."
            )));
        }
    }
    let id = match write(&mut tx, actor, (id, version), &term, &alternatives, form.both_ways).await {
        Ok(Some(id)) => id,
        // Another admin changed the rule between our read and this write (PostgreSQL runs both at once).
        Ok(None) => {
            return Err(Problem::Conflict(
                "Another admin changed this rule just now: open it again.".into(),
            ))
        }
        // Another admin's rule for the same word was committed between our check and this write.
        Err(e) if is_unique_violation(&e) => return Err(taken_meanwhile()),
        Err(e) => return Err(e.into()),
    };
    let (after, ways) = described(&term, &alternatives, form.both_ways);
    let mut entry = Entry::new(AuditAction::SynonymSaved, Subject::new("synonym", id, &term));
    entry = match &before {
        Some(b) => {
            let (was, was_ways) = described(&b.term, &b.alternatives, b.both_ways);
            entry.change("also finds", was, after).change("applies", was_ways, ways)
        }
        None => entry.change("also finds", "", after).change("applies", "", ways),
    };
    audit::record(&mut tx, actor, &entry).await?;
    outbox::product_changed(&mut tx, SYNONYMS_CHANGED).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a new rule (`id` None) or rule `id` as it was at `version`; its id, or None when that version is gone.
async fn write(
    conn: &mut AnyConnection,
    actor: &Actor,
    (id, version): (Option<i64>, Option<i64>),
    term: &str,
    alternatives: &[String],
    both_ways: bool,
) -> Result<Option<i64>, sqlx::Error> {
    let who = "COALESCE((SELECT name FROM users WHERE id = $5), 'an admin')";
    let updating = id.is_some();
    let (sql, id) = match id {
        Some(id) => (
            format!(
                "UPDATE search_synonyms SET term = $2, alternatives = $3, both_ways = $4, changed_by = {who}, \
                 changed_at = $6, version = version + 1 WHERE id = $1 AND version = $7"
            ),
            id,
        ),
        None => (
            format!(
                "INSERT INTO search_synonyms (id, term, alternatives, both_ways, changed_by, changed_at) \
                 VALUES ($1, $2, $3, $4, {who}, $6)"
            ),
            next_id(),
        ),
    };
    let mut query = sqlx::query(&sql)
        .bind(id)
        .bind(term)
        .bind(alternatives.join("\n"))
        .bind(i64::from(both_ways))
        .bind(actor.user_id())
        .bind(now_ms());
    if updating {
        query = query.bind(version);
    }
    let written = query.execute(&mut *conn).await?.rows_affected();
    Ok((written == 1).then_some(id))
}

/// Removes rule `id`, opened at `version`. Audited; the indexer told in the same transaction.
pub async fn remove(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<SynonymView, Problem> {
    require_admin(actor)?;
    let mut tx = db.begin_write().await?;
    let before = rule(&mut tx, id).await?.ok_or(Problem::NotFound)?;
    let removed = sqlx::query("DELETE FROM search_synonyms WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 0 {
        return Err(Problem::Conflict(format!(
            "{} changed this rule since you opened it: it now reads “{}”. Look at it again before removing it.",
            before.changed_by,
            before.summary()
        )));
    }
    let (was, was_ways) = described(&before.term, &before.alternatives, before.both_ways);
    let entry = Entry::new(AuditAction::SynonymRemoved, Subject::new("synonym", id, &before.term))
        .change("also finds", was, "")
        .change("applies", was_ways, "");
    audit::record(&mut tx, actor, &entry).await?;
    outbox::product_changed(&mut tx, SYNONYMS_CHANGED).await?;
    tx.commit().await?;
    Ok(before)
}
