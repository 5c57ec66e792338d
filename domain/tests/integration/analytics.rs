//! Issue 23's analytics: events recorded in memory reach the day counts and the funnel in one flush, a visitor
//! counts once per step and day (also when two instances flush at once), "paid" follows the orders the recorded
//! visitors placed, a failed flush loses nothing and adds nothing, old events and salts are forgotten, no
//! address or user agent is stored, the CSV neutralises formulas, and only admins see any of it. Both databases.

use std::sync::Arc;

use domain::admin::AdminError;
use domain::analytics::{report, Event, PageType, Recorder, Visitor};
use domain::cart;
use domain::payments::TestGateway;
use domain::Db;
use model::admin_analytics::{Analytics, AnalyticsTable, FunnelDay};
use model::money::SalesRange;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{count, draft, key, pay, place, two_sellers};

fn today() -> SalesRange {
    SalesRange {
        range: "1".into(),
        ..SalesRange::default()
    }
}

async fn screen(db: &Db) -> Analytics {
    let admin = actors::admin(db).await;
    report::screen(db, &admin, &today(), "UTC").await.expect("analytics")
}

fn visitor(n: u8) -> Visitor {
    Visitor::from_client(&format!("198.51.100.{n}"), "Mozilla/5.0 Firefox/140.0")
}

fn steps(day: &FunnelDay) -> [i64; 5] {
    day.steps().map(|(_, n)| n)
}

async fn events_reach_the_day_counts_and_each_visitor_counts_once_per_step(db: Db) {
    let recorder = Recorder::new("UTC", 90);
    let (a, b) = (visitor(1), visitor(2));
    for _ in 0..3 {
        recorder.record(Event::page_view(a, PageType::Product));
    }
    recorder.record(Event::page_view(a, PageType::Checkout));
    recorder.record(Event::add_to_cart(a, 7));
    recorder.record(Event::page_view(b, PageType::Home));
    recorder.record(Event::search(b, "Red  LAMP", 0).expect("search"));
    recorder.record(Event::search(b, "red lamp", 0).expect("search"));
    recorder.record(Event::search(a, "lamp", 4).expect("search"));
    assert_eq!(recorder.flush(&db).await.expect("flush"), 9);
    // The same visitors again, in a later flush: events add up, visitors do not.
    recorder.record(Event::page_view(b, PageType::Product));
    recorder.record(Event::page_view(a, PageType::Product));
    recorder.record(Event::search(a, "lamp", 0).expect("search"));
    recorder.flush(&db).await.expect("flush");

    let a = screen(&db).await;
    assert_eq!(a.funnel.len(), 1, "today only");
    assert_eq!(
        steps(&a.total),
        [2, 2, 1, 1, 0],
        "visits, product views, cart, checkout, paid"
    );
    assert_eq!(steps(&a.funnel[0]), steps(&a.total));
    let views = |label: &str| a.pages.iter().find(|p| p.label == label).map(|p| p.views);
    assert_eq!(views("Product pages"), Some(5));
    assert_eq!(views("Checkout"), Some(1));
    assert_eq!(views("Home page"), Some(1));
    assert_eq!(a.pages[0].label, "Product pages", "most viewed first");
    let top: Vec<_> = a
        .top_searches
        .iter()
        .map(|s| (s.query.as_str(), s.searches, s.empty))
        .collect();
    assert_eq!(top, [("lamp", 2, 1), ("red lamp", 2, 2)]);
    let empty: Vec<_> = a.empty_searches.iter().map(|s| s.query.as_str()).collect();
    assert_eq!(empty, ["red lamp", "lamp"], "the most often empty first");
    // Page views are only counted: the rows are the searches and the addition.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM analytics_events").await, 5);
}

