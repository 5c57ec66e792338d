use domain::{Backend, Db};

use crate::db_tests;

async fn migrations_apply_twice_without_change(db: Db) {
    db.migrate().await.expect("second migrate");
    db.ping().await.expect("ping");
}

async fn conditional_decrement_never_goes_below_zero(db: Db) {
    // The stock rule every later issue relies on, checked on both backends with the portable SQL it uses.
    sqlx::query("CREATE TABLE probe_stock (id BIGINT PRIMARY KEY, available BIGINT NOT NULL CHECK (available >= 0))")
        .execute(db.pool())
        .await
        .expect("create");
    sqlx::query("INSERT INTO probe_stock (id, available) VALUES (1, 3)")
        .execute(db.pool())
        .await
        .expect("insert");
    let take = |n: i64| {
        let db = db.clone();
        async move {
            let mut tx = db.begin_write().await.expect("begin");
            let done =
                sqlx::query("UPDATE probe_stock SET available = available - $1 WHERE id = 1 AND available >= $1")
                    .bind(n)
                    .execute(&mut *tx)
                    .await
                    .expect("update");
            tx.commit().await.expect("commit");
            done.rows_affected()
        }
    };
    let results = futures_join(vec![take(2), take(2), take(1)]).await;
    let taken: u64 = results.iter().sum();
    assert!(taken == 2, "two of three takes must succeed, got {results:?}");
    let left: i64 = sqlx::query_scalar("SELECT available FROM probe_stock WHERE id = 1")
        .fetch_one(db.pool())
        .await
        .expect("read");
    assert!(left == 0 || left == 1, "left {left}");
}

async fn futures_join<F: std::future::Future<Output = u64> + Send + 'static>(futs: Vec<F>) -> Vec<u64> {
    let handles: Vec<_> = futs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("join"));
    }
    out
}

db_tests!(
    migrations_apply_twice_without_change,
    conditional_decrement_never_goes_below_zero
);

#[tokio::test]
async fn sqlite_start_up_sets_wal_full_sync_busy_timeout_and_foreign_keys() {
    let t = crate::harness::sqlite().await;
    assert_eq!(t.db.backend(), Backend::Sqlite);
    let mut conn = t.db.pool().acquire().await.expect("conn");
    for (pragma, expected) in [
        ("journal_mode", "wal"),
        ("synchronous", "2"),
        ("busy_timeout", "5000"),
        ("foreign_keys", "1"),
    ] {
        let row: sqlx::any::AnyRow = sqlx::query(&format!("PRAGMA {pragma}"))
            .fetch_one(&mut *conn)
            .await
            .expect("pragma");
        use sqlx::Row;
        let actual = row
            .try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
            .expect("value");
        assert_eq!(actual.to_lowercase(), expected, "{pragma}");
    }
    drop(conn);
    t.finish().await;
}
