//! Issue 22: pictures on reviews — only on the buyer's own published review, at most four (also when two uploads
//! run at once), each re-encoded by the image store, shown with the review, removed by its author and swept once
//! nothing shows them. Each test runs on SQLite and PostgreSQL.

use domain::catalog::images::{demo_card, ImageStore, LocalImageStore};
use domain::catalog::removed_images;
use domain::reviews::{pictures, reading, writing, ReviewError};
use domain::workflows::review_product;
use domain::Db;
use model::reviews::{ReviewForm, ReviewQuery};

use crate::db_tests;
use crate::harness::actors;
use crate::reviews::delivered_with;
use crate::seller_orders::store_with_two_variants;

fn image_store() -> LocalImageStore {
    LocalImageStore::new(std::env::temp_dir().join(format!("bazaar_review_img_{}", domain::testing::unique_name())))
}

/// A picture as a phone might send it: a PNG with bytes after its end (where a payload could hide).
fn png(n: u32) -> (String, Vec<u8>) {
    let mut bytes = demo_card(n * 40, n, 48);
    bytes.extend_from_slice(b"TRAILING-PAYLOAD");
    (format!("photo-{n}.png"), bytes)
}

fn review() -> ReviewForm {
    ReviewForm {
        stars: "5".into(),
        title: "Lovely".into(),
        body: String::new(),
    }
}

async fn product_of(db: &Db, variant: i64) -> i64 {
    sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(variant)
        .fetch_one(db.pool())
        .await
        .expect("product")
}

async fn pictures_go_on_the_buyers_own_review_up_to_four_and_leave_with_the_sweep(db: Db) {
    let images = image_store();
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, buyer) = actors::shopper(&db).await;
    let (_, stranger) = actors::shopper(&db).await;
    let (order, _) = delivered_with(&db, &buyer, store, (kettle, 1), |_| {}).await;

    let early = pictures::add(&db, &images, &buyer, order, kettle, vec![png(1)]).await;
    assert!(matches!(early, Err(ReviewError::NotAllowed(m)) if m.contains("Send your review first")));
    review_product::write(&db, &buyer, order, kettle, &review())
        .await
        .expect("written");
    let theirs = pictures::add(&db, &images, &stranger, order, kettle, vec![png(1)]).await;
    assert!(matches!(theirs, Err(ReviewError::NotFound)), "another shopper's review");

    // A file that is no picture is refused with why and takes no place.
    let files = vec![
        png(1),
        ("notes.txt".to_string(), b"not a picture".to_vec()),
        png(2),
        png(3),
    ];
    let done = pictures::add(&db, &images, &buyer, order, kettle, files)
        .await
        .expect("added");
    assert_eq!(done.added, 3);
    assert_eq!(done.refused.len(), 1);
    assert_eq!(done.refused[0].0, "notes.txt");
    assert!(done.refused[0].1.contains("PNG, JPEG or WebP"));
    assert_eq!(pictures::room(&db, &buyer, order, kettle).await.expect("room"), 1);
    // The same picture again is not added twice; a new one fills the last place, and then nothing more fits.
    let again = pictures::add(&db, &images, &buyer, order, kettle, vec![png(1)])
        .await
        .expect("answered");
    assert_eq!((again.added, again.refused.len()), (0, 0), "shown already");
    let again = pictures::add(&db, &images, &buyer, order, kettle, vec![png(4), png(5)])
        .await
        .expect("added");
    assert_eq!(again.added, 1);
    assert_eq!(again.refused[0].0, "photo-5.png");
    assert!(again.refused[0].1.contains("at most 4"));
    let full = pictures::add(&db, &images, &buyer, order, kettle, vec![png(6)])
        .await
        .expect("answered");
    assert_eq!((full.added, full.refused.len()), (0, 1));

    // The product page and the form show them, in order, as the image store's re-encoded files.
    let page = reading::for_product(&db, product_of(&db, kettle).await, ReviewQuery::default())
        .await
        .expect("reviews");
    let shown = &page.reviews.iter().find(|r| !r.demo).expect("the review").pictures;
    assert_eq!(shown.len(), 4);
    let first = shown[0].clone();
    assert_eq!(first.thumb_url, format!("/media/{}-160.webp", first.key));
    let stored = images
        .get(&format!("{}.png", first.key))
        .await
        .expect("read")
        .expect("stored");
    assert!(
        !stored.0.windows(16).any(|w| w == b"TRAILING-PAYLOAD"),
        "kept as re-encoded from its pixels, not as sent"
    );
    let form = writing::form_page(&db, &buyer, order, kettle).await.expect("form");
    assert_eq!(form.pictures.len(), 4);

    // Its author removes one; nobody else can; the sweep deletes its files once nothing shows it.
    let stranger_removes = pictures::remove(&db, &stranger, order, kettle, &first.key).await;
    assert!(matches!(stranger_removes, Err(ReviewError::NotFound)));
    pictures::remove(&db, &buyer, order, kettle, &first.key)
        .await
        .expect("removed");
    let twice = pictures::remove(&db, &buyer, order, kettle, &first.key).await;
    assert!(matches!(twice, Err(ReviewError::NotFound)));
    assert_eq!(
        writing::form_page(&db, &buyer, order, kettle)
            .await
            .expect("form")
            .pictures
            .len(),
        3
    );
    let swept = removed_images::sweep(&db, &images, 0).await.expect("sweep");
    assert_eq!(swept, 1);
    assert!(images.get(&format!("{}.png", first.key)).await.expect("read").is_none());
    // A picture still shown by the review stays through a sweep even when a removal names it.
    let kept = shown[1].key.clone();
    let mut conn = db.pool().acquire().await.expect("conn");
    removed_images::record(&mut conn, std::slice::from_ref(&kept))
        .await
        .expect("record");
    drop(conn);
    assert_eq!(removed_images::sweep(&db, &images, 0).await.expect("sweep"), 0);
    assert!(images.get(&format!("{kept}.png")).await.expect("read").is_some());
}

