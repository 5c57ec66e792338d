//! Checkout, payment (the built-in test gateway's hosted page), orders and the development mailbox. Thin: the
//! session gives the cart and the draft, the domain does the work.

use leptos::prelude::*;
use model::cart::CartView;
use model::orders::{CheckoutDraft, OrderGroupView, OrderSummaryView, QuoteView, SavedAddress};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutContent {
    pub cart: CartView,
    pub draft: CheckoutDraft,
    pub quote: Option<QuoteView>,
    /// The signed-in account's saved addresses, most recent first.
    pub saved: Vec<SavedAddress>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewContent {
    pub draft: CheckoutDraft,
    pub quote: Option<QuoteView>,
    /// A fresh idempotency key for the "Pay" form: a double submit of this page makes one order.
    pub key: String,
    /// The figures this page shows, sent back with "Place order": the order is placed only if they still hold.
    pub reviewed: String,
    pub notice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestPaymentContent {
    pub session: String,
    pub amount: model::catalog::Money,
    pub reference: String,
    pub status: String,
    pub error: Option<String>,
    /// The order page, once this payment is made.
    pub order_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailView {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub sent_at: i64,
}

#[cfg(feature = "ssr")]
mod imp {
    /// The shopper's order page a change sends them back to (with a guest's token).
    pub fn order_page(number: &str, token: Option<&str>) -> String {
        match token {
            Some(t) if !t.is_empty() => format!("/orders/{number}?token={t}"),
            _ => format!("/orders/{number}"),
        }
    }

    use model::orders::CheckoutDraft;

    use crate::error::AppError;
    use crate::ssr::{internal, session};

    pub const DRAFT_KEY: &str = "checkout_draft";
    pub const FLASH_KEY: &str = "flash";

    pub async fn draft() -> Result<CheckoutDraft, AppError> {
        let session = session().await?;
        let mut draft = session
            .get::<CheckoutDraft>(DRAFT_KEY)
            .await
            .map_err(internal)?
            .unwrap_or_default();
        if draft.email.is_empty() {
            if let Some(user) = crate::ssr::current_user() {
                draft.email = user.email.clone();
                draft.name = user.name.clone();
            }
        }
        if draft.country.is_empty() {
            draft.country = "US".to_string();
        }
        Ok(draft)
    }

    /// Keeps the checkout draft in the session for the next page.
    pub async fn save_draft(draft: &CheckoutDraft) -> Result<(), AppError> {
        session().await?.insert(DRAFT_KEY, draft).await.map_err(internal)
    }

    /// A one-time message for the next page (set before a redirect).
    pub async fn flash(message: &str) -> Result<(), AppError> {
        session().await?.insert(FLASH_KEY, message).await.map_err(internal)
    }

    pub async fn take_flash() -> Result<Option<String>, AppError> {
        session().await?.remove::<String>(FLASH_KEY).await.map_err(internal)
    }

    /// The guest link's token, if one was given.
    pub fn token(token: &Option<String>) -> Option<&str> {
        token.as_deref().filter(|t| !t.is_empty())
    }
}

/// The checkout page: the cart, what was typed before, and the shipping options for the chosen country.
#[server(endpoint = "checkout_data")]
pub async fn checkout_data() -> Result<CheckoutContent, AppError> {
    let services = crate::ssr::services()?;
    let draft = imp::draft().await?;
    let cart_id = crate::api::cart::imp::cart_id(false).await?;
    let page = domain::checkout::page(
        &services.db,
        &crate::ssr::actor(),
        cart_id,
        draft,
        services.payments.test_mode(),
    )
    .await?;
    Ok(CheckoutContent {
        cart: page.cart,
        draft: page.draft,
        quote: page.quote,
        saved: page.saved,
    })
}

/// Fills the checkout's address from one of the account's saved addresses.
#[server(endpoint = "use_saved_address")]
pub async fn use_saved_address(id: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let me = crate::ssr::require_user()?;
    let mut draft = imp::draft().await?;
    let id = id.parse().unwrap_or(0);
    if domain::accounts::addresses::fill(&services.db, me.id, id, &mut draft).await? {
        draft.errors.clear();
        imp::save_draft(&draft).await?;
    }
    crate::ssr::redirect("/checkout");
    Ok(())
}

/// Keeps the typed details in the session (so nothing typed is lost), then sends the shopper on to the review, or
/// back to the form with the field errors.
#[server(endpoint = "checkout_details")]
#[allow(clippy::too_many_arguments)] // one argument per form field
pub async fn save_checkout_details(
    email: String,
    name: String,
    line1: String,
    line2: Option<String>,
    city: String,
    postal: String,
    country: String,
    phone: Option<String>,
    ship: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    let shipping = ship
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(seller, rate)| Some((seller.strip_prefix('s')?.parse().ok()?, rate.parse().ok()?)))
        .collect();
    let draft = CheckoutDraft {
        email,
        name,
        line1,
        line2: line2.unwrap_or_default(),
        city,
        postal,
        country,
        phone: phone.unwrap_or_default(),
        shipping,
        // An applied code stays applied when the details change.
        promo: imp::draft().await?.promo,
        errors: Vec::new(),
    };
    let mut draft = domain::checkout::bounded(draft);
    draft.errors = domain::checkout::validate_details(&draft);
    let ok = draft.errors.is_empty();
    imp::save_draft(&draft).await?;
    crate::ssr::redirect(if ok { "/checkout/review" } else { "/checkout" });
    Ok(())
}

/// The review page's figures, recomputed from the database now.
#[server(endpoint = "review_data")]
pub async fn review_data() -> Result<ReviewContent, AppError> {
    let services = crate::ssr::services()?;
    let draft = imp::draft().await?;
    let notice = imp::take_flash().await?;
    let cart_id = crate::api::cart::imp::cart_id(false).await?;
    let actor = crate::ssr::actor();
    let quote = domain::checkout::review(&services.db, &actor, cart_id, &draft, services.payments.test_mode()).await?;
    let reviewed = quote
        .as_ref()
        .map(|q| domain::checkout::review::Reviewed::of(q).encode())
        .unwrap_or_default();
    Ok(ReviewContent {
        draft,
        quote,
        key: domain::platform::ids::random_token(),
        reviewed,
        notice,
    })
}

/// Applies a promo code to the checkout if it fits the cart; otherwise the review page says why.
#[server(endpoint = "apply_promo")]
pub async fn apply_promo(code: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let mut draft = imp::draft().await?;
    let cart_id = crate::api::cart::imp::cart_id(false).await?;
    match domain::checkout::apply_promo(&services.db, &crate::ssr::actor(), cart_id, &mut draft, &code).await? {
        Ok(()) => imp::save_draft(&draft).await?,
        Err(why) => imp::flash(&why).await?,
    }
    crate::ssr::redirect("/checkout/review");
    Ok(())
}

/// Takes the promo code off the checkout.
#[server(endpoint = "remove_promo")]
pub async fn remove_promo() -> Result<(), AppError> {
    let mut draft = imp::draft().await?;
    draft.promo.clear();
    imp::save_draft(&draft).await?;
    crate::ssr::redirect("/checkout/review");
    Ok(())
}

/// Places the order and sends the shopper to the payment page, if it still costs what the review page
/// (`reviewed`) showed; otherwise back to the review, which names what changed.
#[server(endpoint = "place_order")]
pub async fn place_order(key: String, reviewed: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let draft = imp::draft().await?;
    let Some(cart_id) = crate::api::cart::imp::cart_id(false).await? else {
        return Err(crate::ssr::fail(AppError::Conflict("Your cart is empty.".to_string())));
    };
    let actor = crate::ssr::actor();
    // A page from before this field, or a damaged one: nothing to compare with, so the shopper reviews again.
    let placed = match domain::checkout::review::Reviewed::decode(&reviewed) {
        Some(seen) => {
            let gateway = &*services.payments;
            domain::workflows::place_order::place_order(&services.db, gateway, &actor, cart_id, &draft, &seen, &key)
                .await
        }
        None => Err(domain::checkout::CheckoutError::CannotPlace(vec![
            "This checkout page is out of date: review your order again.".to_string(),
        ])),
    };
    match placed {
        Ok(placed) => {
            if !placed.resumed {
                crate::ssr::record(|visitor| domain::analytics::Event::order_placed(visitor, &placed.number));
            }
            crate::ssr::redirect(&placed.redirect_url);
            Ok(())
        }
        Err(e) => {
            let err = AppError::from(e);
            imp::flash(&err.to_string()).await?;
            crate::ssr::redirect("/checkout/review");
            Err(err)
        }
    }
}

/// The test gateway's hosted page.
#[server(endpoint = "test_payment_data")]
pub async fn test_payment_data(session: String) -> Result<TestPaymentContent, AppError> {
    let services = crate::ssr::services()?;
    let gateway = services
        .test_gateway
        .as_ref()
        .ok_or_else(|| crate::ssr::fail(AppError::NotFound))?;
    let (found, order_url) = domain::workflows::settle_payment::test_payment_page(&services.db, gateway, &session)
        .await?
        .ok_or_else(|| crate::ssr::fail(AppError::NotFound))?;
    Ok(TestPaymentContent {
        session: found.id,
        amount: model::catalog::Money::new(found.amount, found.currency),
        reference: found.reference,
        status: found.status,
        error: imp::take_flash().await?,
        order_url,
    })
}

/// The card form of the test gateway's page: decides by test card, then (as the provider's webhook would) the
/// outcome event is applied, and the shopper returns to the shop.
#[server(endpoint = "test_pay")]
pub async fn test_pay(session: String, card: String) -> Result<(), AppError> {
    use domain::workflows::settle_payment::{self, TestPayOutcome};
    let services = crate::ssr::services()?;
    let gateway = services
        .test_gateway
        .as_ref()
        .ok_or_else(|| crate::ssr::fail(AppError::NotFound))?;
    match settle_payment::test_pay(&services.db, &*services.payments, gateway, &session, &card).await? {
        TestPayOutcome::Declined(message) => {
            imp::flash(&message).await?;
            crate::ssr::redirect(&format!("/pay/test/{session}"));
        }
        TestPayOutcome::NotFound => return Err(crate::ssr::fail(AppError::NotFound)),
        TestPayOutcome::Paid(page) => crate::ssr::redirect(&page),
    }
    Ok(())
}

/// Where Stripe's hosted page sends the shopper after paying (`success_url`). The webhook may not have arrived
/// yet, so the session's outcome is asked from Stripe and applied (the webhook's event then changes nothing).
#[server(endpoint = "stripe_return", input = leptos::server_fn::codec::GetUrl)]
pub async fn stripe_return(session_id: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let page = domain::workflows::settle_payment::provider_return(&services.db, &*services.payments, &session_id)
        .await?
        .ok_or_else(|| crate::ssr::fail(AppError::NotFound))?;
    crate::ssr::redirect(&page);
    Ok(())
}

/// Where Stripe's hosted page sends a shopper who goes back without paying (`cancel_url`): the review page, cart
/// untouched. The order's hold ends by itself (or when Stripe reports the session expired).
#[server(endpoint = "stripe_cancel", input = leptos::server_fn::codec::GetUrl)]
pub async fn stripe_cancel(session_id: String) -> Result<(), AppError> {
    let _ = session_id;
    imp::flash("The payment was not completed and nothing was charged. Your cart is unchanged.").await?;
    crate::ssr::redirect("/checkout/review");
    Ok(())
}

/// "Cancel and return to the shop" on the test gateway's page: the payment fails, the stock is released, the
/// cart is untouched.
#[server(endpoint = "test_cancel")]
pub async fn test_cancel(session: String) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let gateway = services
        .test_gateway
        .as_ref()
        .ok_or_else(|| crate::ssr::fail(AppError::NotFound))?;
    domain::workflows::settle_payment::test_cancel(&services.db, gateway, &session).await?;
    imp::flash("The payment was cancelled and nothing was charged. Your cart is unchanged.").await?;
    crate::ssr::redirect("/checkout/review");
    Ok(())
}

/// An order as its shopper (account, or guest with the link's token) or an admin sees it.
#[server(endpoint = "order_data")]
pub async fn order_data(number: String, token: Option<String>) -> Result<(OrderGroupView, Option<String>), AppError> {
    let services = crate::ssr::services()?;
    let view = domain::orders::group_view(&services.db, &number, &crate::ssr::actor(), imp::token(&token)).await?;
    Ok((view, imp::take_flash().await?))
}

/// The shopper says one seller's shipped order of a group arrived.
#[server(endpoint = "confirm_received")]
pub async fn confirm_received(number: String, order: String, token: Option<String>) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let back = imp::order_page(&number, token.as_deref());
    let actor = crate::ssr::actor();
    let confirmed =
        domain::workflows::ship_order::confirm_received(&services.db, &actor, &number, &order, imp::token(&token))
            .await;
    match confirmed {
        Ok(()) => imp::flash(&format!("Thank you: order {order} is marked received.")).await?,
        Err(e) => imp::flash(&AppError::from(e).to_string()).await?,
    }
    crate::ssr::redirect(&back);
    Ok(())
}