/// Two instances of the shop (two recorders) flushing the same visitors at once count each once.
async fn two_instances_flushing_at_once_count_a_visitor_once(db: Db) {
    let recorders: Vec<Arc<Recorder>> = (0..4).map(|_| Arc::new(Recorder::new("UTC", 90))).collect();
    for recorder in &recorders {
        for n in 0..40 {
            recorder.record(Event::page_view(visitor(n), PageType::Product));
        }
    }
    let mut tasks = Vec::new();
    for recorder in &recorders {
        let (recorder, db) = (recorder.clone(), db.clone());
        tasks.push(tokio::spawn(async move { recorder.flush(&db).await }));
    }
    for task in tasks {
        task.await.expect("join").expect("flush");
    }
    let a = screen(&db).await;
    assert_eq!((a.total.visits, a.total.product_views), (40, 40));
    assert_eq!(a.pages[0].views, 160);
    // Every instance used the one salt of the day.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM analytics_salts").await, 1);
}

async fn paid_counts_the_visitors_whose_placed_order_was_paid(db: Db) {
    let (variant, _) = two_sellers(&db, 5).await;
    let gateway = TestGateway::new(db.clone());
    let recorder = Recorder::new("UTC", 90);
    let buyer = visitor(9);
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, variant, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let placed = place(&db, &gateway, &domain::Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    recorder.record(Event::order_placed(buyer, &placed.number));
    // Another visitor's order number that does not exist counts nothing.
    recorder.record(Event::order_placed(visitor(10), "BZ-NOSUCH1"));
    recorder.flush(&db).await.expect("flush");
    assert_eq!(screen(&db).await.total.paid, 0, "placed, not paid yet");
    pay(&db, &gateway, &placed).await;
    assert_eq!(screen(&db).await.total.paid, 1);
}

async fn a_failed_flush_keeps_its_events_and_adds_nothing(db: Db) {
    let recorder = Recorder::new("UTC", 90);
    recorder.record(Event::page_view(visitor(1), PageType::Home));
    recorder.record(Event::search(visitor(1), "lamp", 0).expect("search"));
    // The last table a flush writes is missing: the whole flush rolls back.
    sqlx::query("ALTER TABLE analytics_funnel RENAME TO analytics_funnel_away")
        .execute(db.pool())
        .await
        .expect("rename");
    assert!(recorder.flush(&db).await.is_err());
    sqlx::query("ALTER TABLE analytics_funnel_away RENAME TO analytics_funnel")
        .execute(db.pool())
        .await
        .expect("rename back");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM analytics_events").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM analytics_searches").await, 0);
    assert_eq!(
        recorder.flush(&db).await.expect("flush again"),
        2,
        "kept for the next flush"
    );
    let a = screen(&db).await;
    assert_eq!((a.total.visits, a.empty_searches.len()), (1, 1));
    assert_eq!(recorder.flush(&db).await.expect("nothing left"), 0);
}

