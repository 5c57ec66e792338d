//! Issue 20: a shopper sends delivered units back within the store's window — asked, approved or rejected, sent
//! back, received, refunded with the units back in stock — each step once, on both sides' timelines.

use std::sync::Arc;

use domain::orders::returns::ReturnForm;
use domain::orders::{portal, OrderError};
use domain::payments::TestGateway;
use domain::workflows::refund_order::Outcome;
use domain::workflows::return_order::{self, Requested, ShopperOrder};
use domain::workflows::ship_order;
use domain::{Actor, Db};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{available, count, key};
use crate::seller_orders::{another_store, mails_to, paid_order, ship_all, store_with_two_variants};

fn of<'a>(group: &'a str, order: &'a str, token: Option<&'a str>) -> ShopperOrder<'a> {
    ShopperOrder { group, order, token }
}

fn form(lines: &[(i64, i64)], reason: &str, note: &str) -> ReturnForm {
    ReturnForm {
        key: key(),
        lines: lines.iter().map(|(v, n)| (*v, n.to_string())).collect(),
        reason: reason.into(),
        note: note.into(),
        wants: String::new(),
    }
}

/// A delivered order of `units` kettles bought by a guest: (group number, order number, the guest's token).
async fn delivered(db: &Db, store: i64, kettle: i64, units: i64, name: &str) -> (String, String, String) {
    let (group, number) = paid_order(db, &[(kettle, units)], name).await;
    let seller = actors::seller_of(db, store).await;
    let everything = ship_all(db, &number, "ups", "1Z1").await;
    ship_order::ship(db, &seller, &number, &everything).await.expect("ship");
    ship_order::mark_delivered(db, &seller, &number)
        .await
        .expect("delivered");
    let token: String = sqlx::query_scalar("SELECT view_token FROM order_groups WHERE number = $1")
        .bind(&group)
        .fetch_one(db.pool())
        .await
        .expect("token");
    (group, number, token)
}

async fn the_id(db: &Db, number: &str) -> i64 {
    sqlx::query_scalar("SELECT r.id FROM order_returns r JOIN orders o ON o.id = r.order_id WHERE o.number = $1")
        .bind(number)
        .fetch_one(db.pool())
        .await
        .expect("return")
}

