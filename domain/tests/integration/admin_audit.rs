//! Admins' changes to accounts (suspend, reactivate, role) with their step-up, and the audit log: what each
//! audited action records, its search and pages, and that no row of it can be changed or deleted. Both databases.

use std::collections::HashMap;

use domain::accounts::sessions::{SqlSessionStore, USER_ID_KEY};
use domain::accounts::step_up::{self, Confirmed};
use domain::accounts::{self, standing, AccountError, ThrottlePolicy};
use domain::admin::audit;
use domain::catalog::editor;
use domain::workflows::adjust_stock::{adjust_stock, Adjustment};
use domain::workflows::save_product::save_product;
use domain::{Actor, Db};
use model::admin::{AuditAction, AuditFilter};
use model::Role;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::session_store::SessionStore;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::count;

const PASSWORD: &str = "correct horse battery";

/// A step-up given just now, as an admin whose password the session holds as recent.
async fn recent(db: &Db, admin: &Actor) -> Confirmed {
    let now = domain::platform::clock::now_ms();
    step_up::confirm(db, &ThrottlePolicy::default(), admin, Some(now), "")
        .await
        .expect("recent confirmation")
}

async fn signed_in_session(db: &Db, user_id: i64) -> Id {
    let store = SqlSessionStore::new(db.clone());
    let mut data = HashMap::new();
    data.insert(USER_ID_KEY.to_string(), serde_json::json!(user_id));
    let mut record = Record {
        id: Id::default(),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut record).await.expect("session");
    record.id
}

fn only(filter_action: AuditAction) -> AuditFilter {
    AuditFilter {
        action: filter_action.as_str().into(),
        ..AuditFilter::default()
    }
}

async fn a_suspended_account_is_signed_out_and_refused_until_reactivated(db: Db) {
    let admin = actors::admin(&db).await.in_session("admin-session-id");
    let (user, _) = actors::shopper(&db).await;
    let session = signed_in_session(&db, user).await;
    let confirmed = recent(&db, &admin).await;
    standing::suspend(&db, &admin, confirmed, user, "Chargeback fraud")
        .await
        .expect("suspend");
    let store = SqlSessionStore::new(db.clone());
    assert!(store.load(&session).await.expect("load").is_none(), "the session ended");
    let login = accounts::login(
        &db,
        &ThrottlePolicy::default(),
        &accounts::ClientKey("192.0.2.9".into()),
        &actors::email_of(&db, user).await,
        PASSWORD,
    )
    .await;
    assert!(matches!(login, Err(AccountError::Suspended)), "{login:?}");
    assert_eq!(actors::of_user(&db, user).await, Actor::visitor());

    let page = audit::search(&db, &admin, &only(AuditAction::AccountSuspended), "")
        .await
        .expect("log");
    let entry = page.entries.first().expect("an entry");
    assert_eq!(entry.subject_id, user.to_string());
    assert_eq!(entry.actor_id, admin.user_id());
    assert_eq!(entry.actor_role, "admin");
    assert_eq!(entry.reason, "Chargeback fraud");
    assert_eq!(
        entry.session.as_deref(),
        Some(
            domain::platform::actor::SessionHandle::of("admin-session-id")
                .as_hex()
                .as_str()
        )
    );
    assert_eq!(
        (entry.changes[0].before.as_str(), entry.changes[0].after.as_str()),
        ("Active", "Suspended")
    );

    // Twice is refused and records nothing more.
    let again = standing::suspend(&db, &admin, confirmed, user, "Again").await;
    assert!(matches!(again, Err(AccountError::Refused(_))), "{again:?}");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.suspended'").await,
        1
    );

    standing::reactivate(&db, &admin, confirmed, user, "Bank cleared it")
        .await
        .expect("reactivate");
    accounts::login(
        &db,
        &ThrottlePolicy::default(),
        &accounts::ClientKey("192.0.2.9".into()),
        &actors::email_of(&db, user).await,
        PASSWORD,
    )
    .await
    .expect("signs in again");
    let trail = audit::search(
        &db,
        &admin,
        &AuditFilter {
            actor: Some(user),
            ..AuditFilter::default()
        },
        "",
    )
    .await
    .expect("trail");
    let actions: Vec<AuditAction> = trail.entries.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        vec![AuditAction::AccountReactivated, AuditAction::AccountSuspended]
    );
}

