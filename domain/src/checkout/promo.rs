//! Promo codes: percent or fixed amount off, a minimum subtotal, a validity window, total and per-customer
//! usage limits, platform-wide or for one seller's items.
//!
//! The review page evaluates a code against the cart ([`check`]), so the shopper sees the discount, or why the
//! code does not apply, before paying. Placing the order evaluates it again inside the order's transaction and
//! [`redeem`]s it there: a conditional `UPDATE … SET uses = uses + 1 WHERE uses < max_uses` cannot be overrun by
//! concurrent checkouts (on PostgreSQL the row lock also orders the per-customer count behind it; on SQLite the
//! write transaction is exclusive). An unpaid order that ends (expired, declined) gives its use back.

use model::catalog::Money;
use model::format_date;
use sqlx::{AnyConnection, Row};

use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoKind {
    /// `value` percent off (1..=100).
    Percent,
    /// `value` minor units off, at most the eligible subtotal.
    Fixed,
}

impl PromoKind {
    fn as_str(self) -> &'static str {
        match self {
            PromoKind::Percent => "percent",
            PromoKind::Fixed => "fixed",
        }
    }
}

/// A code as it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promo {
    pub id: i64,
    pub code: String,
    /// `None`: platform-wide.
    pub seller_id: Option<i64>,
    pub seller_name: Option<String>,
    pub kind: PromoKind,
    pub value: i64,
    pub min_subtotal: i64,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub max_uses: Option<i64>,
    pub per_customer: Option<i64>,
    pub uses: i64,
    /// Paused by its store: refused at checkout until resumed.
    pub paused: bool,
}

/// What an admin (or a seller, for their own items) sets up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPromo {
    pub code: String,
    pub seller_id: Option<i64>,
    pub kind: PromoKind,
    pub value: i64,
    pub min_subtotal: i64,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub max_uses: Option<i64>,
    pub per_customer: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum PromoError {
    #[error("{0}")]
    Invalid(String),
    /// Only an admin makes platform-wide codes, only a store's seller (or an admin) that store's codes.
    #[error("not allowed")]
    Forbidden,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A code that applies to a cart: the discount of each seller's items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discount {
    pub promo_id: i64,
    pub code: String,
    /// "10 % off everything", "$5.00 off items from Acme".
    pub label: String,
    /// (seller id, discount) for every seller in the cart, in the cart's order; 0 for sellers it does not cover.
    pub per_seller: Vec<(i64, i64)>,
    pub total: i64,
}

impl Discount {
    pub fn of_seller(&self, seller_id: i64) -> i64 {
        self.per_seller
            .iter()
            .find(|(s, _)| *s == seller_id)
            .map_or(0, |(_, d)| *d)
    }
}

/// Codes are typed by people: spaces around them and letter case do not matter.
pub fn normalise(code: &str) -> String {
    code.trim().to_uppercase()
}

/// Who counts as one customer for per-customer limits: the account (when signed in) and the email given at
/// checkout, together. A use by either counts against both, so signing out and checking out as a guest with the
/// same address does not make a "once per customer" code usable again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub user_id: Option<i64>,
    /// Normalised by [`customer_email`].
    pub email: String,
}

/// The email as it counts for per-customer limits: trimmed, lower-case, and without a plus-address tag
/// (`ada+shop@example.com` is `ada@example.com`): most mail providers deliver both to one mailbox, so a tag
/// would otherwise make a new "customer" at will.
pub fn customer_email(email: &str) -> String {
    let email = email.trim().to_lowercase();
    match email.split_once('@') {
        Some((local, domain)) => {
            let local = local.split_once('+').map_or(local, |(base, _)| base);
            format!("{local}@{domain}")
        }
        None => email,
    }
}

pub fn customer_key(user_id: Option<i64>, email: &str) -> Customer {
    Customer {
        user_id,
        email: customer_email(email),
    }
}

