//! The notifications context: outgoing mail. Owns `mail_outbox` and `dev_mailbox`. Use cases write a message
//! into `mail_outbox` in the same transaction as the change it reports (so an order and its confirmation commit
//! together, and a unique `dedupe_key` makes "one confirmation per order" a constraint); a worker delivers due
//! messages through a [`Mailer`] (text messages through a [`texts::TextSender`]), retrying with backoff. The
//! words are in [`templates`]; the HTML part of each email is made from them by [`html`]. Optional mail (a
//! [`Topic`]) is queued only while the account wants it, asked again when it is sent, and carries a one-click
//! unsubscribe (RFC 8058; [`prefs`]).

pub mod html;
pub mod prefs;
pub mod samples;
pub mod templates;
pub mod texts;

use std::fmt::Debug;

use async_trait::async_trait;
use model::notifications::Topic;
use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::Db;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
#[error("mail not sent: {0}")]
pub struct MailError(pub String);

/// A message as the outbox hands it over: the mail, and for optional mail the path of the shop that turns its
/// kind off at one click (the `List-Unsubscribe` header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub mail: Mail,
    pub unsubscribe: Option<String>,
}

/// Where mail goes: the development mailbox by default (SMTP comes with `SMTP_URL`, see the README).
#[async_trait]
pub trait Mailer: Send + Sync + Debug {
    async fn send(&self, out: &Outgoing) -> Result<(), MailError>;
}

/// Keeps every message in the `dev_mailbox` table, readable at `/dev/mailbox` when that page is enabled.
#[derive(Debug, Clone)]
pub struct DevMailbox {
    db: Db,
}

impl DevMailbox {
    pub fn new(db: Db) -> DevMailbox {
        DevMailbox { db }
    }
}

#[async_trait]
impl Mailer for DevMailbox {
    async fn send(&self, out: &Outgoing) -> Result<(), MailError> {
        let mail = &out.mail;
        self.db
            .write_one(
                sqlx::query(
                    "INSERT INTO dev_mailbox (id, to_addr, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(next_id())
                .bind(&mail.to)
                .bind(&mail.subject)
                .bind(&mail.body)
                .bind(now_ms()),
            )
            .await
            .map_err(|e| MailError(e.to_string()))?;
        Ok(())
    }
}

/// Sends through an SMTP relay (`SMTP_URL`: `smtp://host:25` plain, `smtp://host:587?tls=required` STARTTLS,
/// `smtps://user:pass@host:465` implicit TLS — lettre's URL forms).
#[derive(Clone)]
pub struct SmtpMailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
    /// The shop's address (`PUBLIC_URL`), put before the paths the messages name (`/orders/…`): a mail client
    /// cannot follow a path alone.
    site: Option<String>,
}

impl Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold the relay's password: never printed.
        f.debug_struct("SmtpMailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str, site: Option<&str>) -> Result<SmtpMailer, MailError> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| MailError(format!("SMTP_URL: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from = from.parse().map_err(|e| MailError(format!("MAIL_FROM: {e}")))?;
        Ok(SmtpMailer {
            transport,
            from,
            site: site.map(|s| s.trim_end_matches('/').to_string()),
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, out: &Outgoing) -> Result<(), MailError> {
        use lettre::message::header::{HeaderName, HeaderValue};
        use lettre::AsyncTransport;
        let mail = &out.mail;
        let to = mail
            .to
            .parse()
            .map_err(|e| MailError(format!("recipient {:?}: {e}", mail.to)))?;
        let site = self.site.as_deref();
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone());
        if let (Some(path), Some(site)) = (&out.unsubscribe, site) {
            // RFC 8058: the full address a mail provider posts "List-Unsubscribe=One-Click" to, for the person
            // (without PUBLIC_URL there is none: the footer's link still works).
            let url = format!(
                "{site}/unsubscribe/one-click{}",
                path.trim_start_matches("/unsubscribe")
            );
            for (name, value) in [
                ("List-Unsubscribe", format!("<{url}>")),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_string()),
            ] {
                let name = HeaderName::new_from_ascii_str(name);
                builder = builder.raw_header(HeaderValue::new(name, value));
            }
        }
        let text = match site {
            Some(site) => absolute_links(&mail.body, site),
            None => mail.body.clone(),
        };
        let message = builder
            .multipart(lettre::message::MultiPart::alternative_plain_html(
                text,
                html::render(mail, site),
            ))
            .map_err(|e| MailError(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError(e.to_string()))?;
        Ok(())
    }
}

