//! Two-factor sign-in: turned on with a code, codes accepted once, recovery codes, wrong codes throttled, turned
//! off with the password and a code, required for admins. Each test runs on SQLite and PostgreSQL.

use domain::accounts::{self, two_factor, AccountError, ThrottlePolicy};
use domain::{ActorKind, Db};

use crate::db_tests;
use crate::harness::actors;

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// The code the app shows `seconds` from now.
fn code(secret: &str, seconds: i64) -> String {
    two_factor::code_at(secret, now_secs().saturating_add_signed(seconds)).expect("code")
}

/// An admin made as `bazaar create-admin` makes one, before its two-factor key is given.
async fn root_admin(db: &Db) -> accounts::User {
    accounts::create_admin(
        db,
        &accounts::Registration {
            name: "Root".into(),
            email: "root@example.com".into(),
            password: "very-long-admin-secret".into(),
        },
    )
    .await
    .expect("admin")
}

fn is_wrong_code(result: Result<(), AccountError>) -> bool {
    matches!(result, Err(AccountError::Invalid(fields)) if fields[0].field == "code")
}

async fn codes_turn_it_on_and_each_code_works_once(db: Db) {
    let (user_id, _) = actors::shopper(&db).await;
    let policy = ThrottlePolicy::default();
    let setup = two_factor::setup(&db, user_id).await.expect("setup");
    assert!(setup.address.starts_with("otpauth://totp/Bazaar:") && setup.address.contains(&setup.secret));
    assert!(setup.qr_svg.starts_with("<svg"));
    // The page shown again keeps the secret (it may already be in the app).
    assert_eq!(
        two_factor::setup(&db, user_id).await.expect("again").secret,
        setup.secret
    );
    assert!(!two_factor::status(&db, user_id).await.expect("status").enabled);

    assert!(matches!(
        two_factor::enable(&db, user_id, "000000", None).await,
        Err(AccountError::Invalid(_))
    ));
    // Turning it on ends the account's other sessions (they gave only the password), never the one doing it.
    for id in ["elsewhere", "here"] {
        sqlx::query("INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, '{}', $3)")
            .bind(id)
            .bind(user_id)
            .bind(i64::MAX / 2)
            .execute(db.pool())
            .await
            .expect("session");
    }
    let now = code(&setup.secret, 0);
    let recovery = two_factor::enable(&db, user_id, &now, Some("here"))
        .await
        .expect("turn on");
    let left: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(db.pool())
        .await
        .expect("sessions");
    assert_eq!(left, ["here"]);
    assert_eq!(recovery.len(), two_factor::RECOVERY_CODES);
    let status = two_factor::status(&db, user_id).await.expect("status");
    assert_eq!((status.enabled, status.recovery_codes_left), (true, 10));
    assert!(two_factor::setup(&db, user_id).await.is_err(), "set up again while on");

    // The code that turned it on is spent; the next step's code works once.
    assert!(is_wrong_code(two_factor::check(&db, &policy, user_id, &now).await));
    let next = code(&setup.secret, 30);
    two_factor::check(&db, &policy, user_id, &next)
        .await
        .expect("the next code");
    assert!(
        is_wrong_code(two_factor::check(&db, &policy, user_id, &next).await),
        "replayed"
    );

    // A recovery code, typed loosely, works once.
    let typed = recovery[3].to_uppercase().replace('-', " ");
    two_factor::check(&db, &policy, user_id, &typed)
        .await
        .expect("recovery code");
    assert!(is_wrong_code(
        two_factor::check(&db, &policy, user_id, &recovery[3]).await
    ));
    assert_eq!(
        two_factor::status(&db, user_id)
            .await
            .expect("status")
            .recovery_codes_left,
        9
    );
    // Another account's recovery code is not this one's.
    let (other, _) = actors::shopper(&db).await;
    assert!(is_wrong_code(
        two_factor::check(&db, &policy, other, &recovery[4]).await
    ));
}

