//! Issue 22: store ratings (decision 0046) — one per delivered seller order by its buyer, changed by its author,
//! the store's aggregate set in the rating's transaction (ratings given at once all counted), refused for anyone
//! else's order, an undelivered one or after 100 days; and search's "store rated N stars & up" filter and facet,
//! from the index and from the database alike, without re-indexing a product.

use domain::catalog::{parse_search, RawSearch};
use domain::reviews::ReviewError;
use domain::search::{self, SearchIndex, TantivyIndex};
use domain::workflows::review_product::rate_store;
use domain::{seed, Db};
use model::catalog::FacetKind;
use model::reviews::StoreRatingForm;

use crate::db_tests;
use crate::harness::actors;
use crate::reviews::delivered_with;
use crate::seller_orders::store_with_two_variants;

fn form(stars: &str, comment: &str) -> StoreRatingForm {
    StoreRatingForm {
        stars: stars.into(),
        comment: comment.into(),
    }
}

async fn aggregate(db: &Db, store: i64) -> (i64, i64) {
    sqlx::query_as("SELECT rating_sum, rating_count FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("aggregate")
}

async fn a_buyer_rates_the_store_of_a_delivered_order_once_and_may_change_it(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 20).await;
    let (_, ada) = actors::shopper(&db).await;
    let (order, _) = delivered_with(&db, &ada, store, (kettle, 1), |_| {}).await;
    let (_, other) = actors::shopper(&db).await;

    assert!(matches!(
        rate_store(&db, &ada, order, &form("6", "")).await,
        Err(ReviewError::Invalid(_))
    ));
    assert!(matches!(
        rate_store(&db, &ada, order, &form("4", &"x".repeat(501))).await,
        Err(ReviewError::Invalid(_))
    ));
    assert!(matches!(
        rate_store(&db, &other, order, &form("1", "")).await,
        Err(ReviewError::NotFound)
    ));
    // A store's seller who bought from their own store cannot rate it.
    let seller = actors::seller_of(&db, store).await;
    let (own, _) = delivered_with(&db, &seller, store, (kettle, 1), |_| {}).await;
    assert!(matches!(
        rate_store(&db, &seller, own, &form("5", "")).await,
        Err(ReviewError::NotAllowed(_))
    ));
    assert!(matches!(
        rate_store(&db, &domain::Actor::visitor(), order, &form("1", "")).await,
        Err(ReviewError::NotFound)
    ));
    let (slug, new) = rate_store(&db, &ada, order, &form("4", "Well packed.\r\nFast."))
        .await
        .expect("rated");
    assert!(new && !slug.is_empty());
    assert_eq!(aggregate(&db, store).await, (4, 1));
    let (_, new) = rate_store(&db, &ada, order, &form("2", "Second thoughts"))
        .await
        .expect("changed");
    assert!(!new, "one rating per order: changed, not added");
    assert_eq!(aggregate(&db, store).await, (2, 1));
    let page = domain::reviews::store_ratings::for_store(&db, &slug)
        .await
        .expect("page");
    assert_eq!((page.summary.count, page.summary.by_stars[1]), (1, 1));
    assert_eq!(page.recent[0].comment, "Second thoughts");
    assert!(
        !page.recent[0].author.contains('@'),
        "a first name and an initial, never the email"
    );

    // An order not delivered yet cannot be rated; after 100 days a first rating is refused, a change is not.
    let cart = domain::cart::create_guest_cart(&db).await.expect("cart");
    domain::cart::add(&db, cart, kettle, 1).await.expect("add");
    let details = crate::harness::fixtures::draft(&db, cart, "US").await;
    let gateway = domain::payments::TestGateway::new(db.clone());
    crate::harness::fixtures::placed_and_paid_by(&db, &gateway, &ada, cart, &details).await;
    let paid: i64 = sqlx::query_scalar("SELECT MAX(id) FROM orders WHERE seller_id = $1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("order");
    assert!(matches!(
        rate_store(&db, &ada, paid, &form("5", "")).await,
        Err(ReviewError::NotFound)
    ));
    let (late, _) = delivered_with(&db, &ada, store, (kettle, 1), |_| {}).await;
    sqlx::query("UPDATE order_events SET created_at = created_at - $1 WHERE order_id IN ($2, $3)")
        .bind(101 * 86_400_000_i64)
        .bind(late)
        .bind(order)
        .execute(db.pool())
        .await
        .expect("long ago");
    assert!(matches!(
        rate_store(&db, &ada, late, &form("5", "")).await,
        Err(ReviewError::NotAllowed(_))
    ));
    rate_store(&db, &ada, order, &form("3", ""))
        .await
        .expect("an existing rating can still change");
    assert_eq!(aggregate(&db, store).await, (3, 1));
}

async fn ratings_given_at_once_are_all_counted(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 40).await;
    let mut orders = Vec::new();
    for _ in 0..4 {
        let (_, shopper) = actors::shopper(&db).await;
        let (order, _) = delivered_with(&db, &shopper, store, (kettle, 1), |_| {}).await;
        orders.push((shopper, order));
    }
    // Each buyer rates twice at once (a double click), all at the same time.
    let mut tasks = Vec::new();
    for (i, (shopper, order)) in orders.iter().enumerate() {
        for _ in 0..2 {
            let (db, shopper, order) = (db.clone(), *shopper, *order);
            let stars = (i + 2).to_string();
            tasks.push(tokio::spawn(async move {
                rate_store(&db, &shopper, order, &form(&stars, "")).await
            }));
        }
    }
    for task in tasks {
        task.await.expect("join").expect("rated");
    }
    assert_eq!(aggregate(&db, store).await, (2 + 3 + 4 + 5, 4));
}

