use domain::catalog::{self, parse_search, CatalogError, RawSearch};
use domain::seed::{self, SeedError};
use domain::Db;
use model::catalog::{SearchQuery, Sort};

use crate::db_tests;

async fn seeded(db: &Db) {
    let report = seed::seed(db, 60, 42).await.expect("seed");
    assert_eq!(report.products, 60);
    assert_eq!(report.sellers, 20);
    assert!(report.categories >= 12, "{report:?}");
}

fn query(pairs: &[(&str, &str)]) -> SearchQuery {
    parse_search(&RawSearch::from_pairs(pairs.iter().copied())).expect("valid query")
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.expect("count")
}

async fn unfiltered_search_lists_every_active_product_in_pages(db: Db) {
    seeded(&db).await;
    let first = catalog::search(&db, &query(&[("per_page", "25")]))
        .await
        .expect("search");
    assert_eq!(first.total, 60);
    assert_eq!(first.items.len(), 25);
    let third = catalog::search(&db, &query(&[("per_page", "25"), ("page", "3")]))
        .await
        .expect("search");
    assert_eq!(third.items.len(), 10);
    let first_ids: Vec<i64> = first.items.iter().map(|p| p.id).collect();
    assert!(third.items.iter().all(|p| !first_ids.contains(&p.id)));
}

async fn a_root_category_includes_its_subcategories(db: Db) {
    seeded(&db).await;
    let results = catalog::search(&db, &query(&[("category", "fashion"), ("per_page", "100")]))
        .await
        .expect("search");
    let brute = count(
        &db,
        "SELECT COUNT(*) FROM products p JOIN categories c ON c.id = p.category_id \
         JOIN categories r ON r.id = c.parent_id WHERE r.slug = 'fashion'",
    )
    .await;
    assert_eq!(results.total, brute);
    assert!(brute > 0);
    assert!(results
        .items
        .iter()
        .all(|p| ["t-shirts", "jackets", "shoes"].contains(&p.category_slug.as_str())));
    let unknown = catalog::search(&db, &query(&[("category", "no-such-category")]))
        .await
        .expect("search");
    assert_eq!(unknown.total, 0);
}

async fn price_range_and_words_narrow_the_results(db: Db) {
    seeded(&db).await;
    let results = catalog::search(
        &db,
        &query(&[("price_min", "20"), ("price_max", "100"), ("per_page", "100")]),
    )
    .await
    .expect("search");
    let brute = count(
        &db,
        "SELECT COUNT(*) FROM products WHERE min_price >= 2000 AND min_price <= 10000",
    )
    .await;
    assert_eq!(results.total, brute);
    assert!(results.items.iter().all(|p| (2000..=10000).contains(&p.price.amount)));

    let word = catalog::search(&db, &query(&[("q", "HEADPHONES"), ("per_page", "100")]))
        .await
        .expect("search");
    let brute = count(
        &db,
        "SELECT COUNT(*) FROM products WHERE search_text LIKE '%headphones%'",
    )
    .await;
    assert_eq!(word.total, brute);
    // A LIKE wildcard typed by a visitor is matched literally.
    let percent = catalog::search(&db, &query(&[("q", "%")])).await.expect("search");
    assert_eq!(percent.total, 0);
}

async fn sorting_by_price_orders_the_listing(db: Db) {
    seeded(&db).await;
    let asc = catalog::search(&db, &query(&[("sort", "price_asc"), ("per_page", "100")]))
        .await
        .expect("search");
    assert!(asc.items.windows(2).all(|w| w[0].price.amount <= w[1].price.amount));
    let desc = catalog::search(&db, &query(&[("sort", "price_desc"), ("per_page", "100")]))
        .await
        .expect("search");
    assert!(desc.items.windows(2).all(|w| w[0].price.amount >= w[1].price.amount));
    let rated = catalog::search(
        &db,
        &SearchQuery {
            sort: Sort::Rating,
            per_page: 100,
            page: 1,
            ..Default::default()
        },
    )
    .await
    .expect("search");
    let ratings: Vec<f32> = rated.items.iter().filter_map(|p| p.rating).collect();
    assert!(ratings.windows(2).all(|w| w[0] >= w[1]), "{ratings:?}");
}

async fn a_product_page_has_variants_stock_attributes_and_breadcrumbs(db: Db) {
    seeded(&db).await;
    let card = catalog::search(&db, &query(&[("per_page", "1")]))
        .await
        .expect("search")
        .items
        .remove(0);
    let detail = catalog::product_by_slug(&db, &card.slug).await.expect("product");
    assert_eq!(detail.card.id, card.id);
    assert!(!detail.variants.is_empty());
    for v in &detail.variants {
        let stock: i64 =
            sqlx::query_scalar("SELECT CAST(COALESCE(SUM(available), 0) AS BIGINT) FROM stock WHERE variant_id = $1")
                .bind(v.id)
                .fetch_one(db.pool())
                .await
                .expect("stock");
        assert_eq!(v.available, stock, "{}", v.sku);
        assert_eq!(v.options.len(), 1);
    }
    assert_eq!(
        detail.card.price.amount,
        detail.variants.iter().map(|v| v.price.amount).min().expect("variant")
    );
    assert_eq!(detail.attributes.first().map(|a| a.0.as_str()), Some("Brand"));
    assert_eq!(detail.breadcrumbs.len(), 2);
    assert_eq!(detail.breadcrumbs[1].slug, card.category_slug);
    assert!(matches!(
        catalog::product_by_slug(&db, "no-such-product").await,
        Err(CatalogError::NotFound)
    ));
    assert_eq!(
        catalog::product_by_id(&db, card.id).await.expect("by id").card.slug,
        card.slug
    );
}

async fn seeding_refuses_a_catalog_that_has_products(db: Db) {
    seeded(&db).await;
    assert!(matches!(seed::seed(&db, 5, 1).await, Err(SeedError::NotEmpty)));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM products").await, 60);
}

async fn a_store_lists_only_its_own_products(db: Db) {
    seeded(&db).await;
    let slug: String = sqlx::query_scalar(
        "SELECT s.slug FROM sellers s JOIN products p ON p.seller_id = s.id GROUP BY s.slug ORDER BY COUNT(*) DESC, s.slug LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .expect("busiest seller");
    let store = catalog::seller_by_slug(&db, &slug)
        .await
        .expect("query")
        .expect("store");
    assert_eq!(store.slug, slug);
    let results = catalog::search(&db, &query(&[("seller", slug.as_str()), ("per_page", "100")]))
        .await
        .expect("search");
    let brute: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM products p JOIN sellers s ON s.id = p.seller_id WHERE s.slug = $1")
            .bind(&slug)
            .fetch_one(db.pool())
            .await
            .expect("count");
    assert_eq!(results.total, brute);
    assert!(results.items.iter().all(|p| p.seller_slug == slug));
    assert!(catalog::seller_by_slug(&db, "no-such-store")
        .await
        .expect("query")
        .is_none());
}

db_tests!(
    a_store_lists_only_its_own_products,
    unfiltered_search_lists_every_active_product_in_pages,
    a_root_category_includes_its_subcategories,
    price_range_and_words_narrow_the_results,
    sorting_by_price_orders_the_listing,
    a_product_page_has_variants_stock_attributes_and_breadcrumbs,
    seeding_refuses_a_catalog_that_has_products,
);
