//! Becoming a seller: applications, the admins' queue, approval and rejection, the portal's overview, demo
//! accounts. Each test runs on SQLite and PostgreSQL.

use domain::sellers::{applications, portal, SellerError};
use domain::workflows::onboard_seller;
use domain::{seed, Db};
use model::sellers::{ApplicationForm, ApplicationStatus};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::count;

fn form(name: &str) -> ApplicationForm {
    ApplicationForm {
        store_name: name.into(),
        slug: String::new(),
        description: "Hand-made tools for the garden.".into(),
        support_email: "help@example.com".into(),
        country: "DE".into(),
        return_days: "30".into(),
        return_policy: "Unused items within 30 days.".into(),
    }
}

/// The mail sent to `to` about selling (the confirmation of the address that came before is left out).
async fn mails_to(db: &Db, to: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT subject FROM mail_outbox WHERE to_addr = $1 AND dedupe_key NOT LIKE 'verify-email:%' \
         ORDER BY created_at, id",
    )
    .bind(to)
    .fetch_all(db.pool())
    .await
    .expect("mail")
}

async fn an_approved_application_opens_a_store_and_makes_the_account_a_seller(db: Db) {
    let admin = actors::admin(&db).await;
    let admin_email: String = sqlx::query_scalar("SELECT email FROM users WHERE role = 'admin'")
        .fetch_one(db.pool())
        .await
        .expect("admin");
    let (user_id, shopper) = actors::shopper(&db).await;
    let id = onboard_seller::apply(&db, &shopper, &form("Oak & Iron"))
        .await
        .expect("apply");
    assert_eq!(
        mails_to(&db, &admin_email).await,
        ["New seller application: Oak & Iron"]
    );

    let mine = applications::latest_of(&db, &shopper)
        .await
        .expect("read")
        .expect("one");
    assert_eq!(
        (mine.status, mine.slug.as_str()),
        (ApplicationStatus::Pending, "oak-iron")
    );
    let queue = applications::queue(&db, &admin, None).await.expect("queue");
    assert_eq!((queue.pending, queue.items.len()), (1, 1));

    let store = onboard_seller::approve(&db, &admin, id).await.expect("approve");
    let seller = actors::of_user(&db, user_id).await;
    assert_eq!(
        seller.store_id(),
        Some(store),
        "the account now acts as the store's seller"
    );
    let (slug, country, returns): (String, String, i64) =
        sqlx::query_as("SELECT slug, country, return_days FROM sellers WHERE id = $1")
            .bind(store)
            .fetch_one(db.pool())
            .await
            .expect("store");
    assert_eq!((slug.as_str(), country.as_str(), returns), ("oak-iron", "DE", 30));
    let warehouses: Vec<String> = sqlx::query_scalar("SELECT country FROM warehouses WHERE seller_id = $1")
        .bind(store)
        .fetch_all(db.pool())
        .await
        .expect("warehouses");
    assert_eq!(warehouses, ["DE"], "a first warehouse from the store's address");
    assert_eq!(
        mails_to(&db, &actors::email_of(&db, user_id).await).await,
        ["Oak & Iron is approved: welcome to Bazaar"]
    );
    assert_eq!(applications::queue(&db, &admin, None).await.expect("queue").pending, 0);
    let home = portal::home(&db, &seller).await.expect("home");
    assert_eq!((home.store_name.as_str(), home.products), ("Oak & Iron", 0));
    // Deciding twice (a second admin's tab) is refused and changes nothing.
    assert!(matches!(
        onboard_seller::approve(&db, &admin, id).await,
        Err(SellerError::Conflict(_))
    ));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM sellers WHERE slug = 'oak-iron'").await,
        1
    );
}

async fn a_rejected_applicant_reads_the_reason_and_may_apply_again(db: Db) {
    let admin = actors::admin(&db).await;
    let (user_id, shopper) = actors::shopper(&db).await;
    let id = onboard_seller::apply(&db, &shopper, &form("Quiet Loom"))
        .await
        .expect("apply");
    // A second application while the first is under review is refused.
    assert!(matches!(
        onboard_seller::apply(&db, &shopper, &form("Loud Loom")).await,
        Err(SellerError::Conflict(_))
    ));
    assert!(matches!(
        onboard_seller::reject(&db, &admin, id, "   ").await,
        Err(SellerError::Invalid(_))
    ));
    onboard_seller::reject(&db, &admin, id, "Add a return policy in English.")
        .await
        .expect("reject");
    let mine = applications::latest_of(&db, &shopper)
        .await
        .expect("read")
        .expect("one");
    assert_eq!(mine.status, ApplicationStatus::Rejected);
    assert_eq!(mine.reason, "Add a return policy in English.");
    assert_eq!(
        mails_to(&db, &actors::email_of(&db, user_id).await).await,
        ["Your application for Quiet Loom"]
    );
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(db.pool())
        .await
        .expect("role");
    assert_eq!(role, "shopper");
    // Applying again makes a new application; the old decision stays in the history.
    onboard_seller::apply(&db, &shopper, &form("Quiet Loom"))
        .await
        .expect("apply again");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM seller_applications WHERE store_name = 'Quiet Loom'"
        )
        .await,
        2
    );
}

