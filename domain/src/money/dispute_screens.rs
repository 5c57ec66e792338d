//! Disputes as a store reads and answers them: its cases (on `/seller/money`), one case with the order's facts
//! the shop offers the bank, and the store's own account, claimed once for sending (the provider call is
//! `workflows::dispute_evidence`'s).

use model::catalog::Money;
use model::disputes::{DisputeDetail, DisputeRow, DisputeStatus, EvidenceFact, EVIDENCE_MAX};
use model::{format_date, FieldError};
use sqlx::AnyConnection;

use crate::payments::DisputeEvidence;
use crate::platform::clock::now_ms;
use crate::platform::{text, Actor, Db};
use crate::sellers::SellerError;

/// A case as a store's list reads it.
#[derive(Debug, sqlx::FromRow)]
struct RowOfCase {
    id: i64,
    number: String,
    created_at: i64,
    share: i64,
    currency: String,
    reason: String,
    status: String,
    respond_by: Option<i64>,
}

impl RowOfCase {
    fn view(self) -> Option<DisputeRow> {
        Some(DisputeRow {
            id: self.id,
            order: self.number,
            opened_at: self.created_at,
            amount: Money::new(self.share, self.currency),
            reason: self.reason,
            status: DisputeStatus::parse(&self.status)?,
            respond_by: self.respond_by,
        })
    }
}

const CASE_COLUMNS: &str = "d.id AS id, o.number AS number, d.created_at AS created_at, s.amount AS share, \
     d.currency AS currency, d.reason AS reason, d.status AS status, d.respond_by AS respond_by";

/// Store `store`'s cases, open ones first, newest first (the last 50).
pub async fn store_rows(conn: &mut AnyConnection, store: i64) -> Result<Vec<DisputeRow>, sqlx::Error> {
    let rows: Vec<RowOfCase> = sqlx::query_as(&format!(
        "SELECT {CASE_COLUMNS} FROM dispute_shares s JOIN disputes d ON d.id = s.dispute_id \
         JOIN orders o ON o.id = s.order_id WHERE s.seller_id = $1 \
         ORDER BY CASE WHEN d.status IN ('needs_response', 'under_review') THEN 0 ELSE 1 END, d.created_at DESC \
         LIMIT 50"
    ))
    .bind(store)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().filter_map(RowOfCase::view).collect())
}

#[derive(Debug, sqlx::FromRow)]
struct CaseFacts {
    order_id: i64,
    total: i64,
    mode: String,
    evidence: String,
    evidence_sent_at: Option<i64>,
    order_created_at: i64,
    order_total: i64,
    ship_city: String,
    ship_country: String,
    email: String,
}

/// The order's first shipment: when, with whom, its tracking number.
#[derive(Debug, sqlx::FromRow)]
struct Shipped {
    created_at: i64,
    carrier: String,
    tracking_number: String,
}

async fn case_of(conn: &mut AnyConnection, id: i64, store: i64) -> Result<(DisputeRow, CaseFacts), SellerError> {
    let row: Option<RowOfCase> = sqlx::query_as(&format!(
        "SELECT {CASE_COLUMNS} FROM dispute_shares s JOIN disputes d ON d.id = s.dispute_id \
         JOIN orders o ON o.id = s.order_id WHERE s.dispute_id = $1 AND s.seller_id = $2"
    ))
    .bind(id)
    .bind(store)
    .fetch_optional(&mut *conn)
    .await?;
    let row = row.and_then(RowOfCase::view).ok_or(SellerError::NotFound)?;
    let facts: CaseFacts = sqlx::query_as(
        "SELECT o.id AS order_id, d.amount AS total, d.mode AS mode, s.evidence AS evidence, \
         d.evidence_sent_at AS evidence_sent_at, o.created_at AS order_created_at, o.total AS order_total, \
         g.ship_city AS ship_city, g.ship_country AS ship_country, g.email AS email \
         FROM dispute_shares s JOIN disputes d ON d.id = s.dispute_id \
         JOIN orders o ON o.id = s.order_id JOIN order_groups g ON g.id = o.group_id \
         WHERE s.dispute_id = $1 AND s.seller_id = $2",
    )
    .bind(id)
    .bind(store)
    .fetch_one(&mut *conn)
    .await?;
    Ok((row, facts))
}

