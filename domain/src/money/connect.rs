//! A store's Stripe account (Connect Express, decision 0031): opened from the store's money screen, onboarded on
//! Stripe's pages, and payable only once Stripe reports its details submitted and charges and payouts enabled
//! (`account.updated`, or a fresh read when the seller comes back). Bank payouts Stripe reports failed are kept
//! and shown to the store and the admins. Owns `seller_stripe_accounts` and `seller_payout_failures`.

use model::catalog::Money;
use model::money::{PayoutFailure, PayoutSetup, StripePayouts};
use sqlx::AnyConnection;

use crate::payments::connect::{AccountState, ConnectRail};
use crate::payments::GatewayError;
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{Actor, Db};
use crate::sellers::SellerError;

/// Failed bank payouts a screen shows.
const FAILURES_SHOWN: i64 = 5;

#[derive(sqlx::FromRow)]
struct AccountRow {
    account_id: String,
    details_submitted: i64,
    charges_enabled: i64,
    payouts_enabled: i64,
}

impl AccountRow {
    fn setup(&self) -> PayoutSetup {
        PayoutSetup::from_flags(Some((
            self.details_submitted == 1,
            self.charges_enabled == 1,
            self.payouts_enabled == 1,
        )))
    }
}

async fn account_of(conn: &mut AnyConnection, seller_id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT account_id, details_submitted, charges_enabled, payouts_enabled FROM seller_stripe_accounts \
         WHERE seller_id = $1",
    )
    .bind(seller_id)
    .fetch_optional(&mut *conn)
    .await
}

/// Whether `account` is a store's account here.
pub async fn knows(conn: &mut AnyConnection, account: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT seller_id FROM seller_stripe_accounts WHERE account_id = $1")
        .bind(account)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// The account store `seller_id` is paid to, if Stripe has made it payable.
pub async fn payable_account(conn: &mut AnyConnection, seller_id: i64) -> Result<Option<String>, sqlx::Error> {
    Ok(account_of(conn, seller_id)
        .await?
        .filter(|a| a.setup() == PayoutSetup::Ready)
        .map(|a| a.account_id))
}

#[derive(sqlx::FromRow)]
struct FailureRow {
    failed_at: i64,
    amount: i64,
    currency: String,
    message: String,
}

/// Store `seller_id`'s Stripe payouts as its screens show them.
pub async fn payouts(conn: &mut AnyConnection, seller_id: i64) -> Result<StripePayouts, sqlx::Error> {
    let setup = account_of(conn, seller_id)
        .await?
        .map_or(PayoutSetup::NotStarted, |a| a.setup());
    let rows: Vec<FailureRow> = sqlx::query_as(
        "SELECT failed_at, amount, currency, message FROM seller_payout_failures WHERE seller_id = $1 \
         ORDER BY failed_at DESC LIMIT $2",
    )
    .bind(seller_id)
    .bind(FAILURES_SHOWN)
    .fetch_all(&mut *conn)
    .await?;
    let failures = rows
        .into_iter()
        .map(|r| PayoutFailure {
            at: r.failed_at,
            amount: Money::new(r.amount, &r.currency),
            message: r.message,
        })
        .collect();
    Ok(StripePayouts { setup, failures })
}

fn unreachable(e: GatewayError) -> SellerError {
    tracing::warn!(error = %e, "Stripe Connect call failed");
    SellerError::Conflict("Stripe could not be reached just now. Nothing was lost: try again in a minute.".into())
}

/// Where the seller goes to give Stripe their details: a fresh single-use page. With `open`, the store's account
/// is opened the first time (once, however often this is asked: Stripe answers a repeated key with the same
/// account); without (a GET, which another site can make a browser send), `None` when there is no account yet.
pub async fn onboarding_link(
    db: &Db,
    rail: &dyn ConnectRail,
    actor: &Actor,
    open: bool,
) -> Result<Option<String>, SellerError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let account = match account_of(&mut conn, store).await? {
        Some(found) => found.account_id,
        None if !open => return Ok(None),
        None => {
            // The account is opened in the store's country (one the platform's region takes: checked when the
            // store applied).
            let (email, country): (String, String) = sqlx::query_as(
                "SELECT u.email, s.country FROM sellers s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
            )
            .bind(store)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(SellerError::NotFound)?;
            // The region may have changed since the store applied: no account where the platform cannot pay.
            crate::sellers::applications::check_region(&mut conn, &country).await?;
            drop(conn);
            let opened = rail
                .create_account(store, &email, &country)
                .await
                .map_err(unreachable)?;
            keep_account(db, store, &opened).await?;
            opened
        }
    };
    rail.onboarding_link(&account).await.map(Some).map_err(unreachable)
}

