//! The conversation of a seller order between its shopper and its store (plain text, checked and shown escaped),
//! and the store's internal notes that only it reads. A message holding an email address, a phone number or a
//! link is flagged to both sides: deals taken off the platform are how marketplaces lose buyers' trust. Admins
//! read every thread.

use model::messages::{FlaggedMessage, MessageView};
use model::FieldError;
use sqlx::AnyConnection;

use super::fulfilment::form_key;
use super::OrderError;
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{text, Actor, Db};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Shopper,
    Store,
    /// The store's internal note: never shown to the shopper.
    Note,
}

impl Author {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Author::Shopper => "shopper",
            Author::Store => "store",
            Author::Note => "note",
        }
    }

    fn parse(text: &str) -> Author {
        match text {
            "store" => Author::Store,
            "note" => Author::Note,
            _ => Author::Shopper,
        }
    }
}

const BODY_MAX: usize = 2000;

/// What a message holds that takes a deal off the platform: an email address, a phone number (seven digits or
/// more, spaces, dots, dashes and brackets between them allowed) or a link. The stored spelling.
pub fn flag_of(body: &str) -> Option<&'static str> {
    let lower = body.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let email = words.iter().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w.split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.ends_with('.'))
    });
    if email {
        return Some("email");
    }
    // Dates are digits too ("2026-12-05"): left out before the digits are counted.
    let undated: Vec<&str> = words.iter().map(|w| if is_date(w) { "x" } else { w }).collect();
    let mut digits = 0;
    for c in undated.join(" ").chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 7 {
                return Some("phone");
            }
        } else if !matches!(c, ' ' | '-' | '.' | '(' | ')' | '+' | '/') {
            digits = 0;
        }
    }
    const TLDS: [&str; 10] = [
        ".com", ".net", ".org", ".io", ".co", ".shop", ".store", ".me", ".info", ".biz",
    ];
    let link = lower.contains("http://")
        || lower.contains("https://")
        || lower.contains("www.")
        || words.iter().any(|w| {
            let w = w.trim_end_matches(|c: char| !c.is_alphanumeric());
            TLDS.iter().any(|t| w.ends_with(t) && w.len() > t.len())
                || TLDS.iter().any(|t| w.contains(&format!("{t}/")))
        });
    link.then_some("link")
}

/// "2026-12-05", "05/12/2026", "5.12.2026" (trailing punctuation allowed).
fn is_date(word: &str) -> bool {
    let word = word.trim_end_matches(|c: char| !c.is_ascii_digit());
    let parts: Vec<&str> = word.split(['-', '/', '.']).collect();
    let digits = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() != 3 || !parts.iter().all(digits) {
        return false;
    }
    let short = |p: &str| p.len() <= 2;
    (parts[0].len() == 4 && short(parts[1]) && short(parts[2]))
        || (short(parts[0]) && short(parts[1]) && parts[2].len() == 4)
}

fn flag_label(flag: &str) -> Option<String> {
    let what = match flag {
        "email" => "an email address",
        "phone" => "a phone number",
        "link" => "a link",
        _ => return None,
    };
    Some(format!("This message holds {what}. Keep the conversation and any payment on Bazaar: off it, neither side is protected."))
}

/// What posting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    New {
        message_id: i64,
        flagged: bool,
    },
    /// This form was sent before: nothing changed.
    AlreadyRecorded,
}

