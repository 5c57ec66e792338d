//! Issue 22: "Customers also bought" counts each paid basket once (also under concurrent payments) and agrees with
//! a recount from the orders; unpaid baskets count nothing; "Similar items" come from the product's category,
//! most shared attribute values first; a cart is offered neither what it holds nor sold-out products.

use domain::discovery::{self, also_bought};
use domain::payments::{TestGateway, TEST_CARD_SUCCESS};
use domain::{cart, Db};

use crate::db_tests;
use crate::harness::fixtures::{draft, key, place, placed_and_paid, session_of, set_units};

/// Active single-variant products of the seeded catalog, each with 50 units: (product, variant).
async fn stocked(db: &Db, n: usize) -> Vec<(i64, i64)> {
    domain::seed::seed(db, 80, 17).await.expect("seed");
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT p.id, MIN(v.id) FROM products p JOIN variants v ON v.product_id = p.id \
         WHERE p.status = 'active' GROUP BY p.id HAVING COUNT(*) = 1 ORDER BY p.id",
    )
    .fetch_all(db.pool())
    .await
    .expect("products");
    assert!(rows.len() >= n, "the seed has {n} single-variant products");
    for (_, variant) in &rows[..n] {
        set_units(db, *variant, 50).await;
    }
    rows[..n].to_vec()
}

async fn paid_basket(db: &Db, gateway: &TestGateway, variants: &[i64]) {
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    for v in variants {
        cart::add(db, cart_id, *v, 1).await.expect("add");
    }
    let details = draft(db, cart_id, "US").await;
    placed_and_paid(db, gateway, cart_id, &details).await;
}

async fn pairs(db: &Db) -> Vec<(i64, i64, i64)> {
    sqlx::query_as("SELECT product_id, other_id, orders FROM co_purchases ORDER BY product_id, other_id")
        .fetch_all(db.pool())
        .await
        .expect("pairs")
}

fn ids(cards: &[model::catalog::ProductCard]) -> Vec<i64> {
    cards.iter().map(|c| c.id).collect()
}

