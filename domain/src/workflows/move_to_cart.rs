//! "Move to cart" on the wishlist: the product's only variant into the cart (cart), then off the list
//! (wishlist). Not one transaction: the cart's add is its own (stock checked, the line written); a list that
//! still shows a product after a failure in between is harmless, and the next "Move to cart" adds nothing more
//! than the stock allows.

use crate::cart::{self, CartError};
use crate::platform::Db;
use crate::wishlist::{self, WishlistError};

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error(transparent)]
    Cart(#[from] CartError),
    #[error(transparent)]
    Wishlist(#[from] WishlistError),
}

impl From<MoveError> for crate::platform::Problem {
    fn from(err: MoveError) -> Self {
        match err {
            MoveError::Cart(e) => e.into(),
            MoveError::Wishlist(e) => e.into(),
        }
    }
}

/// Moves product `product_id` of list `list` into cart `cart_id` (one unit); the cart's item count.
pub async fn move_to_cart(db: &Db, list: i64, cart_id: i64, product_id: i64) -> Result<i64, MoveError> {
    let variant = wishlist::movable_variant(db, list, product_id).await?;
    let count = cart::add(db, cart_id, variant, 1).await?;
    wishlist::remove(db, list, product_id).await?;
    Ok(count)
}
