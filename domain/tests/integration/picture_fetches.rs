//! Issue 27: pictures a file names by address are fetched after the apply, never while the seller waits, from a
//! local server that answers as the web does: good pictures (one address named by two products is fetched once),
//! a redirect to a good one, a slow one, a huge one, a redirect to a private address, a redirect loop, a 404 and
//! an HTML page. Each ends in its documented state; products the file publishes go live with their first
//! picture, in the file's order; failed ones can be tried again. Both databases.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::catalog::images::{demo_card, LocalImageStore};
use domain::catalog::picture_fetches::{self, FetchLimits, Fetcher, Worker};
use domain::workflows::import_products;
use domain::{Actor, Db};

use crate::catalog_import::{leaf_id, store_with};
use crate::db_tests;
use crate::harness::actors;
use crate::harness::fixtures::count;

/// Requests per path the picture server answered.
type Hits = Arc<Mutex<HashMap<String, usize>>>;

async fn picture(State(hits): State<Hits>, Path(name): Path<String>) -> Response {
    *hits.lock().expect("hits").entry(name.clone()).or_default() += 1;
    let png = |hue: u32| ([(header::CONTENT_TYPE, "image/png")], demo_card(hue, hue % 3, 64)).into_response();
    let to = |location: &str| (StatusCode::FOUND, [(header::LOCATION, location.to_string())]).into_response();
    match name.as_str() {
        "lamp-front.png" => png(10),
        "lamp-side.png" => png(40),
        "shared.png" => png(80),
        "moved.png" => to("/p/vase-blue.png"),
        "vase-blue.png" => png(200),
        "slow.png" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            png(300)
        }
        "huge.png" => vec![0u8; 11 * 1024 * 1024].into_response(),
        "to-private.png" => to("http://10.1.2.3/x.png"),
        "loop.png" => to("/p/loop.png"),
        "page.png" => ([(header::CONTENT_TYPE, "text/html")], "<html>sign in</html>").into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A picture server on a free local port: its base address and its hit counts.
async fn picture_server() -> (String, Hits) {
    let hits: Hits = Arc::default();
    let app = axum::Router::new()
        .route("/p/{name}", get(picture))
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/p", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, hits)
}

const HEADER: &str = "Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant SKU,Variant Price,Image Src,\
Image Position,Image Alt Text,Variant Image,Status";

/// Three products: a lamp whose two pictures come in the file's rows in reverse of their positions, a vase
/// sharing the lamp's address and with a variant's picture behind a redirect, and a crate whose every picture
/// fails (and one address that is not a web address at all).
fn file(base: &str) -> String {
    let rows = [
        format!("lamp,Desk Lamp,<p>Bright.</p>,Title,Default Title,LAMP-1,40.00,{base}/lamp-side.png,2,Lamp from the side,,active"),
        format!("lamp,,,,,,,{base}/lamp-front.png,1,Lamp from the front,,"),
        format!("lamp,,,,,,,{base}/shared.png,3,Shared picture,,"),
        format!("vase,Tall Vase,<p>Blue.</p>,Colour,Blue,VASE-B,25.00,{base}/shared.png,1,A blue vase,{base}/moved.png,active"),
        format!("crate,Wooden Crate,<p>Pine.</p>,Title,Default Title,CRATE-1,15.00,{base}/slow.png,1,,,active"),
        format!("crate,,,,,,,{base}/huge.png,2,,,"),
        format!("crate,,,,,,,{base}/to-private.png,3,,,"),
        format!("crate,,,,,,,{base}/loop.png,4,,,"),
        format!("crate,,,,,,,{base}/missing.png,5,,,"),
        format!("crate,,,,,,,{base}/page.png,6,,,"),
        "crate,,,,,,,ftp://files.example.com/crate.png,7,,,".to_string(),
    ];
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

fn worker(db: &Db) -> Worker {
    let dir = std::env::temp_dir().join(format!("bazaar_fetched_{}", domain::testing::unique_name()));
    Worker {
        db: db.clone(),
        images: Arc::new(LocalImageStore::new(dir)),
        fetcher: Fetcher::new(true, Duration::from_secs(1)),
        limits: FetchLimits::default(),
    }
}

async fn status_of(db: &Db, slug: &str) -> String {
    sqlx::query_scalar("SELECT status FROM products WHERE slug = $1")
        .bind(slug)
        .fetch_one(db.pool())
        .await
        .expect("status")
}

/// (alt, source) of a product's pictures in their order.
async fn pictures_of(db: &Db, slug: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT i.alt, i.source FROM product_images i JOIN products p ON p.id = i.product_id \
         WHERE p.slug = $1 ORDER BY i.position",
    )
    .bind(slug)
    .fetch_all(db.pool())
    .await
    .expect("pictures")
}

async fn upload(db: &Db, seller: &Actor, text: &str) -> (i64, model::sellers::ImportReport) {
    let category = leaf_id(db).await;
    let id = import_products::upload(db, seller, "products_export.csv", text.as_bytes(), Some(category))
        .await
        .expect("upload");
    (id, import_products::view(db, seller, id).await.expect("view").report)
}

async fn pictures_are_fetched_after_the_apply_in_order_and_publish_their_products(db: Db) {
    let (base, hits) = picture_server().await;
    let (store, seller) = store_with(&db, 1).await;
    let (id, report) = upload(&db, &seller, &file(&base)).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.pictures, 11, "3 + 2 + 6 to fetch; the ftp address is not one");
    assert!(
        report
            .notices
            .iter()
            .any(|n| n.row == 12 && n.message.contains("http://")),
        "{:?}",
        report.notices
    );
    import_products::apply(&db, &seller, id).await.expect("apply");
    assert!(
        hits.lock().expect("hits").is_empty(),
        "nothing is fetched while the seller waits"
    );
    for slug in ["lamp", "vase", "crate"] {
        assert_eq!(
            status_of(&db, slug).await,
            "draft",
            "{slug}: not before its first picture"
        );
    }
    let waiting = import_products::view(&db, &seller, id).await.expect("view").pictures;
    assert_eq!((waiting.waiting, waiting.fetched), (11, 0));

    worker(&db).run_until_idle().await.expect("fetch");

    assert_eq!(status_of(&db, "lamp").await, "active");
    assert_eq!(status_of(&db, "vase").await, "active");
    assert_eq!(status_of(&db, "crate").await, "draft", "no picture came: still a draft");
    let lamp = pictures_of(&db, "lamp").await;
    let alts: Vec<&str> = lamp.iter().map(|(alt, _)| alt.as_str()).collect();
    assert_eq!(alts, ["Lamp from the front", "Lamp from the side", "Shared picture"]);
    assert_eq!(lamp[0].1, format!("{base}/lamp-front.png"));
    assert_eq!(pictures_of(&db, "vase").await.len(), 2, "its own and the variant's");
    assert_eq!(
        hits.lock().expect("hits")["shared.png"],
        1,
        "one address, fetched once per import"
    );
    let progress = import_products::view(&db, &seller, id).await.expect("view").pictures;
    assert_eq!((progress.fetched, progress.failed, progress.waiting), (5, 6, 0));
    let reasons: Vec<(usize, &str)> = progress.failures.iter().map(|f| (f.row, f.reason.as_str())).collect();
    for (row, words) in [
        (6, "longer than 1 seconds"),
        (7, "larger than 10 MB"),
        (8, "private or local network"),
        (9, "More than 3 redirects"),
        (10, "answered 404"),
        (11, "no PNG, JPEG or WebP"),
    ] {
        assert!(
            reasons.iter().any(|(r, reason)| *r == row && reason.contains(words)),
            "row {row}: {words} in {reasons:?}"
        );
    }
    assert!(progress.failures.iter().all(|f| f.product_title == "Wooden Crate"));

    // The same file again fetches only what failed; what came in is found by its address.
    let (_, again) = upload(&db, &seller, &file(&base)).await;
    assert_eq!(again.pictures, 6, "{:?}", again.changes);
    assert_eq!(again.products.unchanged, 3, "{:?} {:?}", again.products, again.errors);

    // Another store sees nothing of it and cannot send it again; its own seller can.
    let other: i64 = sqlx::query_scalar("SELECT id FROM sellers WHERE id <> $1 ORDER BY id LIMIT 1")
        .bind(store)
        .fetch_one(db.pool())
        .await
        .expect("other");
    let other = actors::seller_of(&db, other).await;
    assert!(picture_fetches::progress(&db, &other, id)
        .await
        .expect("empty")
        .failures
        .is_empty());
    assert!(matches!(
        picture_fetches::retry_failed(&db, &other, id).await,
        Err(domain::catalog::CatalogError::NotFound)
    ));
    assert!(picture_fetches::retry_failed(&db, &Actor::visitor(), id).await.is_err());
    assert_eq!(picture_fetches::retry_failed(&db, &seller, id).await.expect("retry"), 6);
    let sent = import_products::view(&db, &seller, id).await.expect("view").pictures;
    assert_eq!((sent.waiting, sent.failed), (6, 0));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM picture_fetches WHERE state = 'fetched'").await,
        5
    );
}