async fn two_uploads_at_once_add_no_more_than_four(db: Db) {
    let images = image_store();
    let (store, [kettle, _]) = store_with_two_variants(&db, 10).await;
    let (_, buyer) = actors::shopper(&db).await;
    let (order, _) = delivered_with(&db, &buyer, store, (kettle, 1), |_| {}).await;
    review_product::write(&db, &buyer, order, kettle, &review())
        .await
        .expect("written");
    let (a, b) = tokio::join!(
        pictures::add(&db, &images, &buyer, order, kettle, vec![png(1), png(2), png(3)]),
        pictures::add(&db, &images, &buyer, order, kettle, vec![png(4), png(5), png(6)]),
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert_eq!(a.added + b.added, 4, "{a:?} {b:?}");
    assert_eq!(a.refused.len() + b.refused.len(), 2);
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM review_pictures")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(held, 4);
}

async fn hiding_or_erasing_a_review_takes_its_pictures_off(db: Db) {
    let images = image_store();
    let (store, [kettle, lamp]) = store_with_two_variants(&db, 10).await;
    let (_, buyer) = actors::shopper(&db).await;
    let admin = actors::admin(&db).await;
    let (order, _) = delivered_with(&db, &buyer, store, (kettle, 1), |_| {}).await;
    let (other_order, _) = delivered_with(&db, &buyer, store, (lamp, 1), |_| {}).await;
    for (o, v) in [(order, kettle), (other_order, lamp)] {
        review_product::write(&db, &buyer, o, v, &review())
            .await
            .expect("written");
    }
    pictures::add(&db, &images, &buyer, order, kettle, vec![png(1), png(2)])
        .await
        .expect("added");
    pictures::add(&db, &images, &buyer, other_order, lamp, vec![png(3)])
        .await
        .expect("added");
    let hidden: i64 = sqlx::query_scalar("SELECT id FROM reviews WHERE order_id = $1")
        .bind(order)
        .fetch_one(db.pool())
        .await
        .expect("review");
    review_product::hide(&db, &admin, hidden, "personal_information")
        .await
        .expect("hidden");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM review_pictures WHERE review_id = $1")
        .bind(hidden)
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(left, 0, "a hidden review's pictures go with its words");
    let added = pictures::add(&db, &images, &buyer, order, kettle, vec![png(4)]).await;
    assert!(matches!(added, Err(ReviewError::NotAllowed(m)) if m.contains("hid this review")));
    assert_eq!(removed_images::sweep(&db, &images, 0).await.expect("sweep"), 2);

    let erasure = domain::workflows::account_data::Erasure {
        password: "correct horse battery".into(),
        understood: true,
    };
    domain::workflows::account_data::erase(&db, &buyer, &erasure)
        .await
        .expect("erased");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM review_pictures")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(rows, 0, "an erased account's pictures are gone");
    assert_eq!(
        removed_images::sweep(&db, &images, 0).await.expect("sweep"),
        1,
        "and their files with the sweep"
    );
}

db_tests!(
    hiding_or_erasing_a_review_takes_its_pictures_off,
    pictures_go_on_the_buyers_own_review_up_to_four_and_leave_with_the_sweep,
    two_uploads_at_once_add_no_more_than_four,
);
