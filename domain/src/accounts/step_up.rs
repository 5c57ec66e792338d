//! Step-up: actions that change who may do what or move a lot of money (an account suspended, a role changed) ask
//! for the acting admin's password again when their last sign-in or confirmation is older than
//! [`STEP_UP_MS`]. The session keeps when that was ([`super::sessions::CONFIRMED_AT_KEY`], else the sign-in);
//! the action takes a [`Confirmed`], which only [`confirm`] makes.

use super::throttle::ThrottlePolicy;
use super::{find_user, AccountError};
use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::Actor;

/// How long a password given (at sign-in or again) covers the actions that ask for it.
pub const STEP_UP_MS: i64 = 10 * 60 * 1000;

/// Proof that an admin gave their password within [`STEP_UP_MS`]: made only by [`confirm`], and good only for
/// that admin while it is recent ([`Confirmed::covers`]).
#[derive(Debug, Clone, Copy)]
pub struct Confirmed {
    user_id: i64,
    at: i64,
}

impl Confirmed {
    /// When the password was given: the session keeps it when it is new.
    pub fn at(&self) -> i64 {
        self.at
    }

    /// Whether it still covers a change by `actor` (the admin who gave it, within the time).
    pub fn covers(&self, actor: &Actor) -> bool {
        actor.user_id() == Some(self.user_id) && is_recent(Some(self.at))
    }
}

/// The password field's message when a change needs it again.
pub fn password_asked() -> model::FieldError {
    model::FieldError::new(
        "password",
        "Enter your password to confirm this change (asked when your last one is older than 10 minutes).",
    )
}

/// The password field's message when an admin's refund is above the amount refunded without it.
pub fn refund_asks_password() -> model::FieldError {
    model::FieldError::new(
        "password",
        "This refund is above what admins refund without their password: enter your password to confirm it \
         (asked when your last one is older than 10 minutes).",
    )
}

/// Whether a password given at `confirmed_at` (unix ms) still covers an action.
pub fn is_recent(confirmed_at: Option<i64>) -> bool {
    confirmed_at.is_some_and(|at| now_ms() - at < STEP_UP_MS)
}

/// The admin's recent confirmation, or their password checked now (wrong ones count as at the login). Without a
/// recent one and without a password, the field's message asks for it.
pub async fn confirm(
    db: &Db,
    policy: &ThrottlePolicy,
    actor: &Actor,
    confirmed_at: Option<i64>,
    password: &str,
) -> Result<Confirmed, AccountError> {
    // Only admins' changes ask for it: anyone else is refused before any password is looked at.
    if !actor.is_admin() {
        return Err(AccountError::Forbidden);
    }
    let user_id = actor.user_id().ok_or(AccountError::Forbidden)?;
    if let Some(at) = confirmed_at.filter(|at| is_recent(Some(*at))) {
        return Ok(Confirmed { user_id, at });
    }
    if password.is_empty() {
        return Err(AccountError::Invalid(vec![password_asked()]));
    }
    let user = find_user(db, user_id).await?.ok_or(AccountError::NotFound)?;
    super::two_factor::password_again(db, policy, &user, password).await?;
    Ok(Confirmed { user_id, at: now_ms() })
}
