//! Issue 22: notification preferences (decision 0045) — optional mail goes only while its kind is on (asked again
//! when it is sent, so a kind turned off stops what waits), carries its unsubscribe link, and a one-click
//! unsubscribe turns only that kind off; a delivery sends its email, the text asked for and, days later, a reminder
//! to review that a review drops; a wishlist price drop is mailed by the Omnibus rule; texts reach a provider
//! speaking Twilio's Messages API (a local fake: no provider can be reached from here), retried after a 429.

use std::sync::{Arc, Mutex};

use domain::notifications::texts::{HttpTexts, LogTexts};
use domain::notifications::{self, prefs, DevMailbox, Mail};
use domain::testing::seller_sets_price;
use domain::workflows::review_product;
use domain::Db;
use model::notifications::{NotificationSettings, Topic};
use model::reviews::ReviewForm;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::count;
use crate::reviews::delivered_with;
use crate::seller_orders::store_with_two_variants;

fn settings(review_reminders: bool, price_drops: bool, texts: bool, phone: &str) -> NotificationSettings {
    NotificationSettings {
        marketing: false,
        review_reminders,
        price_drops,
        texts,
        phone: phone.into(),
    }
}

async fn outbox(db: &Db, key_prefix: &str) -> Vec<(String, String, String, i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT to_addr, body, last_error, next_attempt_at, sent_at FROM mail_outbox WHERE dedupe_key LIKE $1 ORDER BY id",
    )
    .bind(format!("{key_prefix}%"))
    .fetch_all(db.pool())
    .await
    .expect("outbox")
}

async fn optional_mail_follows_the_settings_at_queue_and_at_send(db: Db) {
    let (user_id, _) = actors::shopper(&db).await;
    assert_eq!(
        prefs::settings(&db, user_id).await.expect("read"),
        NotificationSettings::default()
    );
    let refused = prefs::save(&db, user_id, &settings(true, true, true, "")).await;
    assert!(refused.is_err(), "texts need a number");
    assert!(prefs::save(&db, user_id, &settings(true, true, true, "+44 12"))
        .await
        .is_err());
    let saved = prefs::save(&db, user_id, &settings(true, true, true, "+44 (0) 7700-900123"))
        .await
        .expect("saved");
    assert_eq!(saved.phone, "+447700900123");

    let mail = Mail {
        to: "keeper@example.com".into(),
        subject: "Price drop".into(),
        body: "Cheaper now.\n".into(),
    };
    let mut tx = db.begin_write().await.expect("tx");
    let queued = notifications::enqueue_optional(&mut tx, "t:1", &mail, user_id, Topic::PriceDrops, 0)
        .await
        .expect("queue");
    let marketing = notifications::enqueue_optional(&mut tx, "t:2", &mail, user_id, Topic::Marketing, 0)
        .await
        .expect("queue");
    tx.commit().await.expect("commit");
    assert!(queued && !marketing, "marketing is off until the person turns it on");
    let body = &outbox(&db, "t:1").await[0].1;
    let token: String = sqlx::query_scalar("SELECT unsubscribe_token FROM notification_prefs WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(db.pool())
        .await
        .expect("token");
    assert!(
        body.contains(&format!("Turn them off: /unsubscribe/{token}/price-drops")),
        "{body}"
    );

    // Turned off after it was queued: it is withheld when its turn comes, and the outbox says why.
    assert!(prefs::unsubscribe(&db, &token, Topic::PriceDrops).await.expect("off"));
    assert!(
        !prefs::unsubscribe(&db, "0123456789abcdef0123456789abcdef", Topic::PriceDrops)
            .await
            .expect("unknown")
    );
    // Only this test's mail in the outbox (the account's confirmation link went out when it was made).
    sqlx::query("DELETE FROM mail_outbox WHERE dedupe_key NOT LIKE 't:%'")
        .execute(db.pool())
        .await
        .expect("clear");
    let mailbox = DevMailbox::new(db.clone());
    assert_eq!(
        notifications::deliver_due(&db, &mailbox, 10).await.expect("deliver"),
        (0, 0)
    );
    let row = &outbox(&db, "t:1").await[0];
    assert!(row.4.is_some() && row.2.starts_with("withheld"), "{row:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM dev_mailbox").await, 0);
    let now = prefs::settings(&db, user_id).await.expect("read");
    assert!(
        !now.price_drops && now.review_reminders && now.texts,
        "only that kind is off: {now:?}"
    );
}

