//! Stripe Connect payouts (decision 0031) through the Connect adapter against the local fake Connect API: a
//! store's account opened once and payable only when Stripe says so (reports applied in the order Stripe made
//! them), failed bank payouts kept and told; the sweep's transfers made once (a lease, a claim, the row's own key),
//! refunds after a transfer taken back by a reversal, a refused reversal owed and netted, Stripe down or short
//! finished or released by the next sweep. Every step keeps the store's statement equal to its ledger.

use domain::money::connect::{self, payable_account};
use domain::money::policy::{self, Policy};
use domain::money::statement;
use domain::money::stripe_transfers::{self, Swept};
use domain::money::transfers::{self, ManualPayout};
use domain::orders::refunds::RefundKind;
use domain::payments::connect::ConnectRail;
use domain::payments::stripe::WebhookFailure;
use domain::payments::TestGateway;
use domain::platform::clock::now_ms;
use domain::sellers::SellerError;
use domain::workflows::{connect_events, refund_order, ship_order};
use domain::{Actor, Db};
use model::money::PayoutSetup;

use crate::db_tests;
use crate::fake_connect::{deliver_connect, FakeConnect, Mood};
use crate::harness::actors;
use crate::harness::fixtures::count;
use crate::money_ledger::units_form;
use crate::seller_orders::{mails_to, paid_order, ship_all, store_with_two_variants};
use crate::stripe_payments::{deliver, placed_with_stripe, session_of, FakeStripe};

async fn setup_of(db: &Db, store: i64) -> PayoutSetup {
    let mut conn = db.pool().acquire().await.expect("conn");
    connect::payouts(&mut conn, store).await.expect("payouts").setup
}