pub(crate) fn valid_code(code: &str) -> bool {
    (3..=32).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Creates a code for `actor`; returns its id.
pub async fn create(db: &Db, actor: &crate::platform::Actor, new: &NewPromo) -> Result<i64, PromoError> {
    let allowed = match new.seller_id {
        None => actor.is_admin(),
        Some(store) => actor.may_manage_store(store),
    };
    if !allowed {
        return Err(PromoError::Forbidden);
    }
    let code = normalise(&new.code);
    if !valid_code(&code) {
        return Err(PromoError::Invalid(
            "A code is 3 to 32 letters, digits, hyphens or underscores.".to_string(),
        ));
    }
    match new.kind {
        PromoKind::Percent if !(1..=100).contains(&new.value) => {
            return Err(PromoError::Invalid("A percentage is between 1 and 100.".to_string()))
        }
        PromoKind::Fixed if new.value <= 0 => {
            return Err(PromoError::Invalid("A fixed discount is more than zero.".to_string()))
        }
        _ => {}
    }
    if new.ends_at.is_some_and(|end| end <= new.starts_at) {
        return Err(PromoError::Invalid("The code must end after it starts.".to_string()));
    }
    if new.min_subtotal < 0 || new.max_uses.is_some_and(|n| n <= 0) || new.per_customer.is_some_and(|n| n <= 0) {
        return Err(PromoError::Invalid("Limits are positive numbers.".to_string()));
    }
    let id = next_id();
    let inserted = db.write_one(sqlx::query(
        "INSERT INTO promo_codes (id, code, seller_id, kind, value, min_subtotal, starts_at, ends_at, max_uses, \
         per_customer, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (code) DO NOTHING",
    )
    .bind(id)
    .bind(&code)
    .bind(new.seller_id)
    .bind(new.kind.as_str())
    .bind(new.value)
    .bind(new.min_subtotal)
    .bind(new.starts_at)
    .bind(new.ends_at)
    .bind(new.max_uses)
    .bind(new.per_customer)
    .bind(now_ms()))
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(PromoError::Invalid(format!("The code {code} exists already.")));
    }
    Ok(id)
}

/// The code, if it exists.
pub async fn find(conn: &mut AnyConnection, code: &str) -> Result<Option<Promo>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT p.id, p.code, p.seller_id, s.store_name, p.kind, p.value, p.min_subtotal, p.starts_at, p.ends_at, \
         p.max_uses, p.per_customer, p.uses, p.paused_at FROM promo_codes p LEFT JOIN sellers s ON s.id = p.seller_id \
         WHERE p.code = $1",
    )
    .bind(normalise(code))
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let kind: String = r.try_get("kind")?;
        Ok(Promo {
            id: r.try_get("id")?,
            code: r.try_get("code")?,
            seller_id: r.try_get("seller_id")?,
            seller_name: r.try_get("store_name")?,
            kind: if kind == "percent" {
                PromoKind::Percent
            } else {
                PromoKind::Fixed
            },
            value: r.try_get("value")?,
            min_subtotal: r.try_get("min_subtotal")?,
            starts_at: r.try_get("starts_at")?,
            ends_at: r.try_get("ends_at")?,
            max_uses: r.try_get("max_uses")?,
            per_customer: r.try_get("per_customer")?,
            uses: r.try_get("uses")?,
            paused: r.try_get::<Option<i64>, _>("paused_at")?.is_some(),
        })
    })
    .transpose()
}

/// The uses of a code by the customer's account or email.
async fn uses_by(conn: &mut AnyConnection, promo_id: i64, customer: &Customer) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM promo_redemptions WHERE promo_id = $1 \
         AND ((email <> '' AND email = $2) OR (user_id IS NOT NULL AND user_id = $3))",
    )
    .bind(promo_id)
    .bind(&customer.email)
    .bind(customer.user_id)
    .fetch_one(&mut *conn)
    .await
}

/// Why `promo` cannot be used at `now` by a customer who used it `used` times, whatever the cart: paused, not
/// started, expired, used up, or this customer's limit reached.
fn unusable(promo: &Promo, now: i64, used: i64) -> Option<String> {
    let code = &promo.code;
    if promo.paused {
        return Some(format!("The code {code} is paused by its store at the moment."));
    }
    if now < promo.starts_at {
        return Some(format!("The code {code} starts on {}.", format_date(promo.starts_at)));
    }
    if let Some(end) = promo.ends_at.filter(|end| now >= *end) {
        return Some(format!("The code {code} expired on {}.", format_date(end)));
    }
    if promo.max_uses.is_some_and(|max| promo.uses >= max) {
        return Some(format!("The code {code} has been used up."));
    }
    match promo.per_customer {
        Some(1) if used >= 1 => Some(format!("You have already used the code {code}.")),
        Some(limit) if used >= limit => Some(format!(
            "You have already used the code {code} {limit} times, its limit."
        )),
        _ => None,
    }
}