async fn search_filters_and_counts_stores_by_their_rating(db: Db) {
    seed::seed(&db, 200, 11).await.expect("seed");
    let index = TantivyIndex::in_memory().expect("index");
    search::reindex(&db, &index).await.expect("reindex");
    let stores: Vec<i64> = sqlx::query_scalar("SELECT id FROM sellers ORDER BY id LIMIT 3")
        .fetch_all(db.pool())
        .await
        .expect("stores");
    // Averages 4.5, 4.0 and 3.9: the aggregate as the rating workflow leaves it.
    for (store, (sum, count)) in stores.iter().zip([(9, 2), (8, 2), (39, 10)]) {
        sqlx::query("UPDATE sellers SET rating_sum = $1, rating_count = $2 WHERE id = $3")
            .bind(sum)
            .bind(count)
            .bind(store)
            .execute(db.pool())
            .await
            .expect("rated");
    }
    let products_of = |ids: &[i64]| {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        format!("SELECT COUNT(*) FROM products WHERE status = 'active' AND seller_id IN ({list})")
    };
    let four_up = crate::harness::fixtures::count(&db, &products_of(&stores[..2])).await;
    let three_up = crate::harness::fixtures::count(&db, &products_of(&stores)).await;
    assert!(
        four_up > 0 && three_up > four_up,
        "the fixture has products in each store"
    );

    let query = |pairs: &[(&str, &str)]| parse_search(&RawSearch::from_pairs(pairs.iter().copied())).expect("valid");
    let rated = query(&[("store_rating", "4"), ("per_page", "100")]);
    let found = search::search(&db, &index, &rated).await.expect("search");
    assert_eq!(found.total, four_up);
    assert!(!found.degraded);
    let facet = found
        .facets
        .iter()
        .find(|f| f.kind == FacetKind::StoreRating)
        .expect("store facet");
    let counts: Vec<(String, u64, bool)> = facet
        .values
        .iter()
        .map(|v| (v.value.clone(), v.count, v.selected))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("4".into(), four_up as u64, true),
            ("3".into(), three_up as u64, false),
            ("2".into(), three_up as u64, false),
            ("1".into(), three_up as u64, false)
        ]
    );
    let seller_facet = found
        .facets
        .iter()
        .find(|f| f.kind == FacetKind::Seller)
        .expect("seller facet");
    assert_eq!(seller_facet.values.len(), 2, "only the stores rated 4 and up");

    // A chosen store below the rating: nothing; the database answers the same as the index.
    let slug: String = sqlx::query_scalar("SELECT slug FROM sellers WHERE id = $1")
        .bind(stores[2])
        .fetch_one(db.pool())
        .await
        .expect("slug");
    let none = query(&[("store_rating", "4"), ("seller", &slug)]);
    let empty = search::search(&db, &index, &none).await.expect("search");
    assert_eq!(empty.total, 0);
    // Both chosen values stay on show at 0: the page says which filter emptied it.
    for kind in [FacetKind::StoreRating, FacetKind::Seller] {
        let facet = empty.facets.iter().find(|f| f.kind == kind).expect("facet");
        let chosen: Vec<(u64, bool)> = facet
            .values
            .iter()
            .filter(|v| v.selected)
            .map(|v| (v.count, v.selected))
            .collect();
        assert_eq!(chosen, vec![(0, true)], "{kind:?}");
    }
    assert!(
        parse_search(&RawSearch::from_pairs([("store_rating", "5")])).is_err(),
        "1 to 4 stars"
    );
    index.set_ready(false);
    let from_db = search::search(&db, &index, &rated).await.expect("fallback");
    assert!(from_db.degraded);
    assert_eq!(from_db.total, four_up);
    assert_eq!(search::search(&db, &index, &none).await.expect("fallback").total, 0);
}

db_tests!(
    a_buyer_rates_the_store_of_a_delivered_order_once_and_may_change_it,
    ratings_given_at_once_are_all_counted,
    search_filters_and_counts_stores_by_their_rating,
);
