//! Issue 21's invariant, over random sequences of orders across two stores, partial shipments, deliveries,
//! cancellations, refunds of units and of amounts (by the store, or partial ones in the provider's dashboard that name
//! no store), disputes opened, won and lost (held or reversed, the policy
//! changing between cases), the provider's fee borne by the stores or the platform, and payouts (one store by
//! hand, the other through Stripe Connect's fake, which is sometimes down, short on the platform's balance or on
//! the store's, so transfers wait or fail and reversals are refused): after every step, to the cent,
//! Σ stores' net + Σ commission (with its tax) + Σ processing fees = Σ captured − Σ refunded − Σ disputed (lost,
//! or reversed while open); each case's shares sum to it; each store's running balance is the sum
//! of its entries, numbered without gaps; every refund is one entry of its order's refunded amount; what the
//! commission gives back never exceeds it; each payout and each reversal is the sum of the entries it covers and
//! is booked once, and only what Stripe made is booked; the dashboard's daily
//! rollups add up to the ledger's sales and refunds, and the money screen's (each order's net, each day's kinds)
//! to its entries.
//! The seed is printed (BAZAAR_MONEY_SEED replays one); BAZAAR_MONEY_STEPS sets the length (default 300).

use std::collections::HashMap;

use domain::money::connect;
use domain::money::policy::{self, FeeRule, Policy};
use domain::money::statement;
use domain::money::stripe_transfers;
use domain::money::transfers::{self, ManualPayout};
use domain::orders::refunds::{RefundForm, RefundKind};
use domain::payments::{DisputeReport, EventKind, TestGateway};
use domain::platform::clock::now_ms;
use domain::workflows::settle_payment;
use domain::workflows::ship_order::ShipForm;
use domain::workflows::{refund_order, ship_order};
use domain::{cart, Actor, Db};
use model::disputes::DisputeStatus;

use crate::db_tests;
use crate::fake_connect::{deliver_connect, FakeConnect, Mood};
use crate::harness::actors;
use crate::harness::fixtures::{count, draft, key, placed_and_paid, set_units};
use crate::money_ledger::units_form;

/// xorshift64*: a reproducible sequence without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}

#[derive(Debug, sqlx::FromRow)]
struct OpenOrder {
    number: String,
    seller_id: i64,
    status: String,
}

#[derive(Debug, sqlx::FromRow)]
struct Line {
    variant_id: i64,
    quantity: i64,
    shipped: i64,
    cancelled: i64,
    refunded: i64,
}

async fn lines(db: &Db, number: &str) -> Vec<Line> {
    sqlx::query_as(
        "SELECT l.variant_id, l.quantity, l.shipped, l.cancelled, l.refunded FROM order_lines l \
         JOIN orders o ON o.id = l.order_id WHERE o.number = $1 ORDER BY l.variant_id",
    )
    .bind(number)
    .fetch_all(db.pool())
    .await
    .expect("lines")
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    count(db, sql).await
}

