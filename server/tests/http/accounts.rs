//! Accounts over HTTP: registration, sign-in and sign-out, the session cookie, login throttling, password change
//! and reset, and the admin role.

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use crate::support::{eventually, session_cookie, spawn_app, spawn_app_with};

#[tokio::test]
async fn register_then_logout_then_login_again() {
    let app = spawn_app().await;
    let client = app.client();
    let registered = app.register(&client, "Shopper@Example.com").await;
    assert_eq!(registered.status(), StatusCode::OK);
    let user: serde_json::Value = registered.json().await.expect("json");
    assert_eq!(user["email"], "shopper@example.com");
    assert_eq!(user["role"], "shopper");
    assert!(user.get("password_hash").is_none());

    let account = client.get(app.url("/account")).send().await.expect("account");
    assert_eq!(account.status(), StatusCode::OK);
    assert!(account.text().await.expect("body").contains("Test Shopper"));

    let out = app.call(&client, "logout", &[]).await;
    assert!(out.status().is_success(), "{}", out.status());
    let account = client.get(app.url("/account")).send().await.expect("account");
    assert_eq!(account.status(), StatusCode::FOUND);
    assert_eq!(account.headers()["location"], "/login?next=%2Faccount");

    let back = app.login(&client, "shopper@example.com", "correct-horse-77").await;
    assert_eq!(back.status(), StatusCode::OK);
    let account = client.get(app.url("/account")).send().await.expect("account");
    assert_eq!(account.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_session_cookie_changes_at_login_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    let client = app.client();
    let first = app.register(&client, "fixation@example.com").await;
    let before = session_cookie(&first).expect("cookie at registration");
    assert!(before.contains("HttpOnly"), "{before}");
    assert!(before.contains("SameSite=Lax"), "{before}");
    assert!(!before.contains("Secure"), "plain http must not set Secure: {before}");

    let second = app.login(&client, "fixation@example.com", "correct-horse-77").await;
    let after = session_cookie(&second).expect("cookie at login");
    let value = |c: &str| c.split(';').next().unwrap_or_default().to_string();
    assert_ne!(value(&before), value(&after), "session id was not changed at login");

    // Replaying the pre-login cookie gets nobody signed in.
    let stale = Client::builder().redirect(Policy::none()).build().expect("client");
    let response = stale
        .get(app.url("/account"))
        .header("cookie", value(&before))
        .send()
        .await
        .expect("account");
    assert_eq!(response.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn secure_cookie_with_host_prefix_when_served_over_https() {
    let app = spawn_app_with(&[("PUBLIC_URL", "https://shop.example")]).await;
    let client = app.client();
    let post = |endpoint: &str, form: &[(&str, &str)]| {
        client
            .post(app.url(&format!("/api/{endpoint}")))
            .header("origin", "https://shop.example")
            .header("accept", "application/json")
            .form(form)
            .send()
    };
    let registered = post(
        "register",
        &[
            ("name", "Tls"),
            ("email", "tls@example.com"),
            ("password", "correct-horse-77"),
            ("next", "/"),
        ],
    )
    .await
    .expect("register");
    assert_eq!(registered.status(), StatusCode::OK);
    let response = post(
        "login",
        &[
            ("email", "tls@example.com"),
            ("password", "correct-horse-77"),
            ("next", "/"),
        ],
    )
    .await
    .expect("login");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-bazaar_session="))
        .expect("__Host- cookie")
        .to_string();
    assert!(cookie.contains("Secure") && cookie.contains("Path=/"), "{cookie}");
    assert!(response.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn registration_answers_a_taken_address_as_a_new_one_and_signs_nobody_in() {
    let app = spawn_app().await;
    let answers = [
        app.submit(
            &app.client(),
            "register",
            &[
                ("name", "New"),
                ("email", "new@example.com"),
                ("password", "correct-horse-77"),
                ("next", "/cart"),
            ],
        )
        .await,
        app.submit(
            &app.client(),
            "register",
            &[
                ("name", "Evil"),
                ("email", "NEW@example.com"),
                ("password", "other-horse-77"),
                ("next", "/cart"),
            ],
        )
        .await,
    ];
    for answer in &answers {
        assert_eq!(answer.status(), StatusCode::FOUND);
        assert_eq!(crate::support::location(answer), "/login?registered=1&next=%2Fcart");
        assert!(session_cookie(answer).is_none(), "registration signed someone in");
    }
    let (a, b) = (
        app.sign_up(&app.client(), "other@example.com").await,
        app.sign_up(&app.client(), "other@example.com").await,
    );
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    assert_eq!(a.text().await.expect("body"), b.text().await.expect("body"));
    // The owner was told; the newcomer's password does not open the account.
    app.mailed_link("new@example.com", "/forgot-password").await;
    let evil = app.login(&app.client(), "new@example.com", "other-horse-77").await;
    assert_eq!(evil.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unconfirmed_account_confirms_its_address_from_the_mailed_link_before_it_applies_to_sell() {
    let app = spawn_app().await;
    let client = app.client();
    assert_eq!(
        app.register(&client, "unsure@example.com").await.status(),
        StatusCode::OK
    );
    assert!(app.page(&client, "/account").await.contains("is not confirmed yet"));
    let sell = app.page(&client, "/sell").await;
    assert!(
        sell.contains("is not confirmed yet") && !sell.contains("Send application"),
        "{sell}"
    );
    let applied = app
        .call(
            &client,
            "apply_to_sell",
            &[
                ("store_name", "Early Bird"),
                ("slug", ""),
                ("description", "Seeds."),
                ("support_email", "help@bird.example"),
                ("country", "GB"),
                ("return_days", "14"),
                ("return_policy", "Unopened."),
            ],
        )
        .await;
    assert_eq!(applied.status(), StatusCode::CONFLICT);
    assert!(applied.text().await.expect("body").contains("Confirm your email"));

    // A new link, then the page the link opens: a question and a button (opening it changes nothing).
    assert_eq!(
        crate::support::location(&app.submit(&client, "resend_verification", &[]).await),
        "/account?saved=verification"
    );
    let link = app.mailed_link("unsure@example.com", "/verify-email?token=").await;
    let stranger = app.client();
    let page = app.page(&stranger, &link).await;
    assert!(
        page.contains("Confirm that unsure@example.com is your address?"),
        "{page}"
    );
    assert!(app.page(&client, "/account").await.contains("is not confirmed yet"));
    app.confirm_email(&stranger, "unsure@example.com").await;
    assert!(!app.page(&client, "/account").await.contains("is not confirmed yet"));
    assert!(app.page(&client, "/sell").await.contains("Send application"));
    assert!(app.page(&stranger, &link).await.contains("already used or has expired"));
    // Signed out, a new link cannot be asked for.
    assert_eq!(
        app.call(&app.client(), "resend_verification", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_identically() {
    let app = spawn_app().await;
    let client = app.client();
    app.register(&client, "known@example.com").await;
    let other = app.client();
    let unknown = app.login(&other, "unknown@example.com", "correct-horse-77").await;
    let wrong = app.login(&other, "known@example.com", "not-the-password").await;
    assert_eq!(unknown.status(), wrong.status());
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (unknown.text().await.expect("body"), wrong.text().await.expect("body"));
    assert_eq!(a, b);
}

#[tokio::test]
async fn repeated_failures_answer_429_with_retry_after() {
    let app = spawn_app_with(&[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")]).await;
    let client = app.client();
    app.register(&client, "target@example.com").await;
    let attacker = app.client();
    for _ in 0..3 {
        let r = app.login(&attacker, "target@example.com", "guess-guess-1").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = app.login(&attacker, "target@example.com", "guess-guess-1").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = blocked.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    let body: serde_json::Value = blocked.json().await.expect("json");
    assert!(body.get("RateLimited").is_some(), "{body}");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_the_emailed_link_once() {
    let app = spawn_app().await;
    let laptop = app.client();
    app.register(&laptop, "forgetful@example.com").await;
    // The same answer for an account's address and for one that has none.
    let visitor = app.client();
    for email in ["forgetful@example.com", "nobody@example.com"] {
        let asked = app.submit(&visitor, "forgot_password", &[("email", email)]).await;
        assert_eq!(asked.status(), StatusCode::FOUND, "{email}");
        assert_eq!(crate::support::location(&asked), "/forgot-password?sent=1", "{email}");
    }
    const MAIL: &str =
        "SELECT body FROM mail_outbox WHERE to_addr = 'forgetful@example.com' AND subject LIKE '%password%'";
    eventually(std::time::Duration::from_secs(5), "the reset mail", || {
        let db = app.db.clone();
        async move {
            let mail: Option<String> = sqlx::query_scalar(MAIL)
                .fetch_optional(db.pool())
                .await
                .expect("outbox");
            mail.is_some()
        }
    })
    .await;
    let body: String = sqlx::query_scalar(MAIL).fetch_one(app.db.pool()).await.expect("mail");
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with("/reset-password?token="))
        .expect("a link")
        .to_string();
    let token = link.trim_start_matches("/reset-password?token=").to_string();
    assert!(app.page(&visitor, &link).await.contains("Save the new password"));
    let reset = [
        ("token", token.as_str()),
        ("password", "remembered-now-42"),
        ("confirm_password", "remembered-now-42"),
    ];
    let done = app.submit(&visitor, "reset_password", &reset).await;
    assert_eq!(crate::support::location(&done), "/login?reset=1");
    // Every device was signed out; the link works once; the new password signs in.
    assert_eq!(
        laptop.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::FOUND
    );
    assert!(app.page(&visitor, &link).await.contains("already used or has expired"));
    assert_eq!(
        app.call(&visitor, "reset_password", &reset).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a spent link is a field error, nothing changes"
    );
    assert_eq!(
        app.login(&visitor, "forgetful@example.com", "remembered-now-42")
            .await
            .status(),
        StatusCode::OK
    );
    app.finish().await;
}

#[tokio::test]
async fn only_a_signed_in_account_asks_to_change_its_email() {
    let app = spawn_app().await;
    let visitor = app.client();
    let form = [("email", "taken-over@example.com"), ("password", "correct-horse-77")];
    let asked = app.call(&visitor, "request_email_change", &form).await;
    assert!(
        matches!(asked.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
        "{}",
        asked.status()
    );
    let signed_in = app.client();
    app.register(&signed_in, "owner@example.com").await;
    let asked = app.call(&signed_in, "request_email_change", &form).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let sent: Vec<String> =
        sqlx::query_scalar("SELECT to_addr FROM mail_outbox WHERE dedupe_key NOT LIKE 'verify-email:%' ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .expect("outbox");
    assert_eq!(
        sent,
        ["taken-over@example.com", "owner@example.com"],
        "the link, and the old address told"
    );
}

#[tokio::test]
async fn a_password_change_signs_out_the_other_devices() {
    let app = spawn_app().await;
    let phone = app.client();
    app.register(&phone, "two@example.com").await;
    let laptop = app.client();
    assert_eq!(
        app.login(&laptop, "two@example.com", "correct-horse-77").await.status(),
        StatusCode::OK
    );

    let changed = app
        .call(
            &phone,
            "change_password",
            &[
                ("current_password", "correct-horse-77"),
                ("new_password", "fresh-battery-88"),
                ("confirm_password", "fresh-battery-88"),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        phone.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::OK
    );
    assert_eq!(
        laptop.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn bad_registration_returns_field_errors_and_creates_nothing() {
    let app = spawn_app().await;
    let client = app.client();
    let response = app
        .call(
            &client,
            "register",
            &[("name", ""), ("email", "nope"), ("password", "short"), ("next", "/")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = response.json().await.expect("json");
    let fields: Vec<&str> = body["Validation"]
        .as_array()
        .expect("field list")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "email", "password"]);
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(users, 0);
}

#[tokio::test]
async fn admin_dashboard_is_for_admins_only() {
    let app = spawn_app().await;
    let shopper = app.client();
    app.register(&shopper, "shop@example.com").await;
    assert_eq!(
        shopper.get(app.url("/admin")).send().await.expect("get").status(),
        StatusCode::FORBIDDEN
    );
    let api = app.call(&shopper, "admin_overview", &[]).await;
    assert_eq!(api.status(), StatusCode::FORBIDDEN);

    let admin = domain::accounts::create_admin(
        &app.db,
        &domain::accounts::Registration {
            name: "Operator".into(),
            email: "ops@example.com".into(),
            password: "operator-secret-1".into(),
        },
    )
    .await
    .expect("admin");
    // Without two-factor sign-in an admin is sent to the page that says how to get it, and acts as a visitor.
    let client = app.client();
    assert_eq!(
        app.login(&client, "ops@example.com", "operator-secret-1")
            .await
            .status(),
        StatusCode::OK
    );
    let page = client.get(app.url("/admin")).send().await.expect("get");
    assert_eq!(crate::support::location(&page), "/account/two-factor?required=1");
    assert_eq!(
        app.call(&client, "admin_overview", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let told = app.page(&client, "/account/two-factor?required=1").await;
    assert!(
        told.contains("given by the shop&#x27;s operator") || told.contains("given by the shop's operator"),
        "{told}"
    );
    assert_eq!(
        app.call(&client, "enable_two_factor", &[("code", "123456")])
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The operator gives the key (`bazaar two-factor`); every session of the account ends.
    let (setup, _) = domain::accounts::two_factor::issue_by_operator(&app.db, admin.id)
        .await
        .expect("key");
    assert_eq!(
        client.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::FOUND
    );
    // The password, then a code; between the two nobody is signed in and nothing of the account is told.
    let admin = app.client();
    let password_step = app.login(&admin, "ops@example.com", "operator-secret-1").await;
    assert_eq!(password_step.status(), StatusCode::OK);
    assert_eq!(password_step.text().await.expect("body"), "null");
    let waiting = admin.get(app.url("/admin")).send().await.expect("get");
    assert_eq!(crate::support::location(&waiting), "/login?next=%2Fadmin");
    let wrong = app
        .call(&admin, "login_two_factor", &[("code", "000000"), ("next", "/")])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.second_step(&admin, &setup.secret).await;
    let page = admin.get(app.url("/admin")).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(html.contains("Admin dashboard"));
    assert!(html.contains("Shoppers"));
}

#[tokio::test]
async fn turning_two_factor_on_signs_out_the_other_devices_and_each_sign_in_then_asks_for_a_code() {
    let app = spawn_app().await;
    let (laptop, phone) = (app.client(), app.client());
    app.register(&laptop, "careful@example.com").await;
    app.confirm_email(&laptop, "careful@example.com").await;
    app.login(&phone, "careful@example.com", "correct-horse-77").await;
    let setup = app.page(&laptop, "/account/two-factor").await;
    let secret = setup
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the key on the page")
        .to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let code = domain::accounts::two_factor::code_at(&secret, now).expect("code");
    let on = app.submit(&laptop, "enable_two_factor", &[("code", &code)]).await;
    assert_eq!(crate::support::location(&on), "/account/two-factor?on=1");
    assert!(app
        .page(&laptop, "/account/two-factor?on=1")
        .await
        .contains("Your recovery codes"));
    assert!(
        !app.page(&laptop, "/account/two-factor")
            .await
            .contains("Your recovery codes"),
        "shown once"
    );
    assert_eq!(
        phone.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::FOUND
    );
    assert_eq!(
        laptop.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::OK
    );

    let again = app.client();
    app.login(&again, "careful@example.com", "correct-horse-77").await;
    assert_eq!(
        again.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::FOUND
    );
    // The code that turned it on cannot serve again; a later one does.
    let replayed = app
        .call(&again, "login_two_factor", &[("code", &code), ("next", "/")])
        .await;
    assert_eq!(replayed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.second_step(&again, &secret).await;
    assert_eq!(
        again.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn signing_out_works_without_javascript() {
    let app = spawn_app().await;
    let client = app.client();
    assert_eq!(app.register(&client, "nojs@example.com").await.status(), StatusCode::OK);
    let page = app.page(&client, "/").await;
    let fallback = page
        .split("<noscript>")
        .nth(1)
        .and_then(|rest| rest.split("</noscript>").next())
        .unwrap_or_default();
    assert!(fallback.contains("action=\"/api/logout\""), "{fallback}");
    // The plain form post a browser without JavaScript makes signs out and lands on the home page.
    let out = app.submit(&client, "logout", &[]).await;
    assert_eq!(out.status(), StatusCode::FOUND);
    let account = client.get(app.url("/account")).send().await.expect("account");
    assert_ne!(account.status(), StatusCode::OK, "signed out");
}

#[tokio::test]
async fn the_security_page_lists_each_device_and_signs_out_the_one_chosen() {
    let app = spawn_app().await;
    let browser = |agent: &str| {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .user_agent(agent)
            .build()
            .expect("client")
    };
    let laptop = browser("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");
    let phone = browser("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Version/18.1 Mobile Safari/604.1");
    let tablet = browser("<script>alert(1)</script>");
    app.register(&laptop, "devices@example.com").await;
    for other in [&phone, &tablet] {
        let r = app.login(other, "devices@example.com", "correct-horse-77").await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let page = app.page(&laptop, "/account/security").await;
    for shown in [
        "Firefox on Linux",
        "This device",
        "Safari on iPhone",
        "Unknown device",
        "Sign out every other device",
    ] {
        assert!(page.contains(shown), "{shown} missing: {page}");
    }
    assert!(!page.contains("<script>alert"), "the header itself is never shown");

    // The phone's handle, as its form carries it.
    let phone_item = page.split("Safari on iPhone").nth(1).expect("the phone's item");
    let handle = phone_item
        .split("name=\"handle\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a handle")
        .to_string();
    let ended = app.submit(&laptop, "end_sign_in", &[("handle", &handle)]).await;
    assert_eq!(crate::support::location(&ended), "/account/security?ended=1");
    assert_eq!(
        phone.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::FOUND,
        "the phone is signed out"
    );
    let again = app.call(&laptop, "end_sign_in", &[("handle", &handle)]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Another account cannot end this one's sign-ins with a handle it saw.
    let stranger = app.client();
    app.register(&stranger, "stranger@example.com").await;
    let page = app.page(&laptop, "/account/security").await;
    let tablet_handle = page
        .split("Unknown device")
        .nth(1)
        .and_then(|item| item.split("name=\"handle\" value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the tablet's handle")
        .to_string();
    let refused = app.call(&stranger, "end_sign_in", &[("handle", &tablet_handle)]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(
        tablet.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::OK
    );

    let all = app.submit(&laptop, "end_other_sign_ins", &[]).await;
    assert_eq!(crate::support::location(&all), "/account/security?ended=all");
    assert_eq!(
        tablet.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::FOUND
    );
    assert_eq!(
        laptop.get(app.url("/account")).send().await.expect("get").status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn signed_out_the_security_page_leads_to_the_login_and_its_actions_are_refused() {
    let app = spawn_app().await;
    let visitor = app.client();
    let page = visitor.get(app.url("/account/security")).send().await.expect("get");
    assert_eq!(crate::support::location(&page), "/login?next=%2Faccount%2Fsecurity");
    for endpoint in ["sign_ins", "end_sign_in", "end_other_sign_ins"] {
        let r = app
            .call(&visitor, endpoint, &[("handle", "0123456789abcdef01234567")])
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
    }
}
