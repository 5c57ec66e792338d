use std::sync::Arc;

use domain::checkout::{self, CheckoutError};
use domain::notifications::{self, DevMailbox};
use domain::orders;
use domain::payments::{TestGateway, TEST_CARD_DECLINED, TEST_CARD_SUCCESS};
use domain::workflows::settle_payment::Applied;
use domain::workflows::{cancel_order, place_order, settle_payment, ship_order};
use domain::Actor;

use domain::{cart, Db};
use model::orders::CheckoutDraft;

use crate::db_tests;
use crate::harness::fixtures::{available, count, draft, key, session_of, set_units, two_sellers};

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

    let placed = crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key())
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
        async move { settle_payment::apply_event(&db, &event).await.expect("apply") }
    }))
    .await;
    assert_eq!(results.iter().filter(|r| matches!(r, Applied::Paid { .. })).count(), 1);
    assert_eq!(results.iter().filter(|r| **r == Applied::Duplicate).count(), 9);

    let view = orders::group_view(&db, &placed.number, &Actor::visitor(), Some(&placed.view_token))
        .await
        .expect("order");
    assert_eq!(view.status, "paid");
    assert_eq!(view.orders.len(), 2);
    assert!(view.orders.iter().all(|o| o.status == "paid"));
    assert_eq!(view.grand_total.amount, quote.grand_total.amount);
    assert!(
        orders::group_view(&db, &placed.number, &Actor::visitor(), Some("wrong"))
            .await
            .is_err()
    );
    assert!(
        orders::group_view(&db, &placed.number, &crate::harness::actors::shopper(&db).await.1, None)
            .await
            .is_err()
    );
    assert_eq!(available(&db, a).await, 6, "sold");
    assert!(cart::view(&db, cart_id).await.expect("cart").is_empty());

    let mailbox = DevMailbox::new(db.clone());
    // The shopper's confirmation and each of the two stores' "new order", once each (the other shopper's
    // address confirmation, also queued, is left out).
    sqlx::query("DELETE FROM mail_outbox WHERE dedupe_key LIKE 'verify-email:%'")
        .execute(db.pool())
        .await
        .expect("the address confirmation, not under test here");
    assert_eq!(
        notifications::deliver_due(&db, &mailbox, 10).await.expect("deliver"),
        (3, 0)
    );
    assert_eq!(
        notifications::deliver_due(&db, &mailbox, 10).await.expect("deliver"),
        (0, 0)
    );
    let sent = notifications::dev_mailbox(&db, 10).await.expect("mailbox");
    assert_eq!(sent.len(), 3);
    let confirmation = sent.iter().find(|m| m.to == "buyer@example.com").expect("confirmation");
    assert!(confirmation.subject.contains(&placed.number));
    assert!(confirmation.body.contains(&format!("token={}", placed.view_token)));
    let stores: Vec<_> = sent.iter().filter(|m| m.to != "buyer@example.com").collect();
    for (store, n) in stores.iter().zip(1..) {
        assert!(
            stores
                .iter()
                .any(|m| m.subject.starts_with(&format!("New order {}-{n}", placed.number))),
            "{}",
            store.subject
        );
        assert!(!store.body.contains("buyer@example.com"), "never the shopper's email");
    }
    assert_eq!(stores.len(), 2);
}

async fn a_cancelled_payment_gives_the_stock_back_and_keeps_the_cart(db: Db) {
    let (a, _) = two_sellers(&db, 5).await;
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 3).await.expect("add");
    let details = draft(&db, cart_id, "DE").await;
    let placed = crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    assert_eq!(available(&db, a).await, 2);
    let event = gateway
        .cancel(&session_of(&placed.redirect_url))
        .await
        .expect("cancel")
        .expect("event");
    assert!(matches!(
        settle_payment::apply_event(&db, &event).await.expect("apply"),
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
        .is_some_and(|e| e.kind != domain::payments::EventKind::Succeeded));
}

