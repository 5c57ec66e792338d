//! Issue 20: a store's orders over HTTP — its own seller reads and ships them; another store's seller gets 404
//! and changes nothing; a shopper is sent to apply; a visitor to sign in; the shopper's email never shows.

use reqwest::{Client, StatusCode};

use crate::on_both_databases;
use crate::orders::{pay, place_order, signed_up, OWNER, SHIP_NAME};
use crate::sellers::post_form;
use crate::support::{demo, location, TestApp};

/// The first store's (seller1's) first active variant, with 10 units in stock.
pub(crate) async fn first_store_variant(app: &TestApp) -> i64 {
    let variant: i64 = sqlx::query_scalar(
        "SELECT MIN(v.id) FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE p.status = 'active' AND p.seller_id = (SELECT MIN(id) FROM sellers)",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("variant");
    sqlx::query("UPDATE stock SET available = 10 WHERE variant_id = $1")
        .bind(variant)
        .execute(app.db.pool())
        .await
        .expect("stock");
    variant
}

/// A paid order of one unit of the first store's (seller1's) first stocked variant: its store order's number and
/// that line's variant.
pub(crate) async fn paid_store_order(app: &TestApp) -> (String, i64) {
    let variant = first_store_variant(app).await;
    let buyer = signed_up(app, OWNER).await;
    let session = place_order(app, &buyer, OWNER, variant).await;
    let group = pay(app, &buyer, &session).await.number;
    let number: String = sqlx::query_scalar(
        "SELECT o.number FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE g.number = $1",
    )
    .bind(&group)
    .fetch_one(app.db.pool())
    .await
    .expect("store order");
    (number, variant)
}

/// The forms the order's page posts, as a browser sends them: a shipment of its one unit (with `key`), a cancel
/// of that unit, a message holding a phone number.
fn forms(number: &str, variant: i64, key: &str) -> [Vec<(String, String)>; 3] {
    let pairs = |fields: &[(&str, &str)]| {
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let variant = variant.to_string();
    [
        pairs(&[
            ("number", number),
            ("key", key),
            ("carrier", "ups"),
            ("tracking", "1Z999AA10123456784"),
            ("variant[0]", &variant),
            ("qty[0]", "1"),
        ]),
        pairs(&[
            ("number", number),
            ("kind", "cancel"),
            ("key", "c-probe"),
            ("variant[0]", &variant),
            ("qty[0]", "1"),
            ("reason", "out_of_stock"),
        ]),
        pairs(&[("number", number), ("key", "m-probe"), ("body", "call 555 123 4567")]),
    ]
}

async fn a_stores_orders_are_its_own(app: &TestApp) {
    let (number, variant) = paid_store_order(app).await;
    others_are_told_nothing(app, &number, variant).await;
    its_seller_works_it(app, &number, variant).await;
}

/// Another store's seller, a shopper and a visitor: not found (or sent away), and nothing changes.
async fn others_are_told_nothing(app: &TestApp, number: &str, variant: i64) {
    let path = format!("/seller/orders/{number}");
    let ship = |key: &str| forms(number, variant, key)[0].clone();
    let [_, cancel, note] = forms(number, variant, "");
    // Another store's seller: not found, and nothing ships.
    let other = demo(app, "seller2").await;
    assert_eq!(
        other.get(app.url(&path)).send().await.expect("get").status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_form(app, &other, "ship_order", &ship("k-other"), "application/json")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    for slip in [format!("{path}/slip"), format!("/seller/orders/slips?n={number}")] {
        let answer = other.get(app.url(&slip)).send().await.expect("slip");
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{slip}");
    }
    let list = other.get(app.url("/seller/orders?tab=all")).send().await.expect("list");
    assert!(!list.text().await.expect("body").contains(number));
    // A shopper is sent to apply; a visitor to sign in.
    let shopper = signed_up(app, "orders-probe@example.com").await;
    assert_eq!(
        location(&shopper.get(app.url(&path)).send().await.expect("get")),
        "/sell"
    );
    assert_eq!(
        post_form(app, &shopper, "ship_order", &ship("k-shopper"), "application/json")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let visitor = app.client().get(app.url(&path)).send().await.expect("get");
    assert!(location(&visitor).starts_with("/login?next="), "{}", location(&visitor));
    let shipped: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shipments")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(shipped, 0);
    for probe in [&other, &shopper] {
        let answer = post_form(app, probe, "refund_order", &cancel, "application/json").await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    }
    // The return steps and the shopper's returns page: another store's seller and a stranger are told nothing.
    for (endpoint, fields) in [
        ("decide_return", vec![("decision", "approve")]),
        ("receive_return", vec![("restock", "on")]),
        ("refund_return", vec![]),
        ("replace_return", vec![("carrier", "ups"), ("tracking", "1Z1")]),
        ("accept_order", vec![]),
    ] {
        let mut form = vec![
            ("number".to_string(), number.to_string()),
            ("id".to_string(), "1".to_string()),
        ];
        form.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let answer = post_form(app, &other, endpoint, &form, "application/json").await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{endpoint}");
    }
    let group: String = sqlx::query_scalar(
        "SELECT g.number FROM order_groups g JOIN orders o ON o.group_id = g.id WHERE o.number = $1",
    )
    .bind(number)
    .fetch_one(app.db.pool())
    .await
    .expect("group");
    for page in [
        format!("/orders/{group}/returns/{number}"),
        format!("/orders/{group}/messages/{number}"),
    ] {
        let strange = shopper.get(app.url(&page)).send().await.expect("get");
        assert_eq!(strange.status(), StatusCode::NOT_FOUND, "another account's {page}");
    }
    let answer = post_form(app, &other, "store_message", &note, "application/json").await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND, "another store writes nothing");
    let admin_list = shopper.get(app.url("/admin/messages")).send().await.expect("get");
    assert_eq!(admin_list.status(), StatusCode::FORBIDDEN, "admins only");
    let refunds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_refunds")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(refunds, 0, "no refund claimed by another store or a shopper");
    promo_codes_are_not_theirs(app, number, &other, &shopper).await;
}

/// The first store's promo codes: another store's seller and a shopper pause none; a shopper has no page.
async fn promo_codes_are_not_theirs(app: &TestApp, number: &str, other: &Client, shopper: &Client) {
    let code: i64 = sqlx::query_scalar(
        "SELECT MIN(p.id) FROM promo_codes p JOIN orders o ON o.seller_id = p.seller_id WHERE o.number = $1",
    )
    .bind(number)
    .fetch_one(app.db.pool())
    .await
    .expect("a code of the store");
    let pause = vec![
        ("id".to_string(), code.to_string()),
        ("pause".to_string(), "1".to_string()),
    ];
    for probe in [other, shopper] {
        let answer = post_form(app, probe, "pause_promotion", &pause, "application/json").await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(
        location(&shopper.get(app.url("/seller/promotions")).send().await.expect("get")),
        "/sell"
    );
    let paused: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM promo_codes WHERE paused_at IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(paused, 0, "no code paused by a stranger");
}

/// The store's own seller reads, ships, refunds and writes about the order; the email never shows.
async fn its_seller_works_it(app: &TestApp, number: &str, variant: i64) {
    let path = format!("/seller/orders/{number}");
    let ship = |key: &str| forms(number, variant, key)[0].clone();
    let [_, cancel, note] = forms(number, variant, "");
    // The store's own seller: the order with the shopper's name and no email; the navigation counts it.
    let seller = demo(app, "seller1").await;
    let page = seller.get(app.url(&path)).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let body = page.text().await.expect("body");
    assert!(
        body.contains(SHIP_NAME) && !body.contains(OWNER),
        "the name, never the email"
    );
    let list = seller.get(app.url("/seller/orders")).send().await.expect("list");
    let list = list.text().await.expect("body");
    assert!(
        list.contains(number) && list.contains("to ship</span>"),
        "listed and counted"
    );
    assert!(!list.contains(OWNER));
    let answer = post_form(app, &seller, "ship_order", &ship("k-mine"), "application/json").await;
    assert!(answer.status().is_success(), "{}", answer.status());
    let page = seller
        .get(app.url(&path))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("https://www.ups.com/track?tracknum=1Z999AA10123456784"));
    assert!(page.contains("Mark delivered"));
    // The packing slip: the barcode drawn from the number, the name and address, never the email.
    let slip = seller.get(app.url(&format!("{path}/slip"))).send().await.expect("slip");
    assert_eq!(slip.status(), StatusCode::OK);
    let slip = slip.text().await.expect("body");
    assert!(slip.contains("<svg") && slip.contains(&format!("Barcode of order {number}")));
    assert!(slip.contains(SHIP_NAME) && !slip.contains(OWNER));
    // A refund of the shipped unit, as the form posts it: the page shows it, never the email.
    let mut refund = cancel.clone();
    refund[1].1 = "refund".into();
    refund[2].1 = "r-mine".into();
    refund[5].1 = "damaged".into();
    let answer = post_form(app, &seller, "refund_order", &refund, "text/html").await;
    assert_eq!(location(&answer), format!("{path}?done=refunded"));
    let page = seller
        .get(app.url(&path))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("Refunded by the seller: 1 ×") && !page.contains(OWNER));
    // A message that holds a phone number: sent, flagged on the page, listed for admins, escaped everywhere.
    let mut message = note.clone();
    message[1].1 = "m-mine".into();
    message[2].1 = "<script>alert(1)</script> call 555 123 4567".into();
    let answer = post_form(app, &seller, "store_message", &message, "text/html").await;
    assert_eq!(location(&answer), format!("{path}?done=sent"));
    let page = seller
        .get(app.url(&path))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("This message holds a phone number") && !page.contains("<script>alert(1)"));
    let admin = demo(app, "admin").await;
    let flagged = admin.get(app.url("/admin/messages")).send().await.expect("get");
    assert_eq!(flagged.status(), StatusCode::OK);
    let flagged = flagged.text().await.expect("body");
    assert!(flagged.contains(number) && flagged.contains("&lt;script&gt;") && !flagged.contains(OWNER));
}

on_both_databases!(a_stores_orders_are_its_own);
