//! Issue 22: "Your data" — the export holds the account, its orders with their messages, its reviews and its
//! wishlist (never a secret); an erasure leaves nothing of the person in any table (walked column by column),
//! keeps the sellers' records adding up, recounts the ratings, and is refused while an order is on its way, with
//! a wrong password, or for a store's account; two erasures at once erase once.

use domain::accounts::{self, Email, Registration};
use domain::orders::returns::ReturnForm;
use domain::reviews::{feedback, writing};
use domain::workflows::account_data::{self, AccountDataError, Erasure};
use domain::workflows::return_order::{self, ShopperOrder};
use domain::workflows::{message_order, review_product};
use domain::{wishlist, Actor, Db};
use model::reviews::ReviewForm;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{count, key};
use crate::reviews::delivered_with;
use crate::seller_orders::store_with_two_variants;

const PASSWORD: &str = "correct horse battery";

/// Words only this test's shopper typed anywhere: none may be left in the database after the erasure.
const MARKERS: [&str; 10] = [
    "Zelda",
    // The texts' number as they store it (international form, digits only).
    "447700900123",
    "Quimby",
    "zelda.q",
    "Marigold",
    "Frobisher",
    "ZX9 9QQ",
    "7700 900123",
    "zelda.next",
    "Flat 4B",
];

/// A confirmed shopper named by the markers: (id, actor, email).
async fn zelda(db: &Db) -> (i64, Actor, String) {
    let email = format!("zelda.q-{}@example.com", domain::testing::unique_name());
    let user = accounts::register(
        db,
        &Registration {
            name: "Zelda Quimby".into(),
            email: email.clone(),
            password: PASSWORD.into(),
        },
    )
    .await
    .expect("register");
    actors::confirm_email(db, user.id).await;
    (user.id, actors::of_user(db, user.id).await, email)
}

/// Zelda's delivered order of one unit of `variant` shipped to Marigold Lane: (order id, order number, group).
async fn delivered(db: &Db, shopper: &Actor, email: &str, store: i64, variant: i64) -> (i64, String, String) {
    let (order, number) = delivered_with(db, shopper, store, (variant, 1), |d| {
        d.email = email.to_string();
        d.name = "Zelda Quimby".into();
        d.line1 = "12 Marigold Lane".into();
        d.line2 = "Flat 4B".into();
        d.city = "Frobisher".into();
        d.postal = "ZX9 9QQ".into();
        d.phone = "+44 7700 900123".into();
    })
    .await;
    let group: String =
        sqlx::query_scalar("SELECT g.number FROM order_groups g JOIN orders o ON o.group_id = g.id WHERE o.id = $1")
            .bind(order)
            .fetch_one(db.pool())
            .await
            .expect("group");
    (order, number, group)
}

/// Every text column of every table, as (table, column).
async fn text_columns(db: &Db) -> Vec<(String, String)> {
    let sql = match db.backend().name() {
        "postgres" => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying') \
             AND table_name NOT LIKE '\\_sqlx%' ORDER BY 1, 2"
        }
        _ => {
            "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' AND m.name NOT LIKE 'sqlite%' \
             AND upper(c.type) LIKE '%TEXT%' ORDER BY 1, 2"
        }
    };
    sqlx::query_as(sql).fetch_all(db.pool()).await.expect("columns")
}

/// Where a marker is still found: "table.column holds marker" for each.
async fn leftovers(db: &Db) -> Vec<String> {
    let mut found = Vec::new();
    for (table, column) in text_columns(db).await {
        // The receipt is the one mail the address gets after the erasure, on purpose.
        let receipt = match table.as_str() {
            "mail_outbox" | "dev_mailbox" => " AND subject <> 'Your Bazaar account was erased'",
            _ => "",
        };
        for marker in MARKERS {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE LOWER({column}) LIKE $1{receipt}");
            let n: i64 = sqlx::query_scalar(&sql)
                .bind(format!("%{}%", marker.to_lowercase()))
                .fetch_one(db.pool())
                .await
                .expect("walk");
            if n > 0 {
                found.push(format!("{table}.{column} holds {marker:?}"));
            }
        }
    }
    found
}

