//! What a failed use case means to whoever asked: the one classification of domain errors. The web app maps it
//! to its `AppError`, the REST API to its error object; each context says, next to its error type, which
//! problem each of its errors is. Causes of our own failures travel only to the log, never to the user.

use model::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The input is wrong; each message names its field.
    Invalid(Vec<FieldError>),
    BadCredentials,
    Throttled {
        retry_after_secs: u64,
    },
    Forbidden,
    /// Unknown, or not the actor's to see (the same answer on purpose).
    NotFound,
    /// The request was fine but the shop's state does not allow it now; the message says why and what to do.
    Conflict(String),
    /// A service we depend on failed (the payment provider): `message` is for the user, `cause` for the log.
    Unavailable {
        message: String,
        cause: String,
    },
    /// Our own failure: the cause is logged with the request id; the user sees only the id.
    Internal(String),
}

impl From<sqlx::Error> for Problem {
    fn from(e: sqlx::Error) -> Problem {
        Problem::Internal(e.to_string())
    }
}
