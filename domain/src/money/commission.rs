//! The platform's commission: a rate in basis points for the platform, a store or a category (the most specific
//! one applies: a store's, else its product's category's or that category's parent's, else the platform's;
//! decision 0027), optionally bounded per order line by a floor and a cap. It is frozen on each line when the order
//! is paid ([`freeze`]): the rate and the amount are copied onto the line, so changing a rate never changes a past
//! order.

use sqlx::AnyConnection;

use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::split::shares;
use crate::platform::Db;

/// Basis points in a whole (100 %).
const WHOLE_BP: i64 = 10_000;

/// A rate and its bounds per order line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub rate_bp: i64,
    pub floor: Option<i64>,
    pub cap: Option<i64>,
}

/// The commission on `base` (what the shopper paid for a line's goods): the rate rounded half up to the minor unit,
/// raised to the floor and lowered to the cap, and never more than the base itself.
pub fn of_line(base: i64, rate: &Rate) -> i64 {
    let base = base.max(0);
    let mut commission = (base * rate.rate_bp + WHOLE_BP / 2) / WHOLE_BP;
    if let Some(floor) = rate.floor {
        commission = commission.max(floor);
    }
    if let Some(cap) = rate.cap {
        commission = commission.min(cap);
    }
    commission.clamp(0, base)
}

#[derive(Debug, sqlx::FromRow)]
struct LineToFreeze {
    variant_id: i64,
    gross: i64,
    rate_bp: Option<i64>,
    floor_amount: Option<i64>,
    cap_amount: Option<i64>,
}