/// What the order's own records say, for the bank: when it was bought, where it went, its shipment and delivery,
/// and how many messages the shopper and the store exchanged.
async fn order_facts(
    conn: &mut AnyConnection,
    row: &DisputeRow,
    f: &CaseFacts,
) -> Result<Vec<EvidenceFact>, sqlx::Error> {
    let fact = |label: &str, value: String| EvidenceFact {
        label: label.to_string(),
        value,
    };
    let mut facts = vec![
        fact("Order", row.order.clone()),
        fact("Bought on", format_date(f.order_created_at)),
        fact(
            "Order total",
            Money::new(f.order_total, row.amount.currency.as_str()).display(),
        ),
        fact("Shipped to", format!("{}, {}", f.ship_city, f.ship_country)),
    ];
    if let Some(s) = first_shipment(conn, f.order_id).await? {
        let carrier = s.carrier.to_uppercase();
        let what = format!(
            "{} with {carrier}, tracking {}",
            format_date(s.created_at),
            s.tracking_number
        );
        facts.push(fact("Shipped", what));
    }
    let delivered: Option<i64> =
        sqlx::query_scalar("SELECT MIN(created_at) FROM order_events WHERE order_id = $1 AND status = 'delivered'")
            .bind(f.order_id)
            .fetch_one(&mut *conn)
            .await?;
    if let Some(at) = delivered {
        facts.push(fact("Delivered", format_date(at)));
    }
    let messages: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM order_messages WHERE order_id = $1 AND author IN ('shopper', 'store')",
    )
    .bind(f.order_id)
    .fetch_one(&mut *conn)
    .await?;
    facts.push(fact(
        "Messages with the shopper",
        format!("{messages} (sent with the evidence)"),
    ));
    Ok(facts)
}

async fn first_shipment(conn: &mut AnyConnection, order_id: i64) -> Result<Option<Shipped>, sqlx::Error> {
    sqlx::query_as(
        "SELECT created_at, carrier, tracking_number FROM shipments WHERE order_id = $1 ORDER BY created_at, id \
         LIMIT 1",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await
}

/// `/seller/money/disputes/{id}` for the actor's store.
pub async fn detail(db: &Db, actor: &Actor, id: i64) -> Result<DisputeDetail, SellerError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let names = crate::sellers::portal::store_names(&mut conn, store)
        .await?
        .ok_or(SellerError::NotFound)?;
    let (row, f) = case_of(&mut conn, id, store).await?;
    let facts = order_facts(&mut conn, &row, &f).await?;
    Ok(DisputeDetail {
        store_name: names.store_name,
        store_slug: names.slug,
        total: Money::new(f.total, row.amount.currency.as_str()),
        held: f.mode == "hold",
        facts,
        evidence: f.evidence,
        evidence_sent_at: f.evidence_sent_at,
        row,
    })
}

/// A case claimed for sending: the provider's id of it and what goes to the bank.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub provider_dispute: String,
    pub evidence: DisputeEvidence,
    /// This attempt's key at the provider (the case and the moment it was claimed).
    pub key: String,
}

/// Characters of evidence text sent (Stripe takes 20,000 in its field; the rest of the facts go in their own).
const TEXT_MAX: usize = 19_000;

