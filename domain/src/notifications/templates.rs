//! The texts of the shop's emails. Use cases hand over the facts; the words live here.

use model::catalog::Money;

use super::Mail;
use crate::orders::views::Confirmation;

/// A value put into a plain-text email as one line: every control character (a line break included) becomes a
/// space, so no text a seller or shopper typed can stand on a line of its own ("your payment FAILED. Pay again
/// at …") however it got stored. The forms already refuse such text; this holds for anything stored before.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// "Your order is confirmed", with every line, the promo code and the link to the order.
pub fn order_confirmation(c: &Confirmation) -> Mail {
    let money = |amount: i64| Money::new(amount, c.currency.as_str()).display();
    let mut body = format!("Thank you for your order {}.\n\n", c.number);
    for line in &c.lines {
        let variant = if line.variant.is_empty() {
            String::new()
        } else {
            format!(" ({})", one_line(&line.variant))
        };
        body.push_str(&format!(
            "{}  {} × {}{variant}  {}\n",
            line.order_number,
            line.quantity,
            one_line(&line.title),
            money(line.unit_price * line.quantity)
        ));
    }
    if c.discount_total > 0 {
        body.push_str(&format!(
            "Promo code {}: -{}\n",
            c.promo_code.as_deref().unwrap_or_default(),
            money(c.discount_total)
        ));
    }
    body.push_str(&format!("\nTotal paid: {}\n\n", money(c.grand_total)));
    body.push_str(&format!("View your order: {}\n", c.link));
    Mail {
        to: c.email.clone(),
        subject: format!("Your Bazaar order {} is confirmed", c.number),
        body,
    }
}

/// One seller's order was cancelled and refunded.
pub fn order_cancelled(to: &str, order_number: &str, store_name: &str, refund: &Money, by: &str) -> Mail {
    let (store_name, by) = (one_line(store_name), one_line(by));
    Mail {
        to: to.to_string(),
        subject: format!("Your Bazaar order {order_number} is cancelled"),
        body: format!(
            "Order {order_number} from {store_name} was cancelled by {by} and {} is on its way back to your card.\n",
            refund.display()
        ),
    }
}

/// To a store: a new paid order to ship.
pub fn new_order_for_store(to: &str, number: &str, units: i64, ship_by: Option<i64>) -> Mail {
    let by = ship_by
        .map(|at| format!(", ship by {}", model::format_date(at)))
        .unwrap_or_default();
    let items = model::count_of(units, "item", "items");
    Mail {
        to: to.to_string(),
        subject: format!("New order {number} — {items}{by}"),
        body: format!(
            "A shopper paid for order {number} ({items}{by}).\n\nSee it and ship it: /seller/orders/{number}\n"
        ),
    }
}

/// To a store: the marketplace paid it out.
pub fn payout_sent(to: &str, store_name: &str, amount: &str, reference: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: format!("Payout of {amount} sent to {store_name}"),
        body: format!(
            "The marketplace sent {store_name} {amount}, reference {reference} (a bank transfer, or a transfer to \
             your Stripe account, which pays your bank on your Stripe schedule).\n\n\
             Your statement lists it and the sales and refunds it covers: /seller/money\n"
        ),
    }
}

/// To a store: a bank payout from its Stripe balance failed (the money is back on its Stripe balance).
pub fn payout_failed(to: &str, amount: &str, reason: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: format!("Payout of {amount} to your bank failed"),
        body: format!(
            "Stripe could not pay {amount} into your bank account: {reason}\n\nThe money stays on your Stripe \
             balance. Check your bank details with Stripe from /seller/money; Stripe tries again once they are \
             right.\n"
        ),
    }
}

/// To a store: a step of a dispute on one of its orders (opened, decided).
pub fn dispute_step(to: &str, number: &str, what: &str, dispute_id: i64) -> Mail {
    Mail {
        to: to.to_string(),
        subject: format!("Dispute on order {number}"),
        body: format!(
            "{what} (order {number}).\n\nThe case, the order's facts the marketplace sends the bank, and where to add \
             your own account: /seller/money/disputes/{dispute_id}\n"
        ),
    }
}

