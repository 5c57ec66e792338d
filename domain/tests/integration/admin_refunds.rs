//! Issue 23: an admin refunds or cancels any store's order through the store's own path, a refund above the set
//! amount asks for the admin's password again (refused → nothing changes; the store's and the shopper's forms are
//! refused to admins), and every refund or cancel leaves one audit entry with before → after, named for whoever
//! asked for it even when the shop's retry finished it.

use std::sync::Arc;

use domain::accounts::step_up::{self, Confirmed};
use domain::accounts::ThrottlePolicy;
use domain::orders::refunds::{RefundForm, RefundKind};
use domain::orders::OrderError;
use domain::payments::TestGateway;
use domain::workflows::refund_order::{self, AdminStepUp, Outcome};
use domain::{Actor, Db};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{count, key};
use crate::harness::gateways::Switched;
use crate::seller_orders::{paid_order, store_with_two_variants};

fn cancel_form(variant: i64, units: i64) -> RefundForm {
    RefundForm {
        key: key(),
        lines: vec![(variant, units.to_string())],
        reason: "out_of_stock".into(),
        ..RefundForm::default()
    }
}

/// `admin` cancels on `number` what `form` says, with `step_up`, through the test gateway.
async fn admin_cancels(
    db: &Db,
    admin: &Actor,
    step_up: &AdminStepUp,
    number: &str,
    form: RefundForm,
) -> Result<Outcome, OrderError> {
    let gateway = TestGateway::new(db.clone());
    refund_order::by_admin(db, &gateway, admin, step_up, number, RefundKind::Cancel, &form).await
}

async fn recent(db: &Db, admin: &Actor) -> Confirmed {
    let now = domain::platform::clock::now_ms();
    step_up::confirm(db, &ThrottlePolicy::default(), admin, Some(now), "")
        .await
        .expect("recent confirmation")
}

/// (refunded, status) of store order `number`.
async fn money_of(db: &Db, number: &str) -> (i64, String) {
    sqlx::query_as("SELECT refunded, status FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(db.pool())
        .await
        .expect("order")
}

/// The unit price of `variant` on order `number`.
async fn unit_price(db: &Db, number: &str, variant: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT l.unit_price FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.number = $1 \
         AND l.variant_id = $2",
    )
    .bind(number)
    .bind(variant)
    .fetch_one(db.pool())
    .await
    .expect("line")
}

#[derive(Debug, sqlx::FromRow)]
struct Logged {
    actor_role: String,
    actor_name: String,
    action: String,
    store_id: Option<i64>,
    changes: String,
    reason: String,
}

async fn entries_about(db: &Db, number: &str) -> Vec<Logged> {
    sqlx::query_as(
        "SELECT actor_role, actor_name, action, store_id, changes, reason FROM audit_log \
         WHERE subject_kind = 'order' AND subject_id = $1 ORDER BY at, id",
    )
    .bind(number)
    .fetch_all(db.pool())
    .await
    .expect("audit")
}

fn dollars(minor: i64) -> String {
    format!("${}.{:02}", minor / 100, minor % 100)
}

async fn an_admins_large_refund_asks_for_the_password_and_each_refund_is_audited(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 10).await;
    let (_, number) = paid_order(&db, &[(kettle, 2), (mug, 1)], "Admin Refund Ada").await;
    let (kettle_price, mug_price) = (
        unit_price(&db, &number, kettle).await,
        unit_price(&db, &number, mug).await,
    );
    let admin = actors::admin(&db).await;
    let gateway = TestGateway::new(db.clone());
    // One and a half kettles: one kettle (with its tax) passes without the password, two do not.
    let unconfirmed = AdminStepUp {
        confirmed: None,
        above: kettle_price * 3 / 2,
    };
    let refused = admin_cancels(&db, &admin, &unconfirmed, &number, cancel_form(kettle, 2)).await;
    match refused {
        Err(OrderError::Invalid(errors)) => assert_eq!(errors[0].field, "password", "{errors:?}"),
        other => panic!("a large refund without the password: {other:?}"),
    }
    assert_eq!(money_of(&db, &number).await, (0, "paid".to_string()), "nothing changed");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_refunds").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM test_gateway_refunds").await, 0);
    assert!(entries_about(&db, &number).await.is_empty());

    let small = admin_cancels(&db, &admin, &unconfirmed, &number, cancel_form(kettle, 1))
        .await
        .expect("a small refund needs no password");
    assert!(matches!(small, Outcome::Done(_)), "{small:?}");
    let first = money_of(&db, &number).await.0;
    assert!(first >= kettle_price, "a kettle with its tax: {first}");
    let confirmed = AdminStepUp {
        confirmed: Some(recent(&db, &admin).await),
        above: 0,
    };
    admin_cancels(&db, &admin, &confirmed, &number, cancel_form(kettle, 1))
        .await
        .expect("a confirmed refund of any size");
    let second = money_of(&db, &number).await.0;
    assert!(second - first >= kettle_price, "{first} {second}");

    // Another admin's confirmation covers no one else.
    let other_admin = actors::admin(&db).await;
    let borrowed = AdminStepUp {
        confirmed: Some(recent(&db, &admin).await),
        above: 0,
    };
    let refused = admin_cancels(&db, &other_admin, &borrowed, &number, cancel_form(mug, 1)).await;
    assert!(matches!(refused, Err(OrderError::Invalid(_))), "{refused:?}");

    // The seller cancels the last unit: the order ends cancelled, the entry says so.
    let seller = actors::seller_of(&db, store).await;
    refund_order::by_store(
        &db,
        &gateway,
        &seller,
        &number,
        RefundKind::Cancel,
        &cancel_form(mug, 1),
    )
    .await
    .expect("seller cancels");
    let (third, status) = money_of(&db, &number).await;
    assert!(
        third - second >= mug_price && status == "cancelled",
        "{second} {third} {status}"
    );
    three_cancels_are_logged(&db, &number, store, [first, second, third]).await;
}

