//! Issue 21: each store's append-only ledger — the sale with its commission and the tax on it, refunds and the
//! commission they give back, pending until delivery and the holding days, a payout that covers the available
//! entries once however often it is sent, a store that owes after a late refund — and the statement and its CSV.

use std::sync::Arc;

use domain::money::policy::{self, Policy, DAY_MS};
use domain::money::statement;
use domain::money::transfers::{self, ManualPayout, Recorded};
use domain::orders::refunds::{RefundForm, RefundKind};
use domain::payments::TestGateway;
use domain::platform::clock::now_ms;
use domain::sellers::SellerError;
use domain::workflows::{refund_order, ship_order};
use domain::Db;
use model::money::{EntryKind, StatementFilter};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::key;
use crate::seller_orders::{paid_order, ship_all, store_with_two_variants};

/// (kind, amount) of order `number`'s entries, in the order they were made.
pub(crate) async fn entries_of(db: &Db, number: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT l.kind, l.amount FROM seller_ledger l JOIN orders o ON o.id = l.order_id WHERE o.number = $1 \
         ORDER BY l.seq",
    )
    .bind(number)
    .fetch_all(db.pool())
    .await
    .expect("entries")
}

/// (provider, its reference, amount) of the payment of order group `group`.
pub(crate) async fn payment_of(db: &Db, group: &str) -> (String, String, i64) {
    sqlx::query_as(
        "SELECT p.provider, p.provider_ref, p.amount FROM payments p JOIN order_groups g ON g.id = p.group_id \
         WHERE g.number = $1",
    )
    .bind(group)
    .fetch_one(db.pool())
    .await
    .expect("payment")
}

/// (id, commission, quantity) of order `number`'s lines.
async fn line_commissions(db: &Db, number: &str) -> Vec<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT l.variant_id, l.commission, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE o.number = $1 ORDER BY l.variant_id",
    )
    .bind(number)
    .fetch_all(db.pool())
    .await
    .expect("lines")
}

pub(crate) fn units_form(lines: &[(i64, i64)], reason: &str) -> RefundForm {
    RefundForm {
        key: key(),
        lines: lines.iter().map(|(v, n)| (*v, n.to_string())).collect(),
        reason: reason.into(),
        ..RefundForm::default()
    }
}

