//! Planning an import: what the store has (categories, warehouses, the platform's rules),
//! each product of the file staged, checked by the editor's rules and compared with what is stored, and the digest
//! an apply compares with its dry run's.

use std::collections::{HashMap, HashSet};

use model::product_form::ProductStatus;
use model::sellers::{ImportReport, ProductForm, StockInput};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use super::columns::*;
use super::diff::compare;
use super::sheet::{read_sheet, tidy_skus, Columns, Line};
use super::stage::{moved_phrase, stage, Staged};
use crate::catalog::attributes::{definitions_for, AttributeDefinition};
use crate::catalog::editor::{self, Context, RuleError, ValidProduct};
use crate::catalog::picture_fetches::PictureToFetch;
use crate::catalog::CatalogError;
use crate::platform::{Actor, Db};

/// What an import would write: the report, and each product that changes, checked and ready for the save step.
#[derive(Debug, Clone)]
pub struct Plan {
    pub report: ImportReport,
    pub products: Vec<Planned>,
}

/// A product the plan writes, with the file's first row of it (where the report points).
#[derive(Debug, Clone)]
pub struct Planned {
    pub row: usize,
    pub product: ValidProduct,
    /// Pictures named by address, fetched after the apply (`catalog::picture_fetches`).
    pub pictures: Vec<PictureToFetch>,
    /// Published with its first fetched picture (the file says it is active; it has none yet).
    pub publish: bool,
}

impl Plan {
    /// A digest of what the plan would write: every planned value of every product it writes, with the version
    /// each was read at, and the stock figures it sets. An apply whose plan differs from its dry run's (an edit in
    /// the editor meanwhile, even one that reads the same in the report) is refused. Stock the plan leaves alone is
    /// not in it, so orders coming in between the check and "Apply" do not stop an import that sets no stock.
    pub fn digest(&self) -> String {
        let mut hash = Sha256::new();
        for p in &self.products {
            let mut planned = p.product.clone();
            for v in &mut planned.variants {
                v.stock.retain(|(_, units, was)| *was != Some(*units));
            }
            hash.update(format!("{planned:?}\u{1e}").as_bytes());
        }
        hex::encode(hash.finalize())
    }
}

/// What planning needs beyond the file: the store and the shop's categories and warehouses.
pub(super) struct Setting {
    pub(super) store: i64,
    pub(super) sku_prefix: String,
    pub(super) warehouses: Vec<(i64, String)>,
    /// Where `Variant Inventory Qty` goes in a store with several warehouses (a store setting, else the first).
    pub(super) default_warehouse: i64,
    /// The store allows backorders: `Variant Inventory Policy = continue` keeps a variant selling at 0.
    pub(super) backorders: bool,
    /// A SKU repeated in the file refuses the later row's product instead of being left out of it.
    pub(super) strict_skus: bool,
    /// Leaf categories: (id, label "Kitchen › Kettles").
    pub(super) leaves: Vec<(i64, String)>,
    /// (id, slug, name) of the leaf categories.
    pub(super) names: Vec<(i64, String, String)>,
    pub(super) default_category: Option<i64>,
    pub(super) free_items: bool,
    /// Addresses of pictures on their way to the store's products (an earlier import's, not fetched yet): the
    /// same file again does not fetch them twice.
    pub(super) pending_pictures: HashSet<(i64, String)>,
}

/// Where a stock figure of the file is: its row and column, and the figure the export wrote there (`None`: a
/// file that does not say, such as Shopify's, or a new variant).
pub(super) struct StockCell<'a> {
    pub(super) row: usize,
    pub(super) column: &'a str,
    pub(super) exported: Option<i64>,
}

