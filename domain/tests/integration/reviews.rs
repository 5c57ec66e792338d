//! Issue 22: reviews — written once per delivered line by its buyer within 100 days, edited by its author, the
//! product's rating set from the visible reviews (also when written at once), "helpful" once per account,
//! reports to the admins' queue, hiding for a listed reason only, the store's one reply, and the demo's reviews.

use std::sync::Arc;

use domain::cart;
use domain::payments::TestGateway;
use domain::reviews::{feedback, moderation, reading, replies, writing, ReviewError};
use domain::workflows::{review_product, ship_order};
use domain::{Actor, Db};
use model::reviews::{ReviewForm, ReviewQuery, ReviewSort};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{count, draft, key, place, placed_and_paid_by};
use crate::seller_orders::{ship_all, store_with_two_variants};

/// A signed-in shopper's order of `units` of `variant`, paid, shipped and delivered: its (order id, number).
async fn delivered_to(db: &Db, shopper: &Actor, store: i64, variant: i64, units: i64) -> (i64, String) {
    delivered_with(db, shopper, store, (variant, units), |_| {}).await
}

/// [`delivered_to`] with the checkout's details changed by `edit` first (the name and address, say).
pub(crate) async fn delivered_with(
    db: &Db,
    shopper: &Actor,
    store: i64,
    (variant, units): (i64, i64),
    edit: impl FnOnce(&mut model::orders::CheckoutDraft),
) -> (i64, String) {
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    cart::add(db, cart_id, variant, units).await.expect("add");
    let mut details = draft(db, cart_id, "US").await;
    edit(&mut details);
    let placed = placed_and_paid_by(db, &gateway, shopper, cart_id, &details).await;
    let (id, number): (i64, String) = sqlx::query_as(
        "SELECT o.id, o.number FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE g.number = $1",
    )
    .bind(&placed.number)
    .fetch_one(db.pool())
    .await
    .expect("order");
    let seller = actors::seller_of(db, store).await;
    let everything = ship_all(db, &number, "ups", "1Z1").await;
    ship_order::ship(db, &seller, &number, &everything).await.expect("ship");
    ship_order::mark_delivered(db, &seller, &number)
        .await
        .expect("delivered");
    (id, number)
}

/// The id of the one review a test wrote (the seeded ones are demo reviews).
async fn written_id(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT id FROM reviews WHERE demo = 0")
        .fetch_one(db.pool())
        .await
        .expect("the written review")
}

fn form(stars: &str, title: &str, body: &str) -> ReviewForm {
    ReviewForm {
        stars: stars.into(),
        title: title.into(),
        body: body.into(),
    }
}

async fn product_of(db: &Db, variant: i64) -> i64 {
    sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("product")
}

