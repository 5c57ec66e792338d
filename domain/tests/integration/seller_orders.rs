//! Issue 20: a store works its orders — told of each paid one, lists and reads them (never the shopper's email),
//! ships them in parts with tracking, marks them delivered; every change safe under double clicks and races.

use std::sync::Arc;

use domain::orders::fulfilment::Shipped;
use domain::orders::{self, portal, slips, OrderError};
use domain::payments::TestGateway;
use domain::workflows::cancel_order;
use domain::workflows::ship_order::{self, ShipForm};
use domain::{cart, Actor, Db};
use model::seller_orders::{OrderFilter, OrderTab};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{count, draft, key, placed_and_paid, set_units};

/// The list's filter of a tab and a search, placed on any day.
pub(crate) fn filter(tab: OrderTab, q: &str) -> OrderFilter {
    OrderFilter {
        tab,
        q: q.into(),
        from: String::new(),
        to: String::new(),
    }
}

/// The first variant of each active product, with its store: (variant, store), by store and product.
pub(crate) async fn first_variants(db: &Db) -> Vec<(i64, i64)> {
    sqlx::query_as(
        "SELECT MIN(v.id), p.seller_id FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE p.status = 'active' GROUP BY p.id, p.seller_id ORDER BY p.seller_id, p.id",
    )
    .fetch_all(db.pool())
    .await
    .expect("variants")
}

/// A store with two in-stock variants (of two products), each with `units`: (store, variants).
pub(crate) async fn store_with_two_variants(db: &Db, units: i64) -> (i64, [i64; 2]) {
    domain::seed::seed(db, 40, 11).await.expect("seed");
    let rows = first_variants(db).await;
    let (first, store) = rows[0];
    let second = rows
        .iter()
        .find(|r| r.1 == store && r.0 != first)
        .expect("two products")
        .0;
    for variant in [first, second] {
        set_units(db, variant, units).await;
    }
    (store, [first, second])
}

/// A paid checkout by a guest named `name` of `lines` (variant, units): the group's number and the store's order
/// number (the first seller order).
pub(crate) async fn paid_order(db: &Db, lines: &[(i64, i64)], name: &str) -> (String, String) {
    let gateway = TestGateway::new(db.clone());
    let cart_id = cart::create_guest_cart(db).await.expect("cart");
    for &(variant, units) in lines {
        cart::add(db, cart_id, variant, units).await.expect("add");
    }
    let mut details = draft(db, cart_id, "US").await;
    details.name = name.to_string();
    let placed = placed_and_paid(db, &gateway, cart_id, &details).await;
    let number: String = sqlx::query_scalar(
        "SELECT o.number FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE g.number = $1 ORDER BY o.number",
    )
    .bind(&placed.number)
    .fetch_one(db.pool())
    .await
    .expect("order");
    (placed.number, number)
}

/// A store other than `store`.
pub(crate) async fn another_store(db: &Db, store: i64) -> i64 {
    sqlx::query_scalar("SELECT id FROM sellers WHERE id <> $1 ORDER BY id LIMIT 1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("other store")
}

/// A form shipping every unit left of order `number`.
pub(crate) async fn ship_all(db: &Db, number: &str, carrier: &str, tracking: &str) -> ShipForm {
    let lines: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT l.variant_id, l.quantity - l.shipped - l.cancelled FROM order_lines l \
         JOIN orders o ON o.id = l.order_id WHERE o.number = $1",
    )
    .bind(number)
    .fetch_all(db.pool())
    .await
    .expect("lines");
    ShipForm {
        key: key(),
        carrier: carrier.into(),
        tracking_number: tracking.into(),
        lines: lines.into_iter().map(|(v, n)| (v, n.to_string())).collect(),
    }
}

fn form(variant_units: &[(i64, i64)], tracking: &str) -> ShipForm {
    ShipForm {
        key: key(),
        carrier: "ups".into(),
        tracking_number: tracking.into(),
        lines: variant_units.iter().map(|(v, n)| (*v, n.to_string())).collect(),
    }
}

pub(crate) async fn mails_to(db: &Db, subject_part: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT to_addr, body FROM mail_outbox WHERE subject LIKE $1 ORDER BY id")
        .bind(format!("%{subject_part}%"))
        .fetch_all(db.pool())
        .await
        .expect("mail")
}