/// Every promise of the ledger, checked against the orders and the payments.
async fn reconciles(db: &Db, step: usize) {
    let captured = scalar(
        db,
        "SELECT CAST(COALESCE(SUM(amount - refunded), 0) AS BIGINT) FROM payments \
         WHERE status IN ('succeeded', 'partially_refunded', 'refunded')",
    )
    .await;
    let net = scalar(
        db,
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM seller_ledger \
         WHERE kind NOT IN ('transfer', 'adjustment')",
    )
    .await;
    // What the banks took back (lost cases) or the stores gave up until the bank decides (open reversed cases).
    let disputed = scalar(
        db,
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM disputes \
         WHERE status = 'lost' OR (mode = 'reverse' AND status IN ('needs_response', 'under_review'))",
    )
    .await;
    let commission = -scalar(
        db,
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM seller_ledger \
         WHERE kind IN ('commission', 'commission_tax', 'commission_back', 'commission_tax_back')",
    )
    .await;
    let fees = -scalar(
        db,
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM seller_ledger WHERE kind = 'processing_fee'",
    )
    .await;
    assert_eq!(
        net + commission + fees,
        captured - disputed,
        "step {step}: Σ net + Σ commission + Σ processing fees = Σ captured − Σ refunded − Σ disputed"
    );
    let split = scalar(
        db,
        "SELECT COUNT(*) FROM disputes d WHERE d.amount <> (SELECT SUM(s.amount) FROM dispute_shares s \
         WHERE s.dispute_id = d.id)",
    )
    .await;
    assert_eq!(split, 0, "step {step}: each case's shares are its amount");
    assert!(commission >= 0, "step {step}");
    let unbalanced = scalar(
        db,
        "SELECT COUNT(*) FROM seller_balances b WHERE b.balance <> (SELECT COALESCE(SUM(l.amount), 0) \
         FROM seller_ledger l WHERE l.seller_id = b.seller_id) OR b.seq <> (SELECT COUNT(*) FROM seller_ledger l \
         WHERE l.seller_id = b.seller_id) OR b.balance <> (SELECT l.balance FROM seller_ledger l \
         WHERE l.seller_id = b.seller_id AND l.seq = b.seq)",
    )
    .await;
    assert_eq!(unbalanced, 0, "step {step}: running balances");
    let running = scalar(
        db,
        "SELECT COUNT(*) FROM seller_ledger l JOIN seller_ledger p ON p.seller_id = l.seller_id \
         AND p.seq = l.seq - 1 WHERE l.balance <> p.balance + l.amount",
    )
    .await;
    assert_eq!(running, 0, "step {step}: each balance is the one before plus the entry");
    let refunds_off = scalar(
        db,
        "SELECT COUNT(*) FROM orders o WHERE o.refunded <> -(SELECT COALESCE(SUM(l.amount), 0) \
         FROM seller_ledger l WHERE l.order_id = o.id AND l.kind = 'refund')",
    )
    .await;
    assert_eq!(refunds_off, 0, "step {step}: refund entries are the orders' refunds");
    let over_given = scalar(
        db,
        "SELECT COUNT(*) FROM orders o WHERE (SELECT COALESCE(SUM(l.amount), 0) FROM seller_ledger l \
         WHERE l.order_id = o.id AND l.kind IN ('commission', 'commission_back')) > 0",
    )
    .await;
    assert_eq!(over_given, 0, "step {step}: commission given back never exceeds it");
    moves_match(db, step).await;
    available_is_due(db, step).await;
    rollups_match(db, step).await;
}

/// Each payout (by hand or through Stripe) and each reversal is the sum of what it covers, booked once, and only
/// what Stripe made is booked.
async fn moves_match(db: &Db, step: usize) {
    let uncovered = scalar(
        db,
        "SELECT COUNT(*) FROM seller_transfers t WHERE t.status = 'sent' AND (t.amount <> \
         (SELECT COALESCE(SUM(l.amount), 0) FROM seller_transfer_items i JOIN seller_ledger l ON l.id = i.entry_id \
         WHERE i.transfer_id = t.id AND i.reversal_id IS NULL) \
         OR t.amount <> -(SELECT SUM(l.amount) FROM seller_ledger l WHERE l.entry_key = 'transfer:' || t.id))",
    )
    .await;
    assert_eq!(
        uncovered, 0,
        "step {step}: each payout is the sum of what it covers, booked once"
    );
    let unreversed = scalar(
        db,
        "SELECT COUNT(*) FROM seller_transfer_reversals r WHERE r.status = 'sent' AND (r.amount <> \
         -(SELECT COALESCE(SUM(l.amount), 0) FROM seller_transfer_items i JOIN seller_ledger l ON l.id = i.entry_id \
         WHERE i.reversal_id = r.id) \
         OR r.amount <> (SELECT SUM(l.amount) FROM seller_ledger l WHERE l.entry_key = 'reversal:' || r.id))",
    )
    .await;
    assert_eq!(
        unreversed, 0,
        "step {step}: each reversal is the sum of what it settles, booked once"
    );
    let unbooked = scalar(
        db,
        "SELECT COUNT(*) FROM seller_ledger l WHERE (l.entry_key LIKE 'transfer:%' AND NOT EXISTS \
         (SELECT 1 FROM seller_transfers t WHERE l.entry_key = 'transfer:' || t.id AND t.status = 'sent')) \
         OR (l.entry_key LIKE 'reversal:%' AND NOT EXISTS (SELECT 1 FROM seller_transfer_reversals r \
         WHERE l.entry_key = 'reversal:' || r.id AND r.status = 'sent'))",
    )
    .await;
    assert_eq!(unbooked, 0, "step {step}: only what Stripe made is booked");
}