/// Posts `body` on order `order_id` as `author` (the caller found the order for an actor who may write there), in
/// the caller's transaction. A form sent twice posts once.
pub async fn post(
    conn: &mut AnyConnection,
    order_id: i64,
    author: Author,
    key: &str,
    body: &str,
) -> Result<Posted, OrderError> {
    let mut errors = Vec::new();
    let key = form_key(key, &mut errors);
    let body = match text::lines(body, BODY_MAX) {
        Ok(b) if b.is_empty() => {
            errors.push(FieldError::new("body", "Write the message."));
            b
        }
        Ok(b) => b,
        Err(problem) => {
            errors.push(FieldError::new("body", problem.message()));
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(OrderError::Invalid(errors));
    }
    let flag = flag_of(&body).unwrap_or("");
    let id = next_id();
    let inserted = sqlx::query(
        "INSERT INTO order_messages (id, order_id, author, body, flag, form_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id, form_key) DO NOTHING",
    )
    .bind(id)
    .bind(order_id)
    .bind(author.as_str())
    .bind(&body)
    .bind(flag)
    .bind(&key)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(if inserted == 1 {
        Posted::New {
            message_id: id,
            flagged: !flag.is_empty(),
        }
    } else {
        Posted::AlreadyRecorded
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct MessageRow {
    id: i64,
    created_at: i64,
    author: String,
    body: String,
    flag: String,
}

impl MessageRow {
    fn view(self, store_name: &str) -> MessageView {
        let author = Author::parse(&self.author);
        MessageView {
            id: self.id,
            at: self.created_at,
            author: match author {
                Author::Shopper => "The shopper".to_string(),
                Author::Store => store_name.to_string(),
                Author::Note => "Internal note".to_string(),
            },
            from_store: author != Author::Shopper,
            internal: author == Author::Note,
            body: self.body,
            flagged: flag_label(&self.flag),
        }
    }
}

/// The messages of order `order_id`, oldest first; the store's internal notes only when `with_notes`.
pub async fn thread(
    conn: &mut AnyConnection,
    order_id: i64,
    store_name: &str,
    with_notes: bool,
) -> Result<Vec<MessageView>, sqlx::Error> {
    let rows: Vec<MessageRow> = sqlx::query_as(
        "SELECT id, created_at, author, body, flag FROM order_messages WHERE order_id = $1 \
         AND ($2 = 1 OR author <> 'note') ORDER BY created_at, id",
    )
    .bind(order_id)
    .bind(i64::from(with_notes))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.view(store_name)).collect())
}

/// The shopper's page of one seller order's conversation (never the store's notes), for whoever may change the
/// order (its shopper, the holder of its link, its store, an admin); anyone else gets `NotFound`.
pub async fn screen(
    db: &Db,
    actor: &Actor,
    group_number: &str,
    order_number: &str,
    token: Option<&str>,
) -> Result<model::messages::MessageScreen, OrderError> {
    let mut conn = db.pool().acquire().await?;
    let target = super::views::change_target(&mut conn, group_number, order_number, actor, token).await?;
    let messages = thread(&mut conn, target.order_id, &target.store_name, false).await?;
    Ok(model::messages::MessageScreen {
        group_number: group_number.to_string(),
        order_number: target.number,
        store_name: target.store_name,
        messages,
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct FlaggedRow {
    number: String,
    store_name: String,
    #[sqlx(flatten)]
    message: MessageRow,
}

/// For admins: the newest flagged messages of every store (at most 100), or, with `number` (a store's order or
/// a checkout's), that order's whole thread with its notes, or every thread of the checkout. Anyone else gets `NotFound`.
pub async fn for_admin(db: &Db, actor: &Actor, number: &str) -> Result<Vec<FlaggedMessage>, OrderError> {
    if !actor.is_admin() {
        return Err(OrderError::NotFound);
    }
    let number = number.trim();
    if !number.is_empty() && !super::plausible_number(number) {
        return Err(OrderError::NotFound);
    }
    let rows: Vec<FlaggedRow> = sqlx::query_as(
        "SELECT o.number AS number, s.store_name AS store_name, m.id AS id, m.created_at AS created_at, \
         m.author AS author, m.body AS body, m.flag AS flag FROM order_messages m \
         JOIN orders o ON o.id = m.order_id JOIN sellers s ON s.id = o.seller_id \
         JOIN order_groups g ON g.id = o.group_id \
         WHERE ($1 = '' AND m.flag <> '') OR o.number = $1 OR g.number = $1 \
         ORDER BY CASE WHEN $1 = '' THEN 0 - m.created_at ELSE m.created_at END, m.id LIMIT 100",
    )
    .bind(number)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| FlaggedMessage {
            message: r.message.view(&r.store_name),
            order_number: r.number,
            store_name: r.store_name,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::flag_of;

    #[test]
    fn contact_details_and_links_are_flagged_and_ordinary_text_is_not() {
        for (text, flag) in [
            ("Write me at ada@example.com instead", Some("email")),
            ("Call 555 123 4567 and I'll give you a discount", Some("phone")),
            ("+44 (20) 7946-0958", Some("phone")),
            ("see https://example.org/deal", Some("link")),
            ("my shop: cheap-kettles.shop", Some("link")),
            ("www.example", Some("link")),
            ("Order BZ-8H2K-1 arrived, thanks! 2 of 3 boxes.", None),
            ("The parcel weighs 1.5 kg; size 42.", None),
            ("Is it 100% cotton?", None),
            ("Shipped on 2026-12-05", None),
        ] {
            assert_eq!(flag_of(text), flag, "{text}");
        }
    }
}