async fn a_return_goes_from_request_to_refund_with_the_unit_back_in_stock(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (group, number, token) = delivered(&db, store, kettle, 2, "Ada Returns").await;
    let guest = Actor::visitor();
    let asked = form(&[(kettle, 1)], "damaged", "The lid is cracked.");
    let requested = return_order::request(&db, &guest, of(&group, &number, Some(&token)), &asked)
        .await
        .expect("ask");
    assert!(matches!(requested, Requested::New { .. }));
    let health = "SELECT CAST(SUM(returns) AS BIGINT) FROM seller_daily_sales";
    assert_eq!(count(&db, health).await, 1, "the store's health counts the request");
    let again = return_order::request(&db, &guest, of(&group, &number, Some(&token)), &asked)
        .await
        .expect("again");
    assert_eq!(again, Requested::AlreadyRecorded, "the same form asks once");
    assert_eq!(count(&db, health).await, 1, "asked again: counted once");
    let more = return_order::request(
        &db,
        &guest,
        of(&group, &number, Some(&token)),
        &form(&[(kettle, 2)], "damaged", ""),
    )
    .await;
    assert!(
        matches!(more, Err(OrderError::NotAllowed(ref m)) if m.contains("Only 1 unit")),
        "{more:?}"
    );
    assert_eq!(
        mails_to(&db, &format!("A return for order {number}")).await.len(),
        1,
        "the store is told"
    );

    let id = the_id(&db, &number).await;
    let other = actors::seller_of(&db, another_store(&db, store).await).await;
    assert!(matches!(
        return_order::decide(&db, &other, &number, id, true, "").await,
        Err(OrderError::NotFound)
    ));
    let seller = actors::seller_of(&db, store).await;
    // Received before it is approved: refused.
    assert!(return_order::receive(&db, &seller, &number, id, true).await.is_err());
    return_order::decide(&db, &seller, &number, id, true, "")
        .await
        .expect("approve");
    return_order::sent_back(&db, &guest, of(&group, &number, Some(&token)), id, "ups", "1z 999")
        .await
        .expect("sent");
    let gateway = TestGateway::new(db.clone());
    let early = return_order::refund(&db, &gateway, &seller, &number, id).await;
    assert!(
        matches!(early, Err(OrderError::NotAllowed(_))),
        "not received yet: {early:?}"
    );
    return_order::receive(&db, &seller, &number, id, true)
        .await
        .expect("received");
    let before = available(&db, kettle).await;
    let outcome = return_order::refund(&db, &gateway, &seller, &number, id)
        .await
        .expect("refund");
    assert!(matches!(outcome, Outcome::Done(_)));
    assert_eq!(
        available(&db, kettle).await,
        before + 1,
        "the returned unit is back on sale"
    );
    assert!(matches!(
        return_order::refund(&db, &gateway, &seller, &number, id).await,
        Err(OrderError::NotAllowed(_))
    ));
    let detail = portal::detail(&db, &seller, &number).await.expect("detail");
    assert_eq!(detail.returns[0].state, "refunded");
    assert_eq!(detail.returns[0].tracking_number.as_deref(), Some("1Z 999"));
    assert!(detail.refunded.amount > 0 && detail.refunded.amount < detail.total.amount);
    let labels: Vec<&str> = detail.timeline.iter().map(|e| e.label.as_str()).collect();
    for step in [
        "Return requested",
        "Return approved",
        "Return sent back",
        "Return received",
        "Return refunded",
    ] {
        assert!(labels.contains(&step), "{step} in {labels:?}");
    }
    assert!(
        !format!("{detail:?}").contains("buyer@example.com"),
        "never the shopper's email"
    );
    // The other unit can still go back.
    let screen = domain::orders::returns::screen(&db, &guest, &group, &number, Some(&token))
        .await
        .expect("screen");
    assert!(screen.open);
    assert_eq!(screen.lines[0].returnable, 1);
}

async fn returns_outside_the_window_or_by_strangers_are_refused_and_a_rejection_says_why(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let guest = Actor::visitor();
    // Not delivered yet.
    let (group, number) = paid_order(&db, &[(kettle, 1)], "Early Bird").await;
    let token: String = sqlx::query_scalar("SELECT view_token FROM order_groups WHERE number = $1")
        .bind(&group)
        .fetch_one(db.pool())
        .await
        .expect("token");
    let early = return_order::request(
        &db,
        &guest,
        of(&group, &number, Some(&token)),
        &form(&[(kettle, 1)], "damaged", ""),
    )
    .await;
    assert!(matches!(early, Err(OrderError::NotAllowed(_))), "{early:?}");
    // Another account, and no token: not found.
    let (_, stranger) = actors::shopper(&db).await;
    let (group, number, token) = delivered(&db, store, kettle, 1, "Late Returner").await;
    let strange = return_order::request(
        &db,
        &stranger,
        of(&group, &number, None),
        &form(&[(kettle, 1)], "damaged", ""),
    )
    .await;
    assert!(matches!(strange, Err(OrderError::NotFound)), "{strange:?}");
    // Hostile text and a reason not on the list.
    for (reason, note, field) in [("damaged", "nul\u{0}", "note"), ("because", "", "reason")] {
        match return_order::request(
            &db,
            &guest,
            of(&group, &number, Some(&token)),
            &form(&[(kettle, 1)], reason, note),
        )
        .await
        {
            Err(OrderError::Invalid(errors)) => assert!(errors.iter().any(|e| e.field == field), "{errors:?}"),
            other => panic!("{reason} {note:?}: {other:?}"),
        }
    }
    // A rejection needs a reason, then the unit can be asked for again.
    return_order::request(
        &db,
        &guest,
        of(&group, &number, Some(&token)),
        &form(&[(kettle, 1)], "no_longer_needed", ""),
    )
    .await
    .expect("ask");
    let seller = actors::seller_of(&db, store).await;
    let id = the_id(&db, &number).await;
    assert!(matches!(
        return_order::decide(&db, &seller, &number, id, false, "  ").await,
        Err(OrderError::Invalid(_))
    ));
    return_order::decide(&db, &seller, &number, id, false, "Opened and used.")
        .await
        .expect("reject");
    let mail = mails_to(&db, &format!("A return for order {number}: the store refused it")).await;
    assert!(mail[0].1.contains("Opened and used."));
    // The window closes 30 days (the store's setting) after delivery.
    sqlx::query(
        "UPDATE order_events SET created_at = created_at - $2 WHERE status = 'delivered' \
         AND order_id = (SELECT id FROM orders WHERE number = $1)",
    )
    .bind(&number)
    .bind(31_i64 * 86_400_000)
    .execute(db.pool())
    .await
    .expect("age");
    let late = return_order::request(
        &db,
        &guest,
        of(&group, &number, Some(&token)),
        &form(&[(kettle, 1)], "damaged", ""),
    )
    .await;
    assert!(
        matches!(late, Err(OrderError::NotAllowed(ref m)) if m.contains("window")),
        "{late:?}"
    );
}

