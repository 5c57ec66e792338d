//! One flush of recorded events: the rows of those kept (all but page views) and their counts added to the day
//! rollups, in one transaction
//! (a failed flush adds nothing, and its events are kept for the next). Rows are written in key order, so two
//! instances flushing at once never wait on each other in a circle.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use sqlx::AnyConnection;

use super::{Event, EventKind, Recorder, Step, Visitor};
use crate::platform::ids::random_token;
use crate::platform::{zones, Db};

/// Rows per multi-row INSERT (7 values each: well under either database's limit on parameters).
const CHUNK: usize = 500;

/// An event kept as a row, with its day and its visitor's key.
struct Stored<'a> {
    event: &'a Event,
    day: i64,
    key: String,
}

/// The day number of moments in one zone, remembering the last day's bounds (a flush's events are seconds apart:
/// one time-zone lookup per day, not per event).
struct DayOf<'a> {
    zone: &'a str,
    known: Option<(i64, i64, i64)>,
}

impl DayOf<'_> {
    fn of(&mut self, ms: i64) -> i64 {
        if let Some((start, end, day)) = self.known {
            if (start..end).contains(&ms) {
                return day;
            }
        }
        let day = zones::day_in(self.zone, ms);
        self.known = Some((
            zones::day_starts(self.zone, day),
            zones::day_starts(self.zone, day + 1),
            day,
        ));
        day
    }
}

pub(super) async fn write(recorder: &Recorder, db: &Db, events: &[Event]) -> Result<(), sqlx::Error> {
    let mut day_of = DayOf {
        zone: &recorder.zone,
        known: None,
    };
    let dated: Vec<(i64, &Event)> = events.iter().map(|e| (day_of.of(e.at), e)).collect();
    let mut salts: BTreeMap<i64, String> = BTreeMap::new();
    for day in dated.iter().map(|(day, _)| *day).collect::<BTreeSet<_>>() {
        salts.insert(day, salt(recorder, db, day).await?);
    }
    // Page views are only counted, never kept one row each: at a busy shop's rate the rows cost the pages a third
    // of their throughput (measured; decision 0054). The rarer events are kept for what the screen reads from them.
    let stored: Vec<Stored> = dated
        .iter()
        .filter(|(_, e)| e.kind != EventKind::PageView)
        .map(|(day, event)| Stored {
            event,
            day: *day,
            // Only an order placed keeps its visitor's key (the paid step counts visitors by it); a search or an
            // addition kept with the key would tie what someone typed to the order of a named customer.
            key: match event.kind {
                EventKind::OrderPlaced => event.visitor.key(&salts[day]),
                _ => String::new(),
            },
        })
        .collect();
    // Each visitor's steps once, keyed (a key is a hash: one per visitor, not per event).
    let reached: HashSet<(i64, Step, Visitor)> = dated
        .iter()
        .flat_map(|(day, e)| Step::of(e).map(move |step| (*day, step, e.visitor)))
        .collect();
    let reached: BTreeSet<(i64, Step, String)> = reached
        .into_iter()
        .map(|(day, step, visitor)| (day, step, visitor.key(&salts[&day])))
        .collect();
    let mut tx = db.begin_write().await?;
    for chunk in stored.chunks(CHUNK) {
        insert_events(&mut tx, chunk).await?;
    }
    add_day_counts(&mut tx, &dated).await?;
    add_searches(&mut tx, &stored).await?;
    add_funnel(&mut tx, reached).await?;
    tx.commit().await
}

