//! A store's own shipping rates, as its seller sets them on the settings screen: the same rows checkout quotes
//! from (`shipping::options`). Scoped by the acting seller's store.

use model::catalog::Money;
use model::orders::COUNTRIES;
use model::sellers::{RateForm, RateKind, RateView};
use model::FieldError;

use super::shipping::rate_kind;
use crate::catalog::editor::parse_money;
use crate::platform::ids::next_id;
use crate::platform::{Actor, Db};

#[derive(Debug, thiserror::Error)]
pub enum RateError {
    #[error("invalid shipping rate")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<RateError> for crate::platform::Problem {
    fn from(err: RateError) -> Self {
        use crate::platform::Problem;
        match err {
            RateError::Invalid(fields) => Problem::Invalid(fields),
            RateError::NotFound => Problem::NotFound,
            RateError::Db(e) => e.into(),
        }
    }
}

/// The store's rates, in the order checkout offers them.
pub async fn list(db: &Db, store: i64) -> Result<Vec<RateView>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        country: String,
        kind: String,
        amount: i64,
        free_over: Option<i64>,
        days_min: i64,
        days_max: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, country, kind, amount, free_over, days_min, days_max FROM shipping_rates \
         WHERE seller_id = $1 ORDER BY position, id",
    )
    .bind(store)
    .fetch_all(db.pool())
    .await?;
    let mut rates = Vec::with_capacity(rows.len());
    for r in rows {
        rates.push(RateView {
            id: r.id,
            name: r.name,
            country: r.country,
            kind: rate_kind(r.kind)?,
            amount: Money::new(r.amount, "USD"),
            free_over: r.free_over.map(|f| Money::new(f, "USD")),
            days_min: r.days_min,
            days_max: r.days_max,
        });
    }
    Ok(rates)
}

/// Adds a rate to the actor's own store; every wrong field is named.
pub async fn add(db: &Db, actor: &Actor, form: &RateForm) -> Result<i64, RateError> {
    let store = actor.own_store()?;
    let mut errors = Vec::new();
    let name = crate::platform::text::line(&form.name, 40).unwrap_or_default();
    let name = name.as_str();
    if name.is_empty() {
        errors.push(FieldError::new(
            "rate_name",
            "Name the rate in 1 to 40 characters (Standard, Express…).",
        ));
    }
    let country = form.country.trim().to_uppercase();
    if country != "*" && !COUNTRIES.iter().any(|(c, _)| *c == country) {
        errors.push(FieldError::new("rate_country", "Choose a country, or everywhere."));
    }
    let kind = RateKind::parse(&form.kind);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "Choose flat or per item."));
    }
    let amount = parse_money(&form.amount);
    if amount.is_none() {
        errors.push(FieldError::new(
            "amount",
            "Enter the cost like 4.99 (0 for free shipping).",
        ));
    }
    let free_over = match form.free_over.trim() {
        "" => None,
        typed => {
            let parsed = parse_money(typed);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "free_over",
                    "Enter an order value like 50.00, or leave it empty.",
                ));
            }
            parsed
        }
    };
    let days = |typed: &str| typed.trim().parse::<i64>().ok().filter(|d| (0..=90).contains(d));
    let (days_min, days_max) = (days(&form.days_min), days(&form.days_max));
    match (days_min, days_max) {
        (Some(a), Some(b)) if a <= b => {}
        _ => errors.push(FieldError::new(
            "days",
            "Enter the handling and delivery days as two whole numbers, the first not above the second.",
        )),
    }
    if !errors.is_empty() {
        return Err(RateError::Invalid(errors));
    }
    let position: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(position), -1) + 1 AS BIGINT) FROM shipping_rates WHERE seller_id = $1",
    )
    .bind(store)
    .fetch_one(db.pool())
    .await?;
    let id = next_id();
    db.write_one(
        sqlx::query(
            "INSERT INTO shipping_rates (id, seller_id, name, country, kind, amount, free_over, days_min, days_max, \
         position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(store)
        .bind(name)
        .bind(&country)
        .bind(kind.unwrap_or(RateKind::Flat).as_str())
        .bind(amount.unwrap_or(0))
        .bind(free_over)
        .bind(days_min.unwrap_or(0))
        .bind(days_max.unwrap_or(0))
        .bind(position),
    )
    .await?;
    Ok(id)
}

/// Removes one of the actor's own rates (orders keep the shipping they were quoted).
pub async fn remove(db: &Db, actor: &Actor, id: i64) -> Result<(), RateError> {
    let store = actor.own_store()?;
    let done = db
        .write_one(
            sqlx::query("DELETE FROM shipping_rates WHERE id = $1 AND seller_id = $2")
                .bind(id)
                .bind(store),
        )
        .await?;
    if done.rows_affected() == 0 {
        return Err(RateError::NotFound);
    }
    Ok(())
}

impl From<crate::platform::actor::NotFound> for RateError {
    fn from(_: crate::platform::actor::NotFound) -> Self {
        RateError::NotFound
    }
}
