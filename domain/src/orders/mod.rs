//! The orders context: one order group per checkout (one payment) holding one order per seller. Owns
//! `order_groups`, `orders`, `order_lines` and `order_events`.
//!
//! Status changes go through the state machine in [`status`], enforced in the UPDATE itself (`WHERE status IN
//! (allowed predecessors)`), so an illegal or racing change affects no row. What an order change means for stock,
//! payments, carts and mail is a workflow's business (`crate::workflows`), not this module's.

pub mod acceptance;
pub mod exchanges;
pub mod fulfilment;
pub mod lifecycle;
pub mod messages;
pub mod portal;
pub mod privacy;
pub mod refunds;
pub mod returns;
pub mod slips;
mod status;
pub mod views;

pub use status::{event_label, GroupStatus, OrderStatus};
pub use views::{group_view, history};

/// Whether `number` could be an order's or a group's number (letters, digits and dashes): anything else is not
/// found without asking the database (PostgreSQL refuses a NUL in a query parameter outright).
pub(crate) fn plausible_number(number: &str) -> bool {
    !number.is_empty() && number.len() <= 40 && number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// How long placed orders hold their stock while the shopper pays.
pub const HOLD_MS: i64 = 15 * 60 * 1000;

/// A condition on `g` (an `order_groups` row): the group was paid at some time, as its orders' timelines say
/// (`lifecycle::mark_paid` writes the event). A payment that arrived too late, found the stock gone and was
/// refunded never paid its group; neither did one that arrived for a group already cancelled.
pub const GROUP_WAS_PAID: &str =
    "EXISTS (SELECT 1 FROM orders wp JOIN order_events we ON we.order_id = wp.id WHERE wp.group_id = g.id \
     AND we.status = 'paid')";

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// Unknown, or not this actor's to see (the same answer: order numbers are not a way to probe).
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    NotAllowed(String),
    /// A form's fields are wrong; each message names its field.
    #[error("invalid input")]
    Invalid(Vec<model::FieldError>),
    #[error("the refund failed: {0}")]
    Refund(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<OrderError> for crate::platform::Problem {
    fn from(err: OrderError) -> Self {
        use crate::platform::Problem;
        match err {
            OrderError::NotFound => Problem::NotFound,
            OrderError::NotAllowed(message) => Problem::Conflict(message),
            OrderError::Invalid(errors) => Problem::Invalid(errors),
            OrderError::Refund(cause) => Problem::Unavailable {
                message: "The refund could not be made right now; your order is unchanged. Please try again."
                    .to_string(),
                cause,
            },
            OrderError::Db(e) => e.into(),
        }
    }
}