async fn a_store_ships_in_parts_and_the_shopper_follows_every_parcel(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 10).await;
    let seller = actors::seller_of(&db, store).await;
    let (group, number) = paid_order(&db, &[(kettle, 2), (mug, 1)], "Ada Lovelace").await;

    // The store is told, once, with the ship-by date.
    let told = mails_to(&db, &format!("New order {number}")).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].1.contains("3 items, ship by "), "{}", told[0].1);
    let page = portal::page(&db, &seller, &filter(OrderTab::ToShip, ""), "")
        .await
        .expect("page");
    assert_eq!((page.to_ship, page.rows[0].number.as_str()), (1, number.as_str()));
    assert_eq!(page.rows[0].customer, "Ada Lovelace");
    assert!(page.rows[0].ship_by.is_some());

    // The seller's page never carries the shopper's email.
    let detail = portal::detail(&db, &seller, &number).await.expect("detail");
    assert!(detail.shippable && !detail.deliverable);
    let shown = format!("{detail:?}");
    assert!(!shown.contains("buyer@example.com"), "{shown}");
    assert_eq!(detail.phone, "+1 555 010 0199", "the phone given for the carrier");

    // A first parcel: one kettle.
    let first = form(&[(kettle, 1)], "1z 999 aa1 0123456784");
    let shipped = ship_order::ship(&db, &seller, &number, &first).await.expect("ship");
    assert!(matches!(shipped, Shipped::Recorded { complete: false, .. }));
    // The same form again (a double click) changes nothing.
    assert_eq!(
        ship_order::ship(&db, &seller, &number, &first).await.expect("again"),
        Shipped::AlreadyRecorded
    );
    // More kettles than are left: refused with what is left, and nothing changes.
    match ship_order::ship(&db, &seller, &number, &form(&[(kettle, 2), (mug, 1)], "X1")).await {
        Err(OrderError::NotAllowed(m)) => assert!(m.contains("Only 1 unit"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Part of it left: it can no longer be cancelled whole (that would refund and restock what shipped).
    let admin = actors::admin(&db).await;
    match cancel_order::cancel(&db, &TestGateway::new(db.clone()), &admin, &group, &number, None).await {
        Err(OrderError::NotAllowed(m)) => assert!(m.contains("part of it has shipped"), "{m}"),
        other => panic!("{other:?}"),
    }
    let view = orders::group_view(&db, &group, &admin, None).await.expect("view");
    assert!(!view.orders[0].cancellable);
    assert_eq!(view.status_label, "Partially shipped");
    let order = &view.orders[0];
    assert_eq!(order.status_label, "Partially shipped");
    assert_eq!(order.shipments.len(), 1);
    assert_eq!(order.shipments[0].tracking_number, "1Z 999 AA1 0123456784");
    assert_eq!(
        order.shipments[0].tracking_url.as_deref(),
        Some("https://www.ups.com/track?tracknum=1Z999AA10123456784")
    );
    let partial = portal::page(&db, &seller, &filter(OrderTab::PartiallyShipped, ""), "")
        .await
        .expect("page");
    assert_eq!(partial.rows.len(), 1);
    let mails = mails_to(&db, &format!("{number} has partly shipped")).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "buyer@example.com");
    assert!(mails[0].1.contains("ups.com/track"), "{}", mails[0].1);

    // The rest, then delivered.
    let rest = ship_all(&db, &number, "dhl", "JD014600006281").await;
    assert!(matches!(
        ship_order::ship(&db, &seller, &number, &rest).await.expect("rest"),
        Shipped::Recorded { complete: true, .. }
    ));
    // That form again, once the order has shipped: still "already recorded", not an error.
    assert_eq!(
        ship_order::ship(&db, &seller, &number, &rest).await.expect("again"),
        Shipped::AlreadyRecorded
    );
    assert_eq!(mails_to(&db, &format!("{number} has shipped")).await.len(), 1);
    assert!(portal::page(&db, &seller, &filter(OrderTab::ToShip, ""), "")
        .await
        .expect("page")
        .rows
        .is_empty());
    ship_order::mark_delivered(&db, &seller, &number)
        .await
        .expect("delivered");
    assert!(ship_order::mark_delivered(&db, &seller, &number).await.is_err(), "once");
    let detail = portal::detail(&db, &seller, &number).await.expect("detail");
    assert_eq!(detail.status_label, "Delivered");
    assert_eq!(detail.shipments.len(), 2);
    let labels: Vec<&str> = detail.timeline.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Awaiting payment", "Paid", "Partially shipped", "Shipped", "Delivered"],
        "{:?}",
        detail.timeline
    );
}