async fn ten_requests_for_the_last_unit_ask_for_it_once(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (group, number, token) = delivered(&db, store, kettle, 1, "Many Tabs").await;
    let db = Arc::new(db);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (db, group, number, token) = (db.clone(), group.clone(), number.clone(), token.clone());
            tokio::spawn(async move {
                let asked = form(&[(kettle, 1)], "damaged", "");
                return_order::request(&db, &Actor::visitor(), of(&group, &number, Some(&token)), &asked).await
            })
        })
        .collect();
    let mut asked = 0;
    for task in tasks {
        if matches!(task.await.expect("task"), Ok(Requested::New { .. })) {
            asked += 1;
        }
    }
    assert_eq!(asked, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_returns").await, 1);
}

async fn a_damaged_unit_is_replaced_from_stock_instead_of_refunded(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (group, number, token) = delivered(&db, store, kettle, 1, "Exchange Ed").await;
    let guest = Actor::visitor();
    // A replacement is for damaged or wrong items only.
    let unwanted = ReturnForm {
        wants: "replacement".into(),
        ..form(&[(kettle, 1)], "no_longer_needed", "")
    };
    match return_order::request(&db, &guest, of(&group, &number, Some(&token)), &unwanted).await {
        Err(OrderError::Invalid(errors)) => assert_eq!(errors[0].field, "wants"),
        other => panic!("{other:?}"),
    }
    let damaged = ReturnForm {
        wants: "replacement".into(),
        ..form(&[(kettle, 1)], "damaged", "Dented.")
    };
    return_order::request(&db, &guest, of(&group, &number, Some(&token)), &damaged)
        .await
        .expect("ask");
    let id = the_id(&db, &number).await;
    let seller = actors::seller_of(&db, store).await;
    return_order::decide(&db, &seller, &number, id, true, "")
        .await
        .expect("approve");
    // Not received yet: nothing to replace.
    assert!(matches!(
        return_order::replace(&db, &seller, &number, id, "ups", "1Z2").await,
        Err(OrderError::NotAllowed(_))
    ));
    // The dented unit is not put back on sale.
    return_order::receive(&db, &seller, &number, id, false)
        .await
        .expect("received");

    // Out of stock: refused, and nothing changes.
    crate::harness::fixtures::set_units(&db, kettle, 0).await;
    match return_order::replace(&db, &seller, &number, id, "ups", "1Z2").await {
        Err(OrderError::NotAllowed(m)) => assert!(m.contains("add stock, or refund"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        portal::detail(&db, &seller, &number).await.expect("detail").returns[0].state,
        "received"
    );
    crate::harness::fixtures::set_units(&db, kettle, 3).await;
    // A bad tracking number: refused on its field.
    match return_order::replace(&db, &seller, &number, id, "ups", "<script>").await {
        Err(OrderError::Invalid(errors)) => assert_eq!(errors[0].field, "tracking"),
        other => panic!("{other:?}"),
    }
    // Another store: not found.
    let other = actors::seller_of(&db, another_store(&db, store).await).await;
    assert!(matches!(
        return_order::replace(&db, &other, &number, id, "ups", "1Z2").await,
        Err(OrderError::NotFound)
    ));

    // Five clicks at once: one replacement leaves stock.
    let db = Arc::new(db);
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let (db, number) = (db.clone(), number.clone());
            tokio::spawn(async move { return_order::replace(&db, &seller, &number, id, "ups", "1Z 999 AA1").await })
        })
        .collect();
    let mut sent = 0;
    for task in tasks {
        if task.await.expect("task").is_ok() {
            sent += 1;
        }
    }
    assert_eq!(sent, 1);
    assert_eq!(available(&db, kettle).await, 2, "one unit left for the replacement");
    let detail = portal::detail(&db, &seller, &number).await.expect("detail");
    let ret = &detail.returns[0];
    assert_eq!((ret.state.as_str(), ret.replacement), ("replaced", true));
    assert_eq!(ret.replacement_tracking.as_deref(), Some("UPS 1Z 999 AA1"));
    assert!(ret.replacement_url.as_deref().is_some_and(|u| u.contains("1Z999AA1")));
    assert_eq!(detail.refunded.amount, 0, "no money moved");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM stock_movements WHERE reason = 'replacement'").await,
        1
    );
    let mail = mails_to(&db, "the store sent a replacement").await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    // Closed: a refund of it now is refused.
    let gateway = TestGateway::new((*db).clone());
    assert!(return_order::refund(&db, &gateway, &seller, &number, id).await.is_err());
}