async fn account_of(db: &Db, store: i64) -> String {
    sqlx::query_scalar("SELECT account_id FROM seller_stripe_accounts WHERE seller_id = $1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("account")
}

async fn a_store_is_payable_only_when_stripe_says_so(db: Db) {
    let (store, _) = store_with_two_variants(&db, 5).await;
    let seller = actors::seller_of(&db, store).await;
    let fake = FakeConnect::spawn().await;
    let rail = fake.rail();
    assert_eq!(setup_of(&db, store).await, PayoutSetup::NotStarted);

    // Stripe's report can overtake the shop's own record of the account: answered as a failure, not recorded, so
    // Stripe delivers it again, and then it applies.
    let (email, country): (String, String) =
        sqlx::query_as("SELECT u.email, s.country FROM sellers s JOIN users u ON u.id = s.user_id WHERE s.id = $1")
            .bind(store)
            .fetch_one(db.pool())
            .await
            .expect("email");
    let early_account = rail.create_account(store, &email, &country).await.expect("account");
    let early = fake.update_account(&early_account, (true, false, false), now_ms() / 1000 - 5);
    assert!(matches!(
        deliver_connect(&db, &early).await,
        Err(WebhookFailure::Failed(_))
    ));

    // Asked twice (a double click, the refresh page): one account, a fresh single-use page each time.
    assert_eq!(
        connect::onboarding_link(&db, &rail, &seller, false)
            .await
            .expect("none"),
        None
    );
    let first = connect::onboarding_link(&db, &rail, &seller, true)
        .await
        .expect("link")
        .expect("a page");
    let second = connect::onboarding_link(&db, &rail, &seller, true)
        .await
        .expect("link")
        .expect("a page");
    assert!(
        first.starts_with("https://connect.stripe.test/setup/e/acct_test_"),
        "{first}"
    );
    assert_ne!(first, second);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM seller_stripe_accounts").await, 1);
    let opened = fake.requests_to("/v1/accounts");
    assert_eq!(opened.len(), 2, "asked early, then by the first page only");
    assert!(opened
        .iter()
        .all(|r| r.1.as_deref() == Some(format!("bazaar-account-{store}").as_str())));
    assert!(
        opened
            .iter()
            .all(|r| r.0.contains(&("country".into(), country.clone()))),
        "opened in the store's country"
    );
    let links = fake.requests_to("/v1/account_links");
    assert!(links[0].0.contains(&(
        "return_url".into(),
        "https://shop.example/seller/money/stripe/return".into()
    )));
    let account = account_of(&db, store).await;
    assert_eq!(account, early_account, "one account, however often it is opened");
    assert!(deliver_connect(&db, &early).await.expect("delivered again"));
    assert_eq!(
        setup_of(&db, store).await,
        PayoutSetup::InReview,
        "the early report applied"
    );

    // Coming back does not mean done: the account as Stripe has it now.
    fake.update_account(&account, (false, false, false), now_ms() / 1000);
    assert_eq!(
        connect::refresh(&db, &rail, &seller).await.expect("refresh"),
        PayoutSetup::Incomplete
    );
    let mut conn = db.pool().acquire().await.expect("conn");
    assert_eq!(payable_account(&mut conn, store).await.expect("read"), None);
    drop(conn);

    // Only a seller opens an account, for its own store.
    for other in [Actor::visitor(), actors::admin(&db).await] {
        assert!(matches!(
            connect::onboarding_link(&db, &rail, &other, true).await,
            Err(SellerError::NotFound)
        ));
    }

    // Stripe's report: payable. Redelivered, it changes nothing; an older report that arrives late neither.
    let now = now_ms() / 1000;
    let ready = fake.update_account(&account, (true, true, true), now);
    assert!(deliver_connect(&db, &ready).await.expect("applied"));
    assert!(!deliver_connect(&db, &ready).await.expect("again"));
    let stale = fake.update_account(&account, (true, false, false), now - 60);
    assert!(!deliver_connect(&db, &stale).await.expect("stale"));
    assert_eq!(setup_of(&db, store).await, PayoutSetup::Ready);
    let by_hand = ManualPayout {
        seller_id: store,
        amount: 100,
        reference: "WIRE-1",
        form_key: "k-1",
    };
    let refused = transfers::record_manual(&db, &actors::admin(&db).await, &by_hand).await;
    assert!(
        matches!(refused, Err(SellerError::Conflict(_))),
        "the sweep pays it: {refused:?}"
    );
    let forged = connect_events::connect_webhook(&db, ready.as_bytes(), "t=1,v1=00", "whsec_x").await;
    assert!(matches!(forged, Err(WebhookFailure::Rejected(_))));
}

/// A bank payout that failed: kept once, its message cleaned, the store told; another platform's account changes
/// nothing.
async fn a_failed_bank_payout_is_kept_once_and_told(db: Db) {
    let fake = FakeConnect::spawn().await;
    let (store, _, _) = payable_store(&db, &fake).await;
    let account = account_of(&db, store).await;
    let failed = fake.payout_failed(&account, "po_test_1", 4200);
    assert!(deliver_connect(&db, &failed).await.expect("kept"));
    assert!(!deliver_connect(&db, &failed).await.expect("again"));
    let mut conn = db.pool().acquire().await.expect("conn");
    let payouts = connect::payouts(&mut conn, store).await.expect("payouts");
    assert_eq!(payouts.failures.len(), 1);
    assert_eq!(payouts.failures[0].message, "The bank account has been closed.");
    assert_eq!(mails_to(&db, "to your bank failed").await.len(), 1);
    let unknown = fake
        .payout_failed(&account, "po_test_2", 1)
        .replace(&account, "acct_someone_else");
    assert!(!deliver_connect(&db, &unknown).await.expect("not ours"));
}

/// A store whose Stripe account is payable, with a rule of no holding days and a least transfer of 1.00.
async fn payable_store(db: &Db, fake: &FakeConnect) -> (i64, Actor, i64) {
    let rules = Policy {
        hold_days: 0,
        commission_tax_bp: 2000,
        commission_back: 1,
        min_transfer: 100,
        dispute_hold: 0,
    };
    assert!(policy::set(db, &rules).await.expect("policy"));
    let (store, [kettle, _]) = store_with_two_variants(db, 50).await;
    let seller = actors::seller_of(db, store).await;
    connect::onboarding_link(db, &fake.rail(), &seller, true)
        .await
        .expect("link");
    let account = account_of(db, store).await;
    let ready = fake.update_account(&account, (true, true, true), now_ms() / 1000);
    deliver_connect(db, &ready).await.expect("ready");
    (store, seller, kettle)
}

/// A paid, shipped and delivered order of `units` kettles (released at once): its number.
async fn delivered(db: &Db, seller: &Actor, kettle: i64, units: i64) -> String {
    let (_, number) = paid_order(db, &[(kettle, units)], "Connie Connect").await;
    ship_order::ship(db, seller, &number, &ship_all(db, &number, "ups", "1Z1").await)
        .await
        .expect("ship");
    ship_order::mark_delivered(db, seller, &number)
        .await
        .expect("delivered");
    number
}

/// The store's ledger sum, its statement's last balance, and what is due (the ledger must match the statement).
async fn balance(db: &Db, store: i64) -> i64 {
    let sum = count(
        db,
        &format!("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM seller_ledger WHERE seller_id = {store}"),
    )
    .await;
    let mut conn = db.pool().acquire().await.expect("conn");
    let b = statement::balances(&mut conn, store, now_ms()).await.expect("balances");
    assert_eq!(b.total().amount, sum, "the statement's balance is the ledger's sum");
    sum
}

async fn net_of(db: &Db, number: &str) -> i64 {
    sqlx::query_scalar("SELECT booked FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(db.pool())
        .await
        .expect("booked")
}

async fn refund_one(db: &Db, seller: &Actor, number: &str, kettle: i64) {
    let gateway = TestGateway::new(db.clone());
    refund_order::by_store(
        db,
        &gateway,
        seller,
        number,
        RefundKind::Refund,
        &units_form(&[(kettle, 1)], "damaged"),
    )
    .await
    .expect("refund");
}

async fn the_sweep_transfers_once_and_takes_a_later_refund_back(db: Db) {
    let fake = FakeConnect::spawn().await;
    let rail = fake.rail();
    let (store, seller, kettle) = payable_store(&db, &fake).await;
    let number = delivered(&db, &seller, kettle, 3).await;
    let net = net_of(&db, &number).await;

    // One sweep per period, whoever runs it: the first transfers the order's net, the second finds it done.
    let now = now_ms();
    let hour = 3_600_000;
    let swept = stripe_transfers::sweep(&db, &rail, "one", now, hour)
        .await
        .expect("sweep");
    assert_eq!(
        swept,
        Some(Swept {
            transfers: 1,
            ..Swept::default()
        })
    );
    assert_eq!(
        stripe_transfers::sweep(&db, &rail, "two", now + 1, hour)
            .await
            .expect("sweep"),
        None
    );
    assert_eq!(
        stripe_transfers::run(&db, &rail, now).await.expect("run"),
        Swept::default()
    );
    let made = fake.requests_to("/v1/transfers");
    assert_eq!(made.len(), 1);
    let (params, key) = &made[0];
    assert!(key.as_deref().is_some_and(|k| k.starts_with("bazaar-transfer-")));
    let group: String = sqlx::query_scalar(
        "SELECT g.number FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_one(db.pool())
    .await
    .expect("group");
    assert!(params.contains(&("amount".into(), net.to_string())));
    assert!(params.contains(&("transfer_group".into(), group)));
    assert_eq!(
        balance(&db, store).await,
        0,
        "all of it went to the store's Stripe account"
    );
    assert_eq!(mails_to(&db, "Payout of").await.len(), 1);

    // A kettle refunded after the transfer: taken back from that transfer, once.
    refund_one(&db, &seller, &number, kettle).await;
    let owed = -balance(&db, store).await;
    assert!(owed > 0);
    let swept = stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            reversals: 1,
            ..Swept::default()
        }
    );
    let tr: String = sqlx::query_scalar("SELECT provider_ref FROM seller_transfers WHERE seller_id = $1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("transfer");
    assert_eq!(fake.transfer(&tr)["amount_reversed"], serde_json::json!(owed));
    assert_eq!(balance(&db, store).await, 0);
    assert_eq!(
        stripe_transfers::run(&db, &rail, now_ms()).await.expect("run"),
        Swept::default()
    );
}

/// The store's Stripe balance is short: a refund after its transfer is owed, not asked again, and netted against
/// the next transfer.
async fn a_refused_reversal_is_owed_and_netted(db: Db) {
    let fake = FakeConnect::spawn().await;
    let rail = fake.rail();
    let (store, seller, kettle) = payable_store(&db, &fake).await;
    let number = delivered(&db, &seller, kettle, 3).await;
    stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    let tr: String = sqlx::query_scalar("SELECT provider_ref FROM seller_transfers WHERE seller_id = $1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("transfer");
    fake.set_mood(Mood::AccountShort);
    refund_one(&db, &seller, &number, kettle).await;
    let owed = -balance(&db, store).await;
    let swept = stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            refused: 1,
            ..Swept::default()
        }
    );
    fake.set_mood(Mood::Fine);
    let asked = fake.requests_to(&format!("/v1/transfers/{tr}/reversals")).len();
    assert_eq!(
        stripe_transfers::run(&db, &rail, now_ms()).await.expect("run"),
        Swept::default()
    );
    assert_eq!(fake.requests_to(&format!("/v1/transfers/{tr}/reversals")).len(), asked);
    assert_eq!(-balance(&db, store).await, owed, "owed, shown as such");
    let next = delivered(&db, &seller, kettle, 2).await;
    let swept = stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            transfers: 1,
            ..Swept::default()
        }
    );
    let last = fake.requests_to("/v1/transfers").pop().expect("a transfer");
    assert!(last
        .0
        .contains(&("amount".into(), (net_of(&db, &next).await - owed).to_string())));
    assert_eq!(balance(&db, store).await, 0);
}

