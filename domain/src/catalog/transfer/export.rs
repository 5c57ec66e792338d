//! The export: a store's whole catalog as CSV, streamed chunk by chunk, and what the import page lists.

use model::product_form::ProductStatus;
use model::sellers::{ImportGuide, ProductForm};

use super::columns::*;
use crate::catalog::editor;
use crate::catalog::CatalogError;
use crate::platform::{Actor, Db};
use model::markdown::html::markdown_to_html;

/// The export's file name: the store's address and the day (`oak-iron-products-2026-12-02.csv`).
pub async fn export_name(db: &Db, actor: &Actor) -> Result<String, CatalogError> {
    let store = actor.own_store()?;
    let (_, slug) = editor::store_names(&mut *db.pool().acquire().await?, store).await?;
    Ok(format!("{slug}-products-{}.csv", crate::platform::clock::today()))
}

/// Products per chunk of an export: the file is sent as it is made, never held whole.
const CHUNK_PRODUCTS: usize = 50;

/// Streams the actor's whole catalog (archived products too) into `out`, chunk by chunk: UTF-8 with a byte-order
/// mark so spreadsheet programs read the accents right. `base_url` makes picture addresses absolute. Stops
/// quietly when the receiver goes away (the download was cancelled). A pooled connection is held only while a
/// chunk is read, never while the client takes its time downloading it: a slow or stalled download cannot take
/// the shop's connections.
pub async fn export(
    db: &Db,
    actor: &Actor,
    base_url: &str,
    out: tokio::sync::mpsc::Sender<Vec<u8>>,
) -> Result<(), CatalogError> {
    let store = actor.own_store()?;
    let sheet = {
        let mut conn = db.pool().acquire().await?;
        let store_name: String = sqlx::query_scalar("SELECT store_name FROM sellers WHERE id = $1")
            .bind(store)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(CatalogError::NotFound)?;
        let warehouses = editor::warehouses_of(&mut conn, store).await?;
        let products: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, slug FROM products WHERE seller_id = $1 ORDER BY created_at, id")
                .bind(store)
                .fetch_all(&mut *conn)
                .await?;
        let mut header: Vec<String> = KNOWN.iter().map(|c| c.to_string()).collect();
        header.extend(warehouses.iter().map(|(_, name)| format!("{STOCK_PREFIX}{name}")));
        ExportSheet {
            store,
            store_name,
            warehouses,
            categories: crate::catalog::categories(db).await?,
            header,
            base: base_url.trim_end_matches('/').to_string(),
            products,
        }
    };
    let mut first = true;
    for chunk in sheet.products.chunks(CHUNK_PRODUCTS) {
        let bytes = sheet.chunk(db, chunk, first).await?;
        first = false;
        if out.send(bytes).await.is_err() {
            return Ok(());
        }
    }
    if first {
        let _ = out.send(sheet.rows(&[], true)?).await;
    }
    Ok(())
}

/// What every chunk of one export shares.
pub(super) struct ExportSheet {
    store: i64,
    store_name: String,
    warehouses: Vec<(i64, String)>,
    categories: Vec<model::catalog::CategoryView>,
    header: Vec<String>,
    base: String,
    /// (id, handle) of every product, in the order they are written.
    products: Vec<(i64, String)>,
}

impl ExportSheet {
    /// The CSV of some products (the first chunk starts with the byte-order mark and the header), read on a
    /// connection held only for this chunk.
    async fn chunk(&self, db: &Db, products: &[(i64, String)], first: bool) -> Result<Vec<u8>, CatalogError> {
        let mut forms = Vec::with_capacity(products.len());
        let mut conn = db.pool().acquire().await?;
        for (id, slug) in products {
            // The form the editor shows is what an import compares with: one reading of a product for both.
            let form = editor::load_form(&mut conn, self.store, *id).await?;
            forms.push((slug.as_str(), form));
        }
        drop(conn);
        self.rows(&forms, first)
    }

