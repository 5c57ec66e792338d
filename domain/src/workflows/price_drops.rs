//! A save lowered a price, and the product on someone's wishlist now costs less than at any time in the 30 days
//! before (catalog's price history, the rule of the "was" price): each account keeping it that wants such mail is
//! told (wishlist, notifications), in the save's transaction. A save that lowered nothing mails nobody, whatever
//! sale is running; one mail per account, variant and new price.

use model::catalog::Money;
use model::notifications::Topic;
use model::product_form::ProductStatus;
use sqlx::AnyConnection;

use crate::catalog::prices;
use crate::notifications::{self, templates};
use crate::platform::clock::now_ms;

#[derive(sqlx::FromRow)]
struct Keeper {
    user_id: i64,
    email: String,
}

#[derive(sqlx::FromRow)]
struct PricedVariant {
    id: i64,
    price: i64,
    currency: String,
}

#[derive(sqlx::FromRow)]
struct Product {
    title: String,
    slug: String,
    status: String,
}

/// Queues the price-drop mail for product `product_id` after a save that changed its prices from `before`.
pub async fn tell(conn: &mut AnyConnection, product_id: i64, before: &[(i64, i64)]) -> Result<(), sqlx::Error> {
    if before.is_empty() {
        return Ok(());
    }
    // Most products are on nobody's list: one indexed read, and nothing more for them.
    let keepers: Vec<Keeper> = sqlx::query_as(
        "SELECT w.user_id AS user_id, u.email AS email FROM wishlist_items i JOIN wishlists w ON w.id = i.wishlist_id \
         JOIN users u ON u.id = w.user_id WHERE i.product_id = $1 AND u.disabled_at IS NULL ORDER BY w.user_id",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?;
    if keepers.is_empty() {
        return Ok(());
    }
    let was = prices::was_prices_in(conn, product_id).await?;
    if was.is_empty() {
        return Ok(());
    }
    let variants: Vec<PricedVariant> =
        sqlx::query_as("SELECT id, price, currency FROM variants WHERE product_id = $1 ORDER BY price, id")
            .bind(product_id)
            .fetch_all(&mut *conn)
            .await?;
    let lowered = |v: &PricedVariant| before.iter().any(|(id, price)| *id == v.id && *price > v.price);
    // The cheapest variant this save lowered below the 30 days' lowest: the price a shopper would pay now.
    let Some((variant, lowest_before)) = variants
        .iter()
        .filter(|v| lowered(v))
        .find_map(|v| was.get(&v.id).map(|w| (v, *w)))
    else {
        return Ok(());
    };
    // Only a product shoppers can buy now: active, and its store sells.
    let product: Option<Product> = sqlx::query_as(&format!(
        "SELECT p.title, p.slug, p.status FROM products p WHERE p.id = $1 AND {}",
        crate::catalog::STORE_SELLS
    ))
    .bind(product_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(product) = product.filter(|p| ProductStatus::parse(&p.status) == Some(ProductStatus::Active)) else {
        return Ok(());
    };
    let now = Money::new(variant.price, variant.currency.as_str());
    let before = Money::new(lowest_before, variant.currency.as_str());
    let link = format!("/p/{}", product.slug);
    for keeper in keepers {
        let mail = templates::price_drop(&keeper.email, &product.title, &now, &before, &link);
        let key = format!("price-drop:{}:{}:{}", keeper.user_id, variant.id, variant.price);
        notifications::enqueue_optional(conn, &key, &mail, keeper.user_id, Topic::PriceDrops, now_ms()).await?;
    }
    Ok(())
}
