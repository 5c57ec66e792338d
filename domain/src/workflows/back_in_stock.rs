//! "Notify me" on a sold-out variant (decision 0043): the request (inventory) with the link that confirms a guest's
//! address (notifications), and the worker's pass that ends each confirmed request whose variant can be bought
//! again and mails its one email in the same transaction (two workers at once: the delete decides, one mail).

use crate::accounts::{self, Email};
use crate::inventory::back_in_stock::{self, Asked};
use crate::inventory::InventoryError;
use crate::notifications::{self, templates};
use crate::platform::{Actor, Db};

/// What the shopper is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An email goes when it is back.
    Watching,
    /// A link went to the address; it counts once opened.
    LinkSent,
}

/// Asks for one email when variant `variant_id` is back: a signed-in shopper for their account's address (which
/// counts at once when confirmed), a visitor for `raw_email` (confirmed by a mailed link first). Returns the
/// product's slug and the outcome.
pub async fn ask(
    db: &Db,
    actor: &Actor,
    variant_id: i64,
    raw_email: &str,
) -> Result<(String, Outcome), InventoryError> {
    let account = match actor.user_id() {
        Some(id) => accounts::find_user(db, id)
            .await
            .map_err(|_| InventoryError::NotFound)?,
        None => None,
    };
    let (user_id, email, confirmed) = match &account {
        Some(user) => (Some(user.id), user.email.clone(), user.email_verified_at.is_some()),
        None => {
            let email = Email::parse(raw_email).map_err(|e| InventoryError::Invalid(vec![e]))?;
            (None, email.as_str().to_string(), false)
        }
    };
    let mut tx = db.begin_write().await?;
    let item = back_in_stock::sold_out(&mut tx, variant_id).await?;
    let outcome = match back_in_stock::ask(&mut tx, item.variant_id, user_id, &email, confirmed).await? {
        Asked::Watching => Outcome::Watching,
        Asked::AwaitingLink => Outcome::LinkSent,
        Asked::ConfirmBy(token) => {
            let link = format!("/back-in-stock?token={token}");
            let mail = templates::back_in_stock_link(&email, &item.product, &item.variant, &link);
            let key = format!("back-in-stock-link:{}", &token[..16]);
            notifications::enqueue(&mut tx, &key, &mail).await?;
            Outcome::LinkSent
        }
    };
    tx.commit().await?;
    Ok((item.slug, outcome))
}

/// Mails up to `limit` requests whose variant is back, each ended as it is mailed, after deleting the requests whose
/// link was never opened; returns how many mails went.
pub async fn notify_due(db: &Db, limit: i64) -> Result<usize, sqlx::Error> {
    back_in_stock::sweep_unconfirmed(db, crate::platform::clock::now_ms()).await?;
    let mut sent = 0;
    for due in back_in_stock::due(db, limit).await? {
        let mut tx = db.begin_write().await?;
        if back_in_stock::end(&mut tx, due.id).await? {
            let link = format!("/p/{}", due.slug);
            let mail = templates::back_in_stock(&due.email, &due.product, &due.variant, &link);
            notifications::enqueue(&mut tx, &format!("back-in-stock:{}", due.id), &mail).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}
