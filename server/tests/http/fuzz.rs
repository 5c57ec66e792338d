//! Junk at every server function and REST endpoint, as a careless or hostile client would send it: missing and
//! unknown fields, wrong types, bytes that are not UTF-8, control characters and newlines in values, huge
//! values and a body over the limit. The answer is always a 4xx (or a redirect) with the security headers, never a
//! 5xx and never the panic page. Deterministic: a fixed seed drives the random part.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{demo, seeded_app, TestApp};

/// Every server function (POST unless listed in `GETS`), with the fields it takes.
const ENDPOINTS: &[(&str, &[&str])] = &[
    ("register", &["name", "email", "password", "next"]),
    ("login", &["email", "password", "next"]),
    ("forgot_password", &["email"]),
    ("reset_link_works", &["token"]),
    ("reset_password", &["token", "password", "confirm_password"]),
    ("logout", &[]),
    ("update_profile", &["name"]),
    ("request_email_change", &["email", "password"]),
    ("email_change_pending", &["token"]),
    ("confirm_email_change", &["token"]),
    ("resend_verification", &[]),
    ("verification_pending", &["token"]),
    ("confirm_verification", &["token"]),
    ("sign_ins", &[]),
    ("end_sign_in", &["handle"]),
    ("end_other_sign_ins", &[]),
    ("passkey_sign_in_options", &[]),
    ("passkey_sign_in", &["credential", "next"]),
    ("passkey_options", &["password", "code"]),
    ("add_passkey", &["name", "credential"]),
    ("passkey_list", &[]),
    ("remove_passkey", &["id"]),
    (
        "save_notifications",
        &["marketing", "review_reminders", "price_drops", "texts", "phone"],
    ),
    ("unsubscribe_topic", &["token", "topic"]),
    ("rate_store", &["order", "stars", "comment"]),
    ("remove_review_picture", &["order", "variant", "key"]),
    ("login_two_factor", &["code", "next"]),
    ("two_factor_awaited", &[]),
    ("two_factor_page", &[]),
    ("enable_two_factor", &["code"]),
    ("disable_two_factor", &["password", "code"]),
    (
        "change_password",
        &["current_password", "new_password", "confirm_password"],
    ),
    ("admin_overview", &[]),
    ("suspend_account", &["id", "reason", "password"]),
    ("reactivate_account", &["id", "reason", "password"]),
    ("change_account_role", &["id", "role", "reason", "password"]),
    ("suspend_store", &["id", "ground", "reason", "password"]),
    ("reactivate_store", &["id", "reason", "password"]),
    ("hold_store_payouts", &["id", "hold", "reason"]),
    ("change_store_commission", &["id", "rate", "seen", "reason", "password"]),
    ("add_order_note", &["number", "note"]),
    ("save_synonym", &["id", "version", "term", "alternatives", "both_ways"]),
    ("remove_synonym", &["id", "version"]),
    ("rebuild_search_index", &[]),
    (
        "admin_refund_order",
        &[
            "number",
            "kind",
            "key",
            "variant[0]",
            "qty[0]",
            "shipping",
            "amount",
            "reason",
            "restock",
            "password",
        ],
    ),
    ("cart_add", &["variant", "quantity"]),
    ("cart_add_inline", &["variant", "quantity"]),
    ("cart_update", &["variant", "quantity"]),
    ("cart_remove", &["variant"]),
    ("cart_contents", &[]),
    ("home_data", &[]),
    ("product_page", &["slug", "reviews"]),
    ("write_review", &["order", "variant", "stars", "title", "body"]),
    ("mark_review_helpful", &["review"]),
    ("report_review", &["review", "reason"]),
    ("decide_review", &["review", "hide", "reason"]),
    ("save_for_later", &["product", "keep", "from"]),
    ("move_to_cart", &["product"]),
    ("notify_when_back", &["variant", "email"]),
    ("confirm_back_in_stock", &["token"]),
    ("back_in_stock_pending", &["token"]),
    ("listing", &["params", "category_slug", "store_slug"]),
    ("checkout_data", &[]),
    ("use_saved_address", &["id"]),
    (
        "checkout_details",
        &["email", "name", "line1", "line2", "city", "postal", "country"],
    ),
    ("review_data", &[]),
    ("apply_promo", &["code"]),
    ("remove_promo", &[]),
    ("place_order", &["key", "reviewed"]),
    ("test_payment_data", &["session"]),
    ("test_pay", &["session", "card"]),
    ("test_cancel", &["session"]),
    ("order_data", &["number", "token"]),
    ("cancel_order", &["number", "order", "token"]),
    ("confirm_received", &["number", "order", "token"]),
    (
        "request_return",
        &[
            "number",
            "order",
            "token",
            "key",
            "variant[0]",
            "qty[0]",
            "reason",
            "note",
        ],
    ),
    (
        "return_sent_back",
        &["number", "order", "token", "id", "carrier", "tracking"],
    ),
    ("send_message", &["number", "order", "token", "key", "body"]),
    ("order_history", &[]),
    ("dev_mailbox", &[]),
];

