//! Issue 20: a store gives money back — cancels units before they ship, refunds shipped units, shipping or an
//! amount — through the payment provider, never above what was paid, the parts adding up to the whole to the
//! cent, each form claimed once however often it is sent, and a shipment and a cancel never both taking a unit.

use std::sync::Arc;

use domain::orders::refunds::{RefundForm, RefundKind};
use domain::orders::{portal, OrderError};
use domain::payments::TestGateway;
use domain::workflows::refund_order::{self, Outcome};
use domain::workflows::ship_order::{self, ShipForm};
use domain::{cart, checkout, Actor, Db};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{available, count, draft, key, placed_and_paid};
use crate::harness::gateways::Switched;
use crate::seller_orders::{another_store, mails_to, paid_order, ship_all, store_with_two_variants};

/// An amount as a seller types it ("4.99").
fn typed(amount: i64) -> String {
    format!("{}.{:02}", amount / 100, amount % 100)
}

fn refund_form(lines: &[(i64, i64)], reason: &str) -> RefundForm {
    RefundForm {
        key: key(),
        lines: lines.iter().map(|(v, n)| (*v, n.to_string())).collect(),
        reason: reason.into(),
        ..RefundForm::default()
    }
}

/// Like `paid_order`, with each store's costliest shipping option (shipping to refund): the store order's number.
async fn paid_order_with_shipping(db: &Db, lines: &[(i64, i64)], name: &str) -> String {
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    for &(variant, units) in lines {
        cart::add(db, cart_id, variant, units).await.expect("add");
    }
    let mut details = draft(db, cart_id, "US").await;
    details.name = name.to_string();
    let view = cart::view(db, cart_id).await.expect("cart");
    let quote = checkout::quote(db, &view, &details, None, true).await.expect("quote");
    details.shipping = quote
        .groups
        .iter()
        .filter_map(|g| Some((g.seller_id, g.options.iter().max_by_key(|o| o.cost.amount)?.rate_id)))
        .collect();
    let placed = placed_and_paid(db, &gateway, cart_id, &details).await;
    sqlx::query_scalar("SELECT o.number FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE g.number = $1")
        .bind(&placed.number)
        .fetch_one(db.pool())
        .await
        .expect("order")
}

/// (refunded, total, status) of order `number`.
async fn money_of(db: &Db, number: &str) -> (i64, i64, String) {
    sqlx::query_as("SELECT refunded, total, status FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(db.pool())
        .await
        .expect("order")
}

/// What the test gateway was asked to refund on the payment of order `number`, in all.
async fn gateway_refunded(db: &Db, number: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM test_gateway_refunds r \
         JOIN payments p ON p.provider_ref = r.session_id JOIN orders o ON o.group_id = p.group_id \
         WHERE o.number = $1",
    )
    .bind(number)
    .fetch_one(db.pool())
    .await
    .expect("gateway refunds")
}

async fn movements(db: &Db, variant: i64, reason: &str) -> i64 {
    count(
        db,
        &format!("SELECT COUNT(*) FROM stock_movements WHERE variant_id = {variant} AND reason = '{reason}'"),
    )
    .await
}