impl Setting {
    /// Lays a figure of the file over a stock cell of the form (whose `units` and `was` are today's level). With
    /// the figure the file was exported with, the file changes the stock only where the seller changed that
    /// figure: one equal to the exported figure is no change, whatever sold since; a changed one over units that
    /// moved since is refused (the seller's figure and the sales cannot both be right). Without it (a Shopify
    /// file), the figure is the new level.
    pub(super) fn lay_stock(
        &self,
        at: &StockCell<'_>,
        cell: &mut StockInput,
        units: String,
        report: &mut ImportReport,
    ) {
        let (Some(then), Ok(today)) = (at.exported, cell.was.parse::<i64>()) else {
            cell.units = units;
            return;
        };
        let moved = today - then;
        let typed = units.trim().parse::<i64>().ok();
        // Already today's figure (counted after the sales, or a file applied before): nothing to change.
        if typed == Some(today) {
            return;
        }
        if typed == Some(then) {
            if moved != 0 {
                report.notices.push(issue(
                    at.row,
                    at.column,
                    format!(
                        "Left at {today}: the file's {then} is the figure it was exported with, and {} since.",
                        moved_phrase(moved)
                    ),
                ));
            }
            return;
        }
        if moved == 0 {
            cell.units = units;
            return;
        }
        report.errors.push(issue(
            at.row,
            at.column,
            format!(
                "This figure was {then} when the file was exported, and {} since (orders or stock changes), so \
                 it is {today} now. Export the catalog again and change the new file, or set the figure on the \
                 Stock screen.",
                moved_phrase(moved)
            ),
        ));
    }

    /// A leaf category by its address, name or label, any case.
    pub(super) fn category(&self, typed: &str) -> Option<i64> {
        let t = typed.trim();
        self.names
            .iter()
            .find(|(_, slug, name)| slug.eq_ignore_ascii_case(t) || name.eq_ignore_ascii_case(t))
            .map(|(id, _, _)| *id)
            .or_else(|| {
                self.leaves
                    .iter()
                    .find(|(_, l)| l.eq_ignore_ascii_case(t))
                    .map(|(id, _)| *id)
            })
    }

    /// The category a Shopify taxonomy path names (`Home & Garden > Kitchen & Dining > Cookware`): its most
    /// precise part that is one of ours.
    pub(super) fn category_in_path(&self, path: &str) -> Option<i64> {
        path.split(['>', '›']).rev().find_map(|part| self.category(part))
    }

    pub(super) fn category_name(&self, id: i64) -> String {
        self.leaves
            .iter()
            .find(|(c, _)| *c == id)
            .map_or_else(|| id.to_string(), |(_, l)| l.clone())
    }
}

/// Plans the import of `body` into the actor's store; `conn` is where the stored catalog is read (the write
/// transaction when applying). `default_category` is for rows that name none.
pub async fn plan(
    db: &Db,
    conn: &mut AnyConnection,
    actor: &Actor,
    body: &str,
    default_category: Option<i64>,
) -> Result<Plan, CatalogError> {
    let store = actor.own_store()?;
    let mut report = ImportReport::default();
    let Some((columns, mut lines)) = read_sheet(body, &mut report) else {
        return Ok(Plan {
            report,
            products: Vec::new(),
        });
    };
    let setting = setting_for(db, conn, store, default_category).await?;
    tidy_skus(&columns, &mut lines, &mut report, setting.strict_skus);
    let stock_columns = stock_columns(&setting, &columns, &lines, &mut report);
    let groups = by_handle(&columns, &lines, &mut report);
    let existing = products_by_handle(conn, groups.iter().map(|(h, _)| h.as_str())).await?;
    let mut planning = Planning {
        db,
        setting: &setting,
        columns: &columns,
        stock_columns: &stock_columns,
        definitions: HashMap::new(),
        file_skus: HashMap::new(),
        placed: HashSet::new(),
        report,
    };
    let mut products = Vec::new();
    for (handle, rows) in &groups {
        let errors_before = planning.report.errors.len();
        if let Some(product) = planning.group(conn, store, &existing, handle, rows).await? {
            products.push(product);
        }
        // A product with a problem is skipped; the rest of the file still applies.
        if planning.report.errors.len() > errors_before {
            planning.report.products.skipped += 1;
            planning.report.variants.skipped += rows.iter().filter(|l| l.is_variant(&columns)).count();
        }
    }
    let mut report = planning.report;
    report.errors.sort_by_key(|e| e.row);
    report.notices.sort_by_key(|e| e.row);
    Ok(Plan { report, products })
}