async fn stripe_down_or_short_loses_nothing(db: Db) {
    let fake = FakeConnect::spawn().await;
    let rail = fake.rail();
    let (store, seller, kettle) = payable_store(&db, &fake).await;
    let number = delivered(&db, &seller, kettle, 1).await;
    let net = net_of(&db, &number).await;

    // Down: the claim waits; the next sweep asks again under the same key and books it once.
    fake.set_mood(Mood::Down);
    let swept = stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            waiting: 1,
            ..Swept::default()
        }
    );
    assert_eq!(
        balance(&db, store).await,
        net,
        "nothing booked while Stripe has not answered"
    );
    fake.set_mood(Mood::Fine);
    let swept = stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            transfers: 1,
            ..Swept::default()
        }
    );
    let keys: Vec<Option<String>> = fake.requests_to("/v1/transfers").into_iter().map(|r| r.1).collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the same key both times");
    assert_eq!(balance(&db, store).await, 0);

    // Short: refused, the entries due again, transferred by a later sweep.
    let number = delivered(&db, &seller, kettle, 1).await;
    fake.set_mood(Mood::PlatformShort);
    let swept = stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            refused: 1,
            ..Swept::default()
        }
    );
    assert_eq!(balance(&db, store).await, net_of(&db, &number).await);
    fake.set_mood(Mood::Fine);
    let swept = stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            transfers: 1,
            ..Swept::default()
        }
    );
    assert_eq!(balance(&db, store).await, 0);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM seller_transfers WHERE status = 'failed'").await,
        1
    );
}