async fn no_address_or_agent_is_stored_and_old_events_are_forgotten(db: Db) {
    let recorder = Recorder::new("UTC", 30);
    let address = "203.0.113.77";
    let client = Visitor::from_client(address, "Agent/1");
    recorder.record(Event::search(client, "lamp", 1).expect("search"));
    recorder.record(Event::order_placed(client, "BZ-NOSUCH1"));
    recorder.flush(&db).await.expect("flush");
    let stored: Vec<(String, String)> = sqlx::query_as("SELECT kind, visitor FROM analytics_events ORDER BY kind")
        .fetch_all(db.pool())
        .await
        .expect("events");
    assert_eq!(stored.len(), 2);
    let (placed, search) = (&stored[0], &stored[1]);
    assert_eq!((placed.0.as_str(), search.0.as_str()), ("order_placed", "search"));
    assert!(!placed.1.contains("203") && !placed.1.contains("Agent"));
    assert_eq!(
        placed.1.len(),
        32,
        "an order placed keeps a 128-bit key for the paid step"
    );
    assert_eq!(
        search.1, "",
        "a search keeps no key: it could be tied to the customer of the order"
    );
    // Events, visitor keys and salts of long ago.
    let today = domain::platform::zones::day_in("UTC", domain::platform::clock::now_ms());
    for (day, visitor) in [(today - 40, "old"), (today - 29, "kept")] {
        sqlx::query(
            "INSERT INTO analytics_events (at, day, kind, page_type, visitor, subject, results) \
             VALUES (0, $1, 'page_view', 'home', $2, '', NULL)",
        )
        .bind(day)
        .bind(visitor)
        .execute(db.pool())
        .await
        .expect("event");
        sqlx::query("INSERT INTO analytics_visitors (day, step, visitor) VALUES ($1, 'visit', $2)")
            .bind(day)
            .bind(visitor)
            .execute(db.pool())
            .await
            .expect("visitor");
        sqlx::query("INSERT INTO analytics_salts (day, salt) VALUES ($1, $2)")
            .bind(day)
            .bind(visitor)
            .execute(db.pool())
            .await
            .expect("salt");
    }
    assert_eq!(recorder.forget_old(&db).await.expect("forget"), 1);
    let left = |table: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, String>(&format!("SELECT visitor FROM {table} WHERE visitor IN ('old', 'kept')"))
                .fetch_all(db.pool())
                .await
                .expect("left")
        }
    };
    assert_eq!(left("analytics_events").await, ["kept"]);
    assert_eq!(left("analytics_visitors").await, ["kept"]);
    let salts: Vec<i64> = sqlx::query_scalar("SELECT day FROM analytics_salts ORDER BY day")
        .fetch_all(db.pool())
        .await
        .expect("salts");
    assert_eq!(salts, [today], "only today's salt is left");
}

async fn only_admins_see_analytics_and_the_csv_neutralises_formulas(db: Db) {
    let recorder = Recorder::new("UTC", 90);
    recorder.record(Event::search(visitor(1), "=HYPERLINK(\"x\")", 0).expect("search"));
    recorder.flush(&db).await.expect("flush");
    let admin = actors::admin(&db).await;
    let csv = report::csv(&db, &admin, &today(), "UTC", AnalyticsTable::EmptySearches)
        .await
        .expect("csv");
    let text = String::from_utf8(csv).expect("utf-8");
    assert!(text.contains("'=hyperlink"), "{text}");
    let funnel = report::csv(&db, &admin, &today(), "UTC", AnalyticsTable::Funnel)
        .await
        .expect("csv");
    let funnel = String::from_utf8(funnel).expect("utf-8");
    assert!(funnel.starts_with("Date,Visits,"));
    assert!(funnel.trim_end().ends_with("Total,0,0,0,0,0"), "{funnel}");
    let (_, shopper) = actors::shopper(&db).await;
    let bad = SalesRange {
        from: "yesterday".into(),
        to: "2026-12-01".into(),
        ..SalesRange::default()
    };
    for actor in [shopper, domain::Actor::visitor()] {
        assert!(matches!(
            report::screen(&db, &actor, &today(), "UTC").await,
            Err(AdminError::Forbidden)
        ));
        assert!(matches!(
            report::csv(&db, &actor, &today(), "UTC", AnalyticsTable::Pages).await,
            Err(AdminError::Forbidden)
        ));
    }
    assert!(matches!(
        report::screen(&db, &admin, &bad, "UTC").await,
        Err(AdminError::Invalid(_))
    ));
}

db_tests!(events_reach_the_day_counts_and_each_visitor_counts_once_per_step);
db_tests!(two_instances_flushing_at_once_count_a_visitor_once);
db_tests!(paid_counts_the_visitors_whose_placed_order_was_paid);
db_tests!(a_failed_flush_keeps_its_events_and_adds_nothing);
db_tests!(no_address_or_agent_is_stored_and_old_events_are_forgotten);
db_tests!(only_admins_see_analytics_and_the_csv_neutralises_formulas);
