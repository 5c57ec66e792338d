//! Every message the shop sends, filled with sample facts, for admins to read before a customer does
//! (`/admin/emails`). A test reads `templates.rs` and fails when a message is missing here.

use model::catalog::Money;
use model::notifications::MessagePreview;

use super::{html, templates as t, Mail};
use crate::orders::views::{Confirmation, ConfirmationLine};

const SHOPPER: &str = "ada@example.com";
const STORE: &str = "orders@copper-and-co.example";
const ORDER: &str = "BZ-7Q2K-1";
const LINK: &str = "/orders/BZ-7Q2K";

fn gbp(amount: i64) -> Money {
    Money::new(amount, "GBP")
}

fn confirmation() -> Mail {
    let line = |title: &str, variant: &str, quantity, unit_price| ConfirmationLine {
        order_number: ORDER.into(),
        title: title.into(),
        variant: variant.into(),
        quantity,
        unit_price,
    };
    t::order_confirmation(&Confirmation {
        number: "BZ-7Q2K".into(),
        email: SHOPPER.into(),
        currency: "GBP".into(),
        grand_total: 7_480,
        discount_total: 500,
        promo_code: Some("WELCOME5".into()),
        link: LINK.into(),
        lines: vec![
            line("Copper kettle", "1.5 l", 1, 5_490),
            line("Linen tea towel", "", 2, 995),
        ],
    })
}

/// (function name in `templates`, what it is, the mail) for every email.
fn emails() -> Vec<(&'static str, &'static str, Mail)> {
    let mut all = order_emails();
    all.extend(account_emails());
    all.extend(store_emails());
    all
}

/// Orders, returns, messages, the wishlist and "Notify me".
fn order_emails() -> Vec<(&'static str, &'static str, Mail)> {
    let items = [
        "1 × Copper kettle (1.5 l)".to_string(),
        "2 × Linen tea towel".to_string(),
    ];
    vec![
        ("order_confirmation", "Order placed (to the shopper)", confirmation()),
        (
            "new_order_for_store",
            "New order (to the store)",
            t::new_order_for_store(STORE, ORDER, 3, Some(1_767_225_600_000)),
        ),
        (
            "order_shipped",
            "Order shipped",
            t::order_shipped(&t::ShippedMail {
                to: SHOPPER,
                number: ORDER,
                store_name: "Copper & Co",
                lines: &items,
                carrier: "Royal Mail",
                tracking_number: "AB123456789GB",
                tracking_url: Some("https://www.royalmail.com/track-your-item#/tracking-results/AB123456789GB"),
                complete: true,
                link: LINK,
            }),
        ),
        (
            "order_delivered",
            "Order delivered",
            t::order_delivered(SHOPPER, ORDER, "Copper & Co", LINK),
        ),
        (
            "order_cancelled",
            "Order cancelled",
            t::order_cancelled(SHOPPER, ORDER, "Copper & Co", &gbp(7_480), "the store"),
        ),
        (
            "money_back",
            "Part cancelled or refunded by the store",
            t::money_back(&t::MoneyBackMail {
                to: SHOPPER,
                number: ORDER,
                store_name: "Copper & Co",
                cancelled: false,
                lines: &items[..1],
                shipping: &gbp(0),
                amount: &gbp(5_490),
                reason: "Arrived damaged",
                link: LINK,
            }),
        ),
        (
            "order_refunded",
            "Order refunded",
            t::order_refunded(SHOPPER, ORDER, &gbp(1_990)),
        ),
        (
            "return_update",
            "Return update",
            t::return_update(SHOPPER, ORDER, "Copper & Co approved your return", LINK),
        ),
        (
            "new_message",
            "New message on an order",
            t::new_message(STORE, ORDER, "the shopper", false, "/seller/orders/BZ-7Q2K-1"),
        ),
        (
            "review_reminder",
            "Review reminder (optional)",
            t::review_reminder(SHOPPER, ORDER, &items),
        ),
        (
            "price_drop",
            "Wishlist price drop (optional)",
            t::price_drop(SHOPPER, "Copper kettle", &gbp(4_490), &gbp(5_490), "/p/copper-kettle"),
        ),
        (
            "back_in_stock_link",
            "Notify me: confirm the address",
            t::back_in_stock_link(SHOPPER, "Copper kettle", "1.5 l", "/back-in-stock/confirm?token=…"),
        ),
        (
            "back_in_stock",
            "Back in stock",
            t::back_in_stock(SHOPPER, "Copper kettle", "1.5 l", "/p/copper-kettle"),
        ),
    ]
}

