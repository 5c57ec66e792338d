//! The admins' accounts list (`/admin/users`: words of the name or address, role and state, newest first by keyset)
//! and an account's page (its orders, live sign-ins and audit trail). The changes are `accounts::standing`.

use model::admin::{AccountState, UserDetail, UserFilter, UserList, UserOrder, UserRow, UserSession};
use model::catalog::Money;
use model::Role;
use sqlx::AnyConnection;

use super::query::{cut_page, Filters};
use super::{require_admin, AdminError};
use crate::accounts::step_up;
use crate::orders::GroupStatus;
use crate::platform::db::Db;
use crate::platform::text::{cleaned, like_literal};
use crate::platform::Actor;

const PAGE: usize = 50;
const ORDERS_SHOWN: i64 = 10;
const TRAIL_SHOWN: i64 = 50;
const COLUMNS: &str = "id, name, email, role, disabled_at, erased_at, created_at";

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    disabled_at: Option<i64>,
    erased_at: Option<i64>,
    created_at: i64,
}

impl AccountRow {
    fn view(self) -> UserRow {
        let state = match (self.erased_at, self.disabled_at) {
            (Some(_), _) => AccountState::Erased,
            (None, Some(_)) => AccountState::Suspended,
            (None, None) => AccountState::Active,
        };
        UserRow {
            id: self.id,
            name: self.name,
            email: self.email,
            role: Role::parse(&self.role).unwrap_or(Role::Shopper),
            state,
            created_at: self.created_at,
        }
    }
}

/// A page of accounts matching `filter`, newest first, older than the `after` cursor (an account id).
pub async fn list(db: &Db, actor: &Actor, filter: &UserFilter, after: &str) -> Result<UserList, AdminError> {
    require_admin(actor)?;
    let mut filters = Filters::default();
    let q = cleaned(&filter.q, 100);
    let q = q.trim();
    if !q.is_empty() {
        let n = filters.bind_text(format!("%{}%", like_literal(&q.to_lowercase())));
        filters.push(format!(
            "(email LIKE ${n} ESCAPE '\\' OR LOWER(name) LIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(role) = filter.role {
        let n = filters.bind_text(role.as_str().to_string());
        filters.push(format!("role = ${n}"));
    }
    match filter.state {
        Some(AccountState::Active) => filters.push("disabled_at IS NULL".into()),
        Some(AccountState::Suspended) => filters.push("disabled_at IS NOT NULL AND erased_at IS NULL".into()),
        Some(AccountState::Erased) => filters.push("erased_at IS NOT NULL".into()),
        None => {}
    }
    if let Ok(cursor) = after.parse::<i64>() {
        let n = filters.bind_int(cursor);
        filters.push(format!("id < ${n}"));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM users{} ORDER BY id DESC LIMIT {}",
        filters.where_clause(),
        PAGE + 1
    );
    let mut conn = db.pool().acquire().await?;
    let mut rows: Vec<AccountRow> = filters.fetch_all(&sql, &mut conn).await?;
    let next = cut_page(&mut rows, PAGE, |r| r.id.to_string());
    Ok(UserList {
        rows: rows.into_iter().map(AccountRow::view).collect(),
        next,
    })
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    number: String,
    created_at: i64,
    grand_total: i64,
    currency: String,
    status: String,
}

async fn orders_of(conn: &mut AnyConnection, user_id: i64) -> Result<(Vec<UserOrder>, i64), sqlx::Error> {
    let rows: Vec<OrderRow> = sqlx::query_as(
        "SELECT number, created_at, grand_total, currency, status FROM order_groups WHERE user_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(ORDERS_SHOWN)
    .fetch_all(&mut *conn)
    .await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_groups WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    let orders = rows
        .into_iter()
        .map(|r| UserOrder {
            number: r.number,
            placed_at: r.created_at,
            total: Money::new(r.grand_total, r.currency),
            status: GroupStatus::parse(&r.status)
                .map(GroupStatus::label)
                .unwrap_or("Unknown")
                .to_string(),
        })
        .collect();
    Ok((orders, count))
}

#[derive(sqlx::FromRow)]
struct Extras {
    email_verified_at: Option<i64>,
    two_factor_at: Option<i64>,
    store_name: Option<String>,
    store_id: Option<i64>,
}

/// Account `user_id`'s admin page; `confirmed_at` is when the viewer last gave their password (for the page to
/// ask for it with the change forms when that is too old).
pub async fn detail(db: &Db, actor: &Actor, user_id: i64, confirmed_at: Option<i64>) -> Result<UserDetail, AdminError> {
    require_admin(actor)?;
    let mut conn = db.pool().acquire().await?;
    let row: AccountRow = sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AdminError::NotFound)?;
    let extras: Extras = sqlx::query_as(
        "SELECT email_verified_at, (SELECT MIN(t.enabled_at) FROM two_factor t WHERE t.user_id = $1) AS \
         two_factor_at, (SELECT MIN(s.store_name) FROM sellers s WHERE s.user_id = $1) AS store_name, \
         (SELECT MIN(s.id) FROM sellers s WHERE s.user_id = $1) AS store_id FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    let (orders, order_count) = orders_of(&mut conn, user_id).await?;
    let audit = super::audit::of_account(&mut conn, user_id, TRAIL_SHOWN).await?;
    drop(conn);
    let sessions = crate::accounts::sessions::sign_ins(db, user_id, None)
        .await?
        .into_iter()
        .map(|s| UserSession {
            handle: s.handle,
            device: s.device,
            signed_in_at: s.signed_in_at,
        })
        .collect();
    Ok(UserDetail {
        user: row.view(),
        email_verified: extras.email_verified_at.is_some(),
        two_factor: extras.two_factor_at.is_some(),
        store_name: extras.store_name,
        store_id: extras.store_id,
        orders,
        order_count,
        sessions,
        audit,
        is_self: actor.user_id() == Some(user_id),
        needs_password: !step_up::is_recent(confirmed_at),
    })
}
