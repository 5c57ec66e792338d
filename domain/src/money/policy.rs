//! The platform's rules for sellers' money (`money_policy`, one row): the holding days after delivery, the tax
//! charged on commission, whether a refund gives commission back, the least amount a transfer moves, whether
//! a dispute holds the store's money or takes it at once, the payment provider's fee and who bears it, and the
//! countries stores may apply from (the platform's region: Stripe Connect opens accounts in them). Set by
//! the operator (`bazaar money`); read where the rule applies, so a change applies from then on.

use model::orders::COUNTRIES;
use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::platform::Db;

pub const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Policy {
    pub hold_days: i64,
    pub commission_tax_bp: i64,
    /// 1: refunded units give their commission back.
    pub commission_back: i64,
    pub min_transfer: i64,
    /// 1: a disputed order's money is held until the case is decided; 0: the store's share is taken at once and
    /// given back if the case is won.
    pub dispute_hold: i64,
}

pub async fn read(conn: &mut AnyConnection) -> Result<Policy, sqlx::Error> {
    sqlx::query_as(
        "SELECT hold_days, commission_tax_bp, commission_back, min_transfer, dispute_hold FROM money_policy \
         WHERE id = 1",
    )
    .fetch_one(&mut *conn)
    .await
}

/// Whether `policy` is within its bounds (the table's checks, said before the database says it).
pub fn valid(policy: &Policy) -> bool {
    (0..=90).contains(&policy.hold_days)
        && (0..=10_000).contains(&policy.commission_tax_bp)
        && (0..=1).contains(&policy.commission_back)
        && policy.min_transfer >= 0
        && (0..=1).contains(&policy.dispute_hold)
}

/// Replaces the policy; `false` (nothing changed) when a figure is out of bounds.
pub async fn set(db: &Db, policy: &Policy) -> Result<bool, sqlx::Error> {
    if !valid(policy) {
        return Ok(false);
    }
    db.write_one(
        sqlx::query(
            "UPDATE money_policy SET hold_days = $1, commission_tax_bp = $2, commission_back = $3, \
             min_transfer = $4, dispute_hold = $5, updated_at = $6 WHERE id = 1",
        )
        .bind(policy.hold_days)
        .bind(policy.commission_tax_bp)
        .bind(policy.commission_back)
        .bind(policy.min_transfer)
        .bind(policy.dispute_hold)
        .bind(now_ms()),
    )
    .await?;
    Ok(true)
}

/// The payment provider's fee per payment and who bears it (set apart from [`Policy`]: most shops never change it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct FeeRule {
    /// Basis points of the payment (290: 2.9 %), 0 to 2,000.
    pub fee_bp: i64,
    /// Minor units per payment (30: 0.30), 0 to 10,000.
    pub fee_fixed: i64,
    /// 1: each store order bears its share, booked at the sale; 0: the platform bears it.
    pub seller_pays_fee: i64,
}

impl FeeRule {
    /// The provider's fee on a payment of `amount`, rounded half up.
    pub fn fee_on(&self, amount: i64) -> i64 {
        (amount * self.fee_bp + 5_000) / 10_000 + self.fee_fixed
    }

    fn valid(&self) -> bool {
        (0..=2_000).contains(&self.fee_bp)
            && (0..=10_000).contains(&self.fee_fixed)
            && (0..=1).contains(&self.seller_pays_fee)
    }
}

/// Reads a fee as typed: `2.9%+0.30`, `2.9%` or `0.30` (a percentage of the payment, and a fixed amount);
/// `(basis points, minor units)`.
pub fn parse_fee(typed: &str) -> Option<(i64, i64)> {
    let typed = typed.trim();
    let (percent, fixed) = match typed.split_once('+') {
        Some((p, f)) => (Some(p.trim()), Some(f.trim())),
        None if typed.ends_with('%') => (Some(typed), None),
        None => (None, Some(typed)),
    };
    let bp = match percent {
        Some(p) => super::commission::parse_percent(p.strip_suffix('%')?)?,
        None => 0,
    };
    let fixed = match fixed {
        Some(f) => crate::catalog::editor::parse_money(f)?,
        None => 0,
    };
    Some((bp, fixed))
}

pub async fn fee_rule(conn: &mut AnyConnection) -> Result<FeeRule, sqlx::Error> {
    sqlx::query_as("SELECT fee_bp, fee_fixed, seller_pays_fee FROM money_policy WHERE id = 1")
        .fetch_one(&mut *conn)
        .await
}