/// A seller's save from a form opened before a picture came in is refused (the version moved), and a product
/// the seller took off the storefront after its first picture is not published again by its second.
async fn a_fetched_picture_moves_the_version_and_publishes_once(db: Db) {
    let (base, _hits) = picture_server().await;
    let (_, seller) = store_with(&db, 1).await;
    let text = format!(
        "{HEADER}\nlamp,Desk Lamp,<p>Bright.</p>,Title,Default Title,LAMP-1,40.00,{base}/lamp-front.png,1,Front,,active\n\
         lamp,,,,,,,{base}/slow.png,2,,,\n"
    );
    let (id, _) = upload(&db, &seller, &text).await;
    import_products::apply(&db, &seller, id).await.expect("apply");
    let version_before: i64 = sqlx::query_scalar("SELECT version FROM products WHERE slug = 'lamp'")
        .fetch_one(db.pool())
        .await
        .expect("version");
    let w = worker(&db);
    w.run_until_idle().await.expect("fetch");
    let version_after: i64 = sqlx::query_scalar("SELECT version FROM products WHERE slug = 'lamp'")
        .fetch_one(db.pool())
        .await
        .expect("version");
    assert!(
        version_after > version_before,
        "a form opened before cannot drop the picture"
    );
    assert_eq!(status_of(&db, "lamp").await, "active");
    // Taken off the storefront; the failed picture tried again and (now fast enough) fetched.
    sqlx::query("UPDATE products SET status = 'draft' WHERE slug = 'lamp'")
        .execute(db.pool())
        .await
        .expect("draft");
    picture_fetches::retry_failed(&db, &seller, id).await.expect("retry");
    let patient = Worker {
        fetcher: Fetcher::new(true, Duration::from_secs(10)),
        ..w
    };
    patient.run_until_idle().await.expect("fetch");
    assert_eq!(pictures_of(&db, "lamp").await.len(), 2);
    assert_eq!(
        status_of(&db, "lamp").await,
        "draft",
        "published once, by its first picture"
    );
}

