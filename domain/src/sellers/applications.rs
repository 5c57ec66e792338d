//! Applications to sell: what an applicant typed, checked field by field, and the admin's decision. The queries
//! take a connection so the onboarding workflow can compose them with the role change and the emails in one
//! transaction.

use model::orders::COUNTRIES;
use model::sellers::{ApplicationForm, ApplicationQueue, ApplicationStatus, ApplicationView};
use model::FieldError;
use sqlx::AnyConnection;

use super::{SellerError, SellerStatus};
use crate::accounts::Email;
use crate::platform::clock::now_ms;
use crate::platform::db::is_unique_violation;
use crate::platform::ids::next_id;
use crate::platform::text::slugify;
use crate::platform::{Actor, Db};

pub const STORE_NAME_MAX: usize = 60;
pub const SLUG_MIN: usize = 3;
pub const SLUG_MAX: usize = 40;
pub const TEXT_MAX: usize = 2_000;
pub const RETURN_DAYS_MAX: i64 = 365;
pub const REASON_MAX: usize = 1_000;
/// Applications per page of the admins' queue.
pub const QUEUE_PAGE: i64 = 25;

/// An application whose every field passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApplication {
    pub store_name: String,
    pub slug: String,
    pub description: String,
    pub support_email: String,
    pub country: String,
    pub return_days: i64,
    pub return_policy: String,
}

fn plain_text(field: &str, label: &str, raw: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    crate::platform::text::lines(raw, max).unwrap_or_else(|problem| {
        errors.push(FieldError::new(field, format!("{label}: {}", problem.message())));
        raw.trim().to_string()
    })
}

/// Checks every field at once; each problem names its field. An empty store address is made from the name.
pub fn validate(form: &ApplicationForm) -> Result<ValidApplication, Vec<FieldError>> {
    let mut errors = Vec::new();
    let store_name = form.store_name.trim().to_string();
    let name_chars = store_name.chars().count();
    if name_chars == 0 {
        errors.push(FieldError::new("store_name", "Enter your store's name."));
    } else if name_chars < 2 {
        errors.push(FieldError::new("store_name", "Use at least 2 characters."));
    } else if name_chars > STORE_NAME_MAX {
        errors.push(FieldError::new(
            "store_name",
            format!("Use at most {STORE_NAME_MAX} characters."),
        ));
    } else if store_name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "store_name",
            "The name contains characters that are not allowed.",
        ));
    }
    let typed_slug = form.slug.trim().to_lowercase();
    let slug = if typed_slug.is_empty() {
        slugify(&store_name)
    } else {
        typed_slug
    };
    if !store_name.is_empty() || !form.slug.trim().is_empty() {
        if let Some(problem) = slug_problem(&slug) {
            errors.push(FieldError::new("slug", problem));
        }
    }
    let description = plain_text(
        "description",
        "The description",
        &form.description,
        TEXT_MAX,
        &mut errors,
    );
    let support_email = match Email::parse(&form.support_email) {
        Ok(email) => email.as_str().to_string(),
        Err(e) => {
            errors.push(FieldError::new("support_email", e.message));
            String::new()
        }
    };
    let country = form.country.trim().to_uppercase();
    if !COUNTRIES.iter().any(|(code, _)| *code == country) {
        errors.push(FieldError::new("country", "Choose the country your store ships from."));
    }
    let return_days = match form.return_days.trim().parse::<i64>() {
        Ok(days) if (0..=RETURN_DAYS_MAX).contains(&days) => days,
        _ => {
            errors.push(FieldError::new(
                "return_days",
                format!("Enter a whole number of days from 0 to {RETURN_DAYS_MAX}."),
            ));
            0
        }
    };
    let return_policy = plain_text(
        "return_policy",
        "The return policy",
        &form.return_policy,
        TEXT_MAX,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidApplication {
        store_name,
        slug,
        description,
        support_email,
        country,
        return_days,
        return_policy,
    })
}

/// The countries a store may apply from, as (code, name): those the platform takes stores from, or every country
/// the shop ships to when it names none.
pub async fn countries_open(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    countries_open_in(&mut conn).await
}

