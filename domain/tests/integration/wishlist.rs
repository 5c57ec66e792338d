//! Issue 22: wishlists — a guest's list joins the account's at sign-in; a list is reached only from its own
//! session's id; kept products show their price now, a drop since they were kept and stock; "Move to cart".

use std::sync::Arc;

use domain::wishlist::{self, WishlistError};
use domain::workflows::move_to_cart::{move_to_cart, MoveError};
use domain::{cart, Actor, Db};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{count, set_units};

/// Active products of the seeded catalog: (product, its only variant) of one with a single variant, and a
/// product with several variants.
async fn products(db: &Db) -> ((i64, i64), (i64, i64), i64) {
    domain::seed::seed(db, 60, 13).await.expect("seed");
    let singles: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT p.id, MIN(v.id) FROM products p JOIN variants v ON v.product_id = p.id \
         WHERE p.status = 'active' GROUP BY p.id HAVING COUNT(*) = 1 ORDER BY p.id LIMIT 2",
    )
    .fetch_all(db.pool())
    .await
    .expect("single-variant products");
    let several: i64 = sqlx::query_scalar(
        "SELECT p.id FROM products p JOIN variants v ON v.product_id = p.id \
         WHERE p.status = 'active' GROUP BY p.id HAVING COUNT(*) > 1 ORDER BY p.id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .expect("a product with options");
    (singles[0], singles[1], several)
}

async fn guest_list(db: &Db) -> i64 {
    let (id, remember) = wishlist::for_session(db, &Actor::visitor(), None, true)
        .await
        .expect("list");
    assert_eq!(id, remember, "a new list is remembered by the session");
    id.expect("made")
}

fn kept(view: &model::wishlist::WishlistView) -> Vec<i64> {
    view.items.iter().map(|i| i.card.id).collect()
}

async fn a_guests_list_joins_the_account_list_at_sign_in(db: Db) {
    let ((a, _), (b, _), c) = products(&db).await;
    let (user, shopper) = actors::shopper(&db).await;
    assert_eq!(
        wishlist::adopt_at_sign_in(&db, None, user).await.expect("none yet"),
        None,
        "nothing made for nobody"
    );
    let (account, _) = wishlist::for_session(&db, &shopper, None, true)
        .await
        .expect("account list");
    let account = account.expect("made");
    wishlist::keep(&db, account, b).await.expect("keep b");
    wishlist::keep(&db, account, c).await.expect("keep c");

    let guest = guest_list(&db).await;
    wishlist::keep(&db, guest, a).await.expect("keep a");
    wishlist::keep(&db, guest, b).await.expect("keep b");
    wishlist::keep(&db, guest, a)
        .await
        .expect("a second keep changes nothing");

    let adopted = wishlist::adopt_at_sign_in(&db, Some(guest), user).await.expect("adopt");
    assert_eq!(adopted, Some(account));
    let mut ids = kept(&wishlist::view(&db, account).await.expect("view"));
    ids.sort();
    let mut expected = vec![a, b, c];
    expected.sort();
    assert_eq!(ids, expected, "one list, each product once");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM wishlists WHERE user_id IS NULL").await,
        0,
        "the guest list is gone"
    );
    let (again, _) = wishlist::for_session(&db, &Actor::visitor(), Some(guest), false)
        .await
        .expect("session");
    assert_eq!(again, None, "a signed-out session remembering it finds nothing");
}