/// What planning needs beyond the file, read once: the store's SKU prefix, warehouses and categories, and the
/// platform's rules.
async fn setting_for(
    db: &Db,
    conn: &mut AnyConnection,
    store: i64,
    default_category: Option<i64>,
) -> Result<Setting, CatalogError> {
    let (_, slug) = editor::store_names(conn, store).await?;
    let leaves = editor::leaf_categories(db).await?;
    let all = crate::catalog::categories(db).await?;
    let names = all
        .iter()
        .filter(|c| leaves.iter().any(|(id, _)| *id == c.id))
        .map(|c| (c.id, c.slug.clone(), c.name.clone()))
        .collect();
    let policy: StockPolicyRow =
        sqlx::query_as("SELECT default_warehouse_id, backorders, strict_import_skus FROM sellers WHERE id = $1")
            .bind(store)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(CatalogError::NotFound)?;
    let warehouses = editor::warehouses_of(conn, store).await?;
    let default_warehouse = policy
        .default_warehouse_id
        .filter(|d| warehouses.iter().any(|(w, _)| w == d))
        .or_else(|| warehouses.first().map(|(w, _)| *w))
        .unwrap_or_default();
    Ok(Setting {
        store,
        sku_prefix: editor::sku_prefix(&slug),
        warehouses,
        default_warehouse,
        backorders: policy.backorders == 1,
        strict_skus: policy.strict_import_skus == 1,
        leaves,
        names,
        default_category: default_category.filter(|c| {
            // Only a category a product may be in.
            all.iter().any(|k| k.id == *c) && !all.iter().any(|k| k.parent_id == Some(*c))
        }),
        free_items: crate::platform::settings::is_on(conn, crate::platform::settings::FREE_ITEMS).await?,
        pending_pictures: crate::catalog::picture_fetches::pending(conn, store).await?,
    })
}

/// The store's stock policy, as an import reads it.
#[derive(sqlx::FromRow)]
struct StockPolicyRow {
    default_warehouse_id: Option<i64>,
    backorders: i64,
    strict_import_skus: i64,
}

/// The file's stock columns, each naming one of the store's warehouses once: (position, warehouse, column name).
/// Also the notes on columns read instead of others (the total) and on variant pictures.
fn stock_columns(
    setting: &Setting,
    columns: &Columns,
    lines: &[Line],
    report: &mut ImportReport,
) -> Vec<(usize, i64, String)> {
    let mut stock_columns: Vec<(usize, i64, String)> = Vec::new();
    for (at, name) in &columns.stock {
        let column = format!("{STOCK_PREFIX}{name}");
        match setting.warehouses.iter().find(|(_, w)| w.eq_ignore_ascii_case(name)) {
            Some((id, w)) if stock_columns.iter().any(|(_, other, _)| other == id) => report.errors.push(issue(
                1,
                &column,
                format!("Two columns give the stock of the warehouse “{w}”: keep one of them."),
            )),
            Some((id, w)) => stock_columns.push((*at, *id, format!("{STOCK_PREFIX}{w}"))),
            None => {
                let names: Vec<&str> = setting.warehouses.iter().map(|(_, w)| w.as_str()).collect();
                report.errors.push(issue(
                    1,
                    &column,
                    format!(
                        "Your store has no warehouse named “{name}”. Name one of: {} (or add it in Store settings).",
                        names.join(", ")
                    ),
                ))
            }
        }
    }
    if !stock_columns.is_empty() && columns.at.contains_key(QUANTITY) {
        report.notices.push(issue(
            1,
            QUANTITY,
            "Variant Inventory Qty (the total) is not read: the units of each warehouse are read from the Bazaar \
             Stock columns.",
        ));
    } else if setting.warehouses.len() > 1 && lines.iter().any(|l| l.has(columns, QUANTITY)) {
        let default = setting
            .warehouses
            .iter()
            .find(|(w, _)| *w == setting.default_warehouse)
            .map_or("", |(_, name)| name.as_str());
        report.notices.push(issue(
            1,
            QUANTITY,
            format!(
                "Your store keeps stock in {} warehouses: Variant Inventory Qty is read as the units in {default} \
                 (your default warehouse, in Store settings), and the others are left as they are. To set each, \
                 use a Bazaar Stock column per warehouse (export the catalog to see them).",
                setting.warehouses.len()
            ),
        ));
    }
    backorder_notice(setting, columns, lines, report);
    if lines.iter().any(|l| l.has(columns, VARIANT_IMAGE)) {
        report.notices.push(issue(
            1,
            VARIANT_IMAGE,
            "Bazaar shows pictures per product, not per variant: each Variant Image is fetched as one of its \
             product's pictures.",
        ));
    }
    stock_columns
}