/// Two sweeps at once (two instances whose lease both ran out): each entry is transferred once.
async fn two_sweeps_at_once_transfer_each_entry_once(db: Db) {
    let fake = FakeConnect::spawn().await;
    let rail = fake.rail();
    let (store, seller, kettle) = payable_store(&db, &fake).await;
    for _ in 0..3 {
        delivered(&db, &seller, kettle, 1).await;
    }
    let total = balance(&db, store).await;
    let (a, b) = tokio::join!(
        stripe_transfers::run(&db, &rail, now_ms()),
        stripe_transfers::run(&db, &rail, now_ms())
    );
    let moved = a.expect("a").transfers + b.expect("b").transfers;
    assert_eq!(moved, 3, "a transfer per order group");
    assert_eq!(balance(&db, store).await, 0);
    let sent = count(
        &db,
        "SELECT CAST(SUM(amount) AS BIGINT) FROM seller_transfers WHERE status = 'sent'",
    )
    .await;
    assert_eq!(sent, total);
}

/// A payment through Stripe's checkout for two stores: each store's transfer draws on that payment's charge
/// (`source_transaction`) under the group's number (`transfer_group`), and the two transfers make the stores' nets.
async fn each_store_is_paid_from_the_groups_charge(db: Db) {
    let stripe = FakeStripe::spawn().await;
    let gateway = stripe.gateway();
    let (placed, a, b) = placed_with_stripe(&db, &gateway).await;
    let paid = stripe.complete(&session_of(&placed.redirect_url));
    deliver(&db, &gateway, &paid).await.expect("paid");
    let fake = FakeConnect::spawn().await;
    let rail = fake.rail();
    assert!(policy::set(
        &db,
        &Policy {
            hold_days: 0,
            commission_tax_bp: 0,
            commission_back: 1,
            min_transfer: 100,
            dispute_hold: 0
        }
    )
    .await
    .expect("policy"));
    let mut nets = 0;
    for variant in [a, b] {
        let (store, number): (i64, String) = sqlx::query_as(
            "SELECT o.seller_id, o.number FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE l.variant_id = $1",
        )
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("order");
        let seller = actors::seller_of(&db, store).await;
        ship_order::ship(&db, &seller, &number, &ship_all(&db, &number, "ups", "1Z2").await)
            .await
            .expect("ship");
        ship_order::mark_delivered(&db, &seller, &number)
            .await
            .expect("delivered");
        connect::onboarding_link(&db, &rail, &seller, true).await.expect("link");
        let ready = fake.update_account(&account_of(&db, store).await, (true, true, true), now_ms() / 1000);
        deliver_connect(&db, &ready).await.expect("ready");
        nets += net_of(&db, &number).await;
    }
    let swept = stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            transfers: 2,
            ..Swept::default()
        }
    );
    let intent: String = sqlx::query_scalar("SELECT provider_payment FROM payments")
        .fetch_one(db.pool())
        .await
        .expect("intent");
    let made = fake.requests_to("/v1/transfers");
    let mut sum = 0;
    for (params, _) in &made {
        assert!(
            params.contains(&("source_transaction".into(), format!("ch_{intent}"))),
            "{params:?}"
        );
        assert!(params.contains(&("transfer_group".into(), placed.number.clone())));
        sum += params
            .iter()
            .find(|(k, _)| k == "amount")
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .expect("amount");
    }
    assert_eq!(sum, nets, "the two transfers are the stores' nets");
}