const GETS: &[(&str, &[&str])] = &[
    ("suggest", &["q"]),
    ("stripe_return", &["session_id"]),
    ("stripe_cancel", &["session_id"]),
    ("return_page", &["number", "order", "token"]),
    ("message_page", &["number", "order", "token"]),
    ("admin_messages", &["order"]),
    ("admin_users", &["q", "role", "state", "after"]),
    ("admin_user", &["id"]),
    ("admin_stores", &["q", "state", "held", "after"]),
    ("admin_store", &["id"]),
    ("admin_dashboard", &["range", "from", "to"]),
    ("admin_analytics", &["range", "from", "to"]),
    ("admin_search", &[]),
    ("admin_synonym", &["id"]),
    (
        "admin_orders",
        &["q", "state", "store", "from", "to", "min", "max", "after"],
    ),
    ("admin_order", &["number"]),
    ("admin_refund_screen", &["number"]),
    (
        "audit_log",
        &["q", "action", "actor", "kind", "subject", "from", "to", "after"],
    ),
    ("my_reviews", &[]),
    ("open_review_form", &["order", "variant"]),
    ("reported_reviews", &[]),
    ("wishlist_page", &[]),
    ("privacy_page", &[]),
    ("cart_discovery", &[]),
    ("notification_choices", &[]),
    ("message_previews", &[]),
];

const REST: &[&str] = &[
    "/api/v1/products/search",
    "/api/v1/products/1",
    "/api/v1/products/abc",
    "/api/v1/categories",
    // Not REST, but the same kind of public GET: the cards an island asks for.
    "/fragments/recently-viewed",
    // What an optional mail's one-click address answers a GET with (a redirect to the page that asks).
    "/unsubscribe/one-click/0123456789abcdef0123456789abcdef/price-drops",
    "/admin/emails/preview/order_shipped",
];

pub(crate) fn junk_value(rng: &mut StdRng) -> String {
    match rng.gen_range(0..12) {
        9 => "nul\0inside".to_string(),
        10 => "\u{1b}[31mred\u{7}".to_string(),
        11 => "Café 茶 🎁\nsecond line".to_string(),
        0 => String::new(),
        1 => "\n\r\t".to_string(),
        2 => "x\nLocation: https://evil.example".to_string(),
        3 => "-1".to_string(),
        4 => "99999999999999999999999".to_string(),
        5 => "</title><script>alert(1)</script>".to_string(),
        6 => "%00%ff".to_string(),
        7 => "é".repeat(rng.gen_range(1..5_000)),
        _ => (0..rng.gen_range(1..40))
            .map(|_| rng.gen_range(b' '..=b'~') as char)
            .collect(),
    }
}