async fn a_list_is_reached_only_from_its_own_session(db: Db) {
    let ((a, _), _, _) = products(&db).await;
    let (_, owner) = actors::shopper(&db).await;
    let (theirs, _) = wishlist::for_session(&db, &owner, None, true).await.expect("list");
    let theirs = theirs.expect("made");
    wishlist::keep(&db, theirs, a).await.expect("keep");

    // Another account whose session somehow remembers it gets its own list; a visitor gets none or a new one.
    let (_, other) = actors::shopper(&db).await;
    let (mine, remember) = wishlist::for_session(&db, &other, Some(theirs), true)
        .await
        .expect("list");
    assert_ne!(mine, Some(theirs));
    assert_eq!(remember, mine, "the session is told to forget the other list");
    assert!(wishlist::view(&db, mine.expect("made"))
        .await
        .expect("view")
        .items
        .is_empty());
    let (visitor, _) = wishlist::for_session(&db, &Actor::visitor(), Some(theirs), false)
        .await
        .expect("visitor");
    assert_eq!(visitor, None);
    let (visitor_new, _) = wishlist::for_session(&db, &Actor::visitor(), Some(theirs), true)
        .await
        .expect("visitor");
    assert_ne!(visitor_new, Some(theirs));

    // Two first uses at once make one account list.
    let (_, fresh) = actors::shopper(&db).await;
    let db = Arc::new(db);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (db, fresh) = (db.clone(), fresh);
            tokio::spawn(async move { wishlist::for_session(&db, &fresh, None, true).await })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.expect("task").expect("list").0);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
}

async fn kept_products_show_drops_and_stock_and_move_to_the_cart(db: Db) {
    let ((a, a_variant), (b, b_variant), several) = products(&db).await;
    set_units(&db, a_variant, 5).await;
    set_units(&db, b_variant, 0).await;
    let list = guest_list(&db).await;
    for p in [a, b, several] {
        wishlist::keep(&db, list, p).await.expect("keep");
    }
    let before: i64 = sqlx::query_scalar("SELECT price FROM variants WHERE id = $1")
        .bind(a_variant)
        .fetch_one(db.pool())
        .await
        .expect("price");
    domain::testing::seller_sets_price(&db, a_variant, before - 100).await;
    let view = wishlist::view(&db, list).await.expect("view");
    let item = |id: i64| view.items.iter().find(|i| i.card.id == id).expect("kept");
    assert_eq!(
        item(a).dropped_from().map(|m| m.amount),
        Some(before),
        "a drop since it was kept"
    );
    assert_eq!(item(a).card.price.amount, before - 100);
    assert_eq!(item(a).movable_variant, Some(a_variant));
    assert!(
        !item(b).card.in_stock && item(b).movable_variant.is_none(),
        "out of stock: nothing to move"
    );
    assert!(
        item(several).movable_variant.is_none(),
        "options are chosen on the product's page"
    );

    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    assert_eq!(move_to_cart(&db, list, cart_id, a).await.expect("moved"), 1);
    assert!(
        !kept(&wishlist::view(&db, list).await.expect("view")).contains(&a),
        "off the list"
    );
    for refused in [b, several] {
        let answer = move_to_cart(&db, list, cart_id, refused).await;
        assert!(
            matches!(answer, Err(MoveError::Wishlist(WishlistError::NotAllowed(_)))),
            "{answer:?}"
        );
    }
    assert!(matches!(
        move_to_cart(&db, list, cart_id, a).await,
        Err(MoveError::Wishlist(WishlistError::NotFound))
    ));
    assert_eq!(cart::item_count(&db, cart_id).await.expect("count"), 1);

    // A product its store archives leaves the list's items and is counted as no longer on sale.
    domain::testing::seller_sets_status(&db, several, "archived").await;
    let view = wishlist::view(&db, list).await.expect("view");
    assert_eq!((kept(&view), view.unavailable), (vec![b], 1));
    assert!(
        matches!(wishlist::keep(&db, list, several).await, Err(WishlistError::NotFound)),
        "not on sale"
    );
    assert!(matches!(
        wishlist::keep(&db, list, i64::MAX).await,
        Err(WishlistError::NotFound)
    ));
}

db_tests!(
    a_guests_list_joins_the_account_list_at_sign_in,
    a_list_is_reached_only_from_its_own_session,
    kept_products_show_drops_and_stock_and_move_to_the_cart,
);
