//! Admins' decisions on stores: a suspension takes every listing off the storefront, search, carts and wishlists
//! (and brings them back on reactivation), tells the seller why and holds its payouts; a hold alone stops payouts;
//! the store's own commission rate; each a conditional change with its audit entry, refused to anyone but an
//! admin with a recent password. Both databases.

use domain::accounts::step_up::{self, Confirmed};
use domain::accounts::ThrottlePolicy;
use domain::admin::stores;
use domain::money::adjustments::{self, AdjustmentForm};
use domain::money::store_rate;
use domain::money::transfers::{self, ManualPayout};
use domain::sellers::{standing, SellerError};
use domain::{cart, catalog, wishlist, Actor, Db};
use model::admin::AuditAction;
use model::admin_stores::{StoreFilter, StoreState, SuspensionGround};
use model::catalog::SearchQuery;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::audit_entries;
use crate::harness::fixtures::{count, set_units, two_stores};

/// A step-up given just now by `admin`.
async fn recent(db: &Db, admin: &Actor) -> Confirmed {
    let now = domain::platform::clock::now_ms();
    step_up::confirm(db, &ThrottlePolicy::default(), admin, Some(now), "")
        .await
        .expect("recent confirmation")
}

/// A store's first active product: its id, slug and first variant.
async fn listing_of(db: &Db, store: i64) -> (i64, String, i64) {
    sqlx::query_as(
        "SELECT p.id, p.slug, (SELECT MIN(v.id) FROM variants v WHERE v.product_id = p.id) FROM products p \
         WHERE p.seller_id = $1 AND p.status = 'active' ORDER BY p.id LIMIT 1",
    )
    .bind(store)
    .fetch_one(db.pool())
    .await
    .expect("a listing")
}

/// The stores of the database listing's cards (every active product, one page).
async fn listed_stores(db: &Db) -> Vec<String> {
    let query = SearchQuery {
        per_page: 500,
        page: 1,
        ..SearchQuery::default()
    };
    let found = catalog::search(db, &query).await.expect("search");
    assert_eq!(found.total as usize, found.items.len(), "one page holds them all");
    found.items.into_iter().map(|c| c.seller_slug).collect()
}

async fn slug_of(db: &Db, store: i64) -> String {
    sqlx::query_scalar("SELECT slug FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("slug")
}

/// After a suspension of `store` for fraud: its seller's overview and mail carry the ground and the reason, and
/// the audit entry the state and the ground.
async fn the_seller_is_told_and_the_log_keeps_it(db: &Db, admin: &Actor, seller: &Actor, store: i64) {
    let home = domain::sellers::portal::home(db, seller).await.expect("home");
    assert_eq!(
        home.suspension.as_deref(),
        Some("Fraud or deceptive listings: Fake tracking numbers")
    );
    assert!(home.payouts_held);
    let owner = actors::email_of(db, seller.user_id().expect("user")).await;
    let mail: String =
        sqlx::query_scalar("SELECT body FROM mail_outbox WHERE to_addr = $1 AND subject LIKE '%suspended'")
            .bind(&owner)
            .fetch_one(db.pool())
            .await
            .expect("the seller is told");
    assert!(
        mail.contains("Fraud or deceptive listings") && mail.contains("Fake tracking numbers"),
        "{mail}"
    );
    let entry = &audit_entries(db, admin, AuditAction::StoreSuspended).await[0];
    assert_eq!(entry.subject_id, store.to_string());
    assert_eq!(entry.subject_href(), format!("/admin/sellers/{store}"));
    let changes: Vec<_> = entry
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            ("state", "Selling", "Suspended"),
            ("ground", "", "Fraud or deceptive listings")
        ]
    );
}

