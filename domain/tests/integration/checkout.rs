use std::sync::Arc;

use domain::checkout::{self, CheckoutError};
use domain::mail::{self, DevMailbox};
use domain::orders::{self, Viewer};
use domain::payments::{self, Applied, TestGateway, TEST_CARD_DECLINED, TEST_CARD_SUCCESS};
use domain::{cart, seed, Db};
use model::orders::CheckoutDraft;

use crate::db_tests;

pub(crate) async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.expect("count")
}

pub(crate) async fn available(db: &Db, variant: i64) -> i64 {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(available), 0) AS BIGINT) FROM stock WHERE variant_id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("stock")
}

/// Two in-stock variants of two sellers, each with `units` in one warehouse and none elsewhere.
pub(crate) async fn two_sellers(db: &Db, units: i64) -> (i64, i64) {
    seed::seed(db, 40, 11).await.expect("seed");
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT v.id, p.seller_id FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE p.status = 'active' ORDER BY v.id",
    )
    .fetch_all(db.pool())
    .await
    .expect("variants");
    let a = rows[0];
    let b = rows.iter().find(|r| r.1 != a.1).copied().expect("another seller");
    for variant in [a.0, b.0] {
        set_units(db, variant, units).await;
    }
    (a.0, b.0)
}

pub(crate) async fn set_units(db: &Db, variant: i64, units: i64) {
    sqlx::query("UPDATE stock SET available = 0 WHERE variant_id = $1")
        .bind(variant)
        .execute(db.pool())
        .await
        .expect("zero");
    sqlx::query(
        "UPDATE stock SET available = $1 WHERE variant_id = $2 \
         AND warehouse_id = (SELECT MIN(warehouse_id) FROM stock WHERE variant_id = $2)",
    )
    .bind(units)
    .bind(variant)
    .execute(db.pool())
    .await
    .expect("units");
}

/// Checkout details choosing each seller's first shipping option for `country` (as offered by the quote).
pub(crate) async fn draft(db: &Db, cart_id: i64, country: &str) -> CheckoutDraft {
    let mut details = CheckoutDraft {
        email: "buyer@example.com".into(),
        name: "Grace Hopper".into(),
        line1: "1 Compiler Way".into(),
        line2: String::new(),
        city: "Arlington".into(),
        postal: "22201".into(),
        country: country.into(),
        shipping: Vec::new(),
        promo: String::new(),
        errors: Vec::new(),
    };
    let view = cart::view(db, cart_id).await.expect("cart");
    let quote = checkout::quote(db, &view, &details, None, true).await.expect("quote");
    details.shipping = quote
        .groups
        .iter()
        .filter_map(|g| Some((g.seller_id, g.options.first()?.rate_id)))
        .collect();
    details
}

pub(crate) fn key() -> String {
    format!("test-key-{:032x}", rand::random::<u128>())
}

pub(crate) fn session_of(url: &str) -> String {
    url.trim_start_matches("/pay/test/").to_string()
}

