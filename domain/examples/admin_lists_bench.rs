//! Admin lists at scale (issue 23: "admin user and order lists at 100,000 rows, p99 ≤ 50 ms per page"):
//! `rows` accounts and as many audit entries written straight into their tables, then 200 reads each of
//! - the accounts list: the first page, a page from the middle (its keyset cursor), a search by a word of the
//!   name, a role and state filter;
//! - the audit log: the first page, a page from the middle, one action, one account's trail, a search by words.
//!
//!   cargo run --release -p domain --example admin_lists_bench -- [rows] [database url]
//!
//! Without a URL it uses a fresh SQLite file; a PostgreSQL URL must name an empty database.

use std::time::Instant;

use domain::admin::{audit, users};
use domain::Db;
use model::admin::{AccountState, AuditFilter, UserFilter};
use model::Role;

#[path = "admin_bench/mod.rs"]
mod admin_bench;
use admin_bench::time;

const NAMES: [&str; 8] = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"];
const ACTIONS: [&str; 4] = ["account.suspended", "product.changed", "stock.adjusted", "money.payout"];

async fn write_rows(db: &Db, rows: usize) {
    let now = domain::platform::clock::now_ms();
    for chunk in (0..rows).collect::<Vec<_>>().chunks(5_000) {
        let mut tx = db.begin_write().await.expect("tx");
        for &i in chunk {
            let id = 3_000_000_000 + i as i64;
            let name = format!("{} Tester{i}", NAMES[i % NAMES.len()]);
            let (role, disabled) = match i % 50 {
                0 => ("seller", None),
                1 => ("shopper", Some(now)),
                _ => ("shopper", None),
            };
            sqlx::query(
                "INSERT INTO users (id, email, name, password_hash, role, disabled_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'x', $4, $5, $6, $6)",
            )
            .bind(id)
            .bind(format!("bench{i}@example.com"))
            .bind(&name)
            .bind(role)
            .bind(disabled)
            .bind(now - i as i64)
            .execute(&mut *tx)
            .await
            .expect("user");
            sqlx::query(
                "INSERT INTO audit_log (id, at, actor_id, actor_name, actor_role, session, action, subject_kind, \
                 subject_id, subject_label, store_id, changes, reason) VALUES ($1, $2, $3, 'Bench Admin', 'admin', \
                 NULL, $4, 'account', $5, $6, NULL, '[{\"field\":\"state\",\"before\":\"Active\",\"after\":\"Suspended\"}]', \
                 'Bench reason')",
            )
            .bind(id)
            .bind(now - i as i64)
            .bind(3_000_000_000 + (i % 100) as i64)
            .bind(ACTIONS[i % ACTIONS.len()])
            .bind(id.to_string())
            .bind(&name)
            .execute(&mut *tx)
            .await
            .expect("entry");
        }
        tx.commit().await.expect("commit");
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let url = args.get(2).cloned().unwrap_or_else(|| {
        let file = std::env::temp_dir().join(format!("bazaar_admin_bench_{}.db", std::process::id()));
        format!("sqlite://{}?mode=rwc", file.display())
    });
    let db = Db::connect(&url, 4).await.expect("connect");
    db.migrate().await.expect("migrate");
    let admin = admin_bench::admin(&db).await;
    let started = Instant::now();
    write_rows(&db, rows).await;
    println!(
        "{} on {rows} accounts and {rows} audit entries (written in {:.1} s)",
        db.backend().name(),
        started.elapsed().as_secs_f64()
    );
    let middle = (3_000_000_000 + rows as i64 / 2).to_string();

    let users_page = |filter: UserFilter, after: String| {
        let (db, admin) = (db.clone(), admin);
        async move {
            users::list(&db, &admin, &filter, &after)
                .await
                .expect("list")
                .rows
                .len()
        }
    };
    time("accounts, first page", || {
        users_page(UserFilter::default(), String::new())
    })
    .await;
    time("accounts, a middle page", || {
        users_page(UserFilter::default(), middle.clone())
    })
    .await;
    let word = UserFilter {
        q: "tester4242".into(),
        ..UserFilter::default()
    };
    time("accounts, a search by name", || users_page(word.clone(), String::new())).await;
    let narrowed = UserFilter {
        role: Some(Role::Shopper),
        state: Some(AccountState::Suspended),
        ..UserFilter::default()
    };
    time("accounts, role and state", || {
        users_page(narrowed.clone(), String::new())
    })
    .await;

    let log_page = |filter: AuditFilter, after: String| {
        let (db, admin) = (db.clone(), admin);
        async move {
            audit::search(&db, &admin, &filter, &after)
                .await
                .expect("log")
                .entries
                .len()
        }
    };
    time("audit log, first page", || {
        log_page(AuditFilter::default(), String::new())
    })
    .await;
    time("audit log, a middle page", || {
        log_page(AuditFilter::default(), middle.clone())
    })
    .await;
    let action = AuditFilter {
        action: "money.payout".into(),
        ..AuditFilter::default()
    };
    time("audit log, one action", || log_page(action.clone(), String::new())).await;
    let account = AuditFilter {
        actor: Some(3_000_000_007),
        ..AuditFilter::default()
    };
    time("audit log, one account's trail", || {
        log_page(account.clone(), String::new())
    })
    .await;
    let words = AuditFilter {
        q: "tester4242".into(),
        ..AuditFilter::default()
    };
    time("audit log, a search by words", || {
        log_page(words.clone(), String::new())
    })
    .await;
}
