//! Confirming an account's address, and a registration form that does not tell which addresses have accounts.
//! Each test runs on SQLite and PostgreSQL.

use domain::accounts::{self, verification, AccountError, ClientKey, Registration, ThrottlePolicy};
use domain::sellers::SellerError;
use domain::workflows::onboard_seller;
use domain::Db;
use model::sellers::ApplicationForm;

use crate::db_tests;
use crate::harness::actors;

fn grace(email: &str, password: &str) -> Registration {
    Registration {
        name: "Grace Hopper".into(),
        email: email.into(),
        password: password.into(),
    }
}

fn application() -> ApplicationForm {
    ApplicationForm {
        store_name: "Compiler Corner".into(),
        slug: String::new(),
        description: "Nanoseconds of wire, by the foot.".into(),
        support_email: "help@example.com".into(),
        country: "DE".into(),
        return_days: "30".into(),
        return_policy: "Unused wire within 30 days.".into(),
    }
}

async fn user_id(db: &Db, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(db.pool())
        .await
        .expect("account")
}

async fn subjects_to(db: &Db, to: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT subject FROM mail_outbox WHERE to_addr = $1 ORDER BY id")
        .bind(to)
        .fetch_all(db.pool())
        .await
        .expect("mail")
}

async fn verified(db: &Db, id: i64) -> bool {
    accounts::find_user(db, id)
        .await
        .expect("find")
        .expect("exists")
        .to_view()
        .email_verified
}