/// To a shopper: part or all of a seller's order left, with how to follow it.
pub struct ShippedMail<'a> {
    pub to: &'a str,
    pub number: &'a str,
    pub store_name: &'a str,
    pub lines: &'a [String],
    pub carrier: &'a str,
    pub tracking_number: &'a str,
    pub tracking_url: Option<&'a str>,
    pub complete: bool,
    pub link: &'a str,
}

pub fn order_shipped(m: &ShippedMail<'_>) -> Mail {
    let (what, part) = if m.complete {
        ("has shipped", "Everything left in")
    } else {
        ("has partly shipped", "Part of")
    };
    let mut body = format!(
        "{part} your order {} from {} is on its way:\n\n",
        m.number,
        one_line(m.store_name)
    );
    for line in m.lines {
        body.push_str(&format!("  {}\n", one_line(line)));
    }
    body.push_str(&format!(
        "\nCarrier: {}, tracking number {}\n",
        m.carrier, m.tracking_number
    ));
    if let Some(url) = m.tracking_url {
        body.push_str(&format!("Follow it: {url}\n"));
    }
    body.push_str(&format!("\nYour order: {}\n", m.link));
    Mail {
        to: m.to.to_string(),
        subject: format!("Your Bazaar order {} {what}", m.number),
        body,
    }
}

/// To a shopper: a store cancelled units of their order before they shipped, or refunded part of it.
pub struct MoneyBackMail<'a> {
    pub to: &'a str,
    pub number: &'a str,
    pub store_name: &'a str,
    /// Units cancelled before they shipped (else: refunded).
    pub cancelled: bool,
    /// "2 × Copper kettle (Large)".
    pub lines: &'a [String],
    pub shipping: &'a Money,
    pub amount: &'a Money,
    pub reason: &'a str,
    pub link: &'a str,
}

pub fn money_back(m: &MoneyBackMail<'_>) -> Mail {
    let store = one_line(m.store_name);
    let mut body = if m.cancelled {
        format!(
            "{store} cancelled part of your order {} before it shipped:\n\n",
            m.number
        )
    } else {
        format!("{store} refunded part of your order {}:\n\n", m.number)
    };
    for line in m.lines {
        body.push_str(&format!("  {}\n", one_line(line)));
    }
    if m.shipping.amount > 0 {
        body.push_str(&format!("  Shipping: {}\n", m.shipping.display()));
    }
    body.push_str(&format!(
        "\nReason: {}\n{} is on its way back to your card.\n\nYour order: {}\n",
        m.reason,
        m.amount.display(),
        m.link
    ));
    Mail {
        to: m.to.to_string(),
        subject: format!("A refund for your Bazaar order {}", m.number),
        body,
    }
}

/// A step of a return, to the side that has to act on it (or to the shopper, told what the store did).
pub fn return_update(to: &str, number: &str, what: &str, link: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: format!("A return for order {number}: {}", one_line(what)),
        body: format!("{}\n\nSee it: {link}\n", one_line(what)),
    }
}

/// A new message on an order, to the other side (never its text: the reader opens it on Bazaar).
pub fn new_message(to: &str, number: &str, from: &str, flagged: bool, link: &str) -> Mail {
    let from = one_line(from);
    let warning = if flagged {
        "\nIt holds contact details or a link: keep the conversation and any payment on Bazaar.\n"
    } else {
        ""
    };
    Mail {
        to: to.to_string(),
        subject: format!("New message about order {number} from {from}"),
        body: format!("{from} wrote about order {number}. Read it and answer: {link}\n{warning}"),
    }
}

