//! One product of a file as the editor's form: the stored product with the file's cells laid over it (a cell left
//! empty keeps what is stored), or a new product, with where each part came from in the file.

use std::collections::HashSet;

use model::markdown::html::{html_to_markdown, same_description};
use model::product_form::{ProductField, ProductStatus, VariantField};
use model::sellers::{ImportIssue, ImportReport, OptionInput, ProductForm, VariantInput};

use super::columns::*;
use super::plan::{published_without_picture, Setting, StockCell};
use super::sheet::{Columns, Line};
use crate::catalog::editor::{self, RuleError, MAX_PICTURES};
use crate::catalog::picture_fetches::{self, PictureToFetch};

/// A product of the file as the editor's form, with where each part of it came from in the file.
pub(super) struct Staged {
    pub(super) form: ProductForm,
    /// The first row of the product.
    pub(super) first: usize,
    /// Per variant of the form, its row (a stored variant the file does not mention: the first row).
    pub(super) variant_rows: Vec<usize>,
    /// Per picture of the form, the row that named it.
    pub(super) image_rows: Vec<usize>,
    /// Whether a cell was refused while building the form (the errors are in the report).
    pub(super) refused: bool,
    /// Pictures to fetch after the apply, in the file's order.
    pub(super) fetch: Vec<PictureToFetch>,
    /// The file says the product is active and it has no picture yet: published with its first fetched one.
    pub(super) publish: bool,
}

impl Staged {
    /// Where a rule's complaint belongs in the file.
    pub(super) fn place(&self, e: &RuleError, stock_columns: &[(usize, i64, String)]) -> ImportIssue {
        let at_first = |column: &str| issue(self.first, column, e.message.clone());
        match e.field {
            ProductField::Title => at_first(TITLE),
            ProductField::Description => at_first(BODY),
            ProductField::Status => at_first(STATUS),
            ProductField::SeoTitle => at_first(SEO_TITLE),
            ProductField::SeoDescription => at_first(SEO_DESCRIPTION),
            ProductField::Tags => at_first(TAGS),
            ProductField::Category | ProductField::Attribute(_) => at_first(CATEGORY),
            ProductField::Options => at_first(OPTION_NAMES[0]),
            ProductField::OptionName(i) => at_first(OPTION_NAMES[i.min(2)]),
            ProductField::Variants | ProductField::Id => at_first(HANDLE),
            ProductField::ImageAlt(i) => issue(
                self.image_rows.get(i).copied().unwrap_or(self.first),
                IMAGE_ALT,
                e.message.clone(),
            ),
            ProductField::Variant(i, part) => {
                let row = self.variant_rows.get(i).copied().unwrap_or(self.first);
                let column = match part {
                    VariantField::Sku => SKU.to_string(),
                    VariantField::Price => PRICE.to_string(),
                    VariantField::CompareAt => COMPARE_AT.to_string(),
                    VariantField::Weight => GRAMS.to_string(),
                    VariantField::Barcode => BARCODE.to_string(),
                    VariantField::Cost => COST.to_string(),
                    VariantField::Values => OPTION_VALUES[0].to_string(),
                    VariantField::Stock(w) => {
                        let warehouse = self
                            .form
                            .variants
                            .get(i)
                            .and_then(|v| v.stock.get(w))
                            .and_then(|s| s.warehouse.parse::<i64>().ok());
                        stock_columns
                            .iter()
                            .find(|(_, id, _)| Some(*id) == warehouse)
                            .map_or_else(|| QUANTITY.to_string(), |(_, _, name)| name.clone())
                    }
                };
                issue(row, &column, e.message.clone())
            }
        }
    }
}

/// The first non-empty cell of `column` among a product's rows (Shopify fills product columns on the first row
/// only).
pub(super) fn first_of<'a>(rows: &[&'a Line], columns: &Columns, column: &str) -> Option<&'a str> {
    rows.iter()
        .filter_map(|l| l.get(columns, column))
        .find(|c| !c.is_empty())
}

pub(super) fn moved_phrase(moved: i64) -> String {
    match moved {
        1 => "1 unit came in".to_string(),
        -1 => "1 unit went out".to_string(),
        n if n > 0 => format!("{n} units came in"),
        n => format!("{} units went out", -n),
    }
}

