//! Issue 20: a store's own promo codes — created from a form (every field checked), listed with their uses and
//! the discount its paid orders got, paused (checkout refuses the code) and resumed; no other store touches them.

use domain::payments::TestGateway;
use domain::sellers::promotions;
use domain::sellers::SellerError;
use domain::{cart, checkout, Actor, Db};
use model::promotions::{PromotionForm, PromotionState};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{draft, placed_and_paid};
use crate::seller_orders::{another_store, store_with_two_variants};

fn form(code: &str, kind: &str, value: &str) -> PromotionForm {
    PromotionForm {
        code: code.into(),
        kind: kind.into(),
        value: value.into(),
        ..PromotionForm::default()
    }
}

/// The discount a guest's cart of `units` of `variant` gets with `code`, or why it gets none.
async fn discount_with(db: &Db, variant: i64, code: &str) -> Result<i64, Vec<String>> {
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    cart::add(db, cart_id, variant, 1).await.expect("add");
    let mut details = draft(db, cart_id, "US").await;
    details.promo = code.into();
    // A customer who never used it (the code is once per customer).
    details.email = format!("{}@example.com", crate::harness::fixtures::key());
    let view = cart::view(db, cart_id).await.expect("cart");
    let quote = checkout::quote(db, &view, &details, None, true).await.expect("quote");
    if quote.problems.is_empty() {
        Ok(quote.discount_total.amount)
    } else {
        Err(quote.problems)
    }
}

async fn a_store_creates_pauses_and_resumes_its_codes_and_sees_their_uses(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let seller = actors::seller_of(&db, store).await;
    let mut winter = form(" winter15 ", "percent", "15");
    winter.max_uses = "100".into();
    winter.per_customer = "1".into();
    assert_eq!(
        promotions::create(&db, &seller, &winter).await.expect("create"),
        "WINTER15"
    );
    // The same code again, in another case: refused on the code field.
    match promotions::create(&db, &seller, &form("Winter15", "fixed", "5")).await {
        Err(SellerError::Invalid(errors)) => assert_eq!(errors[0].field, "code"),
        other => panic!("{other:?}"),
    }
    let listed = promotions::list(&db, &seller).await.expect("list");
    let row = listed.codes.iter().find(|c| c.code == "WINTER15").expect("listed");
    assert_eq!(
        (row.state, row.uses, row.max_uses),
        (PromotionState::Active, 0, Some(100))
    );
    assert_eq!(row.offer, "15 % off");
    assert!(row.conditions.contains("once per customer"), "{}", row.conditions);

    // A guest uses it on a paid order: the list counts the use and what it took off.
    let off = discount_with(&db, kettle, "winter15").await.expect("applies");
    assert!(off > 0);
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, kettle, 1).await.expect("add");
    let mut details = draft(&db, cart_id, "US").await;
    details.promo = "WINTER15".into();
    placed_and_paid(&db, &TestGateway::new(db.clone()), cart_id, &details).await;
    let row = promotions::list(&db, &seller).await.expect("list").codes.remove(0);
    assert_eq!((row.uses, row.discount_given.amount), (1, off));
    assert!(row.last_used.is_some());

    // Paused: checkout refuses it; twice is the same as once; resumed: it applies again.
    for _ in 0..2 {
        promotions::set_paused(&db, &seller, row.id, true).await.expect("pause");
    }
    let row = promotions::list(&db, &seller).await.expect("list").codes.remove(0);
    assert_eq!(row.state, PromotionState::Paused);
    let refused = discount_with(&db, kettle, "WINTER15").await.expect_err("paused");
    assert!(refused[0].contains("paused"), "{refused:?}");
    promotions::set_paused(&db, &seller, row.id, false)
        .await
        .expect("resume");
    assert!(discount_with(&db, kettle, "WINTER15").await.is_ok());

    // Another store's seller, a shopper and a visitor: not found, and nothing changes.
    let other = actors::seller_of(&db, another_store(&db, store).await).await;
    let (_, shopper) = actors::shopper(&db).await;
    for stranger in [other, shopper, Actor::visitor()] {
        assert!(matches!(
            promotions::set_paused(&db, &stranger, row.id, true).await,
            Err(SellerError::NotFound)
        ));
    }
    assert!(promotions::list(&db, &other)
        .await
        .expect("theirs")
        .codes
        .iter()
        .all(|c| c.id != row.id));
    let row = promotions::list(&db, &seller).await.expect("list").codes.remove(0);
    assert_eq!(row.state, PromotionState::Active);
}

async fn every_field_of_a_new_code_is_checked(db: Db) {
    let (store, _) = store_with_two_variants(&db, 1).await;
    let seller = actors::seller_of(&db, store).await;
    let cases: [(PromotionForm, &str); 9] = [
        (form("ab", "percent", "10"), "code"),
        (form("NUL\u{0}CODE", "percent", "10"), "code"),
        (form("SAVE", "bogus", "10"), "kind"),
        (form("SAVE", "percent", "101"), "value"),
        (form("SAVE", "fixed", "0"), "value"),
        (
            PromotionForm {
                min_subtotal: "lots".into(),
                ..form("SAVE", "fixed", "5")
            },
            "min_subtotal",
        ),
        (
            PromotionForm {
                starts: "2026-02-30".into(),
                ..form("SAVE", "fixed", "5")
            },
            "starts",
        ),
        (
            PromotionForm {
                ends: "2001-01-01".into(),
                ..form("SAVE", "fixed", "5")
            },
            "ends",
        ),
        (
            PromotionForm {
                per_customer: "-1".into(),
                ..form("SAVE", "fixed", "5")
            },
            "per_customer",
        ),
    ];
    for (bad, field) in cases {
        match promotions::create(&db, &seller, &bad).await {
            Err(SellerError::Invalid(errors)) => assert_eq!(errors[0].field, field, "{bad:?}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    assert!(promotions::list(&db, &seller).await.expect("list").codes.is_empty());
    // A shopper cannot make store codes at all.
    let (_, shopper) = actors::shopper(&db).await;
    assert!(matches!(
        promotions::create(&db, &shopper, &form("MINE", "percent", "10")).await,
        Err(SellerError::NotFound)
    ));
}

db_tests!(
    a_store_creates_pauses_and_resumes_its_codes_and_sees_their_uses,
    every_field_of_a_new_code_is_checked,
);
