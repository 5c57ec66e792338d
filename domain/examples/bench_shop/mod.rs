//! What the seller-side benchmarks start from: a fresh SQLite shop in a temporary folder with the demo catalog
//! (500 products, with pictures: a published product must keep one) and demo seller 1 signed in.

use std::path::PathBuf;

use domain::catalog::images::LocalImageStore;
use domain::{seed, Actor, Db};

/// The shop: its database, its folder (remove it at the end), its image store and the signed-in seller.
pub struct BenchShop {
    pub db: Db,
    pub dir: PathBuf,
    pub images: LocalImageStore,
    pub seller: Actor,
}

pub async fn open(name: &str) -> BenchShop {
    let dir = std::env::temp_dir().join(format!("bazaar_{name}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = Db::connect(&format!("sqlite://{}/bench.db", dir.display()), 4)
        .await
        .expect("open database");
    db.migrate().await.expect("migrate");
    let images = LocalImageStore::new(dir.join("images"));
    seed::seed_with_images(&db, 500, 3, &images).await.expect("seed");
    seed::demo_accounts(&db).await.expect("demo accounts");
    let policy = domain::accounts::ThrottlePolicy::default();
    let client = domain::accounts::ClientKey("bench".into());
    let seller = domain::accounts::login(&db, &policy, &client, "seller1@demo.bazaar.test", seed::DEMO_PASSWORD)
        .await
        .expect("sign in")
        .actor();
    BenchShop {
        db,
        dir,
        images,
        seller,
    }
}
