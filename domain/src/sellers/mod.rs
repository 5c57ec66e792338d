//! The sellers context: applications to sell, the stores they become and their warehouses. Owns
//! `seller_applications`, `sellers` and `warehouses`. Becoming a seller touches accounts (the role) and
//! notifications (the emails) too, so applying and deciding are workflows (`workflows::onboard_seller`) built on
//! the functions here.

pub mod applications;
pub mod portal;
pub mod settings;

use model::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum SellerError {
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    /// Unknown, or not the actor's to see.
    #[error("not found")]
    NotFound,
    #[error("only admins may do this")]
    Forbidden,
    /// The request was fine but the state does not allow it; the message says why.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<SellerError> for crate::platform::Problem {
    fn from(err: SellerError) -> Self {
        use crate::platform::Problem;
        match err {
            SellerError::Invalid(fields) => Problem::Invalid(fields),
            SellerError::NotFound => Problem::NotFound,
            SellerError::Forbidden => Problem::Forbidden,
            SellerError::Conflict(message) => Problem::Conflict(message),
            SellerError::Db(e) => e.into(),
        }
    }
}

impl From<crate::platform::actor::NotFound> for SellerError {
    fn from(_: crate::platform::actor::NotFound) -> Self {
        SellerError::NotFound
    }
}