fn message(err: AccountError) -> String {
    match err {
        AccountError::Invalid(fields) => fields.into_iter().map(|f| f.message).collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn a_new_account_confirms_its_address_once_before_it_may_sell(db: Db) {
    verification::sign_up(&db, &grace("Grace@Example.com", "cobol-compiler-1959"))
        .await
        .expect("sign up");
    let id = user_id(&db, "grace@example.com").await;
    assert!(!verified(&db, id).await, "confirmed before any link was opened");
    assert_eq!(
        subjects_to(&db, "grace@example.com").await,
        ["Welcome to Bazaar: confirm your email"]
    );

    // An unconfirmed account shops and signs in, but cannot apply to sell.
    accounts::login(
        &db,
        &ThrottlePolicy::default(),
        &ClientKey("10.0.0.9".into()),
        "grace@example.com",
        "cobol-compiler-1959",
    )
    .await
    .expect("signs in unconfirmed");
    let actor = actors::of_user(&db, id).await;
    match onboard_seller::apply(&db, &actor, &application()).await {
        Err(SellerError::Conflict(m)) => assert!(m.contains("Confirm your email"), "{m}"),
        other => panic!("an unconfirmed account applied: {other:?}"),
    }

    let token = actors::latest_link(&db, id, "/verify-email?token=").await;
    assert_eq!(
        verification::pending(&db, &token).await.expect("pending").as_deref(),
        Some("grace@example.com")
    );
    assert!(verification::pending(&db, "not-a-token").await.expect("read").is_none());
    verification::confirm(&db, &token).await.expect("confirm");
    assert!(verified(&db, id).await);
    assert!(message(verification::confirm(&db, &token).await.expect_err("used twice")).contains("already used"));
    assert!(verification::pending(&db, &token).await.expect("read").is_none());
    onboard_seller::apply(&db, &actor, &application())
        .await
        .expect("a confirmed account applies");
}

async fn registering_a_taken_address_changes_nothing_and_tells_its_owner_once_an_hour(db: Db) {
    let owner = accounts::register(&db, &grace("grace@example.com", "cobol-compiler-1959"))
        .await
        .expect("owner");
    for attempt in ["Grace@Example.com", " grace@example.com "] {
        verification::sign_up(&db, &grace(attempt, "someone-elses-secret-1"))
            .await
            .expect("the same answer as for a new address");
    }
    let accounts_with_it: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = 'grace@example.com'")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(accounts_with_it, 1);
    assert_eq!(
        subjects_to(&db, "grace@example.com").await,
        ["Someone tried to create a Bazaar account with your email"],
        "one mail for two attempts in an hour, and no confirmation link"
    );
    // The owner's password and name stay.
    let user = accounts::login(
        &db,
        &ThrottlePolicy::default(),
        &ClientKey("10.0.0.9".into()),
        "grace@example.com",
        "cobol-compiler-1959",
    )
    .await
    .expect("the owner's password still works");
    assert_eq!((user.id, user.name.as_str()), (owner.id, "Grace Hopper"));
    // What was typed is still checked as for anyone.
    assert!(matches!(
        verification::sign_up(&db, &grace("grace@example.com", "short")).await,
        Err(AccountError::Invalid(_))
    ));
}

async fn links_are_sent_again_three_times_an_hour_and_not_once_confirmed(db: Db) {
    verification::sign_up(&db, &grace("grace@example.com", "cobol-compiler-1959"))
        .await
        .expect("sign up");
    let id = user_id(&db, "grace@example.com").await;
    let first = actors::latest_link(&db, id, "/verify-email?token=").await;
    verification::resend(&db, id).await.expect("second link");
    verification::resend(&db, id).await.expect("third link");
    assert!(message(verification::resend(&db, id).await.expect_err("a fourth")).contains("three links this hour"));
    // Any of the links sent works; opening one spends the others.
    let newest = actors::latest_link(&db, id, "/verify-email?token=").await;
    assert_ne!(first, newest);
    verification::confirm(&db, &first)
        .await
        .expect("the first link still works");
    assert!(
        verification::confirm(&db, &newest).await.is_err(),
        "spent with the first"
    );
    assert!(message(verification::resend(&db, id).await.expect_err("confirmed")).contains("already confirmed"));
}

async fn a_link_to_an_address_the_account_left_confirms_nothing(db: Db) {
    verification::sign_up(&db, &grace("grace@example.com", "cobol-compiler-1959"))
        .await
        .expect("sign up");
    let id = user_id(&db, "grace@example.com").await;
    let old_link = actors::latest_link(&db, id, "/verify-email?token=").await;
    accounts::email_change::request(&db, id, "hopper@example.com", "cobol-compiler-1959")
        .await
        .expect("ask");
    let body: String = sqlx::query_scalar("SELECT body FROM mail_outbox WHERE to_addr = 'hopper@example.com'")
        .fetch_one(db.pool())
        .await
        .expect("the change link");
    let change = body
        .split_whitespace()
        .find_map(|w| w.strip_prefix("/account/email?token="))
        .expect("a link")
        .to_string();
    // The change link reached the new address: the account's address is confirmed with the change.
    accounts::email_change::confirm(&db, &change).await.expect("change");
    assert!(verified(&db, id).await);
    // The first address's link confirms nothing now.
    assert!(message(verification::confirm(&db, &old_link).await.expect_err("old address")).contains("no longer uses"));
}

async fn a_password_reset_confirms_the_address_it_reached(db: Db) {
    // Someone else registered with Grace's address; she never got past the registration page.
    verification::sign_up(&db, &grace("grace@example.com", "squatters-secret-1"))
        .await
        .expect("sign up");
    let id = user_id(&db, "grace@example.com").await;
    let email = accounts::resets::check_address("grace@example.com").expect("address");
    accounts::resets::send_link(&db, &email).await.expect("reset link");
    let token = actors::latest_link(&db, id, "/reset-password?token=").await;
    accounts::resets::reset(&db, &token, "graces-own-secret-2")
        .await
        .expect("reset");
    assert!(verified(&db, id).await, "the reset link reached the address");
}

async fn one_link_opened_twice_at_once_confirms_once(db: Db) {
    verification::sign_up(&db, &grace("grace@example.com", "cobol-compiler-1959"))
        .await
        .expect("sign up");
    let id = user_id(&db, "grace@example.com").await;
    let token = actors::latest_link(&db, id, "/verify-email?token=").await;
    let (a, b) = tokio::join!(verification::confirm(&db, &token), verification::confirm(&db, &token));
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    assert!(verified(&db, id).await);
}

db_tests!(
    a_new_account_confirms_its_address_once_before_it_may_sell,
    registering_a_taken_address_changes_nothing_and_tells_its_owner_once_an_hour,
    links_are_sent_again_three_times_an_hour_and_not_once_confirmed,
    a_link_to_an_address_the_account_left_confirms_nothing,
    a_password_reset_confirms_the_address_it_reached,
    one_link_opened_twice_at_once_confirms_once,
);
