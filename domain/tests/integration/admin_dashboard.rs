//! The admin dashboard's figures and the metric rules it shares with a store's: a checkout counts once however many
//! stores it bought from, GMV is what shoppers paid, days are the platform's time zone's, a refund restates the day
//! of its sale (on both dashboards), two currencies are never summed, and no change is shown without a base. Admins
//! only. Both databases.

use domain::admin::{dashboard, AdminError};
use domain::cart;
use domain::money::policy::DAY_MS;
use domain::orders::refunds::RefundKind;
use domain::payments::TestGateway;
use domain::platform::clock::now_ms;
use domain::platform::zones;
use domain::workflows::refund_order;
use domain::Db;
use model::admin_dashboard::PlatformDashboard;
use model::money::{change_percent, SalesRange};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{draft, key, place, session_of, set_units};
use crate::money_ledger::units_form;
use crate::seller_orders::{paid_order, store_with_two_variants};

fn days(range: &str) -> SalesRange {
    SalesRange {
        range: range.into(),
        ..SalesRange::default()
    }
}

async fn board(db: &Db, range: &SalesRange, zone: &str) -> PlatformDashboard {
    let admin = actors::admin(db).await;
    dashboard::screen(db, &admin, range, zone).await.expect("dashboard")
}

/// The first variant of a store other than `store`, with `units` in stock.
pub(crate) async fn variant_elsewhere(db: &Db, store: i64, units: i64) -> i64 {
    let variant: i64 = sqlx::query_scalar(
        "SELECT MIN(v.id) FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE p.seller_id <> $1 AND p.status = 'active'",
    )
    .bind(store)
    .fetch_one(db.pool())
    .await
    .expect("variant");
    set_units(db, variant, units).await;
    variant
}

/// What the shoppers of groups `numbers` paid in all.
async fn paid_for(db: &Db, numbers: &[&str]) -> i64 {
    let mut paid = 0;
    for number in numbers {
        let total: i64 = sqlx::query_scalar("SELECT grand_total FROM order_groups WHERE number = $1")
            .bind(number)
            .fetch_one(db.pool())
            .await
            .expect("group");
        paid += total;
    }
    paid
}

/// Store order `number`'s seller cancels one unit of `variant` (refunded at once).
pub(crate) async fn cancel_one(db: &Db, seller: &domain::Actor, number: &str, variant: i64) {
    let gateway = TestGateway::new(db.clone());
    let form = units_form(&[(variant, 1)], "out_of_stock");
    refund_order::by_store(db, &gateway, seller, number, RefundKind::Cancel, &form)
        .await
        .expect("cancel");
}

/// The number of store `store`'s order in checkout `group`.
pub(crate) async fn store_order_of(db: &Db, group: &str, store: i64) -> String {
    sqlx::query_scalar(
        "SELECT o.number FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE g.number = $1 AND o.seller_id = $2",
    )
    .bind(group)
    .bind(store)
    .fetch_one(db.pool())
    .await
    .expect("the store's order")
}

