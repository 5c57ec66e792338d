//! "Your data" (decision 0041): everything Bazaar holds about an account as one JSON document, and the account
//! erased at its owner's request, in one transaction across the contexts that hold a part of the person: accounts
//! (the row anonymised; sessions, links, two-factor, addresses deleted), orders (kept for the sellers and tax, the
//! person taken out), checkout (promo uses), reviews (deleted, the ratings recounted with their outbox rows, which
//! re-index the products), wishlist, cart, seller applications and the mail (outbox and dev mailbox), then the
//! receipt mailed to the address. Back-in-stock requests of the account or its addresses go too (inventory).

use model::notifications::NotificationSettings;
use model::privacy::PrivacyOverview;
use model::reviews::OwnReview;
use model::wishlist::WishlistView;
use model::{FieldError, Role};
use serde::Serialize;

use crate::accounts::privacy::{self as account_privacy, AccountRecord};
use crate::accounts::{self, AccountError};
use crate::catalog::ratings;
use crate::inventory::back_in_stock::{self, RequestRecord};
use crate::notifications::{self, templates};
use crate::orders::privacy::{self as order_privacy, OrderRecord, Person};
use crate::platform::clock::now_ms;
use crate::platform::{Actor, Db, Problem};
use crate::reviews::privacy::{self as review_privacy, FeedbackRecord};
use crate::{cart, checkout, reviews, sellers, wishlist};

/// The export: `/account/privacy/export.json`.
#[derive(Debug, Clone, Serialize)]
pub struct AccountExport {
    pub exported_at: i64,
    pub account: AccountRecord,
    pub orders: Vec<OrderRecord>,
    pub reviews: Vec<OwnReview>,
    pub review_feedback: Vec<FeedbackRecord>,
    pub wishlist: Option<WishlistView>,
    pub back_in_stock: Vec<RequestRecord>,
    pub notifications: NotificationSettings,
    /// (order, store, stars, comment, when) per store rated.
    pub store_ratings: Vec<(String, String, i64, String, i64)>,
}

/// Why an export or an erasure did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AccountDataError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    Failed(String),
}

impl From<AccountDataError> for Problem {
    fn from(err: AccountDataError) -> Self {
        match err {
            AccountDataError::NotFound => Problem::NotFound,
            AccountDataError::Invalid(fields) => Problem::Invalid(fields),
            AccountDataError::NotAllowed(message) => Problem::Conflict(message),
            AccountDataError::Failed(cause) => Problem::Internal(cause),
        }
    }
}

impl From<sqlx::Error> for AccountDataError {
    fn from(err: sqlx::Error) -> Self {
        AccountDataError::Failed(err.to_string())
    }
}

impl From<AccountError> for AccountDataError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Invalid(fields) => AccountDataError::Invalid(fields),
            AccountError::NotFound => AccountDataError::NotFound,
            other => AccountDataError::Failed(other.to_string()),
        }
    }
}

/// Any other context's failure: its cause is logged by the caller, never shown.
fn failed(err: impl std::fmt::Display) -> AccountDataError {
    AccountDataError::Failed(err.to_string())
}

/// The signed-in actor's account as it is read now (a visitor has none).
async fn account_of(db: &Db, actor: &Actor) -> Result<accounts::User, AccountDataError> {
    let user_id = actor.user_id().ok_or(AccountDataError::NotFound)?;
    accounts::find_user(db, user_id)
        .await?
        .ok_or(AccountDataError::NotFound)
}

fn person_of(user: &accounts::User) -> Person<'_> {
    Person {
        user_id: user.id,
        confirmed_email: user.email_verified_at.map(|_| user.email.as_str()),
    }
}

/// Everything held about the signed-in actor's account.
pub async fn export(db: &Db, actor: &Actor) -> Result<AccountExport, AccountDataError> {
    let user = account_of(db, actor).await?;
    let account = account_privacy::record(db, &user).await?;
    let orders = order_privacy::export(db, actor, person_of(&user))
        .await
        .map_err(failed)?;
    let reviews = reviews::writing::account_reviews(db, actor)
        .await
        .map_err(failed)?
        .written;
    let mut conn = db.pool().acquire().await?;
    let review_feedback = review_privacy::feedback_of(&mut conn, user.id).await?;
    drop(conn);
    let wishlist = wishlist::of_account(db, user.id).await.map_err(failed)?;
    let back_in_stock = back_in_stock::requests_of(db, user.id, &user.email).await?;
    let notifications = notifications::prefs::settings(db, user.id).await?;
    let store_ratings = reviews::store_ratings::of_account(db, user.id).await?;
    Ok(AccountExport {
        exported_at: now_ms(),
        account,
        orders,
        reviews,
        review_feedback,
        wishlist,
        back_in_stock,
        notifications,
        store_ratings,
    })
}