async fn a_store_address_must_be_free_and_a_free_one_is_suggested(db: Db) {
    seed::seed(&db, 5, 3).await.expect("seed");
    let taken: String = sqlx::query_scalar("SELECT slug FROM sellers ORDER BY id LIMIT 1")
        .fetch_one(db.pool())
        .await
        .expect("slug");
    let (_, shopper) = actors::shopper(&db).await;
    let mut wanted = form("Anything");
    wanted.slug = taken.clone();
    match onboard_seller::apply(&db, &shopper, &wanted).await {
        Err(SellerError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "slug");
            assert!(errors[0].message.contains(&format!("{taken}-2")), "{errors:?}");
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    // An address under review by someone else is taken too.
    let (_, first) = actors::shopper(&db).await;
    onboard_seller::apply(&db, &first, &form("Blue Fern"))
        .await
        .expect("apply");
    let (_, second) = actors::shopper(&db).await;
    assert!(matches!(
        onboard_seller::apply(&db, &second, &form("Blue Fern")).await,
        Err(SellerError::Invalid(_))
    ));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM seller_applications").await, 1);
}

async fn only_shoppers_apply_and_only_admins_decide(db: Db) {
    seed::seed(&db, 5, 3).await.expect("seed");
    let store: i64 = sqlx::query_scalar("SELECT id FROM sellers ORDER BY id LIMIT 1")
        .fetch_one(db.pool())
        .await
        .expect("store");
    let seller = actors::seller_of(&db, store).await;
    let admin = actors::admin(&db).await;
    let (_, shopper) = actors::shopper(&db).await;
    assert!(matches!(
        onboard_seller::apply(&db, &seller, &form("Second Store")).await,
        Err(SellerError::Conflict(_))
    ));
    assert!(matches!(
        onboard_seller::apply(&db, &admin, &form("Admin Store")).await,
        Err(SellerError::Conflict(_))
    ));
    assert!(matches!(
        onboard_seller::apply(&db, &domain::Actor::visitor(), &form("Nobody's Store")).await,
        Err(SellerError::Forbidden)
    ));
    let id = onboard_seller::apply(&db, &shopper, &form("Real Store"))
        .await
        .expect("apply");
    for not_admin in [shopper, seller] {
        assert!(matches!(
            onboard_seller::approve(&db, &not_admin, id).await,
            Err(SellerError::Forbidden)
        ));
        assert!(matches!(
            onboard_seller::reject(&db, &not_admin, id, "no").await,
            Err(SellerError::Forbidden)
        ));
        assert!(matches!(
            applications::queue(&db, &not_admin, None).await,
            Err(SellerError::Forbidden)
        ));
    }
    assert!(matches!(
        onboard_seller::approve(&db, &admin, id + 1).await,
        Err(SellerError::NotFound)
    ));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM seller_applications WHERE status = 'pending'").await,
        1
    );
    // A shopper has no portal.
    assert!(matches!(portal::home(&db, &shopper).await, Err(SellerError::NotFound)));
}

async fn the_queue_pages_oldest_first_without_repeats(db: Db) {
    let admin = actors::admin(&db).await;
    let total = applications::QUEUE_PAGE as usize + 3;
    for n in 0..total {
        let (_, shopper) = actors::shopper(&db).await;
        onboard_seller::apply(&db, &shopper, &form(&format!("Store number {n}")))
            .await
            .expect("apply");
    }
    let first = applications::queue(&db, &admin, None).await.expect("page 1");
    assert_eq!(first.pending, total as i64);
    assert_eq!(first.items.len(), applications::QUEUE_PAGE as usize);
    let second = applications::queue(&db, &admin, first.next.as_deref())
        .await
        .expect("page 2");
    assert_eq!(second.items.len(), 3);
    assert!(second.next.is_none());
    let names: Vec<String> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|a| a.store_name.clone())
        .collect();
    let expected: Vec<String> = (0..total).map(|n| format!("Store number {n}")).collect();
    assert_eq!(names, expected, "oldest first, each once");
}

