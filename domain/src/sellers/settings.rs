//! The store's settings, as its seller keeps them: profile and policies, warehouses. Every function acts on the
//! actor's own store (shipping rates, which checkout owns, are in `checkout::rates`).

use model::sellers::{ApplicationForm, StockPolicy, StoreProfileForm, StoreSettings, WarehouseView};
use model::FieldError;

use super::applications::validate;
use super::SellerError;
use crate::platform::clock::now_ms;
use crate::platform::ids::next_id;
use crate::platform::{zones, Actor, Db};

pub const WAREHOUSE_NAME_MAX: usize = 60;

/// A warehouse of the store with the units it holds (on hand and held for orders).
#[derive(sqlx::FromRow)]
struct WarehouseRow {
    id: i64,
    name: String,
    country: String,
    units: i64,
}

/// The settings screen's data; `kept` is the profile as typed when a save was refused.
pub async fn settings(db: &Db, actor: &Actor, kept: Option<StoreProfileForm>) -> Result<StoreSettings, SellerError> {
    let store = actor.own_store()?;
    #[derive(sqlx::FromRow)]
    struct Row {
        store_name: String,
        slug: String,
        description: String,
        support_email: String,
        country: String,
        return_days: i64,
        return_policy: String,
        low_stock_default: i64,
        handling_days: i64,
        logo_key: Option<String>,
        default_warehouse_id: Option<i64>,
        backorders: i64,
        strict_import_skus: i64,
        accept_orders: i64,
        time_zone: String,
    }
    let row: Row = sqlx::query_as(
        "SELECT store_name, slug, description, support_email, country, return_days, return_policy, \
         low_stock_default, handling_days, logo_key, default_warehouse_id, backorders, strict_import_skus, \
         accept_orders, time_zone FROM sellers WHERE id = $1",
    )
    .bind(store)
    .fetch_optional(db.pool())
    .await?
    .ok_or(SellerError::NotFound)?;
    let warehouses: Vec<WarehouseRow> = sqlx::query_as(
        "SELECT w.id, w.name, w.country, CAST(COALESCE((SELECT SUM(st.available) FROM stock st \
         WHERE st.warehouse_id = w.id), 0) + COALESCE((SELECT SUM(r.quantity) FROM reservations r \
         WHERE r.warehouse_id = w.id AND r.state = 'held'), 0) AS BIGINT) \
         AS units FROM warehouses w WHERE w.seller_id = $1 ORDER BY w.created_at, w.id",
    )
    .bind(store)
    .fetch_all(db.pool())
    .await?;
    let profile = kept.unwrap_or(StoreProfileForm {
        store_name: row.store_name.clone(),
        description: row.description,
        support_email: row.support_email,
        return_days: row.return_days.to_string(),
        return_policy: row.return_policy,
        low_stock_default: row.low_stock_default.to_string(),
        handling_days: row.handling_days.to_string(),
        time_zone: row.time_zone,
    });
    let stock_policy = StockPolicy {
        default_warehouse: row
            .default_warehouse_id
            .or_else(|| warehouses.first().map(|w| w.id))
            .unwrap_or_default(),
        backorders: row.backorders == 1,
        strict_import_skus: row.strict_import_skus == 1,
    };
    Ok(StoreSettings {
        store_name: row.store_name,
        slug: row.slug,
        country: row.country,
        profile,
        warehouses: warehouses
            .into_iter()
            .map(|w| WarehouseView {
                id: w.id,
                name: w.name,
                country: w.country,
                units: w.units,
            })
            .collect(),
        rates: crate::checkout::rates::list(db, store).await?,
        logo_url: row.logo_key.map(|k| crate::catalog::images::thumb_url(&k, 160)),
        logo_refused: None,
        stock_policy,
        accept_orders: row.accept_orders == 1,
        time_zones: zones::names().to_vec(),
    })
}

