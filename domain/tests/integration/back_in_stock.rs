//! Issue 22: back in stock (decision 0043) — "Notify me" on a sold-out variant: a signed-in shopper's confirmed
//! address counts at once, a visitor's once its mailed link is opened (once); nothing is sent while the variant is
//! sold out; when it is back one email goes, even with two workers at once, and the request ends.

use domain::inventory::back_in_stock;
use domain::inventory::InventoryError;
use domain::workflows::back_in_stock::{ask, notify_due, Outcome};
use domain::{Actor, Db};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::{count, set_units};
use crate::seller_orders::store_with_two_variants;

const BACK_MAILS: &str = "SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE 'Back in stock: %'";

/// The token of the newest confirmation link mailed to `to`.
async fn link_to(db: &Db, to: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body FROM mail_outbox WHERE to_addr = $1 AND subject LIKE 'Confirm: email me when %' ORDER BY id DESC",
    )
    .bind(to)
    .fetch_one(db.pool())
    .await
    .expect("a link mailed");
    body.split_whitespace()
        .find_map(|w| w.strip_prefix("/back-in-stock?token="))
        .expect("the link")
        .to_string()
}

async fn a_shoppers_request_waits_for_stock_then_mails_once_even_with_two_workers(db: Db) {
    let (_, [kettle, mug]) = store_with_two_variants(&db, 10).await;
    let (_, shopper) = actors::shopper(&db).await;
    set_units(&db, kettle, 0).await;

    let refused = ask(&db, &shopper, mug, "").await;
    assert!(
        matches!(refused, Err(InventoryError::Invalid(_))),
        "in stock: {refused:?}"
    );
    assert!(matches!(
        ask(&db, &shopper, 999_999_999, "").await,
        Err(InventoryError::NotFound)
    ));
    let (_, outcome) = ask(&db, &shopper, kettle, "ignored@example.com").await.expect("ask");
    assert_eq!(
        outcome,
        Outcome::Watching,
        "a confirmed account's address counts at once"
    );
    let (_, again) = ask(&db, &shopper, kettle, "").await.expect("again");
    assert_eq!(again, Outcome::Watching);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM back_in_stock").await, 1, "one request");

    assert_eq!(notify_due(&db, 10).await.expect("pass"), 0, "still sold out: nothing");
    set_units(&db, kettle, 3).await;
    let (a, b) = tokio::join!(notify_due(&db, 10), notify_due(&db, 10));
    assert_eq!(a.expect("a") + b.expect("b"), 1, "one mail whoever runs");
    assert_eq!(count(&db, BACK_MAILS).await, 1);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM back_in_stock").await,
        0,
        "the request ended"
    );
    assert_eq!(notify_due(&db, 10).await.expect("pass"), 0);
}

async fn a_visitors_request_counts_once_its_link_is_opened(db: Db) {
    let (_, [kettle, _]) = store_with_two_variants(&db, 10).await;
    set_units(&db, kettle, 0).await;
    let visitor = Actor::visitor();
    for hostile in ["", "not an email", "a\u{0}b@example.com", "x\n@example.com"] {
        let refused = ask(&db, &visitor, kettle, hostile).await;
        assert!(
            matches!(refused, Err(InventoryError::Invalid(_))),
            "{hostile:?}: {refused:?}"
        );
    }
    let (slug, outcome) = ask(&db, &visitor, kettle, " Someone@Example.com ").await.expect("ask");
    assert_eq!(outcome, Outcome::LinkSent);
    let (_, again) = ask(&db, &visitor, kettle, "someone@example.com").await.expect("again");
    assert_eq!(again, Outcome::LinkSent);
    let links = "SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE 'Confirm: email me when %'";
    assert_eq!(count(&db, links).await, 1, "asking again sends no second link");

    set_units(&db, kettle, 4).await;
    assert_eq!(notify_due(&db, 10).await.expect("pass"), 0, "not confirmed: nothing");
    let token = link_to(&db, "someone@example.com").await;
    assert!(back_in_stock::pending(&db, &token).await.expect("pending").is_some());
    assert_eq!(back_in_stock::confirm(&db, &token).await.expect("confirmed"), slug);
    assert!(matches!(
        back_in_stock::confirm(&db, &token).await,
        Err(InventoryError::NotFound)
    ));
    assert!(matches!(
        back_in_stock::confirm(&db, "forged").await,
        Err(InventoryError::NotFound)
    ));
    assert_eq!(notify_due(&db, 10).await.expect("pass"), 1);
    assert_eq!(count(&db, BACK_MAILS).await, 1);

    // Links to one address are few a day, whatever the variants: the form cannot fill a stranger's mailbox.
    let others: Vec<i64> = sqlx::query_scalar("SELECT id FROM variants WHERE id <> $1 ORDER BY id LIMIT 4")
        .bind(kettle)
        .fetch_all(db.pool())
        .await
        .expect("variants");
    for (n, variant) in others.iter().enumerate() {
        set_units(&db, *variant, 0).await;
        let asked = ask(&db, &visitor, *variant, "stranger@example.com").await;
        if (n as i64) < back_in_stock::LINKS_PER_DAY {
            assert_eq!(asked.expect("a link").1, Outcome::LinkSent);
        } else {
            assert!(matches!(asked, Err(InventoryError::Invalid(_))), "{asked:?}");
        }
    }
}

db_tests!(
    a_shoppers_request_waits_for_stock_then_mails_once_even_with_two_workers,
    a_visitors_request_counts_once_its_link_is_opened,
);