async fn the_overview_lists_drafts_pictureless_and_low_stock_of_the_own_store_only(db: Db) {
    seed::seed(&db, 40, 9).await.expect("seed");
    let (store, other): (i64, i64) = sqlx::query_as("SELECT MIN(seller_id), MAX(seller_id) FROM products")
        .fetch_one(db.pool())
        .await
        .expect("stores");
    let product: (i64, String) =
        sqlx::query_as("SELECT id, title FROM products WHERE seller_id = $1 ORDER BY id LIMIT 1")
            .bind(store)
            .fetch_one(db.pool())
            .await
            .expect("product");
    sqlx::query("UPDATE products SET status = 'draft' WHERE id = $1")
        .bind(product.0)
        .execute(db.pool())
        .await
        .expect("draft");
    let variant: i64 = sqlx::query_scalar("SELECT MIN(id) FROM variants WHERE product_id = $1")
        .bind(product.0)
        .fetch_one(db.pool())
        .await
        .expect("variant");
    crate::harness::fixtures::set_units(&db, variant, 2).await;
    let seller = actors::seller_of(&db, store).await;
    let home = portal::home(&db, &seller).await.expect("home");
    assert!(home.drafts.iter().any(|p| p.id == product.0));
    assert!(home
        .low_stock
        .iter()
        .any(|s| s.product_id == product.0 && s.available == 2 && s.threshold == 5));
    let other_products: Vec<i64> = sqlx::query_scalar("SELECT id FROM products WHERE seller_id = $1")
        .bind(other)
        .fetch_all(db.pool())
        .await
        .expect("other");
    let listed = home
        .drafts
        .iter()
        .chain(&home.without_pictures)
        .map(|p| p.id)
        .chain(home.low_stock.iter().chain(&home.out_of_stock).map(|s| s.product_id));
    for id in listed {
        assert!(
            !other_products.contains(&id),
            "another store's product {id} on the overview"
        );
    }
}

async fn seeding_makes_demo_accounts_that_run_the_demo_stores(db: Db) {
    seed::seed(&db, 5, 3).await.expect("seed");
    let accounts = seed::demo_accounts(&db).await.expect("demo accounts");
    assert_eq!(accounts.len(), 22);
    assert_eq!(accounts[0].email, "admin@demo.bazaar.test");
    assert_eq!(accounts[2].email, "seller1@demo.bazaar.test");
    let policy = domain::accounts::ThrottlePolicy::default();
    let client = domain::accounts::ClientKey("test".into());
    let seller = domain::accounts::login(&db, &policy, &client, "seller1@demo.bazaar.test", seed::DEMO_PASSWORD)
        .await
        .expect("the demo seller signs in");
    let first_store: i64 = sqlx::query_scalar("SELECT MIN(id) FROM sellers")
        .fetch_one(db.pool())
        .await
        .expect("store");
    assert_eq!(seller.actor().store_id(), Some(first_store));
    let admin = domain::accounts::login(&db, &policy, &client, "admin@demo.bazaar.test", seed::DEMO_PASSWORD)
        .await
        .expect("the demo admin signs in");
    assert!(admin.actor().is_admin());
    // Seeding again finds them: nothing doubles.
    assert_eq!(seed::demo_accounts(&db).await.expect("again").len(), 22);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM users").await, 22);
    assert!(seed::has_demo_accounts(&db).await.expect("check"));
}

