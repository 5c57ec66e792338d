//! Issue 22: the wishlist over HTTP — a guest keeps a product (the session remembers the list), the product page
//! says so to that guest only (the shared cached page never does), and the list joins the account at sign-in.

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::orders::signed_up;
use crate::support::{location, TestApp};

async fn first_product(app: &TestApp) -> (i64, String) {
    sqlx::query_as("SELECT id, slug FROM products WHERE status = 'active' ORDER BY id LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("product")
}

async fn a_guests_wishlist_stays_theirs_and_joins_the_account_at_sign_in(app: &TestApp) {
    let (product, slug) = first_product(app).await;
    let page = format!("/p/{slug}");
    let anonymous = app.client();
    assert!(app.page(&anonymous, &page).await.contains("Save to wishlist"));

    let guest = app.client();
    let kept = app
        .submit(
            &guest,
            "save_for_later",
            &[("product", &product.to_string()), ("keep", "1")],
        )
        .await;
    assert_eq!(kept.status(), StatusCode::FOUND);
    assert_eq!(location(&kept), format!("{page}#wishlist"));
    assert!(
        app.page(&guest, &page).await.contains("Saved: remove from wishlist"),
        "the guest sees it kept"
    );
    assert!(
        app.page(&guest, "/wishlist").await.contains("Move to cart")
            || app.page(&guest, "/wishlist").await.contains("Choose options")
    );
    let shared = app.page(&anonymous, &page).await;
    assert!(
        !shared.contains("Saved: remove"),
        "the cached page is the same for everyone without a session"
    );

    // Junk and other ids: a clear answer, nothing kept.
    let unknown = app
        .call(&guest, "save_for_later", &[("product", "999999999"), ("keep", "1")])
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let nobody = app
        .call(
            &app.client(),
            "save_for_later",
            &[("product", &product.to_string()), ("keep", "0")],
        )
        .await;
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND, "no list to remove from");

    // Signing in (as the registration page leads to) keeps what the guest kept.
    let email = "keeper@example.com";
    let registered = app.sign_up(&guest, email).await;
    assert_eq!(registered.status(), StatusCode::OK);
    let signed_in = app.login(&guest, email, "correct-horse-77").await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert!(app.page(&guest, &page).await.contains("Saved: remove from wishlist"));
    let lists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM wishlists w JOIN users u ON u.id = w.user_id WHERE u.email = $1")
            .bind(email)
            .fetch_one(app.db.pool())
            .await
            .expect("lists");
    assert_eq!(lists, 1);

    // Another account never sees it.
    let other = signed_up(app, "other-keeper@example.com").await;
    assert!(app.page(&other, &page).await.contains("Save to wishlist"));
    assert!(app.page(&other, "/wishlist").await.contains("Nothing kept yet"));
}

on_both_databases!(a_guests_wishlist_stays_theirs_and_joins_the_account_at_sign_in);
