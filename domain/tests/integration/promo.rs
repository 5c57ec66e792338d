use std::sync::Arc;

use domain::checkout::{self, CheckoutError};
use domain::orders;
use domain::payments::{TestGateway, TEST_CARD_SUCCESS};
use domain::platform::clock::now_ms;
use domain::workflows::{place_order, settle_payment};
use domain::Actor;

use domain::checkout::promo::{self, NewPromo, PromoKind};
use domain::{cart, Db};

use crate::db_tests;
use crate::harness::fixtures::{count, draft, key, session_of, two_sellers};

fn code(code: &str, kind: PromoKind, value: i64) -> NewPromo {
    NewPromo {
        code: code.into(),
        seller_id: None,
        kind,
        value,
        min_subtotal: 0,
        starts_at: now_ms() - 1_000,
        ends_at: None,
        max_uses: None,
        per_customer: None,
    }
}

async fn seller_of(db: &Db, variant: i64) -> i64 {
    sqlx::query_scalar("SELECT p.seller_id FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("seller")
}

async fn a_platform_code_discounts_every_seller_and_the_charge(db: Db) {
    let (a, b) = two_sellers(&db, 5).await;
    promo::create(
        &db,
        &crate::harness::actors::admin(&db).await,
        &code("save10", PromoKind::Percent, 10),
    )
    .await
    .expect("code");
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 2).await.expect("add");
    cart::add(&db, cart_id, b, 1).await.expect("add");
    let mut details = draft(&db, cart_id, "US").await;
    let view = cart::view(&db, cart_id).await.expect("cart");
    let full = checkout::quote(&db, &view, &details, None, true).await.expect("quote");
    details.promo = " Save10 ".into();
    let quote = checkout::quote(&db, &view, &details, None, true).await.expect("quote");
    assert!(quote.problems.is_empty(), "{:?}", quote.problems);
    assert_eq!(quote.promo.as_ref().map(|p| p.code.as_str()), Some("SAVE10"));
    assert_eq!(quote.discount_total.amount, (full.items_total.amount + 5) / 10);
    assert_eq!(
        quote.groups.iter().map(|g| g.discount.amount).sum::<i64>(),
        quote.discount_total.amount,
        "the sellers' shares add up"
    );
    assert!(quote.groups.iter().all(|g| g.discount.amount > 0));
    // Tax is on the discounted price.
    assert!(quote.tax_total.amount < full.tax_total.amount);
    assert_eq!(
        quote.grand_total.amount,
        quote.items_total.amount - quote.discount_total.amount + quote.shipping_total.amount + quote.tax_total.amount
    );

    let placed = crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    let session = gateway
        .session(&session_of(&placed.redirect_url))
        .await
        .expect("session")
        .expect("exists");
    assert_eq!(
        session.amount, quote.grand_total.amount,
        "the charge is the discounted total"
    );
    let event = gateway
        .pay(&session.id, TEST_CARD_SUCCESS)
        .await
        .expect("paid")
        .expect("event");
    settle_payment::apply_event(&db, &event).await.expect("apply");
    let order = orders::group_view(&db, &placed.number, &Actor::visitor(), Some(&placed.view_token))
        .await
        .expect("order");
    assert_eq!(order.discount_total.amount, quote.discount_total.amount);
    assert_eq!(order.promo_code.as_deref(), Some("SAVE10"));
    assert_eq!(order.grand_total.amount, quote.grand_total.amount);
    assert_eq!(
        order.orders.iter().map(|o| o.total.amount).sum::<i64>(),
        order.grand_total.amount,
        "seller orders add up to what was charged"
    );
    assert_eq!(
        count(&db, "SELECT uses FROM promo_codes WHERE code = 'SAVE10'").await,
        1
    );
}

async fn a_seller_code_covers_only_that_sellers_items(db: Db) {
    let (a, b) = two_sellers(&db, 5).await;
    let mut fixed = code("ACME5", PromoKind::Fixed, 500);
    fixed.seller_id = Some(seller_of(&db, b).await);
    fixed.min_subtotal = 1;
    promo::create(&db, &crate::harness::actors::admin(&db).await, &fixed)
        .await
        .expect("code");
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 1).await.expect("add");
    let mut details = draft(&db, cart_id, "US").await;
    details.promo = "acme5".into();
    let view = cart::view(&db, cart_id).await.expect("cart");
    let quote = checkout::quote(&db, &view, &details, None, true).await.expect("quote");
    let why = quote.promo_error.expect("does not apply");
    assert!(why.contains("none are in your cart"), "{why}");
    assert!(
        !quote.problems.is_empty(),
        "a code that does not apply stops the order until removed"
    );

    cart::add(&db, cart_id, b, 1).await.expect("add");
    let mut details = draft(&db, cart_id, "US").await;
    details.promo = "acme5".into();
    let view = cart::view(&db, cart_id).await.expect("cart");
    let quote = checkout::quote(&db, &view, &details, None, true).await.expect("quote");
    assert!(quote.problems.is_empty(), "{:?}", quote.problems);
    for group in &quote.groups {
        let expected = if group.seller_id == fixed.seller_id.expect("ok") {
            500.min(group.items_total.amount)
        } else {
            0
        };
        assert_eq!(group.discount.amount, expected);
    }
}

