//! The cart's server functions. The cart id comes from the session (a guest's cart, or the account's cart put
//! there at sign-in), never from the request, so nobody can read or change another visitor's cart.

use leptos::prelude::*;
use model::cart::CartView;

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

/// Adds a variant to the cart. Answers the cart's new item count (the add-to-cart island updates the header with
/// it); a plain form post is sent on to the cart page.
#[server(endpoint = "cart_add")]
pub async fn add_to_cart(variant: String, quantity: String) -> Result<i64, AppError> {
    let services = crate::ssr::services()?;
    let (variant, quantity) = domain::cart::parse_line(&variant, &quantity)?;
    let id = imp::cart_id(true)
        .await?
        .ok_or_else(|| crate::ssr::internal("no cart"))?;
    let count = domain::cart::add(&services.db, id, variant, quantity).await?;
    crate::ssr::redirect("/cart");
    Ok(count)
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

/// The cart page's content.
#[server(endpoint = "cart_contents")]
pub async fn cart_contents() -> Result<CartView, AppError> {
    let services = crate::ssr::services()?;
    match imp::cart_id(false).await? {
        Some(id) => Ok(domain::cart::view(&services.db, id).await?),
        None => Ok(CartView::default()),
    }
}
