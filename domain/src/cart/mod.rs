//! The cart context (owns `carts` and `cart_lines`). A guest's cart id lives in its session (persisted by the session store, so the cart survives server
//! restarts); a signed-in shopper has one cart, into which the guest cart is merged at sign-in. The cart id
//! always comes from the server side (session or user), never from the client, so one visitor cannot touch
//! another's cart. Prices shown come from the database; the cart only remembers the price at add time to say
//! when it moved.

use model::cart::{CartLineView, CartView, SellerGroupView, MAX_QUANTITY};
use model::catalog::Money;
use model::FieldError;
use sqlx::Row;

use crate::catalog::{parse_options, product_image_url};
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{Actor, Db};

#[derive(Debug, thiserror::Error)]
pub enum CartError {
    #[error("invalid cart change")]
    Invalid(Vec<FieldError>),
    /// The variant does not exist or its product is not for sale.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn quantity_error(message: impl Into<String>) -> CartError {
    CartError::Invalid(vec![FieldError::new("quantity", message)])
}

/// A new guest cart; its id goes into the visitor's session.
pub async fn create_guest_cart(db: &Db) -> Result<i64, CartError> {
    let id = next_id();
    let now = now_ms();
    db.write_one(
        sqlx::query("INSERT INTO carts (id, user_id, created_at, updated_at) VALUES ($1, NULL, $2, $2)")
            .bind(id)
            .bind(now),
    )
    .await?;
    Ok(id)
}

