//! The wishlist's server functions. The list's id comes from the session (a guest's list, or the account's put
//! there at sign-in), never from the request.

use leptos::prelude::*;
use model::wishlist::WishlistView;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(crate) mod imp {
    use domain::accounts::sessions::WISHLIST_ID_KEY;

    use crate::error::AppError;
    use crate::ssr::{internal, session};

    /// This visitor's list (the domain's rule, `wishlist::for_session`); with `create`, made when there is none.
    pub async fn wishlist_id(create: bool) -> Result<Option<i64>, AppError> {
        let services = crate::ssr::services()?;
        let session = session().await?;
        let remembered = session.get::<i64>(WISHLIST_ID_KEY).await.map_err(internal)?;
        let (id, remember) =
            domain::wishlist::for_session(&services.db, &crate::ssr::actor(), remembered, create).await?;
        if let Some(id) = remember {
            session.insert(WISHLIST_ID_KEY, id).await.map_err(internal)?;
        }
        Ok(id)
    }

    /// Whether this visitor's list holds the product. A visitor without a session has no list, and nothing is
    /// made or remembered for them (the shared cached page stays the same for everyone without one).
    pub async fn holds(product_id: i64) -> Result<bool, AppError> {
        let services = crate::ssr::services()?;
        match wishlist_id(false).await? {
            Some(id) => domain::wishlist::contains(&services.db, id, product_id)
                .await
                .map_err(internal),
            None => Ok(false),
        }
    }

    /// At sign-in: this session's guest list joins the account's list, which becomes the session's.
    pub async fn adopt_wishlist(user_id: i64) -> Result<(), AppError> {
        let services = crate::ssr::services()?;
        let session = session().await?;
        let remembered = session.get::<i64>(WISHLIST_ID_KEY).await.map_err(internal)?;
        match domain::wishlist::adopt_at_sign_in(&services.db, remembered, user_id).await? {
            Some(id) => session.insert(WISHLIST_ID_KEY, id).await.map_err(internal)?,
            None => {
                let _ = session.remove::<i64>(WISHLIST_ID_KEY).await;
            }
        }
        Ok(())
    }
}

/// Keeps (`keep` = "1") or removes a product; back to the product's page, or the wishlist (`from` = "wishlist").
#[server(endpoint = "save_for_later")]
pub async fn save_for_later(
    product: i64,
    #[server(default)] keep: String,
    #[server(default)] from: String,
) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let slug = if keep == "1" {
        let id = imp::wishlist_id(true)
            .await?
            .ok_or_else(|| crate::ssr::internal("no wishlist"))?;
        Some(domain::wishlist::keep(&services.db, id, product).await?)
    } else {
        match imp::wishlist_id(false).await? {
            Some(id) => domain::wishlist::remove(&services.db, id, product).await?,
            None => return Err(crate::ssr::fail(AppError::NotFound)),
        }
    };
    match slug {
        Some(slug) if from != "wishlist" => crate::ssr::redirect(&format!("/p/{}#wishlist", crate::url_encode(&slug))),
        _ => crate::ssr::redirect("/wishlist?removed=1"),
    }
    Ok(())
}

#[server(endpoint = "wishlist_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn wishlist_page() -> Result<WishlistView, AppError> {
    let services = crate::ssr::services()?;
    match imp::wishlist_id(false).await? {
        Some(id) => Ok(domain::wishlist::view(&services.db, id).await?),
        None => Ok(WishlistView::default()),
    }
}

/// Moves a product's only variant from the wishlist into the cart.
#[server(endpoint = "move_to_cart")]
pub async fn move_to_cart(product: i64) -> Result<(), AppError> {
    let services = crate::ssr::services()?;
    let list = imp::wishlist_id(false)
        .await?
        .ok_or_else(|| crate::ssr::fail(AppError::NotFound))?;
    let cart = crate::api::cart::imp::cart_id(true)
        .await?
        .ok_or_else(|| crate::ssr::internal("no cart"))?;
    domain::workflows::move_to_cart::move_to_cart(&services.db, list, cart, product).await?;
    crate::ssr::redirect("/wishlist?moved=1");
    Ok(())
}