/// `$a, $b, …` groups of `width` placeholders for `rows` rows: `($1, $2), ($3, $4)`.
fn values(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn insert_events(conn: &mut AnyConnection, chunk: &[Stored<'_>]) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO analytics_events (at, day, kind, page_type, visitor, subject, results) VALUES {}",
        values(chunk.len(), 7)
    );
    let mut query = sqlx::query(&sql);
    for s in chunk {
        query = query
            .bind(s.event.at)
            .bind(s.day)
            .bind(s.event.kind.as_str())
            .bind(s.event.page_type.map_or("", |t| t.as_str()))
            .bind(s.key.as_str())
            .bind(s.event.subject.as_str())
            .bind(s.event.results);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Events per day, kind and page type.
async fn add_day_counts(conn: &mut AnyConnection, dated: &[(i64, &Event)]) -> Result<(), sqlx::Error> {
    let mut counts: BTreeMap<(i64, &str, &str), i64> = BTreeMap::new();
    for (day, event) in dated {
        let page_type = event.page_type.map_or("", |t| t.as_str());
        *counts.entry((*day, event.kind.as_str(), page_type)).or_default() += 1;
    }
    for ((day, kind, page_type), events) in counts {
        sqlx::query(
            "INSERT INTO analytics_days (day, kind, page_type, events) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (day, kind, page_type) DO UPDATE SET events = analytics_days.events + excluded.events",
        )
        .bind(day)
        .bind(kind)
        .bind(page_type)
        .bind(events)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Searches per day and words, and how many found nothing.
async fn add_searches(conn: &mut AnyConnection, stored: &[Stored<'_>]) -> Result<(), sqlx::Error> {
    let mut counts: BTreeMap<(i64, &str), (i64, i64)> = BTreeMap::new();
    for s in stored.iter().filter(|s| s.event.kind == EventKind::Search) {
        let entry = counts.entry((s.day, s.event.subject.as_str())).or_default();
        entry.0 += 1;
        entry.1 += i64::from(s.event.results == Some(0));
    }
    for ((day, query), (searches, empty)) in counts {
        sqlx::query(
            "INSERT INTO analytics_searches (day, query, searches, empty) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (day, query) DO UPDATE SET searches = analytics_searches.searches + excluded.searches, \
             empty = analytics_searches.empty + excluded.empty",
        )
        .bind(day)
        .bind(query)
        .bind(searches)
        .bind(empty)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The visitors each step gained: those not yet counted on that day (kept in `analytics_visitors`; an insert that
/// finds its row already there returns nothing, so two flushes at once count a visitor once).
async fn add_funnel(conn: &mut AnyConnection, reached: BTreeSet<(i64, Step, String)>) -> Result<(), sqlx::Error> {
    let reached: Vec<_> = reached.into_iter().collect();
    let mut gained: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for chunk in reached.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO analytics_visitors (day, step, visitor) VALUES {} \
             ON CONFLICT (day, step, visitor) DO NOTHING RETURNING day, step",
            values(chunk.len(), 3)
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
        for (day, step, key) in chunk {
            query = query.bind(*day).bind(step.as_str()).bind(key.as_str());
        }
        for new in query.fetch_all(&mut *conn).await? {
            *gained.entry(new).or_default() += 1;
        }
    }
    for ((day, step), visitors) in gained {
        sqlx::query(
            "INSERT INTO analytics_funnel (day, step, visitors) VALUES ($1, $2, $3) \
             ON CONFLICT (day, step) DO UPDATE SET visitors = analytics_funnel.visitors + excluded.visitors",
        )
        .bind(day)
        .bind(step)
        .bind(visitors)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The salt of `day`: the one another instance (or an earlier flush) made, else a new random one.
async fn salt(recorder: &Recorder, db: &Db, day: i64) -> Result<String, sqlx::Error> {
    if let Ok(kept) = recorder.salt.lock() {
        if let Some((d, salt)) = kept.as_ref() {
            if *d == day {
                return Ok(salt.clone());
            }
        }
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO analytics_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
        .bind(day)
        .bind(random_token())
        .execute(&mut *tx)
        .await?;
    let salt: String = sqlx::query_scalar("SELECT salt FROM analytics_salts WHERE day = $1")
        .bind(day)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    if let Ok(mut kept) = recorder.salt.lock() {
        *kept = Some((day, salt.clone()));
    }
    Ok(salt)
}