pub(crate) async fn refunded(db: &Db, number: &str) -> i64 {
    sqlx::query_scalar("SELECT refunded FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(db.pool())
        .await
        .expect("order")
}

async fn checkouts_gmv_and_refunds_are_counted_once(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 20).await;
    let other = variant_elsewhere(&db, store, 20).await;
    let month = days("30");
    let before = board(&db, &month, "UTC").await;
    assert_eq!(before.sales.len(), 1, "the shop's own currency, as zeros");
    assert_eq!(
        (before.sales[0].current.orders, before.sales[0].current.gmv.amount),
        (0, 0)
    );

    // One checkout from two stores is one order; its GMV is what the shopper paid.
    let (both, _) = paid_order(&db, &[(kettle, 2), (other, 1)], "Dash Ada").await;
    let (single, _) = paid_order(&db, &[(mug, 1)], "Dash Bo").await;
    let number = store_order_of(&db, &both, store).await;
    let seller = actors::seller_of(&db, store).await;
    cancel_one(&db, &seller, &number, kettle).await;
    let gmv = paid_for(&db, &[&both, &single]).await;
    let d = board(&db, &month, "UTC").await;
    let s = &d.sales[0];
    assert_eq!((s.current.orders, s.current.gmv.amount), (2, gmv));
    assert_eq!(
        (s.current.refunds.amount, s.current.refund_count),
        (refunded(&db, &number).await, 1)
    );
    assert_eq!(s.current.average_order().expect("orders").amount, gmv / 2);
    assert_eq!(s.days.len(), 30);
    let today = s.days.last().expect("today");
    assert_eq!(
        (today.date.clone(), today.orders, today.gmv.amount),
        (model::format_date(now_ms()), 2, gmv)
    );
    // Nothing before: no growth figure (no change without a base).
    assert_eq!(s.previous.orders, 0);
    assert_eq!(change_percent(s.current.gmv.amount, s.previous.gmv.amount), None);
    assert_eq!(d.new_stores.now, before.new_stores.now, "no store opened");
    assert!(d.new_accounts.now >= 1, "the seller's account is new");

    // Today only, and the CSV: a line per day and the total.
    let today_only = board(&db, &days("1"), "UTC").await;
    assert_eq!((today_only.days, today_only.label.as_str()), (1, "today"));
    assert_eq!(today_only.sales[0].current.orders, 2);
    let admin = actors::admin(&db).await;
    let csv = dashboard::csv(&db, &admin, &month, "UTC").await.expect("csv");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert_eq!(csv.lines().count(), 32, "header, 30 days, total: {csv}");
    assert!(csv.lines().last().expect("total").starts_with("Total,2,"), "{csv}");

    // Dates are checked; only admins see it.
    for (from, to) in [("2026-12-05", "2026-12-01"), ("2024-01-01", "2026-01-01"), ("soon", "")] {
        let wrong = SalesRange {
            from: from.into(),
            to: to.into(),
            ..SalesRange::default()
        };
        assert!(
            matches!(
                dashboard::screen(&db, &admin, &wrong, "UTC").await,
                Err(AdminError::Invalid(_))
            ),
            "{from} {to}"
        );
    }
    let (_, shopper) = actors::shopper(&db).await;
    for actor in [&seller, &shopper] {
        assert!(matches!(
            dashboard::screen(&db, actor, &month, "UTC").await,
            Err(AdminError::Forbidden)
        ));
        assert!(matches!(
            dashboard::csv(&db, actor, &month, "UTC").await,
            Err(AdminError::Forbidden)
        ));
    }
}

/// The sale lands on today's date in the platform's zone, whichever zone is named (the rollup keeps quarter hours,
/// so naming another zone restates nothing).
async fn days_are_the_platforms_time_zones(db: Db) {
    let (_, [kettle, _]) = store_with_two_variants(&db, 5).await;
    paid_order(&db, &[(kettle, 1)], "Zone Zia").await;
    for zone in ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"] {
        let d = board(&db, &days("7"), zone).await;
        let today = d.sales[0].days.last().expect("today");
        assert_eq!(d.time_zone, zone);
        assert_eq!(
            (today.date.clone(), today.orders),
            (zones::date_in(zone, now_ms()), 1),
            "{zone}"
        );
        let chosen = SalesRange {
            from: today.date.clone(),
            to: today.date.clone(),
            ..SalesRange::default()
        };
        assert_eq!(board(&db, &chosen, zone).await.sales[0].current.orders, 1, "{zone}");
    }
}

/// A day the clocks change is summed on its own: Berlin's 2026-10-25 has 25 hours (summer time ends), so its last
/// quarter hour (23:45 local, 22:45 UTC) is still the 25th there, while in UTC the same moments fall otherwise.
async fn a_day_the_clocks_change_keeps_its_own_sales(db: Db) {
    const QUARTER: i64 = 900_000;
    const HOUR: i64 = 3_600_000;
    // Midnight of the 25th in Berlin (UTC+2 until 03:00 that night): 22:00 UTC on the 24th.
    let midnight = model::parse_date("2026-10-24").expect("date") + 22 * HOUR;
    let sales = [
        (midnight - QUARTER, 100),
        (midnight, 200),
        (midnight + 25 * HOUR - QUARTER, 400),
        (midnight + 25 * HOUR, 800),
    ];
    for (at, gmv) in sales {
        sqlx::query("INSERT INTO platform_sales (quarter, currency, shard, orders, gmv) VALUES ($1, $2, 0, 1, $3)")
            .bind(at / QUARTER)
            .bind(domain::catalog::editor::CURRENCY)
            .bind(gmv)
            .execute(db.pool())
            .await
            .expect("rollup row");
    }
    let days = SalesRange {
        from: "2026-10-24".into(),
        to: "2026-10-26".into(),
        ..SalesRange::default()
    };
    for (zone, expected) in [("Europe/Berlin", [100, 600, 800]), ("UTC", [300, 1200, 0])] {
        let d = board(&db, &days, zone).await;
        let gmv: Vec<i64> = d.sales[0].days.iter().map(|day| day.gmv.amount).collect();
        assert_eq!(gmv, expected, "{zone}");
        assert_eq!(
            d.sales[0].current.orders, 4,
            "{zone}: every sale is within the three days"
        );
    }
}