async fn a_delivery_mails_texts_and_reminds_to_review_until_a_review_comes(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (user_id, shopper) = actors::shopper(&db).await;
    prefs::save(&db, user_id, &settings(true, true, true, "+1 415 555 0100"))
        .await
        .expect("saved");
    let (order_id, number) = delivered_with(&db, &shopper, store, (kettle, 1), |_| {}).await;

    let delivered = outbox(&db, &format!("delivered:{order_id}")).await;
    assert_eq!(delivered.len(), 1);
    assert!(
        delivered[0].1.contains(&format!("Your order {number} from ")),
        "{}",
        delivered[0].1
    );
    let texts = outbox(&db, "shipment-text:").await;
    assert_eq!(texts.len(), 1, "one text when it shipped");
    assert_eq!(texts[0].0, "+14155550100");
    let text = &outbox(&db, &format!("delivered-text:{order_id}")).await[0];
    assert!(text.1.contains(&number) && text.1.chars().count() <= 160, "{}", text.1);
    let reminder = &outbox(&db, &format!("review-reminder:{order_id}")).await[0];
    let days = (reminder.3 - domain::platform::clock::now_ms()) as f64 / 86_400_000.0;
    assert!((2.9..=3.0).contains(&days), "the reminder waits three days: {days}");
    assert!(
        reminder.1.contains("/account/reviews") && reminder.1.contains("/unsubscribe/"),
        "{}",
        reminder.1
    );

    // Texts go through their own channel: the mailer never sees them, the text sender does.
    let mailbox = DevMailbox::new(db.clone());
    notifications::deliver_due(&db, &mailbox, 50).await.expect("mail");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM dev_mailbox WHERE to_addr LIKE '+%'").await,
        0
    );
    assert_eq!(
        notifications::deliver_texts_due(&db, &LogTexts, 50)
            .await
            .expect("texts"),
        (2, 0)
    );

    // A review of the order before the reminder's day drops it.
    let form = ReviewForm {
        stars: "5".into(),
        title: "Lovely".into(),
        body: "Boils fast.".into(),
    };
    review_product::write(&db, &shopper, order_id, kettle, &form)
        .await
        .expect("review");
    assert!(outbox(&db, &format!("review-reminder:{order_id}")).await.is_empty());
}

