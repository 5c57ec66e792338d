//! The cart's server functions. The cart id comes from the session (a guest's cart, or the account's cart put
//! there at sign-in), never from the request, so nobody can read or change another visitor's cart.

use leptos::prelude::*;
use model::cart::{AddOutcome, CartView};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(crate) mod imp {
    use domain::accounts::sessions::CART_ID_KEY;

    use crate::error::AppError;
    use crate::ssr::{internal, session};

    /// This visitor's cart id (the domain's rule, `cart::for_session`); with `create`, a cart is made when there
    /// is none. The session remembers whichever cart the rule chose.
    pub async fn cart_id(create: bool) -> Result<Option<i64>, AppError> {
        let services = crate::ssr::services()?;
        let session = session().await?;
        let remembered = session.get::<i64>(CART_ID_KEY).await.map_err(internal)?;
        let chosen = domain::cart::for_session(&services.db, &crate::ssr::actor(), remembered, create).await?;
        if let Some(id) = chosen.remember {
            session.insert(CART_ID_KEY, id).await.map_err(internal)?;
        }
        Ok(chosen.id)
    }

    /// Adds `quantity` of `variant` to this visitor's cart (made if there is none); the cart's new item count.
    pub async fn add(variant: &str, quantity: &str) -> Result<i64, AppError> {
        let services = crate::ssr::services()?;
        let (variant, quantity) = domain::cart::parse_line(variant, quantity)?;
        let id = cart_id(true).await?.ok_or_else(|| internal("no cart"))?;
        let count = domain::cart::add(&services.db, id, variant, quantity).await?;
        crate::ssr::record(|visitor| domain::analytics::Event::add_to_cart(visitor, variant));
        Ok(count)
    }

    /// At sign-in: the guest cart of this session joins the account's cart, which becomes the session's cart.
    pub async fn adopt_cart(user_id: i64) -> Result<(), AppError> {
        let services = crate::ssr::services()?;
        let session = session().await?;
        let remembered = session.get::<i64>(CART_ID_KEY).await.map_err(internal)?;
        let id = domain::cart::adopt_at_sign_in(&services.db, remembered, user_id).await?;
        session.insert(CART_ID_KEY, id).await.map_err(internal)?;
        Ok(())
    }
}

/// The fields of a cart line's forms, in the order their messages are preferred.
pub const LINE_FIELDS: [&str; 2] = ["quantity", "variant"];

/// Adds a variant to the cart: the buy box's plain form post, sent on to the cart page (a refusal comes back to
/// the product page with its message).
#[server(endpoint = "cart_add")]
pub async fn add_to_cart(variant: String, quantity: String) -> Result<i64, AppError> {
    let count = imp::add(&variant, &quantity).await?;
    crate::ssr::redirect("/cart");
    Ok(count)
}

/// The same addition for the buy box's island (no page load): answers the new item count, or the refusal's
/// message as an ordinary answer (see `AddOutcome`). Failures that are not the shopper's doing stay errors.
#[server(endpoint = "cart_add_inline")]
pub async fn add_to_cart_inline(variant: String, quantity: String) -> Result<AddOutcome, AppError> {
    match imp::add(&variant, &quantity).await {
        Ok(count) => Ok(AddOutcome {
            count: Some(count),
            refused: None,
        }),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::NotFound)) => {
            crate::ssr::refusal_answered();
            Ok(AddOutcome {
                count: None,
                refused: Some(e.message_for(&LINE_FIELDS)),
            })
        }
        Err(e) => Err(e),
    }
}

/// Changes a line's quantity (0 removes it).
#[server(endpoint = "cart_update")]
pub async fn update_cart_line(variant: String, quantity: String) -> Result<i64, AppError> {
    let services = crate::ssr::services()?;
    let (variant, quantity) = domain::cart::parse_line(&variant, &quantity)?;
    let Some(id) = imp::cart_id(false).await? else {
        return Err(crate::ssr::fail(AppError::NotFound));
    };
    let count = domain::cart::set_quantity(&services.db, id, variant, quantity).await?;
    crate::ssr::redirect("/cart");
    Ok(count)
}

/// Removes a line.
#[server(endpoint = "cart_remove")]
pub async fn remove_cart_line(variant: String) -> Result<i64, AppError> {
    let services = crate::ssr::services()?;
    let (variant, _) = domain::cart::parse_line(&variant, "1")?;
    let count = match imp::cart_id(false).await? {
        Some(id) => domain::cart::remove(&services.db, id, variant).await?,
        None => 0,
    };
    crate::ssr::redirect("/cart");
    Ok(count)
}

/// "Customers also bought" and "Similar items" for what is in the cart (nothing for an empty cart).
#[server(endpoint = "cart_discovery", input = leptos::server_fn::codec::GetUrl)]
pub async fn cart_discovery() -> Result<model::catalog::Discovery, AppError> {
    let services = crate::ssr::services()?;
    match imp::cart_id(false).await? {
        Some(id) => Ok(domain::discovery::for_cart(&services.db, id).await?),
        None => Ok(model::catalog::Discovery::default()),
    }
}

/// The cart page's content.
#[server(endpoint = "cart_contents")]
pub async fn cart_contents() -> Result<CartView, AppError> {
    let services = crate::ssr::services()?;
    match imp::cart_id(false).await? {
        Some(id) => {
            let mut cart = domain::cart::view(&services.db, id).await?;
            cart.notices = domain::cart::take_notices(&services.db, id).await?;
            Ok(cart)
        }
        None => Ok(CartView::default()),
    }
}