async fn another_store_a_shopper_and_bad_forms_change_nothing(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, number) = paid_order(&db, &[(kettle, 1)], "Grace Hopper").await;
    let other = another_store(&db, store).await;
    let outsider = actors::seller_of(&db, other).await;
    let (_, shopper) = actors::shopper(&db).await;
    for actor in [&outsider, &shopper, &Actor::visitor()] {
        assert!(matches!(
            portal::detail(&db, actor, &number).await,
            Err(OrderError::NotFound)
        ));
        assert!(matches!(
            ship_order::ship(&db, actor, &number, &ship_all(&db, &number, "ups", "1Z1").await).await,
            Err(OrderError::NotFound)
        ));
        assert!(matches!(
            ship_order::mark_delivered(&db, actor, &number).await,
            Err(OrderError::NotFound)
        ));
    }
    let theirs = portal::page(&db, &outsider, &filter(OrderTab::All, ""), "")
        .await
        .expect("page");
    assert!(theirs.rows.iter().all(|r| r.number != number));
    assert!(portal::page(&db, &shopper, &filter(OrderTab::All, ""), "")
        .await
        .is_err());
    // Hostile fields: a carrier not on the list, markup or NUL in the tracking number, negative units.
    let seller = actors::seller_of(&db, store).await;
    for (carrier, tracking, units) in [
        ("pigeon", "1Z", "1"),
        ("ups", "<b>1Z</b>", "1"),
        ("ups", "1Z\0", "1"),
        ("ups", "1Z", "-1"),
    ] {
        let bad = ShipForm {
            key: key(),
            carrier: carrier.into(),
            tracking_number: tracking.into(),
            lines: vec![(kettle, units.into())],
        };
        assert!(matches!(
            ship_order::ship(&db, &seller, &number, &bad).await,
            Err(OrderError::Invalid(_))
        ));
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM shipments").await, 0);
    // A checkout never paid is not the store's business: not found, not listed.
    let cart_id = cart::create_guest_cart(&db).await.expect("cart");
    cart::add(&db, cart_id, kettle, 1).await.expect("add");
    let details = draft(&db, cart_id, "US").await;
    let gateway = TestGateway::new(db.clone());
    let unpaid = crate::harness::fixtures::place(&db, &gateway, &Actor::visitor(), cart_id, &details, &key())
        .await
        .expect("placed");
    let (unpaid, status): (String, String) = sqlx::query_as(
        "SELECT o.number, o.status FROM orders o JOIN order_groups g ON g.id = o.group_id WHERE g.number = $1",
    )
    .bind(&unpaid.number)
    .fetch_one(db.pool())
    .await
    .expect("the unpaid order");
    assert_eq!(status, "pending_payment");
    assert!(matches!(
        portal::detail(&db, &seller, &unpaid).await,
        Err(OrderError::NotFound)
    ));
    let listed = portal::page(&db, &seller, &filter(OrderTab::All, ""), "")
        .await
        .expect("page");
    assert!(listed.rows.iter().all(|r| r.number != unpaid));
    // Search: by a part of the number, by the customer's name in any case; a LIKE wildcard is only a character.
    let tail = &number[number.len() - 4..];
    for q in [tail, "grace", "HOPPER"] {
        let found = portal::page(&db, &seller, &filter(OrderTab::All, q), "")
            .await
            .expect("search");
        assert_eq!(found.rows.len(), 1, "{q}");
    }
    for q in ["%", "_", "nobody"] {
        assert!(
            portal::page(&db, &seller, &filter(OrderTab::All, q), "")
                .await
                .expect("search")
                .rows
                .is_empty(),
            "{q}"
        );
    }
    // Dates: both ends are whole days and included; a day that is not one narrows nothing.
    let day = |offset: i64| model::format_date(domain::platform::clock::now_ms() + offset * 86_400_000);
    for (from, to, found) in [
        (day(0), day(0), 1),
        (day(-3), String::new(), 1),
        (String::new(), day(-1), 0),
        (day(1), String::new(), 0),
        ("2026-99-01".to_string(), "yesterday".to_string(), 1),
    ] {
        let dated = OrderFilter {
            from: from.clone(),
            to: to.clone(),
            ..filter(OrderTab::All, "grace")
        };
        let rows = portal::page(&db, &seller, &dated, "").await.expect("dated").rows;
        assert_eq!(rows.len(), found, "{from}..{to}");
    }
}