/// A GET's query as a client can send it: the HTTP library refuses an address longer than 64 KiB before anything
/// is sent (a server never sees one), so a longer junk query is cut to its first fields that fit.
fn sendable(query: String) -> String {
    let mut kept = String::new();
    for pair in query.split('&') {
        if kept.len() + pair.len() + 1 > 60_000 {
            break;
        }
        if !kept.is_empty() {
            kept.push('&');
        }
        kept.push_str(pair);
    }
    kept
}

/// Some of `fields` (each with probability `p`), each with a junk value.
pub(crate) fn random_form(rng: &mut StdRng, fields: &[&str], p: f64) -> String {
    let mut pairs = Vec::new();
    for field in fields {
        if rng.gen_bool(p) {
            pairs.push((field.to_string(), junk_value(rng)));
        }
    }
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter())
        .finish()
}

/// Reads the answer and checks it: a clear answer, never a 5xx, with the security headers, without the panic page.
pub(crate) async fn handled(response: reqwest::Response, what: &str) {
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.unwrap_or_default();
    assert_handled(status, &headers, &text, what);
}

fn assert_handled(status: StatusCode, headers: &reqwest::header::HeaderMap, body: &str, what: &str) {
    assert!(
        !status.is_server_error(),
        "{what}: answered {status}: {}",
        body.chars().take(300).collect::<String>()
    );
    assert!(
        headers.contains_key("x-content-type-options"),
        "{what}: security headers"
    );
    assert!(!body.contains("panicked"), "{what}: panic");
}

#[tokio::test]
async fn junk_at_every_endpoint_gets_a_clear_4xx_never_a_5xx() {
    let app = seeded_app().await;
    let mut rng = StdRng::seed_from_u64(20261202);
    let mut sent = 0;
    for (endpoint, fields) in ENDPOINTS {
        let client = app.client();
        let mut cases: Vec<Vec<u8>> = vec![
            Vec::new(),                         // every field missing
            b"unknown=1".to_vec(),              // only an unknown field
            vec![0xff, 0xfe, b'=', 0xc3, 0x28], // not UTF-8
            b"%%%%&&&==".to_vec(),              // not form encoding
        ];
        for _ in 0..12 {
            cases.push(random_form(&mut rng, fields, 0.8).into_bytes());
        }
        cases.push(
            format!("{}=", fields.first().unwrap_or(&"x"))
                .into_bytes()
                .into_iter()
                .chain(std::iter::repeat_n(b'a', 3 * 1024 * 1024))
                .collect(),
        );
        for body in cases {
            for accept in ["application/json", "text/html"] {
                let response = app.post_raw(&client, endpoint, accept, body.clone()).await;
                handled(response, &format!("POST /api/{endpoint} ({} bytes)", body.len())).await;
                sent += 1;
            }
        }
    }
    for (endpoint, fields) in GETS {
        for _ in 0..20 {
            let query = sendable(random_form(&mut rng, fields, 0.8));
            let response = app
                .client()
                .get(app.url(&format!("/api/{endpoint}?{query}")))
                .send()
                .await
                .expect("request");
            handled(response, &format!("GET /api/{endpoint}?{query}")).await;
            sent += 1;
        }
    }
    for path in REST {
        for _ in 0..20 {
            let query = sendable(random_form(
                &mut rng,
                &[
                    "q",
                    "page",
                    "per_page",
                    "price_min",
                    "price_max",
                    "sort",
                    "attr",
                    "rating",
                    "in_stock",
                    "ids",
                ],
                0.5,
            ));
            let response = app
                .client()
                .get(app.url(&format!("{path}?{query}")))
                .send()
                .await
                .expect("request");
            handled(response, &format!("GET {path}?{query}")).await;
            sent += 1;
        }
    }
    // The bounded run's length, for the record (shown with `cargo test -- --nocapture`).
    println!("fuzz: {sent} requests, none answered 5xx or with the panic page");
    assert!(sent > 800, "{sent} requests");
}

