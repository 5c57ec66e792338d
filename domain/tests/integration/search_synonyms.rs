//! Search synonyms and the admins' rebuild: a rule makes its word find its alternatives on every path a search
//! takes (the embedded index once the indexer applied the change, the database fallback at once), one way or both;
//! a change on an old copy is refused; each change is audited; only admins may make them; typed rules are checked.
//! Both databases.

use std::sync::Arc;

use domain::catalog::{parse_search, RawSearch};
use domain::platform::Problem;
use domain::search::rebuilds;
use domain::search::synonyms::{self, RuleForm, Synonyms, SYNONYMS_CHANGED};
use domain::search::{self, Indexer, SearchIndex, TantivyIndex};
use domain::{seed, Actor, Db};
use model::admin::AuditAction;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{audit_entries, count};

/// Products found for `q` through the index, or (index down) through the database.
async fn found(db: &Db, index: &TantivyIndex, q: &str, index_up: bool) -> Vec<i64> {
    let query = parse_search(&RawSearch::from_pairs([("q", q), ("per_page", "100")])).expect("valid");
    index.set_ready(index_up);
    let results = search::search(db, index, &query).await.expect("search");
    index.set_ready(true);
    assert_eq!(results.degraded, !index_up);
    let mut ids: Vec<i64> = results.items.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    ids
}

/// Two words of one product's title, each at least 4 letters, as the index reads them.
async fn title_words(db: &Db) -> (String, String) {
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM products WHERE status = 'active' ORDER BY id")
        .fetch_all(db.pool())
        .await
        .expect("titles");
    titles
        .iter()
        .find_map(|t| {
            let words: Vec<String> = t
                .to_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| w.len() >= 4)
                .map(str::to_string)
                .collect();
            (words.len() >= 2 && words[0] != words[1]).then(|| (words[0].clone(), words[1].clone()))
        })
        .expect("a title with two long words")
}

/// Products whose words (title and searchable text) include every one of `words` exactly: what a synonym finds
/// through the index (no typos, no prefixes).
async fn exact(db: &Db, words: &[&str]) -> Vec<i64> {
    let mut ids: Vec<i64> = search::load_docs(db, None)
        .await
        .expect("docs")
        .into_iter()
        .filter(|d| {
            let text = format!("{} {}", d.title, d.text).to_lowercase();
            let have: Vec<&str> = text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
            words.iter().all(|w| have.contains(w))
        })
        .map(|d| d.id)
        .collect();
    ids.sort_unstable();
    ids
}

fn form(term: &str, alternatives: &str, both_ways: bool) -> RuleForm {
    RuleForm {
        term: term.into(),
        alternatives: alternatives.into(),
        both_ways,
    }
}

async fn applied(db: &Db, index: &Arc<TantivyIndex>) {
    let indexer = Indexer::new(db.clone(), index.clone() as Arc<dyn SearchIndex>);
    let done = indexer.drain().await.expect("drain");
    assert!(done.contains(&SYNONYMS_CHANGED), "the indexer met the change: {done:?}");
}