/// Writes the store's stock policy in the caller's transaction (`workflows::stock_policy`). Answers whether
/// backorders are off, so the caller makes sure no variant sells beyond stock (a save or import that read the
/// setting before it changed may have set one since). The warehouse must be the store's.
pub(crate) async fn write_stock_policy(
    conn: &mut sqlx::AnyConnection,
    store: i64,
    policy: &StockPolicy,
) -> Result<bool, SellerError> {
    let owned: Option<i64> = sqlx::query_scalar("SELECT id FROM warehouses WHERE id = $1 AND seller_id = $2")
        .bind(policy.default_warehouse)
        .bind(store)
        .fetch_optional(&mut *conn)
        .await?;
    if owned.is_none() {
        return Err(SellerError::Invalid(vec![FieldError::new(
            "default_warehouse",
            "Choose one of your warehouses.",
        )]));
    }
    sqlx::query("UPDATE sellers SET default_warehouse_id = $1, backorders = $2, strict_import_skus = $3 WHERE id = $4")
        .bind(policy.default_warehouse)
        .bind(i64::from(policy.backorders))
        .bind(i64::from(policy.strict_import_skus))
        .bind(store)
        .execute(&mut *conn)
        .await?;
    Ok(!policy.backorders)
}

/// The whole number typed, if it is one within `range`.
fn whole_in(typed: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    typed.trim().parse::<i64>().ok().filter(|n| range.contains(n))
}

/// Saves the profile and policies. The store's address and country stay as approved; the same rules as the
/// application check every field.
pub async fn update_profile(db: &Db, actor: &Actor, form: &StoreProfileForm) -> Result<(), SellerError> {
    let store = actor.own_store()?;
    let (slug, country): (String, String) = sqlx::query_as("SELECT slug, country FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_optional(db.pool())
        .await?
        .ok_or(SellerError::NotFound)?;
    let as_application = ApplicationForm {
        store_name: form.store_name.clone(),
        slug,
        description: form.description.clone(),
        support_email: form.support_email.clone(),
        country,
        return_days: form.return_days.clone(),
        return_policy: form.return_policy.clone(),
    };
    let mut errors = Vec::new();
    let valid = validate(&as_application).map_err(|e| errors.extend(e)).ok();
    let threshold = whole_in(&form.low_stock_default, 0..=100_000);
    if threshold.is_none() {
        errors.push(FieldError::new(
            "low_stock_default",
            "Enter a whole number of units from 0 to 100000.",
        ));
    }
    let handling_days = whole_in(&form.handling_days, 0..=30);
    if handling_days.is_none() {
        errors.push(FieldError::new(
            "handling_days",
            "Enter a whole number of business days from 0 to 30.",
        ));
    }
    let time_zone = zones::known(&form.time_zone);
    if time_zone.is_none() {
        errors.push(FieldError::new("time_zone", "Choose a time zone from the list."));
    }
    let (Some(valid), Some(threshold), Some(handling_days), Some(time_zone)) =
        (valid, threshold, handling_days, time_zone)
    else {
        return Err(SellerError::Invalid(errors));
    };
    let mut tx = db.begin_write().await?;
    // The zone as it is under the store's row (another save may have changed it since the form was read).
    let zone_before: String =
        sqlx::query_scalar("UPDATE sellers SET time_zone = time_zone WHERE id = $1 RETURNING time_zone")
            .bind(store)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "UPDATE sellers SET store_name = $1, description = $2, support_email = $3, return_days = $4, \
         return_policy = $5, low_stock_default = $6, handling_days = $7, time_zone = $8 WHERE id = $9",
    )
    .bind(&valid.store_name)
    .bind(&valid.description)
    .bind(&valid.support_email)
    .bind(valid.return_days)
    .bind(&valid.return_policy)
    .bind(threshold)
    .bind(handling_days)
    .bind(time_zone)
    .bind(store)
    .execute(&mut *tx)
    .await?;
    if time_zone != zone_before {
        crate::money::ledger::recount_days(&mut tx, store, time_zone).await?;
    }
    store_changed(&mut tx, store).await?;
    tx.commit().await?;
    Ok(())
}