async fn a_seller_keeps_the_profile_warehouses_and_shipping_rates(db: Db) {
    use domain::checkout::rates::{self, RateError};
    use domain::sellers::settings;
    use model::sellers::{RateForm, StoreProfileForm};
    seed::seed(&db, 60, 5).await.expect("seed");
    let stores: Vec<i64> = sqlx::query_scalar(
        "SELECT seller_id FROM products GROUP BY seller_id ORDER BY COUNT(*) DESC, seller_id LIMIT 2",
    )
    .fetch_all(db.pool())
    .await
    .expect("stores");
    let seller = actors::seller_of(&db, stores[0]).await;
    let other = actors::seller_of(&db, stores[1]).await;
    let mut profile = settings::settings(&db, &seller, None).await.expect("settings").profile;
    profile.support_email = "nope".into();
    profile.low_stock_default = "-1".into();
    match settings::update_profile(&db, &seller, &profile).await {
        Err(SellerError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["support_email", "low_stock_default"]);
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    profile = StoreProfileForm {
        support_email: "care@store.example".into(),
        low_stock_default: "3".into(),
        return_policy: "Within 60 days.".into(),
        return_days: "60".into(),
        handling_days: "3".into(),
        ..profile
    };
    settings::update_profile(&db, &seller, &profile).await.expect("saved");
    let (email, days, threshold, handling): (String, i64, i64, i64) = sqlx::query_as(
        "SELECT support_email, return_days, low_stock_default, handling_days FROM sellers WHERE id = $1",
    )
    .bind(stores[0])
    .fetch_one(db.pool())
    .await
    .expect("store");
    assert_eq!(
        (email.as_str(), days, threshold, handling),
        ("care@store.example", 60, 3, 3)
    );
    // The return window and policy show on the store's page and on its products' pages.
    let (slug, product): (String, String) = sqlx::query_as(
        "SELECT s.slug, p.slug FROM sellers s JOIN products p ON p.seller_id = s.id \
         WHERE s.id = $1 AND p.status = 'active' LIMIT 1",
    )
    .bind(stores[0])
    .fetch_one(db.pool())
    .await
    .expect("a product");
    let returns = model::catalog::Returns {
        days: 60,
        policy: "Within 60 days.".into(),
    };
    let store_page = domain::catalog::seller_by_slug(&db, &slug)
        .await
        .expect("store")
        .expect("active");
    assert_eq!(store_page.returns, returns);
    let product_page = domain::catalog::product_by_slug(&db, &product).await.expect("product");
    assert_eq!(product_page.returns, returns);

    let before = settings::settings(&db, &seller, None).await.expect("settings");
    let holding = before
        .warehouses
        .iter()
        .find(|w| w.units > 0)
        .expect("a warehouse with stock")
        .id;
    assert!(matches!(
        settings::remove_warehouse(&db, &seller, holding).await,
        Err(SellerError::Conflict(_))
    ));
    let added = settings::add_warehouse(&db, &seller, "Overflow", "NL")
        .await
        .expect("added");
    settings::rename_warehouse(&db, &seller, added, "Overflow North")
        .await
        .expect("renamed");
    assert!(matches!(
        settings::rename_warehouse(&db, &other, added, "Mine now").await,
        Err(SellerError::NotFound)
    ));
    assert!(matches!(
        settings::remove_warehouse(&db, &other, added).await,
        Err(SellerError::NotFound)
    ));
    settings::remove_warehouse(&db, &seller, added).await.expect("removed");
    assert_eq!(
        settings::settings(&db, &seller, None)
            .await
            .expect("settings")
            .warehouses
            .len(),
        before.warehouses.len()
    );

    let bad = RateForm {
        name: "Courier".into(),
        country: "DE".into(),
        kind: "flat".into(),
        amount: "free".into(),
        free_over: String::new(),
        days_min: "5".into(),
        days_max: "2".into(),
    };
    match rates::add(&db, &seller, &bad).await {
        Err(RateError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["amount", "days"]);
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    let rate = rates::add(
        &db,
        &seller,
        &RateForm {
            amount: "7.50".into(),
            days_min: "1".into(),
            days_max: "2".into(),
            ..bad
        },
    )
    .await
    .expect("rate");
    // Checkout quotes it for Germany.
    let mut conn = db.pool().acquire().await.expect("conn");
    let offered = domain::checkout::shipping::options(&mut conn, stores[0], "DE", 1, 1_000)
        .await
        .expect("options");
    drop(conn);
    assert!(offered.iter().any(|o| o.rate_id == rate && o.cost == 750));
    assert!(matches!(
        rates::remove(&db, &other, rate).await,
        Err(RateError::NotFound)
    ));
    rates::remove(&db, &seller, rate).await.expect("removed");
    assert!(rates::list(&db, stores[0])
        .await
        .expect("list")
        .iter()
        .all(|r| r.id != rate));
}

async fn a_store_logo_is_re_encoded_and_shown_on_the_storefront(db: Db) {
    use domain::catalog::images::{demo_card, LocalImageStore};
    use domain::sellers::settings;
    seed::seed(&db, 20, 5).await.expect("seed");
    let stores: Vec<(i64, String)> = sqlx::query_as("SELECT id, slug FROM sellers ORDER BY id LIMIT 2")
        .fetch_all(db.pool())
        .await
        .expect("stores");
    let seller = actors::seller_of(&db, stores[0].0).await;
    let images =
        LocalImageStore::new(std::env::temp_dir().join(format!("bazaar_logo_{}", domain::testing::unique_name())));
    // Not a picture: refused with why, nothing changed.
    match settings::set_logo(&db, &images, &seller, b"<svg onload=alert(1)>".to_vec()).await {
        Err(SellerError::Invalid(errors)) => assert_eq!(errors[0].field, "logo"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(settings::settings(&db, &seller, None)
        .await
        .expect("settings")
        .logo_url
        .is_none());
    settings::set_logo(&db, &images, &seller, demo_card(200, 2, 300))
        .await
        .expect("logo");
    let url = settings::settings(&db, &seller, None)
        .await
        .expect("settings")
        .logo_url
        .expect("a logo");
    assert!(url.starts_with("/media/") && url.ends_with("-160.webp"), "{url}");
    let shown = domain::catalog::seller_by_slug(&db, &stores[0].1)
        .await
        .expect("store")
        .expect("active");
    assert_eq!(shown.logo_url.as_deref(), Some(url.as_str()));
    // The other store is untouched; a shopper has no store to set a logo on.
    let other = domain::catalog::seller_by_slug(&db, &stores[1].1)
        .await
        .expect("store")
        .expect("active");
    assert!(other.logo_url.is_none());
    let (_, shopper) = actors::shopper(&db).await;
    assert!(matches!(
        settings::set_logo(&db, &images, &shopper, demo_card(1, 1, 64)).await,
        Err(SellerError::NotFound)
    ));
    settings::remove_logo(&db, &seller).await.expect("remove");
    assert!(settings::settings(&db, &seller, None)
        .await
        .expect("settings")
        .logo_url
        .is_none());
}

/// The platform takes stores from its region only (set by the operator; with Stripe Connect, where accounts can be
/// opened): the form offers those countries, and another one is refused with the ones it takes, nothing kept.
async fn a_store_applies_only_from_the_platforms_region(db: Db) {
    use domain::money::policy;
    let (_, shopper) = actors::shopper(&db).await;
    assert_eq!(
        applications::countries_open(&db).await.expect("all").len(),
        model::orders::COUNTRIES.len()
    );
    // An application that came while every country was open is not approved once its country is not.
    let (_, early) = actors::shopper(&db).await;
    let waiting = onboard_seller::apply(&db, &early, &form("Early Goods"))
        .await
        .expect("applied");
    assert!(
        policy::set_seller_countries(&db, "us,XX").await.is_err(),
        "unknown codes refused"
    );
    assert_eq!(
        policy::set_seller_countries(&db, " ca , us ").await.expect("set"),
        ["US", "CA"]
    );
    let admin = actors::admin(&db).await;
    assert!(matches!(
        onboard_seller::approve(&db, &admin, waiting).await,
        Err(SellerError::Conflict(_))
    ));
    let open: Vec<String> = applications::countries_open(&db)
        .await
        .expect("open")
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(open, ["US", "CA"]);
    match onboard_seller::apply(&db, &shopper, &form("Far Away Goods")).await {
        Err(SellerError::Invalid(errors)) => {
            assert_eq!(errors[0].field, "country");
            assert!(errors[0].message.contains("United States"), "{}", errors[0].message);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM seller_applications").await,
        1,
        "nothing kept (the early application only)"
    );
    let near = ApplicationForm {
        country: "CA".into(),
        ..form("Near Goods")
    };
    onboard_seller::apply(&db, &shopper, &near).await.expect("taken");
    assert_eq!(
        policy::set_seller_countries(&db, "all").await.expect("all"),
        Vec::<String>::new()
    );
}

db_tests!(
    a_store_applies_only_from_the_platforms_region,
    a_store_logo_is_re_encoded_and_shown_on_the_storefront,
    a_seller_keeps_the_profile_warehouses_and_shipping_rates,
    an_approved_application_opens_a_store_and_makes_the_account_a_seller,
    a_rejected_applicant_reads_the_reason_and_may_apply_again,
    a_store_address_must_be_free_and_a_free_one_is_suggested,
    only_shoppers_apply_and_only_admins_decide,
    the_queue_pages_oldest_first_without_repeats,
    the_overview_lists_drafts_pictureless_and_low_stock_of_the_own_store_only,
    seeding_makes_demo_accounts_that_run_the_demo_stores,
);
