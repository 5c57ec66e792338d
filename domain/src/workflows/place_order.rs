//! Placing an order is one transaction: the order group, one order per seller with its lines, the promo code's
//! use, the stock reservations (conditional decrements, in variant order so concurrent checkouts lock rows in the
//! same order), the saved address and the pending payment. The review form's idempotency key is unique on the
//! group, so a double click or a second tab finds the first group instead of making another: one order, one
//! charge. The key finds the group only for the cart that placed it: replaying someone else's key never reveals
//! their order.

use model::orders::{CheckoutDraft, QuoteView};
use rand::Rng;
use sqlx::AnyConnection;

use crate::accounts::{addresses, Email};
use crate::checkout::review::{self, Reviewed};
use crate::checkout::{promo, quote_with_discount, validate_details, CheckoutError};
use crate::orders::lifecycle::{self, NewGroup, NewOrder};
use crate::orders::{GroupStatus, OrderStatus, HOLD_MS};
use crate::payments::{self, PaymentGateway, PaymentRequest};
use crate::platform::clock::now_ms;
use crate::platform::ids::{next_id, random_token};
use crate::platform::{outbox, Actor, Db};
use crate::{cart, inventory};

use super::settle_payment::end_unpaid_group;

/// Where the shopper goes after placing the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub group_id: i64,
    pub number: String,
    /// The payment page (or, for an order already paid, its order page).
    pub redirect_url: String,
    /// The secret of the guest's order link.
    pub view_token: String,
    /// Whether this was the same form sent again (a double click, a retry): the order placed before, not a new one.
    pub resumed: bool,
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

fn out_of_date() -> CheckoutError {
    CheckoutError::CannotPlace(vec![
        "This checkout page is out of date: review your order again.".to_string()
    ])
}

/// Places the order of cart `cart_id` (the actor's own: the caller takes it from the session) and starts its
/// payment, charging exactly what the review page showed (`seen`): if any figure differs now, nothing is placed
/// and the refusal names each change. See the module's documentation for the other guarantees.
pub async fn place_order(
    db: &Db,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    cart_id: i64,
    draft: &CheckoutDraft,
    seen: &Reviewed,
    idempotency_key: &str,
) -> Result<Placed, CheckoutError> {
    if !valid_key(idempotency_key) {
        return Err(out_of_date());
    }
    if let Some(placed) = resume(db, gateway, cart_id, idempotency_key).await? {
        return Ok(placed);
    }
    let user_id = actor.user_id();
    let (quote, discount) = current_quote(db, gateway, cart_id, user_id, draft, seen).await?;
    let currency = quote.grand_total.currency.clone();
    let email = Email::parse(&draft.email)
        .map(|e| e.as_str().to_string())
        .unwrap_or_default();
    let group_id = next_id();
    let number = order_number();
    let view_token = random_token();
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let group = NewGroup {
        id: group_id,
        number: &number,
        idempotency_key,
        user_id,
        cart_id,
        email: &email,
        draft,
        currency: &currency,
        items_total: quote.items_total.amount,
        shipping_total: quote.shipping_total.amount,
        tax_total: quote.tax_total.amount,
        tax_inclusive: quote.tax_inclusive,
        grand_total: quote.grand_total.amount,
        discount_total: quote.discount_total.amount,
        promo_code: discount.as_ref().map(|d| d.code.as_str()),
        view_token: &view_token,
        now,
    };
    let inserted = lifecycle::insert_group(&mut tx, &group).await?;
    if !inserted {
        // A concurrent submit of the same form got there first.
        tx.rollback().await?;
        return resume(db, gateway, cart_id, idempotency_key)
            .await?
            .ok_or_else(out_of_date);
    }
    if let Err(why) = fill_group(&mut tx, &group, &quote, discount.as_ref()).await? {
        tx.rollback().await?;
        return Err(CheckoutError::CannotPlace(vec![why]));
    }
    let payment_id = next_id();
    let request = PaymentRequest {
        payment_id,
        reference: number.clone(),
        amount: quote.grand_total.amount,
        currency: currency.clone(),
        email,
    };
    let started = record_payment(&mut tx, gateway, &request, group_id).await?;
    tx.commit().await?;
    let redirect_url = match started {
        Some(start) => start.redirect_url,
        None => start_payment(db, gateway, group_id, request).await?,
    };
    Ok(Placed {
        group_id,
        number,
        redirect_url,
        view_token,
        resumed: false,
    })
}

