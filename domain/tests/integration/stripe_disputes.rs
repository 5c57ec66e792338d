//! Disputes through Stripe (the local fake Stripe of `stripe_payments`): `charge.dispute.created` reverses each
//! store's share once however often it comes, the store's evidence goes to Stripe once with `submit=true` under
//! a key of the case, and `charge.dispute.closed` (won) gives the shares back.

use domain::workflows::dispute_evidence;
use domain::workflows::settle_payment::Applied;
use domain::Db;
use model::disputes::DisputeStatus;

use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::count;
use crate::stripe_payments::{deliver, placed_with_stripe, session_of, FakeStripe};

/// The evidence went to Stripe once, submitted, with the account and the shopper's email, under the case's key.
fn sent_to_stripe_once(stripe: &FakeStripe, session: &str) {
    let calls = stripe.requests_to(&format!("/v1/disputes/dp_{session}"));
    assert_eq!(calls.len(), 1);
    let (form, key) = &calls[0];
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(field("submit").as_deref(), Some("true"));
    assert!(field("evidence[uncategorized_text]").is_some_and(|t| t.contains("signed for at the door")));
    assert!(field("evidence[customer_email_address]").is_some());
    assert!(
        key.as_deref().is_some_and(|k| k.starts_with("bazaar-evidence-")),
        "{key:?}"
    );
}

async fn a_stripe_dispute_is_reversed_answered_and_won(db: Db) {
    let stripe = FakeStripe::spawn().await;
    let gateway = stripe.gateway();
    let (placed, ..) = placed_with_stripe(&db, &gateway).await;
    let session = session_of(&placed.redirect_url);
    deliver(&db, &gateway, &stripe.complete(&session)).await.expect("paid");
    let grand = count(&db, "SELECT grand_total FROM order_groups").await;

    let opened = stripe.dispute_event(&session, "charge.dispute.created", "needs_response", grand);
    assert!(matches!(
        deliver(&db, &gateway, &opened).await.expect("delivered"),
        Some(Applied::Disputed { .. })
    ));
    assert_eq!(
        deliver(&db, &gateway, &opened).await.expect("again"),
        Some(Applied::Duplicate)
    );
    // Two stores' orders share the payment: their shares are the whole amount, each reversed once.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM dispute_shares WHERE amount > 0").await,
        2
    );
    assert_eq!(
        count(
            &db,
            "SELECT CAST(SUM(amount) AS BIGINT) FROM seller_ledger WHERE kind = 'dispute'"
        )
        .await,
        -grand
    );
    assert_eq!(
        count(&db, "SELECT fee FROM disputes").await,
        1500,
        "Stripe's fee, the platform's"
    );

    let (id, store): (i64, i64) =
        sqlx::query_as("SELECT dispute_id, seller_id FROM dispute_shares ORDER BY seller_id LIMIT 1")
            .fetch_one(db.pool())
            .await
            .expect("share");
    let seller = actors::seller_of(&db, store).await;
    let account = "Shipped by UPS the day after the order; the parcel was signed for at the door.";
    let status = dispute_evidence::send(&db, &gateway, &seller, id, account)
        .await
        .expect("sent");
    assert_eq!(status, DisputeStatus::UnderReview);
    sent_to_stripe_once(&stripe, &session);
    // Sent once: a second send is refused without calling Stripe.
    assert!(dispute_evidence::send(&db, &gateway, &seller, id, account)
        .await
        .is_err());
    assert_eq!(stripe.requests_to(&format!("/v1/disputes/dp_{session}")).len(), 1);

    let updated = stripe.dispute_event(&session, "charge.dispute.updated", "under_review", grand);
    assert_eq!(
        deliver(&db, &gateway, &updated).await.expect("delivered"),
        Some(Applied::Ignored)
    );
    let won = stripe.dispute_event(&session, "charge.dispute.closed", "won", grand);
    assert!(matches!(
        deliver(&db, &gateway, &won).await.expect("delivered"),
        Some(Applied::Disputed { .. })
    ));
    assert_eq!(
        count(
            &db,
            "SELECT CAST(SUM(amount) AS BIGINT) FROM seller_ledger WHERE kind = 'dispute_won'"
        )
        .await,
        grand
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM disputes WHERE status = 'won' AND closed_at IS NOT NULL"
        )
        .await,
        1
    );
}

db_tests!(a_stripe_dispute_is_reversed_answered_and_won);