/// What each store reads as available is what a payout would cover now (held orders' unpaid entries excluded).
async fn available_is_due(db: &Db, step: usize) {
    let stores: Vec<i64> = sqlx::query_scalar("SELECT seller_id FROM seller_balances")
        .fetch_all(db.pool())
        .await
        .expect("stores");
    let now = now_ms();
    for store in stores {
        let mut conn = db.pool().acquire().await.expect("conn");
        let available = statement::balances(&mut conn, store, now)
            .await
            .expect("balances")
            .available
            .amount;
        let due = scalar(
            db,
            &format!(
                "SELECT CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM seller_ledger l \
                 LEFT JOIN orders o ON o.id = l.order_id WHERE l.seller_id = {store} AND l.kind <> 'transfer' \
                 AND (l.order_id IS NULL OR (o.funds_release_at <= {now} AND o.dispute_hold = 0)) \
                 AND NOT EXISTS (SELECT 1 FROM seller_transfer_items i WHERE i.entry_id = l.id)"
            ),
        )
        .await;
        // Entries a Stripe move claims while Stripe has not answered are in it too: not booked out yet.
        assert_eq!(
            available, due,
            "step {step}: store {store}'s available balance is what is due"
        );
    }
}

/// The rollups the screens read instead of the ledger hold what the ledger holds.
async fn rollups_match(db: &Db, step: usize) {
    let rolled = scalar(
        db,
        "SELECT COUNT(*) FROM sellers s WHERE \
         (SELECT COALESCE(SUM(revenue), 0) FROM seller_daily_sales d WHERE d.seller_id = s.id) <> \
         (SELECT COALESCE(SUM(amount), 0) FROM seller_ledger l WHERE l.seller_id = s.id AND l.kind = 'sale') \
         OR (SELECT COALESCE(SUM(refunds), 0) FROM seller_daily_sales d WHERE d.seller_id = s.id) <> \
         -(SELECT COALESCE(SUM(amount), 0) FROM seller_ledger l WHERE l.seller_id = s.id AND l.kind = 'refund') \
         OR (SELECT COALESCE(SUM(units), 0) FROM product_daily_sales p WHERE p.seller_id = s.id) <> \
         (SELECT COALESCE(SUM(units), 0) FROM seller_daily_sales d WHERE d.seller_id = s.id)",
    )
    .await;
    assert_eq!(
        rolled, 0,
        "step {step}: the dashboard's rollups are the ledger's sales and refunds"
    );
    let booked = scalar(
        db,
        "SELECT COUNT(*) FROM orders o WHERE o.booked <> (SELECT COALESCE(SUM(l.amount), 0) FROM seller_ledger l \
         WHERE l.order_id = o.id)",
    )
    .await;
    assert_eq!(booked, 0, "step {step}: each order's booked net is its entries' sum");
    let days = scalar(
        db,
        "SELECT COUNT(*) FROM (SELECT seller_id, kind, SUM(amount) AS amount, COUNT(*) AS entries \
         FROM seller_ledger GROUP BY seller_id, kind) l WHERE l.amount <> (SELECT SUM(d.amount) \
         FROM seller_ledger_days d WHERE d.seller_id = l.seller_id AND d.kind = l.kind) \
         OR l.entries <> (SELECT SUM(d.entries) FROM seller_ledger_days d WHERE d.seller_id = l.seller_id \
         AND d.kind = l.kind)",
    )
    .await;
    assert_eq!(days, 0, "step {step}: the statement's daily totals are the ledger's");
}

/// A case opened on the order's payment (7), decided (8), or the policy changed between cases (9: an open case
/// keeps the mode it opened with).
async fn dispute_step(db: &Db, rng: &mut Rng, action: usize, order: &OpenOrder) {
    match action {
        7 => dispute(db, order).await,
        8 => decide(db, rng).await,
        _ => {
            let mut conn = db.pool().acquire().await.expect("conn");
            let mut rules = policy::read(&mut conn).await.expect("policy");
            drop(conn);
            rules.dispute_hold = 1 - rules.dispute_hold;
            policy::set(db, &rules).await.expect("policy");
        }
    }
}

