//! Shipping rates per seller and tax per destination country.

use model::sellers::RateKind;
use sqlx::{AnyConnection, Row};

/// One way a seller ships to a country, with its cost for a given order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingOption {
    pub rate_id: i64,
    pub name: String,
    pub cost: i64,
    pub days_min: i64,
    pub days_max: i64,
    /// Free because the seller subtotal reached the rate's threshold.
    pub free: bool,
    /// The threshold, to tell the shopper how close they are.
    pub free_over: Option<i64>,
}

/// The cost of a rate for `items` units worth `subtotal`.
pub fn cost(kind: RateKind, amount: i64, free_over: Option<i64>, items: i64, subtotal: i64) -> (i64, bool) {
    if free_over.is_some_and(|t| subtotal >= t) {
        return (0, true);
    }
    match kind {
        RateKind::PerItem => (amount * items, false),
        RateKind::Flat => (amount, false),
    }
}

/// The seller's options for `country`: a country-specific rate replaces the '*' rate of the same name.
pub async fn options(
    conn: &mut AnyConnection,
    seller_id: i64,
    country: &str,
    items: i64,
    subtotal: i64,
) -> Result<Vec<ShippingOption>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, country, kind, amount, free_over, days_min, days_max FROM shipping_rates \
         WHERE seller_id = $1 AND (country = $2 OR country = '*') ORDER BY position, id",
    )
    .bind(seller_id)
    .bind(country)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<ShippingOption> = Vec::new();
    let mut specific: Vec<String> = Vec::new();
    for row in &rows {
        let rate_country: String = row.try_get("country")?;
        if rate_country != "*" {
            specific.push(row.try_get("name")?);
        }
    }
    for row in rows {
        let name: String = row.try_get("name")?;
        let rate_country: String = row.try_get("country")?;
        if rate_country == "*" && specific.contains(&name) {
            continue;
        }
        let kind = rate_kind(row.try_get("kind")?)?;
        let free_over: Option<i64> = row.try_get("free_over")?;
        let (cost, free) = cost(kind, row.try_get("amount")?, free_over, items, subtotal);
        out.push(ShippingOption {
            rate_id: row.try_get("id")?,
            name,
            cost,
            days_min: row.try_get("days_min")?,
            days_max: row.try_get("days_max")?,
            free,
            free_over,
        });
    }
    Ok(out)
}

/// A stored rate kind (the `kind` column of `shipping_rates`, which a CHECK constraint keeps to the known words).
pub(crate) fn rate_kind(text: String) -> Result<RateKind, sqlx::Error> {
    RateKind::parse(&text).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "kind".into(),
        source: format!("unknown shipping rate kind {text:?}").into(),
    })
}

/// The platform's tax for a destination: (basis points, inclusive). No row: no tax.
pub async fn tax_rate(conn: &mut AnyConnection, country: &str) -> Result<(i64, bool), sqlx::Error> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT rate_bp, inclusive FROM tax_rates WHERE country = $1")
        .bind(country)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map_or((0, false), |(bp, inclusive)| (bp, inclusive == 1)))
}

/// Tax on `amount` (minor units), rounded half up. Inclusive: the part of `amount` that is tax; exclusive: what
/// is added on top.
pub fn tax(amount: i64, rate_bp: i64, inclusive: bool) -> i64 {
    if inclusive {
        // amount × r / (1 + r), with r = bp / 10 000.
        (amount * rate_bp * 2 + (10_000 + rate_bp)) / ((10_000 + rate_bp) * 2)
    } else {
        (amount * rate_bp * 2 + 10_000) / 20_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_flat_per_item_or_free_over_a_threshold() {
        assert_eq!(cost(RateKind::Flat, 499, Some(5_000), 3, 4_999), (499, false));
        assert_eq!(cost(RateKind::Flat, 499, Some(5_000), 3, 5_000), (0, true));
        assert_eq!(cost(RateKind::PerItem, 150, None, 4, 100_000), (600, false));
    }

    #[test]
    fn tax_is_rounded_half_up_both_ways() {
        assert_eq!(tax(10_000, 1_900, false), 1_900);
        assert_eq!(tax(11_900, 1_900, true), 1_900);
        assert_eq!(tax(1, 5_000, false), 1); // 0.5 cent rounds up
        assert_eq!(tax(999, 0, false), 0);
        assert_eq!(tax(0, 2_000, true), 0);
    }
}
