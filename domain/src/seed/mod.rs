//! `bazaar seed`: a realistic, deterministic demo catalog made without downloads. The same seed gives the same
//! shop; inserts are batched in write transactions so 100,000 products take minutes, not hours.

use model::sellers::RateKind;

use crate::catalog::images::{demo_card, ImageError, ImageStore, StoredImage};
use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::ids::next_id;
use crate::sellers::SellerStatus;

mod reviews;
mod words;

use words::{Leaf, Rng, ADJECTIVES, BRANDS, COUNTRIES, MATERIALS, STORE_WORDS, TREE};

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the catalog already has products; seed only an empty database")]
    NotEmpty,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("demo accounts: {0}")]
    Demo(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub categories: usize,
    pub sellers: usize,
    pub products: usize,
    pub variants: usize,
}

pub use crate::platform::text::slugify;

pub async fn has_products(db: &Db) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(db.pool())
        .await?;
    Ok(n > 0)
}

/// Defines a choice attribute of a category: its name, choices and position in the editor.
async fn define_attribute(
    tx: &mut sqlx::AnyConnection,
    category_id: i64,
    name: &str,
    choices: &[&str],
    position: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO attribute_definitions (id, category_id, name, kind, choices, position) \
         VALUES ($1, $2, $3, 'choice', $4, $5)",
    )
    .bind(next_id())
    .bind(category_id)
    .bind(name)
    .bind(serde_json::to_string(choices).unwrap_or_else(|_| "[]".into()))
    .bind(position)
    .execute(tx)
    .await?;
    Ok(())
}

/// A demo rate: name, country, kind, amount, free over, days min, days max.
type SeedRate = (&'static str, &'static str, RateKind, i64, Option<i64>, i64, i64);

