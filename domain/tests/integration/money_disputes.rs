//! Disputes in the stores' money (decision 0030), through the test gateway's dispute card as a shopper would pay:
//! reversed at once and given back when won; held (pending, not paid out) and taken with the commission given
//! back when lost; split over two stores to the cent; the same report or the same evidence sent at once counts
//! once; a disputed payment refunds nothing; a store sees only its own cases.

use domain::money::dispute_screens;
use domain::money::policy::{self, Policy};
use domain::money::statement;
use domain::money::transfers::{self, ManualPayout};
use domain::orders::refunds::RefundKind;
use domain::payments::{TestGateway, TEST_CARD_DISPUTED};
use domain::platform::clock::now_ms;
use domain::sellers::SellerError;
use domain::workflows::settle_payment::{self, Applied};
use domain::workflows::{dispute_evidence, refund_order, ship_order};
use domain::{cart, Actor, Db};
use model::disputes::DisputeStatus;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{count, draft, key, place, session_of};
use crate::money_ledger::{entries_of, units_form};
use crate::seller_orders::{another_store, ship_all, store_with_two_variants};

async fn rules(db: &Db, dispute_hold: i64) {
    let rules = Policy {
        hold_days: 0,
        commission_tax_bp: 2000,
        commission_back: 1,
        min_transfer: 0,
        dispute_hold,
    };
    assert!(policy::set(db, &rules).await.expect("policy"));
}

/// A guest pays `lines` with the dispute card: the store's order number, the test session and the case's id.
async fn disputed_order(db: &Db, lines: &[(i64, i64)]) -> (String, String, i64) {
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    for &(variant, units) in lines {
        cart::add(db, cart_id, variant, units).await.expect("add");
    }
    let details = draft(db, cart_id, "US").await;
    let placed = place(db, &gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    let session = session_of(&placed.redirect_url);
    settle_payment::test_pay(db, &gateway, &gateway, &session, TEST_CARD_DISPUTED)
        .await
        .expect("paid");
    let (number, id): (String, i64) = sqlx::query_as(
        "SELECT o.number, s.dispute_id FROM dispute_shares s JOIN orders o ON o.id = s.order_id \
         JOIN order_groups g ON g.id = o.group_id WHERE g.number = $1 ORDER BY o.seller_id LIMIT 1",
    )
    .bind(&placed.number)
    .fetch_one(db.pool())
    .await
    .expect("a case");
    (number, session, id)
}

/// Another store neither reads nor answers case `id`; the store's own short account is refused with what is wrong.
async fn only_its_store_answers(db: &Db, store: i64, id: i64, total: i64) {
    let (db, gateway) = (db.clone(), TestGateway::new(db.clone()));
    let seller = actors::seller_of(&db, store).await;
    let other = actors::seller_of(&db, another_store(&db, store).await).await;
    assert!(matches!(
        dispute_screens::detail(&db, &other, id).await,
        Err(SellerError::NotFound)
    ));
    assert!(matches!(
        dispute_evidence::send(&db, &gateway, &other, id, ACCOUNT).await,
        Err(SellerError::NotFound)
    ));
    assert!(matches!(
        dispute_evidence::send(&db, &gateway, &seller, id, "too short").await,
        Err(SellerError::Invalid(_))
    ));
    let detail = dispute_screens::detail(&db, &seller, id).await.expect("detail");
    assert_eq!(
        (detail.row.status, detail.row.amount.amount),
        (DisputeStatus::NeedsResponse, total)
    );
}

const ACCOUNT: &str = "Shipped by UPS the day after; signed for at the door by the cardholder.";

async fn a_reversed_dispute_takes_the_share_at_once_and_a_won_case_gives_it_back(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    rules(&db, 0).await;
    let seller = actors::seller_of(&db, store).await;
    let gateway = TestGateway::new(db.clone());
    let (number, session, id) = disputed_order(&db, &[(kettle, 2)]).await;
    let total = count(&db, &format!("SELECT total FROM orders WHERE number = '{number}'")).await;
    let kinds: Vec<(String, i64)> = entries_of(&db, &number).await;
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert_eq!(kinds[3], ("dispute".to_string(), -total));

    // The bank's report again, and ten times at once: one case, one entry.
    let again = gateway.dispute_event(&session).await.expect("event").expect("a case");
    let results = futures::future::join_all((0..10).map(|_| settle_payment::apply_event(&db, &again))).await;
    assert!(
        results.iter().all(|r| matches!(r, Ok(Applied::Duplicate))),
        "{results:?}"
    );
    assert_eq!(entries_of(&db, &number).await.len(), 4);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM mail_outbox WHERE dedupe_key LIKE 'dispute:%'"
        )
        .await,
        1
    );

    // Nothing is refunded from a disputed payment.
    let refused = refund_order::by_store(
        &db,
        &gateway,
        &seller,
        &number,
        RefundKind::Cancel,
        &units_form(&[(kettle, 1)], "out_of_stock"),
    )
    .await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM refunds").await, 0);

    only_its_store_answers(&db, store, id, total).await;
    // The provider cannot be reached: nothing is sent, the case stays open, the account is kept.
    let down = crate::harness::gateways::Switched::down(&db);
    assert!(matches!(
        dispute_evidence::send(&db, &down, &seller, id, ACCOUNT).await,
        Err(SellerError::Conflict(_))
    ));
    let detail = dispute_screens::detail(&db, &seller, id).await.expect("detail");
    assert_eq!(
        (detail.row.status, detail.evidence_sent_at),
        (DisputeStatus::NeedsResponse, None)
    );
    assert_eq!(detail.evidence, ACCOUNT);

    // The same account sent twice at once goes once; the test bank decides for the store.
    let winning = format!("{ACCOUNT} winning_evidence");
    let (a, b) = tokio::join!(
        dispute_evidence::send(&db, &gateway, &seller, id, &winning),
        dispute_evidence::send(&db, &gateway, &seller, id, &winning)
    );
    let sent: Vec<_> = [&a, &b].into_iter().filter(|r| r.is_ok()).collect();
    assert_eq!(sent.len(), 1, "{a:?} {b:?}");
    assert!(matches!(sent[0], Ok(DisputeStatus::Won)));
    let kinds = entries_of(&db, &number).await;
    assert_eq!(kinds.last(), Some(&("dispute_won".to_string(), total)));
    let detail = dispute_screens::detail(&db, &seller, id).await.expect("detail");
    assert_eq!(detail.row.status, DisputeStatus::Won);
    assert!(detail.evidence.contains("signed for at the door"));
    assert!(detail.evidence_sent_at.is_some());
}

