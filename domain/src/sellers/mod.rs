//! The sellers context: applications to sell, the stores they become and their warehouses. Owns
//! `seller_applications`, `sellers` and `warehouses`. Becoming a seller touches accounts (the role) and
//! notifications (the emails) too, so applying and deciding are workflows (`workflows::onboard_seller`) built on
//! the functions here.

pub mod applications;
pub mod portal;
pub mod promotions;
pub mod settings;
pub mod standing;

use model::FieldError;

/// Whether a store sells: the `status` column of `sellers` (a CHECK constraint lists the same words). Only an
/// active store's products are listed, searched and bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SellerStatus {
    Pending,
    Active,
    Suspended,
}

impl SellerStatus {
    pub const ALL: [SellerStatus; 3] = [SellerStatus::Pending, SellerStatus::Active, SellerStatus::Suspended];

    /// The spelling stored in the database: `pending`, `active`, `suspended`.
    pub fn as_str(self) -> &'static str {
        match self {
            SellerStatus::Pending => "pending",
            SellerStatus::Active => "active",
            SellerStatus::Suspended => "suspended",
        }
    }

    pub fn parse(text: &str) -> Option<SellerStatus> {
        SellerStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seller_statuses_round_trip_through_their_stored_spelling() {
        for status in SellerStatus::ALL {
            assert_eq!(SellerStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(SellerStatus::parse("closed"), None);
    }
}