/// [`countries_open`] on the caller's connection (or transaction).
pub async fn countries_open_in(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    let taken = crate::money::policy::seller_countries(conn).await?;
    Ok(COUNTRIES
        .iter()
        .filter(|(code, _)| taken.is_empty() || taken.iter().any(|t| t == code))
        .map(|(code, name)| (code.to_string(), name.to_string()))
        .collect())
}

/// Refuses country `country` unless the platform takes stores from it (its region: with Stripe Connect, where
/// the store's account can be opened), saying which it takes.
pub async fn check_region(conn: &mut AnyConnection, country: &str) -> Result<(), SellerError> {
    let open = countries_open_in(conn).await?;
    if open.iter().any(|(code, _)| code == country) {
        return Ok(());
    }
    let names: Vec<&str> = open.iter().map(|(_, name)| name.as_str()).collect();
    let message = if names.is_empty() {
        "Bazaar takes no new stores just now.".to_string()
    } else {
        format!("Bazaar takes stores from {} only.", names.join(", "))
    };
    Err(SellerError::Invalid(vec![FieldError::new("country", message)]))
}

/// Why `slug` cannot be a store address, if it cannot.
fn slug_problem(slug: &str) -> Option<String> {
    let well_formed = slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if !well_formed {
        return Some("Use lowercase letters, digits and single hyphens, like oak-and-iron.".into());
    }
    if slug.len() < SLUG_MIN || slug.len() > SLUG_MAX {
        return Some(format!("Use {SLUG_MIN} to {SLUG_MAX} characters."));
    }
    None
}

/// Whether a store or an application under review already has this address.
async fn slug_taken(conn: &mut AnyConnection, slug: &str) -> Result<bool, sqlx::Error> {
    let taken: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM sellers WHERE slug = $1) \
         + (SELECT COUNT(*) FROM seller_applications WHERE slug = $1 AND status = 'pending')",
    )
    .bind(slug)
    .fetch_one(&mut *conn)
    .await?;
    Ok(taken > 0)
}

/// A free address near `slug`: itself, then `slug-2` … `slug-9`, then one with a random suffix.
pub async fn free_slug(conn: &mut AnyConnection, slug: &str) -> Result<String, sqlx::Error> {
    if !slug_taken(conn, slug).await? {
        return Ok(slug.to_string());
    }
    let base: String = slug.chars().take(SLUG_MAX - 5).collect();
    for n in 2..10 {
        let candidate = format!("{base}-{n}");
        if !slug_taken(conn, &candidate).await? {
            return Ok(candidate);
        }
    }
    Ok(format!("{base}-{:04}", rand::random::<u16>() % 10_000))
}

fn slug_taken_error(suggestion: &str) -> SellerError {
    SellerError::Invalid(vec![FieldError::new(
        "slug",
        format!("This store address is taken. Try {suggestion}, or choose another."),
    )])
}

/// Records a new application by `user_id`. One application may be under review per account; the store address
/// must be free among stores and applications under review.
pub async fn insert(conn: &mut AnyConnection, user_id: i64, app: &ValidApplication) -> Result<i64, SellerError> {
    let pending: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM seller_applications WHERE user_id = $1 AND status = 'pending'")
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await?;
    if pending > 0 {
        return Err(already_pending());
    }
    if slug_taken(conn, &app.slug).await? {
        return Err(slug_taken_error(&free_slug(conn, &app.slug).await?));
    }
    let id = next_id();
    let inserted = sqlx::query(
        "INSERT INTO seller_applications (id, user_id, store_name, slug, description, support_email, country, \
         return_days, return_policy, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10)",
    )
    .bind(id)
    .bind(user_id)
    .bind(&app.store_name)
    .bind(&app.slug)
    .bind(&app.description)
    .bind(&app.support_email)
    .bind(&app.country)
    .bind(app.return_days)
    .bind(&app.return_policy)
    .bind(now_ms())
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => Ok(id),
        // Another request won the race for the address or the account's one pending place.
        Err(e) if is_unique_violation(&e) => Err(SellerError::Conflict(
            "Your application could not be saved because the store address was just taken or you applied in \
             another tab. Reload the page and check."
                .into(),
        )),
        Err(e) => Err(e.into()),
    }
}

