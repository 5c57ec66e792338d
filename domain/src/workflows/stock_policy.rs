//! A store's stock policy (sellers) and, when it turns backorders off, its variants stopping selling beyond
//! stock (catalog) with their outbox rows, in one transaction.

use model::sellers::StockPolicy;

use crate::platform::{outbox, Actor, Db};
use crate::sellers::{settings, SellerError};

/// Saves the actor's store's stock policy.
pub async fn set_stock_policy(db: &Db, actor: &Actor, policy: &StockPolicy) -> Result<(), SellerError> {
    let store = actor.own_store()?;
    let mut tx = db.begin_write().await?;
    if settings::write_stock_policy(&mut tx, store, policy).await? {
        for product in crate::catalog::editor::stop_selling_beyond_stock(&mut tx, store).await? {
            outbox::product_changed(&mut tx, product).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