/// Rows that say "continue" in a store without backorders: said once, for the whole file.
fn backorder_notice(setting: &Setting, columns: &Columns, lines: &[Line], report: &mut ImportReport) {
    let continuing = lines
        .iter()
        .filter(|l| {
            l.get(columns, INVENTORY_POLICY)
                .is_some_and(|p| p.eq_ignore_ascii_case("continue"))
        })
        .count();
    if continuing > 0 && !setting.backorders {
        report.notices.push(issue(
            1,
            INVENTORY_POLICY,
            format!(
                "Variant Inventory Policy is continue (keep selling when out of stock) on {}, but your store does \
                 not allow backorders: those variants stop selling at 0. Turn on “Allow backorders” in Store \
                 settings before importing to keep them selling.",
                model::count_of(continuing as i64, "row", "rows")
            ),
        ));
    }
}

/// The file's products (rows sharing a handle), in the order they first appear.
fn by_handle<'a>(columns: &Columns, lines: &'a [Line], report: &mut ImportReport) -> Vec<(String, Vec<&'a Line>)> {
    let mut groups: Vec<(String, Vec<&Line>)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for line in lines {
        let handle = line.get(columns, HANDLE).unwrap_or_default().to_lowercase();
        if handle.is_empty() {
            report.errors.push(issue(
                line.row,
                HANDLE,
                "Give the product's handle (its address, like copper-kettle); rows of one product share it.",
            ));
            if line.is_variant(columns) {
                report.variants.skipped += 1;
            }
            continue;
        }
        match at.get(&handle) {
            Some(&g) => groups[g].1.push(line),
            None => {
                at.insert(handle.clone(), groups.len());
                groups.push((handle, vec![line]));
            }
        }
    }
    groups
}

/// One planning run: what it reads once and what it gathers product by product.
struct Planning<'a> {
    db: &'a Db,
    setting: &'a Setting,
    columns: &'a Columns,
    stock_columns: &'a [(usize, i64, String)],
    /// Attribute definitions per category, read once each.
    definitions: HashMap<i64, Vec<AttributeDefinition>>,
    /// SKU (lowercase) → the row that first has it.
    file_skus: HashMap<String, usize>,
    /// (row, column) of every refused cell so far: one complaint per cell, found in constant time.
    placed: HashSet<(usize, String)>,
    report: ImportReport,
}