/// An account's own mail.
fn account_emails() -> Vec<(&'static str, &'static str, Mail)> {
    vec![
        (
            "verify_email",
            "Welcome: confirm your email",
            t::verify_email(SHOPPER, "/account/verify?token=…"),
        ),
        (
            "registration_attempted",
            "Someone tried to register this address",
            t::registration_attempted(SHOPPER),
        ),
        (
            "password_reset",
            "Password reset",
            t::password_reset(SHOPPER, "/reset-password?token=…"),
        ),
        (
            "email_change_link",
            "Email change: confirm the new address",
            t::email_change_link("ada@new.example", "/account/email?token=…"),
        ),
        (
            "email_change_asked",
            "Email change asked (to the old address)",
            t::email_change_asked(SHOPPER, "ada@new.example"),
        ),
        (
            "email_changed",
            "Email changed (to the old address)",
            t::email_changed(SHOPPER, "ada@new.example"),
        ),
        ("passkey_added", "Passkey added", t::passkey_added(SHOPPER, "My phone")),
        ("account_erased", "Account erased", t::account_erased(SHOPPER, 2)),
    ]
}

/// To stores and admins: applications, stock, reviews, payouts, disputes.
fn store_emails() -> Vec<(&'static str, &'static str, Mail)> {
    vec![
        (
            "application_received",
            "Seller application received (to admins)",
            t::application_received(
                "admin@bazaar.example",
                "Copper & Co",
                "Grace Hopper <grace@example.com>",
            ),
        ),
        (
            "application_approved",
            "Seller application approved",
            t::application_approved(STORE, "Copper & Co"),
        ),
        (
            "application_rejected",
            "Seller application declined",
            t::application_rejected(
                STORE,
                "Copper & Co",
                "The store sells items the marketplace does not allow.",
            ),
        ),
        (
            "store_suspended",
            "Store suspended (to the store)",
            t::store_suspended(
                STORE,
                "Copper & Co",
                "Orders not shipped",
                "Twelve orders are more than a week late.",
            ),
        ),
        (
            "store_reactivated",
            "Store reactivated (to the store)",
            t::store_reactivated(STORE, "Copper & Co"),
        ),
        (
            "low_stock",
            "Low stock (to the store)",
            t::low_stock(STORE, "Copper kettle", "CK-15", 2, 5),
        ),
        (
            "new_review",
            "New review (to the store)",
            t::new_review(STORE, "Copper kettle", 4, "/seller/reviews?unanswered=1"),
        ),
        (
            "review_hidden",
            "Review hidden (to its author)",
            t::review_hidden(SHOPPER, "Copper kettle", "Personal information"),
        ),
        (
            "payout_sent",
            "Payout sent (to the store)",
            t::payout_sent(STORE, "Copper & Co", "£1,204.50", "PO-2026-12-01"),
        ),
        (
            "payout_failed",
            "Bank payout failed (to the store)",
            t::payout_failed(STORE, "£1,204.50", "The bank account is closed."),
        ),
        (
            "dispute_step",
            "Dispute step (to the store)",
            t::dispute_step(STORE, ORDER, "The shopper's bank opened a dispute", 42),
        ),
    ]
}

/// (function name, what it is, the text) for every text message.
fn texts() -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "shipped_text",
            "Text message: order shipped",
            t::shipped_text(ORDER, "Copper & Co", LINK),
        ),
        (
            "delivered_text",
            "Text message: order delivered",
            t::delivered_text(ORDER, "Copper & Co"),
        ),
    ]
}

/// Every message, for an admin (anyone else: `Forbidden`).
pub fn for_admin(actor: &crate::platform::Actor) -> Result<Vec<MessagePreview>, crate::platform::Problem> {
    if !actor.is_admin() {
        return Err(crate::platform::Problem::Forbidden);
    }
    Ok(all(None))
}

/// Every message, emails first. A text message has no subject and no HTML part.
pub fn all(site: Option<&str>) -> Vec<MessagePreview> {
    let emails = emails().into_iter().map(|(key, name, mail)| MessagePreview {
        key: key.into(),
        name: name.into(),
        html: html::render(&mail, site),
        subject: mail.subject,
        text: mail.body,
    });
    let texts = texts().into_iter().map(|(key, name, text)| MessagePreview {
        key: key.into(),
        name: name.into(),
        subject: String::new(),
        text,
        html: String::new(),
    });
    emails.chain(texts).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_message_has_a_preview() {
        let keys: Vec<String> = super::all(None).into_iter().map(|p| p.key).collect();
        let source = include_str!("templates.rs");
        let mut messages = 0;
        for line in source.lines() {
            let Some(rest) = line.strip_prefix("pub fn ") else {
                continue;
            };
            let name = rest.split('(').next().unwrap_or_default();
            if line.ends_with("-> Mail {") || (line.ends_with("-> String {") && name.ends_with("_text")) {
                messages += 1;
                assert!(keys.iter().any(|k| k == name), "{name} has no preview in samples.rs");
            }
        }
        assert!(messages >= 30, "found {messages} messages in templates.rs");
        assert_eq!(keys.len(), messages, "a preview names no message of templates.rs");
    }
}
