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
