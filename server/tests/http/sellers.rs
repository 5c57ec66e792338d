//! Becoming a seller over HTTP, and the access matrix of the seller and admin routes: every role reaches what is
//! its own and is sent where it belongs from the rest (signed out → the login with `next`, a shopper → the
//! application or 403, a seller → 403 on admin screens), with no change made. Both databases.

use reqwest::{Client, StatusCode};

use crate::on_both_databases;
use crate::support::{demo, location, TestApp};

async fn shopper(app: &TestApp) -> Client {
    let client = app.client();
    let email = format!("applicant-{}@example.com", domain::testing::unique_name());
    assert_eq!(app.register(&client, &email).await.status(), StatusCode::OK);
    app.confirm_email(&client, &email).await;
    client
}

pub(crate) async fn get(client: &Client, app: &TestApp, path: &str) -> reqwest::Response {
    client.get(app.url(path)).send().await.expect("get")
}

const APPLICATION: &[(&str, &str)] = &[
    ("store_name", "Copper Kettle"),
    ("slug", ""),
    ("description", "Kettles, pans and <b>pots</b>."),
    ("support_email", "help@copper.example"),
    ("country", "GB"),
    ("return_days", "14"),
    ("return_policy", "Unused, within 14 days."),
];

async fn pending(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM seller_applications WHERE status = 'pending'")
        .fetch_one(app.db.pool())
        .await
        .expect("count")
}

