//! Issue 21, first part: the platform's commission — the most specific rate (a store's, a category's, the
//! platform's) with its floor and cap, frozen on each line when the order is paid, on the line's goods after its
//! share of the discount (the shares add up to the order's discount); changing a rate never changes a past order;
//! the payment provider's fee borne by the stores, split over a payment's orders to the cent.

use domain::money::commission::{self, Rate, Scope};
use domain::money::policy::{self, FeeRule};
use domain::orders::portal;
use domain::payments::TestGateway;
use domain::{cart, Actor, Db};
use model::promotions::PromotionForm;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{count, draft, key, place, placed_and_paid, two_sellers};
use crate::seller_orders::{paid_order, store_with_two_variants};

#[derive(Debug, sqlx::FromRow)]
struct Frozen {
    gross: i64,
    discount: i64,
    commission_bp: Option<i64>,
    commission: i64,
}

async fn lines_of(db: &Db, number: &str) -> Vec<Frozen> {
    sqlx::query_as(
        "SELECT l.unit_price * l.quantity AS gross, l.discount AS discount, l.commission_bp AS commission_bp, \
         l.commission AS commission FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE o.number = $1 ORDER BY l.variant_id",
    )
    .bind(number)
    .fetch_all(db.pool())
    .await
    .expect("lines")
}

fn rate(rate_bp: i64) -> Rate {
    Rate {
        rate_bp,
        floor: None,
        cap: None,
    }
}

async fn the_most_specific_rate_is_frozen_at_the_sale(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 20).await;
    // The platform's 10 %.
    let (_, first) = paid_order(&db, &[(kettle, 2)], "Rate Ray").await;
    let line = &lines_of(&db, &first).await[0];
    assert_eq!(line.commission_bp, Some(1000));
    assert_eq!(line.commission, (line.gross * 1000 + 5000) / 10_000);
    let seller = actors::seller_of(&db, store).await;
    let detail = portal::detail(&db, &seller, &first).await.expect("detail");
    assert_eq!(
        (detail.commission.amount, detail.commission_rates.as_str()),
        (line.commission, "10 %")
    );

    // The store's own 12.5 % capped at $1.00 a line: the next order only.
    let capped = Rate {
        cap: Some(100),
        ..rate(1250)
    };
    commission::set(&db, Scope::Seller(store), capped).await.expect("set");
    let (_, second) = paid_order(&db, &[(mug, 1)], "Rate Rita").await;
    let line = &lines_of(&db, &second).await[0];
    assert_eq!(line.commission_bp, Some(1250));
    assert_eq!(line.commission, ((line.gross * 1250 + 5000) / 10_000).min(100));
    assert_eq!(
        lines_of(&db, &first).await[0].commission_bp,
        Some(1000),
        "a past order keeps its rate"
    );

    // Without the store's rate, its product's category's applies (before the platform's).
    assert!(commission::clear(&db, Scope::Seller(store)).await.expect("clear"));
    let category: i64 = sqlx::query_scalar(
        "SELECT p.category_id FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1",
    )
    .bind(kettle)
    .fetch_one(db.pool())
    .await
    .expect("category");
    commission::set(&db, Scope::Category(category), rate(500))
        .await
        .expect("set");
    let (_, third) = paid_order(&db, &[(kettle, 1)], "Rate Rosa").await;
    assert_eq!(lines_of(&db, &third).await[0].commission_bp, Some(500));
    assert!(
        !commission::clear(&db, Scope::Platform).await.expect("kept"),
        "the platform's rate stays"
    );
    let listed = commission::list(&db).await.expect("list");
    assert_eq!((listed[0].scope.as_str(), listed[0].rate_bp), ("platform", 1000));
    assert_eq!(listed.len(), 2);

    // An order not paid yet has nothing frozen.
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, mug, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let gateway = TestGateway::new(db.clone());
    place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id \
                    WHERE o.status = 'pending_payment' AND l.commission_bp IS NULL"
        )
        .await,
        1
    );
}