/// The figures of a `Bazaar Stock Exported` cell (`7:12 9:3`: warehouse id, units); `None` when it is empty or
/// not in that form (a spreadsheet reformatted it, or someone typed in it).
fn exported_figures(cell: &str) -> Option<Vec<(i64, i64)>> {
    let figures = cell
        .split_whitespace()
        .map(|pair| {
            let (warehouse, units) = pair.split_once(':')?;
            // Below zero: units a keep-selling variant owes (decision 0023).
            let units = units.parse::<i64>().ok().filter(|u| *u >= -editor::UNITS_MAX)?;
            Some((warehouse.parse::<i64>().ok()?, units))
        })
        .collect::<Option<Vec<_>>>()?;
    (!figures.is_empty()).then_some(figures)
}

/// A whole number of units typed in a cell; a negative count (Shopify allows overselling) reads as 0, unless it
/// is the figure stored now (`stored`: units a keep-selling variant owes, as exported), which stays as it is.
pub(super) fn units_cell(cell: &str, stored: &str, row: usize, column: &str, report: &mut ImportReport) -> String {
    match cell.parse::<i64>() {
        Ok(n) if n < 0 && cell != stored.trim() => {
            report.notices.push(issue(
                row,
                column,
                format!("{n} units read as 0: Bazaar does not sell stock it does not have."),
            ));
            "0".into()
        }
        _ => cell.to_string(),
    }
}

/// Builds the editor's form for one product of the file: the stored product with the file's values laid over
/// it (a cell left empty keeps what is stored), or a new product. `None` when a row is wrong in a way the form
/// cannot carry (the errors are in the report).
pub(super) fn stage(
    setting: &Setting,
    columns: &Columns,
    stock_columns: &[(usize, i64, String)],
    handle: &str,
    rows: &[&Line],
    stored: Option<&ProductForm>,
    report: &mut ImportReport,
) -> Option<Staged> {
    let errors_before = report.errors.len();
    let mut form = match stored {
        Some(stored) => stored.clone(),
        None => {
            let mut form = editor::new_form(&setting.warehouses);
            form.variants.clear();
            form
        }
    };
    let mut at = Staging {
        setting,
        columns,
        stock_columns,
        rows,
        stored,
        first: rows[0].row,
        report,
    };
    at.product_fields(&mut form, errors_before);
    let names_given = at.options(&mut form);
    let variant_rows = at.variants(&mut form, names_given);
    let (image_rows, fetch, publish) = at.pictures(&mut form);
    let first = at.first;
    if form.variants.is_empty() {
        report.errors.push(issue(
            first,
            PRICE,
            format!("The product {handle} has no variant row: give at least one row a Variant Price."),
        ));
        return None;
    }
    // A product with a refused cell is still checked by the rules, so each of its rows names every problem.
    Some(Staged {
        refused: report.errors.len() > errors_before,
        form,
        first,
        variant_rows,
        image_rows,
        fetch,
        publish,
    })
}

/// One product's rows being laid over its form.
struct Staging<'a, 'r> {
    setting: &'a Setting,
    columns: &'a Columns,
    stock_columns: &'a [(usize, i64, String)],
    rows: &'a [&'a Line],
    stored: Option<&'a ProductForm>,
    /// The product's first row, where its own columns are.
    first: usize,
    report: &'r mut ImportReport,
}

