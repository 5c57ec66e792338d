//! Who may see and change what, over HTTP against the real router: an order belongs to its account or to whoever
//! holds its link's token, a test-gateway payment session to whoever holds its unguessable id, a cart to the
//! session it is in. Each test checks the exact answer to the intruder and, in the database, that nothing moved;
//! where it helps, the owner then does the same thing successfully, so a refusal cannot pass for a broken feature.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::support::{location, seeded_app, TestApp};

pub(crate) const OWNER: &str = "owner@example.com";
const OTHER: &str = "other@example.com";
const GUEST: &str = "guest-buyer@example.com";
/// The delivery name and street of every test order: what must never show to someone else.
pub(crate) const SHIP_NAME: &str = "Ada Private-Buyer";
pub(crate) const SHIP_LINE1: &str = "12 Hidden Mews";
/// The test gateway's card that is approved.
const CARD_APPROVED: &str = "4242424242424242";

/// `count` variants of active products, each with 10 units in every warehouse.
pub(crate) async fn stocked_variants(app: &TestApp, count: usize) -> Vec<i64> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'active' \
         ORDER BY v.id LIMIT $1",
    )
    .bind(count as i64)
    .fetch_all(app.db.pool())
    .await
    .expect("variants");
    assert_eq!(ids.len(), count, "the seed has too few variants");
    for id in &ids {
        sqlx::query("UPDATE stock SET available = 10 WHERE variant_id = $1")
            .bind(*id)
            .execute(app.db.pool())
            .await
            .expect("stock");
    }
    ids
}

pub(crate) async fn signed_up(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    assert_eq!(app.register(&client, email).await.status(), StatusCode::OK);
    client
}

/// Through the shop's own server functions, as the pages call them: one of `variant` into this visitor's cart,
/// the details with each seller's first shipping option, the order placed. Answers the test gateway's session id
/// (the payment page is `/pay/test/{session}`).
pub(crate) async fn place_order(app: &TestApp, client: &Client, email: &str, variant: i64) -> String {
    // The review page's idempotency key: 16 to 64 letters, digits, '-' or '_'.
    let key = format!("http-test-{:032x}", rand::random::<u128>());
    let placed = submit_order(app, client, email, variant, &key).await;
    assert_eq!(placed.status(), StatusCode::OK);
    location(&placed)
        .strip_prefix("/pay/test/")
        .expect("sent to the test gateway's page")
        .to_string()
}

/// `place_order`'s steps up to the review page, then `place_order` with `key`: the raw answer.
pub(crate) async fn submit_order(
    app: &TestApp,
    client: &Client,
    email: &str,
    variant: i64,
    key: &str,
) -> reqwest::Response {
    checkout_details(app, client, email, variant).await;
    app.place(client, key).await
}

/// One of `variant` into the cart and the checkout details filled in (each seller's first shipping option).
pub(crate) async fn checkout_details(app: &TestApp, client: &Client, email: &str, variant: i64) {
    let variant = variant.to_string();
    let added = app
        .call(client, "cart_add", &[("variant", &variant), ("quantity", "1")])
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let checkout = app.call(client, "checkout_data", &[]).await;
    assert_eq!(checkout.status(), StatusCode::OK);
    let checkout: Value = checkout.json().await.expect("json");
    let shipping: Vec<(String, String)> = checkout["quote"]["groups"]
        .as_array()
        .expect("a quote for the cart")
        .iter()
        .map(|group| {
            let seller = group["seller_id"].as_i64().expect("seller");
            let rate = group["options"][0]["rate_id"].as_i64().expect("a shipping option");
            (format!("ship[s{seller}]"), rate.to_string())
        })
        .collect();
    let mut form = vec![
        ("email", email),
        ("name", SHIP_NAME),
        ("line1", SHIP_LINE1),
        ("city", "Arlington"),
        ("postal", "22201"),
        ("country", "US"),
    ];
    form.extend(shipping.iter().map(|(field, rate)| (field.as_str(), rate.as_str())));
    let details = app.call(client, "checkout_details", &form).await;
    assert_eq!(details.status(), StatusCode::OK);
    assert_eq!(location(&details), "/checkout/review", "the details were refused");
}