fn erasure(password: &str) -> Erasure {
    Erasure {
        password: password.into(),
        understood: true,
    }
}

/// What the sellers' books say: each store's ledger total and each order's total and refunds.
async fn books(db: &Db) -> (Vec<(i64, i64)>, Vec<(String, i64, i64)>) {
    let ledger = sqlx::query_as(
        "SELECT seller_id, CAST(SUM(amount) AS BIGINT) FROM seller_ledger GROUP BY seller_id ORDER BY 1",
    )
    .fetch_all(db.pool())
    .await
    .expect("ledger");
    let orders = sqlx::query_as("SELECT number, total, refunded FROM orders ORDER BY number")
        .fetch_all(db.pool())
        .await
        .expect("orders");
    (ledger, orders)
}

/// Zelda leaves a trace everywhere a shopper can: an order shipped to her, a message, a closed return with a
/// note, a review, a vote and a report on another review, a wishlist, a password reset and an email change asked.
async fn a_busy_shopper(db: &Db) -> (i64, Actor, String, i64) {
    let (store, [kettle, mug]) = store_with_two_variants(db, 10).await;
    let (id, zelda, email) = zelda(db).await;
    crate::harness::fixtures::set_units(db, mug, 0).await;
    domain::workflows::back_in_stock::ask(db, &zelda, mug, "")
        .await
        .expect("notify me");
    let texts = model::notifications::NotificationSettings {
        texts: true,
        phone: "+44 7700 900123".into(),
        ..Default::default()
    };
    domain::notifications::prefs::save(db, id, &texts)
        .await
        .expect("texts on");
    let (order, number, group) = delivered(db, &zelda, &email, store, kettle).await;
    let of = ShopperOrder {
        group: &group,
        order: &number,
        token: None,
    };
    message_order::from_shopper(db, &zelda, of, &key(), "Zelda here: call me on +44 7700 900123")
        .await
        .expect("message");
    let form = ReturnForm {
        key: key(),
        lines: vec![(kettle, "1".into())],
        reason: "damaged".into(),
        note: "Dented at Marigold Lane".into(),
        wants: String::new(),
    };
    return_order::request(db, &zelda, of, &form).await.expect("return");
    let return_id: i64 = sqlx::query_scalar("SELECT id FROM order_returns WHERE order_id = $1")
        .bind(order)
        .fetch_one(db.pool())
        .await
        .expect("return id");
    let seller = actors::seller_of(db, store).await;
    return_order::decide(db, &seller, &number, return_id, false, "Photos show no dent.")
        .await
        .expect("rejected");
    let review = ReviewForm {
        stars: "5".into(),
        title: "Zelda approves".into(),
        body: "Boils fast in Frobisher.".into(),
    };
    review_product::write(db, &zelda, order, kettle, &review)
        .await
        .expect("review");
    let demo: i64 = sqlx::query_scalar("SELECT MIN(id) FROM reviews WHERE demo = 1")
        .fetch_one(db.pool())
        .await
        .expect("a demo review");
    feedback::mark_helpful(db, &zelda, demo).await.expect("vote");
    feedback::report(db, &zelda, demo, "spam").await.expect("report");
    let (list, _) = wishlist::for_session(db, &zelda, None, true).await.expect("list");
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(kettle)
        .fetch_one(db.pool())
        .await
        .expect("product");
    wishlist::keep(db, list.expect("a list"), product).await.expect("keep");
    accounts::resets::send_link(db, &Email::parse(&email).expect("email"))
        .await
        .expect("reset");
    let next = format!("zelda.next-{}@example.com", domain::testing::unique_name());
    accounts::email_change::request(db, id, &next, PASSWORD)
        .await
        .expect("change asked");
    (id, zelda, email, demo)
}