/// The cart's quote as it stands, and its promo code. Refused when the details are invalid, the cart is empty, the
/// order cannot be placed as it stands, or any figure differs from what the review page showed (`seen`).
async fn current_quote(
    db: &Db,
    gateway: &dyn PaymentGateway,
    cart_id: i64,
    user_id: Option<i64>,
    draft: &CheckoutDraft,
    seen: &Reviewed,
) -> Result<(QuoteView, Option<promo::Discount>), CheckoutError> {
    let errors = validate_details(draft);
    if !errors.is_empty() {
        return Err(CheckoutError::Invalid(errors));
    }
    let cart = cart::view(db, cart_id).await.map_err(|e| match e {
        cart::CartError::Db(e) => CheckoutError::Db(e),
        _ => CheckoutError::EmptyCart,
    })?;
    if cart.is_empty() {
        return Err(CheckoutError::EmptyCart);
    }
    let (quote, discount) = quote_with_discount(db, &cart, draft, user_id, gateway.test_mode()).await?;
    if !quote.problems.is_empty() {
        return Err(CheckoutError::CannotPlace(quote.problems));
    }
    let changes = review::changes_since(seen, &quote);
    if !changes.is_empty() {
        return Err(CheckoutError::CannotPlace(changes));
    }
    Ok((quote, discount))
}

/// Everything of the just inserted `group` but its payment: earlier holds of the cart released, the address
/// remembered, the promo code's use, the orders with their lines and the stock reservations. `Err`: why it cannot
/// be placed after all (the caller rolls back).
async fn fill_group(
    conn: &mut AnyConnection,
    group: &NewGroup<'_>,
    quote: &QuoteView,
    discount: Option<&promo::Discount>,
) -> Result<Result<(), String>, CheckoutError> {
    // An earlier unpaid order of this cart (its card was declined, the shopper came back) gives its hold back
    // first, so the shopper's own hold never stands in their way. It ends as expired: a payment that still
    // lands on it is re-checked against the stock or refunded, like any late payment.
    for earlier in lifecycle::pending_of_cart(conn, group.cart_id, group.id).await? {
        end_unpaid_group(
            conn,
            earlier,
            OrderStatus::Expired,
            "Replaced by a newer checkout of the same cart",
        )
        .await?;
    }
    if let Some(user_id) = group.user_id {
        addresses::remember(conn, user_id, group.draft).await?;
    }
    if let Some(discount) = discount {
        let customer = promo::customer_key(group.user_id, &group.draft.email);
        if let Err(why) = promo::redeem(conn, discount, group.id, &customer).await? {
            return Ok(Err(why));
        }
    }
    let to_reserve = match insert_orders(conn, quote, group.id, group.number, group.now).await? {
        Ok(to_reserve) => to_reserve,
        Err(why) => return Ok(Err(why)),
    };
    reserve_stock(conn, group.id, to_reserve, group.now).await
}

/// A line's stock to reserve: variant, order, quantity, product title.
type Reservation = (i64, i64, i64, String);

/// One order per seller (numbered after the group) with its lines at the quoted prices; returns the stock each line
/// takes. `Err`: a line was taken off sale or repriced since the quote.
async fn insert_orders(
    conn: &mut AnyConnection,
    quote: &QuoteView,
    group_id: i64,
    number: &str,
    now: i64,
) -> Result<Result<Vec<Reservation>, String>, CheckoutError> {
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
            .map(|o| o.name.as_str())
            .unwrap_or_default();
        lifecycle::insert_order(
            conn,
            &NewOrder {
                id: order_id,
                group_id,
                seller_id: group.seller_id,
                number: format!("{number}-{}", i + 1),
                shipping_name,
                shipping_amount: shipping,
                items_total: group.items_total.amount,
                tax_amount: tax,
                total,
                discount,
                now,
            },
        )
        .await?;
        for line in &group.lines {
            let on_sale = lifecycle::insert_line(
                conn,
                order_id,
                line.variant_id,
                &line.product_title,
                &line.variant_label,
                line.quantity,
                line.unit_price.amount,
            )
            .await?;
            if !on_sale {
                // Taken off sale, or repriced, in the moment since the quote: nothing is placed or charged.
                return Ok(Err(format!(
                    "{} changed or was taken off sale just now: nothing was charged. Review your order again.",
                    line.product_title
                )));
            }
            to_reserve.push((line.variant_id, order_id, line.quantity, line.product_title.clone()));
        }
    }
    Ok(Ok(to_reserve))
}