/// The user's cart, created on first use.
pub async fn user_cart(db: &Db, user_id: i64) -> Result<i64, CartError> {
    let find = || sqlx::query_scalar::<_, i64>("SELECT id FROM carts WHERE user_id = $1").bind(user_id);
    if let Some(id) = find().fetch_optional(db.pool()).await? {
        return Ok(id);
    }
    let now = now_ms();
    let created = db
        .write_one(
            sqlx::query("INSERT INTO carts (id, user_id, created_at, updated_at) VALUES ($1, $2, $3, $3)")
                .bind(next_id())
                .bind(user_id)
                .bind(now),
        )
        .await;
    match created {
        Ok(_) => {}
        // Two first requests at once: the other one made it.
        Err(e) if crate::platform::db::is_unique_violation(&e) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(find().fetch_one(db.pool()).await?)
}

/// Today's price and the units a shopper may buy of a variant that is for sale.
async fn sellable(conn: &mut sqlx::AnyConnection, variant_id: i64) -> Result<(i64, i64), CartError> {
    let row = sqlx::query(&format!(
        "SELECT v.price, (SELECT CAST(COALESCE(SUM(st.available), 0) AS BIGINT) FROM stock st WHERE st.variant_id = v.id) \
         AS stock_available, v.keep_selling FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE v.id = $1 AND p.status = 'active' AND {}",
        crate::catalog::STORE_SELLS
    ))
    .bind(variant_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CartError::NotFound)?;
    let units = model::cart::sellable_units(
        row.try_get("stock_available")?,
        row.try_get::<i64, _>("keep_selling")? == 1,
    );
    Ok((row.try_get("price")?, units))
}

/// Checks a line's total quantity against the limits and the stock, with messages a shopper can act on.
fn check_quantity(total: i64, already: i64, available: i64) -> Result<(), CartError> {
    if total < 1 {
        return Err(quantity_error("Choose a quantity of at least 1."));
    }
    // Stock first: "only 3 left" is what a shopper can act on, more than the per-line limit.
    if available <= 0 {
        return Err(quantity_error("Sorry, this item is sold out."));
    }
    if total > available {
        let message = if already > 0 {
            format!("Only {available} left, and {already} are already in your cart.")
        } else {
            format!("Only {available} left.")
        };
        return Err(quantity_error(message));
    }
    if total > MAX_QUANTITY {
        return Err(quantity_error(format!("At most {MAX_QUANTITY} of one item per order.")));
    }
    Ok(())
}

async fn write_line(
    conn: &mut sqlx::AnyConnection,
    cart_id: i64,
    variant_id: i64,
    quantity: i64,
    price: i64,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    // The same upsert on both databases; the line keeps its place (added_at) when its quantity changes.
    sqlx::query(
        "INSERT INTO cart_lines (cart_id, variant_id, quantity, price_at_add, added_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = excluded.quantity, price_at_add = excluded.price_at_add",
    )
    .bind(cart_id)
    .bind(variant_id)
    .bind(quantity)
    .bind(price)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE carts SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(cart_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn line_quantity(conn: &mut sqlx::AnyConnection, cart_id: i64, variant_id: i64) -> Result<i64, sqlx::Error> {
    Ok(
        sqlx::query_scalar("SELECT quantity FROM cart_lines WHERE cart_id = $1 AND variant_id = $2")
            .bind(cart_id)
            .bind(variant_id)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(0),
    )
}

/// Adds `quantity` of a variant (to a line already holding some, if any). Returns the cart's item count.
pub async fn add(db: &Db, cart_id: i64, variant_id: i64, quantity: i64) -> Result<i64, CartError> {
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(quantity_error(format!("Choose a quantity from 1 to {MAX_QUANTITY}.")));
    }
    let mut tx = db.begin_write().await?;
    let (price, available) = sellable(&mut tx, variant_id).await?;
    let already = line_quantity(&mut tx, cart_id, variant_id).await?;
    check_quantity(already + quantity, already, available)?;
    write_line(&mut tx, cart_id, variant_id, already + quantity, price).await?;
    let count = count_in(&mut tx, cart_id).await?;
    tx.commit().await?;
    Ok(count)
}

/// Sets a line's quantity; 0 removes the line. Returns the cart's item count.
pub async fn set_quantity(db: &Db, cart_id: i64, variant_id: i64, quantity: i64) -> Result<i64, CartError> {
    if quantity == 0 {
        return remove(db, cart_id, variant_id).await;
    }
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(quantity_error(format!("Choose a quantity from 1 to {MAX_QUANTITY}.")));
    }
    let mut tx = db.begin_write().await?;
    if line_quantity(&mut tx, cart_id, variant_id).await? == 0 {
        return Err(CartError::NotFound);
    }
    let (price, available) = sellable(&mut tx, variant_id).await?;
    check_quantity(quantity, 0, available)?;
    write_line(&mut tx, cart_id, variant_id, quantity, price).await?;
    let count = count_in(&mut tx, cart_id).await?;
    tx.commit().await?;
    Ok(count)
}

/// Removes a line (no error when it is already gone: a second click on "Remove" is harmless).
pub async fn remove(db: &Db, cart_id: i64, variant_id: i64) -> Result<i64, CartError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id = $2")
        .bind(cart_id)
        .bind(variant_id)
        .execute(&mut *tx)
        .await?;
    let count = count_in(&mut tx, cart_id).await?;
    tx.commit().await?;
    Ok(count)
}

async fn count_in(conn: &mut sqlx::AnyConnection, cart_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM cart_lines WHERE cart_id = $1")
        .bind(cart_id)
        .fetch_one(&mut *conn)
        .await
}

/// Units in the cart (the header's count).
pub async fn item_count(db: &Db, cart_id: i64) -> Result<i64, CartError> {
    let mut conn = db.pool().acquire().await?;
    Ok(count_in(&mut conn, cart_id).await?)
}

