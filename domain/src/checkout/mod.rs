//! The checkout context: the checkout details, the quote (what the review page shows: shipping per seller, tax,
//! promo codes) and the rules behind it. Owns `shipping_rates`, `tax_rates`, `promo_codes` and
//! `promo_redemptions`. Prices, shipping and tax always come from the database at the moment of the quote or the
//! order, never from the request. Placing the order is `workflows::place_order`.

pub mod promo;
pub mod rates;
pub mod review;
pub mod shipping;

use model::cart::CartView;
use model::catalog::Money;
use model::orders::{CheckoutDraft, PromoView, QuoteGroupView, QuoteView, ShippingOptionView, COUNTRIES};
use model::FieldError;

use crate::accounts::Email;
use crate::platform::Db;
use promo::Discount;

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("invalid checkout details")]
    Invalid(Vec<FieldError>),
    #[error("the order cannot be placed as it stands")]
    CannotPlace(Vec<String>),
    #[error("the cart is empty")]
    EmptyCart,
    #[error("payment provider: {0}")]
    Gateway(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn check_len(errors: &mut Vec<FieldError>, field: &str, label: &str, value: &str, min: usize, max: usize) {
    let n = value.trim().chars().count();
    if n < min {
        errors.push(FieldError::new(field, format!("Enter the {label}.")));
    } else if n > max {
        errors.push(FieldError::new(
            field,
            format!("The {label} can be at most {max} characters."),
        ));
    }
}

/// The details as they may be kept between pages (in the session): every field cut one character past its
/// limit, so the form still says "at most N characters" and shows what was typed, but nobody can make a session
/// carry megabytes. At most one shipping choice per seller of a cart that fits the page.
pub fn bounded(mut draft: CheckoutDraft) -> CheckoutDraft {
    fn cut(value: &mut String, max: usize) {
        if let Some((i, _)) = value.char_indices().nth(max + 1) {
            value.truncate(i);
        }
    }
    cut(&mut draft.email, model::limits::EMAIL_MAX_CHARS);
    cut(&mut draft.name, 80);
    cut(&mut draft.line1, 120);
    cut(&mut draft.line2, 120);
    cut(&mut draft.city, 80);
    cut(&mut draft.postal, 16);
    cut(&mut draft.country, 2);
    cut(&mut draft.phone, 24);
    cut(&mut draft.promo, 32);
    draft.shipping.truncate(50);
    draft.errors.truncate(20);
    draft
}

/// Field errors of the checkout details (empty when they are fine).
pub fn validate_details(draft: &CheckoutDraft) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err(e) = Email::parse(&draft.email) {
        errors.push(e);
    }
    check_len(&mut errors, "name", "full name", &draft.name, 1, 80);
    check_len(&mut errors, "line1", "street address", &draft.line1, 1, 120);
    check_len(&mut errors, "line2", "second address line", &draft.line2, 0, 120);
    check_len(&mut errors, "city", "city", &draft.city, 1, 80);
    check_len(&mut errors, "postal", "postal code", &draft.postal, 1, 16);
    if !draft
        .postal
        .trim()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        errors.push(FieldError::new(
            "postal",
            "Use only letters, digits, spaces and hyphens.",
        ));
    }
    let phone = draft.phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let phone_chars = phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !phone.is_empty() && (!phone_chars || !(7..=15).contains(&digits) || phone.chars().count() > 24) {
        errors.push(FieldError::new(
            "phone",
            "Type a phone number of 7 to 15 digits (spaces, +, - and brackets allowed), or leave it empty.",
        ));
    }
    if !COUNTRIES.iter().any(|(code, _)| *code == draft.country) {
        errors.push(FieldError::new("country", "Choose a country we ship to."));
    }
    errors
}

/// The review page's figures for this cart and these details. `problems` lists what stops the order.
/// `user_id` is the signed-in shopper (for a promo code's per-customer limit).
pub async fn quote(
    db: &Db,
    cart: &CartView,
    draft: &CheckoutDraft,
    user_id: Option<i64>,
    test_mode: bool,
) -> Result<QuoteView, CheckoutError> {
    Ok(quote_with_discount(db, cart, draft, user_id, test_mode).await?.0)
}