/// Takes the stock of every line until the group's hold ends. `Err`: what sold out (the caller rolls back).
async fn reserve_stock(
    conn: &mut AnyConnection,
    group_id: i64,
    mut to_reserve: Vec<Reservation>,
    now: i64,
) -> Result<Result<(), String>, CheckoutError> {
    // One lock order for every checkout: no deadlock between two carts sharing variants.
    to_reserve.sort_by_key(|(variant, ..)| *variant);
    for (variant_id, order_id, quantity, title) in to_reserve {
        if let Err(sold_out) = inventory::reserve(conn, group_id, order_id, variant_id, quantity, now + HOLD_MS).await?
        {
            let message = if sold_out.available == 0 {
                format!("Sorry, {title} just sold out.")
            } else {
                format!("Sorry, only {} of {title} are left now.", sold_out.available)
            };
            return Ok(Err(message));
        }
        // An order that takes a variant to or below its threshold tells the seller (once per crossing).
        super::adjust_stock::alert_if_low(conn, variant_id).await?;
    }
    Ok(Ok(()))
}

/// Records the group's pending payment, started here when the provider lives in our database (a remote one starts
/// after the commit), and tells search that the group's products changed (their stock did).
async fn record_payment(
    conn: &mut AnyConnection,
    gateway: &dyn PaymentGateway,
    request: &PaymentRequest,
    group_id: i64,
) -> Result<Option<payments::PaymentStart>, CheckoutError> {
    // A provider in our own database starts inside this transaction; a remote one after the commit.
    let started = gateway
        .start_in(conn, request)
        .await
        .map_err(|e| CheckoutError::Gateway(e.to_string()))?;
    let provider_ref = started
        .as_ref()
        .map_or_else(|| format!("pending-{}", request.payment_id), |s| s.provider_ref.clone());
    payments::create_pending(conn, request, group_id, gateway.provider(), &provider_ref).await?;
    for product in inventory::products_of(conn, group_id).await? {
        outbox::product_changed(conn, product).await?;
    }
    Ok(started)
}

/// Asks the gateway for the payment page of a pending payment (idempotent at the gateway: derived from our id).
/// If the gateway cannot be reached, the group ends and its stock goes back on sale.
async fn start_payment(
    db: &Db,
    gateway: &dyn PaymentGateway,
    group_id: i64,
    request: PaymentRequest,
) -> Result<String, CheckoutError> {
    match gateway.start(&request).await {
        Ok(start) => {
            let mut conn = db.pool().acquire().await?;
            payments::set_provider_ref(&mut conn, request.payment_id, &start.provider_ref).await?;
            Ok(start.redirect_url)
        }
        Err(e) => {
            let mut tx = db.begin_write().await?;
            end_unpaid_group(
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

/// The group an idempotency key already made for this cart, and where its shopper goes now. A key that made a
/// group for another cart (someone else's form, replayed) is refused without a word about that group.
async fn resume(
    db: &Db,
    gateway: &dyn PaymentGateway,
    cart_id: i64,
    key: &str,
) -> Result<Option<Placed>, CheckoutError> {
    let mut conn = db.pool().acquire().await?;
    let Some(group) = lifecycle::by_idempotency_key(&mut conn, key).await? else {
        return Ok(None);
    };
    if group.cart_id != Some(cart_id) {
        return Err(out_of_date());
    }
    let redirect_url = match GroupStatus::parse(&group.status) {
        Some(GroupStatus::PendingPayment) => {
            let request = payments::pending_request(&mut conn, group.id, &group.number, &group.email)
                .await?
                .ok_or_else(out_of_date)?;
            drop(conn);
            start_payment(db, gateway, group.id, request).await?
        }
        Some(GroupStatus::Paid) => crate::orders::views::confirmation_url(&mut conn, group.id)
            .await?
            .ok_or_else(out_of_date)?,
        _ => {
            return Err(CheckoutError::CannotPlace(vec![
                "This checkout has ended (not paid in time, or the payment was cancelled). Review your order to try \
                 again."
                    .to_string(),
            ]))
        }
    };
    Ok(Some(Placed {
        group_id: group.id,
        number: group.number,
        redirect_url,
        view_token: group.view_token,
        resumed: true,
    }))
}