async fn a_suspended_store_leaves_the_storefront_until_reactivated(db: Db) {
    let ((store, seller), (other, _)) = two_stores(&db, 30).await;
    let (product, slug, variant) = listing_of(&db, store).await;
    set_units(&db, variant, 5).await;
    let (slug_a, slug_b) = (slug_of(&db, store).await, slug_of(&db, other).await);
    let admin = actors::admin(&db).await;
    let confirmed = recent(&db, &admin).await;
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, variant, 1).await.expect("on sale before");
    let (list, _) = wishlist::for_session(&db, &actors::shopper(&db).await.1, None, true)
        .await
        .expect("wishlist");
    let list = list.expect("a list");
    assert!(listed_stores(&db).await.contains(&slug_a));
    sqlx::query("DELETE FROM search_outbox")
        .execute(db.pool())
        .await
        .expect("clear");

    standing::suspend(
        &db,
        &admin,
        confirmed,
        store,
        SuspensionGround::Fraud,
        "Fake tracking numbers",
    )
    .await
    .expect("suspend");

    assert!(matches!(
        catalog::product_by_slug(&db, &slug).await,
        Err(catalog::CatalogError::NotFound)
    ));
    assert!(catalog::cards_by_ids(&db, &[product]).await.expect("cards").is_empty());
    let listed = listed_stores(&db).await;
    assert!(!listed.contains(&slug_a), "none of its products is listed");
    assert!(listed.contains(&slug_b), "another store's are");
    assert!(matches!(
        cart::add(&db, cart_id, variant, 1).await,
        Err(cart::CartError::NotFound)
    ));
    assert!(matches!(
        wishlist::keep(&db, list, product).await,
        Err(wishlist::WishlistError::NotFound)
    ));
    let products = count(&db, &format!("SELECT COUNT(*) FROM products WHERE seller_id = {store}")).await;
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(DISTINCT product_id) FROM search_outbox WHERE product_id <> 0"
        )
        .await,
        products,
        "each of its products goes to the index (and out of the page cache)"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM search_outbox WHERE product_id = 0").await,
        1,
        "and every cached listing goes, its store page too"
    );
    the_seller_is_told_and_the_log_keeps_it(&db, &admin, &seller, store).await;

    // Twice is refused and records nothing more; reactivated, it sells again.
    let again = standing::suspend(&db, &admin, confirmed, store, SuspensionGround::Other, "Again").await;
    assert!(matches!(again, Err(SellerError::Conflict(_))), "{again:?}");
    standing::reactivate(&db, &admin, confirmed, store, "Tracking checked with the carrier")
        .await
        .expect("reactivate");
    catalog::product_by_slug(&db, &slug).await.expect("back on sale");
    cart::add(&db, cart_id, variant, 1).await.expect("bought again");
    assert!(listed_stores(&db).await.contains(&slug_a));
    let home = domain::sellers::portal::home(&db, &seller).await.expect("home");
    assert_eq!((home.suspension, home.payouts_held), (None, false));
    assert_eq!(audit_entries(&db, &admin, AuditAction::StoreReactivated).await.len(), 1);
    assert_eq!(audit_entries(&db, &admin, AuditAction::StoreSuspended).await.len(), 1);
}

async fn only_an_admin_with_a_recent_password_changes_a_store(db: Db) {
    let ((store, seller), _) = two_stores(&db, 10).await;
    let admin = actors::admin(&db).await;
    let other_admin = actors::admin(&db).await;
    let confirmed = recent(&db, &admin).await;
    let (_, shopper) = actors::shopper(&db).await;
    for who in [&shopper, &seller, &Actor::visitor()] {
        assert!(matches!(
            standing::suspend(&db, who, confirmed, store, SuspensionGround::Other, "No").await,
            Err(SellerError::Forbidden)
        ));
        assert!(matches!(
            standing::hold_payouts(&db, who, store, true, "No").await,
            Err(SellerError::Forbidden)
        ));
        assert!(matches!(
            store_rate::change_store_rate(&db, who, confirmed, store, "5", None, "No").await,
            Err(SellerError::Forbidden)
        ));
        assert!(matches!(
            stores::list(&db, who, &StoreFilter::default(), "").await,
            Err(domain::admin::AdminError::Forbidden)
        ));
        assert!(matches!(
            stores::detail(&db, who, store, None).await,
            Err(domain::admin::AdminError::Forbidden)
        ));
    }
    // Another admin's proof is not this one's.
    let borrowed = standing::suspend(&db, &other_admin, confirmed, store, SuspensionGround::Other, "Mine").await;
    assert!(
        matches!(&borrowed, Err(SellerError::Invalid(f)) if f[0].field == "password"),
        "{borrowed:?}"
    );
    for bad in ["", "  ", "two\nlines", "nul\0here", &"x".repeat(501)] {
        let refused = standing::suspend(&db, &admin, confirmed, store, SuspensionGround::Other, bad).await;
        assert!(
            matches!(&refused, Err(SellerError::Invalid(f)) if f[0].field == "reason"),
            "{bad:?}: {refused:?}"
        );
    }
    assert!(matches!(
        standing::suspend(&db, &admin, confirmed, 999_999, SuspensionGround::Other, "Gone").await,
        Err(SellerError::NotFound)
    ));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM audit_log").await,
        0,
        "nothing refused is recorded"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM sellers WHERE status <> 'active'").await,
        0
    );
}