pub(crate) async fn quote_with_discount(
    db: &Db,
    cart: &CartView,
    draft: &CheckoutDraft,
    user_id: Option<i64>,
    test_mode: bool,
) -> Result<(QuoteView, Option<Discount>), CheckoutError> {
    let mut conn = db.pool().acquire().await?;
    let currency = cart
        .total
        .as_ref()
        .map_or_else(|| "USD".to_string(), |t| t.currency.clone());
    let country = if COUNTRIES.iter().any(|(c, _)| *c == draft.country) {
        draft.country.as_str()
    } else {
        "US"
    };
    let (rate_bp, inclusive) = shipping::tax_rate(&mut conn, country).await?;
    let mut problems = Vec::new();
    let subtotals: Vec<(i64, i64)> = cart.groups.iter().map(|g| (g.seller_id, g.subtotal.amount)).collect();
    let (discount, promo_error) = if draft.promo.trim().is_empty() {
        (None, None)
    } else {
        let customer = promo::customer_key(user_id, &draft.email);
        match promo::check(&mut conn, &draft.promo, &customer, &subtotals, &currency).await? {
            Ok(d) => (Some(d), None),
            Err(why) => {
                problems.push(format!("{why} Remove the code to go on without it."));
                (None, Some(why))
            }
        }
    };
    let mut groups = Vec::new();
    let (mut items_total, mut shipping_total, mut tax_total) = (0, 0, 0);
    for group in &cart.groups {
        let subtotal = group.subtotal.amount;
        let off = discount.as_ref().map_or(0, |d| d.of_seller(group.seller_id));
        let items: i64 = group.lines.iter().map(|l| l.quantity).sum();
        for line in &group.lines {
            if !line.on_sale {
                problems.push(format!(
                    "{} is no longer available: remove it from your cart.",
                    line.product_title
                ));
            } else if line.available <= 0 {
                problems.push(format!("{} is sold out: remove it from your cart.", line.product_title));
            } else if line.quantity > line.available {
                problems.push(format!(
                    "Only {} of {} left: lower the quantity in your cart.",
                    line.available, line.product_title
                ));
            }
        }
        let options = shipping::options(&mut conn, group.seller_id, country, items, subtotal).await?;
        if options.is_empty() {
            problems.push(format!(
                "{} does not ship to {}.",
                group.seller_name,
                model::orders::country_name(country)
            ));
        }
        let chosen = draft
            .rate_for(group.seller_id)
            .filter(|r| options.iter().any(|o| o.rate_id == *r));
        let shipping = chosen
            .and_then(|r| options.iter().find(|o| o.rate_id == r))
            .map(|o| o.cost);
        if chosen.is_none() && !options.is_empty() {
            problems.push(format!("Choose how {} ships your items.", group.seller_name));
        }
        let taxed = subtotal - off + shipping.unwrap_or(0);
        let tax = shipping::tax(taxed, rate_bp, inclusive);
        items_total += subtotal;
        shipping_total += shipping.unwrap_or(0);
        tax_total += tax;
        groups.push(QuoteGroupView {
            seller_id: group.seller_id,
            seller_name: group.seller_name.clone(),
            lines: group.lines.clone(),
            options: options
                .into_iter()
                .map(|o| ShippingOptionView {
                    rate_id: o.rate_id,
                    name: o.name,
                    cost: Money::new(o.cost, currency.clone()),
                    free: o.free,
                    eta: format!("{}–{} business days", o.days_min, o.days_max),
                })
                .collect(),
            chosen,
            items_total: Money::new(subtotal, currency.clone()),
            shipping: shipping.map(|s| Money::new(s, currency.clone())),
            discount: Money::new(off, currency.clone()),
            tax: Money::new(tax, currency.clone()),
        });
    }
    let percent = format!("{}.{:02}", rate_bp / 100, rate_bp % 100);
    let percent = percent.trim_end_matches('0').trim_end_matches('.');
    let tax_label = match (rate_bp, inclusive) {
        (0, _) => String::new(),
        (_, true) => format!("VAT {percent} % (included)"),
        (_, false) => format!("Tax {percent} %"),
    };
    let discount_total = discount.as_ref().map_or(0, |d| d.total);
    let grand = items_total - discount_total + shipping_total + if inclusive { 0 } else { tax_total };
    let view = QuoteView {
        groups,
        items_total: Money::new(items_total, currency.clone()),
        shipping_total: Money::new(shipping_total, currency.clone()),
        discount_total: Money::new(discount_total, currency.clone()),
        promo: discount.as_ref().map(|d| PromoView {
            code: d.code.clone(),
            label: d.label.clone(),
        }),
        promo_error,
        tax_total: Money::new(tax_total, currency.clone()),
        tax_label,
        tax_inclusive: inclusive,
        grand_total: Money::new(grand, currency),
        problems,
        test_mode,
    };
    Ok((view, discount))
}

impl From<CheckoutError> for crate::platform::Problem {
    fn from(err: CheckoutError) -> Self {
        use crate::platform::Problem;
        match err {
            CheckoutError::Invalid(fields) => Problem::Invalid(fields),
            CheckoutError::CannotPlace(problems) => Problem::Conflict(problems.join(" ")),
            CheckoutError::EmptyCart => Problem::Conflict("Your cart is empty.".to_string()),
            CheckoutError::Gateway(cause) => Problem::Unavailable {
                message: "Payments are unavailable right now; nothing was charged. Please try again in a few minutes."
                    .to_string(),
                cause,
            },
            CheckoutError::Db(e) => e.into(),
        }
    }
}