async fn a_received_return_is_refunded_or_replaced_never_both(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let seller = actors::seller_of(&db, store).await;
    let db = Arc::new(db);
    for round in 0..3 {
        let (group, number, token) = delivered(&db, store, kettle, 1, &format!("Both Bea {round}")).await;
        let asked = ReturnForm {
            wants: "replacement".into(),
            ..form(&[(kettle, 1)], "wrong_item", "")
        };
        return_order::request(&db, &Actor::visitor(), of(&group, &number, Some(&token)), &asked)
            .await
            .expect("ask");
        let id = the_id(&db, &number).await;
        return_order::decide(&db, &seller, &number, id, true, "")
            .await
            .expect("approve");
        return_order::receive(&db, &seller, &number, id, false)
            .await
            .expect("received");
        // "Send the replacement" and "Refund instead" clicked at once.
        let replacing = {
            let (db, number) = (db.clone(), number.clone());
            tokio::spawn(async move { return_order::replace(&db, &seller, &number, id, "dhl", "JD1").await })
        };
        let refunding = {
            let (db, number) = (db.clone(), number.clone());
            tokio::spawn(async move {
                return_order::refund(&db, &TestGateway::new((*db).clone()), &seller, &number, id).await
            })
        };
        let (replaced, refunded) = (
            replacing.await.expect("task").is_ok(),
            refunding.await.expect("task").is_ok(),
        );
        assert!(
            replaced != refunded,
            "round {round}: replaced {replaced}, refunded {refunded}"
        );
        let detail = portal::detail(&db, &seller, &number).await.expect("detail");
        let state = if replaced { "replaced" } else { "refunded" };
        assert_eq!(detail.returns[0].state, state, "round {round}");
        assert_eq!(detail.refunded.amount > 0, refunded, "round {round}");
    }
}

db_tests!(
    a_received_return_is_refunded_or_replaced_never_both,
    a_damaged_unit_is_replaced_from_stock_instead_of_refunded,
    a_return_goes_from_request_to_refund_with_the_unit_back_in_stock,
    returns_outside_the_window_or_by_strangers_are_refused_and_a_rejection_says_why,
    ten_requests_for_the_last_unit_ask_for_it_once,
);
