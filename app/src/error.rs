//! The one error type the UI and the HTTP API see. Domain errors are mapped into it in `ssr::` helpers; the
//! `Internal` arm carries only a request id: the cause is logged on the server, never sent.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use model::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please correct the highlighted fields.")]
    Validation(Vec<FieldError>),
    #[error("The email or password is incorrect.")]
    BadCredentials,
    #[error("Too many failed attempts. Please wait {} and try again.", wait_text(*retry_after_secs))]
    RateLimited { retry_after_secs: u64 },
    #[error("Please log in to continue.")]
    Unauthenticated,
    #[error("You do not have access to this.")]
    Forbidden,
    #[error("We could not find that.")]
    NotFound,
    /// The request was fine but the shop's state does not allow it now (sold out, already shipped…); the
    /// message says why and what to do.
    #[error("{0}")]
    Conflict(String),
    #[error(
        "Something went wrong on our side. Please try again; if it keeps happening, quote reference {request_id}."
    )]
    Internal { request_id: String },
    /// The request never reached our code in a usable shape (network, bad encoding).
    #[error("The request could not be completed. Check your connection and try again.")]
    Transport(ServerFnErrorErr),
}

fn wait_text(secs: u64) -> String {
    if secs < 60 {
        format!("{secs} seconds")
    } else {
        let minutes = secs.div_ceil(60);
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value)
    }
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::BadCredentials | AppError::Unauthenticated => 401,
            AppError::RateLimited { .. } => 429,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Internal { .. } => 500,
            AppError::Transport(_) => 400,
        }
    }

    /// The message to show where a form has no per-field places: the first message this error carries for one
    /// of `fields`, else its general text.
    pub fn message_for(&self, fields: &[&str]) -> String {
        fields
            .iter()
            .find_map(|name| self.field(name))
            .unwrap_or_else(|| self.to_string())
    }

    /// The message for one form field, if this error carries one.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation(fields) => fields.iter().find(|f| f.field == name).map(|f| f.message.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_show_only_a_reference() {
        let text = AppError::Internal {
            request_id: "abc123".into(),
        }
        .to_string();
        assert!(text.contains("abc123"));
        assert!(!text.to_lowercase().contains("sql"));
    }

    #[test]
    fn rate_limit_message_rounds_up_to_minutes() {
        let text = AppError::RateLimited { retry_after_secs: 61 }.to_string();
        assert!(text.contains("2 minutes"), "{text}");
    }
}