async fn paid_checkout_empties_the_cart_commits_stock_and_sends_one_confirmation(db: Db) {
    let (a, b) = two_sellers(&db, 8).await;
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 2).await.expect("add");
    cart::add(&db, cart_id, b, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let cart_view = cart::view(&db, cart_id).await.expect("cart");
    let quote = checkout::quote(&db, &cart_view, &details, None, true)
        .await
        .expect("quote");
    assert!(quote.problems.is_empty(), "{:?}", quote.problems);
    assert_eq!(quote.groups.len(), 2);
    // US sales tax (7.25 %) is added on top of items and shipping.
    let taxable = quote.items_total.amount + quote.shipping_total.amount;
    assert_eq!(
        quote.tax_total.amount,
        quote.groups.iter().map(|g| g.tax.amount).sum::<i64>()
    );
    assert_eq!(quote.grand_total.amount, taxable + quote.tax_total.amount);

    let placed = checkout::place_order(&db, &gateway, cart_id, None, &details, &key())
        .await
        .expect("placed");
    assert!(placed.number.starts_with("BZ-"));
    assert_eq!(available(&db, a).await, 6, "held while the shopper pays");
    let session = session_of(&placed.redirect_url);
    let stored = gateway.session(&session).await.expect("session").expect("exists");
    assert_eq!(stored.amount, quote.grand_total.amount);

    // A declined card leaves the session open and changes nothing.
    assert!(gateway.pay(&session, TEST_CARD_DECLINED).await.is_err());
    let event = gateway
        .pay(&session, TEST_CARD_SUCCESS)
        .await
        .expect("paid")
        .expect("event");
    // The provider delivers the same event ten times at once.
    let db2 = db.clone();
    let results = futures::future::join_all((0..10).map(|_| {
        let db = db2.clone();
        let event = event.clone();
        async move { payments::apply_event(&db, &event).await.expect("apply") }
    }))
    .await;
    assert_eq!(results.iter().filter(|r| matches!(r, Applied::Paid { .. })).count(), 1);
    assert_eq!(results.iter().filter(|r| **r == Applied::Duplicate).count(), 9);

    let view = orders::group_view(&db, &placed.number, &Viewer::Token(placed.view_token.clone()))
        .await
        .expect("order");
    assert_eq!(view.status, "paid");
    assert_eq!(view.orders.len(), 2);
    assert!(view.orders.iter().all(|o| o.status == "paid"));
    assert_eq!(view.grand_total.amount, quote.grand_total.amount);
    assert!(orders::group_view(&db, &placed.number, &Viewer::Token("wrong".into()))
        .await
        .is_err());
    assert!(orders::group_view(&db, &placed.number, &Viewer::User(1)).await.is_err());
    assert_eq!(available(&db, a).await, 6, "sold");
    assert!(cart::view(&db, cart_id).await.expect("cart").is_empty());

    let mailbox = DevMailbox::new(db.clone());
    assert_eq!(mail::deliver_due(&db, &mailbox, 10).await.expect("deliver"), (1, 0));
    assert_eq!(mail::deliver_due(&db, &mailbox, 10).await.expect("deliver"), (0, 0));
    let sent = mail::dev_mailbox(&db, 10).await.expect("mailbox");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "buyer@example.com");
    assert!(sent[0].subject.contains(&placed.number));
    assert!(sent[0].body.contains(&format!("token={}", placed.view_token)));
}

async fn a_cancelled_payment_gives_the_stock_back_and_keeps_the_cart(db: Db) {
    let (a, _) = two_sellers(&db, 5).await;
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 3).await.expect("add");
    let details = draft(&db, cart_id, "DE").await;
    let placed = checkout::place_order(&db, &gateway, cart_id, None, &details, &key())
        .await
        .expect("placed");
    assert_eq!(available(&db, a).await, 2);
    let event = gateway
        .cancel(&session_of(&placed.redirect_url))
        .await
        .expect("cancel")
        .expect("event");
    assert!(matches!(
        payments::apply_event(&db, &event).await.expect("apply"),
        Applied::Failed { .. }
    ));
    assert_eq!(available(&db, a).await, 5);
    assert_eq!(
        cart::view(&db, cart_id).await.expect("cart").item_count,
        3,
        "the cart is intact"
    );
    // Paying the cancelled session is refused by the gateway.
    assert!(gateway
        .pay(&session_of(&placed.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("answer")
        .is_some_and(|e| e.kind != payments::EventKind::Succeeded));
}

async fn a_double_submit_makes_one_order_and_one_payment(db: Db) {
    let (a, _) = two_sellers(&db, 5).await;
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let k = key();
    let (first, second) = tokio::join!(
        checkout::place_order(&db, &gateway, cart_id, None, &details, &k),
        checkout::place_order(&db, &gateway, cart_id, None, &details, &k),
    );
    let (first, second) = (first.expect("first"), second.expect("second"));
    assert_eq!(first.number, second.number);
    assert_eq!(first.redirect_url, second.redirect_url);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_groups").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payments").await, 1);
    assert_eq!(available(&db, a).await, 4);
}

