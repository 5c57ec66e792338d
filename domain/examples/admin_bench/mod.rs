//! What the admin benchmarks share: an admin to read as, and the timing of 200 reads with their percentiles.

use std::time::{Duration, Instant};

use domain::accounts::{self, Registration};
use domain::{Actor, Db};

const READS: usize = 200;

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    format!("p50 {:.2} ms, p99 {:.2} ms", at(0.5), at(0.99))
}

/// Times 200 calls of `read` (each returns the rows it read) and prints their p50 and p99.
pub async fn time<F, Fut>(what: &str, mut read: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut times = Vec::with_capacity(READS);
    let mut rows = 0;
    for _ in 0..READS {
        let started = Instant::now();
        rows = read().await;
        times.push(started.elapsed());
    }
    println!("{what}: {} ({rows} rows)", percentiles(times));
}

/// A new admin (two-factor on, as `bazaar create-admin` makes one), as an actor.
pub async fn admin(db: &Db) -> Actor {
    let admin = accounts::create_admin(
        db,
        &Registration {
            name: "Bench Admin".into(),
            email: "bench-admin@example.com".into(),
            password: "correct horse battery".into(),
        },
    )
    .await
    .expect("admin");
    accounts::two_factor::issue_by_operator(db, admin.id)
        .await
        .expect("two-factor");
    accounts::find_user(db, admin.id)
        .await
        .expect("read")
        .expect("admin")
        .actor()
}