async fn expired_future_and_unknown_codes_say_why_and_block_the_order(db: Db) {
    let (a, _) = two_sellers(&db, 5).await;
    let now = now_ms();
    let mut old = code("OLD", PromoKind::Percent, 20);
    old.starts_at = now - 10 * 86_400_000;
    old.ends_at = Some(now - 86_400_000);
    promo::create(&db, &crate::harness::actors::admin(&db).await, &old)
        .await
        .expect("code");
    let mut soon = code("SOON", PromoKind::Percent, 20);
    soon.starts_at = now + 86_400_000;
    promo::create(&db, &crate::harness::actors::admin(&db).await, &soon)
        .await
        .expect("code");
    let mut big = code("BIG", PromoKind::Percent, 20);
    big.min_subtotal = 100_000_000;
    promo::create(&db, &crate::harness::actors::admin(&db).await, &big)
        .await
        .expect("code");
    assert!(
        promo::create(
            &db,
            &crate::harness::actors::admin(&db).await,
            &code("old", PromoKind::Percent, 5)
        )
        .await
        .is_err(),
        "codes are unique"
    );
    assert!(
        promo::create(
            &db,
            &crate::harness::actors::admin(&db).await,
            &code("x", PromoKind::Percent, 5)
        )
        .await
        .is_err(),
        "too short"
    );
    assert!(
        promo::create(
            &db,
            &crate::harness::actors::admin(&db).await,
            &code("HALF", PromoKind::Percent, 101)
        )
        .await
        .is_err(),
        "over 100 %"
    );

    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, a, 1).await.expect("add");
    let view = cart::view(&db, cart_id).await.expect("cart");
    for (typed, says) in [
        ("old", "expired on"),
        ("soon", "starts on"),
        ("big", "at least"),
        ("NOPE", "don't know"),
    ] {
        let mut details = draft(&db, cart_id, "US").await;
        details.promo = typed.into();
        let quote = checkout::quote(&db, &view, &details, None, true).await.expect("quote");
        let why = quote.promo_error.clone().expect("error");
        assert!(why.contains(says), "{typed}: {why}");
        match crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key()).await {
            Err(CheckoutError::CannotPlace(problems)) => assert!(problems.iter().any(|p| p.contains(says))),
            other => panic!("{typed}: expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_groups").await, 0);
}

