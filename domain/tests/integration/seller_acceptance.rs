//! Issue 20: a store that accepts its orders — a paid order waits for "Accept"; one not accepted within 72 hours
//! is cancelled whole and refunded by the shop's worker with an email to the shopper; accepting and that
//! cancelling race for the order and exactly one wins.

use std::sync::Arc;

use domain::orders::lifecycle::ACCEPT_WITHIN_MS;
use domain::orders::{portal, OrderError};
use domain::payments::TestGateway;
use domain::platform::clock::now_ms;
use domain::workflows::accept_order::{self, Accepted};
use domain::workflows::{refund_order, ship_order};
use domain::Db;
use model::seller_orders::OrderTab;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{available, count};
use crate::harness::gateways::Switched;
use crate::seller_orders::{another_store, filter, mails_to, paid_order, ship_all, store_with_two_variants};

/// After the time to accept ran out.
fn too_late() -> i64 {
    now_ms() + ACCEPT_WITHIN_MS + 60_000
}

async fn status_of(db: &Db, number: &str) -> String {
    sqlx::query_scalar("SELECT status FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(db.pool())
        .await
        .expect("status")
}

async fn orders_wait_for_acceptance_and_those_left_waiting_are_cancelled_and_refunded(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 10).await;
    let seller = actors::seller_of(&db, store).await;
    domain::sellers::settings::set_accept_orders(&db, &seller, true)
        .await
        .expect("setting");
    let (_, accepted) = paid_order(&db, &[(kettle, 1)], "Quick Quinn").await;
    let (_, ignored) = paid_order(&db, &[(mug, 2)], "Waiting Wanda").await;
    let (_, shipped) = paid_order(&db, &[(mug, 1)], "Shipped Sam").await;
    let waiting = portal::page(&db, &seller, &filter(OrderTab::ToAccept, ""), "")
        .await
        .expect("to accept");
    assert_eq!(waiting.rows.len(), 3);
    assert!(waiting.rows.iter().all(|r| r.awaiting_acceptance));
    assert!(portal::detail(&db, &seller, &accepted)
        .await
        .expect("detail")
        .accept_by
        .is_some());

    assert_eq!(
        accept_order::accept(&db, &seller, &accepted).await.expect("accept"),
        Accepted::Now
    );
    assert_eq!(
        accept_order::accept(&db, &seller, &accepted).await.expect("again"),
        Accepted::Already
    );
    let detail = portal::detail(&db, &seller, &accepted).await.expect("detail");
    assert!(detail.accept_by.is_none());
    assert!(detail.timeline.iter().any(|e| e.label == "Accepted"));
    // Shipping part of an order accepts it too.
    ship_order::ship(&db, &seller, &shipped, &ship_all(&db, &shipped, "ups", "1Z9").await)
        .await
        .expect("ship");

    let mug_before = available(&db, mug).await;
    let gateway = TestGateway::new(db.clone());
    assert_eq!(
        accept_order::cancel_unaccepted(&db, &gateway, now_ms())
            .await
            .expect("not yet"),
        0
    );
    assert_eq!(
        accept_order::cancel_unaccepted(&db, &gateway, too_late())
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(status_of(&db, &ignored).await, "cancelled");
    assert_eq!(status_of(&db, &accepted).await, "paid");
    // The audit log says the shop cancelled it (no one asked).
    let logged: Vec<(String, String)> =
        sqlx::query_as("SELECT actor_role, actor_name FROM audit_log WHERE subject_kind = 'order' AND subject_id = $1")
            .bind(&ignored)
            .fetch_all(db.pool())
            .await
            .expect("audit");
    assert_eq!(logged, [("shop".to_string(), "the shop".to_string())]);
    assert_eq!(status_of(&db, &shipped).await, "shipped");
    assert_eq!(available(&db, mug).await, mug_before + 2, "its units are back on sale");
    let refunded = count(
        &db,
        &format!("SELECT refunded - total FROM orders WHERE number = '{ignored}'"),
    )
    .await;
    assert_eq!(refunded, 0, "refunded in full");
    let mail = mails_to(&db, &format!("Your Bazaar order {ignored} is cancelled")).await;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].1.contains("did not accept the order within 72 hours"),
        "{}",
        mail[0].1
    );
    // A second sweep finds nothing; accepting the cancelled order says why not.
    assert_eq!(
        accept_order::cancel_unaccepted(&db, &gateway, too_late())
            .await
            .expect("again"),
        0
    );
    match accept_order::accept(&db, &seller, &ignored).await {
        Err(OrderError::NotAllowed(m)) => assert!(m.contains("cancelled"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Another store's seller and a shopper: not found.
    let other = actors::seller_of(&db, another_store(&db, store).await).await;
    let (_, shopper) = actors::shopper(&db).await;
    for stranger in [other, shopper] {
        assert!(matches!(
            accept_order::accept(&db, &stranger, &accepted).await,
            Err(OrderError::NotFound)
        ));
    }
}

async fn accepting_and_the_sweep_race_and_one_wins(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 20).await;
    let seller = actors::seller_of(&db, store).await;
    domain::sellers::settings::set_accept_orders(&db, &seller, true)
        .await
        .expect("setting");
    let db = Arc::new(db);
    for round in 0..4 {
        let (_, number) = paid_order(&db, &[(kettle, 1)], &format!("Racer {round}")).await;
        let accepting = {
            let (db, number) = (db.clone(), number.clone());
            tokio::spawn(async move { accept_order::accept(&db, &seller, &number).await })
        };
        let sweeping = {
            let db = db.clone();
            tokio::spawn(async move {
                accept_order::cancel_unaccepted(&db, &TestGateway::new((*db).clone()), too_late()).await
            })
        };
        let accepted = accepting.await.expect("task");
        let cancelled = sweeping.await.expect("task").expect("sweep");
        let status = status_of(&db, &number).await;
        match (accepted, cancelled) {
            (Ok(Accepted::Now), 0) => assert_eq!(status, "paid", "round {round}"),
            (Err(OrderError::NotAllowed(_)), 1) => assert_eq!(status, "cancelled", "round {round}"),
            other => panic!("round {round}: {other:?} with status {status}"),
        }
    }
}

async fn turning_acceptance_off_accepts_the_waiting_orders(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 5).await;
    let seller = actors::seller_of(&db, store).await;
    domain::sellers::settings::set_accept_orders(&db, &seller, true)
        .await
        .expect("on");
    let (_, number) = paid_order(&db, &[(kettle, 1)], "Patient Paula").await;
    assert!(
        domain::sellers::settings::settings(&db, &seller, None)
            .await
            .expect("settings")
            .accept_orders
    );
    domain::sellers::settings::set_accept_orders(&db, &seller, false)
        .await
        .expect("off");
    assert!(portal::detail(&db, &seller, &number)
        .await
        .expect("detail")
        .accept_by
        .is_none());
    let gateway = TestGateway::new(db.clone());
    assert_eq!(
        accept_order::cancel_unaccepted(&db, &gateway, too_late())
            .await
            .expect("sweep"),
        0
    );
    assert_eq!(status_of(&db, &number).await, "paid");
    // Without the setting a new order never waits.
    let (_, later) = paid_order(&db, &[(kettle, 1)], "Later Larry").await;
    assert!(portal::detail(&db, &seller, &later)
        .await
        .expect("detail")
        .accept_by
        .is_none());
}

