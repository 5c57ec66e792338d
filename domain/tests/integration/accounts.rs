use domain::accounts::{self, AccountError, ClientKey, ProfileUpdate, Registration, ThrottlePolicy};
use domain::Db;
use model::Role;

use crate::db_tests;

fn ada() -> Registration {
    Registration {
        name: "Ada Lovelace".into(),
        email: "Ada@Example.com".into(),
        password: "analytical-engine-1843".into(),
    }
}

fn client(addr: &str) -> ClientKey {
    ClientKey(addr.to_string())
}

fn field_names(err: AccountError) -> Vec<String> {
    match err {
        AccountError::Invalid(fields) => fields.into_iter().map(|f| f.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn registration_creates_a_shopper_who_can_log_in(db: Db) {
    let user = accounts::register(&db, &ada()).await.expect("register");
    assert_eq!(user.role, Role::Shopper);
    assert_eq!(user.email, "ada@example.com");
    let again = accounts::login(
        &db,
        &ThrottlePolicy::default(),
        &client("10.0.0.1"),
        " ADA@example.com",
        "analytical-engine-1843",
    )
    .await
    .expect("login");
    assert_eq!(again.id, user.id);
}

async fn duplicate_email_is_a_field_error_whatever_its_case(db: Db) {
    accounts::register(&db, &ada()).await.expect("first");
    let mut twin = ada();
    twin.email = "ADA@EXAMPLE.COM".into();
    let err = accounts::register(&db, &twin).await.expect_err("duplicate accepted");
    assert_eq!(field_names(err), vec!["email"]);
}

async fn registration_reports_every_invalid_field_at_once(db: Db) {
    let bad = Registration {
        name: "  ".into(),
        email: "not-an-email".into(),
        password: "password123".into(),
    };
    let err = accounts::register(&db, &bad).await.expect_err("accepted");
    assert_eq!(field_names(err), vec!["name", "email", "password"]);
}

async fn unknown_email_and_wrong_password_answer_the_same(db: Db) {
    accounts::register(&db, &ada()).await.expect("register");
    let policy = ThrottlePolicy::default();
    let unknown = accounts::login(
        &db,
        &policy,
        &client("10.0.0.2"),
        "nobody@example.com",
        "analytical-engine-1843",
    )
    .await
    .expect_err("unknown email logged in");
    let wrong = accounts::login(
        &db,
        &policy,
        &client("10.0.0.2"),
        "ada@example.com",
        "wrong-password-000",
    )
    .await
    .expect_err("wrong password logged in");
    assert_eq!(unknown.to_string(), wrong.to_string());
    assert!(matches!(unknown, AccountError::BadCredentials));
    assert!(matches!(wrong, AccountError::BadCredentials));
}

async fn repeated_failures_for_one_account_are_throttled_then_lifted(db: Db) {
    accounts::register(&db, &ada()).await.expect("register");
    let policy = ThrottlePolicy {
        per_account: 3,
        per_client: 100,
        window_ms: 1_500,
    };
    for i in 0..3 {
        let err = accounts::login(
            &db,
            &policy,
            &client(&format!("10.1.0.{i}")),
            "ada@example.com",
            "guess-guess-guess",
        )
        .await
        .expect_err("guess accepted");
        assert!(matches!(err, AccountError::BadCredentials), "attempt {i}: {err:?}");
    }
    // Even the right password waits while the account is throttled...
    let err = accounts::login(
        &db,
        &policy,
        &client("10.9.9.9"),
        "ada@example.com",
        "analytical-engine-1843",
    )
    .await
    .expect_err("throttle ignored");
    match err {
        AccountError::Throttled { retry_after_secs } => assert!((1..=2).contains(&retry_after_secs)),
        other => panic!("expected Throttled, got {other:?}"),
    }
    // ...but only until the failures age out: the owner is never locked out for good.
    tokio::time::sleep(std::time::Duration::from_millis(1_600)).await;
    accounts::login(
        &db,
        &policy,
        &client("10.9.9.9"),
        "ada@example.com",
        "analytical-engine-1843",
    )
    .await
    .expect("owner locked out after the window");
}

async fn one_client_guessing_many_accounts_is_throttled(db: Db) {
    let policy = ThrottlePolicy {
        per_account: 100,
        per_client: 4,
        window_ms: 60_000,
    };
    for i in 0..4 {
        let _ = accounts::login(
            &db,
            &policy,
            &client("203.0.113.7"),
            &format!("user{i}@example.com"),
            "guess-guess-guess",
        )
        .await;
    }
    let err = accounts::login(
        &db,
        &policy,
        &client("203.0.113.7"),
        "someone@example.com",
        "guess-guess-guess",
    )
    .await
    .expect_err("accepted");
    assert!(matches!(err, AccountError::Throttled { .. }), "{err:?}");
    // Another client is not affected.
    let other = accounts::login(
        &db,
        &policy,
        &client("198.51.100.1"),
        "someone@example.com",
        "guess-guess-guess",
    )
    .await
    .expect_err("accepted");
    assert!(matches!(other, AccountError::BadCredentials), "{other:?}");
}

async fn a_disabled_account_cannot_log_in(db: Db) {
    let user = accounts::register(&db, &ada()).await.expect("register");
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
        .bind(1_i64)
        .bind(user.id)
        .execute(db.pool())
        .await
        .expect("disable");
    let err = accounts::login(
        &db,
        &ThrottlePolicy::default(),
        &client("10.0.0.3"),
        "ada@example.com",
        "analytical-engine-1843",
    )
    .await
    .expect_err("disabled user logged in");
    // The right password learns the account is suspended; a wrong one learns nothing more than anywhere else.
    assert!(matches!(err, AccountError::Suspended), "{err:?}");
    let wrong = accounts::login(
        &db,
        &ThrottlePolicy::default(),
        &client("10.0.0.3"),
        "ada@example.com",
        "not-the-password-1843",
    )
    .await
    .expect_err("accepted");
    assert!(matches!(wrong, AccountError::BadCredentials), "{wrong:?}");
}

/// The link in the newest mail to `to` whose subject holds `subject`, as the token it carries after `prefix`.
async fn token_in_mail(db: &Db, to: &str, subject: &str, prefix: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body FROM mail_outbox WHERE to_addr = $1 AND subject LIKE $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(to)
    .bind(format!("%{subject}%"))
    .fetch_one(db.pool())
    .await
    .expect("a mail");
    let word = body.split_whitespace().find(|w| w.starts_with(prefix)).expect("a link");
    word.trim_start_matches(prefix).to_string()
}

async fn subjects_to(db: &Db, to: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT subject FROM mail_outbox WHERE to_addr = $1 ORDER BY id")
        .bind(to)
        .fetch_all(db.pool())
        .await
        .expect("mail")
}

/// The name changes at once; the email only from the link sent to the new address, asked with the password, once,
/// and never to an address another account took meanwhile. The old address is told both times.
async fn an_email_changes_only_from_the_link_sent_to_the_new_address(db: Db) {
    use domain::accounts::email_change;
    let user = accounts::register(&db, &ada()).await.expect("register");
    let updated = accounts::update_profile(
        &db,
        user.id,
        &ProfileUpdate {
            name: "Augusta Ada King".into(),
        },
    )
    .await
    .expect("update");
    assert_eq!(
        (updated.name.as_str(), updated.email.as_str()),
        ("Augusta Ada King", "ada@example.com")
    );

    // The password is asked, the address checked; nothing is sent for a refused request.
    let err = email_change::request(&db, user.id, "countess@example.com", "not-my-password")
        .await
        .expect_err("wrong password");
    assert_eq!(field_names(err), ["password"]);
    let err = email_change::request(&db, user.id, "not an address", "analytical-engine-1843")
        .await
        .expect_err("bad address");
    assert_eq!(field_names(err), ["email"]);
    assert!(subjects_to(&db, "countess@example.com").await.is_empty());

    email_change::request(&db, user.id, " Countess@Example.com ", "analytical-engine-1843")
        .await
        .expect("asked");
    let token = token_in_mail(&db, "countess@example.com", "Confirm your new", "/account/email?token=").await;
    assert_eq!(
        subjects_to(&db, "ada@example.com").await,
        ["A change of your Bazaar email was asked"]
    );
    let still = accounts::find_user(&db, user.id).await.expect("find").expect("exists");
    assert_eq!(
        still.email, "ada@example.com",
        "nothing changes before the link is opened"
    );
    assert_eq!(
        email_change::pending(&db, &token).await.expect("read").as_deref(),
        Some("countess@example.com")
    );

    // Opened: the email changes, once; the old address is told.
    assert_eq!(
        email_change::confirm(&db, &token).await.expect("confirm"),
        "countess@example.com"
    );
    let moved = accounts::find_user(&db, user.id).await.expect("find").expect("exists");
    assert_eq!(moved.email, "countess@example.com");
    assert!(matches!(
        email_change::confirm(&db, &token).await,
        Err(AccountError::Invalid(_))
    ));
    assert_eq!(email_change::pending(&db, &token).await.expect("read"), None);
    assert_eq!(subjects_to(&db, "ada@example.com").await.len(), 2);

    // An address another account took meanwhile: the link changes nothing and stays usable.
    let mut grace = ada();
    grace.email = "grace@example.com".into();
    let grace = accounts::register(&db, &grace).await.expect("grace");
    email_change::request(&db, grace.id, "ada.new@example.com", "analytical-engine-1843")
        .await
        .expect("asked");
    let graces = token_in_mail(&db, "ada.new@example.com", "Confirm your new", "/account/email?token=").await;
    email_change::request(&db, user.id, "ada.new@example.com", "analytical-engine-1843")
        .await
        .expect("asked");
    let adas = token_in_mail(&db, "ada.new@example.com", "Confirm your new", "/account/email?token=").await;
    email_change::confirm(&db, &adas).await.expect("ada first");
    assert!(matches!(
        email_change::confirm(&db, &graces).await,
        Err(AccountError::Invalid(_))
    ));
    let grace_now = accounts::find_user(&db, grace.id).await.expect("find").expect("exists");
    assert_eq!(grace_now.email, "grace@example.com");

    // A change asked by someone who knew the password dies when the owner changes the password.
    email_change::request(&db, user.id, "thief@example.com", "analytical-engine-1843")
        .await
        .expect("asked");
    let thiefs = token_in_mail(&db, "thief@example.com", "Confirm your new", "/account/email?token=").await;
    accounts::change_password(&db, user.id, "analytical-engine-1843", "owner-took-it-back-9", None)
        .await
        .expect("changed");
    assert!(matches!(
        email_change::confirm(&db, &thiefs).await,
        Err(AccountError::Invalid(_))
    ));
    let kept = accounts::find_user(&db, user.id).await.expect("find").expect("exists");
    assert_eq!(kept.email, "ada.new@example.com");

    // Three requests an hour at most (three were made above).
    let err = email_change::request(&db, user.id, "more9@example.com", "owner-took-it-back-9")
        .await
        .expect_err("a fourth");
    assert_eq!(field_names(err), ["email"]);
}

async fn change_password_checks_the_current_one_and_the_rules(db: Db) {
    let user = accounts::register(&db, &ada()).await.expect("register");
    let err = accounts::change_password(&db, user.id, "not-the-password", "brand-new-secret-77", None)
        .await
        .expect_err("wrong current accepted");
    assert_eq!(field_names(err), vec!["current_password"]);
    let err = accounts::change_password(&db, user.id, "analytical-engine-1843", "qwertyuiop", None)
        .await
        .expect_err("common password accepted");
    assert_eq!(field_names(err), vec!["new_password"]);

    accounts::change_password(&db, user.id, "analytical-engine-1843", "brand-new-secret-77", None)
        .await
        .expect("change");
    let policy = ThrottlePolicy::default();
    assert!(accounts::login(
        &db,
        &policy,
        &client("10.0.0.4"),
        "ada@example.com",
        "analytical-engine-1843"
    )
    .await
    .is_err());
    accounts::login(
        &db,
        &policy,
        &client("10.0.0.4"),
        "ada@example.com",
        "brand-new-secret-77",
    )
    .await
    .expect("login with the new password");
}

async fn create_admin_makes_an_admin(db: Db) {
    let admin = accounts::create_admin(
        &db,
        &Registration {
            name: "Root".into(),
            email: "ops@example.com".into(),
            password: "very-long-admin-secret".into(),
        },
    )
    .await
    .expect("create admin");
    assert_eq!(admin.role, Role::Admin);
    let found = accounts::find_user(&db, admin.id).await.expect("find").expect("exists");
    assert!(found.to_view().is_admin());
}

db_tests!(
    a_reset_link_works_once_within_the_hour_for_its_account,
    a_reset_link_used_twice_at_once_sets_one_password,
    registration_creates_a_shopper_who_can_log_in,
    duplicate_email_is_a_field_error_whatever_its_case,
    registration_reports_every_invalid_field_at_once,
    unknown_email_and_wrong_password_answer_the_same,
    repeated_failures_for_one_account_are_throttled_then_lifted,
    one_client_guessing_many_accounts_is_throttled,
    a_disabled_account_cannot_log_in,
    an_email_changes_only_from_the_link_sent_to_the_new_address,
    change_password_checks_the_current_one_and_the_rules,
    create_admin_makes_an_admin,
);

/// The link in the newest reset mail to `to`, as the token it carries.
async fn reset_token(db: &Db, to: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body FROM mail_outbox WHERE to_addr = $1 AND subject LIKE '%password%' ORDER BY id DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(db.pool())
    .await
    .expect("a reset mail");
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with("/reset-password?token="))
        .expect("a link");
    link.trim_start_matches("/reset-password?token=").to_string()
}

async fn session_of(db: &Db, user_id: i64, id: &str) {
    sqlx::query("INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, '{}', $3)")
        .bind(id)
        .bind(user_id)
        .bind(domain::platform::clock::wall_ms() + 3_600_000)
        .execute(db.pool())
        .await
        .expect("session");
}

/// A forgotten password: the link works once, within the hour, for its own account; using it ends every session
/// and lifts the login throttling; asking never tells whether an address has an account.
async fn a_reset_link_works_once_within_the_hour_for_its_account(db: Db) {
    use domain::accounts::resets;
    let ada = accounts::register(&db, &ada()).await.expect("ada");
    let bob = accounts::register(
        &db,
        &Registration {
            name: "Bob".into(),
            email: "bob@example.com".into(),
            password: "difference-engine-1822".into(),
        },
    )
    .await
    .expect("bob");
    for id in ["ada-phone", "ada-laptop"] {
        session_of(&db, ada.id, id).await;
    }
    session_of(&db, bob.id, "bob-laptop").await;
    // Ada is throttled after guessing.
    let policy = ThrottlePolicy {
        per_account: 2,
        per_client: 100,
        window_ms: 60_000,
    };
    for _ in 0..2 {
        let _ = accounts::login(
            &db,
            &policy,
            &client("10.2.0.1"),
            "ada@example.com",
            "wrong-wrong-wrong",
        )
        .await;
    }

    // Asking: a malformed address is told; an unknown one is answered the same as Ada's, and sends nothing.
    assert!(matches!(
        resets::check_address("not an address"),
        Err(AccountError::Invalid(_))
    ));
    let nobody = resets::check_address("nobody@example.com").expect("well formed");
    resets::send_link(&db, &nobody).await.expect("same answer");
    let ada_address = resets::check_address(" ADA@example.com ").expect("well formed");
    resets::send_link(&db, &ada_address).await.expect("sent");
    let token = reset_token(&db, "ada@example.com").await;
    assert_eq!(
        crate::harness::fixtures::count(
            &db,
            "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'nobody@example.com'"
        )
        .await,
        0
    );
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM password_resets WHERE user_id = $1")
        .bind(ada.id)
        .fetch_one(db.pool())
        .await
        .expect("row");
    assert_ne!(stored, token, "only the token's hash is kept");

    // The new password follows the registration rules; a made-up token does nothing.
    assert!(matches!(
        resets::reset(&db, &token, "short").await,
        Err(AccountError::Invalid(_))
    ));
    assert!(matches!(
        resets::reset(&db, &"f".repeat(64), "a-brand-new-secret-77").await,
        Err(AccountError::Invalid(_))
    ));
    assert!(resets::link_works(&db, &token).await.expect("read"));
    resets::reset(&db, &token, "a-brand-new-secret-77")
        .await
        .expect("reset");

    // Used once: the same link again is refused; every session of Ada ended, Bob's kept; the throttle lifted.
    assert!(!resets::link_works(&db, &token).await.expect("read"));
    assert!(matches!(
        resets::reset(&db, &token, "another-new-secret-88").await,
        Err(AccountError::Invalid(_))
    ));
    let sessions: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions ORDER BY id")
        .fetch_all(db.pool())
        .await
        .expect("sessions");
    assert_eq!(sessions, ["bob-laptop"]);
    accounts::login(
        &db,
        &policy,
        &client("10.2.0.2"),
        "ada@example.com",
        "a-brand-new-secret-77",
    )
    .await
    .expect("signed in with the new password");
    assert!(
        matches!(
            accounts::login(
                &db,
                &policy,
                &client("10.2.0.3"),
                "bob@example.com",
                "a-brand-new-secret-77"
            )
            .await,
            Err(AccountError::BadCredentials)
        ),
        "another account's password is untouched"
    );

    // A link past its hour is refused; two more requests within the hour send links, the third sends nothing.
    let bob_address = resets::check_address("bob@example.com").expect("ok");
    resets::send_link(&db, &bob_address).await.expect("sent");
    let old = reset_token(&db, "bob@example.com").await;
    sqlx::query("UPDATE password_resets SET expires_at = $1 WHERE user_id = $2")
        .bind(domain::platform::clock::now_ms() - 1)
        .bind(bob.id)
        .execute(db.pool())
        .await
        .expect("expire");
    assert!(matches!(
        resets::reset(&db, &old, "another-new-secret-88").await,
        Err(AccountError::Invalid(_))
    ));
    for _ in 0..3 {
        resets::send_link(&db, &bob_address).await.expect("asked");
    }
    let bob_links = crate::harness::fixtures::count(
        &db,
        "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'bob@example.com'",
    )
    .await;
    assert_eq!(bob_links, 3, "three links an hour at most");
}

/// Two uses of one link at once: one password is set, the other use is refused.
async fn a_reset_link_used_twice_at_once_sets_one_password(db: Db) {
    use domain::accounts::resets;
    accounts::register(&db, &ada()).await.expect("ada");
    resets::send_link(&db, &resets::check_address("ada@example.com").expect("ok"))
        .await
        .expect("sent");
    let token = reset_token(&db, "ada@example.com").await;
    let (a, b) = tokio::join!(
        resets::reset(&db, &token, "first-new-secret-11"),
        resets::reset(&db, &token, "second-new-secret-22")
    );
    assert_eq!(u8::from(a.is_ok()) + u8::from(b.is_ok()), 1, "{a:?} {b:?}");
}