async fn a_wishlist_price_drop_is_mailed_once_by_the_omnibus_rule(db: Db) {
    let (_, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(kettle)
        .fetch_one(db.pool())
        .await
        .expect("product");
    let (keen, _) = actors::shopper(&db).await;
    let (quiet, _) = actors::shopper(&db).await;
    prefs::save(&db, quiet, &settings(true, false, false, ""))
        .await
        .expect("off");
    for user in [keen, quiet] {
        let (list, _) = domain::wishlist::for_session(&db, &actors::of_user(&db, user).await, None, true)
            .await
            .expect("list");
        domain::wishlist::keep(&db, list.expect("a list"), product)
            .await
            .expect("kept");
    }
    let price: i64 = sqlx::query_scalar("SELECT price FROM variants WHERE id = $1")
        .bind(kettle)
        .fetch_one(db.pool())
        .await
        .expect("price");
    // A raise is no drop; back down to where it was within 30 days is no drop either.
    seller_sets_price(&db, kettle, price + 1_000).await;
    seller_sets_price(&db, kettle, price).await;
    assert!(outbox(&db, "price-drop:").await.is_empty());
    // Below every price of the 30 days: one mail, to the account that wants it, saved twice or not.
    seller_sets_price(&db, kettle, price - 500).await;
    seller_sets_price(&db, kettle, price - 500).await;
    let mails = outbox(&db, "price-drop:").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let keen_email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(keen)
        .fetch_one(db.pool())
        .await
        .expect("email");
    assert_eq!(mails[0].0, keen_email);
    assert!(
        mails[0].1.contains("its lowest price in the 30 days before was"),
        "{}",
        mails[0].1
    );
}

db_tests!(
    optional_mail_follows_the_settings_at_queue_and_at_send,
    a_delivery_mails_texts_and_reminds_to_review_until_a_review_comes,
    a_wishlist_price_drop_is_mailed_once_by_the_omnibus_rule,
);

/// What the fake provider was sent.
#[derive(Default)]
struct Provider {
    requests: Vec<(String, String, String)>,
}

/// A local server answering like the provider's Messages API: 429 to the first request, 201 after.
async fn spawn_provider() -> (String, Arc<Mutex<Provider>>) {
    use axum::http::{HeaderMap, StatusCode, Uri};
    let state = Arc::new(Mutex::new(Provider::default()));
    let seen = state.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
        let seen = seen.clone();
        async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let mut provider = seen.lock().expect("lock");
            provider.requests.push((uri.path().to_string(), auth, body));
            if provider.requests.len() == 1 {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    r#"{"code": 20429, "message": "Too Many Requests", "status": 429}"#,
                )
            } else {
                (StatusCode::CREATED, r#"{"sid": "SM0123", "status": "queued"}"#)
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (base, state)
}

async fn texts_reach_the_provider_once_after_a_429(db: Db) {
    let (base, provider) = spawn_provider().await;
    let texts = HttpTexts::new(
        &base,
        "AC0123",
        "secret-token",
        "+15005550006",
        Some("https://shop.example"),
    )
    .expect("provider");
    assert!(
        !format!("{texts:?}").contains("secret-token"),
        "the token is never printed"
    );
    assert!(
        HttpTexts::new(&base, "AC/../x", "t", "+1", None).is_err(),
        "an account id is letters and digits"
    );
    let (user_id, _) = actors::shopper(&db).await;
    prefs::save(&db, user_id, &settings(true, true, true, "+447700900123"))
        .await
        .expect("saved");
    let mut tx = db.begin_write().await.expect("tx");
    let text = "Bazaar: your order BZ-1 has shipped. Follow it: /orders/BZ-1";
    assert!(notifications::enqueue_text(&mut tx, "text:1", user_id, text)
        .await
        .expect("queued"));
    assert!(!notifications::enqueue_text(&mut tx, "text:1", user_id, text)
        .await
        .expect("deduped"));
    tx.commit().await.expect("commit");

    let first = notifications::deliver_texts_due(&db, &texts, 10)
        .await
        .expect("attempt");
    assert_eq!(first, (0, 1), "the 429 is a failure to retry");
    let error: String = sqlx::query_scalar("SELECT last_error FROM mail_outbox WHERE dedupe_key = 'text:1'")
        .fetch_one(db.pool())
        .await
        .expect("row");
    assert!(
        error.contains("429") && error.contains("20429 Too Many Requests"),
        "{error}"
    );
    sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0 WHERE dedupe_key = 'text:1'")
        .execute(db.pool())
        .await
        .expect("due again");
    assert_eq!(
        notifications::deliver_texts_due(&db, &texts, 10).await.expect("retry"),
        (1, 0)
    );
    assert_eq!(
        notifications::deliver_texts_due(&db, &texts, 10)
            .await
            .expect("nothing"),
        (0, 0)
    );

    let provider = provider.lock().expect("lock");
    assert_eq!(provider.requests.len(), 2);
    let (path, auth, body) = &provider.requests[1];
    assert_eq!(path, "/2010-04-01/Accounts/AC0123/Messages.json");
    assert_eq!(auth, &base64_check::basic("AC0123", "secret-token"));
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    assert!(form.contains(&("To".into(), "+447700900123".into())), "{form:?}");
    assert!(form.contains(&("From".into(), "+15005550006".into())), "{form:?}");
    assert!(
        form.contains(&(
            "Body".into(),
            "Bazaar: your order BZ-1 has shipped. Follow it: https://shop.example/orders/BZ-1".into()
        )),
        "paths become full links: {form:?}"
    );
}

db_tests!(texts_reach_the_provider_once_after_a_429);

/// HTTP basic credentials as RFC 7617 spells them, written out here so the test does not trust the client's own.
mod base64_check {
    pub fn basic(user: &str, password: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let bytes = format!("{user}:{password}").into_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        format!("Basic {out}")
    }
}
