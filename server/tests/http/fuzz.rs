//! Junk at every server function and REST endpoint, as a careless or hostile client would send it: missing and
//! unknown fields, wrong types, bytes that are not UTF-8, control characters and newlines in values, huge
//! values and a body over the limit. The answer is always a 4xx (or a redirect) with the security headers, never a
//! 5xx and never the panic page. Deterministic: a fixed seed drives the random part.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;

use crate::support::seeded_app;

/// Every server function (POST unless listed in `GETS`), with the fields it takes.
const ENDPOINTS: &[(&str, &[&str])] = &[
    ("register", &["name", "email", "password", "next"]),
    ("login", &["email", "password", "next"]),
    ("logout", &[]),
    ("update_profile", &["name", "email"]),
    (
        "change_password",
        &["current_password", "new_password", "confirm_password"],
    ),
    ("admin_overview", &[]),
    ("cart_add", &["variant", "quantity"]),
    ("cart_add_inline", &["variant", "quantity"]),
    ("cart_update", &["variant", "quantity"]),
    ("cart_remove", &["variant"]),
    ("cart_contents", &[]),
    ("home_data", &[]),
    ("product_page", &["slug"]),
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
    ("order_history", &[]),
    ("dev_mailbox", &[]),
];

const GETS: &[(&str, &[&str])] = &[
    ("suggest", &["q"]),
    ("stripe_return", &["session_id"]),
    ("stripe_cancel", &["session_id"]),
];

const REST: &[&str] = &[
    "/api/v1/products/search",
    "/api/v1/products/1",
    "/api/v1/products/abc",
    "/api/v1/categories",
];

fn junk_value(rng: &mut StdRng) -> String {
    match rng.gen_range(0..9) {
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

/// Some of `fields` (each with probability `p`), each with a junk value.
fn random_form(rng: &mut StdRng, fields: &[&str], p: f64) -> String {
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
                let (status, headers) = (response.status(), response.headers().clone());
                let text = response.text().await.unwrap_or_default();
                assert_handled(
                    status,
                    &headers,
                    &text,
                    &format!("POST /api/{endpoint} ({} bytes)", body.len()),
                );
                sent += 1;
            }
        }
    }
    for (endpoint, fields) in GETS {
        for _ in 0..20 {
            let query = random_form(&mut rng, fields, 0.8);
            let response = app
                .client()
                .get(app.url(&format!("/api/{endpoint}?{query}")))
                .send()
                .await
                .expect("request");
            let (status, headers) = (response.status(), response.headers().clone());
            let text = response.text().await.unwrap_or_default();
            assert_handled(status, &headers, &text, &format!("GET /api/{endpoint}?{query}"));
            sent += 1;
        }
    }
    for path in REST {
        for _ in 0..20 {
            let query = random_form(
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
                ],
                0.5,
            );
            let response = app
                .client()
                .get(app.url(&format!("{path}?{query}")))
                .send()
                .await
                .expect("request");
            let (status, headers) = (response.status(), response.headers().clone());
            let text = response.text().await.unwrap_or_default();
            assert_handled(status, &headers, &text, &format!("GET {path}?{query}"));
            sent += 1;
        }
    }
    // The bounded run's length, for the record (shown with `cargo test -- --nocapture`).
    println!("fuzz: {sent} requests, none answered 5xx or with the panic page");
    assert!(sent > 800, "{sent} requests");
}
