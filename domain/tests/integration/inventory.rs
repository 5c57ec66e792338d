//! A property test over random sequences of stock operations, through the real use cases: add stock, reserve
//! (place an order), expire, pay (in time or late), fail, cancel (refund + restock), refund reported by the
//! provider. After every step, for every variant:
//!
//! - `available >= 0`;
//! - on hand = available + reserved, where on hand = units ever stocked − units sold, "sold" is read from the
//!   orders (lines of paid, shipped or delivered orders), and "reserved" from the held reservations;
//! - reserved = the units of orders still awaiting payment.
//!
//! Seeds are fixed, so a failure names the seed and step that reproduce it.

use domain::checkout::CheckoutError;
use domain::orders;
use domain::payments::{EventKind, PaymentEvent, TestGateway, TEST_CARD_SUCCESS};
use domain::platform::clock::now_ms;
use domain::workflows::{cancel_order, settle_payment};
use domain::Actor;

use domain::{cart, Db};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db_tests;
use crate::harness::fixtures::{draft, key, two_sellers};

const SEEDS: u64 = 6;
const STEPS: usize = 30;

async fn scalar(db: &Db, sql: &str, variant: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("query")
}

async fn check(db: &Db, variants: &[i64], stocked: &[i64], seed: u64, step: usize, op: &str) {
    for (i, &v) in variants.iter().enumerate() {
        let available = scalar(
            db,
            "SELECT CAST(COALESCE(SUM(available), 0) AS BIGINT) FROM stock WHERE variant_id = $1",
            v,
        )
        .await;
        let min = scalar(
            db,
            "SELECT CAST(COALESCE(MIN(available), 0) AS BIGINT) FROM stock WHERE variant_id = $1",
            v,
        )
        .await;
        let reserved = scalar(
            db,
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM reservations WHERE variant_id = $1 AND state = 'held'",
            v,
        )
        .await;
        let sold = scalar(
            db,
            "SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM order_lines l JOIN orders o ON o.id = l.order_id \
             WHERE l.variant_id = $1 AND o.status IN ('paid', 'shipped', 'delivered')",
            v,
        )
        .await;
        let awaiting = scalar(
            db,
            "SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM order_lines l JOIN orders o ON o.id = l.order_id \
             WHERE l.variant_id = $1 AND o.status = 'pending_payment'",
            v,
        )
        .await;
        let on_hand = stocked[i] - sold;
        let at = format!("seed {seed}, step {step} ({op}), variant {v}");
        assert!(min >= 0, "{at}: a warehouse went negative ({min})");
        assert_eq!(
            on_hand,
            available + reserved,
            "{at}: on hand {on_hand} != available {available} + reserved {reserved}"
        );
        assert_eq!(
            reserved, awaiting,
            "{at}: held units do not match the orders awaiting payment"
        );
    }
}

async fn groups(db: &Db, status: &str) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT id, number FROM order_groups WHERE status = $1 ORDER BY id")
        .bind(status)
        .fetch_all(db.pool())
        .await
        .expect("groups")
}

async fn session_of_group(db: &Db, group: i64) -> String {
    sqlx::query_scalar("SELECT provider_ref FROM payments WHERE group_id = $1 ORDER BY created_at DESC")
        .bind(group)
        .fetch_one(db.pool())
        .await
        .expect("session")
}

