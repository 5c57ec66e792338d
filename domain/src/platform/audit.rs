//! The audit log's writing side: who did what to which thing, before → after, when and from which session. Every
//! context that changes money, stock, status, prices or permissions on an admin's or a seller's behalf records an
//! [`Entry`] on the connection of its own transaction, so an entry exists exactly when the change committed.
//! The table is append-only (triggers refuse UPDATE and DELETE); the admin screens read it (`admin::audit`).

use model::admin::{AuditAction, FieldChange};

use super::clock::now_ms;
use super::ids::next_id;
use super::{Actor, ActorKind};

/// What an action was done to: a kind (`account`, `store`, `product`, `application`, `review`, `order`), its id
/// and its name at the time (the name may change or be erased later; the entry keeps what the actor saw).
#[derive(Debug, Clone)]
pub struct Subject {
    pub kind: &'static str,
    pub id: String,
    pub label: String,
}

impl Subject {
    pub fn new(kind: &'static str, id: impl ToString, label: impl Into<String>) -> Subject {
        Subject {
            kind,
            id: id.to_string(),
            label: label.into(),
        }
    }
}

/// One action to record.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: AuditAction,
    pub subject: Subject,
    /// The store concerned, so a store's actions can be listed together.
    pub store_id: Option<i64>,
    pub changes: Vec<FieldChange>,
    pub reason: String,
}

impl Entry {
    pub fn new(action: AuditAction, subject: Subject) -> Entry {
        Entry {
            action,
            subject,
            store_id: None,
            changes: Vec::new(),
            reason: String::new(),
        }
    }

    pub fn store(mut self, store_id: i64) -> Entry {
        self.store_id = Some(store_id);
        self
    }

    /// Adds a field's change; a field whose value did not change is not recorded.
    pub fn change(mut self, field: &str, before: impl ToString, after: impl ToString) -> Entry {
        let (before, after) = (before.to_string(), after.to_string());
        if before != after {
            self.changes.push(FieldChange {
                field: field.to_string(),
                before,
                after,
            });
        }
        self
    }

    pub fn reason(mut self, reason: &str) -> Entry {
        self.reason = reason.to_string();
        self
    }
}

/// The role word an entry records for its actor.
pub fn role_of(actor: &Actor) -> &'static str {
    match actor.kind() {
        ActorKind::Visitor => "visitor",
        ActorKind::Shopper { .. } => "shopper",
        ActorKind::Seller { .. } => "seller",
        ActorKind::Admin { .. } => "admin",
    }
}

/// Records `entry` as done by `actor`, on the connection of the transaction that makes the change.
pub async fn record(conn: &mut sqlx::AnyConnection, actor: &Actor, entry: &Entry) -> Result<(), sqlx::Error> {
    let session = actor.session().map(|s| s.as_hex());
    let who = Who {
        id: actor.user_id(),
        role: role_of(actor).to_string(),
        session,
        // A guest shopper (their own order, by its link) has no account to name.
        unnamed: if actor.user_id().is_none() {
            "a guest"
        } else {
            "the shop"
        },
    };
    insert(conn, &who, entry).await
}

/// Records `entry` as done by the shop itself: its workers (a refund retried, an order not accepted in time) act
/// for no one, and the entry says so.
pub async fn record_for_shop(conn: &mut sqlx::AnyConnection, entry: &Entry) -> Result<(), sqlx::Error> {
    let who = Who {
        id: None,
        role: "shop".to_string(),
        session: None,
        unnamed: "the shop",
    };
    insert(conn, &who, entry).await
}

/// Records `entry` as done by account `user_id` without a request of theirs (a refund they asked for, finished
/// later by the shop): their role as it is now, no session.
pub async fn record_for_account(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    entry: &Entry,
) -> Result<(), sqlx::Error> {
    let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    let who = Who {
        id: Some(user_id),
        role: role.unwrap_or_else(|| "shop".into()),
        session: None,
        unnamed: "the shop",
    };
    insert(conn, &who, entry).await
}

/// Who an entry names: the account (its name read as it is now), its role, its session, and the name of no one.
struct Who {
    id: Option<i64>,
    role: String,
    session: Option<String>,
    unnamed: &'static str,
}

async fn insert(conn: &mut sqlx::AnyConnection, who: &Who, entry: &Entry) -> Result<(), sqlx::Error> {
    let changes = serde_json::to_string(&entry.changes).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, actor_name, actor_role, session, action, subject_kind, subject_id, \
         subject_label, store_id, changes, reason) \
         VALUES ($1, $2, $3, COALESCE((SELECT name FROM users WHERE id = $3), $13), $4, $5, $6, $7, $8, $9, \
         $10, $11, $12)",
    )
    .bind(next_id())
    .bind(now_ms())
    .bind(who.id)
    .bind(&who.role)
    .bind(&who.session)
    .bind(entry.action.as_str())
    .bind(entry.subject.kind)
    .bind(&entry.subject.id)
    .bind(&entry.subject.label)
    .bind(entry.store_id)
    .bind(changes)
    .bind(&entry.reason)
    .bind(who.unnamed)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The longest reason an admin may give for a change.
pub const REASON_MAX_CHARS: usize = 500;

/// The reason an admin typed for a change, as the entry keeps it: one line, not empty, at most
/// [`REASON_MAX_CHARS`]; the field's message otherwise.
pub fn reason(typed: &str) -> Result<String, model::FieldError> {
    let reason =
        super::text::line(typed, REASON_MAX_CHARS).map_err(|p| model::FieldError::new("reason", p.message()))?;
    if reason.is_empty() {
        return Err(model::FieldError::new(
            "reason",
            "Give the reason: it is kept in the audit log with the change.",
        ));
    }
    Ok(reason)
}