async fn a_sale_its_refund_and_a_payout_reconcile_to_the_cent(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 20).await;
    let rules = Policy {
        hold_days: 7,
        commission_tax_bp: 2000,
        commission_back: 1,
        min_transfer: 100,
        dispute_hold: 0,
    };
    assert!(policy::set(&db, &rules).await.expect("policy"));
    let seller = actors::seller_of(&db, store).await;
    let gateway = TestGateway::new(db.clone());
    let (_, number) = paid_order(&db, &[(kettle, 3), (mug, 1)], "Ledger Lee").await;

    // The sale, the commission frozen on its lines, 20 % tax on that commission.
    let (total, commission): (i64, i64) = sqlx::query_as(
        "SELECT o.total, (SELECT CAST(SUM(l.commission) AS BIGINT) FROM order_lines l WHERE l.order_id = o.id) \
         FROM orders o \
         WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_one(db.pool())
    .await
    .expect("order");
    let tax = (commission * 2000 + 5000) / 10_000;
    assert_eq!(
        entries_of(&db, &number).await,
        vec![
            ("sale".to_string(), total),
            ("commission".to_string(), -commission),
            ("commission_tax".to_string(), -tax)
        ]
    );
    let mut conn = db.pool().acquire().await.expect("conn");
    let b = statement::balances(&mut conn, store, now_ms()).await.expect("balances");
    assert_eq!(
        (b.pending.amount, b.available.amount),
        (total - commission - tax, 0),
        "pending until delivered"
    );

    // Shipped and delivered: pending for the holding days, then available.
    ship_order::ship(&db, &seller, &number, &ship_all(&db, &number, "ups", "1Z999").await)
        .await
        .expect("ship");
    ship_order::mark_delivered(&db, &seller, &number)
        .await
        .expect("delivered");
    let b = statement::balances(&mut conn, store, now_ms()).await.expect("balances");
    assert_eq!(b.available.amount, 0);
    let release = b.next_release.expect("a release date");
    assert!((release - now_ms() - 7 * DAY_MS).abs() < 60_000, "delivery plus 7 days");

    // One kettle of three comes back: its third of the line's commission (rounded down) and that share of the tax.
    let refund = refund_order::by_store(
        &db,
        &gateway,
        &seller,
        &number,
        RefundKind::Refund,
        &units_form(&[(kettle, 1)], "damaged"),
    )
    .await
    .expect("refund");
    let refunded: i64 = match refund {
        refund_order::Outcome::Done(done) => done.amount.amount,
        other => panic!("{other:?}"),
    };
    let kettle_commission = line_commissions(&db, &number)
        .await
        .iter()
        .find(|l| l.0 == kettle)
        .expect("line")
        .1;
    let back = kettle_commission / 3;
    let tax_back = tax * back / commission;
    let booked = entries_of(&db, &number).await;
    assert_eq!(
        booked[3..].to_vec(),
        vec![
            ("refund".to_string(), -refunded),
            ("commission_back".to_string(), back),
            ("commission_tax_back".to_string(), tax_back)
        ]
    );
    let net = total - commission - tax - refunded + back + tax_back;

    paid_out_once(&db, store, &number, net).await;

    // The last two kettles come back after the payout: the store owes it, never a silent loss.
    refund_order::by_store(
        &db,
        &gateway,
        &seller,
        &number,
        RefundKind::Refund,
        &units_form(&[(kettle, 2)], "damaged"),
    )
    .await
    .expect("late refund");
    let b = statement::balances(&mut conn, store, now_ms()).await.expect("balances");
    assert!(b.owes(), "{b:?}");
    assert_eq!(b.pending.amount, 0);
    drop(conn);

    the_statement_reads_back(&db, &seller, &number, b.total().amount).await;
}

/// Eight days on the order's money is available; the admin pays it out, once however often the form is sent.
async fn paid_out_once(db: &Db, store: i64, number: &str, net: i64) {
    let (db, number) = (db.clone(), number.to_string());
    let seller = actors::seller_of(&db, store).await;
    let admin = actors::admin(&db).await;
    let mut conn = db.pool().acquire().await.expect("conn");
    let later = now_ms() + 8 * DAY_MS;
    let b = statement::balances(&mut conn, store, later).await.expect("balances");
    assert_eq!((b.pending.amount, b.available.amount), (0, net));
    drop(conn);
    // (Payouts read the real clock: the test moves the order's release instead of the clock.)
    sqlx::query("UPDATE orders SET funds_release_at = $1 WHERE number = $2")
        .bind(now_ms() - 1)
        .bind(&number)
        .execute(db.pool())
        .await
        .expect("released");
    let form_key = key();
    let payout = ManualPayout {
        seller_id: store,
        amount: net,
        reference: "BANK-0001",
        form_key: &form_key,
    };
    assert!(matches!(
        transfers::record_manual(&db, &seller, &payout).await,
        Err(SellerError::Forbidden)
    ));
    let stale = ManualPayout {
        amount: net + 1,
        form_key: "stale",
        ..payout.clone()
    };
    assert!(matches!(
        transfers::record_manual(&db, &admin, &stale).await,
        Err(SellerError::Conflict(_))
    ));
    let (first, second) = tokio::join!(
        transfers::record_manual(&db, &admin, &payout),
        transfers::record_manual(&db, &admin, &payout)
    );
    let outcomes = [first.expect("first"), second.expect("second")];
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Recorded::Paid { entries: 6, .. }))
            .count(),
        1,
        "{outcomes:?}"
    );
    assert!(outcomes.contains(&Recorded::Already));
    let told = crate::seller_orders::mails_to(&db, "Payout of").await;
    assert_eq!(told.len(), 1, "the store is told once: {told:?}");
    assert!(told[0].1.contains("reference BANK-0001"));
    let mut conn = db.pool().acquire().await.expect("conn");
    let b = statement::balances(&mut conn, store, now_ms()).await.expect("balances");
    assert_eq!((b.available.amount, b.paid_out.amount, b.total().amount), (0, net, 0));
}