async fn random_operations_keep_on_hand_equal_to_available_plus_reserved(db: Db) {
    let (a, b) = two_sellers(&db, 4).await;
    let variants = [a, b];
    let gateway = TestGateway::new(db.clone());
    let mut stocked = [4_i64, 4];
    for seed in 0..SEEDS {
        let mut rng = StdRng::seed_from_u64(seed);
        for step in 0..STEPS {
            let op = match rng.gen_range(0..8) {
                0 => {
                    let i = rng.gen_range(0..2);
                    let n = rng.gen_range(1..4);
                    sqlx::query(
                        "UPDATE stock SET available = available + $1 WHERE variant_id = $2 \
                         AND warehouse_id = (SELECT MIN(warehouse_id) FROM stock WHERE variant_id = $2)",
                    )
                    .bind(n)
                    .bind(variants[i])
                    .execute(db.pool())
                    .await
                    .expect("add");
                    stocked[i] += n;
                    "add"
                }
                1 | 2 => {
                    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
                    for &v in &variants {
                        if rng.gen_bool(0.6) {
                            // Adding may be refused when the stock is short: that is part of the game.
                            let _ = cart::add(&db, cart_id, v, rng.gen_range(1..4)).await;
                        }
                    }
                    let details = draft(&db, cart_id, "US").await;
                    match crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key())
                        .await
                    {
                        Ok(_) | Err(CheckoutError::CannotPlace(_)) | Err(CheckoutError::EmptyCart) => {}
                        Err(e) => panic!("seed {seed} step {step}: {e:?}"),
                    }
                    "reserve"
                }
                3 => {
                    // One pending group's hold runs out.
                    if let Some((group, _)) = groups(&db, "pending_payment").await.first() {
                        sqlx::query("UPDATE order_groups SET reserved_until = 0 WHERE id = $1")
                            .bind(group)
                            .execute(db.pool())
                            .await
                            .expect("age");
                        domain::workflows::expire_holds::expire_unpaid(&db, now_ms())
                            .await
                            .expect("expire");
                    }
                    "expire"
                }
                4 | 5 => {
                    // Pay a pending group, or (late) an expired one: re-checked, or refunded if the stock is gone.
                    let status = if rng.gen_bool(0.7) {
                        "pending_payment"
                    } else {
                        "expired"
                    };
                    let candidates = groups(&db, status).await;
                    if !candidates.is_empty() {
                        let (group, _) = &candidates[rng.gen_range(0..candidates.len())];
                        let session = session_of_group(&db, *group).await;
                        if let Ok(Some(event)) = gateway.pay(&session, TEST_CARD_SUCCESS).await {
                            settle_payment::receive(&db, &gateway, &event).await.expect("receive");
                        }
                    }
                    "pay"
                }
                6 => {
                    // The shopper cancels one paid seller order: refunded, restocked.
                    let paid = groups(&db, "paid").await;
                    if !paid.is_empty() {
                        let (_, number) = &paid[rng.gen_range(0..paid.len())];
                        // The guest who placed it cancels through their order link, as on the order page.
                        let token: String = sqlx::query_scalar("SELECT view_token FROM order_groups WHERE number = $1")
                            .bind(number)
                            .fetch_one(db.pool())
                            .await
                            .expect("token");
                        let guest = Actor::visitor();
                        let view = orders::group_view(&db, number, &guest, Some(&token))
                            .await
                            .expect("view");
                        if let Some(order) = view.orders.iter().find(|o| o.cancellable) {
                            cancel_order::cancel(&db, &gateway, &guest, number, &order.number, Some(&token))
                                .await
                                .expect("cancel");
                        }
                    }
                    "cancel"
                }
                _ => {
                    // The provider reports a full refund made elsewhere, or the shopper gives up on paying.
                    let paid = groups(&db, "paid").await;
                    if rng.gen_bool(0.5) && !paid.is_empty() {
                        let (group, _) = paid[rng.gen_range(0..paid.len())];
                        let (session, amount): (String, i64) = sqlx::query_as(
                            "SELECT provider_ref, amount FROM payments WHERE group_id = $1 AND status <> 'pending'",
                        )
                        .bind(group)
                        .fetch_one(db.pool())
                        .await
                        .expect("payment");
                        let event = PaymentEvent {
                            provider: "test".into(),
                            event_id: format!("evt_refund_{group}"),
                            provider_ref: session,
                            provider_payment: None,
                            kind: EventKind::Refunded(amount),
                        };
                        settle_payment::receive(&db, &gateway, &event).await.expect("refund");
                        "refund"
                    } else if let Some((group, _)) = groups(&db, "pending_payment").await.first() {
                        let session = session_of_group(&db, *group).await;
                        if let Some(event) = gateway.cancel(&session).await.expect("cancel") {
                            settle_payment::receive(&db, &gateway, &event).await.expect("fail");
                        }
                        "fail"
                    } else {
                        "nothing"
                    }
                }
            };
            check(&db, &variants, &stocked, seed, step, op).await;
        }
    }
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert!(orders > 20, "the sequences placed orders ({orders})");
}

db_tests!(random_operations_keep_on_hand_equal_to_available_plus_reserved);
