//! Each test gets its own fresh database: a new SQLite file, or a new PostgreSQL database created on the server
//! named by BAZAAR_TEST_PG_URL (default: the local `test` database). The PostgreSQL half runs whenever the server
//! answers, and is mandatory when CI is set.

pub mod fixtures;
pub mod gateways;

pub use domain::testing::{sqlite, TestDb};

/// Written when the PostgreSQL half is skipped (outside CI); scripts/test.sh reports it after the run.
pub fn skipped_marker() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("postgres-skipped")
}

pub async fn postgres() -> Option<TestDb> {
    domain::testing::postgres(&skipped_marker()).await
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
        format!("{prefix}-{}@example.com", domain::testing::unique_name())
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
        confirm_email(db, user.id).await;
        (user.id, user.actor())
    }

    /// The address of account `user_id`.
    pub async fn email_of(db: &Db, user_id: i64) -> String {
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(db.pool())
            .await
            .expect("email")
    }

    /// Confirms account `user_id`'s address the way its owner does: a link is sent, and opened.
    pub async fn confirm_email(db: &Db, user_id: i64) {
        accounts::verification::resend(db, user_id).await.expect("send a link");
        let token = latest_link(db, user_id, "/verify-email?token=").await;
        accounts::verification::confirm(db, &token).await.expect("confirm");
    }

    /// The token of the newest link starting with `prefix` mailed to account `user_id`.
    pub async fn latest_link(db: &Db, user_id: i64, prefix: &str) -> String {
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT o.body FROM mail_outbox o JOIN users u ON u.email = o.to_addr WHERE u.id = $1 ORDER BY o.id DESC",
        )
        .bind(user_id)
        .fetch_all(db.pool())
        .await
        .expect("mails");
        bodies
            .iter()
            .flat_map(|b| b.split_whitespace())
            .find(|w| w.starts_with(prefix))
            .map(|w| w.trim_start_matches(prefix).to_string())
            .expect("a mailed link")
    }

    /// A new admin account's actor, made as `bazaar create-admin` makes one (two-factor sign-in on).
    pub async fn admin(db: &Db) -> Actor {
        let admin = accounts::create_admin(
            db,
            &Registration {
                name: "Test Admin".into(),
                email: unique_email("admin"),
                password: "correct horse battery".into(),
            },
        )
        .await
        .expect("create admin");
        accounts::two_factor::issue_by_operator(db, admin.id)
            .await
            .expect("two-factor");
        of_user(db, admin.id).await
    }

    /// A new account that runs store `store_id` (a shopper's actor when there is no such store).
    pub async fn seller_of(db: &Db, store_id: i64) -> Actor {
        domain::testing::seller_of_store(db, store_id).await
    }
}