async fn a_double_submit_makes_one_order_and_one_payment(db: Db) {
    let (a, _) = two_sellers(&db, 5).await;
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let k = key();
    let visitor = Actor::visitor();
    let seen = crate::harness::fixtures::reviewed(&db, &visitor, cart_id, &details).await;
    let (first, second) = tokio::join!(
        place_order::place_order(&db, &gateway, &visitor, cart_id, &details, &seen, &k),
        place_order::place_order(&db, &gateway, &visitor, cart_id, &details, &seen, &k),
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
            match crate::harness::fixtures::place(&db, &*gateway, &Actor::visitor(), cart_id, &details, &key()).await {
                Ok(placed) => {
                    let event = gateway
                        .pay(&session_of(&placed.redirect_url), TEST_CARD_SUCCESS)
                        .await
                        .expect("pay")
                        .expect("event");
                    settle_payment::apply_event(&db, &event).await.expect("apply");
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
            crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key())
                .await
                .expect("placed")
        }
    };
    // Expires, stock comes back; paid later while the stock is still there: re-held and paid.
    let first = late(2).await;
    assert_eq!(available(&db, a).await, 0);
    let later = domain::platform::clock::now_ms() + orders::HOLD_MS + 1_000;
    assert_eq!(
        domain::workflows::expire_holds::expire_unpaid(&db, later)
            .await
            .expect("expire"),
        1
    );
    assert_eq!(available(&db, a).await, 2);
    let event = gateway
        .pay(&session_of(&first.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    assert!(matches!(
        settle_payment::apply_event(&db, &event).await.expect("apply"),
        Applied::Paid { .. }
    ));
    assert_eq!(available(&db, a).await, 0);

    // Expires, someone else buys the stock, then the late payment arrives: refunded, never oversold.
    set_units(&db, a, 1).await;
    let second = late(1).await;
    domain::workflows::expire_holds::expire_unpaid(&db, later + orders::HOLD_MS)
        .await
        .expect("expire");
    let third = late(1).await;
    let event = gateway
        .pay(&session_of(&third.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    settle_payment::apply_event(&db, &event).await.expect("apply");
    let event = gateway
        .pay(&session_of(&second.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    let applied = settle_payment::apply_event(&db, &event).await.expect("apply");
    assert_eq!(
        applied,
        Applied::MustRefund {
            group_id: second.group_id
        }
    );
    settle_payment::refund_unfulfillable(&db, &gateway, second.group_id)
        .await
        .expect("refund");
    assert_eq!(available(&db, a).await, 0);
    let view = orders::group_view(&db, &second.number, &crate::harness::actors::admin(&db).await, None)
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
    let placed = crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    let event = gateway
        .pay(&session_of(&placed.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    settle_payment::apply_event(&db, &event).await.expect("apply");
    let (viewer, token) = (Actor::visitor(), Some(placed.view_token.clone()));
    let view = orders::group_view(&db, &placed.number, &viewer, token.as_deref())
        .await
        .expect("order");
    let (first, second) = (view.orders[0].clone(), view.orders[1].clone());

    // The second seller ships; the first order is cancelled and refunded.
    let seller: i64 = sqlx::query_scalar("SELECT seller_id FROM orders WHERE number = $1")
        .bind(&second.number)
        .fetch_one(db.pool())
        .await
        .expect("seller");
    let everything = crate::seller_orders::ship_all(&db, &second.number, "dhl", "JD0146").await;
    assert!(
        ship_order::ship(
            &db,
            &crate::harness::actors::seller_of(&db, seller + 1).await,
            &second.number,
            &everything,
        )
        .await
        .is_err(),
        "not their order"
    );
    ship_order::ship(
        &db,
        &crate::harness::actors::seller_of(&db, seller).await,
        &second.number,
        &everything,
    )
    .await
    .expect("shipped");
    let view = orders::group_view(&db, &placed.number, &viewer, token.as_deref())
        .await
        .expect("order");
    assert_eq!(view.status_label, "Partially shipped");
    assert!(
        cancel_order::cancel(&db, &gateway, &viewer, &placed.number, &second.number, token.as_deref())
            .await
            .is_err(),
        "shipped"
    );

    let before = available(&db, a).await + available(&db, b).await;
    cancel_order::cancel(&db, &gateway, &viewer, &placed.number, &first.number, token.as_deref())
        .await
        .expect("cancel");
    assert!(
        cancel_order::cancel(&db, &gateway, &viewer, &placed.number, &first.number, token.as_deref())
            .await
            .is_err(),
        "only once"
    );
    let view = orders::group_view(&db, &placed.number, &viewer, token.as_deref())
        .await
        .expect("order");
    let cancelled = view.orders.iter().find(|o| o.number == first.number).expect("order");
    assert_eq!(cancelled.status, "cancelled");
    assert_eq!(cancelled.refunded.amount, cancelled.total.amount);
    let shipped = view.orders.iter().find(|o| o.number == second.number).expect("order");
    assert_eq!(shipped.shipments[0].tracking_number, "JD0146");
    let restocked = available(&db, a).await + available(&db, b).await;
    assert_eq!(restocked, before + first.lines.iter().map(|l| l.quantity).sum::<i64>());
    let session_refunded: i64 = sqlx::query_scalar("SELECT refunded FROM test_gateway_sessions WHERE id = $1")
        .bind(session_of(&placed.redirect_url))
        .fetch_one(db.pool())
        .await
        .expect("refunded");
    assert_eq!(session_refunded, cancelled.total.amount);
}

/// A guest's cart holding `units` of `variant`, its checkout details, and the order placed from it.
async fn guest_checkout(
    db: &Db,
    gateway: &TestGateway,
    variant: i64,
    units: i64,
) -> (i64, CheckoutDraft, place_order::Placed) {
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    cart::add(db, cart_id, variant, units).await.expect("add");
    let details = draft(db, cart_id, "US").await;
    let placed = crate::harness::fixtures::place(db, gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    (cart_id, details, placed)
}

/// A paid two-seller order placed by a guest: (placed, first seller order number, second seller order number).
async fn paid_two_seller_order(db: &Db, gateway: &TestGateway) -> (place_order::Placed, String, String) {
    let (a, b) = two_sellers(db, 4).await;
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    cart::add(db, cart_id, a, 1).await.expect("add");
    cart::add(db, cart_id, b, 2).await.expect("add");
    let details = draft(db, cart_id, "GB").await;
    let placed = crate::harness::fixtures::placed_and_paid(db, gateway, cart_id, &details).await;
    let view = orders::group_view(db, &placed.number, &Actor::visitor(), Some(&placed.view_token))
        .await
        .expect("order");
    let (first, second) = (view.orders[0].number.clone(), view.orders[1].number.clone());
    (placed, first, second)
}

async fn ten_concurrent_cancels_of_one_order_refund_and_record_it_once(db: Db) {
    let gateway = Arc::new(TestGateway::new(db.clone()));
    let (placed, first, second) = paid_two_seller_order(&db, &gateway).await;
    let order_total: i64 = sqlx::query_scalar("SELECT total FROM orders WHERE number = $1")
        .bind(&first)
        .fetch_one(db.pool())
        .await
        .expect("total");
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (db, gateway, number, order, token) = (
            db.clone(),
            gateway.clone(),
            placed.number.clone(),
            first.clone(),
            placed.view_token.clone(),
        );
        tasks.push(tokio::spawn(async move {
            cancel_order::cancel(&db, &*gateway, &Actor::visitor(), &number, &order, Some(&token)).await
        }));
    }
    let mut done = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(()) => done += 1,
            // A request that starts after the first committed finds the order cancelled already.
            Err(orders::OrderError::NotAllowed(message)) => assert!(message.contains("cancelled"), "{message}"),
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert!(done >= 1);
    let session = session_of(&placed.redirect_url);
    assert_eq!(
        count(
            &db,
            &format!("SELECT COUNT(*) FROM test_gateway_refunds WHERE session_id = '{session}'")
        )
        .await,
        1,
        "one refund at the gateway"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM refunds").await,
        1,
        "one refund recorded"
    );
    let (refunded, status): (i64, String) = sqlx::query_as("SELECT refunded, status FROM payments WHERE group_id = $1")
        .bind(placed.group_id)
        .fetch_one(db.pool())
        .await
        .expect("payment");
    assert_eq!((refunded, status.as_str()), (order_total, "partially_refunded"));

    // The other seller's order can still be cancelled, and the amounts add up to the whole payment.
    cancel_order::cancel(
        &db,
        &*gateway,
        &Actor::visitor(),
        &placed.number,
        &second,
        Some(&placed.view_token),
    )
    .await
    .expect("the other order cancels");
    let (refunded, amount, status): (i64, i64, String) =
        sqlx::query_as("SELECT refunded, amount, status FROM payments WHERE group_id = $1")
            .bind(placed.group_id)
            .fetch_one(db.pool())
            .await
            .expect("payment");
    assert_eq!((refunded, status.as_str()), (amount, "refunded"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM refunds").await, 2);
}

/// `admin` cancels every unit of store order `number` from the admin's refund page, their password given just now.
async fn admin_cancels_all(db: &Db, gateway: &TestGateway, admin: &Actor, number: &str) {
    use domain::accounts::{step_up, ThrottlePolicy};
    use domain::orders::refunds::{RefundForm, RefundKind};
    use domain::workflows::refund_order::{by_admin, AdminStepUp};
    let lines: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT l.variant_id, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.number = $1",
    )
    .bind(number)
    .fetch_all(db.pool())
    .await
    .expect("lines");
    let now = domain::platform::clock::now_ms();
    let confirmed = step_up::confirm(db, &ThrottlePolicy::default(), admin, Some(now), "")
        .await
        .expect("recent");
    let step_up = AdminStepUp {
        confirmed: Some(confirmed),
        above: 0,
    };
    let form = RefundForm {
        key: key(),
        lines: lines.into_iter().map(|(v, n)| (v, n.to_string())).collect(),
        reason: "other".into(),
        ..RefundForm::default()
    };
    by_admin(db, gateway, admin, &step_up, number, RefundKind::Cancel, &form)
        .await
        .expect("an admin cancels");
}

async fn the_timeline_names_who_cancelled(db: Db) {
    let gateway = TestGateway::new(db.clone());
    let (placed, first, second) = paid_two_seller_order(&db, &gateway).await;
    let admin = crate::harness::actors::admin(&db).await;
    assert!(
        matches!(
            cancel_order::cancel(&db, &gateway, &admin, &placed.number, &first, None).await,
            Err(orders::OrderError::NotAllowed(_))
        ),
        "an admin cancels from the admin's page, with its step-up"
    );
    admin_cancels_all(&db, &gateway, &admin, &first).await;
    let store: i64 = sqlx::query_scalar("SELECT seller_id FROM orders WHERE number = $1")
        .bind(&second)
        .fetch_one(db.pool())
        .await
        .expect("store");
    let other_store = crate::harness::actors::seller_of(&db, store + 1).await;
    assert!(
        matches!(
            cancel_order::cancel(&db, &gateway, &other_store, &placed.number, &second, None).await,
            Err(orders::OrderError::NotFound)
        ),
        "another store's seller is not told the order exists"
    );
    let seller = crate::harness::actors::seller_of(&db, store).await;
    cancel_order::cancel(&db, &gateway, &seller, &placed.number, &second, None)
        .await
        .expect("its seller cancels");
    let view = orders::group_view(&db, &placed.number, &Actor::visitor(), Some(&placed.view_token))
        .await
        .expect("order");
    let note = |number: &str| {
        view.orders
            .iter()
            .find(|o| o.number == number)
            .and_then(|o| o.timeline.last())
            .map(|t| t.note.clone())
            .unwrap_or_default()
    };
    assert!(
        note(&first).starts_with("Cancelled by an administrator: 1 × "),
        "{}",
        note(&first)
    );
    assert!(
        note(&second).starts_with("Cancelled by the seller: 2 × "),
        "{}",
        note(&second)
    );
    assert!(note(&second).ends_with("back to the shopper's card. Reason: Other."));
    assert_eq!(view.status, "cancelled");
}

async fn a_replayed_checkout_key_never_reveals_another_shoppers_order(db: Db) {
    let gateway = TestGateway::new(db.clone());
    let (a, _) = two_sellers(&db, 4).await;
    let mine = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, mine, a, 1).await.expect("add");
    let details = draft(&db, mine, "US").await;
    let k = key();
    let placed = crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), mine, &details, &k)
        .await
        .expect("placed");
    // Someone else, with their own cart, submits the same key.
    let theirs = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, theirs, a, 1).await.expect("add");
    match crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), theirs, &details, &k).await {
        Err(CheckoutError::CannotPlace(messages)) => {
            let text = messages.join(" ");
            assert!(
                !text.contains(&placed.number) && !text.contains(&placed.view_token),
                "{text}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The one who placed it gets it back.
    let again = crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), mine, &details, &k)
        .await
        .expect("resumed");
    assert_eq!(again.number, placed.number);
}

async fn a_database_failure_is_never_shown_as_a_card_decline(db: Db) {
    let gateway = TestGateway::new(db.clone());
    let (a, _) = two_sellers(&db, 4).await;
    let (_, _, placed) = guest_checkout(&db, &gateway, a, 1).await;
    let session = session_of(&placed.redirect_url);
    db.close().await;
    match gateway.pay(&session, TEST_CARD_SUCCESS).await {
        Err(domain::payments::PayError::Db(_)) => {}
        other => panic!("a database failure must not read as a decline: {other:?}"),
    }
    // The shopper's return from a provider's page: a failure is an error (logged, answered with a reference),
    // not "no such payment".
    assert!(matches!(
        settle_payment::provider_return(&db, &gateway, &session).await,
        Err(settle_payment::SettleError::Db(_))
    ));
}

async fn a_product_taken_off_sale_cannot_be_bought_from_a_cart_that_holds_it(db: Db) {
    let gateway = TestGateway::new(db.clone());
    let (a, _) = two_sellers(&db, 4).await;
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(a)
        .fetch_one(db.pool())
        .await
        .expect("product");
    crate::harness::fixtures::seller_sets_status(&db, product, "draft").await;
    let view = cart::view(&db, cart_id).await.expect("cart");
    let line = &view.groups[0].lines[0];
    assert_eq!(
        line.notice().as_deref(),
        Some("No longer available: remove it to check out.")
    );
    match crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key()).await {
        Err(CheckoutError::CannotPlace(problems)) => {
            assert!(
                problems.iter().any(|p| p.contains("no longer available")),
                "{problems:?}"
            )
        }
        other => panic!("a draft product must not be bought: {other:?}"),
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_groups").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM reservations").await, 0);
}

async fn a_declined_card_never_locks_the_shopper_out_of_the_last_units(db: Db) {
    let gateway = TestGateway::new(db.clone());
    let (a, _) = two_sellers(&db, 2).await;
    let (cart_id, details, first) = guest_checkout(&db, &gateway, a, 2).await;
    assert!(gateway
        .pay(&session_of(&first.redirect_url), TEST_CARD_DECLINED)
        .await
        .is_err());
    assert_eq!(available(&db, a).await, 0, "held by the unpaid order");
    // Back in the cart: the shopper's own hold does not make the line sold out.
    let view = cart::view(&db, cart_id).await.expect("cart");
    let line = &view.groups[0].lines[0];
    assert_eq!((line.available, line.notice()), (2, None));
    // Checking out again works, and the first order's hold is given back.
    let second = crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed again");
    assert_ne!(second.number, first.number);
    let status: String = sqlx::query_scalar("SELECT status FROM order_groups WHERE id = $1")
        .bind(first.group_id)
        .fetch_one(db.pool())
        .await
        .expect("status");
    assert_eq!(status, "expired");
    assert_eq!(available(&db, a).await, 0, "held once, by the new order");
    assert_eq!(
        count(
            &db,
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM reservations WHERE state = 'held'"
        )
        .await,
        2
    );
    let event = gateway
        .pay(&session_of(&second.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    assert!(matches!(
        settle_payment::apply_event(&db, &event).await.expect("apply"),
        Applied::Paid { .. }
    ));
}

async fn an_accounts_history_lists_every_paid_order_with_its_seller_orders(db: Db) {
    let gateway = TestGateway::new(db.clone());
    let (a, b) = two_sellers(&db, 20).await;
    let (user_id, shopper) = crate::harness::actors::shopper(&db).await;
    let mut numbers = Vec::new();
    for round in 0..3 {
        let cart_id = cart::user_cart(&db, user_id).await.expect("cart");
        cart::add(&db, cart_id, a, 1).await.expect("add");
        if round != 1 {
            cart::add(&db, cart_id, b, 2).await.expect("add");
        }
        let details = draft(&db, cart_id, "US").await;
        let placed = crate::harness::fixtures::place(&db, &gateway, &shopper, cart_id, &details, &key())
            .await
            .expect("placed");
        let event = gateway
            .pay(&session_of(&placed.redirect_url), TEST_CARD_SUCCESS)
            .await
            .expect("pay")
            .expect("event");
        settle_payment::apply_event(&db, &event).await.expect("apply");
        numbers.push(placed.number);
    }
    let history = orders::history(&db, &shopper).await.expect("history");
    let listed: Vec<(String, i64, i64)> = history
        .iter()
        .map(|o| (o.number.clone(), o.seller_orders, o.items))
        .collect();
    let mut expected: Vec<(String, i64, i64)> = vec![
        (numbers[0].clone(), 2, 3),
        (numbers[1].clone(), 1, 1),
        (numbers[2].clone(), 2, 3),
    ];
    expected.reverse(); // newest first
    assert_eq!(listed, expected);
    assert!(history.iter().all(|o| o.status_label == "Paid"));
    // Another account, and a visitor, have none of them.
    assert!(orders::history(&db, &crate::harness::actors::shopper(&db).await.1)
        .await
        .expect("history")
        .is_empty());
    assert!(orders::history(&db, &Actor::visitor())
        .await
        .expect("history")
        .is_empty());
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
    match crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key()).await {
        Err(CheckoutError::Invalid(fields)) => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            for field in ["email", "name", "postal", "country"] {
                assert!(names.contains(&field), "{field} in {names:?}");
            }
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    assert!(matches!(
        crate::harness::fixtures::place(
            &db,
            &gateway,
            &Actor::visitor(),
            cart_id,
            &draft(&db, cart_id, "US").await,
            "short"
        )
        .await,
        Err(CheckoutError::CannotPlace(_))
    ));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_groups").await, 0);
    assert_eq!(available(&db, a).await, 4);
}

/// Issue 19, defect 0: the review showed one total, the seller then raised the price, and "Place order" with the
/// review's figures must not charge the new one.
async fn a_price_changed_after_the_review_is_named_and_nothing_is_charged(db: Db) {
    let (a, _) = two_sellers(&db, 8).await;
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let seen = crate::harness::fixtures::reviewed(&db, &Actor::visitor(), cart_id, &details).await;
    // The seller saves a new price in the editor, as sellers do.
    let (product, store, title): (i64, i64, String) = sqlx::query_as(
        "SELECT p.id, p.seller_id, p.title FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1",
    )
    .bind(a)
    .fetch_one(db.pool())
    .await
    .expect("product");
    let seller = crate::harness::actors::seller_of(&db, store).await;
    let mut form = domain::catalog::editor::editor(&db, &seller, Some(product), None)
        .await
        .expect("editor")
        .form;
    let at = form
        .variants
        .iter()
        .position(|v| v.id == a.to_string())
        .expect("the variant");
    let old_price = form.variants[at].price.clone();
    form.variants[at].price = "900.00".into();
    domain::workflows::save_product::save_product(&db, &seller, &form)
        .await
        .expect("the seller's save");
    match place_order::place_order(&db, &gateway, &Actor::visitor(), cart_id, &details, &seen, &key()).await {
        Err(CheckoutError::CannotPlace(changes)) => {
            let said = changes.join(" ");
            assert!(said.contains(&format!("The price of {title}")), "{said}");
            assert!(
                said.contains(&format!("changed from ${old_price} to $900.00")),
                "{said}"
            );
            assert!(said.contains("The total changed from"), "{said}");
        }
        other => panic!("an order at a price the shopper never saw: {other:?}"),
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM order_groups").await,
        0,
        "nothing placed"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payments").await, 0, "nothing charged");
    assert_eq!(available(&db, a).await, 8, "nothing held");
    // Reviewed again, the new price is what the shopper saw: now it is placed.
    let again = crate::harness::fixtures::reviewed(&db, &Actor::visitor(), cart_id, &details).await;
    place_order::place_order(&db, &gateway, &Actor::visitor(), cart_id, &details, &again, &key())
        .await
        .expect("placed at the reviewed price");
}

db_tests!(
    a_price_changed_after_the_review_is_named_and_nothing_is_charged,
    paid_checkout_empties_the_cart_commits_stock_and_sends_one_confirmation,
    a_cancelled_payment_gives_the_stock_back_and_keeps_the_cart,
    a_double_submit_makes_one_order_and_one_payment,
    two_hundred_checkouts_for_the_last_ten_units_make_exactly_ten_orders,
    an_expired_hold_frees_the_stock_and_a_late_payment_is_rechecked_or_refunded,
    a_paid_order_can_be_cancelled_until_it_ships,
    ten_concurrent_cancels_of_one_order_refund_and_record_it_once,
    the_timeline_names_who_cancelled,
    a_replayed_checkout_key_never_reveals_another_shoppers_order,
    a_database_failure_is_never_shown_as_a_card_decline,
    a_product_taken_off_sale_cannot_be_bought_from_a_cart_that_holds_it,
    a_declined_card_never_locks_the_shopper_out_of_the_last_units,
    an_accounts_history_lists_every_paid_order_with_its_seller_orders,
    bad_checkout_details_are_reported_per_field,
);