/// The product's aggregate (sum, count) as listings read it.
async fn aggregate(db: &Db, product: i64) -> (i64, i64) {
    sqlx::query_as("SELECT rating_sum, rating_count FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(db.pool())
        .await
        .expect("aggregate")
}

fn fields(err: ReviewError) -> Vec<String> {
    match err {
        ReviewError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn a_delivered_line_is_reviewed_once_by_its_buyer_and_the_rating_follows(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let product = product_of(&db, kettle).await;
    let (before_sum, before_count) = aggregate(&db, product).await;
    let (_, shopper) = actors::shopper(&db).await;
    let (order, _) = delivered_to(&db, &shopper, store, kettle, 1).await;

    let home = writing::account_reviews(&db, &shopper).await.expect("home");
    assert_eq!(home.waiting.len(), 1, "the delivered line waits for a review");
    assert_eq!((home.waiting[0].order_id, home.waiting[0].variant_id), (order, kettle));

    let (_, written) = review_product::write(
        &db,
        &shopper,
        order,
        kettle,
        &form("2", "Leaks a little", "Fine otherwise.\nWould not buy again."),
    )
    .await
    .expect("write");
    assert_eq!(written, writing::Written::New);
    let store_mail = "SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE 'New 2-star review of %'";
    assert_eq!(count(&db, store_mail).await, 1, "the store hears of it");
    assert_eq!(aggregate(&db, product).await, (before_sum + 2, before_count + 1));
    let outbox = format!("SELECT COUNT(*) FROM search_outbox WHERE product_id = {product}");
    assert!(count(&db, &outbox).await >= 1, "search and cached pages hear of it");

    let (_, edited) = review_product::write(&db, &shopper, order, kettle, &form("4", "Better after descaling", ""))
        .await
        .expect("edit");
    assert_eq!(edited, writing::Written::Edited, "a second send edits the one review");
    let any_review_mail = "SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE 'New %review of %'";
    assert_eq!(count(&db, any_review_mail).await, 1, "an edit mails nobody");
    assert_eq!(aggregate(&db, product).await, (before_sum + 4, before_count + 1));

    let page = reading::for_product(
        &db,
        product,
        ReviewQuery {
            page: 1,
            ..ReviewQuery::default()
        },
    )
    .await
    .expect("page");
    let mine = page
        .reviews
        .iter()
        .find(|r| !r.demo)
        .expect("the shopper's review is shown");
    assert_eq!(
        (mine.stars, mine.title.as_str(), mine.edited),
        (4, "Better after descaling", true)
    );
    assert_eq!(mine.author, "Test S.", "first name and initial, never the email");
    assert_eq!(page.summary.count, before_count + 1);

    let home = writing::account_reviews(&db, &shopper).await.expect("home");
    assert!(home.waiting.is_empty(), "reviewed: no longer waiting");
    assert_eq!(home.written.len(), 1);

    // Nobody else reaches the line: another shopper, its store's seller, a visitor.
    let (_, stranger) = actors::shopper(&db).await;
    let seller = actors::seller_of(&db, store).await;
    for actor in [stranger, seller, Actor::visitor()] {
        let refused = review_product::write(&db, &actor, order, kettle, &form("1", "Fake", "")).await;
        assert!(matches!(refused, Err(ReviewError::NotFound)), "{refused:?}");
        assert!(matches!(
            writing::form_page(&db, &actor, order, kettle).await,
            Err(ReviewError::NotFound)
        ));
    }
    assert_eq!(aggregate(&db, product).await, (before_sum + 4, before_count + 1));
}

async fn a_line_not_delivered_or_past_100_days_cannot_be_reviewed_but_a_review_stays_editable(db: Db) {
    let (store, [kettle, teapot]) = store_with_two_variants(&db, 10).await;
    let (_, shopper) = actors::shopper(&db).await;
    let (order, _) = delivered_to(&db, &shopper, store, kettle, 1).await;
    // A variant not in the order.
    let refused = review_product::write(&db, &shopper, order, teapot, &form("5", "Great", "")).await;
    assert!(matches!(refused, Err(ReviewError::NotFound)), "{refused:?}");
    review_product::write(&db, &shopper, order, kettle, &form("5", "Great", ""))
        .await
        .expect("write in time");
    let long_ago = domain::platform::clock::now_ms() - 101 * 86_400_000;
    sqlx::query("UPDATE order_events SET created_at = $1 WHERE order_id = $2 AND status = 'delivered'")
        .bind(long_ago)
        .bind(order)
        .execute(db.pool())
        .await
        .expect("age the delivery");
    review_product::write(&db, &shopper, order, kettle, &form("3", "Still fine", ""))
        .await
        .expect("its author edits it any time");

    // A second order, delivered over 100 days ago and never reviewed: too late.
    let (late, _) = delivered_to(&db, &shopper, store, kettle, 1).await;
    sqlx::query("UPDATE order_events SET created_at = $1 WHERE order_id = $2 AND status = 'delivered'")
        .bind(long_ago)
        .bind(late)
        .execute(db.pool())
        .await
        .expect("age the delivery");
    let refused = review_product::write(&db, &shopper, late, kettle, &form("1", "Late", "")).await;
    assert!(matches!(refused, Err(ReviewError::NotAllowed(_))), "{refused:?}");
    assert!(writing::account_reviews(&db, &shopper)
        .await
        .expect("home")
        .waiting
        .is_empty());

    // Not delivered yet: nothing to review.
    let (_, other) = actors::shopper(&db).await;
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, kettle, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    place(&db, &gateway, &other, cart_id, &details, &key())
        .await
        .expect("placed");
    assert!(writing::account_reviews(&db, &other)
        .await
        .expect("home")
        .waiting
        .is_empty());
}

async fn hostile_review_text_gets_messages_and_stores_nothing(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, shopper) = actors::shopper(&db).await;
    let (order, _) = delivered_to(&db, &shopper, store, kettle, 1).await;
    let long = "x".repeat(model::limits::REVIEW_BODY_MAX_CHARS + 1);
    let cases = [
        (form("0", "ok", ""), vec!["stars"]),
        (form("6", "ok", ""), vec!["stars"]),
        (form("five", "", ""), vec!["stars", "title"]),
        (form("5", "bad\u{0}title", "ok"), vec!["title"]),
        (form("5", "two\nlines", "ok"), vec!["title"]),
        (form("5", "ok", "esc\u{1b}[31m"), vec!["body"]),
        (form("5", &"t".repeat(121), &long), vec!["title", "body"]),
    ];
    for (typed, expected) in cases {
        let err = review_product::write(&db, &shopper, order, kettle, &typed)
            .await
            .expect_err("refused");
        assert_eq!(fields(err), expected, "{typed:?}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM reviews WHERE demo = 0").await, 0);
    // Markup is kept as text: the page escapes it.
    review_product::write(
        &db,
        &shopper,
        order,
        kettle,
        &form("5", "<script>alert(1)</script>", "<b>bold</b>"),
    )
    .await
    .expect("text is text");
}

async fn helpful_counts_once_per_account_and_never_its_author_or_store(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, author) = actors::shopper(&db).await;
    let (order, _) = delivered_to(&db, &author, store, kettle, 1).await;
    review_product::write(&db, &author, order, kettle, &form("5", "Great", ""))
        .await
        .expect("write");
    let id = written_id(&db).await;
    let helpful = "SELECT helpful FROM reviews WHERE demo = 0";

    let (_, reader) = actors::shopper(&db).await;
    let db = Arc::new(db);
    let votes: Vec<_> = (0..6)
        .map(|_| {
            let (db, reader) = (db.clone(), reader);
            tokio::spawn(async move { feedback::mark_helpful(&db, &reader, id).await })
        })
        .collect();
    for vote in votes {
        vote.await.expect("task").expect("a second vote is no error");
    }
    assert_eq!(count(&db, helpful).await, 1, "six clicks at once count once");
    let (_, another) = actors::shopper(&db).await;
    feedback::mark_helpful(&db, &another, id).await.expect("vote");
    assert_eq!(count(&db, helpful).await, 2);

    let seller = actors::seller_of(&db, store).await;
    for actor in [author, seller] {
        let refused = feedback::mark_helpful(&db, &actor, id).await;
        assert!(matches!(refused, Err(ReviewError::NotAllowed(_))), "{refused:?}");
    }
    let refused = feedback::mark_helpful(&db, &Actor::visitor(), id).await;
    assert!(matches!(refused, Err(ReviewError::NotAllowed(m)) if m.starts_with("Sign in")));
    assert!(matches!(
        feedback::mark_helpful(&db, &another, id + 1).await,
        Err(ReviewError::NotFound)
    ));
    assert_eq!(count(&db, helpful).await, 2);

    let most = reading::for_product(
        &db,
        product_of(&db, kettle).await,
        ReviewQuery {
            sort: ReviewSort::Helpful,
            stars: None,
            page: 1,
        },
    )
    .await
    .expect("page");
    assert_eq!(most.reviews[0].id, id, "most helpful first");
}

async fn reports_reach_the_queue_and_only_an_admin_hides_for_a_listed_reason(db: Db) {
    let (store, [kettle, teapot]) = store_with_two_variants(&db, 10).await;
    let product = product_of(&db, kettle).await;
    let (_, author) = actors::shopper(&db).await;
    let (order, _) = delivered_to(&db, &author, store, kettle, 1).await;
    let (before_sum, before_count) = aggregate(&db, product).await;
    review_product::write(&db, &author, order, kettle, &form("1", "Terrible, call 555 0100", ""))
        .await
        .expect("write");
    let id = written_id(&db).await;

    let (_, reader) = actors::shopper(&db).await;
    assert_eq!(
        fields(
            feedback::report(&db, &reader, id, "negative")
                .await
                .expect_err("no such reason")
        ),
        ["reason"]
    );
    feedback::report(&db, &reader, id, "personal_information")
        .await
        .expect("report");
    feedback::report(&db, &reader, id, "spam")
        .await
        .expect("a second report is no error");
    let seller = actors::seller_of(&db, store).await;
    feedback::report(&db, &seller, id, "personal_information")
        .await
        .expect("a store may report too");

    let admin = actors::admin(&db).await;
    for actor in [reader, seller, Actor::visitor()] {
        assert!(matches!(
            moderation::queue(&db, &actor).await,
            Err(ReviewError::NotFound)
        ));
        assert!(matches!(
            review_product::hide(&db, &actor, id, "spam").await,
            Err(ReviewError::NotFound)
        ));
        assert!(matches!(
            moderation::keep(&db, &actor, id).await,
            Err(ReviewError::NotFound)
        ));
    }
    let queue = moderation::queue(&db, &admin).await.expect("queue");
    assert_eq!(queue.len(), 1);
    assert_eq!(
        queue[0].reports,
        vec![("Shares someone's personal information".to_string(), 2)]
    );

    assert_eq!(
        fields(
            review_product::hide(&db, &admin, id, "negative")
                .await
                .expect_err("not a reason")
        ),
        ["reason"]
    );
    assert!(review_product::hide(&db, &admin, id, "personal_information")
        .await
        .expect("hide"));
    assert!(
        !review_product::hide(&db, &admin, id, "spam").await.expect("twice"),
        "hidden once"
    );
    let told = "SELECT body FROM mail_outbox WHERE subject LIKE 'Your review of % was hidden'";
    let bodies: Vec<String> = sqlx::query_scalar(told).fetch_all(db.pool()).await.expect("mail");
    assert_eq!(bodies.len(), 1, "the author is told once");
    assert!(bodies[0].contains("Shares someone's personal information"));
    assert_eq!(
        aggregate(&db, product).await,
        (before_sum, before_count),
        "the rating no longer counts it"
    );
    let page = reading::for_product(
        &db,
        product,
        ReviewQuery {
            page: 1,
            ..ReviewQuery::default()
        },
    )
    .await
    .expect("page");
    assert!(page.reviews.iter().all(|r| r.id != id), "hidden reviews are not shown");
    assert!(moderation::queue(&db, &admin).await.expect("queue").is_empty());
    let store_list = replies::store_reviews(&db, &seller, false).await.expect("store list");
    let hidden = store_list.reviews.iter().find(|r| r.review.id == id).expect("listed");
    assert!(hidden.hidden && hidden.review.title == "Hidden by moderators" && hidden.review.body.is_empty());
    let own = writing::account_reviews(&db, &author).await.expect("home");
    assert_eq!(
        own.written[0].hidden.as_deref(),
        Some("Shares someone's personal information")
    );
    assert!(matches!(
        feedback::mark_helpful(&db, &reader, id).await,
        Err(ReviewError::NotFound)
    ));

    // Kept: the reports close, the review stays.
    let (_, second) = actors::shopper(&db).await;
    let (order2, _) = delivered_to(&db, &second, store, teapot, 1).await;
    review_product::write(&db, &second, order2, teapot, &form("2", "Meh", ""))
        .await
        .expect("write");
    let kept: i64 = sqlx::query_scalar("SELECT id FROM reviews WHERE demo = 0 AND id <> $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .expect("id");
    feedback::report(&db, &reader, kept, "offensive").await.expect("report");
    moderation::keep(&db, &admin, kept).await.expect("keep");
    assert!(moderation::queue(&db, &admin).await.expect("queue").is_empty());
    let teapot_product = product_of(&db, teapot).await;
    let page = reading::for_product(
        &db,
        teapot_product,
        ReviewQuery {
            page: 1,
            ..ReviewQuery::default()
        },
    )
    .await
    .expect("page");
    assert!(page.reviews.iter().any(|r| r.id == kept));
}

async fn a_store_replies_once_to_reviews_of_its_own_products(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, author) = actors::shopper(&db).await;
    let (order, _) = delivered_to(&db, &author, store, kettle, 1).await;
    review_product::write(&db, &author, order, kettle, &form("3", "Okay", ""))
        .await
        .expect("write");
    let id = written_id(&db).await;
    let seller = actors::seller_of(&db, store).await;
    let list = replies::store_reviews(&db, &seller, true).await.expect("list");
    assert!(list.reviews.iter().any(|r| r.review.id == id));
    assert_eq!(list.awaiting_reply, 1, "demo reviews wait for no reply");

    let other = actors::seller_of(&db, crate::seller_orders::another_store(&db, store).await).await;
    assert!(matches!(
        replies::reply(&db, &other, id, "Not yours").await,
        Err(ReviewError::NotFound)
    ));
    assert!(matches!(
        replies::reply(&db, &author, id, "Not a store").await,
        Err(ReviewError::NotFound)
    ));
    assert_eq!(
        fields(replies::reply(&db, &seller, id, "  ").await.expect_err("empty")),
        ["reply"]
    );
    assert_eq!(
        fields(replies::reply(&db, &seller, id, "a\u{0}b").await.expect_err("NUL")),
        ["reply"]
    );

    let db = Arc::new(db);
    let sends: Vec<_> = (0..5)
        .map(|i| {
            let (db, seller) = (db.clone(), seller);
            tokio::spawn(async move { replies::reply(&db, &seller, id, &format!("Thanks! ({i})")).await })
        })
        .collect();
    let mut published = 0;
    for send in sends {
        match send.await.expect("task") {
            Ok(()) => published += 1,
            Err(ReviewError::NotAllowed(_)) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(published, 1, "one reply, however many sends");
    let list = replies::store_reviews(&db, &seller, true).await.expect("list");
    assert_eq!(list.awaiting_reply, 0);
    let page = reading::for_product(
        &db,
        product_of(&db, kettle).await,
        ReviewQuery {
            page: 1,
            ..ReviewQuery::default()
        },
    )
    .await
    .expect("page");
    let shown = page.reviews.iter().find(|r| r.id == id).expect("shown");
    assert!(shown.reply.as_ref().is_some_and(|r| r.body.starts_with("Thanks!")));
}

async fn reviews_written_at_once_all_count_and_one_line_gets_one_review(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 40).await;
    let product = product_of(&db, kettle).await;
    let (before_sum, before_count) = aggregate(&db, product).await;
    let mut buyers = Vec::new();
    for _ in 0..4 {
        let (_, shopper) = actors::shopper(&db).await;
        let (order, _) = delivered_to(&db, &shopper, store, kettle, 1).await;
        buyers.push((shopper, order));
    }
    let db = Arc::new(db);
    let mut writes = Vec::new();
    for (shopper, order) in buyers.iter().cloned() {
        for stars in ["5", "4"] {
            let (db, shopper) = (db.clone(), shopper);
            writes.push(tokio::spawn(async move {
                review_product::write(&db, &shopper, order, kettle, &form(stars, "Twice at once", "")).await
            }));
        }
    }
    for w in writes {
        w.await.expect("task").expect("each write is a new review or an edit");
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM reviews WHERE demo = 0").await,
        4,
        "one review per line"
    );
    let (sum, n) = aggregate(&db, product).await;
    assert_eq!(n, before_count + 4, "every review counted");
    let written: i64 = count(&db, "SELECT CAST(SUM(stars) AS BIGINT) FROM reviews WHERE demo = 0").await;
    assert_eq!(sum, before_sum + written, "the aggregate is the reviews' stars");
}

async fn the_demo_ratings_are_demo_reviews_and_pages_sort_and_filter_them(db: Db) {
    domain::seed::seed(&db, 60, 5).await.expect("seed");
    let mismatched = count(
        &db,
        "SELECT COUNT(*) FROM products p WHERE p.rating_count <> (SELECT COUNT(*) FROM reviews r WHERE r.product_id = p.id) \
         OR p.rating_sum <> (SELECT COALESCE(SUM(r.stars), 0) FROM reviews r WHERE r.product_id = p.id)",
    )
    .await;
    assert_eq!(mismatched, 0, "every seeded rating is the sum of its demo reviews");
    assert!(count(&db, "SELECT COUNT(*) FROM reviews WHERE demo = 1").await > 60);
    assert!(domain::seed::has_demo_reviews(&db).await.expect("demo"));
    let product: i64 = sqlx::query_scalar("SELECT id FROM products WHERE rating_count >= 4 ORDER BY id LIMIT 1")
        .fetch_one(db.pool())
        .await
        .expect("a product with reviews");
    let lowest = reading::for_product(
        &db,
        product,
        ReviewQuery {
            sort: ReviewSort::Lowest,
            stars: None,
            page: 1,
        },
    )
    .await
    .expect("lowest");
    let stars: Vec<u8> = lowest.reviews.iter().map(|r| r.stars).collect();
    assert!(stars.windows(2).all(|w| w[0] <= w[1]), "{stars:?}");
    assert!(lowest.reviews.iter().all(|r| r.demo), "labelled as demo data");
    let only = stars[0];
    let filtered = reading::for_product(
        &db,
        product,
        ReviewQuery {
            sort: ReviewSort::Newest,
            stars: Some(only),
            page: 1,
        },
    )
    .await
    .expect("filtered");
    assert!(filtered.reviews.iter().all(|r| r.stars == only));
    assert_eq!(filtered.matching, filtered.summary.by_stars[usize::from(only) - 1]);
    assert_eq!(filtered.summary.by_stars.iter().sum::<i64>(), filtered.summary.count);
}

async fn a_store_cannot_review_its_own_products(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let seller = actors::seller_of(&db, store).await;
    let (order, _) = delivered_to(&db, &seller, store, kettle, 1).await;
    assert!(writing::account_reviews(&db, &seller)
        .await
        .expect("home")
        .waiting
        .is_empty());
    let refused = review_product::write(&db, &seller, order, kettle, &form("5", "Best kettle ever", "")).await;
    assert!(matches!(refused, Err(ReviewError::NotAllowed(_))), "{refused:?}");
    assert!(matches!(
        writing::form_page(&db, &seller, order, kettle).await,
        Err(ReviewError::NotAllowed(_))
    ));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM reviews WHERE demo = 0").await, 0);
}

db_tests!(
    a_store_cannot_review_its_own_products,
    a_delivered_line_is_reviewed_once_by_its_buyer_and_the_rating_follows,
    a_line_not_delivered_or_past_100_days_cannot_be_reviewed_but_a_review_stays_editable,
    hostile_review_text_gets_messages_and_stores_nothing,
    helpful_counts_once_per_account_and_never_its_author_or_store,
    reports_reach_the_queue_and_only_an_admin_hides_for_a_listed_reason,
    a_store_replies_once_to_reviews_of_its_own_products,
    reviews_written_at_once_all_count_and_one_line_gets_one_review,
    the_demo_ratings_are_demo_reviews_and_pages_sort_and_filter_them,
);
