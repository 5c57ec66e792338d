//! Refunds made in the payment provider's dashboard (decision 0034): a partial one names no store, so it is spread
//! over the group's store orders in proportion to what each holds; the payment's refunded total stays the sum of
//! every refund, ours and the dashboard's. Each test runs on SQLite and PostgreSQL.

use domain::money::statement;
use domain::orders::refunds::{RefundForm, RefundKind};
use domain::payments::TestGateway;
use domain::workflows::refund_order;
use domain::Db;
use model::money::StatementFilter;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::key;
use crate::money_ledger::{entries_of, payment_of};
use crate::seller_orders::{paid_order, store_with_two_variants};

/// A partial refund made at the provider's dashboard names no store: it is spread over the group's stores in
/// proportion to what each order holds, the parts add up to it to the cent, each booked once however often it is
/// reported, and a later full refund takes only what is left.
async fn a_partial_refund_at_the_provider_is_spread_over_the_stores(db: Db) {
    use domain::payments::{EventKind, PaymentEvent};
    use domain::platform::split::shares_within;
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (other_variant, _) = crate::seller_orders::first_variants(&db)
        .await
        .into_iter()
        .find(|(_, seller)| *seller != store)
        .expect("another store");
    crate::harness::fixtures::set_units(&db, other_variant, 10).await;
    let (group, _) = paid_order(&db, &[(kettle, 2), (other_variant, 1)], "Spread Spencer").await;
    let (provider, reference, paid) = payment_of(&db, &group).await;
    let orders: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT o.seller_id, o.number, o.total FROM orders o JOIN order_groups g ON g.id = o.group_id \
         WHERE g.number = $1 ORDER BY o.seller_id, o.id",
    )
    .bind(&group)
    .fetch_all(db.pool())
    .await
    .expect("orders");
    assert_eq!(orders.len(), 2, "two stores");
    assert_eq!(orders.iter().map(|o| o.2).sum::<i64>(), paid);
    let report = |n: usize, total: i64| PaymentEvent {
        provider: provider.clone(),
        event_id: format!("evt-partial-{n}"),
        provider_ref: reference.clone(),
        provider_payment: None,
        kind: EventKind::Refunded(total),
    };
    let refunds_of = |number: String| {
        let db = db.clone();
        async move {
            entries_of(&db, &number)
                .await
                .into_iter()
                .filter(|e| e.0 == "refund")
                .map(|e| e.1)
                .sum::<i64>()
        }
    };
    let first = paid / 3 + 1;
    for n in [1, 1, 2] {
        // Delivered twice under one id, then again under another (Stripe's retries): booked once.
        domain::workflows::settle_payment::apply_event(&db, &report(n, first))
            .await
            .expect("partial");
    }
    let expected = shares_within(first, &[orders[0].2, orders[1].2]);
    for (order, part) in orders.iter().zip(&expected) {
        assert_eq!(refunds_of(order.1.clone()).await, -part, "{}", order.1);
        let (refunded, status): (i64, String) = sqlx::query_as("SELECT refunded, status FROM orders WHERE number = $1")
            .bind(&order.1)
            .fetch_one(db.pool())
            .await
            .expect("order");
        assert_eq!((refunded, status.as_str()), (*part, "paid"));
    }
    assert_eq!(expected.iter().sum::<i64>(), first, "the parts add up to the refund");
    let notes: i64 = crate::harness::fixtures::count(
        &db,
        "SELECT COUNT(*) FROM order_events WHERE note LIKE '%made through the payment provider; this order''s share%'",
    )
    .await;
    assert_eq!(notes, 2, "each store is told its share once");

    // The store refunds 1.00 itself: the payment's refunded total is both refunds, not the larger of them.
    let seller = actors::seller_of(&db, orders[0].0).await;
    let one = RefundForm {
        key: key(),
        amount: "1.00".into(),
        reason: "arrived_late".into(),
        ..RefundForm::default()
    };
    refund_order::by_store(
        &db,
        &TestGateway::new(db.clone()),
        &seller,
        &orders[0].1,
        RefundKind::Refund,
        &one,
    )
    .await
    .expect("store refund");
    let refunded: i64 = sqlx::query_scalar("SELECT refunded FROM payments WHERE provider_ref = $1")
        .bind(&reference)
        .fetch_one(db.pool())
        .await
        .expect("payment");
    assert_eq!(refunded, first + 100, "the dashboard's refund and the store's");

    // A second refund at the dashboard, then the rest: each store ends with exactly its order refunded.
    domain::workflows::settle_payment::apply_event(&db, &report(3, first + 100 + 7))
        .await
        .expect("second partial");
    domain::workflows::settle_payment::apply_event(&db, &report(4, paid))
        .await
        .expect("full");
    for order in &orders {
        assert_eq!(
            refunds_of(order.1.clone()).await,
            -order.2,
            "{} refunded whole",
            order.1
        );
    }
    for seller in [orders[0].0, orders[1].0] {
        let actor = actors::seller_of(&db, seller).await;
        let screen = statement::screen(&db, &actor, &StatementFilter::default(), None, false)
            .await
            .expect("statement");
        let newest = screen.entries.first().expect("entries");
        let ledger: i64 =
            sqlx::query_scalar("SELECT CAST(SUM(amount) AS BIGINT) FROM seller_ledger WHERE seller_id = $1")
                .bind(seller)
                .fetch_one(db.pool())
                .await
                .expect("sum");
        assert_eq!(newest.balance.amount, ledger, "the running balance is the ledger's sum");
    }
}

db_tests!(a_partial_refund_at_the_provider_is_spread_over_the_stores);