async fn a_store_cancels_and_refunds_in_parts_and_the_parts_add_up_to_what_was_paid(db: Db) {
    let (store, [kettle, teapot]) = store_with_two_variants(&db, 10).await;
    let number = paid_order_with_shipping(&db, &[(kettle, 2), (teapot, 1)], "Mary Jackson").await;
    let seller = actors::seller_of(&db, store).await;
    let gateway = TestGateway::new(db.clone());
    let give = |kind, form: RefundForm| {
        let (db, gateway, seller, number) = (db.clone(), gateway.clone(), seller, number.clone());
        async move { refund_order::by_store(&db, &gateway, &seller, &number, kind, &form).await }
    };

    // One kettle cannot be sent: cancelled, back on sale, its share refunded.
    let before = available(&db, kettle).await;
    let outcome = give(RefundKind::Cancel, refund_form(&[(kettle, 1)], "out_of_stock"))
        .await
        .expect("cancel");
    assert!(matches!(outcome, Outcome::Done(_)), "{outcome:?}");
    assert_eq!(available(&db, kettle).await, before + 1);
    assert_eq!(movements(&db, kettle, "restocked").await, 1);
    let (refunded, total, status) = money_of(&db, &number).await;
    assert!(refunded > 0 && refunded < total, "{refunded} of {total}");
    assert_eq!(status, "paid", "the rest still ships");
    let mail = mails_to(&db, &format!("A refund for your Bazaar order {number}")).await;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].1.contains("cancelled part of your order") && mail[0].1.contains("Out of stock"),
        "{}",
        mail[0].1
    );

    // The rest ships: nothing is left to ship, so the order is shipped.
    let rest = ship_all(&db, &number, "ups", "1Z999").await;
    ship_order::ship(&db, &seller, &number, &rest).await.expect("ship");
    let detail = portal::detail(&db, &seller, &number).await.expect("detail");
    assert_eq!(detail.status_label, "Shipped");
    assert!(detail.timeline.iter().any(|e| e.label == "Items cancelled"));

    // The teapot arrived broken and came back: refunded and restocked as returned.
    let mut broken = refund_form(&[(teapot, 1)], "damaged");
    broken.restock = true;
    give(RefundKind::Refund, broken).await.expect("refund");
    assert_eq!(movements(&db, teapot, "returned").await, 1);
    // The shipping, then the last kettle: everything is refunded, to the cent.
    assert!(detail.shipping_refundable.amount > 0, "the order paid for shipping");
    let mut shipping = refund_form(&[], "arrived_late");
    shipping.shipping = typed(detail.shipping_refundable.amount);
    give(RefundKind::Refund, shipping).await.expect("shipping");
    give(RefundKind::Refund, refund_form(&[(kettle, 1)], "not_as_described"))
        .await
        .expect("last unit");
    let (refunded, total, status) = money_of(&db, &number).await;
    assert_eq!((refunded, status.as_str()), (total, "refunded"));
    assert_eq!(
        gateway_refunded(&db, &number).await,
        total,
        "the gateway was asked for exactly what was paid"
    );
    let (payment_refunded, payment_status): (i64, String) = sqlx::query_as(
        "SELECT p.refunded, p.status FROM payments p JOIN orders o ON o.group_id = p.group_id WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_one(db.pool())
    .await
    .expect("payment");
    assert_eq!((payment_refunded, payment_status.as_str()), (total, "refunded"));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM order_refunds WHERE state = 'succeeded'").await,
        4
    );

    // Nothing is left to give back.
    let mut more = refund_form(&[], "goodwill");
    more.amount = "1.00".into();
    assert!(matches!(
        give(RefundKind::Refund, more).await,
        Err(OrderError::NotAllowed(_))
    ));
}

async fn ten_identical_refunds_make_one_and_ten_tabs_refund_a_unit_once(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, number) = paid_order(&db, &[(kettle, 2)], "Annie Easley").await;
    let seller = actors::seller_of(&db, store).await;
    let everything = ship_all(&db, &number, "dhl", "JD1").await;
    ship_order::ship(&db, &seller, &number, &everything)
        .await
        .expect("ship");
    let db = Arc::new(db);
    let race = |forms: Vec<RefundForm>| {
        let tasks: Vec<_> = forms
            .into_iter()
            .map(|form| {
                let (db, number) = (db.clone(), number.clone());
                tokio::spawn(async move {
                    let gateway = TestGateway::new((*db).clone());
                    refund_order::by_store(&db, &gateway, &seller, &number, RefundKind::Refund, &form).await
                })
            })
            .collect();
        async move {
            let mut outcomes = Vec::new();
            for task in tasks {
                outcomes.push(task.await.expect("task"));
            }
            outcomes
        }
    };
    // One form sent ten times at once (a double click, retries): one refund.
    let same = refund_form(&[(kettle, 1)], "damaged");
    let outcomes = race(vec![same; 10]).await;
    let made = outcomes.iter().filter(|o| matches!(o, Ok(Outcome::Done(_)))).count();
    let again = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Outcome::AlreadyRecorded)))
        .count();
    assert_eq!((made, again), (1, 9), "{outcomes:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM test_gateway_refunds").await, 1);
    // Ten tabs, each its own form, each refunding the last shipped unit not refunded: one claim takes it (the
    // others find it waiting for the provider and finish it, or find the unit refunded).
    let outcomes = race((0..10).map(|_| refund_form(&[(kettle, 1)], "damaged")).collect()).await;
    let made = outcomes.iter().filter(|o| matches!(o, Ok(Outcome::Done(_)))).count();
    assert!(made <= 1, "{outcomes:?}");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM order_refunds WHERE state = 'succeeded'").await,
        2
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM order_refunds WHERE state = 'pending'").await,
        0
    );
    let (refunded, total, status) = money_of(&db, &number).await;
    assert_eq!(gateway_refunded(&db, &number).await, refunded);
    assert_eq!(
        (refunded, status.as_str()),
        (total - shipping_of(&db, &number).await, "shipped")
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM test_gateway_refunds").await, 2);
}