async fn a_discount_is_shared_among_the_lines_to_the_cent_before_commission(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 20).await;
    let seller = actors::seller_of(&db, store).await;
    let code = PromotionForm {
        code: "THIRD33".into(),
        kind: "percent".into(),
        value: "33".into(),
        ..PromotionForm::default()
    };
    domain::sellers::promotions::create(&db, &seller, &code)
        .await
        .expect("code");
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, kettle, 3).await.expect("add");
    cart::add(&db, cart_id, mug, 1).await.expect("add");
    let mut details = draft(&db, cart_id, "US").await;
    details.promo = "THIRD33".into();
    let placed = placed_and_paid(&db, &TestGateway::new(db.clone()), cart_id, &details).await;
    let (number, discount): (String, i64) = sqlx::query_as(
        "SELECT o.number, o.discount FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE g.number = $1",
    )
    .bind(&placed.number)
    .fetch_one(db.pool())
    .await
    .expect("order");
    assert!(discount > 0);
    let lines = lines_of(&db, &number).await;
    assert_eq!(
        lines.iter().map(|l| l.discount).sum::<i64>(),
        discount,
        "the shares add up"
    );
    for l in &lines {
        assert_eq!(l.commission, ((l.gross - l.discount) * 1000 + 5000) / 10_000, "{l:?}");
    }
}

/// When the stores bear the provider's fee, each payment's fee (2.9 % + 0.30) is split over its store orders by
/// their totals, to the cent, and booked with the sales; when the platform bears it, nothing is booked.
async fn the_stores_bear_the_providers_fee_split_by_their_totals(db: Db) {
    let (a, b) = two_sellers(&db, 20).await;
    let rule = FeeRule {
        fee_bp: 290,
        fee_fixed: 30,
        seller_pays_fee: 1,
    };
    assert!(policy::set_fee_rule(&db, &rule).await.expect("rule"));
    let pay = |lines: [(i64, i64); 2]| {
        let db = db.clone();
        async move {
            let cart_id = cart::create_guest_cart(&db).await.expect("cart");
            for (variant, units) in lines {
                cart::add(&db, cart_id, variant, units).await.expect("add");
            }
            let details = draft(&db, cart_id, "US").await;
            placed_and_paid(&db, &TestGateway::new(db.clone()), cart_id, &details)
                .await
                .number
        }
    };
    let fees_of = |number: String| {
        let db = db.clone();
        async move {
            let rows: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT o.total, COALESCE((SELECT -l.amount FROM seller_ledger l WHERE l.order_id = o.id \
                 AND l.kind = 'processing_fee'), 0) FROM orders o JOIN order_groups g ON g.id = o.group_id \
                 WHERE g.number = $1 ORDER BY o.seller_id, o.id",
            )
            .bind(number)
            .fetch_all(db.pool())
            .await
            .expect("fees");
            rows
        }
    };
    let rows = fees_of(pay([(a, 1), (b, 3)]).await).await;
    let totals: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let fees: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let paid: i64 = totals.iter().sum();
    assert_eq!(
        fees.iter().sum::<i64>(),
        rule.fee_on(paid),
        "the parts are the payment's fee"
    );
    assert_eq!(fees, domain::platform::split::shares(rule.fee_on(paid), &totals));
    assert!(fees.iter().all(|f| *f > 0), "{fees:?}");
    assert_eq!(
        totals[0] > totals[1],
        fees[0] > fees[1],
        "{fees:?} by the orders' totals {totals:?}"
    );

    let platform = FeeRule {
        seller_pays_fee: 0,
        ..rule
    };
    assert!(policy::set_fee_rule(&db, &platform).await.expect("rule"));
    let rows = fees_of(pay([(a, 1), (b, 1)]).await).await;
    assert!(rows.iter().all(|r| r.1 == 0), "the platform bears it: {rows:?}");
    assert!(!policy::set_fee_rule(&db, &FeeRule { fee_bp: 5_000, ..rule })
        .await
        .expect("refused"));
}

db_tests!(
    the_stores_bear_the_providers_fee_split_by_their_totals,
    the_most_specific_rate_is_frozen_at_the_sale,
    a_discount_is_shared_among_the_lines_to_the_cent_before_commission,
);