async fn a_synonym_finds_its_alternatives_on_every_path(db: Db) {
    seed::seed(&db, 80, 5).await.expect("seed");
    let index = Arc::new(TantivyIndex::in_memory().expect("index"));
    search::reindex(&db, &*index).await.expect("reindex");
    let admin = actors::admin(&db).await;
    let (first, second) = title_words(&db).await;
    let with_first = exact(&db, &[&first]).await;
    let with_both = exact(&db, &[&first, &second]).await;
    assert!(!with_first.is_empty() && !with_both.is_empty());
    // The database path matches text as it always did (a word inside a longer one too).
    let db_first = found(&db, &index, &first, false).await;
    let db_both = found(&db, &index, &format!("{first} {second}"), false).await;
    let index_first = found(&db, &index, &first, true).await;
    for up in [true, false] {
        assert!(
            found(&db, &index, "zqxsettee", up).await.is_empty(),
            "nothing has the word"
        );
    }

    // One way: typed with capitals and accents, kept as the index reads it.
    let id = synonyms::save(
        &db,
        &admin,
        None,
        None,
        &form("ZQXSéttee", &first.to_uppercase(), false),
    )
    .await
    .expect("saved");
    let rule = synonyms::one(&db, &admin, id).await.expect("rule");
    assert_eq!(
        (rule.term.as_str(), rule.alternatives.clone()),
        ("zqxsettee", vec![first.clone()])
    );
    // The database path reads the rules at once; the index once the indexer applied the change.
    assert_eq!(found(&db, &index, "zqxsettee", false).await, db_first);
    assert!(
        found(&db, &index, "zqxsettee", true).await.is_empty(),
        "not applied yet"
    );
    applied(&db, &index).await;
    assert_eq!(found(&db, &index, "zqxsettee", true).await, with_first);
    assert_eq!(
        found(&db, &index, &first, true).await,
        index_first,
        "one way: the word finds what it did"
    );

    // A phrase: all its words must be there.
    let stale = rule.version;
    synonyms::save(
        &db,
        &admin,
        Some(id),
        Some(stale),
        &form("zqxsettee", &format!("{first} {second}"), false),
    )
    .await
    .expect("changed");
    let again = synonyms::save(&db, &admin, Some(id), Some(stale), &form("zqxsettee", "other", false)).await;
    assert!(
        matches!(again, Err(Problem::Conflict(_))),
        "a change on an old copy is refused: {again:?}"
    );
    applied(&db, &index).await;
    assert_eq!(found(&db, &index, "zqxsettee", true).await, with_both);
    assert_eq!(found(&db, &index, "zqxsettee", false).await, db_both);

    // Both ways: the alternative finds the term's word too (here an invented word a product is given).
    let both = synonyms::save(&db, &admin, None, None, &form("zqxcouch", "zqxsofa", true))
        .await
        .expect("both ways");
    applied(&db, &index).await;
    assert!(found(&db, &index, "zqxsofa", true).await.is_empty());
    let product: i64 = with_first[0];
    sqlx::query("UPDATE products SET search_text = search_text || ' zqxcouch' WHERE id = $1")
        .bind(product)
        .execute(db.pool())
        .await
        .expect("word");
    search::reindex(&db, &*index).await.expect("reindex");
    for up in [true, false] {
        assert_eq!(found(&db, &index, "zqxsofa", up).await, vec![product], "index up: {up}");
    }

    // Removed on the copy the page showed; searches stop using it.
    let current = synonyms::one(&db, &admin, id).await.expect("rule").version;
    let old = synonyms::remove(&db, &admin, id, current - 1).await;
    assert!(matches!(old, Err(Problem::Conflict(_))), "{old:?}");
    synonyms::remove(&db, &admin, id, current).await.expect("removed");
    applied(&db, &index).await;
    for up in [true, false] {
        assert!(found(&db, &index, "zqxsettee", up).await.is_empty());
    }
    assert_eq!(synonyms::list(&db, &admin).await.expect("list").len(), 1);
    assert!(synonyms::one(&db, &admin, both).await.is_ok());

    // Every change is in the audit log with before → after.
    let saved = audit_entries(&db, &admin, AuditAction::SynonymSaved).await;
    assert_eq!(saved.len(), 3);
    let change = saved
        .iter()
        .find(|e| e.changes.iter().any(|c| c.before == first))
        .expect("the change from one word to the phrase");
    assert_eq!(change.changes[0].after, format!("{first} {second}"));
    let removed = audit_entries(&db, &admin, AuditAction::SynonymRemoved).await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].subject_label, "zqxsettee");
}