impl Planning<'_> {
    /// One product of the file (the rows sharing `handle`): planned, or `None` (unchanged, or refused with its
    /// problems in the report).
    async fn group(
        &mut self,
        conn: &mut AnyConnection,
        store: i64,
        existing: &HashMap<String, (i64, i64)>,
        handle: &str,
        rows: &[&Line],
    ) -> Result<Option<Planned>, CatalogError> {
        let first = rows[0].row;
        if !handle_ok(handle) {
            self.report.errors.push(issue(
                first,
                HANDLE,
                "A handle uses lowercase letters, digits and '-' (like copper-kettle), at most 150 characters.",
            ));
            return Ok(None);
        }
        let stored = match existing.get(handle) {
            Some(&(id, seller)) if seller == store => Some(editor::load_form(conn, store, id).await?),
            Some(_) => {
                self.report.errors.push(issue(
                    first,
                    HANDLE,
                    // Said the same whatever holds it (published or not): a handle is an address all stores
                    // share, and nothing more of the other product is told.
                    format!("The handle {handle} is taken (addresses are shared by every store); choose another."),
                ));
                return Ok(None);
            }
            None => None,
        };
        Ok(self
            .product(conn, handle, rows, stored.as_ref())
            .await?
            .map(|(product, staged)| Planned {
                row: first,
                product,
                pictures: staged.fetch,
                publish: staged.publish,
            }))
    }

    /// Plans one product of the file: `Some` when it must be written (or has pictures to fetch).
    async fn product(
        &mut self,
        conn: &mut AnyConnection,
        handle: &str,
        rows: &[&Line],
        stored: Option<&ProductForm>,
    ) -> Result<Option<(ValidProduct, Staged)>, CatalogError> {
        let setting = self.setting;
        let before = self.report.errors.len();
        let staged = stage(
            setting,
            self.columns,
            self.stock_columns,
            handle,
            rows,
            stored,
            &mut self.report,
        );
        for e in &self.report.errors[before..] {
            self.placed.insert((e.row, e.column.clone()));
        }
        let Some(staged) = staged else {
            return Ok(None);
        };
        let category = staged.form.category.parse::<i64>().unwrap_or(0);
        if let std::collections::hash_map::Entry::Vacant(slot) = self.definitions.entry(category) {
            // A category the file does not name rightly has no attributes (the rules refuse it on its cell); a
            // database failure stops the plan rather than dropping the product's attributes.
            let definitions = match definitions_for(self.db, category).await {
                Err(CatalogError::NotFound) => Vec::new(),
                other => other?,
            };
            slot.insert(definitions);
        }
        let pictures: Vec<String> = stored
            .map(|s| s.images.iter().map(|i| i.key.clone()).collect())
            .unwrap_or_default();
        let cx = Context {
            categories: &setting.leaves,
            attributes: &self.definitions[&category],
            warehouses: &setting.warehouses,
            pictures: &pictures,
            sku_prefix: &setting.sku_prefix,
            free_items: setting.free_items,
            backorders: setting.backorders,
        };
        let grandfathered = stored.is_some_and(published_without_picture);
        let mut valid = match check(&staged.form, &cx, grandfathered) {
            Ok(valid) if !staged.refused => valid,
            Ok(_) => return Ok(None),
            Err(errors) => {
                for e in errors {
                    let placed = staged.place(&e, self.stock_columns);
                    // Once per cell: a refused category is also a rule's complaint.
                    if self.placed.insert((placed.row, placed.column.clone())) {
                        self.report.errors.push(placed);
                    }
                }
                return Ok(None);
            }
        };
        if stored.is_none() {
            valid.handle = Some(handle.to_string());
        }
        if !skus_free(conn, setting, &valid, &staged, &mut self.file_skus, &mut self.report).await? {
            return Ok(None);
        }
        let needs_write = match stored.map(|s| check(s, &cx, grandfathered)) {
            None => compare(setting, &valid, None, &staged, &mut self.report),
            Some(Ok(before)) => compare(setting, &valid, Some(&before), &staged, &mut self.report),
            Some(Err(_)) => {
                // Stored before today's rules: nothing to compare field by field, so it is rewritten from the
                // file.
                self.report.products.update += 1;
                self.report.variants.update += valid.variants.len();
                self.report
                    .changes
                    .push(issue(staged.first, HANDLE, "Rewritten from the file".to_string()));
                true
            }
        };
        note_pictures(&mut self.report, &staged);
        Ok((needs_write || !staged.fetch.is_empty()).then_some((valid, staged)))
    }
}

/// Counts a product's pictures to fetch and says so among the changes.
fn note_pictures(report: &mut ImportReport, staged: &Staged) {
    let n = staged.fetch.len();
    if n == 0 {
        return;
    }
    report.pictures += n;
    report.changes.push(issue(
        staged.first,
        IMAGE_SRC,
        format!(
            "{} to fetch from {} after the import",
            model::count_of(n as i64, "picture", "pictures"),
            if n == 1 { "its address" } else { "their addresses" }
        ),
    ));
}