async fn erasure_leaves_nothing_of_the_person_and_the_sellers_books_still_add_up(db: Db) {
    let (id, zelda, email, demo) = a_busy_shopper(&db).await;
    let helpful_before: i64 = sqlx::query_scalar("SELECT helpful FROM reviews WHERE id = $1")
        .bind(demo)
        .fetch_one(db.pool())
        .await
        .expect("helpful");
    let ratings_before = count(&db, "SELECT CAST(SUM(rating_count) AS BIGINT) FROM products").await;
    let books_before = books(&db).await;
    let before = leftovers(&db).await;
    for place in [
        "users.name holds \"Zelda\"",
        "addresses.line1 holds \"Marigold\"",
        "order_groups.ship_phone holds \"7700 900123\"",
        "order_messages.body holds \"Zelda\"",
        "order_returns.note holds \"Marigold\"",
        "reviews.author_name holds \"Zelda\"",
        "email_changes.new_email holds \"zelda.next\"",
        "mail_outbox.to_addr holds \"zelda.q\"",
        "back_in_stock.email holds \"zelda.q\"",
        "notification_prefs.phone holds \"447700900123\"",
        "mail_outbox.to_addr holds \"447700900123\"",
    ] {
        assert!(
            before.contains(&place.to_string()),
            "the walk finds {place} before: {before:?}"
        );
    }

    let receipt_to = account_data::erase(&db, &zelda, &erasure(PASSWORD))
        .await
        .expect("erased");
    assert_eq!(receipt_to, email);

    assert_eq!(
        leftovers(&db).await,
        Vec::<String>::new(),
        "nothing of the person is left"
    );
    assert_eq!(
        books(&db).await,
        books_before,
        "the stores' ledgers and orders are unchanged"
    );
    let receipt = format!(
        "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = '{email}' AND subject = 'Your Bazaar account was erased'"
    );
    assert_eq!(count(&db, &receipt).await, 1, "one receipt");
    assert_eq!(
        count(&db, "SELECT CAST(SUM(rating_count) AS BIGINT) FROM products").await,
        ratings_before - 1
    );
    let helpful_after: i64 = sqlx::query_scalar("SELECT helpful FROM reviews WHERE id = $1")
        .bind(demo)
        .fetch_one(db.pool())
        .await
        .expect("helpful");
    assert_eq!(helpful_after, helpful_before - 1, "the vote is taken off");
    let user = format!("SELECT COUNT(*) FROM users WHERE id = {id} AND erased_at IS NOT NULL");
    assert_eq!(count(&db, &user).await, 1, "the row stays, erased");
    assert_eq!(
        count(&db, &format!("SELECT COUNT(*) FROM sessions WHERE user_id = {id}")).await,
        0
    );

    let policy = accounts::ThrottlePolicy::default();
    let client = accounts::ClientKey("test".into());
    let refused = accounts::login(&db, &policy, &client, &email, PASSWORD).await;
    assert!(
        matches!(refused, Err(accounts::AccountError::BadCredentials)),
        "{refused:?}"
    );
    let again = Registration {
        name: "Zelda Again".into(),
        email: email.clone(),
        password: PASSWORD.into(),
    };
    accounts::register(&db, &again)
        .await
        .expect("the address can open a new account");
}

