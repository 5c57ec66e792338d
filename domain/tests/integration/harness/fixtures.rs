//! Fixtures shared by the domain tests: a seeded catalog with two sellers' stocked variants, checkout details
//! chosen from the quote, keys and the test gateway's session ids.

use domain::checkout;
use domain::checkout::review::Reviewed;
use domain::{cart, seed, Db};
use model::orders::CheckoutDraft;

pub async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.expect("count")
}

pub async fn available(db: &Db, variant: i64) -> i64 {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(available), 0) AS BIGINT) FROM stock WHERE variant_id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("stock")
}

/// Two in-stock variants of two sellers, each with `units` in one warehouse and none elsewhere.
pub async fn two_sellers(db: &Db, units: i64) -> (i64, i64) {
    seed::seed(db, 40, 11).await.expect("seed");
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT v.id, p.seller_id FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE p.status = 'active' ORDER BY v.id",
    )
    .fetch_all(db.pool())
    .await
    .expect("variants");
    let a = rows[0];
    let b = rows.iter().find(|r| r.1 != a.1).copied().expect("another seller");
    for variant in [a.0, b.0] {
        set_units(db, variant, units).await;
    }
    (a.0, b.0)
}

pub async fn set_units(db: &Db, variant: i64, units: i64) {
    sqlx::query("UPDATE stock SET available = 0 WHERE variant_id = $1")
        .bind(variant)
        .execute(db.pool())
        .await
        .expect("zero");
    sqlx::query(
        "UPDATE stock SET available = $1 WHERE variant_id = $2 \
         AND warehouse_id = (SELECT MIN(warehouse_id) FROM stock WHERE variant_id = $2)",
    )
    .bind(units)
    .bind(variant)
    .execute(db.pool())
    .await
    .expect("units");
}

/// Checkout details choosing each seller's first shipping option for `country` (as offered by the quote).
pub async fn draft(db: &Db, cart_id: i64, country: &str) -> CheckoutDraft {
    let mut details = CheckoutDraft {
        email: "buyer@example.com".into(),
        name: "Grace Hopper".into(),
        line1: "1 Compiler Way".into(),
        line2: String::new(),
        city: "Arlington".into(),
        postal: "22201".into(),
        country: country.into(),
        phone: "+1 555 010 0199".into(),
        shipping: Vec::new(),
        promo: String::new(),
        errors: Vec::new(),
    };
    let view = cart::view(db, cart_id).await.expect("cart");
    let quote = checkout::quote(db, &view, &details, None, true).await.expect("quote");
    details.shipping = quote
        .groups
        .iter()
        .filter_map(|g| Some((g.seller_id, g.options.first()?.rate_id)))
        .collect();
    details
}

pub fn key() -> String {
    format!("test-key-{:032x}", rand::random::<u128>())
}

pub fn session_of(url: &str) -> String {
    url.trim_start_matches("/pay/test/").to_string()
}

/// What the review page shows for this cart and these details now: what a shopper "saw" before placing the
/// order (the figures `place_order` compares with what it is about to charge).
pub async fn reviewed(db: &Db, actor: &domain::Actor, cart_id: i64, details: &CheckoutDraft) -> Reviewed {
    // An empty cart has no review: nothing was seen (placing it is refused as empty first).
    checkout::review(db, actor, Some(cart_id), details, true)
        .await
        .expect("review")
        .map_or_else(Reviewed::default, |quote| Reviewed::of(&quote))
}

pub use domain::testing::{seller_counts, seller_sets_price, seller_sets_status};

/// Places the cart's order as a shopper does: the review page's figures first, then "Place order" with them.
pub async fn place(
    db: &Db,
    gateway: &dyn domain::payments::PaymentGateway,
    actor: &domain::Actor,
    cart_id: i64,
    details: &CheckoutDraft,
    key: &str,
) -> Result<domain::workflows::place_order::Placed, checkout::CheckoutError> {
    let seen = reviewed(db, actor, cart_id, details).await;
    domain::workflows::place_order::place_order(db, gateway, actor, cart_id, details, &seen, key).await
}

/// Places the cart's order as a guest and pays it with the test gateway's approved card, the payment's event
/// applied as the provider would deliver it.
pub async fn placed_and_paid(
    db: &Db,
    gateway: &domain::payments::TestGateway,
    cart_id: i64,
    details: &CheckoutDraft,
) -> domain::workflows::place_order::Placed {
    placed_and_paid_by(db, gateway, &domain::Actor::visitor(), cart_id, details).await
}

/// [`placed_and_paid`] by `actor` (a signed-in shopper's order).
pub async fn placed_and_paid_by(
    db: &Db,
    gateway: &domain::payments::TestGateway,
    actor: &domain::Actor,
    cart_id: i64,
    details: &CheckoutDraft,
) -> domain::workflows::place_order::Placed {
    let placed = place(db, gateway, actor, cart_id, details, &key())
        .await
        .expect("placed");
    pay(db, gateway, &placed).await;
    placed
}

/// Pays a placed order with the test gateway's approved card, the payment's event applied as the provider would
/// deliver it.
pub async fn pay(db: &Db, gateway: &domain::payments::TestGateway, placed: &domain::workflows::place_order::Placed) {
    let event = gateway
        .pay(&session_of(&placed.redirect_url), domain::payments::TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    domain::workflows::settle_payment::apply_event(db, &event)
        .await
        .expect("paid");
}

/// A seeded catalog of `products` and its first two stores, each with an account running it.
pub async fn two_stores(db: &Db, products: usize) -> ((i64, domain::Actor), (i64, domain::Actor)) {
    seed::seed(db, products, 21).await.expect("seed");
    let stores: Vec<i64> = sqlx::query_scalar("SELECT id FROM sellers ORDER BY id LIMIT 2")
        .fetch_all(db.pool())
        .await
        .expect("stores");
    let a = crate::harness::actors::seller_of(db, stores[0]).await;
    let b = crate::harness::actors::seller_of(db, stores[1]).await;
    ((stores[0], a), (stores[1], b))
}

/// The audit log's entries of `action`, newest first, as `admin` reads them.
pub async fn audit_entries(
    db: &Db,
    admin: &domain::Actor,
    action: model::admin::AuditAction,
) -> Vec<model::admin::AuditEntryView> {
    let filter = model::admin::AuditFilter {
        action: action.as_str().into(),
        ..model::admin::AuditFilter::default()
    };
    domain::admin::audit::search(db, admin, &filter, "")
        .await
        .expect("log")
        .entries
}