async fn a_cancel_the_provider_refuses_leaves_the_order_waiting_and_an_unanswered_one_is_finished_later(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 5).await;
    let seller = actors::seller_of(&db, store).await;
    domain::sellers::settings::set_accept_orders(&db, &seller, true)
        .await
        .expect("on");
    let (_, refused) = paid_order(&db, &[(kettle, 1)], "Refused Rita").await;
    let (_, unanswered) = paid_order(&db, &[(mug, 1)], "Unanswered Uma").await;
    let refusing = Switched::refusing(&db);
    assert_eq!(
        accept_order::cancel_unaccepted(&db, &refusing, too_late())
            .await
            .expect("sweep"),
        0
    );
    // Nothing was cancelled: both still wait, and the store can still accept one.
    for number in [&refused, &unanswered] {
        assert_eq!(status_of(&db, number).await, "paid");
        assert!(portal::detail(&db, &seller, number)
            .await
            .expect("detail")
            .accept_by
            .is_some());
    }
    assert_eq!(
        accept_order::accept(&db, &seller, &refused).await.expect("accept"),
        Accepted::Now
    );
    // The provider cannot be reached: the claim waits, the store is told, and the retry sweep finishes it.
    let down = Switched::down(&db);
    assert_eq!(
        accept_order::cancel_unaccepted(&db, &down, too_late())
            .await
            .expect("sweep"),
        0
    );
    match accept_order::accept(&db, &seller, &unanswered).await {
        Err(OrderError::NotAllowed(m)) => assert!(m.contains("not accepted within 72 hours"), "{m}"),
        other => panic!("{other:?}"),
    }
    let gateway = TestGateway::new(db.clone());
    let finished = refund_order::retry_waiting(&db, &gateway, too_late())
        .await
        .expect("retry");
    assert_eq!(finished, 1);
    assert_eq!(status_of(&db, &unanswered).await, "cancelled");
    assert_eq!(status_of(&db, &refused).await, "paid");
}

db_tests!(
    a_cancel_the_provider_refuses_leaves_the_order_waiting_and_an_unanswered_one_is_finished_later,
    orders_wait_for_acceptance_and_those_left_waiting_are_cancelled_and_refunded,
    accepting_and_the_sweep_race_and_one_wins,
    turning_acceptance_off_accepts_the_waiting_orders,
);