/// The statement: newest first, each balance the one before plus the entry, the last one the store's balance; by
/// kind; as CSV; nobody else's.
async fn the_statement_reads_back(db: &Db, seller: &domain::Actor, number: &str, balance: i64) {
    let (db, number) = (db.clone(), number.to_string());
    // The statement: newest first, each balance the one before plus the entry, the last one the store's balance.
    let screen = statement::screen(&db, seller, &StatementFilter::default(), None, false)
        .await
        .expect("screen");
    assert_eq!(screen.entries.len(), 10);
    assert_eq!(screen.entries[0].balance.amount, balance);
    for pair in screen.entries.windows(2) {
        assert_eq!(pair[0].balance.amount, pair[1].balance.amount + pair[0].amount.amount);
    }
    assert_eq!(screen.entries[3].kind, EntryKind::Transfer);
    assert_eq!(screen.entries[3].note, "Bank transfer, reference BANK-0001");
    // By days: today's are every entry, none up to yesterday; a page of one kind.
    let (today, yesterday) = (model::format_date(now_ms()), model::format_date(now_ms() - DAY_MS));
    let days = |from: &str, to: &str| StatementFilter {
        from: from.into(),
        to: to.into(),
        ..StatementFilter::default()
    };
    let todays = statement::screen(&db, seller, &days(&today, &today), None, false)
        .await
        .expect("today");
    assert_eq!((todays.entries.len(), todays.totals.len()), (10, 7));
    let before = statement::screen(&db, seller, &days("", &yesterday), None, false)
        .await
        .expect("before");
    assert!(before.entries.is_empty() && before.totals.is_empty());
    let csv = statement::csv(&db, seller, &days(&today, "")).await.expect("csv");
    assert_eq!(csv.iter().filter(|b| **b == b'\n').count(), 11);
    let refunds = StatementFilter {
        kind: "refund".into(),
        ..StatementFilter::default()
    };
    let only = statement::screen(&db, seller, &refunds, None, false)
        .await
        .expect("refunds");
    assert_eq!((only.entries.len(), only.totals.len()), (2, 1));
    // A kind typed wrong: the whole statement, with what is wrong.
    let bonus = StatementFilter {
        kind: "bonus".into(),
        ..StatementFilter::default()
    };
    let unfiltered = statement::screen(&db, seller, &bonus, None, false)
        .await
        .expect("unfiltered");
    assert_eq!((unfiltered.entries.len(), unfiltered.problem.len()), (10, 1));
    assert!(matches!(
        statement::csv(&db, seller, &bonus).await,
        Err(SellerError::Invalid(_))
    ));
    let csv = String::from_utf8(
        statement::csv(&db, seller, &StatementFilter::default())
            .await
            .expect("csv"),
    )
    .expect("utf-8");
    assert_eq!(csv.lines().count(), 11, "{csv}");
    assert!(csv.lines().nth(1).expect("first").contains(&number));
    assert_eq!(
        csv.matches("BANK-0001").count(),
        7,
        "the payout and the 6 entries it covered: {csv}"
    );

    // Another store's seller and a shopper see no statement.
    let (_, shopper) = actors::shopper(&db).await;
    assert!(matches!(
        statement::screen(&db, &shopper, &StatementFilter::default(), None, false).await,
        Err(SellerError::NotFound)
    ));
}

