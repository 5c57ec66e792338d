//! Becoming a seller and the seller portal, one file per screen group. Plain form posts (no island, nothing in the
//! shoppers' wasm): each answers with a redirect; a wrong field sends the visitor back with everything typed kept.
//! Every function starts the same way, through [`signed_in`]: the services and the acting user, whose rights the
//! domain checks.

mod apply;
mod disputes;
mod import;
mod money;
mod orders;
mod products;
mod promotions;
mod settings;
mod stock;

pub use apply::*;
pub use disputes::*;
pub use import::*;
pub use money::*;
pub use orders::*;
pub use products::*;
pub use promotions::*;
pub use settings::*;
pub use stock::*;

/// The services and the acting user of a portal request; a visitor who is not signed in is refused.
#[cfg(feature = "ssr")]
pub(super) fn signed_in() -> Result<(crate::ssr::Services, domain::Actor), crate::error::AppError> {
    let services = crate::ssr::services()?;
    crate::ssr::require_user()?;
    Ok((services, crate::ssr::actor()))
}