/// The store's name and logo are on its page, every product card and in search: re-index its products, which
/// also drops the cached pages that show them.
pub(super) async fn store_changed(conn: &mut sqlx::AnyConnection, store: i64) -> Result<(), sqlx::Error> {
    let products: Vec<i64> = sqlx::query_scalar("SELECT id FROM products WHERE seller_id = $1")
        .bind(store)
        .fetch_all(&mut *conn)
        .await?;
    for product in products {
        crate::platform::outbox::product_changed(&mut *conn, product).await?;
    }
    Ok(())
}

fn warehouse_name(raw: &str) -> Result<String, SellerError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > WAREHOUSE_NAME_MAX || name.chars().any(char::is_control) {
        return Err(SellerError::Invalid(vec![FieldError::new(
            "name",
            format!("Name the warehouse in 1 to {WAREHOUSE_NAME_MAX} characters."),
        )]));
    }
    Ok(name.to_string())
}

pub async fn add_warehouse(db: &Db, actor: &Actor, name: &str, country: &str) -> Result<i64, SellerError> {
    let store = actor.own_store()?;
    let name = warehouse_name(name)?;
    let country = country.trim().to_uppercase();
    if !model::orders::COUNTRIES.iter().any(|(c, _)| *c == country) {
        return Err(SellerError::Invalid(vec![FieldError::new(
            "country",
            "Choose the warehouse's country.",
        )]));
    }
    let id = next_id();
    db.write_one(
        sqlx::query("INSERT INTO warehouses (id, seller_id, name, country, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(store)
            .bind(&name)
            .bind(&country)
            .bind(now_ms()),
    )
    .await
    .map_err(|e| name_taken(e, &name))?;
    Ok(id)
}

/// Warehouse names are unique in a store whatever their case (an import's stock column names one): the
/// schema's refusal, as the form's message.
fn name_taken(e: sqlx::Error, name: &str) -> SellerError {
    if crate::platform::is_unique_violation(&e) {
        SellerError::Invalid(vec![FieldError::new(
            "name",
            format!("Your store already has a warehouse named “{name}”; choose another name."),
        )])
    } else {
        e.into()
    }
}

pub async fn rename_warehouse(db: &Db, actor: &Actor, id: i64, name: &str) -> Result<(), SellerError> {
    let store = actor.own_store()?;
    let name = warehouse_name(name)?;
    let done = db
        .write_one(
            sqlx::query("UPDATE warehouses SET name = $1 WHERE id = $2 AND seller_id = $3")
                .bind(&name)
                .bind(id)
                .bind(store),
        )
        .await
        .map_err(|e| name_taken(e, &name))?;
    if done.rows_affected() == 0 {
        return Err(SellerError::NotFound);
    }
    Ok(())
}

/// Removes an empty warehouse. One holding stock (or units held for orders) stays, and so does the last one.
pub async fn remove_warehouse(db: &Db, actor: &Actor, id: i64) -> Result<(), SellerError> {
    let store = actor.own_store()?;
    let mut tx = db.begin_write().await?;
    let found: Option<(String, i64, i64)> = sqlx::query_as(
        "SELECT w.name, CAST(COALESCE((SELECT SUM(st.available) FROM stock st WHERE st.warehouse_id = w.id \
         AND st.available > 0), 0) \
         + COALESCE((SELECT SUM(r.quantity) FROM reservations r WHERE r.warehouse_id = w.id AND r.state = 'held'), 0) \
         AS BIGINT), (SELECT COUNT(*) FROM stock st WHERE st.warehouse_id = w.id AND st.available < 0) \
         FROM warehouses w WHERE w.id = $1 AND w.seller_id = $2",
    )
    .bind(id)
    .bind(store)
    .fetch_optional(&mut *tx)
    .await?;
    let (name, units, owing) = found.ok_or(SellerError::NotFound)?;
    // Units sold beyond stock (backorders) are owed from there: removing it would forget them.
    if owing > 0 {
        return Err(SellerError::Conflict(format!(
            "{name} owes units sold beyond its stock; receive or count them on the stock screen before removing it."
        )));
    }
    if units > 0 {
        return Err(SellerError::Conflict(format!(
            "{name} holds {}; count them to 0 on the stock screen before removing it.",
            model::count_of(units, "unit", "units")
        )));
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM warehouses WHERE seller_id = $1")
        .bind(store)
        .fetch_one(&mut *tx)
        .await?;
    if count <= 1 {
        return Err(SellerError::Conflict(
            "A store needs at least one warehouse: add another first.".into(),
        ));
    }
    // Empty stock rows go with it (the table's cascade); its movements keep its name.
    crate::inventory::movements::remember_warehouse(&mut tx, id).await?;
    sqlx::query("DELETE FROM warehouses WHERE id = $1 AND seller_id = $2")
        .bind(id)
        .bind(store)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the store's logo from an uploaded picture: checked, decoded and re-encoded by the image store (metadata
/// dropped, a decompression bomb refused) like a product picture. A picture that cannot be one is refused with
/// why, as a field error of `logo`.
pub async fn set_logo(
    db: &Db,
    images: &dyn crate::catalog::images::ImageStore,
    actor: &Actor,
    bytes: Vec<u8>,
) -> Result<(), SellerError> {
    let store = actor.own_store()?;
    if bytes.is_empty() {
        return Err(SellerError::Invalid(vec![FieldError::new(
            "logo",
            "Choose a picture for the logo (JPEG, PNG or WebP).",
        )]));
    }
    // From storing the files to committing the key, the sweep of removed pictures waits.
    let _turn = crate::catalog::removed_images::upload_turn().await;
    let image = match images.put(bytes).await {
        Ok(image) => image,
        Err(crate::catalog::images::ImageError::Io(e)) => {
            tracing::error!(error = %e, "the image store could not keep a logo");
            return Err(SellerError::Conflict(
                "The logo could not be stored; please try again.".into(),
            ));
        }
        Err(e) => return Err(SellerError::Invalid(vec![FieldError::new("logo", e.to_string())])),
    };
    let mut tx = db.begin_write().await?;
    let old = logo_of(&mut tx, store).await?.filter(|old| *old != image.key);
    sqlx::query("UPDATE sellers SET logo_key = $1 WHERE id = $2")
        .bind(&image.key)
        .bind(store)
        .execute(&mut *tx)
        .await?;
    crate::catalog::removed_images::record(&mut tx, &Vec::from_iter(old)).await?;
    store_changed(&mut tx, store).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether new paid orders wait for the store to accept them (cancelled and refunded when it does not within 72
/// hours). Turning it off accepts the orders waiting now: none is cancelled for a rule the store dropped.
pub async fn set_accept_orders(db: &Db, actor: &Actor, accept: bool) -> Result<(), SellerError> {
    let store = actor.own_store()?;
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE sellers SET accept_orders = $1 WHERE id = $2")
        .bind(i64::from(accept))
        .bind(store)
        .execute(&mut *tx)
        .await?;
    if !accept {
        sqlx::query("UPDATE orders SET accept_by = NULL WHERE seller_id = $1 AND accept_by IS NOT NULL")
            .bind(store)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Removes the store's logo (the storefront shows the store's initial instead).
pub async fn remove_logo(db: &Db, actor: &Actor) -> Result<(), SellerError> {
    let store = actor.own_store()?;
    let mut tx = db.begin_write().await?;
    let old = logo_of(&mut tx, store).await?;
    sqlx::query("UPDATE sellers SET logo_key = NULL WHERE id = $1")
        .bind(store)
        .execute(&mut *tx)
        .await?;
    crate::catalog::removed_images::record(&mut tx, &Vec::from_iter(old)).await?;
    store_changed(&mut tx, store).await?;
    tx.commit().await?;
    Ok(())
}

/// The store's logo key, if it has one.
async fn logo_of(conn: &mut sqlx::AnyConnection, store: i64) -> Result<Option<String>, sqlx::Error> {
    Ok(
        sqlx::query_scalar::<_, Option<String>>("SELECT logo_key FROM sellers WHERE id = $1")
            .bind(store)
            .fetch_optional(&mut *conn)
            .await?
            .flatten(),
    )
}