/// Cancels one seller's order of a group (refunded through the gateway).
#[server(endpoint = "cancel_order")]
pub async fn cancel_order(number: String, order: String, token: Option<String>) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let back = imp::order_page(&number, token.as_deref());
    let actor = crate::ssr::actor();
    let cancelled = domain::workflows::cancel_order::cancel(
        &services.db,
        &*services.payments,
        &actor,
        &number,
        &order,
        imp::token(&token),
    )
    .await;
    match cancelled {
        Ok(()) => imp::flash(&format!("Order {order} is cancelled; the refund is on its way.")).await?,
        Err(e) => {
            let err = AppError::from(e);
            imp::flash(&err.to_string()).await?;
        }
    }
    crate::ssr::redirect(&back);
    Ok(())
}

/// The signed-in shopper's orders.
#[server(endpoint = "order_history")]
pub async fn order_history() -> Result<Vec<OrderSummaryView>, AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    Ok(domain::orders::history(&services.db, &crate::ssr::actor()).await?)
}

/// The development mailbox (only when enabled: `DEV_MAILBOX=1`).
#[server(endpoint = "dev_mailbox")]
pub async fn dev_mailbox() -> Result<Vec<MailView>, AppError> {
    let services = crate::ssr::services()?;
    if !services.dev_mailbox {
        return Err(crate::ssr::fail(AppError::NotFound));
    }
    Ok(domain::notifications::dev_mailbox(&services.db, 100)
        .await?
        .into_iter()
        .map(|m| MailView {
            to: m.to,
            subject: m.subject,
            body: m.body,
            sent_at: m.created_at,
        })
        .collect())
}