impl<'a> Staging<'a, '_> {
    fn first_of(&self, column: &str) -> Option<&'a str> {
        first_of(self.rows, self.columns, column)
    }

    fn error(&mut self, row: usize, column: &str, message: impl Into<String>) {
        self.report.errors.push(issue(row, column, message));
    }

    /// Title, description, category and status.
    fn product_fields(&mut self, form: &mut ProductForm, errors_before: usize) {
        if let Some(title) = self.first_of(TITLE) {
            form.title = title.to_string();
        }
        if self.columns.at.contains_key(BODY) {
            let description = html_to_markdown(self.first_of(BODY).unwrap_or_default());
            // What reads the same on the page is no change: the stored text stays as the seller wrote it.
            if self.stored.is_none() || !same_description(&description, &form.description) {
                form.description = description;
            }
        }
        // What search engines show: kept as the file says, where it has the columns.
        if self.columns.at.contains_key(SEO_TITLE) {
            form.seo_title = self.first_of(SEO_TITLE).unwrap_or_default().to_string();
        }
        if self.columns.at.contains_key(SEO_DESCRIPTION) {
            form.seo_description = self.first_of(SEO_DESCRIPTION).unwrap_or_default().to_string();
        }
        if self.columns.at.contains_key(TAGS) {
            form.tags = self.first_of(TAGS).unwrap_or_default().to_string();
        }
        // The category: ours, else Shopify's Type or Product Category when they name one of ours, else the stored
        // one, else the one chosen for the file.
        let category = match self.first_of(CATEGORY).map(str::to_string) {
            Some(typed) => self.setting.category(&typed).or_else(|| {
                self.error(
                    self.first,
                    CATEGORY,
                    format!(
                        "There is no category “{typed}”: use a category's address from the list on the import page."
                    ),
                );
                None
            }),
            None => self
                .first_of(TYPE)
                .and_then(|t| self.setting.category(t))
                .or_else(|| {
                    self.first_of(PRODUCT_CATEGORY)
                        .and_then(|path| self.setting.category_in_path(path))
                })
                .or_else(|| self.stored.and_then(|s| s.category.parse().ok()))
                .or(self.setting.default_category),
        };
        match category {
            Some(id) => form.category = id.to_string(),
            None if self.report.errors.len() == errors_before => self.error(
                self.first,
                CATEGORY,
                "Name the product's category in a Bazaar Category column, or choose a category for the rows \
                 without one when you upload the file.",
            ),
            None => {}
        }
        self.status(form);
    }

    /// Status, else Published (Shopify's TRUE or FALSE).
    fn status(&mut self, form: &mut ProductForm) {
        let active = ProductStatus::parse(&form.status) == Some(ProductStatus::Active);
        let mut set = |status: ProductStatus| form.status = status.as_str().to_string();
        if let Some(typed) = self.first_of(STATUS) {
            match ProductStatus::parse(typed) {
                Some(status) => set(status),
                None => self.error(self.first, STATUS, "Use active, draft or archived."),
            }
            return;
        }
        match self.first_of(PUBLISHED).map(str::to_lowercase) {
            Some(p) if ["true", "yes", "1"].contains(&p.as_str()) => set(ProductStatus::Active),
            // Unpublished: a live (or new) product is a draft; an archived one stays archived.
            Some(p) if ["false", "no", "0"].contains(&p.as_str()) && (active || self.stored.is_none()) => {
                set(ProductStatus::Draft)
            }
            Some(p) if ["false", "no", "0"].contains(&p.as_str()) => {}
            Some(_) => self.error(self.first, PUBLISHED, "Use TRUE or FALSE."),
            None => {}
        }
    }

    /// Options: the names the file gives (Shopify's "Title: Default Title" is no option), else the stored ones.
    /// Whether the file names them.
    fn options(&mut self, form: &mut ProductForm) -> bool {
        let names_given = OPTION_NAMES.iter().any(|c| self.columns.at.contains_key(c));
        let names: Vec<String> = if names_given {
            let placeholder = self.first_of(OPTION_VALUES[0]) == Some(DEFAULT_OPTION.1);
            OPTION_NAMES
                .iter()
                .map_while(|c| self.first_of(c))
                .filter(|n| *n != DEFAULT_OPTION.0 || !placeholder)
                .map(str::to_string)
                .collect()
        } else {
            form.options.iter().map(|o| o.name.clone()).collect()
        };
        if names_given || self.stored.is_none() {
            form.options = names
                .into_iter()
                .map(|name| OptionInput {
                    name,
                    values: String::new(),
                })
                .collect();
        }
        names_given
    }

    /// Each variant row laid over the stored variant it is (by SKU, else by option values) or added as a new one.
    /// Per variant of the form, its row.
    fn variants(&mut self, form: &mut ProductForm, names_given: bool) -> Vec<usize> {
        let mut variant_rows = vec![self.first; form.variants.len()];
        let mut claimed: HashSet<usize> = HashSet::new();
        let (rows, columns) = (self.rows, self.columns);
        for line in rows.iter().filter(|l| l.is_variant(columns)) {
            let values: Vec<String> = (0..form.options.len())
                .map(|n| line.get(self.columns, OPTION_VALUES[n]).unwrap_or_default().to_string())
                .collect();
            let sku = line.get(self.columns, SKU).unwrap_or_default();
            let matched = stored_variant(form, &claimed, sku, &values);
            let mut v = match matched {
                Some(i) => form.variants[i].clone(),
                None => editor::new_variant(&self.setting.warehouses),
            };
            if names_given || matched.is_none() {
                v.values = values;
            }
            if !sku.is_empty() {
                v.sku = sku.to_string();
            }
            self.variant_cells(line, &mut v, matched.is_none());
            self.stock_cells(line, &mut v);
            match matched {
                Some(i) => {
                    claimed.insert(i);
                    form.variants[i] = v;
                    variant_rows[i] = line.row;
                }
                None => {
                    form.variants.push(v);
                    variant_rows.push(line.row);
                }
            }
        }
        variant_rows
    }

    /// Price, compare-at price and weight of a row.
    fn variant_cells(&mut self, line: &Line, v: &mut VariantInput, new: bool) {
        let row = line.row;
        if let Some(price) = line.get(self.columns, PRICE).filter(|p| !p.is_empty() || new) {
            v.price = price.to_string();
        }
        if let Some(compare_at) = line.get(self.columns, COMPARE_AT) {
            // Shopify files often repeat the price (or write 0) as the compare-at price: that is no sale price.
            let price = editor::parse_money(&v.price);
            match editor::parse_money(compare_at) {
                Some(c) if price.is_some_and(|p| c <= p) => {
                    if c > 0 && !v.compare_at.is_empty() {
                        self.report.notices.push(issue(
                            row,
                            COMPARE_AT,
                            "Not a sale price (it is not above the price), so none is shown.",
                        ));
                    }
                    v.compare_at.clear();
                }
                _ => v.compare_at = compare_at.to_string(),
            }
        }
        if let Some(grams) = line.get(self.columns, GRAMS).filter(|g| !g.is_empty()) {
            // Shopify writes grams with a decimal point ("250.0").
            v.weight = match grams.parse::<f64>() {
                Ok(g) if g.is_finite() && g >= 0.0 && grams.contains('.') => format!("{}", g.round() as i64),
                _ => grams.to_string(),
            };
        } else if let Some(weight) = line.get(self.columns, WEIGHT).filter(|w| !w.is_empty()) {
            match in_grams(weight, line.get(self.columns, WEIGHT_UNIT).unwrap_or("g")) {
                Some(grams) => v.weight = grams.to_string(),
                None => self.error(
                    row,
                    WEIGHT,
                    "Give the weight as a number with its unit in Variant Weight Unit: g, kg, lb or oz.",
                ),
            }
        }
        // A column the file has sets the value, an empty cell clears it (as the editor's field would).
        if let Some(barcode) = line.get(self.columns, BARCODE) {
            v.barcode = barcode.to_string();
        }
        if let Some(cost) = line.get(self.columns, COST) {
            v.cost = cost.to_string();
        }
        if let Some(policy) = line.get(self.columns, INVENTORY_POLICY) {
            match policy.to_ascii_lowercase().as_str() {
                // Without backorders the planner says once that these stop selling at 0.
                "continue" if self.setting.backorders => v.keep_selling = "on".into(),
                "continue" | "deny" => v.keep_selling.clear(),
                // An empty cell keeps what is stored, as every other cell.
                "" => {}
                _ => self.error(
                    row,
                    INVENTORY_POLICY,
                    "Write continue (keep selling when out of stock) or deny (stop at 0).",
                ),
            }
        }
    }

    /// A row's stock figures: one per warehouse column, else the total when the store has one warehouse.
    fn stock_cells(&mut self, line: &Line, v: &mut VariantInput) {
        let row = line.row;
        let exported = line.get(self.columns, STOCK_EXPORTED).and_then(exported_figures);
        let variant_id = v.id.parse::<i64>().ok();
        // A file that gives the figures it was exported with must give them on every row of a stored variant:
        // without them a figure would be taken as the new level and could put back units sold since the export.
        if self.columns.at.contains_key(STOCK_EXPORTED) && exported.is_none() && variant_id.is_some() {
            let stock_typed = self
                .stock_columns
                .iter()
                .any(|(at, _, _)| line.cells.get(*at).is_some_and(|c| !c.trim().is_empty()))
                || line.has(self.columns, QUANTITY);
            if stock_typed {
                self.error(
                    row,
                    STOCK_EXPORTED,
                    "This row's Bazaar Stock Exported is empty or changed (it reads like 7:12 9:3, as exported): \
                     export the catalog again, or delete the column to set the figures as they are.",
                );
                return;
            }
        }
        // A warehouse the export did not list had no units then (it was added since).
        let cell_at = |column: &'a str, warehouse: &str| StockCell {
            row,
            column,
            exported: exported.as_ref().filter(|_| variant_id.is_some()).map(|figures| {
                figures
                    .iter()
                    .find(|(w, _)| w.to_string() == warehouse)
                    .map_or(0, |(_, units)| *units)
            }),
        };
        let stock_columns = self.stock_columns;
        if !stock_columns.is_empty() {
            for (at, warehouse, column) in stock_columns {
                let cell = line.cells.get(*at).map_or("", |c| restore(c.trim()));
                if cell.is_empty() {
                    continue;
                }
                if let Some(s) = v.stock.iter_mut().find(|s| s.warehouse == warehouse.to_string()) {
                    let units = units_cell(cell, &s.was, row, column, self.report);
                    self.setting
                        .lay_stock(&cell_at(column, &s.warehouse), s, units, self.report);
                }
            }
            return;
        }
        let Some(quantity) = line.get(self.columns, QUANTITY).filter(|q| !q.is_empty()) else {
            return;
        };
        // With several warehouses, the figure is the default warehouse's (the planner says so once).
        let default = self.setting.default_warehouse.to_string();
        if let Some(cell) = v.stock.iter_mut().find(|s| s.warehouse == default) {
            let units = units_cell(quantity, &cell.was, row, QUANTITY, self.report);
            let at = cell_at(QUANTITY, &cell.warehouse);
            self.setting.lay_stock(&at, cell, units, self.report);
        }
    }

    /// Whether an earlier import's fetch of `src` for this (stored) product is still on its way.
    fn pending(&self, form: &ProductForm, src: &str) -> bool {
        form.id
            .parse::<i64>()
            .is_ok_and(|id| self.setting.pending_pictures.contains(&(id, src.to_string())))
    }

    /// Pictures: a row's Image Src that is one of the product's pictures (by its key, or by the address it was
    /// fetched from) carries its alt text; any other address (and each Variant Image) is a picture to fetch after
    /// the apply, in the file's order (Image Position where given). A product the file says is active and that
    /// has no picture yet comes in as a draft and is published with its first fetched picture. Per picture of the
    /// form, its row.
    fn pictures(&mut self, form: &mut ProductForm) -> (Vec<usize>, Vec<PictureToFetch>, bool) {
        let mut image_rows = vec![self.first; form.images.len()];
        let mut fetch: Vec<(i64, PictureToFetch)> = Vec::new();
        let rows = self.rows;
        for line in rows {
            let position = line
                .get(self.columns, IMAGE_POSITION)
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(i64::MAX);
            let (alt, variant_alt) = alts(line, self.columns, form);
            let sources = [
                (IMAGE_SRC, alt.as_str(), position),
                (VARIANT_IMAGE, variant_alt.as_str(), i64::MAX),
            ];
            for (column, alt, position) in sources {
                let Some(src) = line.get(self.columns, column).filter(|s| !s.is_empty()) else {
                    continue;
                };
                let shown = form.images.iter().position(|i| {
                    (!i.source.is_empty() && i.source == src) || (i.key.len() == 64 && src.contains(&i.key))
                });
                match shown {
                    Some(i) if column == IMAGE_SRC => {
                        image_rows[i] = line.row;
                        if line.has(self.columns, IMAGE_ALT) {
                            form.images[i].alt = alt.to_string();
                        }
                    }
                    Some(_) => {}
                    None if fetch.iter().any(|(_, f)| f.url == src) || self.pending(form, src) => {}
                    None if !picture_fetches::fetch::web_address(src) => self.report.notices.push(issue(
                        line.row,
                        column,
                        "Not fetched: a picture's address starts with http:// or https://.",
                    )),
                    None if form.images.len() + fetch.len() >= MAX_PICTURES => self.report.notices.push(issue(
                        line.row,
                        column,
                        format!("Not fetched: a product has at most {MAX_PICTURES} pictures."),
                    )),
                    None => fetch.push((
                        position,
                        PictureToFetch {
                            url: src.to_string(),
                            alt: alt.to_string(),
                            row: line.row,
                        },
                    )),
                }
            }
        }
        // In the file's order: by Image Position, else as the rows come (a stable sort).
        fetch.sort_by_key(|(position, _)| *position);
        let mut publish = false;
        if ProductStatus::parse(&form.status) == Some(ProductStatus::Active)
            && form.images.is_empty()
            && !self.stored.is_some_and(published_without_picture)
        {
            form.status = ProductStatus::Draft.as_str().into();
            let note = if fetch.is_empty() {
                "Imported as a draft: a product is published once it has a picture. Upload one in the product's \
                 editor, then publish it."
            } else {
                "Imported as a draft and published as soon as its first picture is fetched."
            };
            self.report.notices.push(issue(self.first, STATUS, note));
            publish = !fetch.is_empty();
        }
        (image_rows, fetch.into_iter().map(|(_, f)| f).collect(), publish)
    }
}