/// A stored product published before a picture was required (the demo catalog's are).
pub(super) fn published_without_picture(stored: &ProductForm) -> bool {
    ProductStatus::parse(&stored.status) == Some(ProductStatus::Active) && stored.images.is_empty()
}

/// The editor's rules, except that a product already published without a picture stays published: an import
/// does not unpublish what the file did not change, nor refuse the rest of the product for it.
pub(super) fn check(form: &ProductForm, cx: &Context<'_>, grandfathered: bool) -> Result<ValidProduct, Vec<RuleError>> {
    if grandfathered && ProductStatus::parse(&form.status) == Some(ProductStatus::Active) {
        let mut draft = form.clone();
        draft.status = ProductStatus::Draft.as_str().into();
        let mut valid = editor::validate(&draft, cx)?;
        valid.status = ProductStatus::Active;
        Ok(valid)
    } else {
        editor::validate(form, cx)
    }
}

pub(super) fn handle_ok(handle: &str) -> bool {
    handle.len() <= 150
        && !handle.starts_with('-')
        && handle
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Products of any store with these handles: handle → (id, store).
pub(super) async fn products_by_handle<'a>(
    conn: &mut AnyConnection,
    handles: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, (i64, i64)>, sqlx::Error> {
    let handles: Vec<&str> = handles.collect();
    let mut found = HashMap::new();
    for chunk in handles.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT slug, id, seller_id FROM products WHERE slug IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query_as::<_, Holder>(&sql);
        for h in chunk {
            query = query.bind(*h);
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.insert(row.slug, (row.id, row.seller_id));
        }
    }
    Ok(found)
}

/// A product holding a handle.
#[derive(sqlx::FromRow)]
struct Holder {
    slug: String,
    id: i64,
    seller_id: i64,
}

/// A variant holding a SKU (lowercase), with its product's store and handle.
#[derive(sqlx::FromRow)]
struct SkuHolder {
    sku: String,
    id: i64,
    seller_id: i64,
    slug: String,
}

/// Checks that each SKU is the product's own: not on another row of the file, not another variant's in the store
/// (compared by `editor::sku_key`; another store may use the same SKU).
pub(super) async fn skus_free(
    conn: &mut AnyConnection,
    setting: &Setting,
    valid: &ValidProduct,
    staged: &Staged,
    file_skus: &mut HashMap<String, usize>,
    report: &mut ImportReport,
) -> Result<bool, sqlx::Error> {
    let lowered: Vec<String> = valid.variants.iter().map(|v| editor::sku_key(&v.sku)).collect();
    let marks: Vec<String> = (2..=lowered.len() + 1).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT v.sku_key AS sku, v.id, p.seller_id, p.slug FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE v.seller_id = $1 AND v.sku_key IN ({})",
        marks.join(", ")
    );
    let mut query = sqlx::query_as::<_, SkuHolder>(&sql).bind(setting.store);
    for sku in &lowered {
        query = query.bind(sku);
    }
    let taken: HashMap<String, (i64, i64, String)> = query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|h| (h.sku, (h.id, h.seller_id, h.slug)))
        .collect();
    let mut free = true;
    for (i, (v, sku)) in valid.variants.iter().zip(&lowered).enumerate() {
        let row = staged.variant_rows.get(i).copied().unwrap_or(staged.first);
        if let Some(&earlier) = file_skus.get(sku) {
            report.errors.push(issue(
                row,
                SKU,
                format!(
                    "The SKU {} is also on row {earlier}: each variant needs its own SKU.",
                    v.sku
                ),
            ));
            free = false;
            continue;
        }
        file_skus.insert(sku.clone(), row);
        if let Some((id, seller, slug)) = taken.get(sku) {
            // A removed variant frees its SKU only when it is one of this product's own.
            if Some(*id) == v.id || (*seller == setting.store && valid.removed.contains(id)) {
                continue;
            }
            // Only the store's own SKUs are read: another store may use the same one.
            debug_assert_eq!(*seller, setting.store);
            let message = format!("The SKU {} belongs to another variant of your product {slug}.", v.sku);
            report.errors.push(issue(row, SKU, message));
            free = false;
        }
    }
    Ok(free)
}