/// Writes store `store`'s new account (Stripe's reports about it apply from then on).
async fn keep_account(db: &Db, store: i64, account: &str) -> Result<(), sqlx::Error> {
    db.write_one(
        sqlx::query(
            "INSERT INTO seller_stripe_accounts (seller_id, account_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (seller_id) DO NOTHING",
        )
        .bind(store)
        .bind(account)
        .bind(now_ms()),
    )
    .await?;
    Ok(())
}

/// The seller came back from Stripe's pages: reads the account as Stripe knows it now (coming back does not mean
/// done). Its setup after.
pub async fn refresh(db: &Db, rail: &dyn ConnectRail, actor: &Actor) -> Result<PayoutSetup, SellerError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let Some(found) = account_of(&mut conn, store).await? else {
        return Ok(PayoutSetup::NotStarted);
    };
    drop(conn);
    let state = rail.account_state(&found.account_id).await.map_err(unreachable)?;
    // Stamped at the start of its second: Stripe's events carry whole seconds, and one made in the same second
    // as this read may be newer.
    let read_at = now_ms() / 1000 * 1000;
    let mut tx = db.begin_write().await?;
    apply_state(&mut tx, &state, read_at).await?;
    tx.commit().await?;
    let mut conn = db.pool().acquire().await?;
    Ok(account_of(&mut conn, store)
        .await?
        .map_or(PayoutSetup::NotStarted, |a| a.setup()))
}

/// Applies what Stripe reported at `reported_at` about an account, unless a newer report was applied; `false` when
/// the account is not one of ours or the report is older.
pub async fn apply_state(
    conn: &mut AnyConnection,
    state: &AccountState,
    reported_at: i64,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE seller_stripe_accounts SET details_submitted = $1, charges_enabled = $2, payouts_enabled = $3, \
         reported_at = $4 WHERE account_id = $5 AND reported_at <= $4",
    )
    .bind(i64::from(state.details_submitted))
    .bind(i64::from(state.charges_enabled))
    .bind(i64::from(state.payouts_enabled))
    .bind(reported_at)
    .bind(&state.account)
    .execute(&mut *conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// A failed bank payout Stripe reported.
#[derive(Debug, Clone)]
pub struct FailedPayout<'a> {
    pub account: &'a str,
    pub payout: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub message: &'a str,
    pub at: i64,
}

/// Keeps a failed bank payout (once per payout) and tells the store; `false` when the account is not ours or the
/// failure is known.
pub async fn record_payout_failure(conn: &mut AnyConnection, failed: &FailedPayout<'_>) -> Result<bool, sqlx::Error> {
    let owner: Option<(i64, String)> = sqlx::query_as(
        "SELECT a.seller_id, u.email FROM seller_stripe_accounts a JOIN sellers s ON s.id = a.seller_id \
         JOIN users u ON u.id = s.user_id WHERE a.account_id = $1",
    )
    .bind(failed.account)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((seller_id, email)) = owner else {
        return Ok(false);
    };
    // Stripe's message is shown to people: one line, bounded, control characters dropped.
    let message = crate::platform::text::cleaned(failed.message, 300);
    let fresh = sqlx::query(
        "INSERT INTO seller_payout_failures (id, seller_id, payout_id, amount, currency, message, failed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (payout_id) DO NOTHING",
    )
    .bind(next_id())
    .bind(seller_id)
    .bind(failed.payout)
    .bind(failed.amount)
    .bind(failed.currency)
    .bind(&message)
    .bind(failed.at)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if fresh {
        let amount = Money::new(failed.amount, failed.currency).display();
        let mail = crate::notifications::templates::payout_failed(&email, &amount, &message);
        crate::notifications::enqueue(conn, &format!("payout-failed:{}", failed.payout), &mail).await?;
    }
    Ok(fresh)
}