/// A refund made through the payment provider (its dashboard, say).
pub fn order_refunded(to: &str, number: &str, amount: &Money) -> Mail {
    Mail {
        to: to.to_string(),
        subject: format!("A refund for your Bazaar order {number}"),
        body: format!(
            "{} of your order {number} has been refunded to your card.\n",
            amount.display()
        ),
    }
}

/// To an account holder who asked: a single-use link to choose a new password (a path of the shop).
pub fn password_reset(to: &str, link: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: "Choose a new Bazaar password".to_string(),
        body: format!(
            "Someone, we hope you, asked to choose a new password for your Bazaar account.\n\n\
             Choose it here within an hour (the link works once):\n{link}\n\n\
             If it was not you, ignore this email: your password stays as it is.\n"
        ),
    }
}

/// To the new address of an account: the link that makes it the account's email.
pub fn email_change_link(to: &str, link: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: "Confirm your new Bazaar email".to_string(),
        body: format!(
            "To make this your Bazaar account's email, open this link within 24 hours (it works once):\n{link}\n\n\
             If you did not ask for it, ignore this email: nothing changes.\n"
        ),
    }
}

/// To the old address: a change of the account's email was asked.
pub fn email_change_asked(to: &str, new_email: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: "A change of your Bazaar email was asked".to_string(),
        body: format!(
            "Someone signed in to your Bazaar account asked to change its email to {}. It changes only when the link \
             sent there is opened.\n\nIf it was not you, change your password now: /account\n",
            one_line(new_email)
        ),
    }
}

/// To the old address: the account's email changed.
pub fn email_changed(to: &str, new_email: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: "Your Bazaar email was changed".to_string(),
        body: format!(
            "Your Bazaar account's email is now {}. Sign in with it from now on.\n\nIf it was not you, answer this \
             email at once.\n",
            one_line(new_email)
        ),
    }
}

/// To the account's address: a passkey was added (after a takeover, the owner learns of the new way in).
pub fn passkey_added(to: &str, name: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: "A passkey was added to your Bazaar account".to_string(),
        body: format!(
            "A passkey named \"{}\" can now sign in to your Bazaar account.\n\nIf it was not you, remove it under \
             Your account → Passkeys, change your password, and answer this email.\n",
            one_line(name)
        ),
    }
}

/// To a new account's address: the link that confirms it.
pub fn verify_email(to: &str, link: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: "Welcome to Bazaar: confirm your email".to_string(),
        body: format!(
            "Welcome to Bazaar. To confirm that this address is yours, open this link within 24 hours (it works \
             once):\n{link}\n\nYou can shop before you confirm it; to open a store on Bazaar you need to.\n\n\
             If you did not create an account, ignore this email.\n"
        ),
    }
}

/// To the owner of an account: someone tried to register again with its address.
pub fn registration_attempted(to: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: "Someone tried to create a Bazaar account with your email".to_string(),
        body: "Someone, maybe you, tried to create a Bazaar account with this address. You already have one: log in \
               at /login\n\nForgot your password? Choose a new one at /forgot-password\n\nIf it was not you, you \
               need do nothing: your account is unchanged.\n"
            .to_string(),
    }
}

/// To an admin: a new application to sell waits in the queue.
pub fn application_received(to: &str, store_name: &str, applicant: &str) -> Mail {
    let (store_name, applicant) = (one_line(store_name), one_line(applicant));
    Mail {
        to: to.to_string(),
        subject: format!("New seller application: {store_name}"),
        body: format!(
            "{applicant} applied to sell on Bazaar as \"{store_name}\".\n\nReview it: /admin/sellers/applications\n"
        ),
    }
}

/// To the applicant: the store is open.
pub fn application_approved(to: &str, store_name: &str) -> Mail {
    let store_name = one_line(store_name);
    Mail {
        to: to.to_string(),
        subject: format!("{store_name} is approved: welcome to Bazaar"),
        body: format!(
            "Your application to sell as \"{store_name}\" is approved and your store is open.\n\n\
             Add your first products in the seller portal: /seller\n"
        ),
    }
}

