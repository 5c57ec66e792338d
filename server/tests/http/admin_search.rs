//! The admins' search screen over HTTP: signed out → the login, a shopper and a seller → 403 on the pages and the
//! reads, and their posts change nothing; an admin's synonym, sent as a browser without JavaScript sends it, makes
//! a search that found nothing find the product within seconds (the cached listing dropped), a wrong one comes back
//! with its message and what was typed; the rebuild button reports its count. Both databases.

use std::time::Duration;

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{demo, eventually, location, TestApp};

async fn synonyms(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM search_synonyms")
        .fetch_one(app.db.pool())
        .await
        .expect("count")
}

async fn only_admins_change_search(app: &TestApp) {
    let anonymous = app.client();
    for path in ["/admin/search", "/admin/search/synonyms/1"] {
        let answer = anonymous.get(app.url(path)).send().await.expect("get");
        assert!(answer.status().is_redirection(), "{path} signed out");
        assert!(location(&answer).starts_with("/login?next=%2Fadmin%2Fsearch"), "{path}");
    }
    let answer = anonymous.get(app.url("/api/admin_search")).send().await.expect("get");
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let shopper = demo(app, "shopper").await;
    let seller = demo(app, "seller1").await;
    for (who, client) in [("shopper", &shopper), ("seller", &seller)] {
        for path in [
            "/admin/search",
            "/admin/search/synonyms/1",
            "/api/admin_search",
            "/api/admin_synonym?id=1",
        ] {
            let answer = client.get(app.url(path)).send().await.expect("get");
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {path}");
            assert!(!answer.text().await.expect("body").contains("Synonyms"), "{who} {path}");
        }
        for (endpoint, form) in [
            ("save_synonym", vec![("term", "sofa"), ("alternatives", "couch")]),
            ("remove_synonym", vec![("id", "1"), ("version", "1")]),
            ("rebuild_search_index", vec![]),
        ] {
            let answer = app.call(client, endpoint, &form).await;
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{who} {endpoint}");
        }
    }
    assert_eq!(synonyms(app).await, 0);
    let asked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_rebuilds")
        .fetch_one(app.db.pool())
        .await
        .expect("rebuilds");
    assert_eq!(asked, 0);
}

async fn a_synonym_makes_an_empty_search_find_the_product(app: &TestApp) {
    let (title, word): (String, String) = {
        let title: String =
            sqlx::query_scalar("SELECT title FROM products WHERE status = 'active' ORDER BY id LIMIT 1")
                .fetch_one(app.db.pool())
                .await
                .expect("title");
        let word = title
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| w.len() >= 4)
            .expect("a long word")
            .to_string();
        (title, word)
    };
    let shopper = app.client();
    // Twice: the second answer comes from the page cache, which the synonym must drop.
    for _ in 0..2 {
        let page = app.page(&shopper, "/search?q=zqxsettee").await;
        assert!(!page.contains(&title), "nothing found yet");
    }
    let admin = demo(app, "admin").await;
    let screen = app.page(&admin, "/admin/search?term=zqxsettee").await;
    assert!(
        screen.contains("Add a synonym") && screen.contains("value=\"zqxsettee\""),
        "the word filled in"
    );

    // A wrong rule comes back with its message and what was typed.
    let refused = admin
        .post(app.url("/api/save_synonym"))
        .header("origin", &app.base)
        .header("referer", app.url("/admin/search"))
        .header("accept", "text/html")
        .form(&[
            ("id", ""),
            ("version", ""),
            ("term", "zqx settee"),
            ("alternatives", "kept words"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::FOUND);
    let again = app.page(&admin, &location(&refused)).await;
    assert!(again.contains("Enter one word"), "the field's message");
    assert!(again.contains("kept words"), "what was typed is kept");
    assert_eq!(synonyms(app).await, 0);

    let saved = app
        .submit(
            &admin,
            "save_synonym",
            &[
                ("id", ""),
                ("version", ""),
                ("term", "zqxsettee"),
                ("alternatives", &word),
            ],
        )
        .await;
    assert_eq!(location(&saved), "/admin/search?done=saved");
    let screen = app.page(&admin, "/admin/search?done=saved").await;
    assert!(screen.contains("Synonym saved") && screen.contains("zqxsettee"));
    eventually(Duration::from_secs(10), "the search finds the product", || async {
        app.page(&shopper, "/search?q=zqxsettee").await.contains(&title)
    })
    .await;

    let rebuild = app.submit(&admin, "rebuild_search_index", &[]).await;
    assert_eq!(location(&rebuild), "/admin/search?done=rebuild");
    let on_sale = domain::search::on_sale(&app.db).await.expect("on sale");
    eventually(Duration::from_secs(10), "the rebuild is done", || async {
        app.page(&admin, "/admin/search")
            .await
            .contains(&format!("{on_sale} products indexed"))
    })
    .await;
    let audit = app.page(&admin, "/admin/audit?action=search.synonym").await;
    assert!(audit.contains("zqxsettee"), "the synonym is in the audit log");
}

on_both_databases!(
    only_admins_change_search,
    a_synonym_makes_an_empty_search_find_the_product
);