async fn placed_unpaid(db: &Db, gateway: &TestGateway, variants: &[i64]) -> domain::workflows::place_order::Placed {
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    for v in variants {
        cart::add(db, cart_id, *v, 1).await.expect("add");
    }
    let details = draft(db, cart_id, "US").await;
    place(db, gateway, &domain::Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed")
}

async fn paid_baskets_count_once_and_agree_with_a_recount(db: Db) {
    let p = stocked(&db, 5).await;
    let ((a, va), (b, vb), (c, vc), (d, vd), (e, ve)) = (p[0], p[1], p[2], p[3], p[4]);
    let gateway = TestGateway::new(db.clone());
    paid_basket(&db, &gateway, &[va, vb, vc]).await;
    paid_basket(&db, &gateway, &[vc, vb, va]).await;
    paid_basket(&db, &gateway, &[va, vb]).await;
    paid_basket(&db, &gateway, &[va, vd]).await;
    // Placed and never paid: not bought.
    placed_unpaid(&db, &gateway, &[va, ve]).await;

    let counted = pairs(&db).await;
    let mut expected = vec![
        (a, b, 3),
        (b, a, 3),
        (a, c, 2),
        (c, a, 2),
        (b, c, 2),
        (c, b, 2),
        (a, d, 1),
        (d, a, 1),
    ];
    expected.sort();
    assert_eq!(counted, expected);
    let partners = |of: Vec<i64>| {
        let db = db.clone();
        async move { also_bought::partners(&db, &of, 10).await.expect("partners") }
    };
    assert_eq!(partners(vec![a]).await, vec![b, c], "d was bought with a once only");
    assert_eq!(partners(vec![a, b]).await, vec![c], "never what is asked about");
    assert!(partners(vec![d]).await.is_empty(), "one basket is never on show");
    assert!(partners(vec![e]).await.is_empty(), "an unpaid basket counts nothing");

    let found = also_bought::recount(&db).await.expect("recount");
    assert_eq!((found.groups, found.pairs), (4, 8));
    assert_eq!(
        pairs(&db).await,
        counted,
        "a recount from the orders finds what payments counted"
    );

    let shown = discovery::for_product(&db, a).await.expect("rows");
    assert_eq!(ids(&shown.also_bought), vec![b, c]);
    assert!(
        !ids(&shown.similar).iter().any(|id| [a, b, c].contains(id)),
        "a product is in one row at most, and never the product itself"
    );
    // Sold out: no longer offered.
    set_units(&db, vb, 0).await;
    let shown = discovery::for_product(&db, a).await.expect("rows");
    assert_eq!(ids(&shown.also_bought), vec![c]);
}

/// A payment arriving after the hold ran out and the stock went to someone else is refunded: its basket was never
/// bought, for the payment path and the recount alike.
async fn a_late_payment_refunded_for_want_of_stock_counts_nothing(db: Db) {
    let p = stocked(&db, 2).await;
    let ((a, va), (b, vb)) = (p[0], p[1]);
    set_units(&db, va, 1).await;
    let gateway = TestGateway::new(db.clone());
    let late = placed_unpaid(&db, &gateway, &[va, vb]).await;
    let after_hold = domain::platform::clock::now_ms() + domain::orders::HOLD_MS + 1_000;
    domain::workflows::expire_holds::expire_unpaid(&db, after_hold)
        .await
        .expect("expire");
    paid_basket(&db, &gateway, &[va, vb]).await;
    let event = gateway
        .pay(&session_of(&late.redirect_url), TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    let applied = domain::workflows::settle_payment::apply_event(&db, &event)
        .await
        .expect("apply");
    assert_eq!(
        applied,
        domain::workflows::settle_payment::Applied::MustRefund {
            group_id: late.group_id
        }
    );
    domain::workflows::settle_payment::refund_unfulfillable(&db, &gateway, late.group_id)
        .await
        .expect("refund");
    let counted = pairs(&db).await;
    assert_eq!(counted, vec![(a.min(b), a.max(b), 1), (a.max(b), a.min(b), 1)]);
    let found = also_bought::recount(&db).await.expect("recount");
    assert_eq!((found.groups, found.pairs), (1, 2));
    assert_eq!(pairs(&db).await, counted);
}

/// Two products with at least four variants each, every variant with 5 units: (product, its variants).
async fn with_variants(db: &Db) -> [(i64, Vec<i64>); 2] {
    domain::seed::seed(db, 80, 17).await.expect("seed");
    let products: Vec<i64> = sqlx::query_scalar(
        "SELECT p.id FROM products p JOIN variants v ON v.product_id = p.id WHERE p.status = 'active' \
         GROUP BY p.id HAVING COUNT(*) >= 4 ORDER BY p.id LIMIT 2",
    )
    .fetch_all(db.pool())
    .await
    .expect("products");
    assert_eq!(products.len(), 2, "the seed has two products with four variants");
    let mut out = Vec::new();
    for product in products {
        let variants: Vec<i64> = sqlx::query_scalar("SELECT id FROM variants WHERE product_id = $1 ORDER BY id")
            .bind(product)
            .fetch_all(db.pool())
            .await
            .expect("variants");
        for v in &variants {
            set_units(db, *v, 5).await;
        }
        out.push((product, variants));
    }
    [out[0].clone(), out[1].clone()]
}

/// Baskets of different variants of the same two products, so no stock row orders the payments: they meet first
/// on the pair rows.
async fn concurrent_payments_count_every_basket(db: Db) {
    let [(a, va), (b, vb)] = with_variants(&db).await;
    let gateway = TestGateway::new(db.clone());
    let mut events = Vec::new();
    for i in 0..4 {
        // Half the baskets hold them the other way round: the pairs' locks are still taken in one order.
        let basket = if i % 2 == 0 { [va[i], vb[i]] } else { [vb[i], va[i]] };
        let placed = placed_unpaid(&db, &gateway, &basket).await;
        let event = gateway
            .pay(&session_of(&placed.redirect_url), TEST_CARD_SUCCESS)
            .await
            .expect("pay")
            .expect("event");
        events.push(event);
    }
    // Each event twice (a provider delivers again), all at once.
    let applied = futures::future::join_all(
        events
            .iter()
            .chain(&events)
            .map(|event| domain::workflows::settle_payment::apply_event(&db, event)),
    )
    .await;
    assert!(applied.iter().all(Result::is_ok), "{applied:?}");
    assert_eq!(pairs(&db).await, vec![(a.min(b), a.max(b), 4), (a.max(b), a.min(b), 4)]);
}

async fn similar_items_share_the_category_and_the_most_attribute_values(db: Db) {
    domain::seed::seed(&db, 120, 19).await.expect("seed");
    // A category with at least four active products: the product, the one sharing a value, two others.
    let category: i64 = sqlx::query_scalar(
        "SELECT category_id FROM products WHERE status = 'active' GROUP BY category_id \
         HAVING COUNT(*) >= 4 ORDER BY COUNT(*) DESC, category_id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .expect("category");
    let members: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT p.id, MIN(v.id) FROM products p JOIN variants v ON v.product_id = p.id \
         WHERE p.status = 'active' AND p.category_id = $1 GROUP BY p.id, p.min_price ORDER BY p.min_price, p.id",
    )
    .bind(category)
    .fetch_all(db.pool())
    .await
    .expect("members");
    for (_, variant) in &members {
        set_units(&db, *variant, 5).await;
    }
    // The cheapest product and a far dearer one share the only value any of them has: price says "far", the
    // shared value wins. (Candidates are the 24 nearest in price on each side, so "far" stays within them.)
    let list = members
        .iter()
        .map(|(id, _)| id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    sqlx::query(&format!("DELETE FROM product_attributes WHERE product_id IN ({list})"))
        .execute(db.pool())
        .await
        .expect("no other values");
    let (cheapest, dearest) = (members[0].0, members[(members.len() - 1).min(20)].0);
    for product in [cheapest, dearest] {
        sqlx::query(
            "INSERT INTO product_attributes (product_id, name, value, position) VALUES ($1, 'Test mark', 'shared', 99)",
        )
        .bind(product)
        .execute(db.pool())
        .await
        .expect("attribute");
    }
    let shown = discovery::for_product(&db, cheapest).await.expect("rows");
    let similar = ids(&shown.similar);
    assert_eq!(similar.first(), Some(&dearest), "{similar:?}");
    assert!(!similar.contains(&cheapest));
    assert!(similar.len() <= discovery::SHOWN);
    let in_category: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM products WHERE category_id = {category} AND id IN ({})",
        similar.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    ))
    .fetch_one(db.pool())
    .await
    .expect("count");
    assert_eq!(in_category as usize, similar.len(), "all from the product's category");
}

async fn a_cart_is_offered_what_goes_with_it_and_nothing_it_holds(db: Db) {
    let p = stocked(&db, 4).await;
    let ((a, va), (b, vb), (c, vc), (_, vd)) = (p[0], p[1], p[2], p[3]);
    let gateway = TestGateway::new(db.clone());
    paid_basket(&db, &gateway, &[va, vb, vc]).await;
    paid_basket(&db, &gateway, &[va, vb, vc]).await;
    // One basket held d with both: (a, d) and (b, d) once each, which must not add up to "two orders".
    paid_basket(&db, &gateway, &[va, vb, vd]).await;
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    assert_eq!(
        discovery::for_cart(&db, cart_id).await.expect("empty cart"),
        model::catalog::Discovery::default()
    );
    cart::add(&db, cart_id, va, 1).await.expect("add");
    cart::add(&db, cart_id, vb, 1).await.expect("add");
    let shown = discovery::for_cart(&db, cart_id).await.expect("rows");
    assert_eq!(
        ids(&shown.also_bought),
        vec![c],
        "d was bought with each of them once only"
    );
    assert!(!ids(&shown.similar).iter().any(|id| [a, b, c].contains(id)));
}

/// Kept rows stay until what they show changes: the payment that puts a pair on show announces both products,
/// and dropping a product, or a candidate its rows were picked from, makes the next page read them afresh.
async fn kept_rows_follow_the_changes_announced(db: Db) {
    let p = stocked(&db, 2).await;
    let ((a, va), (b, vb)) = (p[0], p[1]);
    let gateway = TestGateway::new(db.clone());
    let kept = discovery::cache::RowsCache::new();
    assert!(kept.for_product(&db, a).await.expect("rows").also_bought.is_empty());

    for _ in 0..2 {
        paid_basket(&db, &gateway, &[va, vb]).await;
    }
    // The payment that put the pair on show announced both products in its transaction (what makes the indexer
    // drop their rows): the last outbox rows name them after the payment's own.
    let mut last: Vec<i64> = sqlx::query_scalar("SELECT product_id FROM search_outbox ORDER BY id DESC LIMIT 2")
        .fetch_all(db.pool())
        .await
        .expect("outbox");
    last.sort_unstable();
    let mut both = vec![a, b];
    both.sort_unstable();
    assert_eq!(last, both);
    assert_eq!(kept.len(), 1);
    assert!(
        kept.for_product(&db, a).await.expect("rows").also_bought.is_empty(),
        "kept until the indexer drops them"
    );
    kept.invalidate(&[i64::MAX]);
    assert_eq!(kept.len(), 1, "a product the rows do not depend on leaves them");
    kept.invalidate(&[a]);
    assert!(kept.is_empty());
    assert_eq!(ids(&kept.for_product(&db, a).await.expect("rows").also_bought), vec![b]);

    // b sells out: its change drops the rows it is a candidate of.
    set_units(&db, vb, 0).await;
    assert_eq!(
        ids(&kept.for_product(&db, a).await.expect("rows").also_bought),
        vec![b],
        "kept"
    );
    kept.invalidate(&[b]);
    assert!(kept.for_product(&db, a).await.expect("rows").also_bought.is_empty());
}

db_tests!(
    kept_rows_follow_the_changes_announced,
    paid_baskets_count_once_and_agree_with_a_recount,
    concurrent_payments_count_every_basket,
    similar_items_share_the_category_and_the_most_attribute_values,
    a_cart_is_offered_what_goes_with_it_and_nothing_it_holds,
    a_late_payment_refunded_for_want_of_stock_counts_nothing,
);