/// To the applicant: the application was turned down, with the admin's reason.
pub fn application_rejected(to: &str, store_name: &str, reason: &str) -> Mail {
    let store_name = one_line(store_name);
    Mail {
        to: to.to_string(),
        subject: format!("Your application for {store_name}"),
        body: format!(
            "Your application to sell as \"{store_name}\" was not approved.\n\nThe reason given: {reason}\n\n\
             You can change it and apply again: /sell\n"
        ),
    }
}

/// To a seller: their store was suspended, with the statement of reasons (the ground and the admin's words).
pub fn store_suspended(to: &str, store_name: &str, ground: &str, reason: &str) -> Mail {
    let store_name = one_line(store_name);
    Mail {
        to: to.to_string(),
        subject: format!("{store_name} is suspended"),
        body: format!(
            "Your store \"{store_name}\" is suspended: its listings are off the storefront and search, no new order \
             can be placed, and its payouts are held.\n\nThe ground: {ground}\nThe reason given: {}\n\n\
             Your orders in progress are still yours to ship. Reply to this email to answer it.\n",
            one_line(reason)
        ),
    }
}

/// To a seller: their suspended store sells again.
pub fn store_reactivated(to: &str, store_name: &str) -> Mail {
    let store_name = one_line(store_name);
    Mail {
        to: to.to_string(),
        subject: format!("{store_name} is selling again"),
        body: format!(
            "Your store \"{store_name}\" is no longer suspended: its active listings are back on the storefront \
             and in search.\n\nSeller portal: /seller\n"
        ),
    }
}

/// To a seller: a variant fell to or below its low-stock threshold (sent once per crossing).
pub fn low_stock(to: &str, title: &str, sku: &str, available: i64, threshold: i64) -> Mail {
    let (title, sku) = (one_line(title), one_line(sku));
    Mail {
        to: to.to_string(),
        subject: format!("Low stock: {title}"),
        body: format!(
            "{title} (SKU {sku}) has {} left, at or below your alert level of {threshold}.\n\n\
             Restock it in the seller portal: /seller/stock\n",
            model::count_of(available, "unit", "units")
        ),
    }
}

/// To a store: a shopper reviewed one of its products (the stars, and where to read and answer it).
pub fn new_review(to: &str, product: &str, stars: i64, link: &str) -> Mail {
    let product = one_line(product);
    Mail {
        to: to.to_string(),
        subject: format!("New {stars}-star review of {product}"),
        body: format!(
            "A shopper who received {product} reviewed it ({stars} of 5 stars). Read it and reply once, publicly: \
             {link}\n"
        ),
    }
}

/// To a review's author: moderators hid it, and why.
pub fn review_hidden(to: &str, product: &str, reason: &str) -> Mail {
    let product = one_line(product);
    Mail {
        to: to.to_string(),
        subject: format!("Your review of {product} was hidden"),
        body: format!(
            "Our moderators hid your review of {product} for this reason: {reason}. Reviews are never hidden for \
             being negative. You can edit it from your account: /account/reviews\n"
        ),
    }
}

/// To the address of an account just erased: the receipt (the one mail sent to it after the erasure).
pub fn account_erased(to: &str, orders_kept: u64) -> Mail {
    let orders = match orders_kept {
        0 => String::new(),
        1 => "\nOne order stays in the sellers' and tax records, without your name, address or email.\n".into(),
        n => format!("\n{n} orders stay in the sellers' and tax records, without your name, address or email.\n"),
    };
    Mail {
        to: to.to_string(),
        subject: "Your Bazaar account was erased".into(),
        body: format!(
            "As you asked, your Bazaar account is erased: your profile, addresses, sign-ins, reviews, wishlist, cart \
             and the mail we sent you are deleted, and nobody can sign in to it any more.\n{orders}\nIf you did not \
             ask for this, reply to this email.\n"
        ),
    }
}

