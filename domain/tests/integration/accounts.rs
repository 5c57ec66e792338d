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
    assert!(matches!(err, AccountError::BadCredentials));
}

async fn profile_update_changes_name_and_email_but_not_to_a_taken_one(db: Db) {
    let user = accounts::register(&db, &ada()).await.expect("register");
    let mut grace = ada();
    grace.email = "grace@example.com".into();
    accounts::register(&db, &grace).await.expect("register grace");

    let updated = accounts::update_profile(
        &db,
        user.id,
        &ProfileUpdate {
            name: "Augusta Ada King".into(),
            email: "Countess@Example.com".into(),
        },
    )
    .await
    .expect("update");
    assert_eq!(updated.name, "Augusta Ada King");
    assert_eq!(updated.email, "countess@example.com");

    let err = accounts::update_profile(
        &db,
        user.id,
        &ProfileUpdate {
            name: "Ada".into(),
            email: "grace@example.com".into(),
        },
    )
    .await
    .expect_err("took grace's email");
    assert_eq!(field_names(err), vec!["email"]);
    let unchanged = accounts::find_user(&db, user.id).await.expect("find").expect("exists");
    assert_eq!(unchanged.email, "countess@example.com");
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
    registration_creates_a_shopper_who_can_log_in,
    duplicate_email_is_a_field_error_whatever_its_case,
    registration_reports_every_invalid_field_at_once,
    unknown_email_and_wrong_password_answer_the_same,
    repeated_failures_for_one_account_are_throttled_then_lifted,
    one_client_guessing_many_accounts_is_throttled,
    a_disabled_account_cannot_log_in,
    profile_update_changes_name_and_email_but_not_to_a_taken_one,
    change_password_checks_the_current_one_and_the_rules,
    create_admin_makes_an_admin,
);