async fn one_code_used_twice_at_once_signs_in_once(db: Db) {
    let (user_id, _) = actors::shopper(&db).await;
    let policy = ThrottlePolicy::default();
    let setup = two_factor::setup(&db, user_id).await.expect("setup");
    let codes = two_factor::enable(&db, user_id, &code(&setup.secret, -30), None)
        .await
        .expect("on");
    let next = code(&setup.secret, 0);
    let (a, b) = tokio::join!(
        two_factor::check(&db, &policy, user_id, &next),
        two_factor::check(&db, &policy, user_id, &next)
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let (a, b) = tokio::join!(
        two_factor::check(&db, &policy, user_id, &codes[0]),
        two_factor::check(&db, &policy, user_id, &codes[0])
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
}

async fn wrong_codes_are_throttled_per_account(db: Db) {
    let (user_id, _) = actors::shopper(&db).await;
    let policy = ThrottlePolicy::default();
    let setup = two_factor::setup(&db, user_id).await.expect("setup");
    two_factor::enable(&db, user_id, &code(&setup.secret, -30), None)
        .await
        .expect("on");
    for _ in 0..5 {
        assert!(is_wrong_code(two_factor::check(&db, &policy, user_id, "123456x").await));
    }
    let right = code(&setup.secret, 0);
    assert!(matches!(
        two_factor::check(&db, &policy, user_id, &right).await,
        Err(AccountError::Throttled { .. })
    ));
    // The owner lost the phone: the operator's new key works at once, and the old one no more.
    let (fresh, _) = two_factor::issue_by_operator(&db, user_id).await.expect("new key");
    assert_ne!(fresh.secret, setup.secret);
    two_factor::check(&db, &policy, user_id, &code(&fresh.secret, 0))
        .await
        .expect("the new key, not throttled");
    assert!(is_wrong_code(
        two_factor::check(&db, &policy, user_id, &code(&setup.secret, 30)).await
    ));
}

async fn turning_it_off_asks_for_the_password_and_a_code_and_admins_cannot(db: Db) {
    let (user_id, _) = actors::shopper(&db).await;
    let policy = ThrottlePolicy::default();
    let setup = two_factor::setup(&db, user_id).await.expect("setup");
    two_factor::enable(&db, user_id, &code(&setup.secret, -30), None)
        .await
        .expect("on");
    let wrong_password = two_factor::disable(&db, &policy, user_id, "not-it", &code(&setup.secret, 0)).await;
    assert!(matches!(wrong_password, Err(AccountError::Invalid(f)) if f[0].field == "password"));
    assert!(is_wrong_code(
        two_factor::disable(&db, &policy, user_id, "correct horse battery", "000000").await
    ));
    two_factor::disable(&db, &policy, user_id, "correct horse battery", &code(&setup.secret, 0))
        .await
        .expect("off");
    assert!(!two_factor::status(&db, user_id).await.expect("status").enabled);

    // An admin acts as one only with it on, and cannot turn it off.
    let admin = root_admin(&db).await;
    assert_eq!(actors::of_user(&db, admin.id).await.kind(), ActorKind::Visitor);
    let (setup, codes) = two_factor::issue_by_operator(&db, admin.id).await.expect("on");
    assert!(matches!(
        actors::of_user(&db, admin.id).await.kind(),
        ActorKind::Admin { .. }
    ));
    // No code was spent by the operator's set-up: the one showing now signs in.
    two_factor::check(&db, &policy, admin.id, &code(&setup.secret, 0))
        .await
        .expect("the current code");
    let refused = two_factor::disable(&db, &policy, admin.id, "very-long-admin-secret", &codes[0]).await;
    assert!(matches!(refused, Err(AccountError::Invalid(f)) if f[0].message.contains("required")));
}

async fn only_a_confirmed_address_sets_it_up_and_admins_get_it_from_the_operator(db: Db) {
    let unconfirmed = accounts::register(
        &db,
        &accounts::Registration {
            name: "Squatter".into(),
            email: "someone-else@example.com".into(),
            password: "correct horse battery".into(),
        },
    )
    .await
    .expect("register");
    let refused = two_factor::setup(&db, unconfirmed.id).await;
    assert!(matches!(refused, Err(AccountError::Invalid(f)) if f[0].message.contains("Confirm your email")));
    let admin = root_admin(&db).await;
    let refused = two_factor::setup(&db, admin.id).await;
    assert!(matches!(refused, Err(AccountError::Invalid(f)) if f[0].message.contains("operator")));
}

async fn the_code_step_is_refused_once_the_account_changed_after_the_password_step(db: Db) {
    let (user_id, _) = actors::shopper(&db).await;
    let policy = ThrottlePolicy::default();
    let setup = two_factor::setup(&db, user_id).await.expect("setup");
    two_factor::enable(&db, user_id, &code(&setup.secret, -30), None)
        .await
        .expect("on");
    let password_at = domain::platform::clock::now_ms();
    // A reset (or any change of the account) after the password was given: the code alone does not sign in.
    sqlx::query("UPDATE users SET updated_at = $1 WHERE id = $2")
        .bind(password_at + 1)
        .bind(user_id)
        .execute(db.pool())
        .await
        .expect("changed");
    let late = two_factor::second_step(&db, &policy, user_id, password_at, &code(&setup.secret, 0)).await;
    assert!(matches!(late, Err(AccountError::Invalid(f)) if f[0].message.contains("log in again")));
    let user = two_factor::second_step(&db, &policy, user_id, password_at + 1, &code(&setup.secret, 0))
        .await
        .expect("signs in");
    assert_eq!(user.id, user_id);
}

db_tests!(
    only_a_confirmed_address_sets_it_up_and_admins_get_it_from_the_operator,
    the_code_step_is_refused_once_the_account_changed_after_the_password_step,
    codes_turn_it_on_and_each_code_works_once,
    one_code_used_twice_at_once_signs_in_once,
    wrong_codes_are_throttled_per_account,
    turning_it_off_asks_for_the_password_and_a_code_and_admins_cannot,
);
