use domain::accounts::addresses;
use domain::accounts::{self, Registration};
use domain::payments::TestGateway;
use domain::{cart, Db};

use model::orders::CheckoutDraft;

use crate::db_tests;
use crate::harness::fixtures::{draft, key, two_sellers};

async fn account(db: &Db, email: &str) -> i64 {
    accounts::register(
        db,
        &Registration {
            name: "Ada Shopper".into(),
            email: email.into(),
            password: "a long and unusual passphrase".into(),
        },
    )
    .await
    .expect("register")
    .id
}

async fn order_to(db: &Db, variant: i64, user: i64, edit: impl Fn(&mut CheckoutDraft)) {
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    cart::add(db, cart_id, variant, 1).await.expect("add");
    let mut details = draft(db, cart_id, "US").await;
    edit(&mut details);
    crate::harness::fixtures::place(
        db,
        &TestGateway::new(db.clone()),
        &crate::harness::actors::of_user(db, user).await,
        cart_id,
        &details,
        &key(),
    )
    .await
    .expect("placed");
}

async fn an_accounts_checkout_remembers_its_address_once_and_only_for_it(db: Db) {
    let (a, _) = two_sellers(&db, 50).await;
    let ada = account(&db, "ada@example.com").await;
    let eve = account(&db, "eve@example.com").await;
    order_to(&db, a, ada, |_| {}).await;
    // The same address typed with other spacing and case is the same address.
    order_to(&db, a, ada, |d| d.line1 = format!("  {} ", d.line1.to_uppercase())).await;
    let saved = addresses::list(&db, ada).await.expect("list");
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0].city, "Arlington");
    order_to(&db, a, ada, |d| d.city = "Springfield".into()).await;
    let saved = addresses::list(&db, ada).await.expect("list");
    assert_eq!(saved.len(), 2);
    assert_eq!(saved[0].city, "Springfield", "most recent first");

    assert!(addresses::list(&db, eve).await.expect("list").is_empty());
    let mut draft = CheckoutDraft::default();
    assert!(
        !addresses::fill(&db, eve, saved[0].id, &mut draft).await.expect("fill"),
        "not hers"
    );
    assert!(draft.line1.is_empty());
    assert!(!addresses::remove(&db, eve, saved[0].id).await.expect("remove"));
    assert!(addresses::fill(&db, ada, saved[1].id, &mut draft).await.expect("fill"));
    assert_eq!(draft.city, "Arlington");
    assert!(addresses::remove(&db, ada, saved[0].id).await.expect("remove"));
    assert_eq!(addresses::list(&db, ada).await.expect("list").len(), 1);
}

db_tests!(an_accounts_checkout_remembers_its_address_once_and_only_for_it);