async fn each_role_is_sent_where_it_belongs(app: &TestApp) {
    let anonymous = app.client();
    for (path, next) in [
        ("/seller", "%2Fseller"),
        ("/sell", "%2Fsell"),
        ("/admin/sellers/applications", "%2Fadmin%2Fsellers%2Fapplications"),
    ] {
        let answer = get(&anonymous, app, path).await;
        assert_eq!(answer.status(), StatusCode::FOUND, "{path} signed out");
        assert_eq!(location(&answer), format!("/login?next={next}"), "{path}");
    }
    let shopper = shopper(app).await;
    let portal = get(&shopper, app, "/seller").await;
    assert_eq!(
        (portal.status(), location(&portal).as_str()),
        (StatusCode::FOUND, "/sell")
    );
    assert_eq!(get(&shopper, app, "/sell").await.status(), StatusCode::OK);
    assert_eq!(
        get(&shopper, app, "/admin/sellers/applications").await.status(),
        StatusCode::FORBIDDEN
    );
    let seller = demo(app, "seller1").await;
    let home = get(&seller, app, "/seller").await;
    assert_eq!(home.status(), StatusCode::OK);
    let store: String = sqlx::query_scalar("SELECT store_name FROM sellers ORDER BY id LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("store");
    assert!(home.text().await.expect("body").contains(&store));
    assert_eq!(
        get(&seller, app, "/admin/sellers/applications").await.status(),
        StatusCode::FORBIDDEN
    );
    let admin = demo(app, "admin").await;
    assert_eq!(get(&admin, app, "/seller").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        get(&admin, app, "/admin/sellers/applications").await.status(),
        StatusCode::OK
    );

    // The server functions answer the same way to scripts, and change nothing.
    assert_eq!(
        app.call(&anonymous, "apply_to_sell", APPLICATION).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(&anonymous, "seller_home", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(&shopper, "seller_home", &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(&seller, "apply_to_sell", APPLICATION).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(pending(app).await, 0);
    for client in [&shopper, &seller] {
        assert_eq!(
            app.call(client, "seller_applications", &[]).await.status(),
            StatusCode::FORBIDDEN
        );
    }
}

async fn an_applicant_becomes_a_seller_when_an_admin_approves(app: &TestApp) {
    let applicant = shopper(app).await;
    let sent = app.submit(&applicant, "apply_to_sell", APPLICATION).await;
    assert_eq!(
        (sent.status(), location(&sent).as_str()),
        (StatusCode::FOUND, "/sell?applied=1")
    );
    let page = applicant
        .get(app.url("/sell?applied=1"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("Pending review"), "the page shows the state");
    let id: i64 = sqlx::query_scalar("SELECT id FROM seller_applications")
        .fetch_one(app.db.pool())
        .await
        .expect("id");
    let id = id.to_string();

    // Neither a shopper nor a seller can decide; nothing changes.
    let seller = demo(app, "seller2").await;
    for client in [&applicant, &seller] {
        let answer = app.call(client, "approve_application", &[("id", &id)]).await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
        let answer = app
            .call(client, "reject_application", &[("id", &id), ("reason", "no")])
            .await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(pending(app).await, 1);

    let admin = demo(app, "admin").await;
    let queue = get(&admin, app, "/admin/sellers/applications")
        .await
        .text()
        .await
        .expect("body");
    assert!(queue.contains("Copper Kettle"));
    assert!(
        queue.contains("Kettles, pans and &lt;b&gt;pots&lt;/b&gt;."),
        "the applicant's text is escaped"
    );
    let approved = app.submit(&admin, "approve_application", &[("id", &id)]).await;
    assert_eq!(location(&approved), "/admin/sellers/applications?done=approved");
    let home = get(&applicant, app, "/seller").await;
    assert_eq!(
        home.status(),
        StatusCode::OK,
        "the applicant's next request acts as the seller"
    );
    assert!(home.text().await.expect("body").contains("Copper Kettle"));
    let again = app.call(&admin, "approve_application", &[("id", &id)]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "decided once");
}

async fn a_wrong_field_keeps_everything_typed(app: &TestApp) {
    let applicant = shopper(app).await;
    let mut form: Vec<(&str, &str)> = APPLICATION.to_vec();
    form.retain(|(k, _)| *k != "support_email");
    form.push(("support_email", "not-an-email"));
    let sent = applicant
        .post(app.url("/api/apply_to_sell"))
        .header("origin", &app.base)
        .header("referer", app.url("/sell"))
        .header("accept", "text/html")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(sent.status(), StatusCode::FOUND);
    assert!(location(&sent).starts_with("/sell"), "{}", location(&sent));
    let page = get(&applicant, app, &location(&sent)).await.text().await.expect("body");
    assert!(
        page.contains("Enter an email address like name@example.com."),
        "the field's message"
    );
    assert!(
        page.contains("value=\"Copper Kettle\""),
        "the store name typed is kept: {page}"
    );
    assert!(
        page.contains("value=\"not-an-email\""),
        "the wrong value itself is kept"
    );
    assert!(page.contains("Unused, within 14 days."), "the text areas too");
    assert_eq!(pending(app).await, 0);
}

on_both_databases!(
    each_role_is_sent_where_it_belongs,
    an_applicant_becomes_a_seller_when_an_admin_approves,
    a_wrong_field_keeps_everything_typed,
);

/// The product form as the editor posts it without JavaScript: one variant, one warehouse.
pub(crate) fn product_form(
    id: &str,
    version: &str,
    title: &str,
    category: &str,
    warehouse: &str,
) -> Vec<(String, String)> {
    [
        ("id", id),
        ("version", version),
        ("title", title),
        ("category", category),
        ("description", "Hand-thrown stoneware."),
        ("status", "draft"),
        ("variants[0][id]", ""),
        ("variants[0][sku]", ""),
        ("variants[0][price]", "18.00"),
        ("variants[0][compare_at]", ""),
        ("variants[0][weight]", "400"),
        ("variants[0][stock][0][warehouse]", warehouse),
        ("variants[0][stock][0][was]", ""),
        ("variants[0][stock][0][units]", "4"),
        ("intent", "save"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub(crate) async fn first_store(app: &TestApp) -> (i64, String, String) {
    let store: i64 = sqlx::query_scalar("SELECT MIN(id) FROM sellers")
        .fetch_one(app.db.pool())
        .await
        .expect("store");
    let warehouse: i64 = sqlx::query_scalar("SELECT MIN(id) FROM warehouses WHERE seller_id = $1")
        .bind(store)
        .fetch_one(app.db.pool())
        .await
        .expect("warehouse");
    let category: i64 = sqlx::query_scalar(
        "SELECT MIN(c.id) FROM categories c WHERE NOT EXISTS (SELECT 1 FROM categories d WHERE d.parent_id = c.id)",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("category");
    (store, warehouse.to_string(), category.to_string())
}

pub(crate) async fn post_form(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    form: &[(String, String)],
    accept: &str,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("origin", &app.base)
        .header("referer", app.url("/seller/products/new"))
        .header("accept", accept)
        .form(form)
        .send()
        .await
        .expect("post")
}

async fn upload(app: &TestApp, client: &Client, product: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    client
        .post(app.url(&format!("/seller/products/{product}/pictures")))
        .header("origin", &app.base)
        .multipart(reqwest::multipart::Form::new().part("pictures", part))
        .send()
        .await
        .expect("upload")
}

async fn a_sellers_products_are_theirs_alone(app: &TestApp) {
    let (_, warehouse, category) = first_store(app).await;
    let seller = demo(app, "seller1").await;
    let saved = post_form(
        app,
        &seller,
        "save_product",
        &product_form("", "", "Stoneware Mug", &category, &warehouse),
        "text/html",
    )
    .await;
    assert_eq!(saved.status(), StatusCode::FOUND);
    let to = location(&saved);
    let id = to
        .strip_prefix("/seller/products/")
        .and_then(|rest| rest.strip_suffix("?saved=1"))
        .unwrap_or_else(|| panic!("sent to the saved product, not {to}"))
        .to_string();
    let editor = get(&seller, app, &format!("/seller/products/{id}")).await;
    assert_eq!(editor.status(), StatusCode::OK);
    assert!(editor.text().await.expect("body").contains("Stoneware Mug"));
    assert!(get(&seller, app, "/seller/products")
        .await
        .text()
        .await
        .expect("body")
        .contains("Stoneware Mug"));

    // A picture: stored, and the editor says so.
    let png = domain::catalog::images::demo_card(40, 2, 200);
    let answer = upload(app, &seller, &id, "mug.png", png).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(location(&answer).contains("uploaded=1"), "{}", location(&answer));
    let too_big = upload(
        app,
        &seller,
        &id,
        "huge.jpg",
        vec![0xFF; domain::catalog::images::MAX_BYTES + 1],
    )
    .await;
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_big.text().await.expect("body").contains("at most 10 MB"));
    let pictures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE product_id = $1")
        .bind(id.parse::<i64>().expect("id"))
        .fetch_one(app.db.pool())
        .await
        .expect("pictures");
    assert_eq!(pictures, 1);

    // Another store's seller: 404 on the page, the save and the upload, and nothing changes.
    let other = demo(app, "seller2").await;
    assert_eq!(
        get(&other, app, &format!("/seller/products/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let hijack = post_form(
        app,
        &other,
        "save_product",
        &product_form(&id, "1", "Hijacked", &category, &warehouse),
        "application/json",
    )
    .await;
    assert_eq!(hijack.status(), StatusCode::NOT_FOUND);
    let answer = upload(app, &other, &id, "x.png", domain::catalog::images::demo_card(1, 1, 64)).await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let bulk = post_form(
        app,
        &other,
        "bulk_products",
        &[
            ("ids[0]".to_string(), id.clone()),
            ("action".to_string(), "archived".to_string()),
            ("confirmed".to_string(), "1".to_string()),
        ],
        "application/json",
    )
    .await;
    assert_eq!(bulk.status(), StatusCode::OK, "an empty selection of one's own");
    let confirm = get(&other, app, &format!("/seller/archive?ids={id}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        confirm.contains("Nothing to archive"),
        "another store's product is not named"
    );
    let (title, status, pictures): (String, String, i64) = sqlx::query_as(
        "SELECT title, status, (SELECT COUNT(*) FROM product_images WHERE product_id = p.id) FROM products p WHERE id = $1",
    )
    .bind(id.parse::<i64>().expect("id"))
    .fetch_one(app.db.pool())
    .await
    .expect("product");
    assert_eq!(
        (title.as_str(), status.as_str(), pictures),
        ("Stoneware Mug", "draft", 1)
    );

    // Archiving asks first, naming the product; confirming archives it.
    let ask = post_form(
        app,
        &seller,
        "bulk_products",
        &[
            ("ids[0]".to_string(), id.clone()),
            ("action".to_string(), "archived".to_string()),
        ],
        "text/html",
    )
    .await;
    assert_eq!(location(&ask), format!("/seller/archive?ids={id}"));
    let confirm = get(&seller, app, &location(&ask)).await.text().await.expect("body");
    assert!(
        confirm.contains("Archive Stoneware Mug?"),
        "the confirmation names the product"
    );
    let status = || async {
        sqlx::query_scalar::<_, String>("SELECT status FROM products WHERE id = $1")
            .bind(id.parse::<i64>().expect("id"))
            .fetch_one(app.db.pool())
            .await
            .expect("status")
    };
    assert_eq!(status().await, "draft", "asking changes nothing");
    let done = post_form(
        app,
        &seller,
        "bulk_products",
        &[
            ("ids[0]".to_string(), id.clone()),
            ("action".to_string(), "archived".to_string()),
            ("confirmed".to_string(), "1".to_string()),
        ],
        "text/html",
    )
    .await;
    assert_eq!(location(&done), "/seller/products?done=archived&changed=1");
    assert_eq!(status().await, "archived");

    // Signed out, a shopper, an admin.
    let anonymous = app.client();
    let answer = get(&anonymous, app, "/seller/products").await;
    assert_eq!(location(&answer), "/login?next=%2Fseller%2Fproducts");
    let answer = upload(
        app,
        &anonymous,
        &id,
        "x.png",
        domain::catalog::images::demo_card(1, 1, 64),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(location(&answer).starts_with("/login?next="));
    let shopper = shopper(app).await;
    assert_eq!(
        location(&get(&shopper, app, &format!("/seller/products/{id}")).await),
        "/sell"
    );
    let listed = shopper
        .get(app.url("/api/seller_products"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("get");
    assert_eq!(listed.status(), StatusCode::NOT_FOUND);
    let admin = demo(app, "admin").await;
    assert_eq!(
        get(&admin, app, "/seller/products").await.status(),
        StatusCode::FORBIDDEN
    );
}

on_both_databases!(a_sellers_products_are_theirs_alone);

async fn stock_changes_are_the_sellers_own(app: &TestApp) {
    let (store, warehouse, _) = first_store(app).await;
    let variant: i64 = sqlx::query_scalar(
        "SELECT MIN(v.id) FROM variants v JOIN products p ON p.id = v.product_id WHERE p.seller_id = $1",
    )
    .bind(store)
    .fetch_one(app.db.pool())
    .await
    .expect("variant");
    let units = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(available), 0) AS BIGINT) FROM stock WHERE variant_id = $1",
        )
        .bind(variant)
        .fetch_one(app.db.pool())
        .await
        .expect("units")
    };
    let before = units().await;
    let form = |n: &str| {
        vec![
            ("variant".to_string(), variant.to_string()),
            ("warehouse".to_string(), warehouse.clone()),
            ("units".to_string(), n.to_string()),
            ("reason".to_string(), "received".to_string()),
            ("mode".to_string(), "change".to_string()),
            ("back".to_string(), "/seller/stock".to_string()),
        ]
    };
    let other = demo(app, "seller2").await;
    let answer = post_form(app, &other, "adjust_stock", &form("5"), "application/json").await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let threshold = post_form(
        app,
        &other,
        "set_stock_threshold",
        &[
            ("variant".to_string(), variant.to_string()),
            ("threshold".to_string(), "1".to_string()),
        ],
        "application/json",
    )
    .await;
    assert_eq!(threshold.status(), StatusCode::NOT_FOUND);
    let shopper = shopper(app).await;
    let answer = post_form(app, &shopper, "adjust_stock", &form("5"), "application/json").await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert_eq!(location(&get(&shopper, app, "/seller/stock").await), "/sell");
    assert_eq!(
        location(&get(&app.client(), app, "/seller/stock").await),
        "/login?next=%2Fseller%2Fstock"
    );
    assert_eq!(units().await, before, "nothing changed");

    let seller = demo(app, "seller1").await;
    let answer = post_form(app, &seller, "adjust_stock", &form("5"), "text/html").await;
    assert_eq!(answer.status(), StatusCode::FOUND);
    assert!(
        location(&answer).starts_with("/seller/stock?updated="),
        "{}",
        location(&answer)
    );
    assert_eq!(units().await, before + 5);
    let page = get(&seller, app, &location(&answer)).await.text().await.expect("body");
    assert!(page.contains("Received"), "the movement is in the history");
}

on_both_databases!(stock_changes_are_the_sellers_own);

async fn store_settings_are_the_sellers_own(app: &TestApp) {
    let (store, warehouse, _) = first_store(app).await;
    let rate: i64 = sqlx::query_scalar("SELECT MIN(id) FROM shipping_rates WHERE seller_id = $1")
        .bind(store)
        .fetch_one(app.db.pool())
        .await
        .expect("rate");
    let other = demo(app, "seller2").await;
    for (endpoint, form) in [
        (
            "rename_warehouse",
            vec![("id", warehouse.clone()), ("name", "Taken over".to_string())],
        ),
        ("remove_warehouse", vec![("id", warehouse.clone())]),
        ("remove_shipping_rate", vec![("id", rate.to_string())]),
    ] {
        let form: Vec<(String, String)> = form.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let answer = post_form(app, &other, endpoint, &form, "application/json").await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{endpoint}");
    }
    let still: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM warehouses WHERE id = $1 AND name <> 'Taken over'), \
         (SELECT COUNT(*) FROM shipping_rates WHERE id = $2)",
    )
    .bind(warehouse.parse::<i64>().expect("id"))
    .bind(rate)
    .fetch_one(app.db.pool())
    .await
    .expect("unchanged");
    assert_eq!(still, (1, 1));
    // Another store's warehouse as one's default warehouse: refused, and neither store's policy changes.
    let policy = vec![
        ("default_warehouse".to_string(), warehouse.clone()),
        ("backorders".to_string(), "on".to_string()),
    ];
    let answer = post_form(app, &other, "save_stock_policy", &policy, "application/json").await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let shopper = shopper(app).await;
    let answer = post_form(app, &shopper, "save_stock_policy", &policy, "application/json").await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND, "a shopper runs no store");
    let changed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sellers WHERE backorders = 1 OR default_warehouse_id IS NOT NULL")
            .fetch_one(app.db.pool())
            .await
            .expect("policies");
    assert_eq!(changed, 0);
    assert_eq!(location(&get(&shopper, app, "/seller/settings").await), "/sell");
    let seller = demo(app, "seller1").await;
    let page = get(&seller, app, "/seller/settings").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("body").contains("Shipping rates"));
}

on_both_databases!(store_settings_are_the_sellers_own);

async fn upload_catalog(app: &TestApp, client: &Client, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("catalog.csv");
    client
        .post(app.url("/seller/products/import"))
        .header("origin", &app.base)
        .multipart(reqwest::multipart::Form::new().part("file", part).text("category", ""))
        .send()
        .await
        .expect("upload")
}

async fn catalog_files_are_the_sellers_own(app: &TestApp) {
    let seller = demo(app, "seller1").await;
    let export = get(&seller, app, "/seller/products/export.csv").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(export.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = export.headers()["content-disposition"]
        .to_str()
        .expect("header")
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"") && disposition.contains("-products-"),
        "{disposition}"
    );
    let body = export.bytes().await.expect("body").to_vec();
    assert!(body.starts_with(b"\xEF\xBB\xBFHandle,Title,Body (HTML)"));
    // The export imports back as no change.
    let sent = upload_catalog(app, &seller, body.clone()).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let report = location(&sent);
    assert!(report.starts_with("/seller/products/import/"), "{report}");
    let page = get(&seller, app, &report).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("page").contains("Nothing to change"));
    let id = report.rsplit('/').next().expect("id").to_string();

    // Another store's seller: the report is not found and applying changes nothing.
    let other = demo(app, "seller2").await;
    assert_eq!(get(&other, app, &report).await.status(), StatusCode::NOT_FOUND);
    let answer = post_form(
        app,
        &other,
        "apply_import",
        &[("id".to_string(), id.clone())],
        "application/json",
    )
    .await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let retried = post_form(
        app,
        &other,
        "retry_pictures",
        &[("id".to_string(), id.clone())],
        "application/json",
    )
    .await;
    assert_eq!(
        retried.status(),
        StatusCode::NOT_FOUND,
        "nor are its pictures sent again"
    );
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_imports WHERE applied_at IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(applied, 0);

    // A file that says it is UTF-8 and is not is refused with why, on the import page (one without the mark is
    // read as Windows-1252).
    let refused = upload_catalog(app, &seller, b"\xEF\xBB\xBFHandle,Title\nmug,Caf\xe9 mug\n".to_vec()).await;
    assert_eq!(location(&refused), "/seller/products/import#upload");
    let page = get(&seller, app, "/seller/products/import")
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("but row 2 is not"), "the reason is shown");

    // A shopper is sent to the application, signed out to the login, an admin is refused.
    let shopper = shopper(app).await;
    for path in ["/seller/products/import", "/seller/products/export.csv", &report] {
        assert_eq!(location(&get(&shopper, app, path).await), "/sell", "{path}");
    }
    assert_eq!(location(&upload_catalog(app, &shopper, body.clone()).await), "/sell");
    let anonymous = app.client();
    assert_eq!(
        location(&get(&anonymous, app, "/seller/products/export.csv").await),
        "/login?next=%2Fseller%2Fproducts%2Fexport.csv"
    );
    assert_eq!(
        location(&upload_catalog(app, &anonymous, body.clone()).await),
        "/login?next=%2Fseller%2Fproducts%2Fimport"
    );
    let admin = demo(app, "admin").await;
    assert_eq!(
        get(&admin, app, "/seller/products/export.csv").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&admin, app, "/seller/products/import").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(upload_catalog(app, &admin, body).await.status(), StatusCode::FORBIDDEN);
}

on_both_databases!(catalog_files_are_the_sellers_own);

async fn a_logo_is_the_sellers_own(app: &TestApp) {
    let send = |client: Client, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("logo.png");
        let url = app.url("/seller/settings/logo");
        let origin = app.base.clone();
        async move {
            client
                .post(url)
                .header("origin", origin)
                .multipart(reqwest::multipart::Form::new().part("logo", part))
                .send()
                .await
                .expect("upload")
        }
    };
    let picture = domain::catalog::images::demo_card(120, 1, 200);
    let seller = demo(app, "seller1").await;
    let saved = send(seller.clone(), picture.clone()).await;
    assert_eq!(location(&saved), "/seller/settings?saved=logo#logo-title");
    let refused = send(seller.clone(), b"GIF89a not really".to_vec()).await;
    assert_eq!(location(&refused), "/seller/settings#logo-title");
    let page = get(&seller, app, "/seller/settings").await.text().await.expect("page");
    assert!(page.contains("field-logo-error"), "the refusal is shown on the field");
    let logos: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sellers WHERE logo_key IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(
        logos, 1,
        "only the seller's own store has one; the refused file changed nothing"
    );
    assert_eq!(location(&send(shopper(app).await, picture.clone()).await), "/sell");
    assert_eq!(
        location(&send(app.client(), picture.clone()).await),
        "/login?next=%2Fseller%2Fsettings"
    );
    assert_eq!(
        send(demo(app, "admin").await, picture).await.status(),
        StatusCode::FORBIDDEN
    );
}

on_both_databases!(a_logo_is_the_sellers_own);