/// Freezes the commission of paid order `order_id`'s lines, in the caller's transaction (the payment's): each
/// line's share of the order's discount, the rate that applies now and the commission on the line's goods after
/// that share. Lines frozen before are left as they are (a second call changes nothing).
pub async fn freeze(conn: &mut AnyConnection, order_id: i64) -> Result<(), sqlx::Error> {
    let lines: Vec<LineToFreeze> = sqlx::query_as(
        "SELECT l.variant_id AS variant_id, l.unit_price * l.quantity AS gross, r.rate_bp AS rate_bp, \
         r.floor_amount AS floor_amount, r.cap_amount AS cap_amount \
         FROM order_lines l JOIN orders o ON o.id = l.order_id \
         LEFT JOIN products p ON p.id = l.product_id LEFT JOIN categories c ON c.id = p.category_id \
         LEFT JOIN commission_rates r ON r.id = COALESCE( \
           (SELECT s.id FROM commission_rates s WHERE s.scope = 'seller' AND s.scope_id = o.seller_id), \
           (SELECT k.id FROM commission_rates k WHERE k.scope = 'category' AND k.scope_id = p.category_id), \
           (SELECT k.id FROM commission_rates k WHERE k.scope = 'category' AND k.scope_id = c.parent_id), \
           (SELECT d.id FROM commission_rates d WHERE d.scope = 'platform' AND d.scope_id = 0)) \
         WHERE l.order_id = $1 AND l.commission_bp IS NULL ORDER BY l.variant_id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    if lines.is_empty() {
        return Ok(());
    }
    let discount: i64 = sqlx::query_scalar("SELECT discount FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await?;
    let weights: Vec<i64> = lines.iter().map(|l| l.gross).collect();
    for (line, share) in lines.iter().zip(shares(discount, &weights)) {
        let rate = Rate {
            rate_bp: line.rate_bp.unwrap_or(0),
            floor: line.floor_amount,
            cap: line.cap_amount,
        };
        sqlx::query(
            "UPDATE order_lines SET discount = $1, commission_bp = $2, commission = $3 \
             WHERE order_id = $4 AND variant_id = $5 AND commission_bp IS NULL",
        )
        .bind(share)
        .bind(rate.rate_bp)
        .bind(of_line(line.gross - share, &rate))
        .bind(order_id)
        .bind(line.variant_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Whom a rate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Platform,
    Seller(i64),
    Category(i64),
}

impl Scope {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Scope::Platform => ("platform", 0),
            Scope::Seller(id) => ("seller", id),
            Scope::Category(id) => ("category", id),
        }
    }
}

/// The scope a store's or a category's address name (slug) means, if it exists; the platform without either.
pub async fn scope_named(db: &Db, store: Option<&str>, category: Option<&str>) -> Result<Option<Scope>, sqlx::Error> {
    let (table, slug, scope): (&str, &str, fn(i64) -> Scope) = match (store, category) {
        (Some(slug), _) => ("sellers", slug, Scope::Seller),
        (None, Some(slug)) => ("categories", slug, Scope::Category),
        (None, None) => return Ok(Some(Scope::Platform)),
    };
    // `table` is one of our two names, never input.
    let id: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE slug = $1"))
        .bind(slug.trim())
        .fetch_optional(db.pool())
        .await?;
    Ok(id.map(scope))
}

/// A rate typed as a percentage ("12.5", "12.5 %", "8"), in basis points; `None` outside 0..=100 % or with more
/// than two decimals.
pub fn parse_percent(typed: &str) -> Option<i64> {
    let t = typed.trim().trim_end_matches('%').trim();
    let (whole, fraction) = t.split_once('.').unwrap_or((t, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || fraction.len() > 2 || whole.len() > 3 {
        return None;
    }
    let bp = whole.parse::<i64>().ok()? * 100 + format!("{fraction:0<2}").parse::<i64>().ok()?;
    (0..=WHOLE_BP).contains(&bp).then_some(bp)
}

/// Sets the rate for `scope` (the operator's command line; a store's own rate is also set from its admin page,
/// `super::store_rate`). Applies to orders paid from now on.
pub async fn set(db: &Db, scope: Scope, rate: Rate) -> Result<(), sqlx::Error> {
    let (kind, id) = scope.parts();
    db.write_one(
        sqlx::query(
            "INSERT INTO commission_rates (id, scope, scope_id, rate_bp, floor_amount, cap_amount, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (scope, scope_id) DO UPDATE SET \
             rate_bp = excluded.rate_bp, floor_amount = excluded.floor_amount, cap_amount = excluded.cap_amount, \
             updated_at = excluded.updated_at",
        )
        .bind(next_id())
        .bind(kind)
        .bind(id)
        .bind(rate.rate_bp)
        .bind(rate.floor)
        .bind(rate.cap)
        .bind(now_ms()),
    )
    .await?;
    Ok(())
}

/// Removes a store's or a category's own rate (the next one down applies again); whether there was one. The
/// platform's rate is changed, never removed.
pub async fn clear(db: &Db, scope: Scope) -> Result<bool, sqlx::Error> {
    if scope == Scope::Platform {
        return Ok(false);
    }
    let (kind, id) = scope.parts();
    let done = db
        .write_one(
            sqlx::query("DELETE FROM commission_rates WHERE scope = $1 AND scope_id = $2")
                .bind(kind)
                .bind(id),
        )
        .await?;
    Ok(done.rows_affected() == 1)
}

/// One rate as the command line lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RateRow {
    pub scope: String,
    /// The store's or the category's name; empty for the platform.
    pub name: String,
    pub rate_bp: i64,
    pub floor_amount: Option<i64>,
    pub cap_amount: Option<i64>,
}

/// Every rate: the platform's, then the stores', then the categories'.
pub async fn list(db: &Db) -> Result<Vec<RateRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.scope AS scope, COALESCE(s.store_name, c.name, '') AS name, r.rate_bp AS rate_bp, \
         r.floor_amount AS floor_amount, r.cap_amount AS cap_amount FROM commission_rates r \
         LEFT JOIN sellers s ON r.scope = 'seller' AND s.id = r.scope_id \
         LEFT JOIN categories c ON r.scope = 'category' AND c.id = r.scope_id \
         ORDER BY CASE r.scope WHEN 'platform' THEN 0 WHEN 'seller' THEN 1 ELSE 2 END, name",
    )
    .fetch_all(db.pool())
    .await
}

pub use model::admin_stores::percent as percent_label;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_pays_its_rate_within_floor_and_cap_and_never_more_than_itself() {
        let ten = Rate {
            rate_bp: 1000,
            floor: None,
            cap: None,
        };
        assert_eq!(of_line(1234, &ten), 123);
        assert_eq!(of_line(1235, &ten), 124, "half up");
        let bounded = Rate {
            floor: Some(50),
            cap: Some(500),
            ..ten
        };
        assert_eq!(of_line(100, &bounded), 50, "the floor");
        assert_eq!(of_line(30, &bounded), 30, "never above the line");
        assert_eq!(of_line(100_000, &bounded), 500, "the cap");
        assert_eq!(of_line(-5, &ten), 0);
    }

    #[test]
    fn percentages_read_as_basis_points() {
        assert_eq!(parse_percent("10"), Some(1000));
        assert_eq!(parse_percent(" 12.5 %"), Some(1250));
        assert_eq!(parse_percent("0.05"), Some(5));
        assert_eq!(parse_percent("100"), Some(10_000));
        for bad in ["", "101", "-1", "1.234", "ten", "1e2", "12.", ".5"] {
            assert_eq!(parse_percent(bad), None, "{bad:?}");
        }
        assert_eq!(percent_label(1250), "12.5 %");
        assert_eq!(percent_label(1000), "10 %");
        assert_eq!(percent_label(5), "0.05 %");
    }
}