async fn two_hundred_checkouts_for_the_last_ten_units_make_exactly_ten_orders(db: Db) {
    let (a, _) = two_sellers(&db, 10).await;
    let gateway = Arc::new(TestGateway::new(db.clone()));
    let mut carts = Vec::new();
    for _ in 0..200 {
        let id = cart::create_guest_cart(&db).await.expect("cart");
        cart::add(&db, id, a, 1).await.expect("add");
        carts.push(id);
    }
    let details = draft(&db, carts[0], "US").await;
    let tasks = carts.into_iter().map(|cart_id| {
        let (db, gateway, details) = (db.clone(), gateway.clone(), details.clone());
        tokio::spawn(async move {
            match checkout::place_order(&db, &*gateway, cart_id, None, &details, &key()).await {
                Ok(placed) => {
                    let event = gateway
                        .pay(&session_of(&placed.redirect_url), TEST_CARD_SUCCESS)
                        .await
                        .expect("pay")
                        .expect("event");
                    payments::apply_event(&db, &event).await.expect("apply");
                    "paid"
                }
                Err(CheckoutError::CannotPlace(problems)) => {
                    assert!(
                        problems.iter().any(|p| p.contains("sold out") || p.contains("left")),
                        "{problems:?}"
                    );
                    "sold out"
                }
                Err(e) => panic!("unexpected {e:?}"),
            }
        })
    });
    let outcomes: Vec<&str> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "paid").count(), 10);
    assert_eq!(outcomes.iter().filter(|o| **o == "sold out").count(), 190);
    assert_eq!(available(&db, a).await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM stock WHERE available < 0").await, 0);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM order_groups WHERE status = 'paid'").await,
        10
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM payments WHERE status = 'succeeded'").await,
        10
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM test_gateway_sessions WHERE status = 'succeeded'"
        )
        .await,
        10
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM payments p LEFT JOIN order_groups g ON g.id = p.group_id WHERE g.id IS NULL"
        )
        .await,
        0,
        "no charge without an order"
    );
}

