//! Issue 20: a seller order's conversation — the shopper and the store write to each other (each emailed), the
//! store keeps internal notes the shopper never reads, contact details and links are flagged to both sides and
//! listed for admins, and no one else reads a word.

use domain::orders::messages::{self, Posted};
use domain::orders::{portal, OrderError};
use domain::workflows::message_order;
use domain::workflows::return_order::ShopperOrder;
use domain::{Actor, Db};

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::key;
use crate::seller_orders::{another_store, mails_to, paid_order, store_with_two_variants};

async fn token_of(db: &Db, group: &str) -> String {
    sqlx::query_scalar("SELECT view_token FROM order_groups WHERE number = $1")
        .bind(group)
        .fetch_one(db.pool())
        .await
        .expect("token")
}

async fn a_shopper_and_a_store_talk_notes_stay_inside_and_contact_details_are_flagged(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (group, number) = paid_order(&db, &[(kettle, 1)], "Chatty Cathy").await;
    let token = token_of(&db, &group).await;
    let of = ShopperOrder {
        group: &group,
        order: &number,
        token: Some(&token),
    };
    let guest = Actor::visitor();
    let asked = key();
    let posted = message_order::from_shopper(&db, &guest, of, &asked, "Can it ship by Friday?")
        .await
        .expect("ask");
    assert!(matches!(posted, Posted::New { flagged: false, .. }));
    let again = message_order::from_shopper(&db, &guest, of, &asked, "Can it ship by Friday?")
        .await
        .expect("again");
    assert_eq!(again, Posted::AlreadyRecorded, "the same form posts once");
    assert_eq!(
        mails_to(&db, &format!("New message about order {number} from the shopper"))
            .await
            .len(),
        1
    );

    let seller = actors::seller_of(&db, store).await;
    let answer = "Yes. Or call me on 555 123 4567 and pay cash.";
    let posted = message_order::from_store(&db, &seller, &number, &key(), answer, false)
        .await
        .expect("answer");
    assert!(matches!(posted, Posted::New { flagged: true, .. }));
    message_order::from_store(&db, &seller, &number, &key(), "Wraps it twice <b>fragile</b>", true)
        .await
        .expect("note");
    let mail = mails_to(&db, &format!("New message about order {number} from")).await;
    assert_eq!(mail.len(), 2, "the note emails no one");
    // Never the text (the link's random token may hold any digits, so the number is looked for whole).
    assert!(mail[1].1.contains("keep the conversation and any payment on Bazaar") && !mail[1].1.contains("555 123"));

    // The shopper reads the conversation with the warning, never the note.
    let screen = messages::screen(&db, &guest, &group, &number, Some(&token))
        .await
        .expect("screen");
    assert_eq!(screen.messages.len(), 2);
    assert!(screen.messages[1]
        .flagged
        .as_deref()
        .is_some_and(|w| w.contains("a phone number")));
    assert!(!format!("{screen:?}").contains("fragile"));
    // The store reads all three, never the shopper's email.
    let detail = portal::detail(&db, &seller, &number).await.expect("detail");
    assert_eq!(detail.messages.len(), 3);
    assert!(
        detail.messages[2].internal && detail.messages[2].body.contains("<b>fragile</b>"),
        "stored as typed, shown escaped"
    );
    assert!(!format!("{detail:?}").contains("buyer@example.com"));
    // Admins: the flagged message in the list, the whole thread by number; no one else.
    let admin = actors::admin(&db).await;
    let flagged = messages::for_admin(&db, &admin, "").await.expect("flagged");
    assert!(flagged
        .iter()
        .any(|f| f.order_number == number && f.message.body == answer));
    assert_eq!(
        messages::for_admin(&db, &admin, &number).await.expect("thread").len(),
        3
    );
    // The checkout's number (the admins' order page links by it) reads every thread of the checkout.
    assert_eq!(
        messages::for_admin(&db, &admin, &group).await.expect("threads").len(),
        3
    );
    assert!(matches!(
        messages::for_admin(&db, &seller, "").await,
        Err(OrderError::NotFound)
    ));
}

async fn strangers_cannot_read_or_write_and_bad_text_is_refused(db: Db) {
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (group, number) = paid_order(&db, &[(kettle, 1)], "Private Pat").await;
    let token = token_of(&db, &group).await;
    let other = actors::seller_of(&db, another_store(&db, store).await).await;
    let (_, stranger) = actors::shopper(&db).await;
    assert!(matches!(
        message_order::from_store(&db, &other, &number, &key(), "hello", false).await,
        Err(OrderError::NotFound)
    ));
    let without_token = ShopperOrder {
        group: &group,
        order: &number,
        token: None,
    };
    assert!(matches!(
        message_order::from_shopper(&db, &stranger, without_token, &key(), "hello").await,
        Err(OrderError::NotFound)
    ));
    assert!(matches!(
        messages::screen(&db, &stranger, &group, &number, None).await,
        Err(OrderError::NotFound)
    ));
    let of = ShopperOrder {
        group: &group,
        order: &number,
        token: Some(&token),
    };
    let long = "x".repeat(2001);
    for body in ["", "   ", "nul\u{0}", "bell\u{7}", long.as_str()] {
        match message_order::from_shopper(&db, &Actor::visitor(), of, &key(), body).await {
            Err(OrderError::Invalid(errors)) => assert_eq!(errors[0].field, "body"),
            other => panic!("{body:?}: {other:?}"),
        }
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_messages")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(count, 0);
}

db_tests!(
    a_shopper_and_a_store_talk_notes_stay_inside_and_contact_details_are_flagged,
    strangers_cannot_read_or_write_and_bad_text_is_refused,
);