/// `body` with each word that is a path of the shop (it starts with one `/`) made a full address of `site`.
pub fn absolute_links(body: &str, site: &str) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut word_starts = true;
    for (at, c) in body.char_indices() {
        if word_starts && c == '/' && !body[at..].starts_with("//") {
            out.push_str(site);
        }
        out.push(c);
        word_starts = c.is_whitespace();
    }
    out
}

/// One row of the outbox to be.
struct Queued<'a> {
    dedupe_key: &'a str,
    channel: Channel,
    to: &'a str,
    subject: &'a str,
    body: &'a str,
    topic: Option<Topic>,
    user_id: Option<i64>,
    unsubscribe: &'a str,
    /// When it may go (a reminder waits).
    due_at: i64,
}

async fn insert(conn: &mut AnyConnection, q: Queued<'_>) -> Result<bool, sqlx::Error> {
    // `.invalid` never receives mail (RFC 2606): an erased account's orders keep such an address.
    if q.to.trim_end().to_ascii_lowercase().ends_with(".invalid") {
        return Ok(false);
    }
    let inserted = sqlx::query(
        "INSERT INTO mail_outbox (id, dedupe_key, to_addr, subject, body, next_attempt_at, created_at, channel, \
         topic, user_id, unsubscribe) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(next_id())
    .bind(q.dedupe_key)
    .bind(q.to)
    .bind(q.subject)
    .bind(q.body)
    .bind(q.due_at)
    .bind(now_ms())
    .bind(q.channel.as_str())
    .bind(q.topic.map(Topic::as_str).unwrap_or(""))
    .bind(q.user_id)
    .bind(q.unsubscribe)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Queues a message unless one with the same `dedupe_key` was queued before. Returns whether it was queued.
pub async fn enqueue(conn: &mut AnyConnection, dedupe_key: &str, mail: &Mail) -> Result<bool, sqlx::Error> {
    let q = Queued {
        dedupe_key,
        channel: Channel::Email,
        to: &mail.to,
        subject: &mail.subject,
        body: &mail.body,
        topic: None,
        user_id: None,
        unsubscribe: "",
        due_at: now_ms(),
    };
    insert(conn, q).await
}

/// Queues an optional mail of `topic` to account `user_id`, to go at `due_at`, if the account wants such mail.
/// It ends with the link that turns that kind off and carries the same link for one-click unsubscribe.
pub async fn enqueue_optional(
    conn: &mut AnyConnection,
    dedupe_key: &str,
    mail: &Mail,
    user_id: i64,
    topic: Topic,
    due_at: i64,
) -> Result<bool, sqlx::Error> {
    if !prefs::allows(conn, user_id, topic).await? {
        return Ok(false);
    }
    let token = prefs::unsubscribe_token(conn, user_id).await?;
    let unsubscribe = format!("/unsubscribe/{token}/{}", topic.as_str());
    let body = format!(
        "{}\n\nYou get this email because {} are on for your account. Turn them off: {unsubscribe}\n\
         Choose which emails you get: /account/notifications\n",
        mail.body.trim_end(),
        topic.label()
    );
    let q = Queued {
        dedupe_key,
        channel: Channel::Email,
        to: &mail.to,
        subject: &mail.subject,
        body: &body,
        topic: Some(topic),
        user_id: Some(user_id),
        unsubscribe: &unsubscribe,
        due_at,
    };
    insert(conn, q).await
}

/// Queues a text message (SMS) to account `user_id`'s phone, if it asked for texts. Returns whether it was queued.
pub async fn enqueue_text(
    conn: &mut AnyConnection,
    dedupe_key: &str,
    user_id: i64,
    text: &str,
) -> Result<bool, sqlx::Error> {
    let Some(phone) = prefs::texts_to(conn, user_id).await? else {
        return Ok(false);
    };
    let q = Queued {
        dedupe_key,
        channel: Channel::Text,
        to: &phone,
        subject: "",
        body: text,
        topic: None,
        user_id: Some(user_id),
        unsubscribe: "",
        due_at: now_ms(),
    };
    insert(conn, q).await
}

/// How a queued message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Email,
    Text,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Text => "sms",
        }
    }
}

