//! Notification preferences (`/account/notifications`) and the admins' previews of the shop's messages.

use serde::{Deserialize, Serialize};

/// Which optional messages an account gets. Order updates by email are not optional and so not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub marketing: bool,
    pub review_reminders: bool,
    pub price_drops: bool,
    /// Text messages (SMS) when an order ships and when it is delivered.
    pub texts: bool,
    /// In international form (+ and the country code), or empty.
    pub phone: String,
}

impl Default for NotificationSettings {
    /// Marketing needs a yes (consent); the reminders a shopper expects from the shop start on; texts need a number.
    fn default() -> Self {
        NotificationSettings {
            marketing: false,
            review_reminders: true,
            price_drops: true,
            texts: false,
            phone: String::new(),
        }
    }
}

/// A kind of optional email, as its unsubscribe link names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Topic {
    Marketing,
    ReviewReminders,
    PriceDrops,
}

impl Topic {
    pub const ALL: [Topic; 3] = [Topic::Marketing, Topic::ReviewReminders, Topic::PriceDrops];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Marketing => "marketing",
            Topic::ReviewReminders => "review-reminders",
            Topic::PriceDrops => "price-drops",
        }
    }

    pub fn parse(text: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// What the mail is, in a sentence's middle: "You will no longer get {label}."
    pub fn label(self) -> &'static str {
        match self {
            Topic::Marketing => "news and offers from Bazaar",
            Topic::ReviewReminders => "reminders to review what you bought",
            Topic::PriceDrops => "emails when a product on your wishlist costs less",
        }
    }
}

/// One of the shop's messages filled with sample facts, for an admin to read before a customer does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePreview {
    pub key: String,
    pub name: String,
    pub subject: String,
    pub text: String,
    /// The HTML part, a whole document (shown in a sandboxed frame).
    pub html: String,
}
