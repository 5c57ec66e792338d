//! Issue 22: reviews over HTTP — the buyer's form to the product page (escaped, the cached page refreshed), the
//! store's one reply, "helpful" from another account, and who reaches which review screen.

use std::time::Duration;

use reqwest::{Client, StatusCode};

use crate::on_both_databases;
use crate::orders::{pay, place_order, signed_up};
use crate::seller_orders::first_store_variant;
use crate::support::{demo, eventually, location, TestApp};

/// A new account that bought one unit of the first store's first variant, delivered: the client, the store
/// order's id, the variant and the product's slug.
async fn delivered_buyer(app: &TestApp, email: &str) -> (Client, i64, i64, String) {
    let variant = first_store_variant(app).await;
    let buyer = signed_up(app, email).await;
    let session = place_order(app, &buyer, email, variant).await;
    let group = pay(app, &buyer, &session).await.number;
    let (order_id, number, store): (i64, String, i64) = sqlx::query_as(
        "SELECT o.id, o.number, o.seller_id FROM orders o JOIN order_groups g ON g.id = o.group_id \
         WHERE g.number = $1",
    )
    .bind(&group)
    .fetch_one(app.db.pool())
    .await
    .expect("store order");
    // The store's own demo seller (seller1) ships it, as its portal would.
    domain::seed::demo_accounts(&app.db).await.expect("demo accounts");
    let owner: i64 = sqlx::query_scalar("SELECT user_id FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_one(app.db.pool())
        .await
        .expect("owner");
    let seller = domain::accounts::find_user(&app.db, owner)
        .await
        .expect("find")
        .expect("seller")
        .actor();
    let form = domain::workflows::ship_order::ShipForm {
        key: format!("ship-{order_id}"),
        carrier: "ups".into(),
        tracking_number: "1Z999AA10123456784".into(),
        lines: vec![(variant, "1".into())],
    };
    domain::workflows::ship_order::ship(&app.db, &seller, &number, &form)
        .await
        .expect("ship");
    domain::workflows::ship_order::mark_delivered(&app.db, &seller, &number)
        .await
        .expect("delivered");
    let slug: String =
        sqlx::query_scalar("SELECT p.slug FROM products p JOIN variants v ON v.product_id = p.id WHERE v.id = $1")
            .bind(variant)
            .fetch_one(app.db.pool())
            .await
            .expect("slug");
    (buyer, order_id, variant, slug)
}

async fn a_review_reaches_the_product_page_escaped_and_its_store_replies_once(app: &TestApp) {
    let (buyer, order, variant, slug) = delivered_buyer(app, "reviewer@example.com").await;
    let product_page = format!("/p/{slug}");
    // The page is cached before the review: writing it must refresh the cached page.
    let before = app.page(&app.client(), &product_page).await;
    assert!(before.contains("Customer reviews"));

    let list = app.page(&buyer, "/account/reviews").await;
    assert!(list.contains("Write a review"), "the delivered item waits for a review");
    let (order, variant) = (order.to_string(), variant.to_string());
    let refused = app
        .call(
            &buyer,
            "write_review",
            &[("order", &order), ("variant", &variant), ("stars", "9"), ("title", "x")],
        )
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a wrong rating is a field error"
    );
    let title = "<script>alert(1)</script> Solid kettle";
    let written = app
        .submit(
            &buyer,
            "write_review",
            &[
                ("order", &order),
                ("variant", &variant),
                ("stars", "5"),
                ("title", title),
                ("body", "Line one\r\nLine two"),
            ],
        )
        .await;
    assert_eq!(written.status(), StatusCode::FOUND);
    assert!(
        location(&written).starts_with("/account/reviews?saved=new"),
        "{}",
        location(&written)
    );
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; Solid kettle";
    eventually(
        Duration::from_secs(10),
        "the cached product page shows the review",
        || async { app.page(&app.client(), &product_page).await.contains(escaped) },
    )
    .await;
    let page = app.page(&app.client(), &product_page).await;
    assert!(!page.contains("<script>alert(1)"), "never as markup");
    assert!(page.contains("Verified purchase"));
    let id: i64 = sqlx::query_scalar("SELECT id FROM reviews WHERE demo = 0")
        .fetch_one(app.db.pool())
        .await
        .expect("review");

    // Another account finds it helpful; the buyer cannot vote on their own.
    let reader = signed_up(app, "reader@example.com").await;
    let voted = app
        .submit(&reader, "mark_review_helpful", &[("review", &id.to_string())])
        .await;
    assert_eq!(location(&voted), format!("{product_page}?thanks=helpful#review-{id}"));
    let own = app
        .call(&buyer, "mark_review_helpful", &[("review", &id.to_string())])
        .await;
    assert_eq!(own.status(), StatusCode::CONFLICT);
    let anonymous = app
        .call(&app.client(), "mark_review_helpful", &[("review", &id.to_string())])
        .await;
    assert_eq!(
        anonymous.status(),
        StatusCode::CONFLICT,
        "a visitor is asked to sign in"
    );

    eventually(Duration::from_secs(10), "the cached page counts the vote", || async {
        app.page(&app.client(), &product_page).await.contains("Helpful (1)")
    })
    .await;

    // The store replies once, from its portal; the cached page (just filled again above) shows it.
    let seller = demo(app, "seller1").await;
    let portal = app.page(&seller, "/seller/reviews?unanswered=1").await;
    assert!(portal.contains(escaped), "the store reads it, escaped");
    let replied = app
        .submit(
            &seller,
            "reply_to_review",
            &[("review", &id.to_string()), ("reply", "Thank you!")],
        )
        .await;
    assert_eq!(replied.status(), StatusCode::FOUND);
    let again = app
        .call(
            &seller,
            "reply_to_review",
            &[("review", &id.to_string()), ("reply", "Again")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let stranger = app
        .call(
            &reader,
            "reply_to_review",
            &[("review", &id.to_string()), ("reply", "Me too")],
        )
        .await;
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
    eventually(Duration::from_secs(10), "the reply shows", || async {
        app.page(&app.client(), &product_page).await.contains("Thank you!")
    })
    .await;
}

async fn review_screens_are_for_their_roles(app: &TestApp) {
    let anonymous = app.client();
    for path in [
        "/account/reviews",
        "/account/reviews/write?order=1&variant=1",
        "/seller/reviews",
        "/admin/reviews",
    ] {
        let answer = anonymous.get(app.url(path)).send().await.expect("get");
        assert_eq!(answer.status(), StatusCode::FOUND, "{path}");
        assert!(location(&answer).starts_with("/login?next="), "{path}");
    }
    let shopper = signed_up(app, "matrix@example.com").await;
    let seller = demo(app, "seller1").await;
    let admin = demo(app, "admin").await;
    let status = |client: &Client, path: &'static str| {
        let request = client.get(app.url(path));
        async move { request.send().await.expect("get").status() }
    };
    assert_eq!(status(&shopper, "/account/reviews").await, StatusCode::OK);
    assert_eq!(
        status(&shopper, "/account/reviews/write?order=1&variant=1").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(status(&shopper, "/admin/reviews").await, StatusCode::FORBIDDEN);
    assert_eq!(status(&seller, "/admin/reviews").await, StatusCode::FORBIDDEN);
    assert_eq!(status(&seller, "/seller/reviews").await, StatusCode::OK);
    let portal = app.page(&seller, "/seller/reviews").await;
    assert!(
        portal.contains("Waiting for a reply ("),
        "the store's list, not an error"
    );
    assert_eq!(status(&admin, "/admin/reviews").await, StatusCode::OK);
    assert_eq!(status(&admin, "/seller/reviews").await, StatusCode::FORBIDDEN);
    let shopper_portal = shopper.get(app.url("/seller/reviews")).send().await.expect("get");
    assert_eq!(location(&shopper_portal), "/sell");
    assert_eq!(status(&anonymous, "/help/reviews").await, StatusCode::OK);

    // Review pictures: a visitor is sent to sign in before the body is read; nobody adds pictures to a line they
    // did not receive; nothing is stored.
    let upload = |client: &Client, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("photo.png");
        let request = client
            .post(app.url("/account/reviews/pictures?order=1&variant=1"))
            .header("origin", &app.base)
            .multipart(reqwest::multipart::Form::new().part("pictures", part));
        async move { request.send().await.expect("upload") }
    };
    let answer = upload(&anonymous, b"x".to_vec()).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(location(&answer).starts_with("/login?next=%2Faccount%2Freviews%2Fwrite"));
    assert_eq!(upload(&shopper, b"x".to_vec()).await.status(), StatusCode::NOT_FOUND);
    // Refused before the body is read: a large one changes nothing.
    let answer = upload(&shopper, vec![0u8; 10 * 1024 * 1024 + 1]).await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let answer = app
        .call(
            &shopper,
            "remove_review_picture",
            &[("order", "1"), ("variant", "1"), ("key", "x")],
        )
        .await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM review_pictures")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(stored, 0);

    // The server functions refuse the same way and change nothing.
    let review: i64 = sqlx::query_scalar("SELECT MIN(id) FROM reviews")
        .fetch_one(app.db.pool())
        .await
        .expect("a demo review");
    let review = review.to_string();
    for client in [&shopper, &seller] {
        let queue = client.get(app.url("/api/reported_reviews")).send().await.expect("get");
        assert_eq!(queue.status(), StatusCode::NOT_FOUND);
        let hide = app
            .call(
                client,
                "decide_review",
                &[("review", &review), ("hide", "1"), ("reason", "spam")],
            )
            .await;
        assert_eq!(hide.status(), StatusCode::NOT_FOUND);
    }
    for client in [&shopper, &admin] {
        let list = client.get(app.url("/api/store_review_list")).send().await.expect("get");
        assert_eq!(list.status(), StatusCode::NOT_FOUND);
    }
    let hidden = "SELECT COUNT(*) FROM reviews WHERE hidden_at IS NOT NULL";
    let count: i64 = sqlx::query_scalar(hidden)
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(count, 0);
    let decided = app
        .submit(
            &admin,
            "decide_review",
            &[("review", &review), ("hide", "1"), ("reason", "spam")],
        )
        .await;
    assert_eq!(location(&decided), "/admin/reviews?done=hidden");
}

/// A store rating over HTTP: only the buyer of the delivered order rates, the comment reaches the store's page
/// escaped, and the cached store page is dropped when it changes.
async fn a_buyer_rates_the_store_and_its_page_shows_it(app: &TestApp) {
    let (buyer, order_id, _, _) = delivered_buyer(app, "rater@example.com").await;
    let order = order_id.to_string();
    let slug: String =
        sqlx::query_scalar("SELECT s.slug FROM sellers s JOIN orders o ON o.seller_id = s.id WHERE o.id = $1")
            .bind(order_id)
            .fetch_one(app.db.pool())
            .await
            .expect("slug");
    let store_page = format!("/store/{slug}");
    let before = app.page(&app.client(), &store_page).await;
    assert!(
        before.contains("Store rating"),
        "the section is there before any rating"
    );
    let form = [
        ("order", order.as_str()),
        ("stars", "5"),
        ("comment", "<b>Lovely</b> packing"),
    ];
    let visitor = app.call(&app.client(), "rate_store", &form).await;
    assert_eq!(visitor.status(), StatusCode::UNAUTHORIZED);
    let stranger = signed_up(app, "not-the-buyer@example.com").await;
    assert_eq!(
        app.call(&stranger, "rate_store", &form).await.status(),
        StatusCode::NOT_FOUND
    );
    let seller = demo(app, "seller1").await;
    assert_eq!(
        app.call(&seller, "rate_store", &form).await.status(),
        StatusCode::NOT_FOUND,
        "the store's seller did not buy this order"
    );
    let rated = app.submit(&buyer, "rate_store", &form).await;
    assert_eq!(location(&rated), format!("/account/reviews?saved=rated&store={slug}"));
    eventually(Duration::from_secs(10), "the store page shows the rating", || async {
        let page = app.page(&app.client(), &store_page).await;
        page.contains("&lt;b&gt;Lovely&lt;/b&gt; packing") && page.contains("1 rating")
    })
    .await;
    let account = app.page(&buyer, "/account/reviews").await;
    assert!(
        account.contains("Change rating"),
        "the buyer's form now changes the rating"
    );

    // The buyer erases their account: the cached store page no longer shows their name or comment.
    let erased = app
        .submit(
            &buyer,
            "erase_account",
            &[("password", "correct-horse-77"), ("understood", "yes")],
        )
        .await;
    assert_eq!(location(&erased), "/account/erased");
    eventually(Duration::from_secs(10), "the store page forgets the rating", || async {
        let page = app.page(&app.client(), &store_page).await;
        !page.contains("Lovely") && !page.contains("1 rating")
    })
    .await;
}

on_both_databases!(
    a_review_reaches_the_product_page_escaped_and_its_store_replies_once,
    review_screens_are_for_their_roles,
    a_buyer_rates_the_store_and_its_page_shows_it,
);