/// A refund made today of a sale booked three days ago counts on the sale's day, on the marketplace's dashboard and
/// on the store's.
async fn a_refund_restates_the_day_of_its_sale(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 5).await;
    let (_, number) = paid_order(&db, &[(kettle, 2)], "Late Lu").await;
    let sold_at = now_ms() - 3 * DAY_MS;
    // The sale as if it had been booked three days ago (its rollups stay on today: only the refund is looked at).
    // The ledger takes no UPDATE: its trigger is set aside for this one and made again by `migrate`.
    let set_aside = match db.backend() {
        domain::Backend::Sqlite => "DROP TRIGGER seller_ledger_no_update",
        domain::Backend::Postgres => "DROP TRIGGER seller_ledger_append_only ON seller_ledger",
    };
    sqlx::query(set_aside).execute(db.pool()).await.expect("set aside");
    sqlx::query(
        "UPDATE seller_ledger SET created_at = $1 WHERE kind = 'sale' \
         AND order_id = (SELECT id FROM orders WHERE number = $2)",
    )
    .bind(sold_at)
    .bind(&number)
    .execute(db.pool())
    .await
    .expect("backdate");
    db.migrate().await.expect("the trigger again");
    let seller = actors::seller_of(&db, store).await;
    cancel_one(&db, &seller, &number, kettle).await;
    let amount = refunded(&db, &number).await;
    assert!(amount > 0);
    let sale_day = model::format_date(sold_at);
    let d = board(&db, &days("7"), "UTC").await;
    let refunds: Vec<(String, i64)> = d.sales[0]
        .days
        .iter()
        .filter(|day| day.refunds.amount != 0)
        .map(|day| (day.date.clone(), day.refunds.amount))
        .collect();
    assert_eq!(refunds, [(sale_day.clone(), amount)]);
    let store_board = domain::money::dashboard::screen(&db, &seller, &days("7"))
        .await
        .expect("store");
    let refunds: Vec<(String, i64)> = store_board
        .series
        .iter()
        .filter(|day| day.refunds.amount != 0)
        .map(|day| (day.date.clone(), day.refunds.amount))
        .collect();
    assert_eq!(refunds, [(sale_day, amount)]);
}

/// A checkout paid in another currency has figures of its own: nothing of it is added to the shop's currency.
async fn two_currencies_are_never_summed(db: Db) {
    let (_, [kettle, mug]) = store_with_two_variants(&db, 5).await;
    let (ours, _) = paid_order(&db, &[(kettle, 1)], "Own Olu").await;
    // A checkout priced in another currency: placed, its currency changed before the payment, then paid.
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, mug, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let placed = place(&db, &gateway, &domain::Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    for table in ["order_groups", "payments"] {
        let id_column = if table == "payments" { "group_id" } else { "id" };
        sqlx::query(&format!(
            "UPDATE {table} SET currency = 'JPY' WHERE {id_column} = \
             (SELECT id FROM order_groups WHERE number = $1)"
        ))
        .bind(&placed.number)
        .execute(db.pool())
        .await
        .expect("currency");
    }
    let event = gateway
        .pay(&session_of(&placed.redirect_url), domain::payments::TEST_CARD_SUCCESS)
        .await
        .expect("pay")
        .expect("event");
    domain::workflows::settle_payment::apply_event(&db, &event)
        .await
        .expect("paid");
    let d = board(&db, &days("7"), "UTC").await;
    let found: Vec<(String, i64, i64)> = d
        .sales
        .iter()
        .map(|s| (s.currency.clone(), s.current.orders, s.current.gmv.amount))
        .collect();
    let shop = domain::catalog::editor::CURRENCY.to_string();
    assert_eq!(
        found,
        [
            (shop, 1, paid_for(&db, &[&ours]).await),
            ("JPY".to_string(), 1, paid_for(&db, &[&placed.number]).await)
        ],
        "the shop's currency first, each on its own"
    );
}

db_tests!(
    checkouts_gmv_and_refunds_are_counted_once,
    days_are_the_platforms_time_zones,
    a_refund_restates_the_day_of_its_sale,
    a_day_the_clocks_change_keeps_its_own_sales,
    two_currencies_are_never_summed,
);