/// Why an account with `role` is not erased from its privacy page, if it is not.
fn not_erasable(role: Role) -> Option<&'static str> {
    match role {
        Role::Shopper => None,
        Role::Seller => Some(
            "This account runs a store: its orders, payouts and records need their owner. Write to the \
             marketplace's support to close the store first.",
        ),
        Role::Admin => Some("An admin account is not erased from here: ask another admin to take the role away first."),
    }
}

/// What the privacy page tells the signed-in actor: what is held, and what stops an erasure now.
pub async fn overview(db: &Db, actor: &Actor) -> Result<PrivacyOverview, AccountDataError> {
    let user = account_of(db, actor).await?;
    let person = person_of(&user);
    let mut conn = db.pool().acquire().await?;
    let orders = order_privacy::count(&mut conn, person).await?;
    let open_orders = order_privacy::open_orders(&mut conn, person).await?;
    drop(conn);
    let reviews = reviews::writing::account_reviews(db, actor)
        .await
        .map_err(failed)?
        .written
        .len();
    let wishlist_items = wishlist::of_account(db, user.id)
        .await
        .map_err(failed)?
        .map_or(0, |list| list.items.len());
    let addresses = accounts::addresses::list(db, user.id).await?.len();
    Ok(PrivacyOverview {
        email: user.email.clone(),
        orders,
        reviews: i64::try_from(reviews).unwrap_or(i64::MAX),
        addresses: i64::try_from(addresses).unwrap_or(i64::MAX),
        wishlist_items: i64::try_from(wishlist_items).unwrap_or(i64::MAX),
        open_orders,
        not_erasable: not_erasable(user.role).map(str::to_string),
    })
}

/// What the erase form sends.
#[derive(Debug, Clone, Default)]
pub struct Erasure {
    pub password: String,
    /// The "I understand it cannot be undone" box.
    pub understood: bool,
}

/// Erases the signed-in actor's account (a shopper's: a store or an admin needs its owner). Refused while one of
/// its orders is on its way or has a return open; the password is asked again. Two erasures at once: the second
/// finds the account gone. Returns the address the receipt went to.
pub async fn erase(db: &Db, actor: &Actor, form: &Erasure) -> Result<String, AccountDataError> {
    let user_id = actor.user_id().ok_or(AccountDataError::NotFound)?;
    if !form.understood {
        return Err(AccountDataError::Invalid(vec![FieldError::new(
            "understood",
            "Tick the box to say you understand that an erased account cannot be brought back.",
        )]));
    }
    let user = account_privacy::confirmed_owner(db, user_id, &form.password).await?;
    if let Some(why) = not_erasable(user.role) {
        return Err(AccountDataError::NotAllowed(why.into()));
    }
    let unknowable = account_privacy::unknowable_password().await?;
    let mut tx = db.begin_write().await?;
    let person = person_of(&user);
    let open = order_privacy::open_orders(&mut tx, person).await?;
    if !open.is_empty() {
        return Err(AccountDataError::NotAllowed(format!(
            "Orders {} are still on their way or have a return open: their stores need your address. Erase the \
             account once they are delivered, cancelled or closed.",
            open.join(", ")
        )));
    }
    let addresses = account_privacy::addresses_of(&mut tx, &user).await?;
    let own_mail = account_privacy::own_mail_keys(&mut tx, user.id).await?;
    // The products' rows first, in id order, as `review_product` holds them: their ratings are recounted below.
    let products = review_privacy::reviewed_products(&mut tx, user.id).await?;
    for product in &products {
        ratings::hold(&mut tx, *product).await?;
    }
    let now = now_ms();
    if !account_privacy::erase(&mut tx, &user, &unknowable, now).await? {
        return Err(AccountDataError::NotFound);
    }
    let erased = account_privacy::erased_email(user.id);
    let groups = order_privacy::group_ids(&mut tx, person).await?;
    checkout::promo::forget(&mut tx, user.id, &groups, &erased).await?;
    let orders_kept = order_privacy::anonymise(&mut tx, person, &erased).await?;
    review_privacy::forget(&mut tx, user.id).await?;
    for product in products {
        crate::workflows::review_product::recount(&mut tx, product).await?;
    }
    wishlist::forget(&mut tx, user.id).await?;
    cart::forget(&mut tx, user.id).await?;
    sellers::applications::forget(&mut tx, user.id).await?;
    back_in_stock::forget(&mut tx, user.id, &addresses).await?;
    notifications::forget(&mut tx, &addresses).await?;
    notifications::forget_keys(&mut tx, &own_mail).await?;
    notifications::prefs::forget(&mut tx, user.id).await?;
    reviews::store_ratings::forget(&mut tx, user.id).await?;
    let receipt = templates::account_erased(&user.email, orders_kept);
    // A key that names no account: the receipt's row must not tie the address back to the erased id.
    let key = format!("account-erased:{}", crate::platform::ids::random_token());
    notifications::enqueue(&mut tx, &key, &receipt).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, orders_kept, "account erased at its owner's request");
    Ok(user.email)
}
