//! A store's own promo codes (`/seller/promotions`): list them with their uses and the discount they gave, create
//! one, pause and resume. Checkout applies them (`checkout::promo`); only the store's seller manages them here.

use model::catalog::Money;
use model::promotions::{PromotionForm, PromotionRow, PromotionState, StorePromotions};
use model::{format_date, parse_date, FieldError};

use super::SellerError;
use crate::catalog::editor::parse_money;
use crate::checkout::promo::{self, NewPromo, PromoError, PromoKind};
use crate::platform::clock::now_ms;
use crate::platform::{Actor, Db};

const DAY_MS: i64 = 86_400_000;

/// Store codes are in the shop's currency (checkout prices every cart in it).
const CURRENCY: &str = "USD";

#[derive(Debug, sqlx::FromRow)]
struct CodeRow {
    id: i64,
    code: String,
    kind: String,
    value: i64,
    min_subtotal: i64,
    starts_at: i64,
    ends_at: Option<i64>,
    max_uses: Option<i64>,
    per_customer: Option<i64>,
    uses: i64,
    paused_at: Option<i64>,
    discount_given: i64,
    last_used: Option<i64>,
}

impl CodeRow {
    fn state(&self, now: i64) -> PromotionState {
        if self.ends_at.is_some_and(|end| now >= end) {
            PromotionState::Ended
        } else if self.max_uses.is_some_and(|max| self.uses >= max) {
            PromotionState::UsedUp
        } else if self.paused_at.is_some() {
            PromotionState::Paused
        } else if now < self.starts_at {
            PromotionState::Scheduled
        } else {
            PromotionState::Active
        }
    }

    fn view(self, now: i64) -> PromotionRow {
        let money = |amount: i64| Money::new(amount, CURRENCY);
        let offer = if self.kind == "percent" {
            format!("{} % off", self.value)
        } else {
            format!("{} off", money(self.value).display())
        };
        let mut conditions = Vec::new();
        if self.min_subtotal > 0 {
            conditions.push(format!("orders from {}", money(self.min_subtotal).display()));
        }
        match self.per_customer {
            Some(1) => conditions.push("once per customer".to_string()),
            Some(n) => conditions.push(format!("{n} times per customer")),
            None => {}
        }
        if now < self.starts_at {
            conditions.push(format!("from {}", format_date(self.starts_at)));
        }
        if let Some(end) = self.ends_at {
            // Stored as the start of the day after the last one.
            conditions.push(format!("until {}", format_date(end - DAY_MS)));
        }
        PromotionRow {
            state: self.state(now),
            id: self.id,
            code: self.code,
            offer,
            conditions: conditions.join(" · "),
            uses: self.uses,
            max_uses: self.max_uses,
            discount_given: money(self.discount_given),
            last_used: self.last_used,
            paused: self.paused_at.is_some(),
        }
    }
}

/// The codes of the actor's store, newest first, each with its uses and the discount its paid orders got.
pub async fn list(db: &Db, actor: &Actor) -> Result<StorePromotions, SellerError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let names = super::portal::store_names(&mut conn, store)
        .await?
        .ok_or(SellerError::NotFound)?;
    // The discount this store's own orders got (a code's orders of other stores are none of its business, and a
    // store code discounts only its items anyway).
    let rows: Vec<CodeRow> = sqlx::query_as(
        "SELECT p.id, p.code, p.kind, p.value, p.min_subtotal, p.starts_at, p.ends_at, p.max_uses, p.per_customer, \
         p.uses, p.paused_at, \
         CAST(COALESCE((SELECT SUM(o.discount) FROM promo_redemptions r JOIN orders o ON o.group_id = r.group_id \
           JOIN order_groups g ON g.id = r.group_id \
           WHERE r.promo_id = p.id AND o.seller_id = p.seller_id AND g.status = 'paid'), 0) AS BIGINT) \
           AS discount_given, \
         (SELECT MAX(r.created_at) FROM promo_redemptions r WHERE r.promo_id = p.id) AS last_used \
         FROM promo_codes p WHERE p.seller_id = $1 ORDER BY p.created_at DESC, p.id DESC",
    )
    .bind(store)
    .fetch_all(&mut *conn)
    .await?;
    let now = now_ms();
    Ok(StorePromotions {
        store_name: names.store_name,
        store_slug: names.slug,
        codes: rows.into_iter().map(|r| r.view(now)).collect(),
    })
}

/// A whole number a limit field holds: empty is "no limit".
fn limit(typed: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    match typed.parse::<i64>() {
        Ok(n) if (1..=1_000_000_000).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(
                field,
                "Type a whole number from 1, or leave it empty for no limit.",
            ));
            None
        }
    }
}