/// Stripe made a transfer and its answer was lost, or another request held the key: nothing is refused or made
/// twice; a day later (Stripe has forgotten the key) the move is found by our row in its metadata and booked.
async fn a_lost_answer_or_a_busy_key_never_pays_twice(db: Db) {
    let fake = FakeConnect::spawn().await;
    let rail = fake.rail();
    let (store, seller, kettle) = payable_store(&db, &fake).await;
    let number = delivered(&db, &seller, kettle, 2).await;
    let waiting = Swept {
        waiting: 1,
        ..Swept::default()
    };
    fake.set_mood(Mood::KeyInUse);
    assert_eq!(stripe_transfers::run(&db, &rail, now_ms()).await.expect("run"), waiting);
    fake.set_mood(Mood::LoseAnswer);
    assert_eq!(stripe_transfers::run(&db, &rail, now_ms()).await.expect("run"), waiting);
    assert_eq!(fake.transfers_made(), 1);
    fake.set_mood(Mood::Fine);
    let day_later = now_ms() + 21 * 3_600_000;
    let swept = stripe_transfers::run(&db, &rail, day_later).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            transfers: 1,
            ..Swept::default()
        }
    );
    assert_eq!(fake.transfers_made(), 1, "found by its row, not made again");
    assert_eq!(fake.requests_to("/v1/transfers").len(), 1, "asked once");
    assert_eq!(balance(&db, store).await, 0);

    // The same for a reversal.
    refund_one(&db, &seller, &number, kettle).await;
    fake.set_mood(Mood::LoseAnswer);
    assert_eq!(stripe_transfers::run(&db, &rail, now_ms()).await.expect("run"), waiting);
    fake.set_mood(Mood::Fine);
    let swept = stripe_transfers::run(&db, &rail, day_later).await.expect("run");
    assert_eq!(
        swept,
        Swept {
            reversals: 1,
            ..Swept::default()
        }
    );
    assert_eq!(balance(&db, store).await, 0);
    let reversed = count(
        &db,
        "SELECT COUNT(*) FROM seller_transfer_reversals WHERE status = 'sent'",
    )
    .await;
    assert_eq!(reversed, 1);
}