/// Whether `promo` applies to a cart with these (seller id, item subtotal) groups, at `now`, for a customer who
/// used it `used` times; the discount per seller, or the sentence that says why not.
pub fn evaluate(
    promo: &Promo,
    now: i64,
    used: i64,
    subtotals: &[(i64, i64)],
    currency: &str,
) -> Result<Discount, String> {
    let code = &promo.code;
    if let Some(why) = unusable(promo, now, used) {
        return Err(why);
    }
    let covers = |seller: i64| promo.seller_id.is_none_or(|s| s == seller);
    let eligible: i64 = subtotals.iter().filter(|(s, _)| covers(*s)).map(|(_, t)| *t).sum();
    let seller_name = promo.seller_name.clone().unwrap_or_default();
    if eligible == 0 {
        return Err(format!(
            "The code {code} is for items from {seller_name}; none are in your cart."
        ));
    }
    if eligible < promo.min_subtotal {
        let scope = if promo.seller_id.is_some() {
            format!(" of items from {seller_name}")
        } else {
            String::new()
        };
        return Err(format!(
            "The code {code} needs a subtotal{scope} of at least {} (yours is {}).",
            Money::new(promo.min_subtotal, currency).display(),
            Money::new(eligible, currency).display()
        ));
    }
    let total = match promo.kind {
        // Rounded half up to the cent.
        PromoKind::Percent => (eligible * promo.value + 50) / 100,
        PromoKind::Fixed => promo.value.min(eligible),
    };
    // Shared among the covered sellers in proportion to their items; the last covered seller takes the
    // rounding remainder, so the parts add up to the total exactly.
    let covered: Vec<usize> = (0..subtotals.len()).filter(|&i| covers(subtotals[i].0)).collect();
    let weights: Vec<i64> = covered.iter().map(|&i| subtotals[i].1).collect();
    let mut per_seller: Vec<(i64, i64)> = subtotals.iter().map(|(s, _)| (*s, 0)).collect();
    for (&i, part) in covered.iter().zip(crate::platform::split::shares(total, &weights)) {
        per_seller[i].1 = part;
    }
    let off = match promo.kind {
        PromoKind::Percent => format!("{} % off", promo.value),
        PromoKind::Fixed => format!("{} off", Money::new(promo.value, currency).display()),
    };
    let label = match &promo.seller_name {
        Some(name) if promo.seller_id.is_some() => format!("{off} items from {name}"),
        _ => format!("{off} everything"),
    };
    Ok(Discount {
        promo_id: promo.id,
        code: code.clone(),
        label,
        per_seller,
        total,
    })
}

/// Looks the code up and evaluates it for this cart and customer.
pub async fn check(
    conn: &mut AnyConnection,
    code: &str,
    customer: &Customer,
    subtotals: &[(i64, i64)],
    currency: &str,
) -> Result<Result<Discount, String>, sqlx::Error> {
    let Some(promo) = find(conn, code).await? else {
        return Ok(Err(format!(
            "We don't know the code {}. Check the spelling.",
            normalise(code)
        )));
    };
    let used = uses_by(conn, promo.id, customer).await?;
    Ok(evaluate(&promo, now_ms(), used, subtotals, currency))
}