/// The cardholder's bank disputes what is left of the order's payment (once per payment).
async fn dispute(db: &Db, order: &OpenOrder) {
    let payment: Option<(String, i64)> = sqlx::query_as(
        "SELECT p.provider_ref, p.amount - p.refunded FROM payments p JOIN orders o ON o.group_id = p.group_id \
         WHERE o.number = $1 AND p.status IN ('succeeded', 'partially_refunded') \
         AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.payment_id = p.id)",
    )
    .bind(&order.number)
    .fetch_optional(db.pool())
    .await
    .expect("payment");
    let Some((session, left)) = payment.filter(|p| p.1 > 0) else {
        return;
    };
    let event = domain::payments::PaymentEvent {
        provider: "test".into(),
        event_id: format!("evt_dispute_{session}"),
        provider_ref: session.clone(),
        provider_payment: None,
        kind: EventKind::Dispute(DisputeReport {
            dispute: format!("tdp_{session}"),
            amount: left,
            fee: 1500,
            reason: "fraudulent".into(),
            respond_by: None,
            status: DisputeStatus::NeedsResponse,
        }),
    };
    settle_payment::apply_event(db, &event).await.expect("disputed");
}

/// The bank decides an open case, either way.
async fn decide(db: &Db, rng: &mut Rng) {
    let open: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT d.provider_dispute, d.amount, p.provider_ref FROM disputes d JOIN payments p ON p.id = d.payment_id \
         WHERE d.status IN ('needs_response', 'under_review') ORDER BY d.id",
    )
    .fetch_all(db.pool())
    .await
    .expect("cases");
    if open.is_empty() {
        return;
    }
    let (dispute, amount, session) = open[rng.below(open.len())].clone();
    let status = if rng.below(2) == 0 {
        DisputeStatus::Won
    } else {
        DisputeStatus::Lost
    };
    let event = domain::payments::PaymentEvent {
        provider: "test".into(),
        event_id: format!("evt_{dispute}_{}", status.as_str()),
        provider_ref: session,
        provider_payment: None,
        kind: EventKind::Dispute(DisputeReport {
            dispute,
            amount,
            fee: 1500,
            reason: "fraudulent".into(),
            respond_by: None,
            status,
        }),
    };
    settle_payment::apply_event(db, &event).await.expect("decided");
}

async fn open_orders(db: &Db) -> Vec<OpenOrder> {
    sqlx::query_as(
        "SELECT number, seller_id, status FROM orders WHERE status IN ('paid', 'shipped', 'delivered', \
         'partially_refunded') ORDER BY number",
    )
    .fetch_all(db.pool())
    .await
    .expect("orders")
}

async fn place_random(db: &Db, rng: &mut Rng, variants: &[i64]) {
    // Who bears the provider's fee changes between payments (each payment's fee is booked with its sales).
    let rule = FeeRule {
        fee_bp: 290,
        fee_fixed: 30,
        seller_pays_fee: rng.below(2) as i64,
    };
    assert!(policy::set_fee_rule(db, &rule).await.expect("fee rule"));
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    for _ in 0..=rng.below(3) {
        let variant = variants[rng.below(variants.len())];
        cart::add(db, cart_id, variant, 1 + rng.below(3) as i64)
            .await
            .expect("add");
    }
    let details = draft(db, cart_id, "US").await;
    placed_and_paid(db, &TestGateway::new(db.clone()), cart_id, &details).await;
}

/// How stores are paid: `connected` through Stripe Connect's fake, the others by an admin's bank transfer.
struct Payouts {
    admin: Actor,
    stripe: FakeConnect,
    connected: i64,
}

impl Payouts {
    /// Store `connected` paid through Stripe Connect's fake (its account made payable), the others by hand.
    async fn new(db: &Db, connected: i64, seller: &Actor) -> Payouts {
        let stripe = FakeConnect::spawn().await;
        connect::onboarding_link(db, &stripe.rail(), seller, true)
            .await
            .expect("account");
        let account: String = sqlx::query_scalar("SELECT account_id FROM seller_stripe_accounts")
            .fetch_one(db.pool())
            .await
            .expect("account");
        let ready = stripe.update_account(&account, (true, true, true), now_ms() / 1000);
        assert!(deliver_connect(db, &ready).await.expect("ready"));
        Payouts {
            admin: actors::admin(db).await,
            stripe,
            connected,
        }
    }
}

