//! The hostile regression suite: what probing the shop as an attacker found (issue 10), kept as the probe sent it,
//! on SQLite and on PostgreSQL against the real router. Each case names the defect it keeps fixed:
//! 1. markup in a search or a product title never reaches `<head>` as tags;
//! 2. a replayed checkout key never hands over another shopper's order;
//! 3. a product taken off sale cannot be bought from a cart that still holds it;
//! 4. a "once per customer" code is not reused by a guest checkout with the same email;
//! 5. malformed requests (a missing field, bytes that are not UTF-8, a body over the limit, a newline in a token)
//!    get a clear 4xx with the security headers (the random junk of every endpoint is in `fuzz`);
//! 6. an error written into a link is never shown, and a failed form never follows a foreign `Referer`;
//! 7. an oversized checkout draft is refused field by field and the session stays small;
//! 9. personal answers are `no-store`, and server functions refuse encodings our forms never send;
//! 14. the buy box's refused addition is an ordinary answer (the browser logs no failed request).

use reqwest::StatusCode;
use serde_json::Value;

use crate::orders::{checkout_details, pay, signed_up, stocked_variants, submit_order, SHIP_LINE1};
use crate::support::{location, TestApp};

/// The `<title>` of a page, as the browser's parser would find it: the text up to the first `</title>`.
fn head_title(html: &str) -> &str {
    let start = html.find("<title>").map_or(0, |i| i + "<title>".len());
    let end = html[start..].find("</title>").map_or(html.len(), |i| start + i);
    &html[start..end]
}

async fn markup_in_a_search_or_a_product_title_never_reaches_the_head_as_tags(app: &TestApp) {
    let client = app.client();
    let html = app.page(&client, "/search?q=%3C%2Ftitle%3E%3Cb%3Ehi%3C%2Fb%3E").await;
    assert_eq!(
        head_title(&html),
        "Results for “&lt;/title&gt;&lt;b&gt;hi&lt;/b&gt;” · Bazaar"
    );
    assert!(!html.contains("<b>hi</b>"));

    let slug: String = sqlx::query_scalar("SELECT slug FROM products ORDER BY id LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("slug");
    sqlx::query("UPDATE products SET title = $1 WHERE slug = $2")
        .bind("Lamp</title><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">")
        .bind(&slug)
        .execute(app.db.pool())
        .await
        .expect("update");
    let html = app.page(&client, &format!("/p/{slug}?r=1")).await;
    assert!(
        head_title(&html).starts_with("Lamp&lt;/title&gt;&lt;meta"),
        "{}",
        head_title(&html)
    );
    assert!(!html.contains("<meta http-equiv=\"refresh\""));
}

async fn an_error_written_into_a_link_is_never_shown_but_a_real_form_error_is(app: &TestApp) {
    let client = app.client();
    // base64url of {"Conflict":"Your account is suspended. Call 555-0100."}
    let forged = "eyJDb25mbGljdCI6IllvdXIgYWNjb3VudCBpcyBzdXNwZW5kZWQuIENhbGwgNTU1LTAxMDAuIn0=";
    let page = app
        .page(&client, &format!("/login?__path=%2Fapi%2Flogin&__err={forged}"))
        .await;
    assert!(!page.contains("suspended"), "a forged error must not be shown");

    // A failed login without JavaScript, sent from the page `referer` names.
    let failed_login = |referer: String| {
        client
            .post(app.url("/api/login"))
            .header("origin", &app.base)
            .header("accept", "text/html")
            .header("referer", referer)
            .form(&[
                ("email", "nobody@example.com"),
                ("password", "wrong-password-1"),
                ("next", "/"),
            ])
            .send()
    };
    // A real failed post: the error comes back through the session, not the URL.
    let failed = failed_login(app.url("/login")).await.expect("post");
    let location = crate::support::location(&failed);
    assert!(failed.status().is_redirection(), "{}", failed.status());
    assert!(!location.contains("__err"), "{location}");
    let page = app.page(&client, &location).await;
    assert!(
        page.contains("The email or password is incorrect."),
        "the real error is shown"
    );
    let again = app.page(&client, &location).await;
    assert!(!again.contains("The email or password is incorrect."), "once");

    // A foreign Referer is never followed.
    let phished = failed_login("https://evil.example/login".to_string())
        .await
        .expect("post");
    let location = crate::support::location(&phished);
    assert!(location.starts_with('/') && !location.starts_with("//"), "{location}");
}

async fn personal_pages_and_server_function_answers_are_never_stored_by_a_cache(app: &TestApp) {
    let client = app.client();
    assert_eq!(
        app.register(&client, "store@example.com").await.status(),
        StatusCode::OK
    );
    for path in [
        "/account",
        "/account/security",
        "/account/two-factor",
        "/cart",
        "/checkout",
        "/orders",
        "/orders/BZ-UNKNOWN",
        "/pay/test/tgs_1_x",
        "/",
    ] {
        let response = client.get(app.url(path)).send().await.expect("get");
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap_or("")),
            Some("no-store"),
            "{path} for a signed-in visitor"
        );
    }
    let answer = app.call(&client, "cart_contents", &[]).await;
    assert_eq!(answer.headers()["cache-control"], "no-store");
    // What is not a page (the site's files, a health check) stays cacheable for a visitor with a session, and
    // so does the public catalog API.
    let file = client.get(app.url("/healthz")).send().await.expect("healthz");
    assert_ne!(
        file.headers().get("cache-control").map(|v| v.to_str().unwrap_or("")),
        Some("no-store")
    );
    let api = app
        .client()
        .get(app.url("/api/v1/categories"))
        .send()
        .await
        .expect("api");
    assert_ne!(
        api.headers().get("cache-control").map(|v| v.to_str().unwrap_or("")),
        Some("no-store")
    );
}