async fn the_ledger_takes_no_update_or_delete(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 5).await;
    let (_, number) = paid_order(&db, &[(kettle, 1)], "Append Only").await;
    assert_eq!(
        entries_of(&db, &number).await.len(),
        2,
        "sale and commission (no tax by default)"
    );
    for sql in [
        "UPDATE seller_ledger SET amount = amount + 1 WHERE seller_id = $1",
        "DELETE FROM seller_ledger WHERE seller_id = $1",
    ] {
        let refused = sqlx::query(sql).bind(store).execute(db.pool()).await;
        let message = refused.expect_err(sql).to_string();
        assert!(message.contains("append-only"), "{message}");
    }
    assert_eq!(entries_of(&db, &number).await.len(), 2);
    // Migrating again keeps the guard (the triggers are made idempotently).
    db.migrate().await.expect("migrate again");
    assert!(sqlx::query("DELETE FROM seller_ledger")
        .execute(db.pool())
        .await
        .is_err());
}

async fn a_refund_sent_twice_at_once_is_booked_once(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 5).await;
    let seller = Arc::new(actors::seller_of(&db, store).await);
    let (_, number) = paid_order(&db, &[(kettle, 2)], "Twice Tess").await;
    let form = units_form(&[(kettle, 1)], "out_of_stock");
    let gateway = Arc::new(TestGateway::new(db.clone()));
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (db, gateway, seller, number, form) = (
                db.clone(),
                gateway.clone(),
                seller.clone(),
                number.clone(),
                form.clone(),
            );
            tokio::spawn(async move {
                refund_order::by_store(&db, &*gateway, &seller, &number, RefundKind::Cancel, &form).await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("refund");
    }
    let kinds: Vec<String> = entries_of(&db, &number).await.into_iter().map(|e| e.0).collect();
    assert_eq!(kinds, ["sale", "commission", "refund", "commission_back"]);
}