/// Applies a promo code to the checkout draft if it fits the actor's cart (`cart_id`, from their session);
/// `Ok(Err(why))` says why not, the draft unchanged. An empty code takes the code off the order.
pub async fn apply_promo(
    db: &Db,
    actor: &crate::platform::Actor,
    cart_id: Option<i64>,
    draft: &mut CheckoutDraft,
    code: &str,
) -> Result<Result<(), String>, CheckoutError> {
    let code = promo::normalise(code);
    if code.is_empty() {
        draft.promo.clear();
        return Ok(Ok(()));
    }
    let cart = cart_of(db, cart_id).await?;
    let subtotals: Vec<(i64, i64)> = cart.groups.iter().map(|g| (g.seller_id, g.subtotal.amount)).collect();
    let currency = cart.total.as_ref().map_or("USD", |t| t.currency.as_str());
    let customer = promo::customer_key(actor.user_id(), &draft.email);
    let mut conn = db.pool().acquire().await?;
    Ok(
        match promo::check(&mut conn, &code, &customer, &subtotals, currency).await? {
            Ok(_) => {
                draft.promo = code;
                Ok(())
            }
            Err(why) => Err(why),
        },
    )
}

/// What the checkout page shows: the actor's cart (`cart_id` from their session), the details typed so far
/// (the address used last filled in when nothing is typed yet), the quote, and the account's saved addresses.
#[derive(Debug, Clone)]
pub struct CheckoutPage {
    pub cart: CartView,
    pub draft: CheckoutDraft,
    pub quote: Option<QuoteView>,
    pub saved: Vec<model::orders::SavedAddress>,
}

pub async fn page(
    db: &Db,
    actor: &crate::platform::Actor,
    cart_id: Option<i64>,
    mut draft: CheckoutDraft,
    test_mode: bool,
) -> Result<CheckoutPage, CheckoutError> {
    let saved = match actor.user_id() {
        Some(user_id) => crate::accounts::addresses::list(db, user_id).await?,
        None => Vec::new(),
    };
    if draft.line1.is_empty() {
        if let Some(last) = saved.first() {
            last.fill(&mut draft);
        }
    }
    let cart = cart_of(db, cart_id).await?;
    let quote = if cart.is_empty() {
        None
    } else {
        Some(quote(db, &cart, &draft, actor.user_id(), test_mode).await?)
    };
    Ok(CheckoutPage {
        cart,
        draft,
        quote,
        saved,
    })
}

/// The review page's figures for the actor's cart, recomputed from the database now (`None`: nothing to review).
pub async fn review(
    db: &Db,
    actor: &crate::platform::Actor,
    cart_id: Option<i64>,
    draft: &CheckoutDraft,
    test_mode: bool,
) -> Result<Option<QuoteView>, CheckoutError> {
    let cart = cart_of(db, cart_id).await?;
    if cart.is_empty() {
        return Ok(None);
    }
    Ok(Some(quote(db, &cart, draft, actor.user_id(), test_mode).await?))
}

async fn cart_of(db: &Db, cart_id: Option<i64>) -> Result<CartView, CheckoutError> {
    match cart_id {
        Some(id) => crate::cart::view(db, id).await.map_err(|e| match e {
            crate::cart::CartError::Db(e) => CheckoutError::Db(e),
            _ => CheckoutError::EmptyCart,
        }),
        None => Ok(CartView::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_details_are_cut_just_past_their_limits() {
        let draft = bounded(CheckoutDraft {
            name: "é".repeat(1_000_000),
            line1: "x".repeat(500),
            postal: "1".repeat(40),
            ..CheckoutDraft::default()
        });
        assert_eq!(draft.name.chars().count(), 81);
        assert_eq!(draft.line1.len(), 121);
        assert_eq!(draft.postal.len(), 17);
        let errors = validate_details(&draft);
        assert!(errors
            .iter()
            .any(|e| e.field == "name" && e.message.contains("at most 80")));
    }

    #[test]
    fn a_phone_is_optional_and_looks_like_one() {
        let with = |phone: &str| CheckoutDraft {
            phone: phone.into(),
            ..CheckoutDraft::default()
        };
        for fine in ["", "+1 (555) 010-0199", "0612345678", "  555.010.0199 "] {
            assert!(
                !validate_details(&with(fine)).iter().any(|e| e.field == "phone"),
                "{fine:?}"
            );
        }
        for bad in [
            "12345",
            "call me",
            "555\u{0}0100199",
            "+1 555 010 0199 ext 2",
            "1234567890123456",
        ] {
            assert!(
                validate_details(&with(bad)).iter().any(|e| e.field == "phone"),
                "{bad:?}"
            );
        }
    }
}
