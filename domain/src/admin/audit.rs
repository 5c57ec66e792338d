//! The audit log's reading side (`/admin/audit`, and the trail on an account's admin page): newest first, by
//! keyset on the entry's id (ids grow with time), filtered by words, action, account, subject and days.

use model::admin::{AuditAction, AuditEntryView, AuditFilter, AuditPage, FieldChange};
use sqlx::AnyConnection;

use super::query::{cut_page, Filters};
use super::{require_admin, AdminError};
use crate::platform::db::Db;
use crate::platform::text::{cleaned, like_literal};
use crate::platform::Actor;

const PAGE: usize = 50;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const COLUMNS: &str = "id, at, actor_id, actor_name, actor_role, session, action, subject_kind, subject_id, \
                       subject_label, changes, reason";

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor_name: String,
    actor_role: String,
    session: Option<String>,
    action: String,
    subject_kind: String,
    subject_id: String,
    subject_label: String,
    changes: String,
    reason: String,
}

impl EntryRow {
    /// `None` for an action this build does not know (written by a newer one): it is skipped, not misnamed.
    fn view(self) -> Option<AuditEntryView> {
        Some(AuditEntryView {
            id: self.id,
            at: self.at,
            actor_id: self.actor_id,
            actor_name: self.actor_name,
            actor_role: self.actor_role,
            session: self.session,
            action: AuditAction::parse(&self.action)?,
            subject_kind: self.subject_kind,
            subject_id: self.subject_id,
            subject_label: self.subject_label,
            changes: serde_json::from_str::<Vec<FieldChange>>(&self.changes).unwrap_or_default(),
            reason: self.reason,
        })
    }
}

/// A page of the log: the entries matching `filter`, older than the `after` cursor.
pub async fn search(db: &Db, actor: &Actor, filter: &AuditFilter, after: &str) -> Result<AuditPage, AdminError> {
    require_admin(actor)?;
    let mut filters = Filters::default();
    let q = cleaned(&filter.q, 100);
    let q = q.trim();
    if !q.is_empty() {
        let pattern = format!("%{}%", like_literal(&q.to_lowercase()));
        let n = filters.bind_text(pattern);
        filters.push(format!(
            "(LOWER(subject_label) LIKE ${n} ESCAPE '\\' OR LOWER(actor_name) LIKE ${n} ESCAPE '\\' \
             OR LOWER(reason) LIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(action) = AuditAction::parse(&filter.action) {
        let n = filters.bind_text(action.as_str().to_string());
        filters.push(format!("action = ${n}"));
    }
    if let Some(account) = filter.actor {
        let n = filters.bind_int(account);
        let m = filters.bind_text(account.to_string());
        filters.push(format!(
            "(actor_id = ${n} OR (subject_kind = 'account' AND subject_id = ${m}))"
        ));
    }
    let kind = cleaned(&filter.subject_kind, 40);
    if !kind.trim().is_empty() {
        let n = filters.bind_text(kind.trim().to_string());
        filters.push(format!("subject_kind = ${n}"));
        let id = cleaned(&filter.subject_id, 40);
        if !id.trim().is_empty() {
            let n = filters.bind_text(id.trim().to_string());
            filters.push(format!("subject_id = ${n}"));
        }
    }
    if let Some(from) = model::parse_date(&filter.from) {
        let n = filters.bind_int(from);
        filters.push(format!("at >= ${n}"));
    }
    if let Some(to) = model::parse_date(&filter.to) {
        let n = filters.bind_int(to + DAY_MS);
        filters.push(format!("at < ${n}"));
    }
    if let Ok(cursor) = after.parse::<i64>() {
        let n = filters.bind_int(cursor);
        filters.push(format!("id < ${n}"));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log{} ORDER BY id DESC LIMIT {}",
        filters.where_clause(),
        PAGE + 1
    );
    let mut conn = db.pool().acquire().await?;
    let mut rows: Vec<EntryRow> = filters.fetch_all(&sql, &mut conn).await?;
    let next = cut_page(&mut rows, PAGE, |r| r.id.to_string());
    Ok(AuditPage {
        entries: rows.into_iter().filter_map(EntryRow::view).collect(),
        next,
    })
}

/// The newest `limit` entries about account `user_id` or done by it (an account's admin page).
pub(super) async fn of_account(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
) -> Result<Vec<AuditEntryView>, sqlx::Error> {
    let rows: Vec<EntryRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE actor_id = $1 OR (subject_kind = 'account' AND subject_id = $2) \
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(user_id)
    .bind(user_id.to_string())
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().filter_map(EntryRow::view).collect())
}

/// The newest `limit` entries about store `seller_id`: its standing, money and commission, and its sellers'
/// changes to its products and stock (a store's admin page).
pub(super) async fn of_store(
    conn: &mut AnyConnection,
    seller_id: i64,
    limit: i64,
) -> Result<Vec<AuditEntryView>, sqlx::Error> {
    let rows: Vec<EntryRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE store_id = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(seller_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().filter_map(EntryRow::view).collect())
}