/// The discount typed for `kind`: a whole percentage, or an amount; its error on `value` otherwise.
fn discount_value(kind: PromoKind, typed: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let (value, message) = match kind {
        PromoKind::Percent => (
            typed.trim().parse::<i64>().ok().filter(|v| (1..=100).contains(v)),
            "Type a whole percentage from 1 to 100.",
        ),
        PromoKind::Fixed => (
            parse_money(typed).filter(|v| *v > 0),
            "Type an amount more than zero, like 5.00.",
        ),
    };
    if value.is_none() {
        errors.push(FieldError::new("value", message));
    }
    value
}

/// The form as a code to store, or every field's problem at once.
pub fn parse(form: &PromotionForm, store: i64, now: i64) -> Result<NewPromo, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = promo::normalise(&form.code);
    if !promo::valid_code(&code) {
        errors.push(FieldError::new(
            "code",
            "Use 3 to 32 letters, digits, hyphens or underscores, for example WINTER10.",
        ));
    }
    let kind = match form.kind.as_str() {
        "percent" => Some(PromoKind::Percent),
        "fixed" => Some(PromoKind::Fixed),
        _ => {
            errors.push(FieldError::new("kind", "Choose a percentage or an amount off."));
            None
        }
    };
    let value = kind.and_then(|kind| discount_value(kind, &form.value, &mut errors));
    let min_subtotal = if form.min_subtotal.trim().is_empty() {
        Some(0)
    } else {
        parse_money(&form.min_subtotal)
    };
    if min_subtotal.is_none() {
        errors.push(FieldError::new(
            "min_subtotal",
            "Type an amount like 20.00, or leave it empty.",
        ));
    }
    let starts_at = if form.starts.trim().is_empty() {
        Some(now)
    } else {
        parse_date(&form.starts)
    };
    if starts_at.is_none() {
        errors.push(FieldError::new(
            "starts",
            "Choose a date, or leave it empty to start today.",
        ));
    }
    // The last day it works, to its end.
    let ends_at = if form.ends.trim().is_empty() {
        Some(None)
    } else {
        parse_date(&form.ends).map(|day| Some(day + DAY_MS))
    };
    match (starts_at, ends_at) {
        (_, None) => errors.push(FieldError::new("ends", "Choose a date, or leave it empty for no end.")),
        (Some(start), Some(Some(end))) if end <= start || end <= now => errors.push(FieldError::new(
            "ends",
            "The last day is today or later, and not before the start.",
        )),
        _ => {}
    }
    let max_uses = limit(&form.max_uses, "max_uses", &mut errors);
    let per_customer = limit(&form.per_customer, "per_customer", &mut errors);
    match (kind, value, min_subtotal, starts_at, ends_at) {
        (Some(kind), Some(value), Some(min_subtotal), Some(starts_at), Some(ends_at)) if errors.is_empty() => {
            Ok(NewPromo {
                code,
                seller_id: Some(store),
                kind,
                value,
                min_subtotal,
                starts_at,
                ends_at,
                max_uses,
                per_customer,
            })
        }
        _ => Err(errors),
    }
}

/// Creates a code for the actor's store; returns it as stored (upper-case).
pub async fn create(db: &Db, actor: &Actor, form: &PromotionForm) -> Result<String, SellerError> {
    let store = actor.own_store()?;
    let new = parse(form, store, now_ms()).map_err(SellerError::Invalid)?;
    match promo::create(db, actor, &new).await {
        Ok(_) => Ok(new.code),
        Err(PromoError::Invalid(message)) => Err(SellerError::Invalid(vec![FieldError::new("code", message)])),
        Err(PromoError::Forbidden) => Err(SellerError::NotFound),
        Err(PromoError::Db(e)) => Err(e.into()),
    }
}

/// Pauses (`paused`) or resumes one of the store's codes. Another store's code, or an unknown one, is not found;
/// pausing a paused code (a second click) changes nothing and is no error.
pub async fn set_paused(db: &Db, actor: &Actor, id: i64, paused: bool) -> Result<String, SellerError> {
    let store = actor.own_store()?;
    let mut tx = db.begin_write().await?;
    let code: Option<String> = sqlx::query_scalar(
        "UPDATE promo_codes SET paused_at = CASE WHEN $1 = 1 THEN COALESCE(paused_at, $2) ELSE NULL END \
         WHERE id = $3 AND seller_id = $4 RETURNING code",
    )
    .bind(i64::from(paused))
    .bind(now_ms())
    .bind(id)
    .bind(store)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    code.ok_or(SellerError::NotFound)
}