/// Shipping rates of the `i`-th demo seller (no random draws: the catalog stays what it was for a given seed):
/// Standard (flat, free over $50; every fifth seller charges per item instead) and Express; every seventh seller
/// has a cheaper Standard rate for the United States.
async fn seed_shipping_rates(conn: &mut sqlx::AnyConnection, seller_id: i64, i: usize) -> Result<(), sqlx::Error> {
    // Every figure is i64, as the columns are: PostgreSQL keeps a statement prepared with the first call's
    // parameter types, and rates::add sends the same INSERT text with BIGINTs (an i32 here broke it).
    let standard: (RateKind, i64, Option<i64>) = if i % 5 == 4 {
        (RateKind::PerItem, 299, None)
    } else {
        (RateKind::Flat, 499, Some(5_000))
    };
    let mut rates: Vec<SeedRate> = vec![
        ("Standard", "*", standard.0, standard.1, standard.2, 3, 6),
        ("Express", "*", RateKind::Flat, 1_499, None, 1, 2),
    ];
    if i % 7 == 6 {
        rates.push(("Standard", "US", RateKind::Flat, 299, Some(3_500), 2, 4));
    }
    for (position, (name, country, kind, amount, free_over, days_min, days_max)) in rates.into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO shipping_rates (id, seller_id, name, country, kind, amount, free_over, days_min, days_max, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(next_id())
        .bind(seller_id)
        .bind(name)
        .bind(country)
        .bind(kind.as_str())
        .bind(amount)
        .bind(free_over)
        .bind(days_min)
        .bind(days_max)
        .bind(position as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The platform's demo tax table: VAT included in Europe, sales tax added in the US and Canada, none elsewhere.
async fn seed_tax_rates(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    for (country, bp, inclusive) in [
        ("US", 725, 0),
        ("CA", 500, 0),
        ("GB", 2_000, 1),
        ("DE", 1_900, 1),
        ("FR", 2_000, 1),
        ("NL", 2_100, 1),
        ("ES", 2_100, 1),
        ("IT", 2_200, 1),
        ("AU", 1_000, 1),
        ("JP", 1_000, 1),
    ] {
        sqlx::query(
            "INSERT INTO tax_rates (country, rate_bp, inclusive) VALUES ($1, $2, $3) ON CONFLICT (country) DO NOTHING",
        )
        .bind(country)
        .bind(bp)
        .bind(inclusive)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Demo codes, named in the README: a once-per-customer welcome code, a fixed amount over a minimum, and one
/// seller's own code (named after the store, e.g. `ACME-15`).
async fn seed_promo_codes(
    conn: &mut sqlx::AnyConnection,
    seller_id: i64,
    slug: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let store_code = format!("{}-15", slug.to_uppercase());
    // (code, seller, kind, value, minimum subtotal, uses per customer)
    type Code<'a> = (&'a str, Option<i64>, &'a str, i64, i64, Option<i64>);
    let codes: [Code; 3] = [
        ("WELCOME10", None, "percent", 10, 0, Some(1)),
        ("FIVEOFF", None, "fixed", 500, 3_000, None),
        (&store_code, Some(seller_id), "percent", 15, 0, None),
    ];
    for (code, seller, kind, value, min_subtotal, per_customer) in codes {
        sqlx::query(
            "INSERT INTO promo_codes (id, code, seller_id, kind, value, min_subtotal, starts_at, per_customer, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7) ON CONFLICT (code) DO NOTHING",
        )
        .bind(next_id())
        .bind(code)
        .bind(seller)
        .bind(kind)
        .bind(value)
        .bind(min_subtotal)
        .bind(now)
        .bind(per_customer)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The password of every demo account: printed by `bazaar seed` and listed in the README, so it is no secret.
/// `serve` warns when these accounts exist on a shop served over https.
pub const DEMO_PASSWORD: &str = "demo-pass-2026";
/// The demo admin's two-factor secret (base32), printed by `bazaar seed` and listed in the README like the
/// password: add it to an authenticator app to sign in as the demo admin (admins need two-factor sign-in).
pub const DEMO_ADMIN_TOTP_SECRET: &str = "DEMOADMINBAZAARTWOFACTORKEY23456";
/// Where the demo accounts' emails end: `seller1@…` runs the first demo store (by id), and so on.
pub const DEMO_DOMAIN: &str = "demo.bazaar.test";

/// A demo account `bazaar seed` made or found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub email: String,
    pub role: &'static str,
    /// The store a seller account runs.
    pub store: Option<String>,
}

/// A demo store: its id, name and the account that runs it, if any.
type DemoStore = (i64, String, Option<i64>);

/// Creates (or finds) the demo accounts: an admin, a shopper and one seller per demo store, all with
/// [`DEMO_PASSWORD`]. Only `bazaar seed` calls this: a shop that was never seeded has no known password.
/// One hash serves every account (the password is the same and public), so seeding stays fast.
pub async fn demo_accounts(db: &Db) -> Result<Vec<DemoAccount>, SeedError> {
    let password =
        crate::accounts::NewPassword::parse("password", DEMO_PASSWORD).map_err(|e| SeedError::Demo(e.message))?;
    let hash = crate::accounts::hash_password(password)
        .await
        .map_err(|e| SeedError::Demo(e.to_string()))?;
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let mut accounts = Vec::new();
    let stores: Vec<DemoStore> = sqlx::query_as("SELECT id, store_name, user_id FROM sellers ORDER BY id LIMIT 20")
        .fetch_all(&mut *tx)
        .await?;
    let mut wanted: Vec<(String, &'static str, String, Option<DemoStore>)> = vec![
        (format!("admin@{DEMO_DOMAIN}"), "admin", "Demo Admin".to_string(), None),
        (
            format!("shopper@{DEMO_DOMAIN}"),
            "shopper",
            "Demo Shopper".to_string(),
            None,
        ),
    ];
    for (n, store) in stores.into_iter().enumerate() {
        wanted.push((
            format!("seller{}@{DEMO_DOMAIN}", n + 1),
            "seller",
            format!("{} (demo seller)", store.1),
            Some(store),
        ));
    }
    for (email, role, name, store) in wanted {
        sqlx::query(
            // The demo's addresses are made up: they count as confirmed.
            "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at, email_verified_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $6) ON CONFLICT (email) DO NOTHING",
        )
        .bind(next_id())
        .bind(&email)
        .bind(&name)
        .bind(hash.as_str())
        .bind(role)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(&mut *tx)
            .await?;
        if role == "admin" {
            sqlx::query(
                "INSERT INTO two_factor (user_id, secret, enabled_at, last_step, created_at) \
                 VALUES ($1, $2, $3, 0, $3) ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(DEMO_ADMIN_TOTP_SECRET)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let store_name = match store {
            // A store someone already runs keeps its seller.
            Some((store_id, store_name, None)) => {
                sqlx::query("UPDATE sellers SET user_id = $1 WHERE id = $2 AND user_id IS NULL")
                    .bind(user_id)
                    .bind(store_id)
                    .execute(&mut *tx)
                    .await?;
                Some(store_name)
            }
            Some((_, store_name, Some(_))) => Some(store_name),
            None => None,
        };
        accounts.push(DemoAccount {
            email,
            role,
            store: store_name,
        });
    }
    tx.commit().await?;
    Ok(accounts)
}

/// Whether any demo account exists (`serve` warns about them on a public https shop).
pub async fn has_demo_accounts(db: &Db) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email LIKE $1")
        .bind(format!("%@{DEMO_DOMAIN}"))
        .fetch_one(db.pool())
        .await?;
    Ok(n > 0)
}

/// Whether the seeded demo's reviews (sample text, no purchase behind them) are in the database.
pub async fn has_demo_reviews(db: &Db) -> Result<bool, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    reviews::present(&mut conn).await
}

pub async fn seed(db: &Db, products: usize, seed: u64) -> Result<SeedReport, SeedError> {
    seed_inner(db, products, seed, None).await
}

/// Seeds with pictures: a palette of drawn cards is stored once in `images` and shared between products.
pub async fn seed_with_images(
    db: &Db,
    products: usize,
    seed: u64,
    images: &dyn ImageStore,
) -> Result<SeedReport, SeedError> {
    seed_inner(db, products, seed, Some(images)).await
}

/// The demo palette as the image store would key it (the SHA-256 of each card), drawn once per process.
fn palette_keys() -> &'static Vec<StoredImage> {
    static KEYS: std::sync::OnceLock<Vec<StoredImage>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        use sha2::Digest;
        let mut keys = Vec::new();
        for hue in 0..PALETTE_HUES {
            for shape in 0..PALETTE_SHAPES {
                let card = demo_card(hue * 360 / PALETTE_HUES, shape, 600);
                let key = sha2::Sha256::digest(&card).iter().map(|b| format!("{b:02x}")).collect();
                keys.push(StoredImage {
                    key,
                    width: 600,
                    height: 600,
                    ext: "png",
                });
            }
        }
        keys
    })
}

const PALETTE_HUES: u32 = 12;
const PALETTE_SHAPES: u32 = 3;

/// Builds categories, 20 sellers with warehouses, and `products` products with variants, stock and ratings.
async fn seed_inner(
    db: &Db,
    products: usize,
    seed: u64,
    images: Option<&dyn ImageStore>,
) -> Result<SeedReport, SeedError> {
    if has_products(db).await? {
        return Err(SeedError::NotEmpty);
    }
    let palette = seed_palette(images).await?;
    let mut rng = Rng(seed);
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let (leaves, category_count) = seed_categories(&mut tx).await?;
    seed_tax_rates(&mut tx).await?;
    let sellers = seed_sellers(&mut tx, &mut rng, now).await?;
    let mut variant_total = 0;
    for n in 0..products {
        if n > 0 && n % 1_000 == 0 {
            // Commit in batches: bounded transaction size, and progress survives an interruption.
            tx.commit().await?;
            tx = db.begin_write().await?;
        }
        let product = draw_product(&mut rng, &leaves, &sellers, n);
        let created = now - (products - n) as i64 * 60_000;
        insert_product(&mut tx, &product, created).await?;
        reviews::insert(
            &mut tx,
            product.id,
            product.seller_id,
            n,
            &product.review_stars,
            created,
        )
        .await?;
        seed_pictures(&mut tx, &mut rng, &palette, product.id, &product.title).await?;
        seed_product_attributes(&mut tx, product.id, product.brand, product.material).await?;
        variant_total += seed_variants(&mut tx, &mut rng, &product, (n, now)).await?;
    }
    tx.commit().await?;
    Ok(SeedReport {
        categories: category_count,
        sellers: sellers.len(),
        products,
        variants: variant_total,
    })
}

/// The palette of drawn cards the products' pictures are picked from, stored in `images` when there is a store.
async fn seed_palette(images: Option<&dyn ImageStore>) -> Result<Vec<StoredImage>, ImageError> {
    let palette: Vec<StoredImage> = match images {
        Some(store) => {
            let mut palette = Vec::new();
            for hue in 0..PALETTE_HUES {
                for shape in 0..PALETTE_SHAPES {
                    palette.push(store.put(demo_card(hue * 360 / PALETTE_HUES, shape, 600)).await?);
                }
            }
            palette
        }
        // Without a store (tests, benchmarks) the products still get their pictures' rows, so the catalog is one
        // today's rules accept (a published product has a picture); only the files are missing.
        None => palette_keys().clone(),
    };
    Ok(palette)
}

/// A leaf category as seeded: its id and what its products are like.
type LeafCategory = (i64, &'static Leaf);

/// The category tree, roots then leaves, with their attributes. Returns the leaves and how many categories it made.
async fn seed_categories(conn: &mut sqlx::AnyConnection) -> Result<(Vec<LeafCategory>, usize), sqlx::Error> {
    let mut leaves: Vec<(i64, &Leaf)> = Vec::new();
    let mut category_count = 0;
    for (position, (slug, name, children)) in TREE.iter().enumerate() {
        let root = next_id();
        sqlx::query("INSERT INTO categories (id, parent_id, slug, name, position) VALUES ($1, NULL, $2, $3, $4)")
            .bind(root)
            .bind(*slug)
            .bind(*name)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
        category_count += 1;
        for (child_pos, leaf) in children.iter().enumerate() {
            let id = next_id();
            sqlx::query("INSERT INTO categories (id, parent_id, slug, name, position) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(root)
                .bind(leaf.slug)
                .bind(leaf.name)
                .bind(child_pos as i64)
                .execute(&mut *conn)
                .await?;
            category_count += 1;
            leaves.push((id, leaf));
            define_attribute(conn, id, leaf.option.0, leaf.option.1, 0).await?;
        }
        // Brand and material are defined once on the root and inherited by its subcategories.
        define_attribute(conn, root, "Brand", BRANDS, 0).await?;
        define_attribute(conn, root, "Material", MATERIALS, 1).await?;
    }
    Ok((leaves, category_count))
}

/// A demo seller as seeded: its id and its warehouses' ids.
type DemoSeller = (i64, Vec<i64>);

/// The 20 demo sellers, each with its shipping rates and one or two warehouses (the first also has promo codes).
async fn seed_sellers(conn: &mut sqlx::AnyConnection, rng: &mut Rng, now: i64) -> Result<Vec<DemoSeller>, sqlx::Error> {
    // Sellers, each with one or two warehouses.
    let mut sellers: Vec<(i64, Vec<i64>)> = Vec::new();
    for i in 0..20 {
        let name = format!(
            "{} {}",
            STORE_WORDS.0[i % STORE_WORDS.0.len()],
            STORE_WORDS.1[(i / STORE_WORDS.0.len() + i) % STORE_WORDS.1.len()]
        );
        let id = next_id();
        sqlx::query(
            "INSERT INTO sellers (id, store_name, slug, description, status, support_email, return_policy, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(&name)
        .bind(slugify(&name))
        .bind(format!("{name} is an independent seller on Bazaar."))
        .bind(SellerStatus::Active.as_str())
        .bind(format!("help@{}.example", slugify(&name)))
        .bind("Return unused items within 30 days for a full refund.")
        .bind(now)
        .execute(&mut *conn)
        .await?;
        seed_shipping_rates(conn, id, i).await?;
        if i == 0 {
            seed_promo_codes(conn, id, &slugify(&name), now).await?;
        }
        let mut warehouses = Vec::new();
        for w in 0..(1 + rng.below(2)) {
            let wid = next_id();
            sqlx::query(
                "INSERT INTO warehouses (id, seller_id, name, country, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(wid)
            .bind(id)
            .bind(format!("{name} warehouse {}", w + 1))
            .bind(*rng.pick(COUNTRIES))
            .bind(now)
            .execute(&mut *conn)
            .await?;
            warehouses.push(wid);
        }
        sellers.push((id, warehouses));
    }
    Ok(sellers)
}

/// A demo product as drawn, before its pictures and variants (which draw more).
struct DemoProduct {
    id: i64,
    category_id: i64,
    leaf: &'static Leaf,
    seller_id: i64,
    warehouses: Vec<i64>,
    brand: &'static str,
    material: &'static str,
    title: String,
    slug: String,
    /// The price of its first variant, in cents.
    base: u64,
    rating_count: i64,
    rating_sum: i64,
    /// The stars of its demo reviews.
    review_stars: Vec<i64>,
    variant_count: usize,
}

/// Draws the `n`-th product: its category, seller, name, price, ratings and number of variants.
fn draw_product(rng: &mut Rng, leaves: &[LeafCategory], sellers: &[DemoSeller], n: usize) -> DemoProduct {
    let (category_id, leaf) = *rng.pick(leaves);
    let (seller_id, warehouses) = rng.pick(sellers).clone();
    let brand = *rng.pick(BRANDS);
    let title = format!("{} {} {}", brand, rng.pick(ADJECTIVES), rng.pick(leaf.nouns));
    let material = *rng.pick(MATERIALS);
    let id = next_id();
    let slug = format!("{}-{}", slugify(&title), n + 1);
    let base = leaf.price.0 + rng.below(leaf.price.1 - leaf.price.0);
    let base = (base / 100) * 100 + 99; // prices end in .99
                                        // The draws of the ratings the demo had before it had reviews, kept so the rest of the demo is unchanged.
    let rated = rng.below(5) != 0;
    if rated {
        let _ = rng.below(400);
    }
    let average_x10 = 30 + rng.below(21) as i64; // averages 3.0 to 5.0
    let review_stars = reviews::draw(n, rated, average_x10);
    let rating_count = review_stars.len() as i64;
    let rating_sum = review_stars.iter().sum();
    let option_values = leaf.option.1;
    let variant_count = 1 + rng.below(option_values.len() as u64) as usize;
    DemoProduct {
        id,
        category_id,
        leaf,
        seller_id,
        warehouses,
        brand,
        material,
        title,
        slug,
        base,
        rating_count,
        rating_sum,
        review_stars,
        variant_count,
    }
}

/// The product's row: active, with its description and search text written from what was drawn.
async fn insert_product(conn: &mut sqlx::AnyConnection, p: &DemoProduct, created: i64) -> Result<(), sqlx::Error> {
    let (title, brand, material) = (&p.title, p.brand, p.material);
    let description = format!(
        "The **{title}** by {brand} is made of {material} and built for daily use.\n\n\
         - {material} construction\n- Backed by {brand}'s one-year warranty\n- Ships from an independent seller"
    );
    let search_text = format!("{} {} {} {}", title, brand, p.leaf.name, material).to_lowercase();
    sqlx::query(
        "INSERT INTO products (id, seller_id, category_id, title, slug, description_md, status, min_price, currency, \
         search_text, rating_sum, rating_count, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, 'USD', $8, $9, $10, $11, $11)",
    )
    .bind(p.id)
    .bind(p.seller_id)
    .bind(p.category_id)
    .bind(title)
    .bind(&p.slug)
    .bind(&description)
    .bind(p.base as i64)
    .bind(&search_text)
    .bind(p.rating_sum)
    .bind(p.rating_count)
    .bind(created)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Two pictures of one drawn card, front view and detail, shared from the palette.
async fn seed_pictures(
    conn: &mut sqlx::AnyConnection,
    rng: &mut Rng,
    palette: &[StoredImage],
    id: i64,
    title: &str,
) -> Result<(), sqlx::Error> {
    let hue = rng.below(u64::from(PALETTE_HUES)) as usize;
    let shape = rng.below(u64::from(PALETTE_SHAPES)) as usize;
    let views = [(shape, "front view"), ((shape + 1) % PALETTE_SHAPES as usize, "detail")];
    for (position, (s, view)) in views.into_iter().enumerate() {
        let image = &palette[hue * PALETTE_SHAPES as usize + s];
        sqlx::query(
            "INSERT INTO product_images (product_id, position, image_key, ext, alt, width, height) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&image.key)
        .bind(image.ext)
        .bind(format!("{title}, {view}"))
        .bind(i64::from(image.width))
        .bind(i64::from(image.height))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The product's brand and material attributes.
async fn seed_product_attributes(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    brand: &str,
    material: &str,
) -> Result<(), sqlx::Error> {
    for (position, (name, value)) in [("Brand", brand), ("Material", material)].into_iter().enumerate() {
        sqlx::query("INSERT INTO product_attributes (product_id, name, value, position) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(name)
            .bind(value)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The product's variants, one per option value drawn, each with stock in every warehouse of its seller and a price
/// history (`n`: the product's number; `now`: the seed's time). Returns how many variants it made.
async fn seed_variants(
    conn: &mut sqlx::AnyConnection,
    rng: &mut Rng,
    p: &DemoProduct,
    (n, now): (usize, i64),
) -> Result<usize, sqlx::Error> {
    let (leaf, id) = (p.leaf, p.id);
    let mut made = 0;
    for (position, value) in leaf.option.1.iter().take(p.variant_count).enumerate() {
        let vid = next_id();
        // Larger options cost a little more; some variants are on sale.
        let price = p.base as i64 + position as i64 * 200;
        let compare_at = (rng.below(4) == 0).then(|| price + 500 + (rng.below(20) as i64) * 100);
        let options = serde_json::json!({ leaf.option.0: value }).to_string();
        sqlx::query(
            "INSERT INTO variants (id, product_id, sku, title, options, price, compare_at_price, currency, weight_grams, \
             position, seller_id, sku_key) VALUES ($1, $2, $3, $4, $5, $6, $7, 'USD', $8, $9, $10, LOWER($3))",
        )
        .bind(vid)
        .bind(id)
        .bind(format!("BZ-{:06}-{}", n + 1, position + 1))
        // A variant's title is its option values, as the editor writes it.
        .bind(*value)
        .bind(&options)
        .bind(price)
        .bind(compare_at)
        .bind(200 + rng.below(2_000) as i64)
        .bind(position as i64)
        .bind(p.seller_id)
        .execute(&mut *conn)
        .await?;
        seed_price_history(conn, vid, price, compare_at, now).await?;
        for wid in &p.warehouses {
            // About one variant in eight is sold out; low stock shows "Only N left".
            let available = if rng.below(8) == 0 { 0 } else { rng.below(60) as i64 + 1 };
            sqlx::query("INSERT INTO stock (variant_id, warehouse_id, available) VALUES ($1, $2, $3)")
                .bind(vid)
                .bind(*wid)
                .bind(available)
                .execute(&mut *conn)
                .await?;
        }
        made += 1;
    }
    Ok(made)
}

/// A demo variant's price history: its price for the last 60 days or, for one on sale, its compare-at price until
/// three days ago (so the product page may show it as the lowest price of the 30 days before the sale).
async fn seed_price_history(
    conn: &mut sqlx::AnyConnection,
    variant: i64,
    price: i64,
    compare_at: Option<i64>,
    now: i64,
) -> Result<(), sqlx::Error> {
    const DAY: i64 = 86_400_000;
    if let Some(before) = compare_at {
        crate::catalog::prices::record(conn, variant, before, now - 60 * DAY).await?;
        crate::catalog::prices::record(conn, variant, price, now - 3 * DAY).await
    } else {
        crate::catalog::prices::record(conn, variant, price, now - 60 * DAY).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(slugify("Arbor Classic T-shirt!"), "arbor-classic-t-shirt");
        assert_eq!(slugify("  Trading Co. "), "trading-co");
    }

    #[test]
    fn the_same_seed_draws_the_same_numbers() {
        let (mut a, mut b) = (Rng(7), Rng(7));
        assert!((0..100).all(|_| a.next() == b.next()));
    }
}