fn already_pending() -> SellerError {
    SellerError::Conflict("Your application is already being reviewed; we will email you the decision.".into())
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ApplicationRow {
    id: i64,
    user_id: i64,
    store_name: String,
    slug: String,
    description: String,
    support_email: String,
    country: String,
    return_days: i64,
    return_policy: String,
    status: String,
    reason: String,
    applicant_name: String,
    applicant_email: String,
    created_at: i64,
    decided_at: Option<i64>,
}

impl ApplicationRow {
    fn view(self) -> ApplicationView {
        ApplicationView {
            id: self.id,
            store_name: self.store_name,
            slug: self.slug,
            description: self.description,
            support_email: self.support_email,
            country: self.country,
            return_days: self.return_days,
            return_policy: self.return_policy,
            status: ApplicationStatus::parse(&self.status).unwrap_or(ApplicationStatus::Pending),
            reason: self.reason,
            applicant_name: self.applicant_name,
            applicant_email: self.applicant_email,
            created_at: self.created_at,
            decided_at: self.decided_at,
        }
    }
}

const SELECT: &str = "SELECT a.id, a.user_id, a.store_name, a.slug, a.description, a.support_email, a.country, \
     a.return_days, a.return_policy, a.status, a.reason, u.name AS applicant_name, u.email AS applicant_email, \
     a.created_at, a.decided_at FROM seller_applications a JOIN users u ON u.id = a.user_id";

/// The signed-in account's latest application, if it made one.
pub async fn latest_of(db: &Db, actor: &Actor) -> Result<Option<ApplicationView>, SellerError> {
    let Some(user_id) = actor.user_id() else {
        return Ok(None);
    };
    let row: Option<ApplicationRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE a.user_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT 1"
    ))
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(ApplicationRow::view))
}

/// Applications awaiting a decision, oldest first, a page at a time (`after`: the cursor a page gave). Admins only.
pub async fn queue(db: &Db, actor: &Actor, after: Option<&str>) -> Result<ApplicationQueue, SellerError> {
    if !actor.is_admin() {
        return Err(SellerError::Forbidden);
    }
    let (after_at, after_id) = after.and_then(parse_cursor).unwrap_or((i64::MIN, i64::MIN));
    let mut rows: Vec<ApplicationRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE a.status = 'pending' AND (a.created_at > $1 OR (a.created_at = $1 AND a.id > $2)) \
         ORDER BY a.created_at, a.id LIMIT $3"
    ))
    .bind(after_at)
    .bind(after_id)
    .bind(QUEUE_PAGE + 1)
    .fetch_all(db.pool())
    .await?;
    let next = if rows.len() as i64 > QUEUE_PAGE {
        rows.truncate(QUEUE_PAGE as usize);
        rows.last().map(|r| format!("{}.{}", r.created_at, r.id))
    } else {
        None
    };
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM seller_applications WHERE status = 'pending'")
        .fetch_one(db.pool())
        .await?;
    Ok(ApplicationQueue {
        pending,
        items: rows.into_iter().map(ApplicationRow::view).collect(),
        next,
    })
}

fn parse_cursor(cursor: &str) -> Option<(i64, i64)> {
    let (at, id) = cursor.split_once('.')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

/// An application under review, read inside the deciding transaction.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: i64,
    pub user_id: i64,
    pub view: ApplicationView,
}

pub async fn pending(conn: &mut AnyConnection, id: i64) -> Result<Pending, SellerError> {
    let row: Option<ApplicationRow> = sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let row = row.ok_or(SellerError::NotFound)?;
    if ApplicationStatus::parse(&row.status) != Some(ApplicationStatus::Pending) {
        return Err(SellerError::Conflict(format!(
            "The application for {} was already decided; reload the queue.",
            row.store_name
        )));
    }
    Ok(Pending {
        id: row.id,
        user_id: row.user_id,
        view: row.view(),
    })
}