/// Every seller server function, with the fields it takes (nested ones as the editor's form names them).
const SELLER_ENDPOINTS: &[(&str, &[&str])] = &[
    (
        "apply_to_sell",
        &[
            "store_name",
            "slug",
            "description",
            "support_email",
            "country",
            "return_days",
            "return_policy",
        ],
    ),
    (
        "save_product",
        &[
            "id",
            "version",
            "title",
            "category",
            "description",
            "status",
            "intent",
            "tags",
            "seo_title",
            "seo_description",
            "attributes[0][name]",
            "attributes[0][value]",
            "options[0][name]",
            "options[0][values]",
            "variants[0][id]",
            "variants[0][values][0]",
            "variants[0][sku]",
            "variants[0][price]",
            "variants[0][compare_at]",
            "variants[0][weight]",
            "variants[0][barcode]",
            "variants[0][cost]",
            "variants[0][remove]",
            "variants[0][stock][0][warehouse]",
            "variants[0][stock][0][units]",
            "variants[0][stock][0][was]",
            "images[0][key]",
            "images[0][alt]",
            "images[0][position]",
        ],
    ),
    ("bulk_products", &["ids[0]", "action", "confirmed"]),
    (
        "adjust_stock",
        &["variant", "warehouse", "units", "reason", "mode", "back"],
    ),
    ("set_stock_threshold", &["variant", "threshold", "back"]),
    ("remove_store_logo", &[]),
    (
        "save_store_profile",
        &[
            "store_name",
            "description",
            "support_email",
            "return_days",
            "return_policy",
            "low_stock_default",
            "handling_days",
            "time_zone",
        ],
    ),
    ("add_warehouse", &["name", "country"]),
    ("rename_warehouse", &["id", "name"]),
    ("remove_warehouse", &["id"]),
    (
        "add_shipping_rate",
        &["name", "country", "kind", "amount", "free_over", "days_min", "days_max"],
    ),
    ("remove_shipping_rate", &["id"]),
    (
        "save_stock_policy",
        &["default_warehouse", "backorders", "strict_import_skus"],
    ),
    ("apply_import", &["id"]),
    ("retry_pictures", &["id"]),
    (
        "ship_order",
        &[
            "number",
            "key",
            "carrier",
            "tracking",
            "variant[0]",
            "qty[0]",
            "variant[1]",
            "qty[1]",
        ],
    ),
    ("mark_order_delivered", &["number"]),
    ("decide_return", &["number", "id", "decision", "answer"]),
    ("receive_return", &["number", "id", "restock"]),
    ("refund_return", &["number", "id"]),
    ("replace_return", &["number", "id", "carrier", "tracking"]),
    ("accept_order", &["number"]),
    ("save_order_policy", &["accept_orders"]),
    (
        "create_promotion",
        &[
            "code",
            "kind",
            "value",
            "min_subtotal",
            "starts",
            "ends",
            "max_uses",
            "per_customer",
        ],
    ),
    ("pause_promotion", &["id", "pause"]),
    ("reply_to_review", &["review", "reply"]),
    ("record_payout", &["seller_id", "amount", "reference", "form_key"]),
    ("adjust_balance", &["seller_id", "amount", "reason", "form_key"]),
    ("send_dispute_evidence", &["id", "evidence"]),
    ("store_message", &["number", "key", "body", "internal"]),
    (
        "refund_order",
        &[
            "number",
            "kind",
            "key",
            "variant[0]",
            "qty[0]",
            "shipping",
            "amount",
            "reason",
            "restock",
        ],
    ),
];

/// The seller functions read with GET, with their query fields.
const SELLER_GETS: &[(&str, &[&str])] = &[
    ("sell_page", &[]),
    ("seller_home", &[]),
    (
        "seller_products",
        &["q", "status", "category", "stock", "tag", "sort", "dir", "after"],
    ),
    ("product_editor", &["id"]),
    ("seller_stock", &["q", "low", "after"]),
    ("products_to_confirm", &["ids"]),
    ("store_settings", &[]),
    ("import_page", &[]),
    ("import_report", &["id"]),
    ("seller_orders", &["tab", "q", "from", "to", "after"]),
    ("shipping_record", &[]),
    ("store_promotions", &[]),
    ("store_review_list", &["unanswered"]),
    ("store_money", &["from", "to", "kind", "after"]),
    ("store_payouts", &[]),
    ("store_dispute", &["id"]),
    ("sales_dashboard", &["range", "from", "to"]),
    ("seller_order", &["number"]),
    ("orders_to_ship", &[]),
    ("packing_slips", &["numbers"]),
];