/// Takes one use of the code for `group_id`, inside the order's transaction. `Err(reason)` when the last use was
/// taken by someone else in the meantime, or this customer reached their limit.
pub(crate) async fn redeem(
    conn: &mut AnyConnection,
    discount: &Discount,
    group_id: i64,
    customer: &Customer,
) -> Result<Result<(), String>, sqlx::Error> {
    // Paused since the review page showed it: refused too.
    let taken = sqlx::query(
        "UPDATE promo_codes SET uses = uses + 1 WHERE id = $1 AND (max_uses IS NULL OR uses < max_uses) \
         AND paused_at IS NULL",
    )
    .bind(discount.promo_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if taken == 0 {
        return Ok(Err(format!(
            "The code {} has just been used up or paused by its store.",
            discount.code
        )));
    }
    // Counted after the UPDATE: on PostgreSQL a concurrent redemption of this code waits on the row until we
    // commit, then counts ours.
    let limit: Option<i64> = sqlx::query_scalar("SELECT per_customer FROM promo_codes WHERE id = $1")
        .bind(discount.promo_id)
        .fetch_one(&mut *conn)
        .await?;
    if let Some(limit) = limit {
        if uses_by(conn, discount.promo_id, customer).await? >= limit {
            return Ok(Err(format!("You have already used the code {}.", discount.code)));
        }
    }
    sqlx::query(
        "INSERT INTO promo_redemptions (promo_id, group_id, customer, amount, created_at, user_id, email) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(discount.promo_id)
    .bind(group_id)
    .bind(
        customer
            .user_id
            .map_or_else(|| format!("e:{}", customer.email), |id| format!("u:{id}")),
    )
    .bind(discount.total)
    .bind(now_ms())
    .bind(customer.user_id)
    .bind(&customer.email)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(()))
}

/// Gives the uses of an unpaid group that ended back to its codes.
pub(crate) async fn release(conn: &mut AnyConnection, group_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE promo_codes SET uses = uses - 1 \
         WHERE id IN (SELECT promo_id FROM promo_redemptions WHERE group_id = $1) AND uses > 0",
    )
    .bind(group_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM promo_redemptions WHERE group_id = $1")
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces the person's email on the codes they used (an erasure) with `erased_email`, in the caller's
/// transaction: the uses of the account and of the person's order `groups`, which still count against the codes'
/// limits. Other customers' uses of a similar address are never touched.
pub async fn forget(
    conn: &mut AnyConnection,
    user_id: i64,
    groups: &[i64],
    erased_email: &str,
) -> Result<(), sqlx::Error> {
    let customer = format!("e:{erased_email}");
    let rewrite = "UPDATE promo_redemptions SET email = $1, \
                   customer = CASE WHEN customer LIKE 'e:%' THEN $2 ELSE customer END WHERE ";
    sqlx::query(&format!("{rewrite}user_id = $3"))
        .bind(erased_email)
        .bind(&customer)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for group in groups {
        sqlx::query(&format!("{rewrite}group_id = $3"))
            .bind(erased_email)
            .bind(&customer)
            .bind(group)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promo(kind: PromoKind, value: i64) -> Promo {
        Promo {
            id: 1,
            code: "SAVE".into(),
            seller_id: None,
            seller_name: None,
            kind,
            value,
            min_subtotal: 0,
            starts_at: 0,
            ends_at: None,
            max_uses: None,
            per_customer: None,
            uses: 0,
            paused: false,
        }
    }

    #[test]
    fn a_paused_code_is_refused_with_its_reason() {
        let paused = Promo {
            paused: true,
            ..promo(PromoKind::Percent, 10)
        };
        let why = evaluate(&paused, 1, 0, &[(1, 1000)], "USD").expect_err("paused");
        assert_eq!(why, "The code SAVE is paused by its store at the moment.");
    }

    #[test]
    fn percent_is_shared_in_proportion_and_adds_up() {
        let d = evaluate(&promo(PromoKind::Percent, 10), 1, 0, &[(1, 3333), (2, 6667)], "USD").expect("ok");
        assert_eq!(d.total, 1000);
        assert_eq!(d.per_seller, vec![(1, 333), (2, 667)]);
        assert_eq!(d.label, "10 % off everything");
    }

    #[test]
    fn fixed_is_capped_and_seller_codes_cover_their_items_only() {
        let mut p = promo(PromoKind::Fixed, 5000);
        p.seller_id = Some(2);
        p.seller_name = Some("Acme".into());
        let d = evaluate(&p, 1, 0, &[(1, 9000), (2, 1200)], "USD").expect("ok");
        assert_eq!(d.per_seller, vec![(1, 0), (2, 1200)]);
        assert_eq!(d.label, "$50.00 off items from Acme");
        let none = evaluate(&p, 1, 0, &[(1, 9000)], "USD").expect_err("refused");
        assert!(none.contains("none are in your cart"), "{none}");
    }

    #[test]
    fn each_limit_says_why() {
        let mut p = promo(PromoKind::Percent, 10);
        p.ends_at = Some(86_400_000);
        assert_eq!(
            evaluate(&p, 86_400_000, 0, &[(1, 100)], "USD").expect_err("refused"),
            "The code SAVE expired on 1970-01-02."
        );
        let mut p = promo(PromoKind::Percent, 10);
        p.starts_at = 86_400_000;
        assert!(evaluate(&p, 0, 0, &[(1, 100)], "USD")
            .expect_err("refused")
            .contains("starts on 1970-01-02"));
        let mut p = promo(PromoKind::Percent, 10);
        p.max_uses = Some(3);
        p.uses = 3;
        assert!(evaluate(&p, 1, 0, &[(1, 100)], "USD")
            .expect_err("refused")
            .contains("used up"));
        let mut p = promo(PromoKind::Percent, 10);
        p.per_customer = Some(1);
        assert!(evaluate(&p, 1, 1, &[(1, 100)], "USD")
            .expect_err("refused")
            .contains("already used"));
        let mut p = promo(PromoKind::Percent, 10);
        p.min_subtotal = 5000;
        assert_eq!(
            evaluate(&p, 1, 0, &[(1, 4999)], "USD").expect_err("refused"),
            "The code SAVE needs a subtotal of at least $50.00 (yours is $49.99)."
        );
    }
}
