//! The admins' orders: every checkout found by its number, a store's order number, the customer's name or email, a
//! store, a state, the days placed and the amount paid, by keyset pages; a checkout's page with its stores'
//! orders, payments, refunds and internal notes (append-only). Admins only. Both databases.

use domain::admin::{orders, AdminError};
use domain::Db;
use model::admin_orders::{CheckoutList, CheckoutState, OrderSearch};

use crate::admin_dashboard::{cancel_one, refunded, store_order_of, variant_elsewhere};
use crate::db_tests;
use crate::harness::actors;
use crate::seller_orders::{paid_order, store_with_two_variants};

async fn found(db: &Db, search: &OrderSearch) -> CheckoutList {
    let admin = actors::admin(db).await;
    orders::list(db, &admin, search, "").await.expect("list")
}

async fn numbers(db: &Db, search: &OrderSearch) -> Vec<String> {
    found(db, search).await.rows.into_iter().map(|r| r.number).collect()
}

fn by_words(q: &str) -> OrderSearch {
    OrderSearch {
        q: q.into(),
        ..OrderSearch::default()
    }
}

fn in_state(state: CheckoutState) -> OrderSearch {
    OrderSearch {
        state: Some(state),
        ..OrderSearch::default()
    }
}

async fn group_column(db: &Db, number: &str, column: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT {column} FROM order_groups WHERE number = $1"))
        .bind(number)
        .fetch_one(db.pool())
        .await
        .expect("group")
}

/// A checkout from two stores (one unit cancelled and refunded) and one from a single store.
struct Two {
    both: String,
    single: String,
    store_order: String,
    other_store: String,
}

async fn two_checkouts(db: &Db) -> Two {
    let (store, [kettle, mug]) = store_with_two_variants(db, 20).await;
    let other = variant_elsewhere(db, store, 20).await;
    let (both, _) = paid_order(db, &[(kettle, 2), (other, 1)], "Orders Ada").await;
    let (single, _) = paid_order(db, &[(mug, 1)], "Orders Bo").await;
    let store_order = store_order_of(db, &both, store).await;
    let other_store: String = sqlx::query_scalar(
        "SELECT s.store_name FROM sellers s JOIN products p ON p.seller_id = s.id JOIN variants v ON v.product_id = p.id \
         WHERE v.id = $1",
    )
    .bind(other)
    .fetch_one(db.pool())
    .await
    .expect("store name");
    let seller = actors::seller_of(db, store).await;
    cancel_one(db, &seller, &store_order, kettle).await;
    Two {
        both,
        single,
        store_order,
        other_store,
    }
}