async fn the_dashboard_sums_the_stores_days(db: Db) {
    use domain::money::dashboard;
    use model::money::SalesRange;
    let today = || now_ms().div_euclid(DAY_MS);
    let (store, [kettle, mug]) = store_with_two_variants(&db, 20).await;
    let seller = actors::seller_of(&db, store).await;
    let (_, first) = paid_order(&db, &[(kettle, 2)], "Chart Cho").await;
    let (_, second) = paid_order(&db, &[(kettle, 1), (mug, 1)], "Chart Chen").await;
    refund_order::by_store(
        &db,
        &TestGateway::new(db.clone()),
        &seller,
        &first,
        RefundKind::Cancel,
        &units_form(&[(kettle, 1)], "out_of_stock"),
    )
    .await
    .expect("cancel");
    // Ten days ago, in the rollup only: the period before the last 7 days.
    sqlx::query("INSERT INTO seller_daily_sales (seller_id, day, orders, units, revenue) VALUES ($1, $2, 4, 5, 1000)")
        .bind(store)
        .bind(today() - 10)
        .execute(db.pool())
        .await
        .expect("earlier");
    let totals: (i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(total) AS BIGINT), CAST(SUM(refunded) AS BIGINT) FROM orders WHERE number IN ($1, $2)",
    )
    .bind(&first)
    .bind(&second)
    .fetch_one(db.pool())
    .await
    .expect("totals");
    let week = SalesRange {
        range: "7".into(),
        ..SalesRange::default()
    };
    let d = dashboard::screen(&db, &seller, &week).await.expect("dashboard");
    let c = &d.current;
    assert_eq!((c.orders, c.units, c.revenue.amount), (2, 4, totals.0));
    assert_eq!((c.refunds.amount, c.refund_count), (totals.1, 1));
    assert_eq!(c.average_order().expect("orders").amount, totals.0 / 2);
    assert_eq!((d.previous.orders, d.previous.revenue.amount), (4, 1000));
    assert_eq!(d.series.len(), 7);
    assert_eq!(d.series.last().expect("today").orders, 2);
    assert_eq!(d.top.iter().map(|t| t.units).sum::<i64>(), 4);
    assert!(d.top.windows(2).all(|w| w[0].revenue.amount >= w[1].revenue.amount));
    let csv = String::from_utf8(dashboard::csv(&db, &seller, &week, "").await.expect("csv")).expect("utf-8");
    assert_eq!(csv.lines().count(), 9, "header, 7 days, total: {csv}");
    // Every figure against the period before (the rollup's earlier day is in it), and every product.
    let summary = dashboard::csv(&db, &seller, &week, "summary").await.expect("summary");
    let summary = String::from_utf8(summary).expect("utf-8");
    assert!(summary.contains("\nOrders,2,4,-50 %,\n"), "{summary}");
    assert!(summary.contains("\nCancelled after payment,0,0,,\n"), "{summary}");
    let products = dashboard::csv(&db, &seller, &week, "products").await.expect("products");
    let products = String::from_utf8(products).expect("utf-8");
    assert_eq!(
        products.lines().count(),
        3,
        "the header and the two products sold: {products}"
    );
    assert!(matches!(
        dashboard::csv(&db, &seller, &week, "everything").await,
        Err(SellerError::Invalid(_))
    ));

    // Chosen days: today only; checked dates.
    let day = model::format_date(now_ms());
    let chosen = SalesRange {
        from: day.clone(),
        to: day.clone(),
        ..SalesRange::default()
    };
    let d = dashboard::screen(&db, &seller, &chosen).await.expect("today");
    assert_eq!((d.days, d.current.orders, d.previous.orders), (1, 2, 0));
    for (from, to) in [
        ("2026-12-05", "2026-12-01"),
        ("2024-01-01", "2026-01-01"),
        ("yesterday", ""),
    ] {
        let wrong = SalesRange {
            from: from.into(),
            to: to.into(),
            ..SalesRange::default()
        };
        assert!(
            matches!(
                dashboard::screen(&db, &seller, &wrong).await,
                Err(SellerError::Invalid(_))
            ),
            "{from} {to}"
        );
    }
    // Another store's seller sees its own figures; a shopper none.
    let other = actors::seller_of(&db, crate::seller_orders::another_store(&db, store).await).await;
    assert_eq!(
        dashboard::screen(&db, &other, &week)
            .await
            .expect("other")
            .current
            .orders,
        0
    );
    let (_, shopper) = actors::shopper(&db).await;
    assert!(matches!(
        dashboard::screen(&db, &shopper, &week).await,
        Err(SellerError::NotFound)
    ));
}