async fn shipping_of(db: &Db, number: &str) -> i64 {
    sqlx::query_scalar("SELECT shipping_amount FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(db.pool())
        .await
        .expect("shipping")
}

async fn a_shipment_and_a_cancel_racing_for_the_last_unit_one_wins(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let seller = actors::seller_of(&db, store).await;
    let db = Arc::new(db);
    for round in 0..4 {
        let (_, number) = paid_order(&db, &[(kettle, 1)], &format!("Racer {round}")).await;
        let ship = {
            let (db, number) = (db.clone(), number.clone());
            let form = ShipForm {
                key: key(),
                carrier: "ups".into(),
                tracking_number: format!("R{round}"),
                lines: vec![(kettle, "1".into())],
            };
            tokio::spawn(async move { ship_order::ship(&db, &seller, &number, &form).await.is_ok() })
        };
        let cancel = {
            let (db, number) = (db.clone(), number.clone());
            tokio::spawn(async move {
                let gateway = TestGateway::new((*db).clone());
                let form = refund_form(&[(kettle, 1)], "out_of_stock");
                refund_order::by_store(&db, &gateway, &seller, &number, RefundKind::Cancel, &form)
                    .await
                    .is_ok()
            })
        };
        let (shipped, cancelled) = (ship.await.expect("ship"), cancel.await.expect("cancel"));
        assert!(
            shipped != cancelled,
            "round {round}: exactly one wins ({shipped}, {cancelled})"
        );
        let (line_shipped, line_cancelled): (i64, i64) = sqlx::query_as(
            "SELECT l.shipped, l.cancelled FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.number = $1",
        )
        .bind(&number)
        .fetch_one(db.pool())
        .await
        .expect("line");
        assert_eq!(line_shipped + line_cancelled, 1);
        let (refunded, total, status) = money_of(&db, &number).await;
        if cancelled {
            assert_eq!((refunded, status.as_str()), (total, "cancelled"));
        } else {
            assert_eq!((refunded, status.as_str()), (0, "shipped"));
        }
        assert_eq!(gateway_refunded(&db, &number).await, refunded);
    }
}

async fn refunds_are_capped_refused_ones_change_nothing_and_other_stores_see_nothing(db: Db) {
    let (store, [kettle, teapot]) = store_with_two_variants(&db, 10).await;
    let (_, number) = paid_order(&db, &[(kettle, 1), (teapot, 1)], "Christine Darden").await;
    let seller = actors::seller_of(&db, store).await;
    let gateway = TestGateway::new(db.clone());
    let refund = |actor: Actor, kind, form: RefundForm| {
        let (db, gateway, number) = (db.clone(), gateway.clone(), number.clone());
        async move { refund_order::by_store(&db, &gateway, &actor, &number, kind, &form).await }
    };
    let untouched = || async { money_of(&db, &number).await.0 == 0 };
    // Nothing shipped yet: there is no shipped unit to refund.
    let err = refund(seller, RefundKind::Refund, refund_form(&[(kettle, 1)], "damaged")).await;
    assert!(
        matches!(err, Err(OrderError::NotAllowed(ref m)) if m.contains("shipped and not refunded")),
        "{err:?}"
    );
    // More than was paid, more shipping than was charged, bad money, a reason not on the list.
    let mut too_much = refund_form(&[], "goodwill");
    too_much.amount = "999999.00".into();
    assert!(
        matches!(refund(seller, RefundKind::Refund, too_much).await, Err(OrderError::Invalid(e)) if e[0].field == "amount")
    );
    let mut shipping = refund_form(&[], "goodwill");
    shipping.shipping = "999.00".into();
    assert!(
        matches!(refund(seller, RefundKind::Refund, shipping).await, Err(OrderError::Invalid(e)) if e[0].field == "shipping")
    );
    for (amount, reason, field) in [
        ("12,345.6", "goodwill", "amount"),
        ("-1", "goodwill", "amount"),
        ("1", "bribe", "reason"),
    ] {
        let mut bad = refund_form(&[], reason);
        bad.amount = amount.into();
        match refund(seller, RefundKind::Refund, bad).await {
            Err(OrderError::Invalid(e)) => assert!(e.iter().any(|e| e.field == field), "{amount} {reason}: {e:?}"),
            other => panic!("{amount} {reason}: {other:?}"),
        }
    }
    let mut nul = refund_form(&[(kettle, 1)], "out_of_stock");
    nul.key = "k\u{0}".into();
    assert!(matches!(
        refund(seller, RefundKind::Cancel, nul).await,
        Err(OrderError::Invalid(_))
    ));
    // Another store's seller and a shopper are told nothing exists.
    let other = actors::seller_of(&db, another_store(&db, store).await).await;
    let (_, shopper) = actors::shopper(&db).await;
    for actor in [other, shopper, Actor::visitor()] {
        let outcome = refund(actor, RefundKind::Cancel, refund_form(&[(kettle, 1)], "out_of_stock")).await;
        assert!(matches!(outcome, Err(OrderError::NotFound)), "{outcome:?}");
    }
    assert!(untouched().await);

    // The provider refuses: the claim is undone, the timeline says so, and the same form can be sent again.
    sqlx::query("UPDATE test_gateway_sessions SET refunded = amount")
        .execute(db.pool())
        .await
        .expect("exhaust");
    let form = refund_form(&[(kettle, 1)], "out_of_stock");
    let before = available(&db, kettle).await;
    let refused = refund(seller, RefundKind::Cancel, form.clone()).await;
    assert!(matches!(refused, Err(OrderError::Refund(_))), "{refused:?}");
    assert!(untouched().await);
    assert_eq!(available(&db, kettle).await, before);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_refunds").await, 0);
    assert_eq!(count(&db, "SELECT MAX(cancelled + refunded) FROM order_lines").await, 0);
    let detail = portal::detail(&db, &seller, &number).await.expect("detail");
    assert!(detail.timeline.iter().any(|e| e.label == "Refund failed"));
    sqlx::query("UPDATE test_gateway_sessions SET refunded = 0")
        .execute(db.pool())
        .await
        .expect("reset");
    let done = refund(seller, RefundKind::Cancel, form).await.expect("sent again");
    assert!(matches!(done, Outcome::Done(_)));
    assert_eq!(available(&db, kettle).await, before + 1);
}

async fn a_refund_the_provider_could_not_be_asked_about_waits_and_is_finished_by_the_next(db: Db) {
    let (store, [kettle, teapot]) = store_with_two_variants(&db, 10).await;
    let (_, number) = paid_order(&db, &[(kettle, 1), (teapot, 1)], "Timeout Tess").await;
    let seller = actors::seller_of(&db, store).await;
    let gateway = Switched::down(&db);
    let first = refund_form(&[(kettle, 1)], "out_of_stock");
    let lost = refund_order::by_store(&db, &gateway, &seller, &number, RefundKind::Cancel, &first).await;
    assert!(matches!(lost, Err(OrderError::Refund(_))), "{lost:?}");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM order_refunds WHERE state = 'pending'").await,
        1,
        "it waits"
    );
    // While it waits, nothing else of the order moves: no shipment, no other refund.
    let ship = ship_all(&db, &number, "ups", "1Z").await;
    assert!(matches!(
        ship_order::ship(&db, &seller, &number, &ship).await,
        Err(OrderError::NotAllowed(_))
    ));
    let still_down = refund_order::by_store(
        &db,
        &gateway,
        &seller,
        &number,
        RefundKind::Cancel,
        &refund_form(&[(teapot, 1)], "out_of_stock"),
    )
    .await;
    assert!(matches!(still_down, Err(OrderError::Refund(_))), "{still_down:?}");
    // The provider answers again: the next form finishes the waiting one first and changes nothing itself.
    gateway.set_down(false);
    let next = refund_order::by_store(
        &db,
        &gateway,
        &seller,
        &number,
        RefundKind::Cancel,
        &refund_form(&[(teapot, 1)], "out_of_stock"),
    )
    .await;
    assert!(matches!(next, Ok(Outcome::EarlierFinished)), "{next:?}");
    let (refunded, _, status) = money_of(&db, &number).await;
    assert_eq!(status, "paid", "the teapot still ships");
    assert_eq!(gateway_refunded(&db, &number).await, refunded);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM test_gateway_refunds").await, 1);
    // The first form sent again: made already.
    let again = refund_order::by_store(&db, &gateway, &seller, &number, RefundKind::Cancel, &first).await;
    assert!(matches!(again, Ok(Outcome::AlreadyRecorded)), "{again:?}");
    ship_order::ship(&db, &seller, &number, &ship_all(&db, &number, "ups", "1Z2").await)
        .await
        .expect("ships now");
}