/// The seller's downloads (plain routes, not server functions), with their query fields.
const SELLER_FILES: &[(&str, &[&str])] = &[
    ("/seller/money/statement.csv", &["from", "to", "kind"]),
    ("/seller/sales.csv", &["range", "from", "to", "table"]),
];

/// The multipart routes and the field each reads its file from.
const UPLOADS: &[(&str, &str)] = &[
    ("/seller/products/import", "file"),
    ("/seller/settings/logo", "logo"),
    ("/seller/products/{product}/pictures", "pictures"),
    ("/account/reviews/pictures?order={product}&variant=1", "pictures"),
];

/// A junk file: random bytes, text with NUL and control characters, a CSV with a broken quote, an empty one.
fn junk_file(rng: &mut StdRng) -> (String, Vec<u8>) {
    let name = junk_value(rng);
    let bytes = match rng.gen_range(0..4) {
        0 => (0..rng.gen_range(0..4096)).map(|_| rng.gen::<u8>()).collect(),
        1 => format!("Handle,Title\n{}", junk_value(rng)).into_bytes(),
        2 => b"Handle;Title;Variant Price\n\"open,quote;x;1\n\x00\x01".to_vec(),
        _ => Vec::new(),
    };
    (name, bytes)
}

/// Issue 19: every seller server function and upload route, signed in as a seller, with junk: a clear answer,
/// never a 5xx (PostgreSQL refuses a NUL that SQLite stores), on both databases.
async fn junk_at_every_seller_function_and_upload_signed_in_as_a_seller(app: &TestApp) {
    let seller = demo(app, "seller1").await;
    let mut rng = StdRng::seed_from_u64(20261204);
    let mut sent = 0;
    for (endpoint, fields) in SELLER_ENDPOINTS {
        for _ in 0..10 {
            let body = random_form(&mut rng, fields, 0.8).into_bytes();
            for accept in ["application/json", "text/html"] {
                let response = app.post_raw(&seller, endpoint, accept, body.clone()).await;
                handled(response, &format!("POST /api/{endpoint} as a seller")).await;
                sent += 1;
            }
        }
    }
    for (endpoint, fields) in SELLER_GETS {
        for _ in 0..8 {
            let query = sendable(random_form(&mut rng, fields, 0.8));
            let response = seller
                .get(app.url(&format!("/api/{endpoint}?{query}")))
                .send()
                .await
                .expect("request");
            handled(response, &format!("GET /api/{endpoint}?{query} as a seller")).await;
            sent += 1;
        }
    }
    for (path, fields) in SELLER_FILES {
        for _ in 0..8 {
            let query = sendable(random_form(&mut rng, fields, 0.8));
            let response = seller
                .get(app.url(&format!("{path}?{query}")))
                .send()
                .await
                .expect("request");
            handled(response, &format!("GET {path}?{query} as a seller")).await;
            sent += 1;
        }
    }
    let product: i64 =
        sqlx::query_scalar("SELECT MIN(p.id) FROM products p WHERE p.seller_id = (SELECT MIN(id) FROM sellers)")
            .fetch_one(app.db.pool())
            .await
            .expect("product");
    for (path, field) in UPLOADS {
        let path = path.replace("{product}", &product.to_string());
        for _ in 0..6 {
            let (name, bytes) = junk_file(&mut rng);
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
            let form = reqwest::multipart::Form::new()
                .part(field.to_string(), part)
                .text("category", junk_value(&mut rng));
            let response = seller
                .post(app.url(&path))
                .header("origin", &app.base)
                .multipart(form)
                .send()
                .await
                .expect("upload");
            handled(response, &format!("POST {path} as a seller")).await;
            sent += 1;
        }
    }
    println!("seller fuzz: {sent} requests, none answered 5xx or with the panic page");
}

