//! What the shopper saw on the review page, carried by its "Place order" form and compared with what placing the
//! order is about to charge: any difference (a seller's new price, a shipping rate, a promo code that ran out, the
//! tax) sends the shopper back to the review with each change named, and nothing is charged.
//!
//! The figures travel in the form as a short text. It is not a secret and needs no signature: it is only ever
//! compared with the figures computed from the database, which are what is charged, so a forged one can at worst
//! send its own sender back to the review.

use model::catalog::Money;
use model::orders::QuoteView;

/// The figures of one review, in the order the page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reviewed {
    /// (variant id, quantity, unit price) per line.
    lines: Vec<(i64, i64, i64)>,
    /// (seller id, shipping) per seller of the cart; shipping not chosen is -1.
    shipping: Vec<(i64, i64)>,
    discount: i64,
    tax: i64,
    total: i64,
}

impl Reviewed {
    pub fn of(quote: &QuoteView) -> Reviewed {
        Reviewed {
            lines: quote
                .groups
                .iter()
                .flat_map(|g| &g.lines)
                .map(|l| (l.variant_id, l.quantity, l.unit_price.amount))
                .collect(),
            shipping: quote
                .groups
                .iter()
                .map(|g| (g.seller_id, g.shipping.as_ref().map_or(-1, |s| s.amount)))
                .collect(),
            discount: quote.discount_total.amount,
            tax: quote.tax_total.amount,
            total: quote.grand_total.amount,
        }
    }

    /// `l12x2@1599 l13x1@500 s4=500 d0 t120 g2698`.
    pub fn encode(&self) -> String {
        let mut parts: Vec<String> = self.lines.iter().map(|(v, q, p)| format!("l{v}x{q}@{p}")).collect();
        parts.extend(self.shipping.iter().map(|(s, a)| format!("s{s}={a}")));
        parts.push(format!("d{}", self.discount));
        parts.push(format!("t{}", self.tax));
        parts.push(format!("g{}", self.total));
        parts.join(" ")
    }

    /// `None` for text that is not an encoding (a page from before this form field, or tampering).
    pub fn decode(text: &str) -> Option<Reviewed> {
        let mut out = Reviewed::default();
        let mut total = None;
        for part in text.split_whitespace() {
            let (kind, rest) = part.split_at_checked(1)?;
            match kind {
                "l" => {
                    let (variant, rest) = rest.split_once('x')?;
                    let (quantity, price) = rest.split_once('@')?;
                    out.lines
                        .push((variant.parse().ok()?, quantity.parse().ok()?, price.parse().ok()?));
                }
                "s" => {
                    let (seller, amount) = rest.split_once('=')?;
                    out.shipping.push((seller.parse().ok()?, amount.parse().ok()?));
                }
                "d" => out.discount = rest.parse().ok()?,
                "t" => out.tax = rest.parse().ok()?,
                "g" => total = Some(rest.parse().ok()?),
                _ => return None,
            }
        }
        out.total = total?;
        Some(out)
    }
}

/// Each difference between what the review showed and the quote now, as a sentence for the shopper; empty when
/// the quote charges exactly what was shown.
pub fn changes_since(seen: &Reviewed, quote: &QuoteView) -> Vec<String> {
    let now = Reviewed::of(quote);
    if &now == seen {
        return Vec::new();
    }
    let money = |amount: i64| Money::new(amount, quote.grand_total.currency.clone()).display();
    let mut changes = Vec::new();
    for group in &quote.groups {
        for line in &group.lines {
            let name = if line.variant_label.is_empty() {
                line.product_title.clone()
            } else {
                format!("{} ({})", line.product_title, line.variant_label)
            };
            match seen.lines.iter().find(|(v, _, _)| *v == line.variant_id) {
                None => changes.push(format!("{name} is now in your cart.")),
                Some((_, quantity, price)) => {
                    if *price != line.unit_price.amount {
                        changes.push(format!(
                            "The price of {name} changed from {} to {}.",
                            money(*price),
                            line.unit_price.display()
                        ));
                    }
                    if *quantity != line.quantity {
                        changes.push(format!(
                            "The quantity of {name} changed from {quantity} to {}.",
                            line.quantity
                        ));
                    }
                }
            }
        }
        let shipping = group.shipping.as_ref().map_or(-1, |s| s.amount);
        match seen.shipping.iter().find(|(s, _)| *s == group.seller_id) {
            Some((_, was)) if *was != shipping && *was >= 0 && shipping >= 0 => changes.push(format!(
                "Shipping from {} changed from {} to {}.",
                group.seller_name,
                money(*was),
                money(shipping)
            )),
            _ => {}
        }
    }
    let gone = seen
        .lines
        .iter()
        .filter(|(v, _, _)| !now.lines.iter().any(|(n, _, _)| n == v))
        .count();
    if gone > 0 {
        changes.push(format!(
            "{gone} {} you reviewed {} no longer in your cart.",
            if gone == 1 { "item" } else { "items" },
            if gone == 1 { "is" } else { "are" }
        ));
    }
    if seen.discount != now.discount {
        changes.push(format!(
            "The discount changed from {} to {}.",
            money(seen.discount),
            money(now.discount)
        ));
    }
    if seen.tax != now.tax {
        changes.push(format!(
            "The tax changed from {} to {}.",
            money(seen.tax),
            money(now.tax)
        ));
    }
    if seen.total != now.total {
        changes.push(format!(
            "The total changed from {} to {}.",
            money(seen.total),
            money(now.total)
        ));
    }
    if changes.is_empty() {
        // The same figures in another order, or shipping chosen anew: still not what was on the page.
        changes.push("Your order changed since you reviewed it.".to_string());
    }
    changes.push("Nothing was charged: check the order below and place it again.".to_string());
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encoding_reads_back_and_junk_does_not() {
        let seen = Reviewed {
            lines: vec![(12, 2, 1599), (13, 1, 500)],
            shipping: vec![(4, 500), (5, -1)],
            discount: 100,
            tax: 120,
            total: 2698,
        };
        assert_eq!(Reviewed::decode(&seen.encode()), Some(seen));
        for junk in ["", "x1", "l1x2", "g", "l1x2@3", "g12 q4", "g99999999999999999999"] {
            assert_eq!(Reviewed::decode(junk), None, "{junk}");
        }
    }
}