async fn an_order_on_its_way_a_wrong_password_or_a_store_stops_the_erasure(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, zelda, email) = zelda(&db).await;
    let gateway = domain::payments::TestGateway::new(db.clone());
    let cart_id = domain::cart::create_guest_cart(&db).await.expect("cart");
    domain::cart::add(&db, cart_id, kettle, 1).await.expect("add");
    let mut details = crate::harness::fixtures::draft(&db, cart_id, "US").await;
    details.email = email;
    let placed = crate::harness::fixtures::placed_and_paid_by(&db, &gateway, &zelda, cart_id, &details).await;

    match account_data::erase(&db, &zelda, &erasure(PASSWORD)).await {
        Err(AccountDataError::NotAllowed(message)) => assert!(message.contains(&placed.number), "{message}"),
        other => panic!("a paid order not delivered stops it: {other:?}"),
    }
    match account_data::erase(&db, &zelda, &erasure("not my password")).await {
        Err(AccountDataError::Invalid(fields)) => assert_eq!(fields[0].field, "password"),
        other => panic!("{other:?}"),
    }
    let unticked = Erasure {
        understood: false,
        ..erasure(PASSWORD)
    };
    match account_data::erase(&db, &zelda, &unticked).await {
        Err(AccountDataError::Invalid(fields)) => assert_eq!(fields[0].field, "understood"),
        other => panic!("{other:?}"),
    }
    let seller = actors::seller_of(&db, store).await;
    assert!(matches!(
        account_data::erase(&db, &seller, &erasure(PASSWORD)).await,
        Err(AccountDataError::NotAllowed(_))
    ));
    assert!(matches!(
        account_data::erase(&db, &Actor::visitor(), &erasure(PASSWORD)).await,
        Err(AccountDataError::NotFound)
    ));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM users WHERE erased_at IS NOT NULL").await,
        0
    );
    let overview = account_data::overview(&db, &zelda).await.expect("overview");
    assert_eq!(overview.open_orders, vec![placed.number]);
}

async fn the_export_holds_the_account_its_orders_reviews_and_wishlist_and_no_secret(db: Db) {
    let (_, zelda, email, _) = a_busy_shopper(&db).await;
    let data = account_data::export(&db, &zelda).await.expect("export");
    assert_eq!(data.account.email, email);
    assert_eq!(data.account.addresses.len(), 1, "the address checkout saved");
    assert_eq!(data.orders.len(), 1);
    assert_eq!(data.orders[0].stores[0].messages.len(), 1);
    assert_eq!(data.orders[0].stores[0].returns.len(), 1);
    assert_eq!(data.reviews.len(), 1);
    assert_eq!(data.review_feedback.len(), 2, "a vote and a report");
    assert_eq!(data.wishlist.as_ref().map(|w| w.items.len()), Some(1));
    assert_eq!(data.back_in_stock.len(), 1);
    let json = serde_json::to_string(&data).expect("json");
    for expected in ["Marigold Lane", "call me on", "Zelda approves", "Dented at"] {
        assert!(json.contains(expected), "{expected} is in the export");
    }
    for secret in ["argon2", "password_hash", "token_hash", "secret"] {
        assert!(!json.contains(secret), "{secret} is not in the export");
    }
    let visitor = account_data::export(&db, &Actor::visitor()).await;
    assert!(matches!(visitor, Err(AccountDataError::NotFound)));
    assert_eq!(
        writing::account_reviews(&db, &zelda)
            .await
            .expect("reviews")
            .written
            .len(),
        1
    );
}

async fn two_erasures_at_once_erase_once(db: Db) {
    let (_, zelda, email) = zelda(&db).await;
    let form = erasure(PASSWORD);
    let (a, b) = tokio::join!(
        account_data::erase(&db, &zelda, &form),
        account_data::erase(&db, &zelda, &form),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let receipts = format!("SELECT COUNT(*) FROM mail_outbox WHERE to_addr = '{email}'");
    assert_eq!(
        count(&db, &receipts).await,
        1,
        "one receipt, and the verification mail is gone"
    );
}

db_tests!(
    erasure_leaves_nothing_of_the_person_and_the_sellers_books_still_add_up,
    an_order_on_its_way_a_wrong_password_or_a_store_stops_the_erasure,
    the_export_holds_the_account_its_orders_reviews_and_wishlist_and_no_secret,
    two_erasures_at_once_erase_once,
);