async fn rules_are_checked_and_only_admins_change_them(db: Db) {
    seed::seed(&db, 5, 2).await.expect("seed");
    let admin = actors::admin(&db).await;
    let (_, shopper) = actors::shopper(&db).await;
    let store: i64 = sqlx::query_scalar("SELECT MIN(id) FROM sellers")
        .fetch_one(db.pool())
        .await
        .expect("store");
    let seller = actors::seller_of(&db, store).await;
    let id = synonyms::save(&db, &admin, None, None, &form("sofa", "couch", false))
        .await
        .expect("saved");
    let outbox = count(&db, "SELECT COUNT(*) FROM search_outbox").await;
    for who in [&shopper, &seller, &Actor::visitor()] {
        let added = synonyms::save(&db, who, None, None, &form("tee", "shirt", false)).await;
        assert!(matches!(added, Err(Problem::Forbidden)), "{added:?}");
        assert!(matches!(
            synonyms::remove(&db, who, id, 1).await,
            Err(Problem::Forbidden)
        ));
        assert!(matches!(synonyms::list(&db, who).await, Err(Problem::Forbidden)));
        assert!(matches!(rebuilds::request(&db, who).await, Err(Problem::Forbidden)));
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM search_synonyms").await, 1);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM search_outbox").await,
        outbox,
        "nothing told the indexer"
    );

    let huge = "a".repeat(20_000);
    let many = (0..30).map(|i| format!("word{i}")).collect::<Vec<_>>().join(", ");
    let cases: [(RuleForm, &str); 9] = [
        (form("", "couch", false), "term"),
        (form("two words", "couch", false), "term"),
        (form("!!!", "couch", false), "term"),
        (form("bad\u{0}term", "couch", false), "term"),
        (form("settee", "", false), "alternatives"),
        (form("settee", "settee", false), "alternatives"),
        (form("settee", "love seat", true), "alternatives"),
        (form("settee", &huge, false), "alternatives"),
        (form("settee", &many, false), "alternatives"),
    ];
    for (typed, field) in cases {
        match synonyms::save(&db, &admin, None, None, &typed).await {
            Err(Problem::Invalid(errors)) => {
                assert!(errors.iter().any(|e| e.field == field), "{typed:?}: {errors:?}")
            }
            other => panic!("{typed:?} was not refused: {other:?}"),
        }
    }
    let taken = synonyms::save(&db, &admin, None, None, &form("Sofa", "settee", false)).await;
    assert!(
        matches!(taken, Err(Problem::Invalid(ref e)) if e[0].field == "term"),
        "{taken:?}"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM search_synonyms").await,
        1,
        "nothing refused was kept"
    );
}

async fn an_admin_rebuild_runs_once_and_reports_its_count(db: Db) {
    seed::seed(&db, 30, 3).await.expect("seed");
    let index = Arc::new(TantivyIndex::in_memory().expect("index"));
    let admin = actors::admin(&db).await;
    assert!(rebuilds::latest(&db).await.expect("latest").is_none());
    // Four admins at once: one rebuild is asked, the others told one waits.
    let asks = (0..4).map(|_| {
        let db = db.clone();
        tokio::spawn(async move { rebuilds::request(&db, &admin).await })
    });
    let asked: Vec<bool> = futures::future::join_all(asks)
        .await
        .into_iter()
        .map(|r| r.expect("task").expect("asked"))
        .collect();
    assert_eq!(asked.iter().filter(|a| **a).count(), 1, "{asked:?}");
    assert!(
        !rebuilds::request(&db, &admin).await.expect("asked again"),
        "one waits already"
    );
    let waiting = rebuilds::latest(&db).await.expect("latest").expect("asked");
    assert_eq!(waiting.state(), "Waiting");
    assert_eq!(index.count().await.expect("count"), 0);
    Indexer::new(db.clone(), index.clone() as Arc<dyn SearchIndex>)
        .drain()
        .await
        .expect("drain");
    let done = rebuilds::latest(&db).await.expect("latest").expect("asked");
    assert_eq!(done.state(), "Done");
    let on_sale = search::on_sale(&db).await.expect("on sale");
    assert_eq!(done.documents, Some(on_sale));
    assert_eq!(index.count().await.expect("count"), on_sale as u64);
    // The signal met again (a batch retried) rebuilds nothing: nothing is unfinished.
    sqlx::query("INSERT INTO search_outbox (id, product_id, created_at) VALUES ($1, $2, 0)")
        .bind(domain::platform::ids::next_id())
        .bind(rebuilds::REBUILD)
        .execute(db.pool())
        .await
        .expect("signal");
    Indexer::new(db.clone(), index.clone() as Arc<dyn SearchIndex>)
        .drain()
        .await
        .expect("drain");
    assert_eq!(rebuilds::latest(&db).await.expect("latest").expect("asked"), done);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM search_rebuilds").await, 1);
    assert!(
        rebuilds::request(&db, &admin).await.expect("asked"),
        "a finished one takes a new one"
    );
    assert_eq!(audit_entries(&db, &admin, AuditAction::SearchRebuilt).await.len(), 2);
}

