//! Checkout: the quote (what the review page shows) and placing the order. Prices, shipping and tax always come
//! from the database at the moment of the quote or the order, never from the request.
//!
//! Placing an order is one transaction: the order group, one order per seller with its lines, the stock
//! reservations (conditional decrements, in variant order so concurrent checkouts lock rows in the same order)
//! and the pending payment. The review form's idempotency key is unique on the group, so a double click or a
//! second tab finds the first group instead of making another: one order, one charge.

use model::cart::CartView;
use model::catalog::Money;
use model::orders::{CheckoutDraft, PromoView, QuoteGroupView, QuoteView, ShippingOptionView, COUNTRIES};
use model::FieldError;
use rand::Rng;

use crate::accounts::Email;
use crate::clock::now_ms;
use crate::ids::next_id;
use crate::inventory;
use crate::orders::{self, OrderStatus, HOLD_MS};
use crate::payments::{PaymentGateway, PaymentRequest};
use crate::promo::{self, Discount};
use crate::shipping;
use crate::Db;

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

/// Where the shopper goes after placing the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub group_id: i64,
    pub number: String,
    /// The payment page (or, for an order already paid, its order page).
    pub redirect_url: String,
    /// The secret of the guest's order link.
    pub view_token: String,
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

async fn quote_with_discount(
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
            if line.available <= 0 {
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

/// A readable, unambiguous order number: "BZ-" and 8 characters without 0/O, 1/I/L.
fn order_number() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    let code: String = (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("BZ-{code}")
}

fn valid_key(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Places the order and starts its payment. See the module's documentation for the guarantees.
pub async fn place_order(
    db: &Db,
    gateway: &dyn PaymentGateway,
    cart_id: i64,
    user_id: Option<i64>,
    draft: &CheckoutDraft,
    idempotency_key: &str,
) -> Result<Placed, CheckoutError> {
    if !valid_key(idempotency_key) {
        return Err(CheckoutError::CannotPlace(vec![
            "This checkout page is out of date: review your order again.".to_string(),
        ]));
    }
    if let Some(placed) = resume(db, gateway, idempotency_key).await? {
        return Ok(placed);
    }
    let errors = validate_details(draft);
    if !errors.is_empty() {
        return Err(CheckoutError::Invalid(errors));
    }
    let cart = crate::cart::view(db, cart_id).await.map_err(|e| match e {
        crate::cart::CartError::Db(e) => CheckoutError::Db(e),
        _ => CheckoutError::EmptyCart,
    })?;
    if cart.is_empty() {
        return Err(CheckoutError::EmptyCart);
    }
    let (quote, discount) = quote_with_discount(db, &cart, draft, user_id, gateway.test_mode()).await?;
    if !quote.problems.is_empty() {
        return Err(CheckoutError::CannotPlace(quote.problems));
    }
    let currency = quote.grand_total.currency.clone();
    let group_id = next_id();
    let number = order_number();
    let view_token = crate::ids::random_token();
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO order_groups (id, number, idempotency_key, user_id, cart_id, email, ship_name, ship_line1, \
         ship_line2, ship_city, ship_postal, ship_country, currency, items_total, shipping_total, tax_total, \
         tax_inclusive, grand_total, status, reserved_until, view_token, created_at, updated_at, discount_total, \
         promo_code) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'pending_payment', \
         $19, $20, $21, $21, $22, $23) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(group_id)
    .bind(&number)
    .bind(idempotency_key)
    .bind(user_id)
    .bind(cart_id)
    .bind(
        Email::parse(&draft.email)
            .map(|e| e.as_str().to_string())
            .unwrap_or_default(),
    )
    .bind(draft.name.trim())
    .bind(draft.line1.trim())
    .bind(draft.line2.trim())
    .bind(draft.city.trim())
    .bind(draft.postal.trim().to_uppercase())
    .bind(&draft.country)
    .bind(&currency)
    .bind(quote.items_total.amount)
    .bind(quote.shipping_total.amount)
    .bind(quote.tax_total.amount)
    .bind(i64::from(quote.tax_inclusive))
    .bind(quote.grand_total.amount)
    .bind(now + HOLD_MS)
    .bind(&view_token)
    .bind(now)
    .bind(quote.discount_total.amount)
    .bind(discount.as_ref().map(|d| d.code.clone()))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        // A concurrent submit of the same form got there first.
        tx.rollback().await?;
        return resume(db, gateway, idempotency_key)
            .await?
            .ok_or_else(|| CheckoutError::CannotPlace(vec!["Please try again.".to_string()]));
    }
    if let Some(user_id) = user_id {
        crate::addresses::remember(&mut tx, user_id, draft).await?;
    }
    if let Some(discount) = &discount {
        let customer = promo::customer_key(user_id, &draft.email);
        if let Err(why) = promo::redeem(&mut tx, discount, group_id, &customer).await? {
            tx.rollback().await?;
            return Err(CheckoutError::CannotPlace(vec![why]));
        }
    }
    let mut to_reserve = Vec::new();
    for (i, group) in quote.groups.iter().enumerate() {
        let order_id = next_id();
        let shipping = group.shipping.as_ref().map_or(0, |s| s.amount);
        let tax = group.tax.amount;
        let discount = group.discount.amount;
        let total = group.items_total.amount - discount + shipping + if quote.tax_inclusive { 0 } else { tax };
        let shipping_name = group
            .chosen
            .and_then(|r| group.options.iter().find(|o| o.rate_id == r))
            .map(|o| o.name.clone())
            .unwrap_or_default();
        sqlx::query(
            "INSERT INTO orders (id, group_id, seller_id, number, status, shipping_name, shipping_amount, items_total, \
             tax_amount, total, created_at, updated_at, discount) \
             VALUES ($1, $2, $3, $4, 'pending_payment', $5, $6, $7, $8, $9, $10, $10, $11)",
        )
        .bind(order_id)
        .bind(group_id)
        .bind(group.seller_id)
        .bind(format!("{number}-{}", i + 1))
        .bind(&shipping_name)
        .bind(shipping)
        .bind(group.items_total.amount)
        .bind(tax)
        .bind(total)
        .bind(now)
        .bind(discount)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO order_events (id, order_id, status, note, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(next_id())
            .bind(order_id)
            .bind(OrderStatus::PendingPayment.as_str())
            .bind("Order placed")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for line in &group.lines {
            sqlx::query(
                "INSERT INTO order_lines (order_id, variant_id, product_id, title, variant, sku, quantity, unit_price) \
                 SELECT $1, v.id, v.product_id, $2, $3, v.sku, $4, v.price FROM variants v WHERE v.id = $5",
            )
            .bind(order_id)
            .bind(&line.product_title)
            .bind(&line.variant_label)
            .bind(line.quantity)
            .bind(line.variant_id)
            .execute(&mut *tx)
            .await?;
            to_reserve.push((line.variant_id, order_id, line.quantity, line.product_title.clone()));
        }
    }
    // One lock order for every checkout: no deadlock between two carts sharing variants.
    to_reserve.sort_by_key(|(variant, ..)| *variant);
    for (variant_id, order_id, quantity, title) in to_reserve {
        if let Err(sold_out) =
            inventory::reserve(&mut tx, group_id, order_id, variant_id, quantity, now + HOLD_MS).await?
        {
            tx.rollback().await?;
            let message = if sold_out.available == 0 {
                format!("Sorry, {title} just sold out.")
            } else {
                format!("Sorry, only {} of {title} are left now.", sold_out.available)
            };
            return Err(CheckoutError::CannotPlace(vec![message]));
        }
    }
    let payment_id = next_id();
    let request = PaymentRequest {
        payment_id,
        reference: number.clone(),
        amount: quote.grand_total.amount,
        currency: currency.clone(),
        email: Email::parse(&draft.email)
            .map(|e| e.as_str().to_string())
            .unwrap_or_default(),
    };
    // A provider in our own database starts inside this transaction; a remote one after the commit.
    let started = gateway
        .start_in(&mut tx, &request)
        .await
        .map_err(|e| CheckoutError::Gateway(e.to_string()))?;
    sqlx::query(
        "INSERT INTO payments (id, group_id, provider, provider_ref, amount, currency, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)",
    )
    .bind(payment_id)
    .bind(group_id)
    .bind(gateway.provider())
    .bind(
        started
            .as_ref()
            .map_or_else(|| format!("pending-{payment_id}"), |s| s.provider_ref.clone()),
    )
    .bind(quote.grand_total.amount)
    .bind(&currency)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for product in inventory::products_of(&mut tx, group_id).await? {
        crate::search::enqueue(&mut tx, product).await?;
    }
    tx.commit().await?;
    let redirect_url = match started {
        Some(start) => start.redirect_url,
        None => start_payment(db, gateway, group_id, payment_id).await?,
    };
    Ok(Placed {
        group_id,
        number,
        redirect_url,
        view_token,
    })
}

/// Asks the gateway for the payment page of a pending payment (idempotent at the gateway: derived from our id).
/// If the gateway cannot be reached, the group ends and its stock goes back on sale.
async fn start_payment(
    db: &Db,
    gateway: &dyn PaymentGateway,
    group_id: i64,
    payment_id: i64,
) -> Result<String, CheckoutError> {
    let (number, email, amount, currency): (String, String, i64, String) = sqlx::query_as(
        "SELECT g.number, g.email, p.amount, p.currency FROM payments p JOIN order_groups g ON g.id = p.group_id \
         WHERE p.id = $1",
    )
    .bind(payment_id)
    .fetch_one(db.pool())
    .await?;
    let request = PaymentRequest {
        payment_id,
        reference: number,
        amount,
        currency,
        email,
    };
    match gateway.start(&request).await {
        Ok(start) => {
            sqlx::query("UPDATE payments SET provider_ref = $1, updated_at = $2 WHERE id = $3")
                .bind(&start.provider_ref)
                .bind(now_ms())
                .bind(payment_id)
                .execute(db.pool())
                .await?;
            Ok(start.redirect_url)
        }
        Err(e) => {
            let mut tx = db.begin_write().await?;
            orders::end_unpaid_group(
                &mut tx,
                group_id,
                OrderStatus::PaymentFailed,
                "The payment could not start",
            )
            .await?;
            tx.commit().await?;
            Err(CheckoutError::Gateway(e.to_string()))
        }
    }
}

/// The group an idempotency key already made, and where its shopper goes now.
async fn resume(db: &Db, gateway: &dyn PaymentGateway, key: &str) -> Result<Option<Placed>, CheckoutError> {
    let found: Option<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, number, status, view_token FROM order_groups WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(db.pool())
            .await?;
    let Some((group_id, number, status, view_token)) = found else {
        return Ok(None);
    };
    let redirect_url = match status.as_str() {
        "pending_payment" => {
            let payment_id: i64 = sqlx::query_scalar(
                "SELECT id FROM payments WHERE group_id = $1 AND status = 'pending' ORDER BY created_at DESC",
            )
            .bind(group_id)
            .fetch_one(db.pool())
            .await?;
            start_payment(db, gateway, group_id, payment_id).await?
        }
        "paid" => format!("/orders/{number}?token={view_token}&placed=1"),
        _ => {
            return Err(CheckoutError::CannotPlace(vec![
            "This checkout has ended (not paid in time, or the payment was cancelled). Review your order to try again."
                .to_string(),
        ]))
        }
    };
    Ok(Some(Placed {
        group_id,
        number,
        redirect_url,
        view_token,
    }))
}

/// The order number and guest-link token of the group a provider's payment belongs to (where the shopper
/// returns after paying).
pub async fn order_link_of_payment(
    db: &Db,
    provider: &str,
    provider_ref: &str,
) -> Result<(String, String), sqlx::Error> {
    sqlx::query_as(
        "SELECT g.number, g.view_token FROM payments p JOIN order_groups g ON g.id = p.group_id \
         WHERE p.provider = $1 AND p.provider_ref = $2",
    )
    .bind(provider)
    .bind(provider_ref)
    .fetch_one(db.pool())
    .await
}