/// A store's days are its own time zone's: the sale lands on today's date there, on the dashboard and on the
/// statement, and a zone that is not one of the list is refused with what to do.
async fn a_stores_days_are_in_its_time_zone(db: Db) {
    use domain::money::dashboard;
    use domain::platform::zones;
    use domain::sellers::settings;
    use model::money::SalesRange;
    const ZONE: &str = "Pacific/Kiritimati"; // UTC+14: its date is ahead of UTC's for most of each day
    let (store, [kettle, _]) = store_with_two_variants(&db, 5).await;
    let seller = actors::seller_of(&db, store).await;
    let mut profile = settings::settings(&db, &seller, None).await.expect("settings").profile;
    assert_eq!(profile.time_zone, "UTC", "a new store counts in UTC");
    for wrong in ["Mars/Olympus", "", "Pacific/Kiritimati\u{0}", "US/Eastern"] {
        profile.time_zone = wrong.into();
        match settings::update_profile(&db, &seller, &profile).await {
            Err(SellerError::Invalid(errors)) => assert_eq!(errors[0].field, "time_zone", "{wrong:?}"),
            other => panic!("{wrong:?}: {other:?}"),
        }
    }
    profile.time_zone = " pacific/kiritimati ".into();
    settings::update_profile(&db, &seller, &profile).await.expect("saved");
    assert_eq!(
        settings::settings(&db, &seller, None)
            .await
            .expect("settings")
            .profile
            .time_zone,
        ZONE
    );
    let (_, number) = paid_order(&db, &[(kettle, 1)], "Zone Zoe").await;
    let today = zones::date_in(ZONE, now_ms());
    let d = dashboard::screen(&db, &seller, &SalesRange::default())
        .await
        .expect("dashboard");
    assert_eq!(d.time_zone, ZONE);
    let last = d.series.last().expect("days");
    assert_eq!(
        (last.date.as_str(), last.orders),
        (today.as_str(), 1),
        "today is the zone's"
    );
    let chosen = SalesRange {
        from: today.clone(),
        to: today.clone(),
        ..SalesRange::default()
    };
    assert_eq!(
        dashboard::screen(&db, &seller, &chosen)
            .await
            .expect("today")
            .current
            .orders,
        1
    );
    let screen = statement::screen(&db, &seller, &StatementFilter::default(), None, false)
        .await
        .expect("statement");
    assert!(screen.entries.iter().all(|e| e.date == today), "{:?}", screen.entries);
    let today_only = StatementFilter {
        from: today.clone(),
        to: today.clone(),
        ..StatementFilter::default()
    };
    let filtered = statement::screen(&db, &seller, &today_only, None, false)
        .await
        .expect("filtered");
    assert_eq!(filtered.entries.len(), entries_of(&db, &number).await.len());
    let sales: i64 = filtered
        .totals
        .iter()
        .filter(|t| t.kind == EntryKind::Sale)
        .map(|t| t.entries)
        .sum();
    assert_eq!(sales, 1, "the day's totals are the zone's day");

    // The store moves to the other side of the date line (UTC−11): its statement's days are re-counted, so a
    // day's totals are still the sum of that day's lines.
    const FAR_WEST: &str = "Pacific/Pago_Pago";
    profile.time_zone = FAR_WEST.into();
    settings::update_profile(&db, &seller, &profile).await.expect("moved");
    let west_today = zones::date_in(FAR_WEST, now_ms());
    let west = StatementFilter {
        from: west_today.clone(),
        to: west_today,
        ..StatementFilter::default()
    };
    let moved = statement::screen(&db, &seller, &west, None, false)
        .await
        .expect("moved statement");
    let counted: i64 = moved.totals.iter().map(|t| t.entries).sum();
    assert_eq!(counted, moved.entries.len() as i64, "totals are the lines listed");
    assert_eq!(moved.entries.len(), entries_of(&db, &number).await.len());
}

