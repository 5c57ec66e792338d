//! What a shopper might look at next (issue 22, decision 0044): "Customers also bought" from co-purchase counts of
//! paid orders (`also_bought`, owning `co_purchases` and `co_purchase_groups`), "Similar items" from the category,
//! attributes and price (`similar`), and the product ids of "Recently viewed", which the browser keeps
//! (`recent`). Product pages show them cached with the page; the cart page for its products.

pub mod also_bought;
pub mod cache;
pub mod recent;
pub mod similar;

use model::catalog::{Discovery, ProductCard};

use crate::catalog::{cards_by_ids, CatalogError};
use crate::Db;

/// Cards in each of the two rows.
pub const SHOWN: usize = 4;

/// The two rows of a product page, read afresh (pages read them through [`cache::RowsCache`]).
pub async fn for_product(db: &Db, product: i64) -> Result<Discovery, CatalogError> {
    Ok(rows(db, &[product]).await?.0)
}

/// The two rows of a cart page: bought with anything in the cart, like its newest line's product; nothing in
/// the cart is offered again.
pub async fn for_cart(db: &Db, cart_id: i64) -> Result<Discovery, CatalogError> {
    let products: Vec<i64> = sqlx::query_scalar(
        "SELECT v.product_id FROM cart_lines l JOIN variants v ON v.id = l.variant_id WHERE l.cart_id = $1 \
         ORDER BY l.added_at DESC, l.variant_id DESC LIMIT 50",
    )
    .bind(cart_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows(db, &products).await?.0)
}

/// `products` first is the one similar items are like. Sold-out and unpublished products are left out; one read
/// of the cards serves both rows, and a product is in at most one of them. With the rows, every candidate they
/// were picked from: a change to any of them (back in stock, say) may change the rows.
async fn rows(db: &Db, products: &[i64]) -> Result<(Discovery, Vec<i64>), CatalogError> {
    let Some(&first) = products.first() else {
        return Ok((Discovery::default(), Vec::new()));
    };
    // Three times what is shown, so products no longer on sale still leave a full row.
    let partners = also_bought::partners(db, products, 3 * SHOWN).await?;
    let mut exclude = products.to_vec();
    exclude.extend(&partners);
    let similar = similar::like(db, first, &exclude, 3 * SHOWN).await?;
    let ids: Vec<i64> = partners.iter().chain(&similar).copied().collect();
    let cards = cards_by_ids(db, &ids).await?;
    let pick = |wanted: &[i64]| -> Vec<ProductCard> {
        cards
            .iter()
            .filter(|c| c.in_stock && wanted.contains(&c.id))
            .take(SHOWN)
            .cloned()
            .collect()
    };
    let rows = Discovery {
        also_bought: pick(&partners),
        similar: pick(&similar),
    };
    Ok((rows, ids))
}