/// An order as its shopper comes back to it from the payment page.
pub(crate) struct Order {
    pub(crate) number: String,
    /// The guest link's token (`None` when the gateway sends an account back without one).
    token: Option<String>,
}

/// Pays a test-gateway session with the approved card; the order's number and token come from where the gateway
/// sends the shopper back (`/orders/{number}?token={token}&placed=1` for a guest).
pub(crate) async fn pay(app: &TestApp, client: &Client, session: &str) -> Order {
    let paid = app
        .call(client, "test_pay", &[("session", session), ("card", CARD_APPROVED)])
        .await;
    assert_eq!(paid.status(), StatusCode::OK);
    let back = location(&paid);
    let (path, query) = back.split_once('?').unwrap_or((back.as_str(), ""));
    let number = path
        .strip_prefix("/orders/")
        .unwrap_or_else(|| panic!("not sent back to the order: {back:?}"));
    assert!(query.split('&').any(|pair| pair == "placed=1"), "{back:?}");
    Order {
        number: number.to_string(),
        token: query
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .map(str::to_string),
    }
}

async fn paid_order(app: &TestApp, client: &Client, email: &str, variant: i64) -> Order {
    let session = place_order(app, client, email, variant).await;
    pay(app, client, &session).await
}

/// What an owner check protects about one order group, as stored.
#[derive(Debug, PartialEq)]
struct Stored {
    group: String,
    /// Each seller order: number, status, refunded amount.
    orders: Vec<(String, String, i64)>,
    /// Each payment: status, refunded amount.
    payments: Vec<(String, i64)>,
    /// The test gateway's sessions: id, status.
    sessions: Vec<(String, String)>,
    /// Shop-wide: refunds the test gateway made, payment events received, cancellation mails queued.
    gateway_refunds: i64,
    payment_events: i64,
    cancellation_mails: i64,
}

async fn stored(app: &TestApp, number: &str) -> Stored {
    let pool = app.db.pool();
    let count =
        |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.expect("count") };
    Stored {
        group: sqlx::query_scalar("SELECT status FROM order_groups WHERE number = $1")
            .bind(number)
            .fetch_one(pool)
            .await
            .expect("group"),
        orders: sqlx::query_as(
            "SELECT o.number, o.status, o.refunded FROM orders o JOIN order_groups g ON g.id = o.group_id \
             WHERE g.number = $1 ORDER BY o.number",
        )
        .bind(number)
        .fetch_all(pool)
        .await
        .expect("orders"),
        payments: sqlx::query_as(
            "SELECT p.status, p.refunded FROM payments p JOIN order_groups g ON g.id = p.group_id \
             WHERE g.number = $1 ORDER BY p.id",
        )
        .bind(number)
        .fetch_all(pool)
        .await
        .expect("payments"),
        sessions: sqlx::query_as(
            "SELECT s.id, s.status FROM test_gateway_sessions s JOIN payments p ON p.id = s.payment_id \
             JOIN order_groups g ON g.id = p.group_id WHERE g.number = $1 ORDER BY s.id",
        )
        .bind(number)
        .fetch_all(pool)
        .await
        .expect("sessions"),
        gateway_refunds: count("SELECT COUNT(*) FROM test_gateway_refunds").await,
        payment_events: count("SELECT COUNT(*) FROM payment_events").await,
        cancellation_mails: count("SELECT COUNT(*) FROM mail_outbox WHERE dedupe_key LIKE 'order-refund:%'").await,
    }
}

