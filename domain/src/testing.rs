//! Fresh databases for tests (feature `testing`, for this crate's and the server's test binaries only): a new
//! SQLite file, or a new PostgreSQL database created on the server named by BAZAAR_TEST_PG_URL (default: the local
//! `test` database). The PostgreSQL half runs whenever that server answers, and is mandatory when CI is set.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sqlx::Connection;

use crate::platform::clock::now_ms;
use crate::Db;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A migrated database of its own; `finish` removes it (a SQLite file is also removed when it is dropped).
pub struct TestDb {
    pub db: Db,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A name no other test of any running binary uses: a database, a file, an email address.
pub fn unique_name() -> String {
    format!(
        "bazaar_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        now_ms()
    )
}

pub async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    let db = Db::connect(&format!("sqlite://{}", path.display()), 4)
        .await
        .expect("open sqlite");
    db.migrate().await.expect("migrate sqlite");
    TestDb {
        db,
        cleanup: Some(Cleanup::File(path)),
    }
}

pub fn pg_admin_url() -> String {
    std::env::var("BAZAAR_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// `None` when PostgreSQL is not reachable outside CI: a note goes to stderr and to `skipped_marker` (the output
/// of passing tests is not shown; scripts/test.sh reads the file and says it loudly).
pub async fn postgres(skipped_marker: &Path) -> Option<TestDb> {
    let admin_url = pg_admin_url();
    let admin = tokio::time::timeout(Duration::from_secs(3), sqlx::PgConnection::connect(&admin_url)).await;
    let mut admin = match admin {
        Ok(Ok(conn)) => conn,
        other => {
            let why = match other {
                Ok(Err(e)) => e.to_string(),
                _ => "timed out".to_string(),
            };
            if std::env::var_os("CI").is_some() {
                panic!("PostgreSQL at {admin_url} is required when CI is set: {why}");
            }
            eprintln!("note: PostgreSQL not reachable ({why}); PostgreSQL half skipped");
            let _ = std::fs::write(skipped_marker, format!("PostgreSQL at {admin_url}: {why}\n"));
            return None;
        }
    };
    let name = unique_name();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let url = replace_db_name(&admin_url, &name);
    let db = Db::connect(&url, 4).await.expect("connect to test database");
    db.migrate().await.expect("migrate postgres");
    Some(TestDb {
        db,
        cleanup: Some(Cleanup::Postgres { admin_url, name }),
    })
}

pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

impl TestDb {
    /// The URL a second connection (a server under test, say) opens the same database with.
    pub fn url(&self) -> String {
        match &self.cleanup {
            Some(Cleanup::File(path)) => format!("sqlite://{}", path.display()),
            Some(Cleanup::Postgres { admin_url, name }) => replace_db_name(admin_url, name),
            None => String::new(),
        }
    }

    pub async fn finish(mut self) {
        self.db.close().await;
        match self.cleanup.take() {
            Some(Cleanup::File(path)) => remove_sqlite_files(&path),
            Some(Cleanup::Postgres { admin_url, name }) => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            }
            None => {}
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // A PostgreSQL database needs `finish` (async); a file can go now.
        if let Some(Cleanup::File(path)) = &self.cleanup {
            remove_sqlite_files(path);
        }
    }
}

// -----------------------------------------------------------------------------------------------------------------
// Acting as a store's seller: tests change the catalog through the same use cases a seller's screens call, never
// through a shortcut production lacks.

/// A new account made the seller of `store` (a shopper's actor when there is no such store).
pub async fn seller_of_store(db: &Db, store: i64) -> crate::Actor {
    let user = crate::accounts::register(
        db,
        &crate::accounts::Registration {
            name: "Test Shopper".into(),
            email: format!("{}@example.com", unique_name()),
            password: "correct horse battery".into(),
        },
    )
    .await
    .expect("register");
    sqlx::query("UPDATE users SET role = 'seller' WHERE id = $1")
        .bind(user.id)
        .execute(db.pool())
        .await
        .expect("role");
    sqlx::query("UPDATE sellers SET user_id = $1 WHERE id = $2")
        .bind(user.id)
        .bind(store)
        .execute(db.pool())
        .await
        .expect("store");
    crate::accounts::find_user(db, user.id)
        .await
        .expect("find user")
        .expect("user exists")
        .actor()
}

/// The product of a variant, and an actor running its store.
async fn seller_of_variant(db: &Db, variant: i64) -> (crate::Actor, i64) {
    let (product, store): (i64, i64) = sqlx::query_as(
        "SELECT p.id, p.seller_id FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1",
    )
    .bind(variant)
    .fetch_one(db.pool())
    .await
    .expect("variant");
    (seller_of_store(db, store).await, product)
}

/// The store's seller gives one variant a new price (minor units) in the product editor, as sellers do.
pub async fn seller_sets_price(db: &Db, variant: i64, price: i64) {
    let (seller, product) = seller_of_variant(db, variant).await;
    let mut form = crate::catalog::editor::editor(db, &seller, Some(product), None)
        .await
        .expect("editor")
        .form;
    let row = form
        .variants
        .iter_mut()
        .find(|v| v.id == variant.to_string())
        .expect("the variant is on the form");
    row.price = crate::catalog::editor::money_text(price);
    // A sale price no longer above the new price is taken off, as the editor asks the seller to.
    if crate::catalog::editor::parse_money(&row.compare_at).is_some_and(|c| c <= price) {
        row.compare_at.clear();
    }
    crate::workflows::save_product::save_product(db, &seller, &form)
        .await
        .expect("the seller's save");
}

/// The store's seller publishes, unpublishes or archives a product (the products index's bulk action).
pub async fn seller_sets_status(db: &Db, product: i64, status: &str) {
    let store: i64 = sqlx::query_scalar("SELECT seller_id FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(db.pool())
        .await
        .expect("product");
    let seller = seller_of_store(db, store).await;
    let done = crate::catalog::editor::set_status_bulk(db, &seller, &[product], status)
        .await
        .expect("status");
    assert_eq!(done.changed, 1, "the status changed: {done:?}");
}

/// The store's seller counts a variant in one warehouse (the stock screen's "set the counted figure").
pub async fn seller_counts(db: &Db, variant: i64, warehouse: i64, units: i64) {
    let (seller, _) = seller_of_variant(db, variant).await;
    let count = crate::workflows::adjust_stock::Adjustment {
        variant_id: variant,
        warehouse_id: warehouse,
        units: units.to_string(),
        reason: "count".into(),
        mode: "count".into(),
    };
    crate::workflows::adjust_stock::adjust_stock(db, &seller, &count)
        .await
        .expect("the count");
}
