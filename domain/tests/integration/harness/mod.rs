//! Each test gets its own fresh database: a new SQLite file, or a new PostgreSQL database created on the server
//! named by BAZAAR_TEST_PG_URL (default: the local `test` database). The PostgreSQL half runs whenever the server
//! answers, and is mandatory when CI is set.

pub mod fixtures;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use domain::Db;
use sqlx::Connection;

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestDb {
    pub db: Db,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique_name() -> String {
    format!(
        "bazaar_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        domain::platform::clock::now_ms()
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
        cleanup: Cleanup::File(path),
    }
}

/// Written when the PostgreSQL half is skipped (outside CI); scripts/test.sh reports it after the run.
pub fn skipped_marker() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("postgres-skipped")
}

pub fn pg_admin_url() -> String {
    std::env::var("BAZAAR_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// `None` (with a note on stderr) when PostgreSQL is not reachable outside CI.
pub async fn postgres() -> Option<TestDb> {
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
            // The test output of passing tests is not shown: this file makes scripts/test.sh say it loudly.
            let _ = std::fs::write(skipped_marker(), format!("PostgreSQL at {admin_url}: {why}\n"));
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
        cleanup: Cleanup::Postgres { admin_url, name },
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

impl TestDb {
    pub async fn finish(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            }
        }
    }
}

/// Declares each listed `async fn name(db: Db)` as two tests, `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let t = $crate::harness::sqlite().await;
                    super::$name(t.db.clone()).await;
                    t.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(t) = $crate::harness::postgres().await {
                        super::$name(t.db.clone()).await;
                        t.finish().await;
                    }
                }
            }
        )*
    };
}

/// Actors for use cases, made the only way the domain allows: from a user row it reads back.
pub mod actors {
    use domain::accounts::{self, Registration};
    use domain::{Actor, Db};

    fn unique_email(prefix: &str) -> String {
        format!("{prefix}-{}@example.com", super::unique_name())
    }

    /// The actor of an existing account.
    pub async fn of_user(db: &Db, user_id: i64) -> Actor {
        accounts::find_user(db, user_id)
            .await
            .expect("find user")
            .expect("user exists")
            .actor()
    }

    /// A new shopper account: its id and actor.
    pub async fn shopper(db: &Db) -> (i64, Actor) {
        let user = accounts::register(
            db,
            &Registration {
                name: "Test Shopper".into(),
                email: unique_email("shopper"),
                password: "correct horse battery".into(),
            },
        )
        .await
        .expect("register");
        (user.id, user.actor())
    }

    /// A new admin account's actor.
    pub async fn admin(db: &Db) -> Actor {
        accounts::create_admin(
            db,
            &Registration {
                name: "Test Admin".into(),
                email: unique_email("admin"),
                password: "correct horse battery".into(),
            },
        )
        .await
        .expect("create admin")
        .actor()
    }

    /// A new account that runs store `store_id` (a shopper's actor when there is no such store).
    pub async fn seller_of(db: &Db, store_id: i64) -> Actor {
        let (user_id, _) = shopper(db).await;
        sqlx::query("UPDATE users SET role = 'seller' WHERE id = $1")
            .bind(user_id)
            .execute(db.pool())
            .await
            .expect("role");
        sqlx::query("UPDATE sellers SET user_id = $1 WHERE id = $2")
            .bind(user_id)
            .bind(store_id)
            .execute(db.pool())
            .await
            .expect("store");
        of_user(db, user_id).await
    }
}