async fn only_another_admin_changes_an_accounts_standing(db: Db) {
    let admin = actors::admin(&db).await;
    let confirmed = recent(&db, &admin).await;
    let (user, shopper) = actors::shopper(&db).await;
    let ((store, seller), _) = crate::harness::fixtures::two_stores(&db, 4).await;
    // Anyone but an admin is refused before a password is looked at.
    for who in [shopper, seller, Actor::visitor()] {
        let asked = step_up::confirm(&db, &ThrottlePolicy::default(), &who, None, PASSWORD).await;
        assert!(matches!(asked, Err(AccountError::Forbidden)), "{asked:?}");
        let done = standing::suspend(&db, &who, confirmed, user, "No").await;
        assert!(matches!(done, Err(AccountError::Forbidden)), "{done:?}");
        let role = standing::set_role(&db, &who, confirmed, user, Role::Admin, "No").await;
        assert!(matches!(role, Err(AccountError::Forbidden)), "{role:?}");
    }
    // Another admin's confirmation covers only that admin.
    let other = actors::admin(&db).await;
    let borrowed = standing::suspend(&db, &other, confirmed, user, "Borrowed").await;
    assert!(matches!(borrowed, Err(AccountError::Invalid(_))), "{borrowed:?}");
    let me = admin.user_id().expect("admin id");
    let own = standing::suspend(&db, &admin, confirmed, me, "Oops").await;
    assert!(matches!(own, Err(AccountError::Refused(_))), "{own:?}");
    // A reason is required, on one line.
    for reason in ["", "  ", "line\nbreak", "nul\0"] {
        let bad = standing::suspend(&db, &admin, confirmed, user, reason).await;
        assert!(matches!(bad, Err(AccountError::Invalid(_))), "{reason:?}: {bad:?}");
    }
    // A store's account is not suspended from here (its listings would stay on sale).
    let seller_user: i64 = sqlx::query_scalar("SELECT user_id FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("seller account");
    let store_owner = standing::suspend(&db, &admin, confirmed, seller_user, "Fraud").await;
    assert!(matches!(store_owner, Err(AccountError::Refused(_))), "{store_owner:?}");
    let unknown = standing::suspend(&db, &admin, confirmed, 999_999_999, "Who").await;
    assert!(matches!(unknown, Err(AccountError::NotFound)), "{unknown:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, 0);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM users WHERE disabled_at IS NOT NULL").await,
        0
    );
}

async fn a_change_asks_for_the_password_when_the_last_is_old(db: Db) {
    let admin = actors::admin(&db).await;
    let policy = ThrottlePolicy::default();
    let old = domain::platform::clock::now_ms() - step_up::STEP_UP_MS - 1;
    for (at, typed) in [(None, ""), (Some(old), "")] {
        let asked = step_up::confirm(&db, &policy, &admin, at, typed).await;
        match asked {
            Err(AccountError::Invalid(fields)) => assert_eq!(fields[0].field, "password"),
            other => panic!("{other:?}"),
        }
    }
    let wrong = step_up::confirm(&db, &policy, &admin, Some(old), "not the password").await;
    assert!(matches!(wrong, Err(AccountError::Invalid(_))), "{wrong:?}");
    let given = step_up::confirm(&db, &policy, &admin, Some(old), PASSWORD)
        .await
        .expect("right password");
    assert!(step_up::is_recent(Some(given.at())));
}

