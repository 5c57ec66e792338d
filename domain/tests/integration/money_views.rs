//! Product page views for the sales dashboard's conversion: counted in memory, written in one transaction per
//! flush to the products' days (an unknown slug writes nothing), counted exactly under concurrent callers, and
//! divided into the orders by the dashboard; and the store's health: paid orders cancelled, per order.

use std::sync::Arc;

use domain::money::views::ViewCounter;
use domain::Db;
use model::money::{conversion, SalesRange};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::count;
use crate::seller_orders::{paid_order, store_with_two_variants};

async fn slug_of_variant(db: &Db, variant: i64) -> (i64, String) {
    sqlx::query_as("SELECT p.id, p.slug FROM products p JOIN variants v ON v.product_id = p.id WHERE v.id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("product")
}

async fn views_become_conversion_on_the_dashboard(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 10).await;
    let (kettle_product, kettle_slug) = slug_of_variant(&db, kettle).await;
    let (_, mug_slug) = slug_of_variant(&db, mug).await;
    let views = Arc::new(ViewCounter::new());

    // Eight callers at once, 250 views each, and a slug no product has.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (views, slug) = (views.clone(), kettle_slug.clone());
            tokio::spawn(async move {
                for _ in 0..250 {
                    views.count(&slug);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("counted");
    }
    views.count(&mug_slug);
    views.count("no-such-product");
    assert_eq!(views.flush(&db).await.expect("flushed"), 3);
    assert_eq!(views.flush(&db).await.expect("nothing new"), 0);
    let written = count(&db, "SELECT CAST(SUM(views) AS BIGINT) FROM product_daily_sales").await;
    assert_eq!(written, 2001, "every view of a real product, once");

    // Two orders of the kettle: 2 of 2,000 views.
    paid_order(&db, &[(kettle, 1)], "Vera View").await;
    paid_order(&db, &[(kettle, 2), (mug, 1)], "Otto Order").await;
    let seller = actors::seller_of(&db, store).await;
    let range = SalesRange {
        range: "7".into(),
        ..SalesRange::default()
    };
    let dashboard = domain::money::dashboard::screen(&db, &seller, &range)
        .await
        .expect("dashboard");
    assert_eq!(dashboard.views, 2001);
    let top = &dashboard.viewed[0];
    assert_eq!(
        (top.product_id, top.views, top.orders, top.units),
        (kettle_product, 2000, 2, 3)
    );
    assert_eq!(conversion(top.orders, top.views), "0.1 %");
    assert!(dashboard
        .top
        .iter()
        .any(|t| t.product_id == kettle_product && t.views == 2000));
}

async fn a_paid_order_cancelled_counts_in_the_stores_health(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 10).await;
    let seller = actors::seller_of(&db, store).await;
    let gateway = domain::payments::TestGateway::new(db.clone());
    let (_, cancelled) = paid_order(&db, &[(kettle, 2)], "Cass Cancel").await;
    paid_order(&db, &[(mug, 1)], "Kim Keep").await;
    paid_order(&db, &[(mug, 1)], "Kit Keep").await;
    let whole = crate::money_ledger::units_form(&[(kettle, 2)], "out_of_stock");
    let kind = domain::orders::refunds::RefundKind::Cancel;
    domain::workflows::refund_order::by_store(&db, &gateway, &seller, &cancelled, kind, &whole)
        .await
        .expect("cancelled");
    let range = SalesRange::default();
    let d = domain::money::dashboard::screen(&db, &seller, &range)
        .await
        .expect("dashboard");
    assert_eq!((d.current.orders, d.current.cancelled, d.current.returns), (3, 1, 0));
    assert_eq!(
        model::money::rate_tenths(d.current.cancelled, d.current.orders),
        Some(333)
    );
}

db_tests!(
    views_become_conversion_on_the_dashboard,
    a_paid_order_cancelled_counts_in_the_stores_health
);