/// Admins adding the same word at once, or changing one rule from the same copy at once: one wins, the others are
/// told (a clear message, never a failure), and the log has one entry per change made.
async fn concurrent_admins_make_one_rule_and_one_change(db: Db) {
    let admin = actors::admin(&db).await;
    let tries = (0..6).map(|i| {
        let (db, admin) = (db.clone(), admin);
        tokio::spawn(async move {
            let typed = form("sofa", &format!("couch{i}"), false);
            synonyms::save(&db, &admin, None, None, &typed).await
        })
    });
    let outcomes: Vec<_> = futures::future::join_all(tries)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|o| o.is_ok() || matches!(o, Err(Problem::Invalid(_)))),
        "{outcomes:?}"
    );
    let id = *outcomes.iter().find_map(|o| o.as_ref().ok()).expect("the one");
    let version = synonyms::one(&db, &admin, id).await.expect("rule").version;
    let changes = (0..6).map(|i| {
        let (db, admin) = (db.clone(), admin);
        tokio::spawn(async move {
            let typed = form("sofa", &format!("settee{i}"), false);
            synonyms::save(&db, &admin, Some(id), Some(version), &typed).await
        })
    });
    let outcomes: Vec<_> = futures::future::join_all(changes)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|o| o.is_ok() || matches!(o, Err(Problem::Conflict(_)))),
        "{outcomes:?}"
    );
    assert_eq!(synonyms::one(&db, &admin, id).await.expect("rule").version, version + 1);
    assert_eq!(audit_entries(&db, &admin, AuditAction::SynonymSaved).await.len(), 2);
}

/// The rules folded into one map, one way and both ways.
async fn rules_fold_into_what_each_word_finds(_db: Db) {
    let sofa = vec!["couch".to_string(), "love seat".to_string()];
    let tee = vec!["shirt".to_string(), "top".to_string()];
    let s = Synonyms::from_rules([("sofa", sofa.as_slice(), false), ("tee", tee.as_slice(), true)]);
    let words = |w: &str| s.alternatives(w).iter().map(|p| p.join(" ")).collect::<Vec<_>>();
    assert_eq!(words("sofa"), ["couch", "love seat"]);
    assert!(words("couch").is_empty(), "one way");
    assert_eq!(words("tee"), ["shirt", "top"]);
    assert_eq!(words("shirt"), ["tee", "top"]);
    assert_eq!(words("top"), ["tee", "shirt"]);
    assert_eq!(s.as_map()["sofa"], ["couch", "love seat"]);
}

db_tests!(
    a_synonym_finds_its_alternatives_on_every_path,
    rules_are_checked_and_only_admins_change_them,
    an_admin_rebuild_runs_once_and_reports_its_count,
    rules_fold_into_what_each_word_finds,
    concurrent_admins_make_one_rule_and_one_change,
);