async fn a_role_change_is_conditional_and_recorded(db: Db) {
    let admin = actors::admin(&db).await;
    let confirmed = recent(&db, &admin).await;
    let (user, _) = actors::shopper(&db).await;
    standing::set_role(&db, &admin, confirmed, user, Role::Admin, "Joins support")
        .await
        .expect("promote");
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(db.pool())
        .await
        .expect("role");
    assert_eq!(role, "admin");
    let again = standing::set_role(&db, &admin, confirmed, user, Role::Admin, "Again").await;
    assert!(matches!(again, Err(AccountError::Refused(_))), "{again:?}");
    let seller = standing::set_role(&db, &admin, confirmed, user, Role::Seller, "Sell").await;
    assert!(matches!(seller, Err(AccountError::Invalid(_))), "{seller:?}");
    let page = audit::search(&db, &admin, &only(AuditAction::RoleChanged), "")
        .await
        .expect("log");
    assert_eq!(page.entries.len(), 1);
    let change = &page.entries[0].changes[0];
    assert_eq!(
        (change.field.as_str(), change.before.as_str(), change.after.as_str()),
        ("role", "Shopper", "Admin")
    );
    // Two admins demoting the account at once: one change, one entry.
    let other = actors::admin(&db).await;
    let theirs = recent(&db, &other).await;
    let (a, b) = tokio::join!(
        standing::set_role(&db, &admin, confirmed, user, Role::Shopper, "Leaves support"),
        standing::set_role(&db, &other, theirs, user, Role::Shopper, "Leaves support too"),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let page = audit::search(&db, &admin, &only(AuditAction::RoleChanged), "")
        .await
        .expect("log");
    assert_eq!(page.entries.len(), 2);
    // Only admins read the log.
    let (_, shopper) = actors::shopper(&db).await;
    assert!(audit::search(&db, &shopper, &AuditFilter::default(), "").await.is_err());
}

async fn no_entry_of_the_audit_log_can_be_changed_or_deleted(db: Db) {
    let admin = actors::admin(&db).await;
    let confirmed = recent(&db, &admin).await;
    let (user, _) = actors::shopper(&db).await;
    standing::suspend(&db, &admin, confirmed, user, "Spam")
        .await
        .expect("suspend");
    let update = sqlx::query("UPDATE audit_log SET reason = 'nothing happened'")
        .execute(db.pool())
        .await;
    assert!(update.is_err(), "an update was allowed");
    let delete = sqlx::query("DELETE FROM audit_log").execute(db.pool()).await;
    assert!(delete.is_err(), "a delete was allowed");
    if db.backend() == domain::Backend::Postgres {
        let truncate = sqlx::query("TRUNCATE audit_log").execute(db.pool()).await;
        assert!(truncate.is_err(), "a truncate was allowed");
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM audit_log WHERE reason = 'Spam'").await,
        1
    );
}

async fn the_log_is_searched_and_paged_newest_first(db: Db) {
    let admin = actors::admin(&db).await;
    let confirmed = recent(&db, &admin).await;
    let (user, _) = actors::shopper(&db).await;
    for round in 0..28 {
        standing::suspend(&db, &admin, confirmed, user, &format!("Round {round} 100% _sure_"))
            .await
            .expect("suspend");
        standing::reactivate(&db, &admin, confirmed, user, "Cleared")
            .await
            .expect("reactivate");
    }
    let first = audit::search(&db, &admin, &AuditFilter::default(), "")
        .await
        .expect("page 1");
    assert_eq!(first.entries.len(), 50);
    assert_eq!(first.entries[0].action, AuditAction::AccountReactivated);
    let second = audit::search(
        &db,
        &admin,
        &AuditFilter::default(),
        first.next.as_deref().unwrap_or(""),
    )
    .await
    .expect("page 2");
    assert_eq!(second.entries.len(), 6);
    assert!(second.next.is_none());
    assert!(first.entries.last().map(|e| e.id) > second.entries.first().map(|e| e.id));
    // Words match literally (a % or _ is not a wildcard), in any case.
    let words = AuditFilter {
        q: "ROUND 27 100% _SURE_".into(),
        ..AuditFilter::default()
    };
    let found = audit::search(&db, &admin, &words, "").await.expect("words");
    assert_eq!(found.entries.len(), 1);
    let none = AuditFilter {
        q: "Round 2_ 100".into(),
        ..AuditFilter::default()
    };
    assert!(audit::search(&db, &admin, &none, "")
        .await
        .expect("literal")
        .entries
        .is_empty());
    let by_action = audit::search(&db, &admin, &only(AuditAction::AccountSuspended), "")
        .await
        .expect("action");
    assert_eq!(by_action.entries.len(), 28);
    // Days, both ends inclusive: today's entries are found from today and until today, not until yesterday nor
    // from tomorrow.
    let day = |offset: i64| model::format_date(domain::platform::clock::now_ms() + offset * 86_400_000);
    for (from, to, found) in [
        (day(0), day(0), 50),
        (String::new(), day(-1), 0),
        (day(1), String::new(), 0),
    ] {
        let days = AuditFilter {
            from: from.clone(),
            to: to.clone(),
            ..AuditFilter::default()
        };
        let page = audit::search(&db, &admin, &days, "").await.expect("days");
        assert_eq!(page.entries.len(), found, "{from}..{to}");
    }
}

async fn a_sellers_price_status_and_stock_changes_are_recorded(db: Db) {
    crate::harness::fixtures::two_stores(&db, 8).await;
    let admin = actors::admin(&db).await;
    let (store, product): (i64, i64) =
        sqlx::query_as("SELECT seller_id, id FROM products WHERE status = 'active' ORDER BY id LIMIT 1")
            .fetch_one(db.pool())
            .await
            .expect("an active product");
    let seller = actors::seller_of(&db, store).await;
    let mut form = editor::editor(&db, &seller, Some(product), None)
        .await
        .expect("editor")
        .form;
    let sku = form.variants[0].sku.clone();
    let was = form.variants[0].price.clone();
    form.variants[0].price = "77.70".into();
    form.status = "draft".into();
    save_product(&db, &seller, &form).await.expect("save");
    let page = audit::search(&db, &admin, &only(AuditAction::ProductChanged), "")
        .await
        .expect("log");
    let entry = page.entries.first().expect("an entry");
    assert_eq!(
        (entry.subject_id.clone(), entry.actor_role.as_str()),
        (product.to_string(), "seller")
    );
    let price = entry
        .changes
        .iter()
        .find(|c| c.field == format!("price of {sku}"))
        .expect("the price");
    assert_eq!(price.after, "$77.70");
    assert_eq!(price.before, format!("${was}"));
    let status = entry.changes.iter().find(|c| c.field == "status").expect("the status");
    assert_eq!((status.before.as_str(), status.after.as_str()), ("Active", "Draft"));
    // A save that changes nothing records nothing.
    let unchanged = editor::editor(&db, &seller, Some(product), None)
        .await
        .expect("editor")
        .form;
    save_product(&db, &seller, &unchanged).await.expect("save again");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'product.changed'").await,
        1
    );

    let (variant, warehouse): (i64, i64) = sqlx::query_as(
        "SELECT v.id, w.id FROM variants v JOIN warehouses w ON w.seller_id = $1 WHERE v.product_id = $2 \
         ORDER BY v.id, w.id LIMIT 1",
    )
    .bind(store)
    .bind(product)
    .fetch_one(db.pool())
    .await
    .expect("variant");
    let after = adjust_stock(
        &db,
        &seller,
        &Adjustment {
            variant_id: variant,
            warehouse_id: warehouse,
            units: "+5".into(),
            reason: "received".into(),
            mode: "change".into(),
        },
    )
    .await
    .expect("adjust");
    let page = audit::search(&db, &admin, &only(AuditAction::StockAdjusted), "")
        .await
        .expect("log");
    let entry = page.entries.first().expect("an entry");
    assert_eq!(entry.reason, "Received");
    assert_eq!(
        (entry.changes[0].before.clone(), entry.changes[0].after.clone()),
        ((after - 5).to_string(), after.to_string())
    );
}

db_tests!(
    a_suspended_account_is_signed_out_and_refused_until_reactivated,
    only_another_admin_changes_an_accounts_standing,
    a_change_asks_for_the_password_when_the_last_is_old,
    a_role_change_is_conditional_and_recorded,
    no_entry_of_the_audit_log_can_be_changed_or_deleted,
    the_log_is_searched_and_paged_newest_first,
    a_sellers_price_status_and_stock_changes_are_recorded,
);
