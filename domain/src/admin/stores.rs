//! The admins' stores list (`/admin/sellers`: words of the name, state and held payouts, newest first by keyset,
//! each with its last 30 days' sales, its balance and the commission its next sale pays) and a store's page. The
//! changes are `sellers::standing` and `money::store_rate::change_store_rate`.

use model::admin_stores::{StoreDetail, StoreFilter, StoreList, StoreRow, StoreState};
use model::catalog::Money;

use super::query::{cut_page, Filters};
use super::{require_admin, AdminError};
use crate::accounts::step_up;
use crate::catalog::editor::CURRENCY;
use crate::money::rollups::DAY_MS;
use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::text::{cleaned, like_literal};
use crate::platform::Actor;

const PAGE: usize = 50;
const TRAIL_SHOWN: i64 = 50;
/// Days of sales a row shows.
const SALES_DAYS: i64 = 30;

/// A store with its figures; `$1` is the first day of its sales, `$2` the shop's currency. The rate its next sale
/// pays is the store's own, else the platform's (a category's rate depends on the product, so the list names the
/// store's or the platform's).
const COLUMNS: &str = "s.id, s.store_name, s.slug, s.status, s.transfers_held_at, s.created_at, \
     (SELECT CAST(COALESCE(SUM(d.revenue), 0) AS BIGINT) FROM seller_daily_sales d WHERE d.seller_id = s.id \
        AND d.day >= $1) AS sales, \
     (SELECT b.balance FROM seller_balances b WHERE b.seller_id = s.id AND b.currency = $2) AS balance, \
     (SELECT r.rate_bp FROM commission_rates r WHERE r.scope = 'seller' AND r.scope_id = s.id) AS own_bp, \
     (SELECT r.rate_bp FROM commission_rates r WHERE r.scope = 'platform' AND r.scope_id = 0) AS platform_bp";

#[derive(sqlx::FromRow)]
struct StoreRecord {
    id: i64,
    store_name: String,
    slug: String,
    status: String,
    transfers_held_at: Option<i64>,
    created_at: i64,
    sales: i64,
    balance: Option<i64>,
    own_bp: Option<i64>,
    platform_bp: Option<i64>,
}

impl StoreRecord {
    fn view(self) -> StoreRow {
        StoreRow {
            id: self.id,
            name: self.store_name,
            slug: self.slug,
            state: StoreState::parse(&self.status).unwrap_or(StoreState::Pending),
            payouts_held: self.transfers_held_at.is_some(),
            sales_30_days: Money::new(self.sales, CURRENCY),
            balance: Money::new(self.balance.unwrap_or(0), CURRENCY),
            commission_bp: self.own_bp.or(self.platform_bp).unwrap_or(0),
            commission_own: self.own_bp.is_some(),
            created_at: self.created_at,
        }
    }
}

/// The first day the rows' sales count from (days since 1970 in UTC; each store's rollup day is its own zone's,
/// so a row's window is 30 of its own days to within a day).
fn first_sales_day() -> i64 {
    now_ms() / DAY_MS - (SALES_DAYS - 1)
}

/// A page of stores matching `filter`, newest first, older than the `after` cursor (a store id).
pub async fn list(db: &Db, actor: &Actor, filter: &StoreFilter, after: &str) -> Result<StoreList, AdminError> {
    require_admin(actor)?;
    let mut filters = Filters::default();
    filters.bind_int(first_sales_day());
    filters.bind_text(CURRENCY.to_string());
    let q = cleaned(&filter.q, 100);
    let q = q.trim();
    if !q.is_empty() {
        let n = filters.bind_text(format!("%{}%", like_literal(&q.to_lowercase())));
        filters.push(format!(
            "(LOWER(s.store_name) LIKE ${n} ESCAPE '\\' OR s.slug LIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(state) = filter.state {
        let n = filters.bind_text(state.as_str().to_string());
        filters.push(format!("s.status = ${n}"));
    }
    if filter.held {
        filters.push("s.transfers_held_at IS NOT NULL".into());
    }
    if let Ok(cursor) = after.parse::<i64>() {
        let n = filters.bind_int(cursor);
        filters.push(format!("s.id < ${n}"));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM sellers s{} ORDER BY s.id DESC LIMIT {}",
        filters.where_clause(),
        PAGE + 1
    );
    let mut conn = db.pool().acquire().await?;
    let mut rows: Vec<StoreRecord> = filters.fetch_all(&sql, &mut conn).await?;
    let next = cut_page(&mut rows, PAGE, |r| r.id.to_string());
    Ok(StoreList {
        rows: rows.into_iter().map(StoreRecord::view).collect(),
        next,
    })
}

#[derive(sqlx::FromRow)]
struct Owner {
    owner_id: Option<i64>,
    owner_name: Option<String>,
    owner_email: Option<String>,
    suspension_note: String,
    active_products: i64,
    products: i64,
}

/// Store `seller_id`'s admin page; `confirmed_at` is when the viewer last gave their password (for the page to
/// ask for it with the forms that need it when that is too old).
pub async fn detail(
    db: &Db,
    actor: &Actor,
    seller_id: i64,
    confirmed_at: Option<i64>,
) -> Result<StoreDetail, AdminError> {
    require_admin(actor)?;
    let mut conn = db.pool().acquire().await?;
    let record: StoreRecord = sqlx::query_as(&format!("SELECT {COLUMNS} FROM sellers s WHERE s.id = $3"))
        .bind(first_sales_day())
        .bind(CURRENCY)
        .bind(seller_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AdminError::NotFound)?;
    let owner: Owner = sqlx::query_as(
        "SELECT u.id AS owner_id, u.name AS owner_name, u.email AS owner_email, s.suspension_note, \
         (SELECT COUNT(*) FROM products p WHERE p.seller_id = s.id AND p.status = 'active') AS active_products, \
         (SELECT COUNT(*) FROM products p WHERE p.seller_id = s.id) AS products \
         FROM sellers s LEFT JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    )
    .bind(seller_id)
    .fetch_one(&mut *conn)
    .await?;
    let audit = super::audit::of_store(&mut conn, seller_id, TRAIL_SHOWN).await?;
    let platform_bp = record.platform_bp.unwrap_or(0);
    Ok(StoreDetail {
        store: record.view(),
        owner_id: owner.owner_id,
        owner_name: owner.owner_name.unwrap_or_default(),
        owner_email: owner.owner_email.unwrap_or_default(),
        active_products: owner.active_products,
        products: owner.products,
        suspension_note: owner.suspension_note,
        platform_bp,
        audit,
        needs_password: !step_up::is_recent(confirmed_at),
    })
}