async fn two_admins_suspending_at_once_make_one_change(db: Db) {
    let ((store, _), _) = two_stores(&db, 10).await;
    let (a, b) = (actors::admin(&db).await, actors::admin(&db).await);
    let (ca, cb) = (recent(&db, &a).await, recent(&db, &b).await);
    let (first, second) = tokio::join!(
        standing::suspend(&db, &a, ca, store, SuspensionGround::UnsafeProducts, "Recall"),
        standing::suspend(&db, &b, cb, store, SuspensionGround::Counterfeits, "Report")
    );
    let outcomes = [first, second];
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().any(|o| matches!(o, Err(SellerError::Conflict(_)))));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'store.suspended'").await,
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE '%is suspended'"
        )
        .await,
        1
    );
}

async fn held_payouts_stop_every_payout_until_released(db: Db) {
    let ((store, seller), _) = two_stores(&db, 10).await;
    let admin = actors::admin(&db).await;
    // Money available at once: an adjustment has no order to wait for.
    let credit = AdjustmentForm {
        seller_id: store,
        amount: "250.00",
        reason: "Goodwill",
        form_key: "credit-1",
    };
    adjustments::record(&db, &admin, &credit).await.expect("credit");
    standing::hold_payouts(&db, &admin, store, true, "Chargebacks under review")
        .await
        .expect("hold");
    let again = standing::hold_payouts(&db, &admin, store, true, "Again").await;
    assert!(matches!(again, Err(SellerError::Conflict(_))), "{again:?}");
    let payout = ManualPayout {
        seller_id: store,
        amount: 25_000,
        reference: "WIRE-9",
        form_key: "held-1",
    };
    let refused = transfers::record_manual(&db, &admin, &payout).await;
    assert!(
        matches!(&refused, Err(SellerError::Conflict(m)) if m.contains("held")),
        "{refused:?}"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM seller_transfers").await, 0);
    assert!(
        domain::sellers::portal::home(&db, &seller)
            .await
            .expect("home")
            .payouts_held
    );
    let rows = transfers::payout_rows(&db, &admin).await.expect("payouts");
    assert!(rows.iter().any(|r| r.seller_id == store && r.held));
    let held = stores::list(
        &db,
        &admin,
        &StoreFilter {
            held: true,
            ..StoreFilter::default()
        },
        "",
    )
    .await
    .expect("list");
    assert_eq!(held.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [store]);
    standing::hold_payouts(&db, &admin, store, false, "Cleared")
        .await
        .expect("release");
    let paid = transfers::record_manual(&db, &admin, &payout)
        .await
        .expect("paid once released");
    assert!(matches!(paid, transfers::Recorded::Paid { entries: 1, .. }), "{paid:?}");
    for action in [AuditAction::TransfersHeld, AuditAction::TransfersReleased] {
        let sql = format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = '{}' AND store_id = {store}",
            action.as_str()
        );
        assert_eq!(count(&db, &sql).await, 1, "{action:?}");
    }
}