async fn the_shop_retries_a_refund_nobody_touches_again(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, number) = paid_order(&db, &[(kettle, 2)], "Patient Pam").await;
    let seller = actors::seller_of(&db, store).await;
    let gateway = Switched::down(&db);
    let form = refund_form(&[(kettle, 1)], "out_of_stock");
    let lost = refund_order::by_store(&db, &gateway, &seller, &number, RefundKind::Cancel, &form).await;
    assert!(matches!(lost, Err(OrderError::Refund(_))), "{lost:?}");
    let now = domain::platform::clock::now_ms();
    // Too recent to retry; then the provider is still down; then it answers.
    assert_eq!(
        refund_order::retry_waiting(&db, &gateway, now - 120_000)
            .await
            .expect("sweep"),
        0
    );
    assert_eq!(
        refund_order::retry_waiting(&db, &gateway, now + 1)
            .await
            .expect("sweep"),
        0
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM order_refunds WHERE state = 'pending'").await,
        1
    );
    gateway.set_down(false);
    assert_eq!(
        refund_order::retry_waiting(&db, &gateway, now + 1)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM order_refunds WHERE state = 'pending'").await,
        0
    );
    let (refunded, _, status) = money_of(&db, &number).await;
    assert!(refunded > 0 && status == "paid", "{refunded} {status}");
    assert_eq!(gateway_refunded(&db, &number).await, refunded);
    let detail = portal::detail(&db, &seller, &number).await.expect("detail");
    assert!(detail
        .timeline
        .iter()
        .any(|e| e.note.starts_with("Cancelled by the shop (a refund retried): 1 ×")));
    ship_order::ship(&db, &seller, &number, &ship_all(&db, &number, "ups", "1Z3").await)
        .await
        .expect("the rest ships");
}

db_tests!(
    the_shop_retries_a_refund_nobody_touches_again,
    a_refund_the_provider_could_not_be_asked_about_waits_and_is_finished_by_the_next,
    a_store_cancels_and_refunds_in_parts_and_the_parts_add_up_to_what_was_paid,
    ten_identical_refunds_make_one_and_ten_tabs_refund_a_unit_once,
    a_shipment_and_a_cancel_racing_for_the_last_unit_one_wins,
    refunds_are_capped_refused_ones_change_nothing_and_other_stores_see_nothing,
);
