//! Issue 22: "Notify me" over HTTP — a visitor asks on a sold-out variant, is sent back to the product page told
//! to check their mail, opens the link's page and confirms; junk and in-stock variants get a clear answer.

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{location, TestApp};

async fn a_visitor_asks_on_a_sold_out_variant_and_confirms_from_the_mailed_link(app: &TestApp) {
    let (variant, slug): (i64, String) = sqlx::query_as(
        "SELECT v.id, p.slug FROM variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'active' \
         AND v.keep_selling = 0 AND (SELECT SUM(s.available) FROM stock s WHERE s.variant_id = v.id) > 0 \
         ORDER BY v.id LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("variant");
    let client = app.client();
    let in_stock = app
        .call(
            &client,
            "notify_when_back",
            &[("variant", &variant.to_string()), ("email", "fan@example.com")],
        )
        .await;
    assert_eq!(
        in_stock.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an in-stock variant is refused"
    );
    sqlx::query("UPDATE stock SET available = 0 WHERE variant_id = $1")
        .bind(variant)
        .execute(app.db.pool())
        .await
        .expect("sold out");
    let page = format!("/p/{slug}");
    assert!(app
        .page(&client, &page)
        .await
        .contains("Sold out? Get an email when it is back"));
    let asked = app
        .submit(
            &client,
            "notify_when_back",
            &[("variant", &variant.to_string()), ("email", "fan@example.com")],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::FOUND);
    assert_eq!(location(&asked), format!("{page}?notify=link#notify"));
    assert!(app
        .page(&client, &format!("{page}?notify=link"))
        .await
        .contains("Check your email"));

    let link = app.mailed_link("fan@example.com", "/back-in-stock?token=").await;
    let link = link.trim_start_matches("/back-in-stock?token=").to_string();
    let confirm_page = app.page(&app.client(), &format!("/back-in-stock?token={link}")).await;
    assert!(confirm_page.contains("Email this address once when"));
    let confirmed = app.submit(&client, "confirm_back_in_stock", &[("token", &link)]).await;
    assert_eq!(confirmed.status(), StatusCode::FOUND);
    assert_eq!(location(&confirmed), format!("{page}?notify=on#notify"));
    let spent = app.page(&app.client(), &format!("/back-in-stock?token={link}")).await;
    assert!(spent.contains("This link was already used or has expired."));

    let junk = app
        .call(&client, "notify_when_back", &[("variant", "abc"), ("email", "x")])
        .await;
    assert_eq!(junk.status(), StatusCode::NOT_FOUND);
}

on_both_databases!(a_visitor_asks_on_a_sold_out_variant_and_confirms_from_the_mailed_link);
