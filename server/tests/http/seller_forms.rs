//! The seller's product editor over HTTP: a wrong field, and an upload of pictures, bring the form back as the
//! seller typed it (an upload saves nothing else). Both databases.

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::sellers::{first_store, get, post_form, product_form};
use crate::support::{demo, location, TestApp};

async fn a_wrong_product_field_keeps_the_form_as_typed(app: &TestApp) {
    let (_, warehouse, category) = first_store(app).await;
    let seller = demo(app, "seller1").await;
    let mut form = product_form("", "", "Glazed Bowl", &category, &warehouse);
    for (k, v) in &mut form {
        if k == "variants[0][price]" {
            *v = "twelve".into();
        }
    }
    let answer = post_form(app, &seller, "save_product", &form, "text/html").await;
    assert_eq!(answer.status(), StatusCode::FOUND);
    let page = get(&seller, app, &location(&answer)).await.text().await.expect("body");
    assert!(page.contains("Enter a price like 12.99."), "the row's message");
    assert!(page.contains("value=\"Glazed Bowl\""), "the title is kept");
    assert!(page.contains("value=\"twelve\""), "the wrong price itself is kept");
    let saved: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE title = 'Glazed Bowl'")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(saved, 0);
}

/// Issue 19, item 9: "Upload pictures" sends the whole editor form; the pictures are added and what the seller
/// typed elsewhere comes back as typed (not saved), at a version the next save is not refused for.
async fn an_upload_keeps_what_the_seller_typed(app: &TestApp) {
    let (_, warehouse, category) = first_store(app).await;
    let seller = demo(app, "seller1").await;
    let form = product_form("", "", "Speckled Cup", &category, &warehouse);
    let saved = post_form(app, &seller, "save_product", &form, "text/html").await;
    let id: i64 = location(&saved)
        .strip_prefix("/seller/products/")
        .and_then(|rest| rest.strip_suffix("?saved=1"))
        .and_then(|id| id.parse().ok())
        .expect("saved");
    let (variant, version): (i64, i64) =
        sqlx::query_as("SELECT v.id, p.version FROM variants v JOIN products p ON p.id = v.product_id WHERE p.id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .expect("variant");
    let mut typed = product_form(
        &id.to_string(),
        &version.to_string(),
        "Speckled Cup, renamed",
        &category,
        &warehouse,
    );
    for (k, v) in &mut typed {
        match k.as_str() {
            "variants[0][id]" => *v = variant.to_string(),
            "variants[0][stock][0][was]" => *v = "4".into(),
            _ => {}
        }
    }
    let mut multipart = reqwest::multipart::Form::new();
    for (k, v) in typed.iter().filter(|(k, _)| k != "intent") {
        multipart = multipart.text(k.clone(), v.clone());
    }
    let picture = reqwest::multipart::Part::bytes(domain::catalog::images::demo_card(90, 1, 200)).file_name("cup.png");
    let answer = seller
        .post(app.url(&format!("/seller/products/{id}/pictures")))
        .header("origin", &app.base)
        .multipart(multipart.part("pictures", picture))
        .send()
        .await
        .expect("upload");
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let key: String = sqlx::query_scalar("SELECT image_key FROM product_images WHERE product_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("the picture is added");
    let stored_title: String = sqlx::query_scalar("SELECT title FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("title");
    assert_eq!(stored_title, "Speckled Cup", "an upload saves nothing else");
    let page = get(&seller, app, &location(&answer)).await.text().await.expect("body");
    assert!(
        page.contains("value=\"Speckled Cup, renamed\""),
        "the typed title is kept"
    );
    assert!(page.contains(&key), "the new picture is in the form");
    assert!(
        page.contains(&format!("name=\"version\" value=\"{}\"", version + 1)),
        "at the upload's version"
    );
    // Saving that form (the picture described) is not refused as stale.
    typed.extend([
        ("version".to_string(), (version + 1).to_string()),
        ("images[0][key]".to_string(), key),
        ("images[0][alt]".to_string(), "A speckled cup".to_string()),
        ("images[0][position]".to_string(), "1".to_string()),
    ]);
    typed.retain(|(k, v)| k != "version" || *v != version.to_string());
    let saved = post_form(app, &seller, "save_product", &typed, "text/html").await;
    assert!(location(&saved).ends_with("?saved=1"), "{}", location(&saved));
    let stored_title: String = sqlx::query_scalar("SELECT title FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("title");
    assert_eq!(stored_title, "Speckled Cup, renamed");
}

on_both_databases!(
    a_wrong_product_field_keeps_the_form_as_typed,
    an_upload_keeps_what_the_seller_typed
);