/// Milliseconds to wait before attempt `n + 1`: 1, 2, 4 … minutes, at most 64.
fn backoff_ms(attempts: i64) -> i64 {
    60_000 * (1_i64 << attempts.clamp(0, 6))
}

/// How long a claimed message is left alone by other workers while this one sends it.
const CLAIM_MS: i64 = 120_000;

/// A message of the outbox that is due, with the attempts made so far.
#[derive(sqlx::FromRow)]
struct DueRow {
    id: i64,
    to_addr: String,
    subject: String,
    body: String,
    attempts: i64,
    topic: String,
    user_id: Option<i64>,
    unsubscribe: String,
}

/// What a channel's messages are sent through.
#[derive(Clone, Copy)]
enum Via<'a> {
    Mail(&'a dyn Mailer),
    Texts(&'a dyn texts::TextSender),
}

impl Via<'_> {
    fn channel(self) -> Channel {
        match self {
            Via::Mail(_) => Channel::Email,
            Via::Texts(_) => Channel::Text,
        }
    }

    async fn send(self, row: DueRow) -> Result<(), MailError> {
        match self {
            Via::Mail(mailer) => {
                let out = Outgoing {
                    unsubscribe: Some(row.unsubscribe).filter(|path| !path.is_empty()),
                    mail: Mail {
                        to: row.to_addr,
                        subject: row.subject,
                        body: row.body,
                    },
                };
                mailer.send(&out).await
            }
            Via::Texts(texts) => texts.send(&row.to_addr, &row.body).await,
        }
    }
}

/// Whether a message is still wanted: the account may have turned its kind off, or its texts off or to another
/// number, since it was queued.
async fn still_wanted(db: &Db, via: Via<'_>, row: &DueRow) -> Result<bool, sqlx::Error> {
    let Some(user_id) = row.user_id else {
        return Ok(true);
    };
    let mut conn = db.pool().acquire().await?;
    match (via, Topic::parse(&row.topic)) {
        (Via::Texts(_), _) => Ok(prefs::texts_to(&mut conn, user_id).await?.as_deref() == Some(row.to_addr.as_str())),
        (Via::Mail(_), Some(topic)) => prefs::allows(&mut conn, user_id, topic).await,
        (Via::Mail(_), None) => Ok(true),
    }
}

/// Sends the messages that are due. Each is claimed first (a conditional UPDATE moves its next attempt into the
/// future), so two workers never send the same message at once. Returns (sent, failed).
pub async fn deliver_due(db: &Db, mailer: &dyn Mailer, limit: i64) -> Result<(usize, usize), sqlx::Error> {
    deliver(db, Via::Mail(mailer), limit).await
}

/// Sends the text messages that are due, as [`deliver_due`] sends mail.
pub async fn deliver_texts_due(
    db: &Db,
    texts: &dyn texts::TextSender,
    limit: i64,
) -> Result<(usize, usize), sqlx::Error> {
    deliver(db, Via::Texts(texts), limit).await
}