/// The admin's reason for a rejection: required, so the applicant learns what to change.
pub fn parse_reason(raw: &str) -> Result<String, SellerError> {
    let mut errors = Vec::new();
    let reason = plain_text("reason", "The reason", raw, REASON_MAX, &mut errors);
    if reason.is_empty() {
        errors.push(FieldError::new(
            "reason",
            "Say why, so the applicant knows what to change.",
        ));
    }
    if errors.is_empty() {
        Ok(reason)
    } else {
        Err(SellerError::Invalid(errors))
    }
}

/// Records the decision on an application still pending (a conditional update: two admins deciding at once
/// cannot both win).
pub async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    status: ApplicationStatus,
    reason: &str,
    admin_id: Option<i64>,
    seller_id: Option<i64>,
) -> Result<(), SellerError> {
    let done = sqlx::query(
        "UPDATE seller_applications SET status = $1, reason = $2, decided_by = $3, decided_at = $4, seller_id = $5 \
         WHERE id = $6 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(reason)
    .bind(admin_id)
    .bind(now_ms())
    .bind(seller_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(SellerError::Conflict(
            "The application was already decided; reload the queue.".into(),
        ));
    }
    Ok(())
}

/// Opens the store an approved application describes, with a first warehouse in the store's country.
pub async fn open_store(conn: &mut AnyConnection, user_id: i64, app: &ApplicationView) -> Result<i64, SellerError> {
    let id = next_id();
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO sellers (id, user_id, store_name, slug, description, status, support_email, country, \
         return_days, return_policy, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(user_id)
    .bind(&app.store_name)
    .bind(&app.slug)
    .bind(&app.description)
    .bind(SellerStatus::Active.as_str())
    .bind(&app.support_email)
    .bind(&app.country)
    .bind(app.return_days)
    .bind(&app.return_policy)
    .bind(now)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(SellerError::Conflict(format!(
                "Another store already uses the address {}; reject this application and ask for another address.",
                app.slug
            )))
        }
        Err(e) => return Err(e.into()),
    }
    sqlx::query("INSERT INTO warehouses (id, seller_id, name, country, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(next_id())
        .bind(id)
        .bind("Main warehouse")
        .bind(&app.country)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// Deletes the account's applications that did not open a store (an erasure), in the caller's transaction.
pub async fn forget(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM seller_applications WHERE user_id = $1 AND seller_id IS NULL")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ApplicationForm {
        ApplicationForm {
            store_name: "Oak & Iron".into(),
            slug: String::new(),
            description: "Hand-made tools.".into(),
            support_email: " Help@OakIron.example ".into(),
            country: "de".into(),
            return_days: "30".into(),
            return_policy: "Unused items within 30 days.".into(),
        }
    }

    #[test]
    fn an_empty_address_is_made_from_the_name_and_fields_are_normalised() {
        let valid = validate(&form()).expect("valid");
        assert_eq!(valid.slug, "oak-iron");
        assert_eq!(valid.support_email, "help@oakiron.example");
        assert_eq!(valid.country, "DE");
        assert_eq!(valid.return_days, 30);
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let bad = ApplicationForm {
            store_name: String::new(),
            slug: "Not A Slug!".into(),
            description: "x".repeat(TEXT_MAX + 1),
            support_email: "nope".into(),
            country: "XX".into(),
            return_days: "-1".into(),
            return_policy: String::new(),
        };
        let errors = validate(&bad).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "store_name",
                "slug",
                "description",
                "support_email",
                "country",
                "return_days"
            ]
        );
    }

    #[test]
    fn addresses_are_lowercase_words_joined_by_single_hyphens() {
        assert_eq!(slug_problem("oak-iron"), None);
        assert!(slug_problem("oak--iron").is_some());
        assert!(slug_problem("-oak").is_some());
        assert!(slug_problem("ab").is_some());
        assert!(slug_problem(&"a".repeat(SLUG_MAX + 1)).is_some());
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        assert!(matches!(parse_reason("  "), Err(SellerError::Invalid(_))));
        assert_eq!(
            parse_reason(" Add a return policy. ").expect("ok"),
            "Add a return policy."
        );
    }
}
