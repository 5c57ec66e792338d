//! One SQL path for SQLite and PostgreSQL through sqlx's `Any` driver.
//!
//! Queries use `$n` placeholders (understood by both backends), BIGINT/TEXT columns, and integer
//! timestamps, so every query is written once. See docs/decisions/0002-one-sql-path.md.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor, Row};

/// The database error, for crates that do not depend on sqlx themselves (the web app maps it to its opaque
/// internal error).
pub use sqlx::Error as SqlError;

/// Which database a pool talks to. Only start-up code and a few diagnostics look at this; queries never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres:")]
    UnsupportedUrl,
    #[error("could not create the database directory {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error("SQLite setting {pragma} is {actual}, expected {expected}")]
    Pragma {
        pragma: &'static str,
        actual: String,
        expected: String,
    },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How a SQLite commit is made durable (`SQLITE_SYNC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// `synchronous=FULL`: a committed order survives power loss; each commit waits for the disk (an fsync, about
    /// 3 ms on the disk measured here, and SQLite commits one writer at a time). The default.
    #[default]
    Full,
    /// `synchronous=NORMAL` with WAL: a commit survives a crash of the process but may be lost, with the ones
    /// after it, if the machine loses power before the next checkpoint; the database never corrupts.
    Normal,
}

impl std::str::FromStr for SqliteSync {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "full" => Ok(SqliteSync::Full),
            "normal" => Ok(SqliteSync::Normal),
            other => Err(format!("expected full or normal, got {other:?}")),
        }
    }
}

/// SQLite settings applied to every connection, and verified after connecting.
fn sqlite_pragmas(sync: SqliteSync) -> [(&'static str, &'static str); 4] {
    [
        ("journal_mode", "wal"),
        (
            "synchronous",
            match sync {
                SqliteSync::Full => "2",
                SqliteSync::Normal => "1",
            },
        ),
        ("busy_timeout", "5000"),
        ("foreign_keys", "1"),
    ]
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The database handle every use case takes. Cheap to clone (a pool).
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time. Writers of this process take turns here, woken in order, instead of
    /// polling the database file's lock (SQLite's busy handler sleeps between polls, which wastes most of the
    /// time under contention). Other processes still meet busy_timeout.
    write_turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction (see [`Db::begin_write`]). Derefs to the connection, so `&mut *tx` is passed to queries
/// and to functions taking `&mut AnyConnection`.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl Db {
    /// Connects, applies the SQLite settings (`synchronous=FULL`), and verifies them. Does not migrate.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        Db::connect_with(url, max_connections, SqliteSync::Full).await
    }

    /// [`Db::connect`] with a chosen SQLite durability (PostgreSQL ignores it).
    pub async fn connect_with(url: &str, max_connections: u32, sync: SqliteSync) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        if backend == Backend::Sqlite {
            create_sqlite_parent_dir(url)?;
        }
        let url = match backend {
            // mode=rwc creates the file on first start.
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for (name, value) in sqlite_pragmas(sync) {
                            conn.execute(format!("PRAGMA {name} = {value}").as_str()).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let db = Db {
            pool,
            backend,
            write_turn: std::sync::Arc::default(),
        };
        if backend == Backend::Sqlite {
            db.verify_sqlite_settings(sync).await?;
        }
        Ok(db)
    }

    /// Applies pending migrations (idempotent).
    pub async fn migrate(&self) -> Result<(), DbError> {
        MIGRATOR.run(&self.pool).await?;
        // Triggers are spelled differently on each engine, so they are kept out of the shared migrations and
        // (re)made here, idempotently: the money tables that take no UPDATE or DELETE (decision 0028).
        let append_only = match self.backend {
            Backend::Sqlite => include_str!("../../sql/append_only_sqlite.sql"),
            Backend::Postgres => include_str!("../../sql/append_only_postgres.sql"),
        };
        sqlx::raw_sql(append_only).execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for readiness probes.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Runs one writing statement on its own. On SQLite it takes the process's write turn like every write
    /// transaction: a statement run straight on the pool would wait on busy_timeout instead, and lose the lock
    /// again and again to writers that take turns (measured: sessions failed to save behind a large catalog
    /// import). Never call it while holding a write transaction.
    pub async fn write_one<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let mut tx = self.begin_write().await?;
                let done = query.execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done)
            }
            Backend::Postgres => query.execute(&self.pool).await,
        }
    }

    /// Starts a write transaction. On SQLite it begins IMMEDIATE so the write lock is taken up front and two
    /// writers queue on busy_timeout instead of failing with SQLITE_BUSY at their first write.
    /// On SQLite the process's writers also take turns (see `write_turn`). Never begin a write transaction while
    /// holding another.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let turn = self.write_turn.clone().lock_owned().await;
                Ok(WriteTx {
                    tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _turn: Some(turn),
                })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _turn: None,
            }),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn verify_sqlite_settings(&self, sync: SqliteSync) -> Result<(), DbError> {
        let mut conn = self.pool.acquire().await?;
        for (name, expected) in sqlite_pragmas(sync) {
            let row = sqlx::query(&format!("PRAGMA {name}")).fetch_one(&mut *conn).await?;
            let actual: String = match row.try_get::<String, _>(0) {
                Ok(text) => text,
                Err(_) => row.try_get::<i64, _>(0)?.to_string(),
            };
            // An in-memory database cannot use WAL; it reports "memory", which is expected there.
            let in_memory = name == "journal_mode" && actual == "memory";
            if !actual.eq_ignore_ascii_case(expected) && !in_memory {
                return Err(DbError::Pragma {
                    pragma: name,
                    actual,
                    expected: expected.to_string(),
                });
            }
        }
        Ok(())
    }
}

fn create_sqlite_parent_dir(url: &str) -> Result<(), DbError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|source| DbError::CreateDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
    }
    Ok(())
}

/// True when the error is a unique-constraint violation (both backends report it through sqlx's DatabaseError).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_url_scheme() {
        assert_eq!(Backend::from_url("sqlite://data/x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://u@h/db").ok(), Some(Backend::Postgres));
        assert!(Backend::from_url("mysql://u@h/db").is_err());
    }
}