/// Pays store `store` what is due: a sweep through the fake Stripe in a random mood, or a manual payout.
async fn pay_out(db: &Db, rng: &mut Rng, store: i64, payouts: &Payouts) {
    if store == payouts.connected {
        let mood = [
            Mood::Fine,
            Mood::Fine,
            Mood::Down,
            Mood::PlatformShort,
            Mood::AccountShort,
        ][rng.below(5)];
        payouts.stripe.set_mood(mood);
        stripe_transfers::run(db, &payouts.stripe.rail(), now_ms())
            .await
            .expect("sweep");
        payouts.stripe.set_mood(Mood::Fine);
        return;
    }
    let mut conn = db.pool().acquire().await.expect("conn");
    let due = statement::balances(&mut conn, store, now_ms())
        .await
        .expect("balances")
        .available
        .amount;
    drop(conn);
    if due > 0 {
        let form_key = key();
        let payout = ManualPayout {
            seller_id: store,
            amount: due,
            reference: "RANDOM",
            form_key: &form_key,
        };
        transfers::record_manual(db, &payouts.admin, &payout)
            .await
            .expect("payout");
    }
}

/// A partial refund made in the provider's dashboard of order `order`'s payment (naming no store).
async fn provider_refund(db: &Db, rng: &mut Rng, order: &OpenOrder) {
    let payment: Option<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT p.provider, p.provider_ref, p.amount, p.refunded FROM payments p \
         JOIN orders o ON o.group_id = p.group_id JOIN order_groups g ON g.id = p.group_id \
         WHERE o.number = $1 AND g.status = 'paid' AND p.status IN ('succeeded', 'partially_refunded')",
    )
    .bind(&order.number)
    .fetch_optional(db.pool())
    .await
    .expect("payment");
    let Some((provider, provider_ref, amount, refunded)) = payment else {
        return;
    };
    let left = amount - refunded;
    if left < 2 {
        return;
    }
    let total = refunded + 1 + rng.below((left - 1).min(500) as usize) as i64;
    let event = domain::payments::PaymentEvent {
        provider,
        event_id: format!("evt-dashboard-{}", key()),
        provider_ref,
        provider_payment: None,
        kind: EventKind::Refunded(total),
    };
    settle_payment::apply_event(db, &event).await.expect("dashboard refund");
}

/// One random step on a random open order (or a new order, or a payout).
async fn step(db: &Db, rng: &mut Rng, variants: &[i64], sellers: &HashMap<i64, Actor>, payouts: &Payouts) {
    let orders = open_orders(db).await;
    let action = if orders.is_empty() { 0 } else { rng.below(10) };
    if action == 0 {
        return place_random(db, rng, variants).await;
    }
    let order = &orders[rng.below(orders.len())];
    let seller = &sellers[&order.seller_id];
    let gateway = TestGateway::new(db.clone());
    let lines = lines(db, &order.number).await;
    let line = &lines[rng.below(lines.len())];
    let left = line.quantity - line.shipped - line.cancelled;
    let shipped_back = line.shipped - (line.refunded - line.cancelled);
    // Refusals (nothing left to ship, more than was paid) are part of the sequence: they must change nothing.
    let _ = match action {
        1 | 2 if left > 0 => {
            let form = ShipForm {
                key: key(),
                carrier: "ups".into(),
                tracking_number: format!("1Z{}", rng.below(1_000_000)),
                lines: vec![(line.variant_id, (1 + rng.below(left as usize) as i64).to_string())],
            };
            ship_order::ship(db, seller, &order.number, &form).await.map(|_| ())
        }
        1 | 2 if order.status == "shipped" => ship_order::mark_delivered(db, seller, &order.number).await,
        3 if left > 0 => {
            let form = units_form(
                &[(line.variant_id, 1 + rng.below(left as usize) as i64)],
                "out_of_stock",
            );
            refund_order::by_store(db, &gateway, seller, &order.number, RefundKind::Cancel, &form)
                .await
                .map(|_| ())
        }
        4 if shipped_back > 0 => {
            let form = units_form(
                &[(line.variant_id, 1 + rng.below(shipped_back as usize) as i64)],
                "damaged",
            );
            refund_order::by_store(db, &gateway, seller, &order.number, RefundKind::Refund, &form)
                .await
                .map(|_| ())
        }
        7..=9 => {
            dispute_step(db, rng, action, order).await;
            Ok(())
        }
        5 if rng.below(3) == 0 => {
            provider_refund(db, rng, order).await;
            Ok(())
        }
        5 => {
            let form = RefundForm {
                key: key(),
                amount: format!("0.{:02}", 1 + rng.below(99)),
                reason: "arrived_late".into(),
                ..RefundForm::default()
            };
            refund_order::by_store(db, &gateway, seller, &order.number, RefundKind::Refund, &form)
                .await
                .map(|_| ())
        }
        _ => {
            pay_out(db, rng, order.seller_id, payouts).await;
            Ok(())
        }
    };
}