/// The admin screens' reads and changes, with the fields each takes.
const ADMIN_GETS: &[(&str, &[&str])] = &[
    ("admin_dashboard", &["range", "from", "to"]),
    ("admin_analytics", &["range", "from", "to"]),
    ("admin_search", &[]),
    ("admin_synonym", &["id"]),
    ("admin_users", &["q", "role", "state", "after"]),
    ("admin_user", &["id"]),
    ("admin_stores", &["q", "state", "held", "after"]),
    ("admin_store", &["id"]),
    (
        "admin_orders",
        &["q", "state", "store", "from", "to", "min", "max", "after"],
    ),
    ("admin_order", &["number"]),
    ("admin_refund_screen", &["number"]),
    (
        "audit_log",
        &["q", "action", "actor", "kind", "subject", "from", "to", "after"],
    ),
];
const ADMIN_ENDPOINTS: &[(&str, &[&str])] = &[
    ("suspend_store", &["id", "ground", "reason", "password"]),
    ("reactivate_store", &["id", "reason", "password"]),
    ("hold_store_payouts", &["id", "hold", "reason"]),
    ("change_store_commission", &["id", "rate", "seen", "reason", "password"]),
    ("add_order_note", &["number", "note"]),
    ("save_synonym", &["id", "version", "term", "alternatives", "both_ways"]),
    ("remove_synonym", &["id", "version"]),
    ("rebuild_search_index", &[]),
    (
        "admin_refund_order",
        &[
            "number",
            "kind",
            "key",
            "variant[0]",
            "qty[0]",
            "shipping",
            "amount",
            "reason",
            "restock",
            "password",
        ],
    ),
    ("suspend_account", &["id", "reason", "password"]),
    ("reactivate_account", &["id", "reason", "password"]),
    ("change_account_role", &["id", "role", "reason", "password"]),
    ("reject_application", &["id", "reason"]),
];
const ADMIN_FILES: &[(&str, &[&str])] = &[
    ("/admin/sales.csv", &["range", "from", "to"]),
    ("/admin/analytics.csv", &["range", "from", "to", "table"]),
];

/// Issue 23: every admin server function and download, signed in as an admin, with junk: a clear answer, never a
/// 5xx, on both databases.
async fn junk_at_every_admin_function_signed_in_as_an_admin(app: &TestApp) {
    let admin = demo(app, "admin").await;
    let mut rng = StdRng::seed_from_u64(20261207);
    let mut sent = 0;
    for (endpoint, fields) in ADMIN_ENDPOINTS {
        for _ in 0..8 {
            let body = random_form(&mut rng, fields, 0.8).into_bytes();
            let response = app.post_raw(&admin, endpoint, "text/html", body).await;
            handled(response, &format!("POST /api/{endpoint} as an admin")).await;
            sent += 1;
        }
    }
    let gets = ADMIN_GETS
        .iter()
        .map(|(name, fields)| (format!("/api/{name}"), *fields));
    let files = ADMIN_FILES.iter().map(|(path, fields)| (path.to_string(), *fields));
    for (path, fields) in gets.chain(files) {
        for _ in 0..8 {
            let query = sendable(random_form(&mut rng, fields, 0.8));
            let response = admin
                .get(app.url(&format!("{path}?{query}")))
                .send()
                .await
                .expect("request");
            handled(response, &format!("GET {path}?{query} as an admin")).await;
            sent += 1;
        }
    }
    assert!(sent > 100, "{sent} requests");
}

on_both_databases!(
    junk_at_every_seller_function_and_upload_signed_in_as_a_seller,
    junk_at_every_admin_function_signed_in_as_an_admin,
);