/// A store whose payouts an admin holds, or which is suspended, is sent nothing by the sweep; released, it is paid.
async fn a_held_or_suspended_store_is_sent_nothing_until_released(db: Db) {
    let fake = FakeConnect::spawn().await;
    let rail = fake.rail();
    let (store, seller, kettle) = payable_store(&db, &fake).await;
    let number = delivered(&db, &seller, kettle, 2).await;
    let net = net_of(&db, &number).await;
    let admin = actors::admin(&db).await;
    domain::sellers::standing::hold_payouts(&db, &admin, store, true, "Chargebacks under review")
        .await
        .expect("hold");
    assert_eq!(
        stripe_transfers::run(&db, &rail, now_ms()).await.expect("run"),
        Swept::default()
    );
    let confirmed = domain::accounts::step_up::confirm(&db, &Default::default(), &admin, Some(now_ms()), "")
        .await
        .expect("recent");
    domain::sellers::standing::suspend(
        &db,
        &admin,
        confirmed,
        store,
        model::admin_stores::SuspensionGround::Fraud,
        "Chargebacks",
    )
    .await
    .expect("suspend");
    domain::sellers::standing::hold_payouts(&db, &admin, store, false, "Cleared")
        .await
        .expect("release");
    assert_eq!(
        stripe_transfers::run(&db, &rail, now_ms()).await.expect("run"),
        Swept::default(),
        "a suspended store is held too"
    );
    assert!(fake.requests_to("/v1/transfers").is_empty());
    assert_eq!(balance(&db, store).await, net, "kept for the store");
    domain::sellers::standing::reactivate(&db, &admin, confirmed, store, "Cleared")
        .await
        .expect("reactivate");
    let swept = stripe_transfers::run(&db, &rail, now_ms()).await.expect("run");
    assert_eq!(swept.transfers, 1);
    assert_eq!(balance(&db, store).await, 0);
}

db_tests!(
    a_held_or_suspended_store_is_sent_nothing_until_released,
    a_failed_bank_payout_is_kept_once_and_told,
    a_lost_answer_or_a_busy_key_never_pays_twice,
    a_refused_reversal_is_owed_and_netted,
    each_store_is_paid_from_the_groups_charge,
    a_store_is_payable_only_when_stripe_says_so,
    the_sweep_transfers_once_and_takes_a_later_refund_back,
    stripe_down_or_short_loses_nothing,
    two_sweeps_at_once_transfer_each_entry_once,
);