/// Three cancels on `number` of `store`: two by an admin, the last by the seller, which ended the order; the
/// order's refunded total after each was `totals`.
async fn three_cancels_are_logged(db: &Db, number: &str, store: i64, totals: [i64; 3]) {
    let [first, second, third] = totals;
    let logged = entries_about(db, number).await;
    let who: Vec<(&str, &str)> = logged
        .iter()
        .map(|e| (e.actor_role.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("admin", "order.cancelled"),
            ("admin", "order.cancelled"),
            ("seller", "order.cancelled")
        ]
    );
    assert!(logged.iter().all(|e| e.store_id == Some(store)));
    assert_eq!(logged[0].actor_name, "Test Admin");
    let refunded = |before: i64, after: i64| {
        format!(
            "{{\"field\":\"refunded\",\"before\":\"{}\",\"after\":\"{}\"}}",
            dollars(before),
            dollars(after)
        )
    };
    assert!(logged[0].changes.contains(&refunded(0, first)), "{}", logged[0].changes);
    assert!(logged[1].changes.contains(&refunded(first, second)));
    let last = &logged[2];
    assert!(last.changes.contains(&refunded(second, third)));
    assert!(
        last.changes
            .contains("\"field\":\"status\",\"before\":\"Paid\",\"after\":\"Cancelled\""),
        "{}",
        last.changes
    );
    assert!(last.reason.starts_with("Out of stock: 1 × "), "{}", last.reason);
}

async fn only_admins_refund_any_store_and_a_double_sent_form_refunds_and_logs_once(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, number) = paid_order(&db, &[(kettle, 2)], "Admin Refund Bo").await;
    let step_up = AdminStepUp {
        confirmed: None,
        above: i64::MAX,
    };
    let (_, shopper) = actors::shopper(&db).await;
    let seller = actors::seller_of(&db, store).await;
    for who in [Actor::visitor(), shopper, seller] {
        let refused = admin_cancels(&db, &who, &step_up, &number, cancel_form(kettle, 1)).await;
        assert!(matches!(refused, Err(OrderError::NotFound)), "{who:?}: {refused:?}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_refunds").await, 0);

    let admin = actors::admin(&db).await;
    let form = cancel_form(kettle, 1);
    // Not through the store's form: it carries no step-up.
    let gateway = TestGateway::new(db.clone());
    let refused = refund_order::by_store(&db, &gateway, &admin, &number, RefundKind::Cancel, &form).await;
    assert!(matches!(refused, Err(OrderError::NotAllowed(_))), "{refused:?}");
    let db = Arc::new(db);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (db, number, form) = (db.clone(), number.clone(), form.clone());
            tokio::spawn(async move {
                let gateway = TestGateway::new((*db).clone());
                refund_order::by_admin(&db, &gateway, &admin, &step_up, &number, RefundKind::Cancel, &form).await
            })
        })
        .collect();
    let mut made = 0;
    for task in tasks {
        if matches!(task.await.expect("task"), Ok(Outcome::Done(_))) {
            made += 1;
        }
    }
    assert_eq!(made, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM test_gateway_refunds").await, 1);
    assert_eq!(entries_about(&db, &number).await.len(), 1, "one refund, one entry");
}

async fn a_refund_the_shop_finished_names_who_asked_for_it(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, number) = paid_order(&db, &[(kettle, 2)], "Admin Refund Cy").await;
    let admin = actors::admin(&db).await;
    let gateway = Switched::down(&db);
    let step_up = AdminStepUp {
        confirmed: None,
        above: i64::MAX,
    };
    let form = cancel_form(kettle, 1);
    let lost = refund_order::by_admin(&db, &gateway, &admin, &step_up, &number, RefundKind::Cancel, &form).await;
    assert!(matches!(lost, Err(OrderError::Refund(_))), "{lost:?}");
    assert!(
        entries_about(&db, &number).await.is_empty(),
        "nothing made, nothing logged"
    );
    gateway.set_down(false);
    let now = domain::platform::clock::now_ms();
    assert_eq!(
        refund_order::retry_waiting(&db, &gateway, now + 1)
            .await
            .expect("sweep"),
        1
    );
    let logged = entries_about(&db, &number).await;
    assert_eq!(logged.len(), 1);
    assert_eq!(
        (logged[0].actor_role.as_str(), logged[0].actor_name.as_str()),
        ("admin", "Test Admin"),
        "named for who asked for it"
    );
    assert!(
        logged[0].reason.ends_with("(finished by the shop (a refund retried))"),
        "{}",
        logged[0].reason
    );
    assert_eq!(logged[0].store_id, Some(store));
}

db_tests!(
    an_admins_large_refund_asks_for_the_password_and_each_refund_is_audited,
    only_admins_refund_any_store_and_a_double_sent_form_refunds_and_logs_once,
    a_refund_the_shop_finished_names_who_asked_for_it,
);