async fn server_functions_refuse_bodies_our_forms_never_send(app: &TestApp) {
    let client = app.client();
    for content_type in ["text/plain", "application/json", "multipart/form-data; boundary=x"] {
        let response = client
            .post(app.url("/api/login"))
            .header("origin", &app.base)
            .header("content-type", content_type)
            .body("email=a@example.com&password=whatever-123&next=/")
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    }
    // The encoding our forms send reaches the login check.
    assert_eq!(
        app.login(&client, "a@example.com", "whatever-123").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn a_replayed_checkout_key_never_hands_over_another_shoppers_order(app: &TestApp) {
    let variants = stocked_variants(app, 1).await;
    let key = format!("hostile-replay-{:032x}", rand::random::<u128>());
    let owner = app.client();
    let placed = submit_order(app, &owner, "first-buyer@example.com", variants[0], &key).await;
    assert_eq!(placed.status(), StatusCode::OK);
    let theirs = location(&placed);
    assert!(theirs.starts_with("/pay/test/"), "{theirs}");

    // Someone else, with a cart and details of their own, sends the same key.
    let intruder = app.client();
    let replay = submit_order(app, &intruder, "intruder@example.com", variants[0], &key).await;
    let (status, to) = (replay.status(), location(&replay));
    let body = replay.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(!to.starts_with("/pay/") && !to.starts_with("/orders/"), "sent to {to}");
    assert!(!body.contains("first-buyer") && !body.contains(&theirs), "{body}");
    // The owner, replaying their own key (a double submit), is sent to their own payment page.
    let again = app.place(&owner, &key).await;
    assert_eq!(location(&again), theirs);
}

async fn a_product_taken_off_sale_cannot_be_bought_from_a_cart_that_holds_it(app: &TestApp) {
    let variants = stocked_variants(app, 1).await;
    let client = app.client();
    checkout_details(app, &client, "draft-buyer@example.com", variants[0]).await;
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(variants[0])
        .fetch_one(app.db.pool())
        .await
        .expect("product");
    domain::testing::seller_sets_status(&app.db, product, "draft").await;
    let cart = app.page(&client, "/cart").await;
    assert!(cart.contains("No longer available"), "the cart says which line");
    let key = format!("hostile-draft-{:032x}", rand::random::<u128>());
    let placed = app.place(&client, &key).await;
    assert_eq!(placed.status(), StatusCode::CONFLICT);
    assert!(!location(&placed).starts_with("/pay/"), "{}", location(&placed));
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_groups")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(orders, 0, "no order for a product that is not on sale");
}

async fn a_once_per_customer_code_is_not_reused_as_a_guest_with_the_same_email(app: &TestApp) {
    let admin = crate::support::admin_actor(&app.db).await;
    domain::checkout::promo::create(
        &app.db,
        &admin,
        &domain::checkout::promo::NewPromo {
            code: "ONCEONLY".into(),
            seller_id: None,
            kind: domain::checkout::promo::PromoKind::Percent,
            value: 20,
            min_subtotal: 0,
            starts_at: domain::platform::clock::now_ms() - 1_000,
            ends_at: None,
            max_uses: None,
            per_customer: Some(1),
        },
    )
    .await
    .expect("code");
    let variants = stocked_variants(app, 1).await;
    let email = "promo-owner@example.com";
    // The account uses it once, and pays.
    let account = signed_up(app, email).await;
    checkout_details(app, &account, email, variants[0]).await;
    let applied = app.call(&account, "apply_promo", &[("code", "ONCEONLY")]).await;
    assert_eq!(applied.status(), StatusCode::OK);
    let key = format!("hostile-promo-{:032x}", rand::random::<u128>());
    let placed = app.place(&account, &key).await;
    let session = location(&placed)
        .strip_prefix("/pay/test/")
        .expect("to pay")
        .to_string();
    pay(app, &account, &session).await;

    // A guest with the same email (and a plus-address of it) is told the code is used up, and even placing the
    // order right away gives no discount.
    for guest_email in [email, "Promo-Owner+again@Example.com"] {
        let guest = app.client();
        checkout_details(app, &guest, guest_email, variants[0]).await;
        let applied = app.call(&guest, "apply_promo", &[("code", "ONCEONLY")]).await;
        assert_eq!(applied.status(), StatusCode::OK);
        let review = app.page(&guest, "/checkout/review").await;
        assert!(
            review.contains("You have already used the code ONCEONLY."),
            "{guest_email}: the code was accepted again"
        );
        let key = format!("hostile-promo-{:032x}", rand::random::<u128>());
        app.place(&guest, &key).await;
    }
    let discounted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_groups WHERE promo_code IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(discounted, 1);
}

async fn malformed_requests_get_a_clear_4xx_with_the_security_headers(app: &TestApp) {
    let client = app.client();
    // (endpoint, body, the status: `None` for any 4xx)
    let cases: Vec<(&str, Vec<u8>, Option<StatusCode>)> = vec![
        // The answer names what is missing: `{"Transport":{"Args":"missing field `quantity`"}}`.
        ("cart_add", b"variant=1".to_vec(), Some(StatusCode::BAD_REQUEST)),
        (
            "login",
            b"email=\xff\xfe&password=x&next=/".to_vec(),
            Some(StatusCode::BAD_REQUEST),
        ),
        (
            "register",
            [b"name=".to_vec(), vec![b'a'; 3 * 1024 * 1024]].concat(),
            Some(StatusCode::PAYLOAD_TOO_LARGE),
        ),
        ("test_payment_data", b"session=tgs_1%0D%0Ax".to_vec(), None),
    ];
    for (endpoint, body, expected) in cases {
        let response = app.post_raw(&client, endpoint, "application/json", body).await;
        let status = response.status();
        assert_eq!(response.headers()["x-content-type-options"], "nosniff", "{endpoint}");
        let text = response.text().await.unwrap_or_default();
        match expected {
            Some(expected) => assert_eq!(status, expected, "{endpoint}: {text}"),
            None => assert!(status.is_client_error(), "{endpoint}: {status} {text}"),
        }
        assert!(!text.contains("panicked"), "{endpoint}: {text}");
    }
    // A newline in a token or a `next` never reaches a response header.
    let injected = |response: &reqwest::Response| {
        response.headers().contains_key("x")
            || response
                .headers()
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap_or("").starts_with("x="))
    };
    for path in [
        "/orders/BZ-1?token=a%0D%0ASet-Cookie:%20x=1",
        "/login?next=/%0D%0ASet-Cookie:%20x=1",
    ] {
        let response = client.get(app.url(path)).send().await.expect("get");
        assert!(response.status().as_u16() < 500, "{path}: {}", response.status());
        assert!(!injected(&response), "{path}");
    }
    let signed_in = app.client();
    assert_eq!(
        app.register(&signed_in, "next-probe@example.com").await.status(),
        StatusCode::OK
    );
    let out = app
        .submit(&signed_in, "logout", &[("next", "/\r\nSet-Cookie: x=1")])
        .await;
    assert!(out.status().as_u16() < 500, "{}", out.status());
    assert!(!injected(&out) && !location(&out).contains('\n'), "{}", location(&out));
}

async fn an_oversized_checkout_draft_is_refused_and_the_session_stays_small(app: &TestApp) {
    let variants = stocked_variants(app, 1).await;
    let client = app.client();
    let added = app
        .call(
            &client,
            "cart_add",
            &[("variant", &variants[0].to_string()), ("quantity", "1")],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let huge = "x".repeat(500_000);
    let form = [
        ("email", "big-draft@example.com"),
        ("name", huge.as_str()),
        ("line1", huge.as_str()),
        ("city", huge.as_str()),
        ("postal", "22201"),
        ("country", "US"),
    ];
    // Back to the form (decision 0013: the draft keeps what was typed, cut to each field's limit), which says
    // which fields are too long.
    let answer = app.call(&client, "checkout_details", &form).await;
    assert_eq!(
        (answer.status(), location(&answer).as_str()),
        (StatusCode::OK, "/checkout")
    );
    let page = app.page(&client, "/checkout").await;
    for label in ["full name", "street address", "city"] {
        assert!(page.contains(&format!("The {label} can be at most")), "{label}");
    }
    assert!(page.len() < 200_000, "the page echoes {} bytes", page.len());
    let submitted = app.submit(&client, "checkout_details", &form).await;
    assert!(submitted.status().is_redirection());
    let largest: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(LENGTH(data)), 0) AS BIGINT) FROM sessions")
        .fetch_one(app.db.pool())
        .await
        .expect("size");
    assert!(
        largest < domain::accounts::sessions::MAX_SESSION_BYTES as i64,
        "a session of {largest} bytes"
    );
    // The ordinary draft still goes through.
    checkout_details(app, &client, "big-draft@example.com", variants[0]).await;
    assert!(app.page(&client, "/checkout/review").await.contains(SHIP_LINE1));
}