async fn a_held_dispute_keeps_the_money_from_payouts_and_a_lost_case_gives_commission_back(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    rules(&db, 1).await;
    let seller = actors::seller_of(&db, store).await;
    let admin = actors::admin(&db).await;
    let gateway = TestGateway::new(db.clone());
    let (number, _, id) = disputed_order(&db, &[(kettle, 3)]).await;
    assert_eq!(entries_of(&db, &number).await.len(), 3, "held: no entry yet");
    ship_order::ship(&db, &seller, &number, &ship_all(&db, &number, "ups", "1Z42").await)
        .await
        .expect("ship");
    ship_order::mark_delivered(&db, &seller, &number)
        .await
        .expect("delivered");

    // Delivered with no holding days: released, but the case holds it.
    let mut conn = db.pool().acquire().await.expect("conn");
    let b = statement::balances(&mut conn, store, now_ms() + 1)
        .await
        .expect("balances");
    drop(conn);
    assert_eq!(b.available.amount, 0, "{b:?}");
    assert!(b.pending.amount > 0);
    let payout = ManualPayout {
        seller_id: store,
        amount: b.pending.amount,
        reference: "HELD",
        form_key: &key(),
    };
    assert!(matches!(
        transfers::record_manual(&db, &admin, &payout).await,
        Err(SellerError::Conflict(_))
    ));
    let detail = dispute_screens::detail(&db, &seller, id).await.expect("detail");
    assert!(detail.held);
    assert!(detail
        .facts
        .iter()
        .any(|f| f.label == "Shipped" && f.value.contains("1Z42")));
    assert!(detail.facts.iter().any(|f| f.label == "Delivered"));

    let losing = format!("{ACCOUNT} losing_evidence");
    let status = dispute_evidence::send(&db, &gateway, &seller, id, &losing)
        .await
        .expect("sent");
    assert_eq!(status, DisputeStatus::Lost);
    // Taken now, with the commission and its tax given back: the order nets to nothing.
    let kinds: Vec<String> = entries_of(&db, &number).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        kinds[3..],
        ["dispute", "commission_back", "commission_tax_back"].map(String::from)
    );
    let net: i64 = entries_of(&db, &number).await.iter().map(|e| e.1).sum();
    assert_eq!(net, 0);
    assert_eq!(
        count(
            &db,
            &format!("SELECT dispute_hold FROM orders WHERE number = '{number}'")
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM mail_outbox WHERE dedupe_key LIKE 'dispute:%'"
        )
        .await,
        2
    );
}

async fn a_case_over_two_stores_splits_to_the_cent(db: Db) {
    let ((a, _), (b, _)) = crate::harness::fixtures::two_stores(&db, 40).await;
    rules(&db, 0).await;
    let rows = crate::seller_orders::first_variants(&db).await;
    let first_of = |store: i64| rows.iter().find(|r| r.1 == store).expect("a product").0;
    let (va, vb) = (first_of(a), first_of(b));
    for v in [va, vb] {
        crate::harness::fixtures::set_units(&db, v, 10).await;
    }
    let (_, session, _) = disputed_order(&db, &[(va, 1), (vb, 2)]).await;
    let paid = count(&db, "SELECT amount FROM payments").await;
    assert_eq!(
        count(&db, "SELECT CAST(SUM(amount) AS BIGINT) FROM dispute_shares").await,
        paid
    );
    assert_eq!(
        count(
            &db,
            "SELECT CAST(SUM(amount) AS BIGINT) FROM seller_ledger WHERE kind = 'dispute'"
        )
        .await,
        -paid
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM dispute_shares WHERE amount > 0").await,
        2
    );
    // The bank decides against both: each store gets back its share's commission; the sum holds.
    let gateway = TestGateway::new(db.clone());
    let evidence = domain::payments::DisputeEvidence {
        text: "losing_evidence".into(),
        ..Default::default()
    };
    use domain::payments::PaymentGateway;
    let lost = gateway
        .submit_evidence(&format!("tdp_{session}"), &evidence, "k")
        .await
        .expect("decided")
        .expect("an event");
    settle_payment::apply_event(&db, &lost).await.expect("applied");
    let net = count(&db, "SELECT CAST(SUM(amount) AS BIGINT) FROM seller_ledger").await;
    let commission = -count(
        &db,
        "SELECT CAST(SUM(amount) AS BIGINT) FROM seller_ledger WHERE kind LIKE 'commission%'",
    )
    .await;
    assert_eq!(net + commission, 0, "Σ net + Σ commission = captured − lost");
}

db_tests!(
    a_reversed_dispute_takes_the_share_at_once_and_a_won_case_gives_it_back,
    a_held_dispute_keeps_the_money_from_payouts_and_a_lost_case_gives_commission_back,
    a_case_over_two_stores_splits_to_the_cent,
);