async fn cart_contents(app: &TestApp, client: &Client) -> Value {
    let response = app.call(client, "cart_contents", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

async fn cart_lines(app: &TestApp, cart_id: i64) -> Vec<(i64, i64)> {
    sqlx::query_as("SELECT variant_id, quantity FROM cart_lines WHERE cart_id = $1 ORDER BY variant_id")
        .bind(cart_id)
        .fetch_all(app.db.pool())
        .await
        .expect("lines")
}

#[tokio::test]
async fn another_account_cannot_open_someone_elses_order() {
    let app = seeded_app().await;
    let variants = stocked_variants(&app, 1).await;
    let owner = signed_up(&app, OWNER).await;
    let order = paid_order(&app, &owner, OWNER, variants[0]).await;
    let path = format!("/orders/{}", order.number);
    // The owner's account is enough, without the link's token.
    let own = owner.get(app.url(&path)).send().await.expect("get");
    assert_eq!(own.status(), StatusCode::OK);
    assert!(own.text().await.expect("body").contains(SHIP_LINE1));

    let other = signed_up(&app, OTHER).await;
    let page = other.get(app.url(&path)).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let html = page.text().await.expect("body");
    assert!(html.contains("We could not find that page"));
    for secret in [OWNER, SHIP_NAME, SHIP_LINE1] {
        assert!(!html.contains(secret), "the order page leaked {secret}");
    }
    // The same answer as for an order number that does not exist.
    let missing = other.get(app.url("/orders/BZ-NNNNNNNN")).send().await.expect("get");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // The page's data, as the hydrated page asks for it, and the account's history.
    let data = app.call(&other, "order_data", &[("number", &order.number)]).await;
    assert_eq!(data.status(), StatusCode::NOT_FOUND);
    let body = data.text().await.expect("body");
    for secret in [OWNER, SHIP_NAME, SHIP_LINE1] {
        assert!(!body.contains(secret), "order_data leaked {secret}: {body}");
    }
    let history = app.call(&other, "order_history", &[]).await;
    assert_eq!(history.status(), StatusCode::OK);
    assert_eq!(history.json::<Value>().await.expect("json"), json!([]));
}

#[tokio::test]
async fn another_account_cannot_cancel_someone_elses_order() {
    let app = seeded_app().await;
    let variants = stocked_variants(&app, 1).await;
    let owner = signed_up(&app, OWNER).await;
    let order = paid_order(&app, &owner, OWNER, variants[0]).await;
    let seller_order = format!("{}-1", order.number);
    let back = format!("/orders/{}", order.number);
    let before = stored(&app, &order.number).await;
    assert_eq!(before.group, "paid");
    assert_eq!(before.orders, [(seller_order.clone(), "paid".to_string(), 0)]);
    assert_eq!(before.payments, [("succeeded".to_string(), 0)]);
    assert_eq!(before.gateway_refunds, 0);

    let other = signed_up(&app, OTHER).await;
    let form = [
        ("number", order.number.as_str()),
        ("order", seller_order.as_str()),
        ("token", ""),
    ];
    // As the hydrated page calls it: 404 (cancel_order flashes the error and still answers the redirect back).
    let scripted = app.call(&other, "cancel_order", &form).await;
    assert_eq!(scripted.status(), StatusCode::NOT_FOUND);
    assert_eq!(location(&scripted), back);
    // As the page's plain form posts it: a 302 back to the order page, which is a 404 for them.
    let posted = app.submit(&other, "cancel_order", &form).await;
    assert_eq!(posted.status(), StatusCode::FOUND);
    assert_eq!(location(&posted), back);
    let followed = other.get(app.url(&back)).send().await.expect("get");
    assert_eq!(followed.status(), StatusCode::NOT_FOUND);
    // A made-up token is no way in either.
    let guessed_token = "0".repeat(32);
    let guessed = app
        .call(
            &other,
            "cancel_order",
            &[
                ("number", &order.number),
                ("order", &seller_order),
                ("token", &guessed_token),
            ],
        )
        .await;
    assert_eq!(guessed.status(), StatusCode::NOT_FOUND);
    assert_eq!(location(&guessed), format!("{back}?token={guessed_token}"));

    assert_eq!(stored(&app, &order.number).await, before);
    let page = owner.get(app.url(&back)).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(
        html.contains(&format!("Cancel order {seller_order}")),
        "no longer cancellable"
    );
    assert!(!html.contains("Cancelled by the shopper"));

    // The owner's own cancel goes through: the refusals above were the owner check, not a broken cancel.
    let own = app.call(&owner, "cancel_order", &form).await;
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(location(&own), back);
    let after = stored(&app, &order.number).await;
    assert_eq!(after.group, "cancelled");
    assert_eq!(after.orders[0].1, "cancelled");
    assert_eq!(after.gateway_refunds, 1);
    assert_eq!(after.cancellation_mails, 1);
}

#[tokio::test]
async fn a_guest_order_opens_only_with_its_own_token() {
    let app = seeded_app().await;
    let variants = stocked_variants(&app, 2).await;
    let order = paid_order(&app, &app.client(), GUEST, variants[0]).await;
    let second = paid_order(&app, &app.client(), "second-guest@example.com", variants[1]).await;
    let token = order.token.clone().expect("a guest's link carries its token");
    let second_token = second.token.clone().expect("a guest's link carries its token");
    assert_ne!(token, second_token);
    let path = format!("/orders/{}", order.number);
    let before = stored(&app, &order.number).await;
    assert_eq!(before.group, "paid");

    let stranger = app.client();
    let another_orders_token = format!("?token={second_token}");
    let cut_short = format!("?token={}", &token[..token.len() - 1]);
    for query in [
        "",
        "?token=",
        "?token=wrong",
        another_orders_token.as_str(),
        cut_short.as_str(),
    ] {
        let page = stranger
            .get(app.url(&format!("{path}{query}")))
            .send()
            .await
            .expect("get");
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{query}");
        let html = page.text().await.expect("body");
        for secret in [GUEST, SHIP_NAME, SHIP_LINE1] {
            assert!(!html.contains(secret), "{query} leaked {secret}");
        }
    }
    // Being signed in is no substitute for the token of a guest's order.
    let account = signed_up(&app, OTHER).await;
    let page = account.get(app.url(&path)).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let data = app
        .call(
            &stranger,
            "order_data",
            &[("number", &order.number), ("token", "wrong")],
        )
        .await;
    assert_eq!(data.status(), StatusCode::NOT_FOUND);
    // Nor does another order's token cancel it.
    let cancel = app
        .call(
            &stranger,
            "cancel_order",
            &[
                ("number", &order.number),
                ("order", &format!("{}-1", order.number)),
                ("token", &second_token),
            ],
        )
        .await;
    assert_eq!(cancel.status(), StatusCode::NOT_FOUND);
    assert_eq!(stored(&app, &order.number).await, before);

    // The link's own token opens it, for anyone who has the link.
    let page = stranger
        .get(app.url(&format!("{path}?token={token}")))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(html.contains(&format!("Order {}", order.number)));
    assert!(html.contains(SHIP_LINE1));
}

#[tokio::test]
async fn nobody_can_pay_or_cancel_a_payment_session_by_guessing_its_id() {
    let app = seeded_app().await;
    let variants = stocked_variants(&app, 1).await;
    let owner = signed_up(&app, OWNER).await;
    let session = place_order(&app, &owner, OWNER, variants[0]).await;
    // tgs_{payment id}_{32 random hex digits}: the payment id is guessable, the rest is not.
    let (prefix, random) = session.rsplit_once('_').expect("a random part");
    assert_eq!(random.len(), 32, "{session}");
    let number: String = sqlx::query_scalar(
        "SELECT g.number FROM order_groups g JOIN payments p ON p.group_id = g.id WHERE p.provider_ref = $1",
    )
    .bind(&session)
    .fetch_one(app.db.pool())
    .await
    .expect("the session's order");
    let before = stored(&app, &number).await;
    assert_eq!(before.group, "pending_payment");
    assert_eq!(before.payments, [("pending".to_string(), 0)]);
    assert_eq!(before.sessions, [(session.clone(), "open".to_string())]);
    assert_eq!(before.payment_events, 0);

    let other = signed_up(&app, OTHER).await;
    let guesses = [
        format!("{prefix}_{}", "0".repeat(32)),
        prefix.to_string(),
        format!("{prefix}_{}", &random[..31]),
    ];
    for guess in &guesses {
        let paid = app
            .call(&other, "test_pay", &[("session", guess), ("card", CARD_APPROVED)])
            .await;
        assert_eq!(paid.status(), StatusCode::NOT_FOUND, "{guess}");
        assert_eq!(location(&paid), "", "{guess}");
        let page = other
            .get(app.url(&format!("/pay/test/{guess}")))
            .send()
            .await
            .expect("get");
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{guess}");
        // "Cancel and return to the shop" on a session that is not there: the page's usual answer, and nothing
        // cancelled.
        let cancelled = app.call(&other, "test_cancel", &[("session", guess)]).await;
        assert_eq!(cancelled.status(), StatusCode::OK, "{guess}");
        assert_eq!(location(&cancelled), "/checkout/review", "{guess}");
    }
    assert_eq!(stored(&app, &number).await, before);

    // The owner's session still pays.
    let order = pay(&app, &owner, &session).await;
    assert_eq!(order.number, number);
    let after = stored(&app, &number).await;
    assert_eq!(after.group, "paid");
    assert_eq!(after.sessions, [(session, "succeeded".to_string())]);
}

#[tokio::test]
async fn another_visitor_cannot_change_someone_elses_cart() {
    let app = seeded_app().await;
    let variants: Vec<String> = stocked_variants(&app, 3).await.iter().map(i64::to_string).collect();
    let (x, y, z) = (variants[0].as_str(), variants[1].as_str(), variants[2].as_str());
    let owner = signed_up(&app, OWNER).await;
    for (variant, quantity) in [(x, "2"), (y, "1")] {
        let added = app
            .call(&owner, "cart_add", &[("variant", variant), ("quantity", quantity)])
            .await;
        assert_eq!(added.status(), StatusCode::OK);
    }
    let before = cart_contents(&app, &owner).await;
    assert_eq!(before["item_count"], 3);
    let owner_cart: i64 =
        sqlx::query_scalar("SELECT c.id FROM carts c JOIN users u ON u.id = c.user_id WHERE u.email = $1")
            .bind(OWNER)
            .fetch_one(app.db.pool())
            .await
            .expect("the owner's cart");
    let lines_before = cart_lines(&app, owner_cart).await;
    assert_eq!(lines_before.len(), 2);

    let other = signed_up(&app, OTHER).await;
    let added = app.call(&other, "cart_add", &[("variant", z), ("quantity", "1")]).await;
    assert_eq!(added.status(), StatusCode::OK);
    // A cart id in the form is not read: the cart is the session's.
    let named = owner_cart.to_string();
    let named = named.as_str();
    let changed = app
        .call(
            &other,
            "cart_update",
            &[("variant", x), ("quantity", "5"), ("cart", named), ("cart_id", named)],
        )
        .await;
    // Their own cart has no such line.
    assert_eq!(changed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = changed.json().await.expect("json");
    assert_eq!(body["Validation"][0]["field"], "variant", "{body}");
    // Quantity 0 and "Remove" act on their own cart: nothing to take out there; their own count comes back.
    let attempts: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "cart_update",
            vec![("variant", x), ("quantity", "0"), ("cart_id", named)],
        ),
        ("cart_remove", vec![("variant", x), ("cart_id", named)]),
        ("cart_remove", vec![("variant", y), ("cart_id", named)]),
    ];
    for (endpoint, form) in &attempts {
        let response = app.call(&other, endpoint, form).await;
        assert_eq!(response.status(), StatusCode::OK, "{endpoint}");
        assert_eq!(response.json::<Value>().await.expect("json"), json!(1), "{endpoint}");
    }
    // A visitor with no cart at all: nothing to update, nothing removed, no cart made.
    let stranger = app.client();
    let update = app
        .call(&stranger, "cart_update", &[("variant", x), ("quantity", "5")])
        .await;
    assert_eq!(update.status(), StatusCode::NOT_FOUND);
    let remove = app.call(&stranger, "cart_remove", &[("variant", x)]).await;
    assert_eq!(remove.status(), StatusCode::OK);
    assert_eq!(remove.json::<Value>().await.expect("json"), json!(0));

    assert_eq!(cart_contents(&app, &owner).await, before);
    assert_eq!(cart_lines(&app, owner_cart).await, lines_before);
    assert_eq!(
        owner.get(app.url("/cart")).send().await.expect("get").status(),
        StatusCode::OK
    );
    assert_eq!(cart_contents(&app, &other).await["item_count"], 1);
    assert_eq!(cart_contents(&app, &stranger).await["item_count"], 0);
    let carts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM carts")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(carts, 2);
}