async fn a_refused_addition_is_an_answer_not_a_failed_request(app: &TestApp) {
    let variants = stocked_variants(app, 1).await;
    let client = app.client();
    let variant = variants[0].to_string();
    let refused = app
        .call(&client, "cart_add_inline", &[("variant", &variant), ("quantity", "99")])
        .await;
    assert_eq!(refused.status(), StatusCode::OK);
    let outcome: Value = refused.json().await.expect("json");
    assert!(outcome["count"].is_null(), "{outcome}");
    assert!(
        outcome["refused"].as_str().is_some_and(|m| m.contains("left")),
        "{outcome}"
    );
    let added = app
        .call(&client, "cart_add_inline", &[("variant", &variant), ("quantity", "2")])
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let outcome: Value = added.json().await.expect("json");
    assert_eq!(
        (outcome["count"].as_i64(), outcome["refused"].is_null()),
        (Some(2), true)
    );
    // What is not the shopper's doing to fix stays an error: a request that is not a form.
    let broken = app.call(&client, "cart_add_inline", &[("variant", &variant)]).await;
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
}

crate::on_both_databases!(
    a_refused_addition_is_an_answer_not_a_failed_request,
    markup_in_a_search_or_a_product_title_never_reaches_the_head_as_tags,
    a_replayed_checkout_key_never_hands_over_another_shoppers_order,
    a_product_taken_off_sale_cannot_be_bought_from_a_cart_that_holds_it,
    a_once_per_customer_code_is_not_reused_as_a_guest_with_the_same_email,
    malformed_requests_get_a_clear_4xx_with_the_security_headers,
    an_error_written_into_a_link_is_never_shown_but_a_real_form_error_is,
    an_oversized_checkout_draft_is_refused_and_the_session_stays_small,
    personal_pages_and_server_function_answers_are_never_stored_by_a_cache,
    server_functions_refuse_bodies_our_forms_never_send,
);