fn major(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

async fn admins_find_checkouts_by_every_filter(db: Db) {
    let t = two_checkouts(&db).await;
    let list = found(&db, &OrderSearch::default()).await;
    let all: Vec<&str> = list.rows.iter().map(|r| r.number.as_str()).collect();
    assert_eq!(all, [t.single.as_str(), t.both.as_str()], "newest first");
    let row = &list.rows[1];
    assert_eq!(row.stores.len(), 2);
    assert_eq!(
        (row.customer.as_str(), row.total.amount, row.refunded.amount),
        (
            "Orders Ada",
            group_column(&db, &t.both, "grand_total").await,
            refunded(&db, &t.store_order).await
        )
    );
    assert!(row.refunded.amount > 0);

    // The checkout's number, a store's order number, the customer's name in any case; `%` is a character.
    assert_eq!(numbers(&db, &by_words(&t.both.to_lowercase())).await, [t.both.as_str()]);
    assert_eq!(numbers(&db, &by_words(&t.store_order)).await, [t.both.as_str()]);
    assert_eq!(numbers(&db, &by_words("orders BO")).await, [t.single.as_str()]);
    assert!(numbers(&db, &by_words("%")).await.is_empty());
    assert!(numbers(&db, &by_words("' OR 1=1 --")).await.is_empty());
    let hostile_store = OrderSearch {
        store: "%_\\'; DROP TABLE orders; --".into(),
        ..OrderSearch::default()
    };
    assert!(numbers(&db, &hostile_store).await.is_empty());
    assert!(numbers(&db, &by_words("\u{0}Orders Ada\u{1b}")).await.contains(&t.both));

    let store = OrderSearch {
        store: t.other_store.to_uppercase(),
        ..OrderSearch::default()
    };
    assert_eq!(numbers(&db, &store).await, [t.both.as_str()]);

    assert_eq!(numbers(&db, &in_state(CheckoutState::ToShip)).await.len(), 2);
    assert_eq!(
        numbers(&db, &in_state(CheckoutState::Refunded)).await,
        [t.both.as_str()]
    );
    for nothing in [
        CheckoutState::Shipped,
        CheckoutState::AwaitingPayment,
        CheckoutState::NotPaid,
    ] {
        assert!(numbers(&db, &in_state(nothing)).await.is_empty(), "{nothing:?}");
    }

    let single_total = group_column(&db, &t.single, "grand_total").await;
    let exactly = OrderSearch {
        min: major(single_total),
        max: major(single_total),
        ..OrderSearch::default()
    };
    assert_eq!(numbers(&db, &exactly).await, [t.single.as_str()]);

    let today = model::format_date(domain::platform::clock::now_ms());
    let days = |from: &str, to: &str| OrderSearch {
        from: from.into(),
        to: to.into(),
        ..OrderSearch::default()
    };
    assert_eq!(numbers(&db, &days(&today, &today)).await.len(), 2);
    assert!(numbers(&db, &days("2000-01-01", "2000-01-31")).await.is_empty());

    // The cursor of the newer checkout's row: the next page holds the older one only.
    let after = format!(
        "{}.{}",
        group_column(&db, &t.single, "created_at").await,
        group_column(&db, &t.single, "id").await
    );
    let admin = actors::admin(&db).await;
    let next = orders::list(&db, &admin, &OrderSearch::default(), &after)
        .await
        .expect("next page");
    assert_eq!(next.rows.len(), 1);
    assert_eq!(next.rows[0].number, t.both);

    for (wrong, field) in [
        (days("yesterday", ""), "from"),
        (days("2026-12-02", "2026-12-01"), "to"),
        (
            OrderSearch {
                min: "ten".into(),
                ..OrderSearch::default()
            },
            "min",
        ),
    ] {
        match orders::list(&db, &admin, &wrong, "").await {
            Err(AdminError::Invalid(fields)) => assert_eq!(fields[0].field, field),
            other => panic!("{wrong:?}: {:?}", other.map(|l| l.rows.len())),
        }
    }
}

async fn a_checkout_shows_payments_refunds_and_append_only_notes(db: Db) {
    let t = two_checkouts(&db).await;
    let admin = actors::admin(&db).await;
    // The number in any case, as a person types it from an email.
    let detail = orders::detail(&db, &admin, &t.both.to_lowercase())
        .await
        .expect("detail");
    assert_eq!(detail.order.orders.len(), 2);
    assert_eq!(detail.customer_id, None, "a guest's checkout");
    assert_eq!(detail.payments.len(), 1);
    let paid = &detail.payments[0];
    let refunded = refunded(&db, &t.store_order).await;
    assert_eq!(
        (paid.status.as_str(), paid.amount.amount, paid.refunded.amount),
        (
            "partially_refunded",
            group_column(&db, &t.both, "grand_total").await,
            refunded
        )
    );
    assert_eq!(detail.refunds.len(), 1);
    assert_eq!(
        (
            detail.refunds[0].amount.amount,
            detail.refunds[0].order_number.as_deref()
        ),
        (refunded, Some(t.store_order.as_str()))
    );
    assert!(detail.notes.is_empty());

    orders::add_note(&db, &admin, &t.both, "  Called the shopper\r\nabout the kettle  ")
        .await
        .expect("note");
    let notes = orders::detail(&db, &admin, &t.both).await.expect("detail").notes;
    assert_eq!(notes.len(), 1);
    assert_eq!(
        (notes[0].author.as_str(), notes[0].body.as_str()),
        ("Test Admin", "Called the shopper\nabout the kettle")
    );
    assert!(orders::detail(&db, &admin, &t.single)
        .await
        .expect("other")
        .notes
        .is_empty());

    let too_long = "x".repeat(model::admin_orders::NOTE_MAX_CHARS + 1);
    for wrong in ["", "   ", "a\u{0}b", "bell\u{7}", too_long.as_str()] {
        assert!(
            matches!(
                orders::add_note(&db, &admin, &t.both, wrong).await,
                Err(AdminError::Invalid(_))
            ),
            "{wrong:?}"
        );
    }
    for unknown in ["BZ-NOPE-1", "../etc", "", "' OR 1=1 --"] {
        assert!(matches!(
            orders::add_note(&db, &admin, unknown, "hello").await,
            Err(AdminError::NotFound)
        ));
        assert!(matches!(
            orders::detail(&db, &admin, unknown).await,
            Err(AdminError::NotFound)
        ));
    }

    // No code path changes a note, and the database refuses to.
    for change in ["UPDATE order_notes SET body = 'rewritten'", "DELETE FROM order_notes"] {
        assert!(sqlx::query(change).execute(db.pool()).await.is_err(), "{change}");
    }
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_notes")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(kept, 1);
}

async fn only_admins_read_and_note_orders(db: Db) {
    let t = two_checkouts(&db).await;
    let (store,): (i64,) = sqlx::query_as("SELECT seller_id FROM orders WHERE number = $1")
        .bind(&t.store_order)
        .fetch_one(db.pool())
        .await
        .expect("store");
    let seller = actors::seller_of(&db, store).await;
    let (_, shopper) = actors::shopper(&db).await;
    for actor in [&seller, &shopper] {
        assert!(matches!(
            orders::list(&db, actor, &OrderSearch::default(), "").await,
            Err(AdminError::Forbidden)
        ));
        assert!(matches!(
            orders::detail(&db, actor, &t.both).await,
            Err(AdminError::Forbidden)
        ));
        assert!(matches!(
            orders::add_note(&db, actor, &t.both, "mine now").await,
            Err(AdminError::Forbidden)
        ));
    }
    let notes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_notes")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(notes, 0);
}

db_tests!(
    admins_find_checkouts_by_every_filter,
    a_checkout_shows_payments_refunds_and_append_only_notes,
    only_admins_read_and_note_orders,
);