/// The alt text of a row's Image Src and of its Variant Image. A picture without alt text is described by what it
/// shows as far as the file says: its product (and variant). The editor asks for alt text on every picture, so
/// one left empty would stop the next save.
fn alts(line: &Line, columns: &Columns, form: &ProductForm) -> (String, String) {
    // One line of at most the editor's length: a quoted cell may hold line breaks, a long one is cut.
    let alt: String = line
        .get(columns, IMAGE_ALT)
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(editor::ALT_MAX)
        .collect();
    let values: Vec<&str> = OPTION_VALUES
        .iter()
        .filter_map(|c| line.get(columns, c))
        .filter(|v| !v.is_empty() && *v != DEFAULT_OPTION.1)
        .collect();
    let variant_alt = match values.is_empty() {
        true => form.title.clone(),
        false => format!("{} – {}", form.title, values.join(" / "))
            .chars()
            .take(editor::ALT_MAX)
            .collect(),
    };
    let alt = if alt.is_empty() { form.title.clone() } else { alt };
    (alt, variant_alt)
}

/// A weight in a unit, in whole grams; `None` for a unit or number that is not one.
fn in_grams(weight: &str, unit: &str) -> Option<i64> {
    let per_unit = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "g" => 1.0,
        "kg" => 1000.0,
        "lb" => 453.592_37,
        "oz" => 28.349_523_125,
        _ => return None,
    };
    let n = weight.trim().replace(',', ".").parse::<f64>().ok()?;
    (n.is_finite() && n >= 0.0).then(|| (n * per_unit).round() as i64)
}

/// The stored variant a row is, not yet claimed by another row: by SKU, else (a row without SKU) by its option
/// values.
fn stored_variant(form: &ProductForm, claimed: &HashSet<usize>, sku: &str, values: &[String]) -> Option<usize> {
    let open = |i: &usize, v: &VariantInput| !claimed.contains(i) && !v.id.is_empty();
    form.variants
        .iter()
        .enumerate()
        .find(|(i, v)| open(i, v) && !sku.is_empty() && editor::sku_key(&v.sku) == editor::sku_key(sku))
        .or_else(|| {
            form.variants.iter().enumerate().find(|(i, v)| {
                // A row with neither SKU nor values is the product's one variant when it has no options (a
                // Shopify row whose repeated SKU was left out), never any variant of a product with options.
                open(i, v)
                    && (sku.is_empty() || v.sku.is_empty())
                    && (!values.is_empty() || sku.is_empty())
                    && v.values
                        .iter()
                        .map(|s| s.to_lowercase())
                        .eq(values.iter().map(|s| s.to_lowercase()))
            })
        })
        .map(|(i, _)| i)
}