/// Checks the store's account, keeps it, and claims the case for sending (once: a double click or a second store
/// finds it claimed). The evidence is the order's facts, its messages and the account.
pub async fn claim_for_sending(db: &Db, actor: &Actor, id: i64, typed: &str) -> Result<Claimed, SellerError> {
    let store = actor.own_store()?;
    let account = match text::lines(typed, EVIDENCE_MAX) {
        Ok(t) if t.trim().chars().count() >= 20 => t,
        Ok(_) => {
            return Err(invalid(
                "Write what happened, in at least 20 characters: what was sent, when, and how.",
            ))
        }
        Err(problem) => return Err(invalid(&problem.message())),
    };
    let mut tx = db.begin_write().await?;
    let (row, f) = case_of(&mut tx, id, store).await?;
    if row.amount.amount == 0 {
        return Err(SellerError::Conflict(
            "Your order's part of this payment was refunded before the dispute: the store whose order holds the \
             disputed money answers it."
                .to_string(),
        ));
    }
    let claimed_at = now_ms();
    let claimed = sqlx::query(
        "UPDATE disputes SET evidence_sent_at = $1, status = 'under_review' \
         WHERE id = $2 AND status = 'needs_response' AND evidence_sent_at IS NULL",
    )
    .bind(claimed_at)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Err(SellerError::Conflict(match row.status {
            DisputeStatus::NeedsResponse | DisputeStatus::UnderReview => {
                "The evidence of this dispute was sent already: the bank is deciding.".to_string()
            }
            _ => "This dispute is decided: it takes no more evidence.".to_string(),
        }));
    }
    sqlx::query("UPDATE dispute_shares SET evidence = $1 WHERE dispute_id = $2 AND seller_id = $3")
        .bind(&account)
        .bind(id)
        .bind(store)
        .execute(&mut *tx)
        .await?;
    let facts = order_facts(&mut tx, &row, &f).await?;
    let messages: Vec<(String, String)> = sqlx::query_as(
        "SELECT author, body FROM order_messages WHERE order_id = $1 AND author IN ('shopper', 'store') \
         ORDER BY created_at",
    )
    .bind(f.order_id)
    .fetch_all(&mut *tx)
    .await?;
    let provider_dispute: String = sqlx::query_scalar("SELECT provider_dispute FROM disputes WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let shipment = first_shipment(&mut tx, f.order_id).await?;
    tx.commit().await?;
    let mut text = String::new();
    for fact in &facts {
        text.push_str(&format!("{}: {}\n", fact.label, fact.value));
    }
    text.push_str(&format!("\nThe store's account:\n{account}\n"));
    evidence_messages(&mut text, &messages);
    Ok(Claimed {
        provider_dispute,
        evidence: DisputeEvidence {
            text,
            carrier: shipment.as_ref().map(|s| s.carrier.to_uppercase()),
            tracking_number: shipment.as_ref().map(|s| s.tracking_number.clone()),
            shipping_date: shipment.as_ref().map(|s| format_date(s.created_at)),
            customer_email: Some(f.email),
        },
        key: format!("{id}-{claimed_at}"),
    })
}

/// Adds the messages, newest kept when they do not all fit the provider's field (the account and the facts come
/// first and always fit: at most 5,000 characters and a few lines).
fn evidence_messages(text: &mut String, messages: &[(String, String)]) {
    if messages.is_empty() {
        return;
    }
    let room = TEXT_MAX.saturating_sub(text.chars().count() + 200);
    let mut kept: Vec<String> = Vec::new();
    let mut used = 0;
    for (author, body) in messages.iter().rev() {
        let line = format!("[{author}] {body}\n");
        let size = line.chars().count();
        if used + size > room {
            break;
        }
        used += size;
        kept.push(line);
    }
    text.push_str("\nMessages between the shopper and the store:\n");
    if kept.len() < messages.len() {
        text.push_str(&format!(
            "({} earlier messages left out for length)\n",
            messages.len() - kept.len()
        ));
    }
    for line in kept.into_iter().rev() {
        text.push_str(&line);
    }
}

/// The provider did not take the evidence: the case is open for sending again (the account stays as typed).
pub async fn unclaim(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    db.write_one(
        sqlx::query(
            "UPDATE disputes SET evidence_sent_at = NULL, status = 'needs_response' \
             WHERE id = $1 AND status = 'under_review'",
        )
        .bind(id),
    )
    .await?;
    Ok(())
}

/// Where case `id` stands now.
pub async fn status_of(db: &Db, id: i64) -> Result<DisputeStatus, sqlx::Error> {
    let status: String = sqlx::query_scalar("SELECT status FROM disputes WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await?;
    Ok(DisputeStatus::parse(&status).unwrap_or(DisputeStatus::UnderReview))
}

fn invalid(message: &str) -> SellerError {
    SellerError::Invalid(vec![FieldError::new("evidence", message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_conversations_keep_their_newest_messages_within_the_providers_field() {
        let mut text = "Order: BZ-1\n\nThe store's account:\n".to_string() + &"a".repeat(5_000);
        let messages: Vec<(String, String)> = (0..30)
            .map(|n| ("shopper".to_string(), format!("{n:02} {}", "m".repeat(1_900))))
            .collect();
        evidence_messages(&mut text, &messages);
        assert!(text.chars().count() <= TEXT_MAX, "{}", text.chars().count());
        assert!(text.contains("earlier messages left out for length"));
        assert!(text.contains("[shopper] 29 "), "the newest is kept");
        assert!(!text.contains("[shopper] 00 "), "the oldest goes first");
        let mut short = String::new();
        evidence_messages(&mut short, &messages[..2]);
        assert!(short.contains("[shopper] 00 ") && !short.contains("left out"));
    }
}