/// Replaces the fee rule; `false` (nothing changed) when a figure is out of bounds.
pub async fn set_fee_rule(db: &Db, rule: &FeeRule) -> Result<bool, sqlx::Error> {
    if !rule.valid() {
        return Ok(false);
    }
    db.write_one(
        sqlx::query(
            "UPDATE money_policy SET fee_bp = $1, fee_fixed = $2, seller_pays_fee = $3, updated_at = $4 WHERE id = 1",
        )
        .bind(rule.fee_bp)
        .bind(rule.fee_fixed)
        .bind(rule.seller_pays_fee)
        .bind(now_ms()),
    )
    .await?;
    Ok(true)
}

/// The countries stores may apply from (codes of [`COUNTRIES`], in its order); none: every one of them.
pub async fn seller_countries(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    let stored: String = sqlx::query_scalar("SELECT seller_countries FROM money_policy WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    // A code that stopped being one of ours drops alone: the others stay the region. If none is left, the stored
    // codes stay as they are and open nothing (never every country).
    let known: Vec<&str> = stored
        .split(',')
        .filter(|code| COUNTRIES.iter().any(|(c, _)| c == code))
        .collect();
    if known.is_empty() && !stored.trim().is_empty() {
        return Ok(stored.split(',').map(str::to_string).collect());
    }
    Ok(parse_countries(&known.join(",")).unwrap_or_default())
}

/// Country codes as typed (`us, CA`), each one of [`COUNTRIES`], in its order, once; `all` or nothing: none
/// (every country). `None` when a code is not one of ours.
pub fn parse_countries(typed: &str) -> Option<Vec<String>> {
    let typed = typed.trim();
    if typed.is_empty() || typed.eq_ignore_ascii_case("all") {
        return Some(Vec::new());
    }
    let codes: Vec<String> = typed.split(',').map(|c| c.trim().to_ascii_uppercase()).collect();
    if codes.iter().any(|c| !COUNTRIES.iter().any(|(code, _)| code == c)) {
        return None;
    }
    Some(
        COUNTRIES
            .iter()
            .filter(|(code, _)| codes.iter().any(|c| c == code))
            .map(|(code, _)| code.to_string())
            .collect(),
    )
}

/// Sets the countries stores may apply from, as typed; the codes kept, or what is wrong.
pub async fn set_seller_countries(db: &Db, typed: &str) -> Result<Vec<String>, String> {
    let known = COUNTRIES.iter().map(|(code, _)| *code).collect::<Vec<_>>().join(", ");
    let codes = parse_countries(typed).ok_or(format!("the seller countries are `all` or codes from: {known}"))?;
    db.write_one(
        sqlx::query("UPDATE money_policy SET seller_countries = $1, updated_at = $2 WHERE id = 1")
            .bind(codes.join(","))
            .bind(now_ms()),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(codes)
}

/// Freezes when order `order_id`'s money stops being pending, if not yet frozen: `hold_days` after now for a
/// delivery, now for an order that ended cancelled or refunded (nothing is left to wait for).
pub async fn release_order(conn: &mut AnyConnection, order_id: i64, delivered: bool) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let hold = if delivered {
        read(conn).await?.hold_days * DAY_MS
    } else {
        0
    };
    sqlx::query("UPDATE orders SET funds_release_at = $1 WHERE id = $2 AND funds_release_at IS NULL")
        .bind(now + hold)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_read_as_typed_and_round_half_up() {
        assert_eq!(parse_fee("2.9%+0.30"), Some((290, 30)));
        assert_eq!(parse_fee(" 1.5% "), Some((150, 0)));
        assert_eq!(parse_fee("0.25"), Some((0, 25)));
        assert_eq!(parse_fee("2.9"), Some((0, 290)), "a number without % is an amount");
        for bad in ["", "%", "2.9%+", "x%+0.30", "2.9%+abc", "-1%"] {
            assert_eq!(parse_fee(bad), None, "{bad:?}");
        }
        let rule = FeeRule {
            fee_bp: 290,
            fee_fixed: 30,
            seller_pays_fee: 1,
        };
        assert_eq!(rule.fee_on(10_000), 320);
        assert_eq!(rule.fee_on(1_017), 59, "29.493 rounds to 29, plus 30");
        assert_eq!(rule.fee_on(1_018), 60, "29.522 rounds to 30, plus 30");
        assert!(!FeeRule { fee_bp: 2_001, ..rule }.valid());
    }
}