async fn racing_shipments_of_the_last_unit_ship_it_once(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, number) = paid_order(&db, &[(kettle, 1)], "Katherine Johnson").await;
    let seller = actors::seller_of(&db, store).await;
    // Ten tabs, each its own form.
    let forms: Vec<ShipForm> = (0..10).map(|i| form(&[(kettle, 1)], &format!("T{i}"))).collect();
    let db = Arc::new(db);
    let tasks: Vec<_> = forms
        .into_iter()
        .map(|f| {
            let (db, number) = (db.clone(), number.clone());
            tokio::spawn(async move { ship_order::ship(&db, &seller, &number, &f).await })
        })
        .collect();
    let mut recorded = 0;
    for task in tasks {
        if task.await.expect("task").is_ok() {
            recorded += 1;
        }
    }
    assert_eq!(recorded, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM shipments").await, 1);
    assert_eq!(count(&db, "SELECT MAX(shipped) FROM order_lines").await, 1);
    // One form sent ten times at once: one shipment.
    let (_, second) = paid_order(&db, &[(kettle, 2)], "Dorothy Vaughan").await;
    let same = form(&[(kettle, 1)], "SAME1");
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (db, number, f) = (db.clone(), second.clone(), same.clone());
            tokio::spawn(async move { ship_order::ship(&db, &seller, &number, &f).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("task").expect("ship"));
    }
    let firsts = outcomes
        .iter()
        .filter(|o| matches!(o, Shipped::Recorded { .. }))
        .count();
    assert_eq!(firsts, 1, "{outcomes:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM shipments").await, 2);
}

async fn the_order_list_pages_by_keyset(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 100).await;
    for i in 0..53 {
        paid_order(&db, &[(kettle, 1)], &format!("Shopper {i}")).await;
    }
    let seller = actors::seller_of(&db, store).await;
    let first = portal::page(&db, &seller, &filter(OrderTab::ToShip, ""), "")
        .await
        .expect("page");
    assert_eq!((first.rows.len(), first.to_ship), (50, 53));
    let after = first.next.clone().expect("a next page");
    let second = portal::page(&db, &seller, &filter(OrderTab::ToShip, ""), &after)
        .await
        .expect("page");
    assert_eq!(second.rows.len(), 3);
    assert!(second.next.is_none());
    let mut all: Vec<String> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|r| r.number.clone())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 53, "every order once");
}

async fn packing_slips_print_the_stores_own_orders_only(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 10).await;
    let (_, first) = paid_order(&db, &[(kettle, 2)], "Mary Jackson").await;
    let (_, second) = paid_order(&db, &[(kettle, 1), (mug, 1)], "Annie Easley").await;
    let seller = actors::seller_of(&db, store).await;
    // The same number twice prints once.
    let numbers = [first.clone(), second.clone(), first.clone()];
    let printed = slips::slips(&db, &seller, &numbers).await.expect("slips");
    assert_eq!(printed.len(), 2);
    assert_eq!(printed[1].order.customer, "Annie Easley");
    assert!(printed
        .iter()
        .all(|s| s.barcode_svg.starts_with("<svg") && s.barcode_svg.contains("<rect")));
    assert!(
        !format!("{printed:?}").contains("buyer@example.com"),
        "never the shopper's email"
    );
    // Another store, or one foreign number among the store's own: not found, as the order pages are.
    let other = another_store(&db, store).await;
    let outsider = actors::seller_of(&db, other).await;
    assert!(matches!(
        slips::slips(&db, &outsider, std::slice::from_ref(&first)).await,
        Err(OrderError::NotFound)
    ));
    assert!(matches!(
        slips::slips(&db, &seller, &[first.clone(), "BZ-NOPE-1".into()]).await,
        Err(OrderError::NotFound)
    ));
    assert!(matches!(
        slips::slips(&db, &seller, &[String::new()]).await,
        Err(OrderError::NotAllowed(_))
    ));
    let too_many: Vec<String> = (0..=slips::SLIPS_MAX).map(|i| format!("BZ-X{i}")).collect();
    assert!(matches!(
        slips::slips(&db, &seller, &too_many).await,
        Err(OrderError::NotAllowed(_))
    ));
}

