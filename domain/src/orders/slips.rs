//! Packing slips and shipping labels: what a store prints for its orders, several on one print. Each is the
//! order as its seller reads it (`portal::detail`, never the shopper's email) with its number as a Code 128
//! barcode drawn in SVG here (a scanner at the packing table finds the order by it).

use barcoders::generators::svg::SVG;
use barcoders::sym::code128::Code128;
use model::seller_orders::PackingSlip;

use super::{portal, OrderError};
use crate::platform::{Actor, Db};

/// The most slips one print holds.
pub const SLIPS_MAX: usize = 50;

/// The slips of the orders `numbers` (at most [`SLIPS_MAX`], repeats once), all of the actor's store: one that is
/// not (or does not exist) makes the whole print not found, as each order page would be.
pub async fn slips(db: &Db, actor: &Actor, numbers: &[String]) -> Result<Vec<PackingSlip>, OrderError> {
    let mut wanted: Vec<&str> = Vec::new();
    for n in numbers.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if !wanted.contains(&n) {
            wanted.push(n);
        }
    }
    if wanted.is_empty() {
        return Err(OrderError::NotAllowed("Choose the orders to print.".into()));
    }
    if wanted.len() > SLIPS_MAX {
        return Err(OrderError::NotAllowed(format!(
            "Print at most {SLIPS_MAX} packing slips at a time."
        )));
    }
    let mut out = Vec::with_capacity(wanted.len());
    for number in wanted {
        let order = portal::detail(db, actor, number).await?;
        let barcode_svg = barcode_svg(&order.number).ok_or(OrderError::NotFound)?;
        out.push(PackingSlip { order, barcode_svg });
    }
    Ok(out)
}

/// `text` (printable ASCII, as order numbers are) as a Code 128 barcode (character set B) in SVG, 2 px a module
/// and 60 px high; `None` for any other text.
pub fn barcode_svg(text: &str) -> Option<String> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return None;
    }
    let code = Code128::new(format!("\u{0181}{text}")).ok()?;
    SVG::new(60).xdim(2).generate(code.encode()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_number_is_a_barcode_and_nothing_else_is() {
        let svg = barcode_svg("BZ-HS765K56-1").expect("a barcode");
        assert!(svg.starts_with("<svg") && svg.contains("<rect"), "{svg}");
        // Start B, 13 characters, checksum, stop: 11 modules each and 13 for the stop, 2 px a module.
        assert!(svg.contains(&format!("width=\"{}\"", (11 * 15 + 13) * 2)), "{svg}");
        for hostile in ["", "<script>", "BZ-1\u{0}", "Ünïcode"] {
            if hostile.chars().all(|c| c.is_ascii_graphic()) && !hostile.is_empty() {
                // Markup characters are printable ASCII: encoded as bars, never as markup.
                assert!(!barcode_svg(hostile).expect("bars").contains(hostile));
            } else {
                assert!(barcode_svg(hostile).is_none(), "{hostile:?}");
            }
        }
    }
}