/// The hourly limit holds, and sending failed pictures again is no way around it; a later file that says draft
/// is not published by an earlier import's picture.
async fn the_hourly_limit_holds_and_the_latest_file_decides_publishing(db: Db) {
    let (base, _hits) = picture_server().await;
    let (_, seller) = store_with(&db, 1).await;
    let text = format!(
        "{HEADER}\ncrate,Wooden Crate,<p>Pine.</p>,Title,Default Title,CRATE-1,15.00,{base}/gone-1.png,1,,,active\n\
         crate,,,,,,,{base}/gone-2.png,2,,,\ncrate,,,,,,,{base}/gone-3.png,3,,,\n"
    );
    let (id, _) = upload(&db, &seller, &text).await;
    import_products::apply(&db, &seller, id).await.expect("apply");
    let limited = Worker {
        limits: FetchLimits {
            per_store_hour: 2,
            ..FetchLimits::default()
        },
        ..worker(&db)
    };
    limited.run_until_idle().await.expect("fetch");
    let after = import_products::view(&db, &seller, id).await.expect("view").pictures;
    assert_eq!((after.failed, after.waiting), (2, 1), "two this hour, the third waits");
    assert_eq!(picture_fetches::retry_failed(&db, &seller, id).await.expect("retry"), 2);
    limited.run_until_idle().await.expect("fetch");
    let after = import_products::view(&db, &seller, id).await.expect("view").pictures;
    assert_eq!(
        (after.failed, after.waiting),
        (0, 3),
        "sent again, still within this hour's limit"
    );

    // The lamp's first import (active) has not fetched yet when a second file says draft, with another picture.
    let first = format!(
        "{HEADER}\nlamp,Desk Lamp,<p>Bright.</p>,Title,Default Title,LAMP-1,40.00,{base}/lamp-front.png,1,Front,,active\n"
    );
    let (id, _) = upload(&db, &seller, &first).await;
    import_products::apply(&db, &seller, id).await.expect("apply");
    let second = format!(
        "{HEADER}\nlamp,Desk Lamp,<p>Bright.</p>,Title,Default Title,LAMP-1,40.00,{base}/lamp-side.png,2,Side,,draft\n"
    );
    let (id, report) = upload(&db, &seller, &second).await;
    assert_eq!(report.pictures, 1, "the first file's picture is on its way already");
    import_products::apply(&db, &seller, id).await.expect("apply");
    worker(&db).run_until_idle().await.expect("fetch");
    assert_eq!(pictures_of(&db, "lamp").await.len(), 2);
    assert_eq!(status_of(&db, "lamp").await, "draft", "the latest file said draft");
}

db_tests!(
    pictures_are_fetched_after_the_apply_in_order_and_publish_their_products,
    a_fetched_picture_moves_the_version_and_publishes_once,
    the_hourly_limit_holds_and_the_latest_file_decides_publishing,
);