async fn the_ledger_reconciles_over_random_sequences(db: Db) {
    domain::seed::seed(&db, 40, 11).await.expect("seed");
    // Released at delivery: the random steps pay out what they deliver.
    let rules = Policy {
        hold_days: 0,
        commission_tax_bp: 1900,
        commission_back: 1,
        min_transfer: 0,
        dispute_hold: 0,
    };
    assert!(policy::set(&db, &rules).await.expect("policy"));
    let rows = crate::seller_orders::first_variants(&db).await;
    let stores: Vec<i64> = {
        let mut s: Vec<i64> = rows.iter().map(|r| r.1).collect();
        s.dedup();
        s.into_iter().take(2).collect()
    };
    let variants: Vec<i64> = rows
        .iter()
        .filter(|r| stores.contains(&r.1))
        .take(6)
        .map(|r| r.0)
        .collect();
    for &v in &variants {
        set_units(&db, v, 10_000).await;
    }
    let mut sellers = HashMap::new();
    for &store in &stores {
        sellers.insert(store, actors::seller_of(&db, store).await);
    }
    let payouts = Payouts::new(&db, stores[0], &sellers[&stores[0]]).await;
    let seed = std::env::var("BAZAAR_MONEY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| now_ms() as u64 | 1);
    let steps: usize = std::env::var("BAZAAR_MONEY_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    eprintln!("money invariant: seed {seed}, {steps} steps");
    let mut rng = Rng(seed);
    let started = std::time::Instant::now();
    for n in 0..steps {
        step(&db, &mut rng, &variants, &sellers, &payouts).await;
        reconciles(&db, n).await;
    }
    // Stripe back: whatever waited is finished, and nothing stays claimed.
    stripe_transfers::run(&db, &payouts.stripe.rail(), now_ms())
        .await
        .expect("sweep");
    reconciles(&db, steps).await;
    let waiting = scalar(
        &db,
        "SELECT (SELECT COUNT(*) FROM seller_transfers WHERE status = 'sending') + \
         (SELECT COUNT(*) FROM seller_transfer_reversals WHERE status = 'sending')",
    )
    .await;
    assert_eq!(waiting, 0, "every claim finished once Stripe answers");
    eprintln!(
        "money invariant: {steps} steps held in {:.1} s ({} entries, {} payouts of which {} by Stripe, {} reversals, \
         {} refused moves, {} disputes)",
        started.elapsed().as_secs_f64(),
        scalar(&db, "SELECT COUNT(*) FROM seller_ledger").await,
        scalar(&db, "SELECT COUNT(*) FROM seller_transfers WHERE status = 'sent'").await,
        scalar(
            &db,
            "SELECT COUNT(*) FROM seller_transfers WHERE status = 'sent' AND method = 'stripe'"
        )
        .await,
        scalar(
            &db,
            "SELECT COUNT(*) FROM seller_transfer_reversals WHERE status = 'sent'"
        )
        .await,
        scalar(
            &db,
            "SELECT (SELECT COUNT(*) FROM seller_transfers WHERE status = 'failed') + \
             (SELECT COUNT(*) FROM seller_transfer_reversals WHERE status = 'failed')"
        )
        .await,
        scalar(&db, "SELECT COUNT(*) FROM disputes").await
    );
}

db_tests!(the_ledger_reconciles_over_random_sequences);