    /// Rows of the products read, one per variant (and one per picture beyond the variants).
    fn rows(&self, forms: &[(&str, ProductForm)], first: bool) -> Result<Vec<u8>, CatalogError> {
        let start = if first { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        let mut csv = csv::WriterBuilder::new().from_writer(start);
        if first {
            csv.write_record(&self.header).map_err(write_failed)?;
        }
        for (slug, form) in forms {
            for r in 0..form.variants.len().max(form.images.len()) {
                csv.write_record(self.row(slug, form, r)).map_err(write_failed)?;
            }
        }
        csv.into_inner().map_err(|e| write_failed(e.into_error().into()))
    }

    /// Row `r` of a product: its own columns on the first row, variant `r`, picture `r`.
    fn row(&self, slug: &str, form: &ProductForm, r: usize) -> Vec<String> {
        let header = &self.header;
        let mut row = vec![String::new(); header.len()];
        let mut set = |column: &str, value: String| {
            if let Some(at) = header.iter().position(|h| h == column) {
                row[at] = neutralise(&value);
            }
        };
        set(HANDLE, slug.to_string());
        if r == 0 {
            let category = form
                .category
                .parse::<i64>()
                .ok()
                .and_then(|c| self.categories.iter().find(|k| k.id == c));
            set(TITLE, form.title.clone());
            set(BODY, markdown_to_html(&form.description));
            set(VENDOR, self.store_name.clone());
            set(TYPE, category.map(|c| c.name.clone()).unwrap_or_default());
            let published = ProductStatus::parse(&form.status) == Some(ProductStatus::Active);
            set(PUBLISHED, if published { "TRUE" } else { "FALSE" }.into());
            set(STATUS, form.status.clone());
            set(CATEGORY, category.map(|c| c.slug.clone()).unwrap_or_default());
            set(SEO_TITLE, form.seo_title.clone());
            set(SEO_DESCRIPTION, form.seo_description.clone());
            set(TAGS, form.tags.clone());
            for (i, option) in form.options.iter().enumerate().take(3) {
                set(OPTION_NAMES[i], option.name.clone());
            }
        }
        if let Some(v) = form.variants.get(r) {
            for (i, value) in v.values.iter().enumerate().take(3) {
                set(OPTION_VALUES[i], value.clone());
            }
            set(SKU, v.sku.clone());
            set(GRAMS, v.weight.clone());
            set(PRICE, v.price.clone());
            set(COMPARE_AT, v.compare_at.clone());
            set(BARCODE, v.barcode.clone());
            set(COST, v.cost.clone());
            set(
                INVENTORY_POLICY,
                if v.keep_selling == "on" { "continue" } else { "deny" }.into(),
            );
            set(WEIGHT_UNIT, "g".into());
            let mut total = 0;
            let mut exported = Vec::new();
            for s in &v.stock {
                let units: i64 = s.units.parse().unwrap_or(0);
                total += units;
                if let Some((w, name)) = self.warehouses.iter().find(|(w, _)| w.to_string() == s.warehouse) {
                    set(&format!("{STOCK_PREFIX}{name}"), units.to_string());
                    exported.push(format!("{w}:{units}"));
                }
            }
            set(QUANTITY, total.to_string());
            set(STOCK_EXPORTED, exported.join(" "));
        }
        if let Some(image) = form.images.get(r) {
            set(
                IMAGE_SRC,
                format!("{}{}", self.base, crate::catalog::images::thumb_url(&image.key, 480)),
            );
            set(IMAGE_ALT, image.alt.clone());
        }
        row
    }
}

/// The whole export in memory, for tests and benchmarks (the server streams it instead).
pub async fn export_bytes(db: &Db, actor: &Actor, base_url: &str) -> Result<Vec<u8>, CatalogError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let (done, bytes) = tokio::join!(export(db, actor, base_url, tx), async {
        let mut all = Vec::new();
        while let Some(chunk) = rx.recv().await {
            all.extend(chunk);
        }
        all
    });
    done.map(|()| bytes)
}

pub(super) fn write_failed(e: csv::Error) -> CatalogError {
    tracing::error!(error = %e, "a CSV row could not be written");
    CatalogError::Conflict("The export could not be written; please try again.".into())
}

/// What the import page lists for the actor's store: categories and stock columns.
pub async fn guide(db: &Db, actor: &Actor) -> Result<ImportGuide, CatalogError> {
    let store = actor.own_store()?;
    let mut conn = db.pool().acquire().await?;
    let (store_name, store_slug) = editor::store_names(&mut conn, store).await?;
    let warehouses = editor::warehouses_of(&mut conn, store).await?;
    let all = crate::catalog::categories(db).await?;
    let categories = editor::leaf_categories(db)
        .await?
        .into_iter()
        .filter_map(|(id, label)| all.iter().find(|c| c.id == id).map(|c| (id, c.slug.clone(), label)))
        .collect();
    Ok(ImportGuide {
        store_name,
        store_slug,
        categories,
        stock_columns: warehouses.iter().map(|(_, w)| format!("{STOCK_PREFIX}{w}")).collect(),
    })
}