async fn an_expired_hold_frees_the_stock_and_a_late_payment_is_rechecked_or_refunded(db: Db) {
    let (a, _) = two_sellers(&db, 2).await;
    let gateway = TestGateway::new(db.clone());
    let late = |units: i64| {
        let db = db.clone();
        let gateway = gateway.clone();
        async move {
            let cart_id = cart::create_guest_cart(&db).await.expect("cart");
            cart::add(&db, cart_id, a, units).await.expect("add");
            let details = draft(&db, cart_id, "US").await;
            checkout::place_order(&db, &gateway, cart_id, None, &details, &key())
                .await
                .expect("placed")
        }
    };
    // Expires, stock comes back; paid later while the stock is still there: re-held and paid.
    let first = late(2).await;
    assert_eq!(available(&db, a).await, 0);
    let later = domain::clock::now_ms() + orders::HOLD_MS + 1_000;
    assert_eq!(orders::expire_unpaid(&db, later).await.expect("expire"), 1);
    assert_eq!(available(&db, a).await, 2);
    let event = gateway
        .pay(&session_of(&first.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    assert!(matches!(
        payments::apply_event(&db, &event).await.expect("apply"),
        Applied::Paid { .. }
    ));
    assert_eq!(available(&db, a).await, 0);

    // Expires, someone else buys the stock, then the late payment arrives: refunded, never oversold.
    set_units(&db, a, 1).await;
    let second = late(1).await;
    orders::expire_unpaid(&db, later + orders::HOLD_MS)
        .await
        .expect("expire");
    let third = late(1).await;
    let event = gateway
        .pay(&session_of(&third.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    payments::apply_event(&db, &event).await.expect("apply");
    let event = gateway
        .pay(&session_of(&second.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    let applied = payments::apply_event(&db, &event).await.expect("apply");
    assert_eq!(
        applied,
        Applied::MustRefund {
            group_id: second.group_id
        }
    );
    payments::refund_unfulfillable(&db, &gateway, second.group_id)
        .await
        .expect("refund");
    assert_eq!(available(&db, a).await, 0);
    let view = orders::group_view(&db, &second.number, &Viewer::Admin)
        .await
        .expect("order");
    assert_eq!(view.status, "cancelled");
    let refunded: i64 = sqlx::query_scalar("SELECT refunded FROM test_gateway_sessions WHERE id = $1")
        .bind(session_of(&second.redirect_url))
        .fetch_one(db.pool())
        .await
        .expect("refunded");
    assert_eq!(refunded, view.grand_total.amount);
}

async fn a_paid_order_can_be_cancelled_until_it_ships(db: Db) {
    let (a, b) = two_sellers(&db, 4).await;
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 1).await.expect("add");
    cart::add(&db, cart_id, b, 2).await.expect("add");
    let details = draft(&db, cart_id, "GB").await;
    let placed = checkout::place_order(&db, &gateway, cart_id, None, &details, &key())
        .await
        .expect("placed");
    let event = gateway
        .pay(&session_of(&placed.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    payments::apply_event(&db, &event).await.expect("apply");
    let viewer = Viewer::Token(placed.view_token.clone());
    let view = orders::group_view(&db, &placed.number, &viewer).await.expect("order");
    let (first, second) = (view.orders[0].clone(), view.orders[1].clone());

    // The second seller ships; the first order is cancelled and refunded.
    let seller: i64 = sqlx::query_scalar("SELECT seller_id FROM orders WHERE number = $1")
        .bind(&second.number)
        .fetch_one(db.pool())
        .await
        .expect("seller");
    assert!(
        orders::mark_shipped(&db, seller + 1, &second.number, "DHL", "123")
            .await
            .is_err(),
        "not their order"
    );
    orders::mark_shipped(&db, seller, &second.number, "DHL", "JD0146")
        .await
        .expect("shipped");
    let view = orders::group_view(&db, &placed.number, &viewer).await.expect("order");
    assert_eq!(view.status_label, "Partially shipped");
    assert!(
        orders::cancel(&db, &gateway, &placed.number, &second.number, &viewer)
            .await
            .is_err(),
        "shipped"
    );

    let before = available(&db, a).await + available(&db, b).await;
    orders::cancel(&db, &gateway, &placed.number, &first.number, &viewer)
        .await
        .expect("cancel");
    assert!(
        orders::cancel(&db, &gateway, &placed.number, &first.number, &viewer)
            .await
            .is_err(),
        "only once"
    );
    let view = orders::group_view(&db, &placed.number, &viewer).await.expect("order");
    let cancelled = view.orders.iter().find(|o| o.number == first.number).expect("order");
    assert_eq!(cancelled.status, "cancelled");
    assert_eq!(cancelled.refunded.amount, cancelled.total.amount);
    let shipped = view.orders.iter().find(|o| o.number == second.number).expect("order");
    assert_eq!(shipped.tracking_number.as_deref(), Some("JD0146"));
    let restocked = available(&db, a).await + available(&db, b).await;
    assert_eq!(restocked, before + first.lines.iter().map(|l| l.quantity).sum::<i64>());
    let session_refunded: i64 = sqlx::query_scalar("SELECT refunded FROM test_gateway_sessions WHERE id = $1")
        .bind(session_of(&placed.redirect_url))
        .fetch_one(db.pool())
        .await
        .expect("refunded");
    assert_eq!(session_refunded, cancelled.total.amount);
}

async fn bad_checkout_details_are_reported_per_field(db: Db) {
    let (a, _) = two_sellers(&db, 4).await;
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 1).await.expect("add");
    let mut details = draft(&db, cart_id, "US").await;
    details.email = "not-an-email".into();
    details.postal = "<script>".into();
    details.country = "XX".into();
    details.name = " ".into();
    match checkout::place_order(&db, &gateway, cart_id, None, &details, &key()).await {
        Err(CheckoutError::Invalid(fields)) => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            for field in ["email", "name", "postal", "country"] {
                assert!(names.contains(&field), "{field} in {names:?}");
            }
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    assert!(matches!(
        checkout::place_order(&db, &gateway, cart_id, None, &draft(&db, cart_id, "US").await, "short").await,
        Err(CheckoutError::CannotPlace(_))
    ));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_groups").await, 0);
    assert_eq!(available(&db, a).await, 4);
}

db_tests!(
    paid_checkout_empties_the_cart_commits_stock_and_sends_one_confirmation,
    a_cancelled_payment_gives_the_stock_back_and_keeps_the_cart,
    a_double_submit_makes_one_order_and_one_payment,
    two_hundred_checkouts_for_the_last_ten_units_make_exactly_ten_orders,
    an_expired_hold_frees_the_stock_and_a_late_payment_is_rechecked_or_refunded,
    a_paid_order_can_be_cancelled_until_it_ships,
    bad_checkout_details_are_reported_per_field,
);