/// 20 shoppers at once for a code with 5 uses: exactly 5 orders get it, the others are told it is used up;
/// an order that is never paid gives its use back.
async fn usage_limits_hold_under_concurrent_checkouts(db: Db) {
    let (a, _) = two_sellers(&db, 100).await;
    let mut limited = code("FIRST5", PromoKind::Fixed, 100);
    limited.max_uses = Some(5);
    promo::create(&db, &crate::harness::actors::admin(&db).await, &limited)
        .await
        .expect("code");
    let gateway = Arc::new(TestGateway::new(db.clone()));
    let mut shoppers = Vec::new();
    for i in 0..20 {
        let cart_id = cart::create_guest_cart(&db).await.expect("cart");
        cart::add(&db, cart_id, a, 1).await.expect("add");
        let mut details = draft(&db, cart_id, "US").await;
        details.email = format!("shopper{i}@example.com");
        details.promo = "FIRST5".into();
        shoppers.push((cart_id, details));
    }
    let results =
        futures::future::join_all(shoppers.into_iter().map(|(cart_id, details)| {
            let db = db.clone();
            let gateway = gateway.clone();
            async move {
                crate::harness::fixtures::place(&db, &*gateway, &Actor::visitor(), cart_id, &details, &key()).await
            }
        }))
        .await;
    let placed = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(placed, 5);
    for r in &results {
        if let Err(e) = r {
            match e {
                CheckoutError::CannotPlace(p) => assert!(p.iter().any(|m| m.contains("used up")), "{p:?}"),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(
        count(&db, "SELECT uses FROM promo_codes WHERE code = 'FIRST5'").await,
        5
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM promo_redemptions").await, 5);

    // Nobody pays: the holds expire and the uses come back.
    domain::workflows::expire_holds::expire_unpaid(&db, now_ms() + orders::HOLD_MS + 1_000)
        .await
        .expect("expire");
    assert_eq!(
        count(&db, "SELECT uses FROM promo_codes WHERE code = 'FIRST5'").await,
        0
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM promo_redemptions").await, 0);
}

async fn a_customer_uses_a_once_per_customer_code_once(db: Db) {
    let (a, _) = two_sellers(&db, 10).await;
    let mut once = code("WELCOME", PromoKind::Percent, 15);
    once.per_customer = Some(1);
    promo::create(&db, &crate::harness::actors::admin(&db).await, &once)
        .await
        .expect("code");
    let gateway = TestGateway::new(db.clone());
    let buy = |email: &'static str| {
        let db = db.clone();
        let gateway = gateway.clone();
        async move {
            let cart_id = cart::create_guest_cart(&db).await.expect("cart");
            cart::add(&db, cart_id, a, 1).await.expect("add");
            let mut details = draft(&db, cart_id, "US").await;
            details.email = email.into();
            details.promo = "welcome".into();
            crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key()).await
        }
    };
    let first = buy("ada@example.com").await.expect("first use");
    let event = gateway
        .pay(&session_of(&first.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("paid")
        .expect("event");
    settle_payment::apply_event(&db, &event).await.expect("apply");
    match buy("ADA@example.com").await {
        Err(CheckoutError::CannotPlace(p)) => assert!(p.iter().any(|m| m.contains("already used")), "{p:?}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    buy("grace@example.com").await.expect("another customer");
}

async fn an_accounts_once_per_customer_code_is_not_reused_as_a_guest_or_with_a_plus_address(db: Db) {
    let (a, _) = two_sellers(&db, 10).await;
    let mut once = code("ONCE", PromoKind::Percent, 15);
    once.per_customer = Some(1);
    promo::create(&db, &crate::harness::actors::admin(&db).await, &once)
        .await
        .expect("code");
    let gateway = TestGateway::new(db.clone());
    let (user_id, account) = crate::harness::actors::shopper(&db).await;
    let buy = |actor: Actor, email: &'static str| {
        let db = db.clone();
        let gateway = gateway.clone();
        async move {
            let cart_id = match actor.user_id() {
                Some(user) => cart::user_cart(&db, user).await.expect("cart"),
                None => cart::create_guest_cart(&db).await.expect("cart"),
            };
            cart::add(&db, cart_id, a, 1).await.expect("add");
            let mut details = draft(&db, cart_id, "US").await;
            details.email = email.into();
            details.promo = "once".into();
            let placed = crate::harness::fixtures::place(&db, &gateway, &actor, cart_id, &details, &key()).await?;
            let event = gateway
                .pay(&session_of(&placed.redirect_url), TEST_CARD_SUCCESS)
                .await
                .expect("paid")
                .expect("event");
            settle_payment::apply_event(&db, &event).await.expect("apply");
            Ok::<_, CheckoutError>(placed)
        }
    };
    let refused = |result: Result<place_order::Placed, CheckoutError>| match result {
        Err(CheckoutError::CannotPlace(p)) => p.iter().any(|m| m.contains("already used")),
        _ => false,
    };
    assert!(user_id > 0);
    buy(account, "ada@example.com").await.expect("the account's first use");
    assert!(
        refused(buy(Actor::visitor(), "ada@example.com").await),
        "the same email as a guest"
    );
    assert!(
        refused(buy(Actor::visitor(), "Ada+promo@Example.com").await),
        "a plus-address of it"
    );
    assert!(
        refused(buy(account, "other@example.com").await),
        "the account with another email"
    );
    buy(Actor::visitor(), "grace@example.com")
        .await
        .expect("another customer");
    assert_eq!(promo::customer_email(" Ada+x@Example.COM "), "ada@example.com");
}

db_tests!(
    a_platform_code_discounts_every_seller_and_the_charge,
    a_seller_code_covers_only_that_sellers_items,
    expired_future_and_unknown_codes_say_why_and_block_the_order,
    usage_limits_hold_under_concurrent_checkouts,
    a_customer_uses_a_once_per_customer_code_once,
    an_accounts_once_per_customer_code_is_not_reused_as_a_guest_or_with_a_plus_address,
);