async fn the_shopper_confirms_a_shipped_order_arrived(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (group, number) = paid_order(&db, &[(kettle, 1)], "Hedy Lamarr").await;
    let token: String = sqlx::query_scalar("SELECT view_token FROM order_groups WHERE number = $1")
        .bind(&group)
        .fetch_one(db.pool())
        .await
        .expect("token");
    let guest = Actor::visitor();
    // Not shipped yet: refused.
    assert!(matches!(
        ship_order::confirm_received(&db, &guest, &group, &number, Some(&token)).await,
        Err(OrderError::NotAllowed(_))
    ));
    let seller = actors::seller_of(&db, store).await;
    ship_order::ship(
        &db,
        &seller,
        &number,
        &ship_all(&db, &number, "usps", "9400 1000 0000 0000 0000 00").await,
    )
    .await
    .expect("shipped");
    let view = orders::group_view(&db, &group, &guest, Some(&token))
        .await
        .expect("view");
    assert!(view.orders[0].receivable);
    assert!(view.orders[0].shipments[0]
        .tracking_url
        .as_deref()
        .is_some_and(|u| u.contains("usps.com")));
    // Without the link's secret, or another shopper: not found, and nothing changes.
    let (_, stranger) = actors::shopper(&db).await;
    for (actor, secret) in [(&guest, None), (&guest, Some("wrong")), (&stranger, None)] {
        assert!(matches!(
            ship_order::confirm_received(&db, actor, &group, &number, secret).await,
            Err(OrderError::NotFound)
        ));
    }
    ship_order::confirm_received(&db, &guest, &group, &number, Some(&token))
        .await
        .expect("received");
    assert!(
        ship_order::confirm_received(&db, &guest, &group, &number, Some(&token))
            .await
            .is_err(),
        "once"
    );
    let detail = portal::detail(&db, &seller, &number).await.expect("detail");
    assert_eq!(detail.status_label, "Delivered");
    assert!(detail
        .timeline
        .iter()
        .any(|e| e.note == "Receipt confirmed by the shopper"));
}

async fn late_shipments_are_counted_per_store(db: Db) {
    let (store, [kettle, mug]) = store_with_two_variants(&db, 10).await;
    let seller = actors::seller_of(&db, store).await;
    let (_, late) = paid_order(&db, &[(kettle, 1)], "Late Larry").await;
    let (_, on_time) = paid_order(&db, &[(mug, 1)], "Prompt Pat").await;
    // Due in a few days: not counted yet.
    paid_order(&db, &[(mug, 1)], "Patient Pam").await;
    let day = 86_400_000;
    let now = domain::platform::clock::now_ms();
    for (number, ship_by) in [(&late, now - 2 * day), (&on_time, now + day)] {
        sqlx::query("UPDATE orders SET ship_by = $1 WHERE number = $2")
            .bind(ship_by)
            .bind(number)
            .execute(db.pool())
            .await
            .expect("ship by");
    }
    let record = portal::shipping_record(&db, &seller).await.expect("record");
    assert_eq!((record.due, record.late, record.late_now), (1, 1, 1), "{record:?}");
    // Shipped after its date: still late, no longer late now; one shipped on time and due: on time.
    ship_order::ship(&db, &seller, &late, &ship_all(&db, &late, "ups", "1Z1").await)
        .await
        .expect("ship late");
    ship_order::ship(&db, &seller, &on_time, &ship_all(&db, &on_time, "ups", "1Z2").await)
        .await
        .expect("ship on time");
    // Make the on-time parcel an old one, due yesterday and gone the day before.
    sqlx::query("UPDATE orders SET ship_by = $1 WHERE number = $2")
        .bind(now - day)
        .bind(&on_time)
        .execute(db.pool())
        .await
        .expect("now due");
    sqlx::query("UPDATE orders SET last_shipped_at = $1 WHERE number = $2")
        .bind(now - 2 * day)
        .bind(&on_time)
        .execute(db.pool())
        .await
        .expect("left earlier");
    let record = portal::shipping_record(&db, &seller).await.expect("record");
    assert_eq!((record.due, record.late, record.late_now), (2, 1, 0), "{record:?}");
    assert_eq!(record.on_time_percent(), Some(50));
    // Another store, a shopper: nothing of this store's.
    let other = actors::seller_of(&db, another_store(&db, store).await).await;
    assert_eq!(portal::shipping_record(&db, &other).await.expect("other").due, 0);
    let (_, shopper) = actors::shopper(&db).await;
    assert_eq!(portal::shipping_record(&db, &shopper).await.expect("shopper").due, 0);
}

db_tests!(
    late_shipments_are_counted_per_store,
    the_shopper_confirms_a_shipped_order_arrived,
    packing_slips_print_the_stores_own_orders_only,
    a_store_ships_in_parts_and_the_shopper_follows_every_parcel,
    another_store_a_shopper_and_bad_forms_change_nothing,
    racing_shipments_of_the_last_unit_ship_it_once,
    the_order_list_pages_by_keyset,
);