async fn an_admin_adjusts_a_stores_money_with_a_reason(db: Db) {
    use domain::money::adjustments::{self, AdjustmentForm};
    let (store, _) = store_with_two_variants(&db, 5).await;
    let seller = actors::seller_of(&db, store).await;
    let admin = actors::admin(&db).await;
    let credit = AdjustmentForm {
        seller_id: store,
        amount: "12.50",
        reason: "Goodwill for a parcel the carrier lost",
        form_key: "adjust-1",
    };
    assert!(matches!(
        adjustments::record(&db, &seller, &credit).await,
        Err(SellerError::Forbidden)
    ));
    let booked = adjustments::record(&db, &admin, &credit).await.expect("credit");
    assert_eq!(booked.map(|m| m.amount), Some(1250));
    assert_eq!(
        adjustments::record(&db, &admin, &credit).await.expect("again"),
        None,
        "sent twice, booked once"
    );
    let mut conn = db.pool().acquire().await.expect("conn");
    let b = statement::balances(&mut conn, store, now_ms()).await.expect("balances");
    assert_eq!((b.available.amount, b.pending.amount), (1250, 0), "available at once");
    let debit = AdjustmentForm {
        amount: "-20",
        reason: "Label bought through the platform",
        form_key: "adjust-2",
        ..credit.clone()
    };
    adjustments::record(&db, &admin, &debit).await.expect("debit");
    let b = statement::balances(&mut conn, store, now_ms()).await.expect("balances");
    assert!(b.owes() && b.available.amount == -750, "{b:?}");
    drop(conn);
    let nothing = ManualPayout {
        seller_id: store,
        amount: -750,
        reference: "NONE",
        form_key: "payout-none",
    };
    assert!(matches!(
        transfers::record_manual(&db, &admin, &nothing).await,
        Err(SellerError::Conflict(_))
    ));
    for (amount, reason) in [
        ("0", "Nothing at all"),
        ("ten", "A reason"),
        ("10000.01", "Too much"),
        ("5", "x"),
        ("5", "Tab\there"),
    ] {
        let wrong = AdjustmentForm {
            amount,
            reason,
            form_key: "adjust-wrong",
            ..credit.clone()
        };
        assert!(
            matches!(
                adjustments::record(&db, &admin, &wrong).await,
                Err(SellerError::Invalid(_))
            ),
            "{amount} {reason}"
        );
    }
    let elsewhere = AdjustmentForm {
        seller_id: -1,
        form_key: "adjust-3",
        ..credit.clone()
    };
    assert!(matches!(
        adjustments::record(&db, &admin, &elsewhere).await,
        Err(SellerError::NotFound)
    ));
    let screen = statement::screen(&db, &seller, &StatementFilter::default(), None, false)
        .await
        .expect("screen");
    assert_eq!(screen.entries.len(), 2);
    assert_eq!(
        (
            screen.entries[0].kind,
            screen.entries[0].note.as_str(),
            screen.entries[0].balance.amount
        ),
        (EntryKind::Adjustment, "Label bought through the platform", -750)
    );
}

/// A full refund made at the provider's dashboard, with the platform keeping commission on refunds: what never
/// shipped gives its commission back, what shipped does not; the refund is booked once however often it is reported.
async fn a_refund_at_the_provider_gives_back_the_commission_of_what_never_shipped(db: Db) {
    use domain::payments::{EventKind, PaymentEvent};
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let keep = Policy {
        hold_days: 7,
        commission_tax_bp: 0,
        commission_back: 0,
        min_transfer: 100,
        dispute_hold: 0,
    };
    assert!(policy::set(&db, &keep).await.expect("policy"));
    let seller = actors::seller_of(&db, store).await;
    let (group, number) = paid_order(&db, &[(kettle, 2)], "Dashboard Dee").await;
    let mut one = ship_all(&db, &number, "ups", "1Z999").await;
    one.lines[0].1 = "1".into();
    ship_order::ship(&db, &seller, &number, &one).await.expect("ship one");
    let (provider, reference, amount) = payment_of(&db, &group).await;
    for event_id in ["evt-dashboard-1", "evt-dashboard-2"] {
        let event = PaymentEvent {
            provider: provider.clone(),
            event_id: event_id.into(),
            provider_ref: reference.clone(),
            provider_payment: None,
            kind: EventKind::Refunded(amount),
        };
        domain::workflows::settle_payment::apply_event(&db, &event)
            .await
            .expect("refunded");
    }
    let commission = line_commissions(&db, &number).await[0].1;
    let booked = entries_of(&db, &number).await;
    let total: i64 = booked.iter().find(|e| e.0 == "sale").expect("sale").1;
    assert_eq!(
        booked[2..].to_vec(),
        vec![
            ("refund".to_string(), -total),
            ("commission_back".to_string(), commission / 2)
        ],
        "one refund; the unshipped kettle's commission back"
    );
}

db_tests!(
    a_stores_days_are_in_its_time_zone,
    a_refund_at_the_provider_gives_back_the_commission_of_what_never_shipped,
    an_admin_adjusts_a_stores_money_with_a_reason,
    the_dashboard_sums_the_stores_days,
    a_sale_its_refund_and_a_payout_reconcile_to_the_cent,
    the_ledger_takes_no_update_or_delete,
    a_refund_sent_twice_at_once_is_booked_once,
);