async fn deliver(db: &Db, via: Via<'_>, limit: i64) -> Result<(usize, usize), sqlx::Error> {
    let now = now_ms();
    let due: Vec<DueRow> = sqlx::query_as(
        "SELECT id, to_addr, subject, body, attempts, topic, user_id, unsubscribe FROM mail_outbox \
         WHERE sent_at IS NULL AND next_attempt_at <= $1 AND channel = $2 ORDER BY next_attempt_at LIMIT $3",
    )
    .bind(now)
    .bind(via.channel().as_str())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let (mut sent, mut failed) = (0, 0);
    for row in due {
        let claimed = db
            .write_one(
                sqlx::query(
                    "UPDATE mail_outbox SET next_attempt_at = $1, attempts = attempts + 1 \
             WHERE id = $2 AND sent_at IS NULL AND next_attempt_at <= $3",
                )
                .bind(now + CLAIM_MS)
                .bind(row.id)
                .bind(now),
            )
            .await?
            .rows_affected();
        if claimed == 0 {
            continue;
        }
        if !still_wanted(db, via, &row).await? {
            // Kept as done, with why, rather than deleted: the outbox stays the record of what was queued.
            db.write_one(
                sqlx::query("UPDATE mail_outbox SET sent_at = $1, last_error = $2 WHERE id = $3")
                    .bind(now_ms())
                    .bind("withheld: the account turned this kind of message off")
                    .bind(row.id),
            )
            .await?;
            continue;
        }
        let (id, attempts) = (row.id, row.attempts);
        match via.send(row).await {
            Ok(()) => {
                db.write_one(
                    sqlx::query("UPDATE mail_outbox SET sent_at = $1, last_error = '' WHERE id = $2")
                        .bind(now_ms())
                        .bind(id),
                )
                .await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(mail_id = id, error = %e, "message not sent; will retry");
                db.write_one(
                    sqlx::query("UPDATE mail_outbox SET next_attempt_at = $1, last_error = $2 WHERE id = $3")
                        .bind(now_ms() + backoff_ms(attempts))
                        .bind(e.0.chars().take(500).collect::<String>())
                        .bind(id),
                )
                .await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// One message of the development mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

/// One message of the development mailbox as stored.
#[derive(sqlx::FromRow)]
struct MailboxRow {
    id: i64,
    to_addr: String,
    subject: String,
    body: String,
    created_at: i64,
}

/// The development mailbox, newest first.
pub async fn dev_mailbox(db: &Db, limit: i64) -> Result<Vec<StoredMail>, sqlx::Error> {
    let rows: Vec<MailboxRow> = sqlx::query_as(
        "SELECT id, to_addr, subject, body, created_at FROM dev_mailbox ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| StoredMail {
            id: row.id,
            to: row.to_addr,
            subject: row.subject,
            body: row.body,
            created_at: row.created_at,
        })
        .collect())
}

/// Drops the message queued under `key` if it has not gone yet (a reminder whose reason is gone).
pub async fn drop_unsent(conn: &mut AnyConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM mail_outbox WHERE dedupe_key = $1 AND sent_at IS NULL")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the outbox's mails queued under one of `keys` (an erasure), in the caller's transaction.
pub async fn forget_keys(conn: &mut AnyConnection, keys: &[String]) -> Result<(), sqlx::Error> {
    for key in keys {
        sqlx::query("DELETE FROM mail_outbox WHERE dedupe_key = $1")
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Deletes every mail, sent or waiting, to one of `addresses` (proven the person's) or naming one as a mail to
/// the admins does ("Name <address>"), from the outbox and the dev mailbox, in the caller's transaction.
pub async fn forget(conn: &mut AnyConnection, addresses: &[String]) -> Result<(), sqlx::Error> {
    for address in addresses {
        let named = format!("%<{}>%", crate::platform::text::like_literal(address));
        for table in ["mail_outbox", "dev_mailbox"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE to_addr = $1 OR body LIKE $2 ESCAPE '\\'"
            ))
            .bind(address)
            .bind(&named)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn retries_back_off_up_to_an_hour() {
        assert_eq!(backoff_ms(0), 60_000);
        assert_eq!(backoff_ms(3), 480_000);
        assert_eq!(backoff_ms(40), 3_840_000);
    }
}