async fn a_stores_commission_is_changed_on_the_rate_the_admin_saw(db: Db) {
    let ((store, _), _) = two_stores(&db, 10).await;
    let admin = actors::admin(&db).await;
    let confirmed = recent(&db, &admin).await;
    let bad = store_rate::change_store_rate(&db, &admin, confirmed, store, "101", None, "Too much").await;
    assert!(
        matches!(&bad, Err(SellerError::Invalid(f)) if f[0].field == "rate"),
        "{bad:?}"
    );
    store_rate::change_store_rate(&db, &admin, confirmed, store, "7.5", None, "Volume deal")
        .await
        .expect("set");
    let stale = store_rate::change_store_rate(&db, &admin, confirmed, store, "6", None, "Stale page").await;
    assert!(matches!(stale, Err(SellerError::Conflict(_))), "{stale:?}");
    let same = store_rate::change_store_rate(&db, &admin, confirmed, store, "7.5", Some(750), "Same").await;
    assert!(matches!(same, Err(SellerError::Conflict(_))), "{same:?}");
    let row = stores::detail(&db, &admin, store, None).await.expect("detail");
    assert_eq!((row.store.commission_bp, row.store.commission_own), (750, true));
    assert!(row.needs_password, "no recent password in this session");
    store_rate::change_store_rate(&db, &admin, confirmed, store, "", Some(750), "Deal ended")
        .await
        .expect("cleared");
    let row = stores::detail(&db, &admin, store, None).await.expect("detail");
    assert_eq!(
        (row.store.commission_bp, row.store.commission_own),
        (row.platform_bp, false)
    );
    let trail: Vec<(String, String)> = audit_entries(&db, &admin, AuditAction::CommissionChanged)
        .await
        .into_iter()
        .map(|e| (e.changes[0].before.clone(), e.changes[0].after.clone()))
        .collect();
    let platform = "the platform's or the category's".to_string();
    assert_eq!(
        trail,
        [("7.5 %".to_string(), platform.clone()), (platform, "7.5 %".to_string())],
        "newest first"
    );
    assert_eq!(row.audit.len(), 2, "the store's page shows its trail");
}

async fn the_stores_list_filters_by_words_state_and_pages(db: Db) {
    let ((store, _), (other, _)) = two_stores(&db, 10).await;
    let admin = actors::admin(&db).await;
    let confirmed = recent(&db, &admin).await;
    standing::suspend(
        &db,
        &admin,
        confirmed,
        store,
        SuspensionGround::TermsBreach,
        "Off-platform sales",
    )
    .await
    .expect("suspend");
    let all = stores::list(&db, &admin, &StoreFilter::default(), "")
        .await
        .expect("all");
    let total = count(&db, "SELECT COUNT(*) FROM sellers").await as usize;
    assert_eq!(all.rows.len(), total.min(50));
    assert!(all.rows.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let suspended = stores::list(
        &db,
        &admin,
        &StoreFilter {
            state: Some(StoreState::Suspended),
            ..StoreFilter::default()
        },
        "",
    )
    .await
    .expect("suspended");
    assert_eq!(suspended.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [store]);
    let name: String = sqlx::query_scalar("SELECT store_name FROM sellers WHERE id = $1")
        .bind(other)
        .fetch_one(db.pool())
        .await
        .expect("name");
    let by_name = stores::list(
        &db,
        &admin,
        &StoreFilter {
            q: name.to_uppercase(),
            ..StoreFilter::default()
        },
        "",
    )
    .await
    .expect("by name");
    assert!(by_name.rows.iter().any(|r| r.id == other), "{name}");
    for hostile in ["%", "_", "' OR 1=1 --"] {
        let none = stores::list(
            &db,
            &admin,
            &StoreFilter {
                q: hostile.into(),
                ..StoreFilter::default()
            },
            "",
        )
        .await
        .expect("hostile words are words");
        assert!(none.rows.is_empty(), "{hostile:?}: {:?}", none.rows.len());
    }
    assert_eq!(all.next, None, "one page holds them");
    // From a cursor: the older stores only, all of them.
    let cursor = all.rows[4].id;
    let past = stores::list(&db, &admin, &StoreFilter::default(), &cursor.to_string())
        .await
        .expect("next");
    assert_eq!(past.rows.len(), all.rows.len() - 5);
    assert!(past.rows.iter().all(|r| r.id < cursor));
}

db_tests!(
    a_suspended_store_leaves_the_storefront_until_reactivated,
    only_an_admin_with_a_recent_password_changes_a_store,
    two_admins_suspending_at_once_make_one_change,
    held_payouts_stop_every_payout_until_released,
    a_stores_commission_is_changed_on_the_rate_the_admin_saw,
    the_stores_list_filters_by_words_state_and_pages,
);