/// To an address asking to hear when a sold-out variant is back: the link that confirms it reads this mail.
pub fn back_in_stock_link(to: &str, product: &str, variant: &str, link: &str) -> Mail {
    let what = item_name(product, variant);
    Mail {
        to: to.to_string(),
        subject: format!("Confirm: email me when {what} is back"),
        body: format!(
            "Someone asked Bazaar to email this address when {what} is back in stock. If it was you, confirm it \
             (the link works for 24 hours): {link}\n\nIf not, ignore this mail: nothing more is sent.\n"
        ),
    }
}

/// The one mail a "Notify me" request sends: the variant can be bought again.
pub fn back_in_stock(to: &str, product: &str, variant: &str, link: &str) -> Mail {
    let what = item_name(product, variant);
    Mail {
        to: to.to_string(),
        subject: format!("Back in stock: {what}"),
        body: format!(
            "{what} is back in stock. Units go fast: {link}\n\nYou asked for this one email; no more will follow.\n"
        ),
    }
}

/// To a shopper: a seller's order arrived (the seller or the shopper said so).
pub fn order_delivered(to: &str, number: &str, store_name: &str, link: &str) -> Mail {
    let store_name = one_line(store_name);
    Mail {
        to: to.to_string(),
        subject: format!("Your Bazaar order {number} was delivered"),
        body: format!(
            "Your order {number} from {store_name} was delivered.\n\nSomething wrong or not what you expected? \
             Start a return or write to {store_name} from your order: {link}\n"
        ),
    }
}

/// To a shopper, some days after a delivery (optional: review reminders): what they bought, and where to review.
pub fn review_reminder(to: &str, number: &str, items: &[String]) -> Mail {
    let mut body = format!("How is what you bought? Your order {number} arrived a few days ago:\n\n");
    for item in items {
        body.push_str(&format!("  {}\n", one_line(item)));
    }
    body.push_str(
        "\nA review helps other shoppers choose and tells the seller what works. Write one: /account/reviews\n",
    );
    Mail {
        to: to.to_string(),
        subject: format!("How was your order {number}?"),
        body,
    }
}

/// To a shopper (optional: price drops): a product on their wishlist costs less than at any time in the 30 days
/// before (the EU Omnibus rule the shop's "was" prices follow, so the mail never calls a bounce a drop).
pub fn price_drop(to: &str, product: &str, now: &Money, lowest_before: &Money, link: &str) -> Mail {
    let product = one_line(product);
    Mail {
        to: to.to_string(),
        subject: format!("Price drop: {product} is now {}", now.display()),
        body: format!(
            "{product}, on your wishlist, now costs {}: its lowest price in the 30 days before was {}.\n\n\
             See it: {link}\nYour wishlist: /wishlist\n",
            now.display(),
            lowest_before.display()
        ),
    }
}

/// A text message: a seller's order shipped.
pub fn shipped_text(number: &str, store_name: &str, link: &str) -> String {
    format!(
        "Bazaar: your order {number} from {} has shipped. Follow it: {link}",
        one_line(store_name)
    )
}

/// A text message: a seller's order was delivered.
pub fn delivered_text(number: &str, store_name: &str) -> String {
    format!(
        "Bazaar: your order {number} from {} was delivered.",
        one_line(store_name)
    )
}

/// "Kettle (1.5 l)", or the product alone when its variant has no name.
pub fn item_name(product: &str, variant: &str) -> String {
    let (product, variant) = (one_line(product), one_line(variant));
    if variant.is_empty() || variant == product {
        product
    } else {
        format!("{product} ({variant})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_stay_on_their_line() {
        let mail = low_stock(
            "a@example.com",
            "Mug\nyour payment FAILED. Pay again at evil.example",
            "M-1",
            1,
            2,
        );
        assert!(
            !mail.body.lines().any(|l| l.starts_with("your payment")),
            "{}",
            mail.body
        );
        assert!(!mail.subject.contains('\n'));
    }
}