/// Moves a guest cart's lines into the user's cart at sign-in: quantities are added, capped at the stock and
/// at the per-line limit; the guest cart is deleted. Returns the user's cart id.
pub async fn merge_into_user(db: &Db, guest_cart_id: i64, user_id: i64) -> Result<i64, CartError> {
    let target = user_cart(db, user_id).await?;
    if target == guest_cart_id {
        return Ok(target);
    }
    let mut tx = db.begin_write().await?;
    let guest_lines: Vec<(i64, i64)> =
        sqlx::query_as("SELECT variant_id, quantity FROM cart_lines WHERE cart_id = $1 ORDER BY added_at")
            .bind(guest_cart_id)
            .fetch_all(&mut *tx)
            .await?;
    for (variant_id, quantity) in guest_lines {
        let (price, available) = match sellable(&mut tx, variant_id).await {
            Ok(found) => found,
            // No longer for sale: nothing to carry over.
            Err(CartError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let already = line_quantity(&mut tx, target, variant_id).await?;
        let merged = (already + quantity).min(MAX_QUANTITY).min(available.max(already));
        if merged > 0 {
            write_line(&mut tx, target, variant_id, merged, price).await?;
        }
    }
    sqlx::query("DELETE FROM carts WHERE id = $1 AND user_id IS NULL")
        .bind(guest_cart_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(target)
}

/// The cart grouped by seller (in the order the sellers' first lines were added), with today's prices. A line's
/// `available` counts the units this cart's own unpaid order holds (a declined card leaves one): the shopper's
/// own hold never makes their cart read "sold out", and placing the order again releases it.
pub async fn view(db: &Db, cart_id: i64) -> Result<CartView, CartError> {
    let rows = sqlx::query(
        "SELECT l.variant_id, l.quantity, l.price_at_add, v.price, v.currency, v.sku, v.options, \
         p.id AS product_id, p.slug AS product_slug, p.title AS product_title, s.store_name, s.slug AS seller_slug, \
         s.id AS seller_id, \
         (SELECT CAST(COALESCE(SUM(st.available), 0) AS BIGINT) FROM stock st WHERE st.variant_id = v.id) \
         + (SELECT CAST(COALESCE(SUM(r.quantity), 0) AS BIGINT) FROM reservations r \
            JOIN order_groups g ON g.id = r.group_id \
            WHERE r.variant_id = v.id AND r.state = 'held' AND g.cart_id = l.cart_id AND g.status = 'pending_payment') \
         AS stock_available, v.keep_selling, \
         (SELECT image_key FROM product_images i WHERE i.product_id = p.id AND i.position = 0) AS first_image_key, \
         CASE WHEN p.status = 'active' AND s.status = 'active' THEN 1 ELSE 0 END AS on_sale \
         FROM cart_lines l JOIN variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id \
         JOIN sellers s ON s.id = p.seller_id WHERE l.cart_id = $1 ORDER BY l.added_at, l.variant_id",
    )
    .bind(cart_id)
    .fetch_all(db.pool())
    .await?;
    let mut cart = CartView::default();
    let mut total: Option<Money> = None;
    for row in rows {
        let quantity: i64 = row.try_get("quantity")?;
        let price_at_add: i64 = row.try_get("price_at_add")?;
        let price: i64 = row.try_get("price")?;
        let currency: String = row.try_get("currency")?;
        let product_id: i64 = row.try_get("product_id")?;
        let options: String = row.try_get("options")?;
        let image: Option<String> = row.try_get("first_image_key")?;
        let line = CartLineView {
            variant_id: row.try_get("variant_id")?,
            product_title: row.try_get("product_title")?,
            product_url: format!("/p/{}", row.try_get::<String, _>("product_slug")?),
            variant_label: parse_options(&options)
                .into_iter()
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
                .join(" / "),
            sku: row.try_get("sku")?,
            image_url: product_image_url(product_id, image.as_deref(), 160),
            quantity,
            unit_price: Money::new(price, currency.clone()),
            price_was: (price_at_add != price).then(|| Money::new(price_at_add, currency.clone())),
            available: model::cart::sellable_units(
                row.try_get("stock_available")?,
                row.try_get::<i64, _>("keep_selling")? == 1,
            ),
            line_total: Money::new(price * quantity, currency.clone()),
            on_sale: row.try_get::<i64, _>("on_sale")? == 1,
        };
        let seller_slug: String = row.try_get("seller_slug")?;
        let seller_url = format!("/store/{seller_slug}");
        cart.item_count += quantity;
        total = Some(match total {
            Some(t) => Money::new(t.amount + price * quantity, t.currency),
            None => Money::new(price * quantity, currency.clone()),
        });
        match cart.groups.iter_mut().find(|g| g.seller_url == seller_url) {
            Some(group) => {
                group.subtotal.amount += line.line_total.amount;
                group.lines.push(line);
            }
            None => cart.groups.push(SellerGroupView {
                seller_id: row.try_get("seller_id")?,
                seller_name: row.try_get("store_name")?,
                seller_url,
                subtotal: line.line_total.clone(),
                lines: vec![line],
            }),
        }
    }
    cart.total = total;
    Ok(cart)
}

/// Tells every cart holding `variant` of `product` that it is taken out (its seller stops selling it), in
/// `conn`'s transaction; the caller then deletes the variant, and its cart lines with it. A variant of another
/// product (a crafted form) tells nobody anything.
pub(crate) async fn tell_variant_gone(
    conn: &mut sqlx::AnyConnection,
    product: i64,
    variant: i64,
) -> Result<(), sqlx::Error> {
    let carts: Vec<i64> = sqlx::query_scalar(
        "SELECT l.cart_id FROM cart_lines l JOIN variants v ON v.id = l.variant_id \
         WHERE l.variant_id = $1 AND v.product_id = $2",
    )
    .bind(variant)
    .bind(product)
    .fetch_all(&mut *conn)
    .await?;
    if carts.is_empty() {
        return Ok(());
    }
    let named: GoneVariant = sqlx::query_as(
        "SELECT p.title AS product_title, v.options FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE v.id = $1",
    )
    .bind(variant)
    .fetch_one(&mut *conn)
    .await?;
    let label = parse_options(&named.options)
        .into_iter()
        .map(|(_, v)| v)
        .collect::<Vec<_>>()
        .join(" / ");
    let what = if label.is_empty() {
        named.product_title
    } else {
        format!("{} ({label})", named.product_title)
    };
    let message = format!("{what} is no longer sold by its store, so it was taken out of your cart.");
    for cart in carts {
        sqlx::query("INSERT INTO cart_notices (id, cart_id, message, created_at) VALUES ($1, $2, $3, $4)")
            .bind(next_id())
            .bind(cart)
            .bind(&message)
            .bind(now_ms())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A variant about to go, as a cart notice names it.
#[derive(sqlx::FromRow)]
struct GoneVariant {
    product_title: String,
    options: String,
}

/// The notices of cart `id` not shown yet, oldest first; they are shown once, so reading them deletes them.
pub async fn take_notices(db: &Db, cart_id: i64) -> Result<Vec<String>, CartError> {
    let notices: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, message FROM cart_notices WHERE cart_id = $1 ORDER BY created_at, id")
            .bind(cart_id)
            .fetch_all(db.pool())
            .await?;
    if notices.is_empty() {
        return Ok(Vec::new());
    }
    // Exactly the notices read: one written meanwhile is shown next time, not deleted unseen.
    let ids = notices
        .iter()
        .map(|(id, _)| id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    db.write_one(sqlx::query(&format!("DELETE FROM cart_notices WHERE id IN ({ids})")))
        .await?;
    Ok(notices.into_iter().map(|(_, message)| message).collect())
}

/// Whether cart `id` exists and belongs to `user_id` (`None`: a guest cart). A session may remember a cart that
/// was merged away or belongs to an account that signed out.
pub async fn belongs_to(db: &Db, id: i64, user_id: Option<i64>) -> Result<bool, CartError> {
    let owner: Option<Option<i64>> = sqlx::query_scalar("SELECT user_id FROM carts WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(owner == Some(user_id))
}

/// Which cart a session's visitor uses. `remembered` is the cart id the session holds; the answer says which
/// cart to use and whether the session must remember another id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCart {
    pub id: Option<i64>,
    /// The id the session must hold from now on, when it changed.
    pub remember: Option<i64>,
}

/// The rule that ties carts to sessions: a signed-in shopper always uses their account's cart (made on first
/// use); a visitor uses the guest cart their session remembers if it is still a guest cart, or, with `create`, a
/// new one. A cart id the session remembers from another account, or one merged away, is never used.
pub async fn for_session(
    db: &Db,
    actor: &Actor,
    remembered: Option<i64>,
    create: bool,
) -> Result<SessionCart, CartError> {
    if let Some(user_id) = actor.user_id() {
        let id = match remembered {
            Some(id) if belongs_to(db, id, Some(user_id)).await? => id,
            _ => user_cart(db, user_id).await?,
        };
        return Ok(SessionCart {
            id: Some(id),
            remember: (remembered != Some(id)).then_some(id),
        });
    }
    if let Some(id) = remembered {
        if belongs_to(db, id, None).await? {
            return Ok(SessionCart {
                id: Some(id),
                remember: None,
            });
        }
    }
    if !create {
        return Ok(SessionCart {
            id: None,
            remember: None,
        });
    }
    let id = create_guest_cart(db).await?;
    Ok(SessionCart {
        id: Some(id),
        remember: Some(id),
    })
}

/// At sign-in: the session's guest cart (if it still is one) joins the account's cart, which becomes the
/// session's cart. Returns the account's cart id.
pub async fn adopt_at_sign_in(db: &Db, remembered: Option<i64>, user_id: i64) -> Result<i64, CartError> {
    match remembered {
        Some(guest) if belongs_to(db, guest, None).await? => merge_into_user(db, guest, user_id).await,
        _ => user_cart(db, user_id).await,
    }
}

/// The lines a paid order bought leave the cart it was placed from (inside the settling transaction).
pub async fn remove_bought(
    conn: &mut sqlx::AnyConnection,
    cart_id: i64,
    variant_ids: &[i64],
) -> Result<(), sqlx::Error> {
    if variant_ids.is_empty() {
        return Ok(());
    }
    // One statement whatever the number of lines; the placeholders are numbered by us, the values bound.
    let placeholders = (2..variant_ids.len() + 2)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id IN ({placeholders})");
    let mut query = sqlx::query(&sql).bind(cart_id);
    for variant_id in variant_ids {
        query = query.bind(*variant_id);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Parses a cart form's variant id and quantity as typed, with messages for the fields.
pub fn parse_line(variant: &str, quantity: &str) -> Result<(i64, i64), CartError> {
    let variant = variant
        .trim()
        .parse::<i64>()
        .map_err(|_| CartError::Invalid(vec![FieldError::new("variant", "Choose an option first.")]))?;
    let quantity = quantity
        .trim()
        .parse::<i64>()
        .map_err(|_| quantity_error("Enter the quantity as a whole number."))?;
    Ok((variant, quantity))
}

impl From<CartError> for crate::platform::Problem {
    fn from(err: CartError) -> Self {
        use crate::platform::Problem;
        match err {
            CartError::Invalid(fields) => Problem::Invalid(fields),
            CartError::NotFound => {
                Problem::Invalid(vec![FieldError::new("variant", "This item is no longer available.")])
            }
            CartError::Db(e) => e.into(),
        }
    }
}

/// Deletes the account's carts and their lines (an erasure), in the caller's transaction.
pub async fn forget(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM cart_notices WHERE cart_id IN (SELECT id FROM carts WHERE user_id = $1)")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM cart_lines WHERE cart_id IN (SELECT id FROM carts WHERE user_id = $1)")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM carts WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
