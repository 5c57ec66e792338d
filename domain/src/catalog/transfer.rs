//! A store's catalog as CSV, one row per variant, in the columns of Shopify's product CSV so a Shopify export
//! imports as it is: Handle, Title, Body (HTML), Vendor, Type, Tags, Published, Option1 Name … Option3 Value,
//! Variant SKU, Variant Grams, Variant Inventory Qty, Variant Price, Variant Compare At Price, Image Src, Image
//! Alt Text, Status. Two columns of our own: `Bazaar Category` (a category's address, e.g. `kettles`) and one
//! `Bazaar Stock: <warehouse>` per warehouse. Other columns are ignored and the report says which.
//!
//! An import is planned before anything is written: each product of the file is turned into the product form a
//! seller would have sent (starting from the stored product when its Handle exists), checked by the editor's own
//! rules (`editor::validate`), and compared with what is stored. The plan is the dry run's report; applying runs
//! the same plan again inside the write transaction and writes each changed product through the editor's save
//! step, so an import can do nothing a seller could not do in the editor, and importing a file twice (or an
//! export, unchanged) changes nothing.

use std::collections::{HashMap, HashSet};

use model::markdown::{parse_markdown, Block, Inline};
use model::product_form::{ProductField, ProductStatus, VariantField};
use model::sellers::{ImportGuide, ImportIssue, ImportReport, OptionInput, ProductForm, StockInput, VariantInput};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use super::attributes::{definitions_for, AttributeDefinition};
use super::editor::{self, Context, RuleError, ValidProduct, ValidVariant};
use super::CatalogError;
use crate::platform::{Actor, Db};

/// The largest file an import reads.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The most product rows one file may hold.
pub const MAX_ROWS: usize = 50_000;

const HANDLE: &str = "Handle";
const TITLE: &str = "Title";
const BODY: &str = "Body (HTML)";
const VENDOR: &str = "Vendor";
const TYPE: &str = "Type";
const TAGS: &str = "Tags";
const PUBLISHED: &str = "Published";
const OPTION_NAMES: [&str; 3] = ["Option1 Name", "Option2 Name", "Option3 Name"];
const OPTION_VALUES: [&str; 3] = ["Option1 Value", "Option2 Value", "Option3 Value"];
const SKU: &str = "Variant SKU";
const GRAMS: &str = "Variant Grams";
const QUANTITY: &str = "Variant Inventory Qty";
const PRICE: &str = "Variant Price";
const COMPARE_AT: &str = "Variant Compare At Price";
const IMAGE_SRC: &str = "Image Src";
const IMAGE_ALT: &str = "Image Alt Text";
const STATUS: &str = "Status";
const CATEGORY: &str = "Bazaar Category";
/// When the row's stock figures were read (RFC 3339, UTC): an import changes a figure only where the seller
/// changed it, never back over units sold since the export (decision 0016's rule, applied to a file).
const STOCK_AS_OF: &str = "Bazaar Stock As Of";
const STOCK_PREFIX: &str = "Bazaar Stock: ";

/// The columns an import reads, in the order an export writes them (the stock columns follow).
const KNOWN: [&str; 23] = [
    HANDLE,
    TITLE,
    BODY,
    VENDOR,
    TYPE,
    TAGS,
    PUBLISHED,
    OPTION_NAMES[0],
    OPTION_VALUES[0],
    OPTION_NAMES[1],
    OPTION_VALUES[1],
    OPTION_NAMES[2],
    OPTION_VALUES[2],
    SKU,
    GRAMS,
    QUANTITY,
    PRICE,
    COMPARE_AT,
    IMAGE_SRC,
    IMAGE_ALT,
    STATUS,
    CATEGORY,
    STOCK_AS_OF,
];

/// Shopify's placeholder option of a product without options.
const DEFAULT_OPTION: (&str, &str) = ("Title", "Default Title");

// ---------------------------------------------------------------------------------------------------------------
// Cells

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return first) gets an
/// apostrophe in front: the spreadsheet shows it as text (CSV injection).
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some(c) if starts_formula(c) => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The characters that make a spreadsheet read a cell as a formula; spreadsheets in East Asian locales take the
/// full-width forms (`＝＋－＠`) for the same.
fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
}

/// The reverse of `neutralise`, so an exported cell reads back as it was.
fn restore(cell: &str) -> &str {
    let mut chars = cell.chars();
    match (chars.next(), chars.next()) {
        (Some('\''), Some(c)) if starts_formula(c) => &cell[1..],
        _ => cell,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Descriptions: our markdown subset to and from HTML

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn inline_html(parts: &[Inline], out: &mut String) {
    for part in parts {
        match part {
            Inline::Text(t) => out.push_str(&escape_html(t)),
            Inline::Strong(t) => {
                out.push_str("<strong>");
                out.push_str(&escape_html(t));
                out.push_str("</strong>");
            }
        }
    }
}

/// A description as the HTML the product page shows (the Body (HTML) of an export).
pub fn markdown_to_html(source: &str) -> String {
    let mut out = String::new();
    for block in parse_markdown(source) {
        match block {
            Block::Paragraph(parts) => {
                out.push_str("<p>");
                inline_html(&parts, &mut out);
                out.push_str("</p>");
            }
            Block::List(items) => {
                out.push_str("<ul>");
                for item in items {
                    out.push_str("<li>");
                    inline_html(&item, &mut out);
                    out.push_str("</li>");
                }
                out.push_str("</ul>");
            }
        }
    }
    out
}

/// Replaces the character references a product description uses; an unknown one stays as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // A reference is short: its ';' within 12 bytes (';' is ASCII, so the position is a character boundary
        // even when the text around it is not).
        let Some(end) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            "ndash" => Some('–'),
            "mdash" => Some('—'),
            "hellip" => Some('…'),
            "lsquo" => Some('‘'),
            "rsquo" => Some('’'),
            "ldquo" => Some('“'),
            "rdquo" => Some('”'),
            "copy" => Some('©'),
            "reg" => Some('®'),
            "trade" => Some('™'),
            "deg" => Some('°'),
            "times" => Some('×'),
            "euro" => Some('€'),
            "pound" => Some('£'),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32)
                .filter(|c| !c.is_control() || c.is_whitespace()),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Product HTML (a Shopify Body) as our description: paragraphs, lists and bold survive, every other tag is
/// dropped and the text of scripts, styles and the like with it. The result is text the product page escapes,
/// so nothing in the HTML can run; this only decides what is kept readable.
pub fn html_to_markdown(html: &str) -> String {
    /// Tags whose content is not text a shopper should read.
    const HIDDEN: [&str; 9] = [
        "script", "style", "head", "template", "noscript", "iframe", "svg", "object", "title",
    ];
    /// Tags that end a paragraph.
    const BLOCKS: [&str; 22] = [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "table",
        "tr",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "figure",
        "main",
        "aside",
        "dl",
    ];
    struct State {
        blocks: Vec<String>,
        paragraph: String,
        list: Vec<String>,
        item: Option<String>,
        hidden: usize,
    }
    impl State {
        fn target(&mut self) -> &mut String {
            match self.item.as_mut() {
                Some(item) => item,
                None => &mut self.paragraph,
            }
        }
        fn push_text(&mut self, text: &str) {
            let target = self.target();
            for c in text.chars() {
                if c.is_whitespace() {
                    if !target.is_empty() && !target.ends_with(' ') {
                        target.push(' ');
                    }
                } else {
                    target.push(c);
                }
            }
        }
        fn end_paragraph(&mut self) {
            let text = tidy(&self.paragraph);
            if !text.is_empty() {
                self.blocks.push(text);
            }
            self.paragraph.clear();
        }
        fn end_item(&mut self) {
            if let Some(item) = self.item.take() {
                let text = tidy(&item);
                if !text.is_empty() {
                    self.list.push(format!("- {text}"));
                }
            }
        }
        fn end_list(&mut self) {
            self.end_item();
            if !self.list.is_empty() {
                self.blocks.push(self.list.join("\n"));
                self.list.clear();
            }
        }
    }
    /// Drops empty bold markers and the spaces around the text.
    fn tidy(text: &str) -> String {
        let mut t = text.trim().to_string();
        for empty in ["** **", "****"] {
            while t.contains(empty) {
                t = t.replace(empty, " ");
            }
        }
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    }
    let mut s = State {
        blocks: Vec::new(),
        paragraph: String::new(),
        list: Vec::new(),
        item: None,
        hidden: 0,
    };
    let mut rest = html;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            if s.hidden == 0 {
                s.push_text(&decode_entities(rest).replace("**", "* *"));
            }
            break;
        };
        if s.hidden == 0 {
            s.push_text(&decode_entities(&rest[..open]).replace("**", "* *"));
        }
        rest = &rest[open..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else {
            // A lone '<' is text.
            if s.hidden == 0 {
                s.push_text(&decode_entities(rest));
            }
            break;
        };
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let self_closing = tag.ends_with('/');
        if HIDDEN.contains(&name.as_str()) {
            if closing {
                s.hidden = s.hidden.saturating_sub(1);
            } else if !self_closing {
                s.hidden += 1;
            }
            continue;
        }
        if s.hidden > 0 {
            continue;
        }
        match name.as_str() {
            "ul" | "ol" => {
                if closing {
                    s.end_list();
                } else {
                    s.end_paragraph();
                }
            }
            "li" => {
                s.end_item();
                if !closing {
                    s.end_paragraph();
                    s.item = Some(String::new());
                }
            }
            "strong" | "b" => s.target().push_str("**"),
            "td" | "th" | "dd" | "dt" => s.push_text(" "),
            _ if BLOCKS.contains(&name.as_str()) => {
                // A heading reads as a bold paragraph of its own.
                let heading = name.len() == 2 && name.starts_with('h') && name != "hr";
                if s.item.is_some() {
                    s.push_text(" ");
                } else {
                    if heading && closing {
                        s.paragraph.push_str("**");
                    }
                    s.end_list();
                    s.end_paragraph();
                    if heading && !closing {
                        s.paragraph.push_str("**");
                    }
                }
            }
            _ => {}
        }
    }
    s.end_list();
    s.end_paragraph();
    s.blocks.join("\n\n")
}

/// Whether two descriptions read the same on the product page (line breaks and runs of spaces aside).
fn same_description(a: &str, b: &str) -> bool {
    fn normal(source: &str) -> Vec<Block> {
        let squash = |t: &String| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let inline = |parts: Vec<Inline>| -> Vec<Inline> {
            parts
                .into_iter()
                .map(|p| match p {
                    Inline::Text(t) => Inline::Text(squash(&t)),
                    Inline::Strong(t) => Inline::Strong(squash(&t)),
                })
                .filter(|p| !matches!(p, Inline::Text(t) | Inline::Strong(t) if t.is_empty()))
                .collect()
        };
        parse_markdown(source)
            .into_iter()
            .map(|b| match b {
                Block::Paragraph(parts) => Block::Paragraph(inline(parts)),
                Block::List(items) => Block::List(items.into_iter().map(inline).collect()),
            })
            .collect()
    }
    normal(a) == normal(b)
}

// ---------------------------------------------------------------------------------------------------------------
// Export

/// The export's file name: the store's address and the day (`oak-iron-products-2026-12-02.csv`).
pub async fn export_name(db: &Db, actor: &Actor) -> Result<String, CatalogError> {
    let store = editor::own_store(actor)?;
    let slug: String = sqlx::query_scalar("SELECT slug FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_optional(db.pool())
        .await?
        .ok_or(CatalogError::NotFound)?;
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
    let store = editor::own_store(actor)?;
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
            categories: super::categories(db).await?,
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
struct ExportSheet {
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
            // Taken before the figures are read: a movement in between counts as after it, so an import of this
            // file refuses that figure rather than putting the moved units back.
            let as_of = crate::platform::clock::rfc3339_ms(crate::platform::clock::now_ms());
            // The form the editor shows is what an import compares with: one reading of a product for both.
            let form = editor::load_form(&mut conn, self.store, *id).await?;
            forms.push((slug.as_str(), as_of, form));
        }
        drop(conn);
        self.rows(&forms, first)
    }

    /// Rows of the products read, one per variant (and one per picture beyond the variants).
    fn rows(&self, forms: &[(&str, String, ProductForm)], first: bool) -> Result<Vec<u8>, CatalogError> {
        let start = if first { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        let mut csv = csv::WriterBuilder::new().from_writer(start);
        if first {
            csv.write_record(&self.header).map_err(write_failed)?;
        }
        for (slug, as_of, form) in forms {
            for r in 0..form.variants.len().max(form.images.len()) {
                csv.write_record(self.row(slug, as_of, form, r)).map_err(write_failed)?;
            }
        }
        csv.into_inner().map_err(|e| write_failed(e.into_error().into()))
    }

    /// Row `r` of a product: its own columns on the first row, variant `r`, picture `r`.
    fn row(&self, slug: &str, as_of: &str, form: &ProductForm, r: usize) -> Vec<String> {
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
            let mut total = 0;
            for s in &v.stock {
                let units: i64 = s.units.parse().unwrap_or(0);
                total += units;
                if let Some((_, name)) = self.warehouses.iter().find(|(w, _)| w.to_string() == s.warehouse) {
                    set(&format!("{STOCK_PREFIX}{name}"), units.to_string());
                }
            }
            set(QUANTITY, total.to_string());
            set(STOCK_AS_OF, as_of.to_string());
        }
        if let Some(image) = form.images.get(r) {
            set(
                IMAGE_SRC,
                format!("{}{}", self.base, super::images::thumb_url(&image.key, 480)),
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

fn write_failed(e: csv::Error) -> CatalogError {
    tracing::error!(error = %e, "a CSV row could not be written");
    CatalogError::Conflict("The export could not be written; please try again.".into())
}

/// What the import page lists for the actor's store: categories and stock columns.
pub async fn guide(db: &Db, actor: &Actor) -> Result<ImportGuide, CatalogError> {
    let store = editor::own_store(actor)?;
    let mut conn = db.pool().acquire().await?;
    let (store_name, store_slug): (String, String) =
        sqlx::query_as("SELECT store_name, slug FROM sellers WHERE id = $1")
            .bind(store)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(CatalogError::NotFound)?;
    let warehouses = editor::warehouses_of(&mut conn, store).await?;
    let all = super::categories(db).await?;
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

// ---------------------------------------------------------------------------------------------------------------
// Reading a file

/// The header: where each column we read is, and the stock columns' warehouse names.
struct Columns {
    at: HashMap<&'static str, usize>,
    /// (position, warehouse name as written).
    stock: Vec<(usize, String)>,
}

/// One product row of the file.
struct Line {
    row: usize,
    cells: Vec<String>,
}

impl Line {
    /// The trimmed cell of `column`; `None` when the file has no such column.
    fn get(&self, columns: &Columns, column: &str) -> Option<&str> {
        let at = *columns.at.get(column)?;
        Some(self.cells.get(at).map_or("", |c| restore(c.trim())))
    }

    fn has(&self, columns: &Columns, column: &str) -> bool {
        self.get(columns, column).is_some_and(|c| !c.is_empty())
    }

    /// Whether the row describes a variant (rather than only one more picture).
    fn is_variant(&self, columns: &Columns) -> bool {
        [SKU, PRICE, COMPARE_AT, GRAMS, QUANTITY]
            .iter()
            .chain(OPTION_VALUES.iter())
            .any(|c| self.has(columns, c))
            || columns
                .stock
                .iter()
                .any(|(at, _)| self.cells.get(*at).is_some_and(|c| !c.trim().is_empty()))
    }
}

/// `text` without `prefix` (ASCII, any case); `None` when it does not start with it. Never cuts a character:
/// `get` answers `None` where the prefix's length falls inside one (`Prix barré (€)`).
fn strip_prefix_any_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

fn issue(row: usize, column: &str, message: impl Into<String>) -> ImportIssue {
    ImportIssue {
        row,
        column: column.to_string(),
        message: message.into(),
    }
}

/// The separator of a file, from its first row: a comma, or the semicolon that spreadsheets write where a comma
/// is the decimal mark (much of Europe), or a tab. A column name never holds any of them.
fn separator(body: &str) -> u8 {
    let header = body.lines().next().unwrap_or_default();
    let count = |c: char| header.matches(c).count();
    [b';', b'\t']
        .into_iter()
        .find(|&s| count(s as char) > count(','))
        .unwrap_or(b',')
}

/// Reads the header and rows; a file that cannot be read at all is one error at the row where it failed.
fn read_sheet(body: &str, report: &mut ImportReport) -> Option<(Columns, Vec<Line>)> {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(separator(body))
        .from_reader(body.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(_)) | None => {
            report.errors.push(issue(
                1,
                HANDLE,
                "The file is empty: the first row must name the columns (Handle, Title, Variant SKU, …).",
            ));
            return None;
        }
    };
    let mut at = HashMap::new();
    let mut stock = Vec::new();
    let mut ignored = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if let Some(known) = KNOWN.iter().find(|k| k.eq_ignore_ascii_case(name)) {
            at.entry(*known).or_insert(i);
        } else if let Some(warehouse) = strip_prefix_any_case(name, STOCK_PREFIX).filter(|w| !w.trim().is_empty()) {
            stock.push((i, warehouse.trim().to_string()));
        } else if !name.is_empty() {
            ignored.push(name.to_string());
        }
    }
    if !at.contains_key(HANDLE) {
        report.errors.push(issue(
            1,
            HANDLE,
            "The first row has no Handle column: it must name the columns (Handle, Title, Variant SKU, …), as in a \
             Shopify product export or a Bazaar export.",
        ));
        return None;
    }
    if !ignored.is_empty() {
        let mut names = ignored.iter().take(12).cloned().collect::<Vec<_>>().join(", ");
        if ignored.len() > 12 {
            names.push_str(&format!(" and {} more", ignored.len() - 12));
        }
        report.notices.push(issue(
            1,
            "",
            format!("Bazaar does not use these columns; they were ignored: {names}."),
        ));
    }
    let columns = Columns { at, stock };
    let mut lines = Vec::new();
    for (n, record) in records.enumerate() {
        let row = n + 2;
        if lines.len() >= MAX_ROWS {
            report.errors.push(issue(
                row,
                HANDLE,
                format!("A file may hold at most {MAX_ROWS} rows; split it and import the parts one after another."),
            ));
            return None;
        }
        match record {
            Ok(record) => {
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                lines.push(Line {
                    row,
                    cells: record.iter().map(str::to_string).collect(),
                });
            }
            Err(e) => {
                tracing::info!(error = %e, row, "an import row could not be read");
                report.errors.push(issue(
                    row,
                    "",
                    "This row could not be read (a quote that is not closed?). Save the file again as CSV and \
                     import it.",
                ));
            }
        }
    }
    report.rows = lines.len();
    Some((columns, lines))
}

// ---------------------------------------------------------------------------------------------------------------
// Planning

/// What an import would write: the report, and each product that changes, checked and ready for the save step.
#[derive(Debug, Clone)]
pub struct Plan {
    pub report: ImportReport,
    pub products: Vec<ValidProduct>,
}

impl Plan {
    /// A digest of what the plan would write: every planned value of every product it writes, with the version
    /// each was read at, and the stock figures it sets. An apply whose plan differs from its dry run's (an edit in
    /// the editor meanwhile, even one that reads the same in the report) is refused. Stock the plan leaves alone is
    /// not in it, so orders coming in between the check and "Apply" do not stop an import that sets no stock.
    pub fn digest(&self) -> String {
        let mut hash = Sha256::new();
        for p in &self.products {
            let mut planned = p.clone();
            for v in &mut planned.variants {
                v.stock.retain(|(_, units, was)| *was != Some(*units));
            }
            hash.update(format!("{planned:?}\u{1e}").as_bytes());
        }
        hex::encode(hash.finalize())
    }
}

/// What planning needs beyond the file: the store and the shop's categories and warehouses.
struct Setting {
    store: i64,
    sku_prefix: String,
    warehouses: Vec<(i64, String)>,
    /// Leaf categories: (id, label "Kitchen › Kettles").
    leaves: Vec<(i64, String)>,
    /// (id, slug, name) of the leaf categories.
    names: Vec<(i64, String, String)>,
    default_category: Option<i64>,
    free_items: bool,
    /// Stock movements of the store since the oldest `Bazaar Stock As Of` of the file:
    /// (variant, warehouse) → (when, change) in time order.
    moves: HashMap<(i64, i64), Vec<(i64, i64)>>,
}

/// Where a stock figure of the file is: its row and column, the moment its row says it was read, and the stored
/// variant it belongs to (`None`: a new variant).
struct StockCell<'a> {
    row: usize,
    column: &'a str,
    as_of: Option<i64>,
    variant_id: Option<i64>,
}

impl Setting {
    /// Units that moved in a warehouse of a variant after `since` (orders, adjustments, saves).
    fn moved_since(&self, variant: i64, warehouse: i64, since: i64) -> i64 {
        self.moves
            .get(&(variant, warehouse))
            .map_or(0, |m| m.iter().filter(|(at, _)| *at > since).map(|(_, d)| d).sum())
    }

    /// Lays a figure of the file over a stock cell of the form (whose `units` and `was` are today's level). With
    /// the moment the file's figure was read, the file changes the stock only where the seller changed that
    /// figure: one equal to the level then is no change, whatever sold since; a changed one over units that
    /// moved since is refused (the seller's figure and the sales cannot both be right). Without it (a Shopify
    /// file), the figure is the new level.
    fn lay_stock(&self, at: &StockCell<'_>, cell: &mut StockInput, units: String, report: &mut ImportReport) {
        let (Some(as_of), Some(variant), Ok(today), Ok(warehouse)) = (
            at.as_of,
            at.variant_id,
            cell.was.parse::<i64>(),
            cell.warehouse.parse::<i64>(),
        ) else {
            cell.units = units;
            return;
        };
        let moved = self.moved_since(variant, warehouse, as_of);
        let then = today - moved;
        let typed = units.trim().parse::<i64>().ok();
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
                "This figure was {then} when the file was exported ({}), and {} since (orders or stock \
                 changes), so it is {today} now. Export the catalog again and change the new file, or set the \
                 figure on the Stock screen.",
                crate::platform::clock::rfc3339_ms(as_of),
                moved_phrase(moved)
            ),
        ));
    }

    /// A leaf category by its address, name or label, any case.
    fn category(&self, typed: &str) -> Option<i64> {
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

    fn category_name(&self, id: i64) -> String {
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
    let store = editor::own_store(actor)?;
    let mut report = ImportReport::default();
    let Some((columns, lines)) = read_sheet(body, &mut report) else {
        return Ok(Plan {
            report,
            products: Vec::new(),
        });
    };
    let slug: String = sqlx::query_scalar("SELECT slug FROM sellers WHERE id = $1")
        .bind(store)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CatalogError::NotFound)?;
    let leaves = editor::leaf_categories(db).await?;
    let all = super::categories(db).await?;
    let names = all
        .iter()
        .filter(|c| leaves.iter().any(|(id, _)| *id == c.id))
        .map(|c| (c.id, c.slug.clone(), c.name.clone()))
        .collect();
    let setting = Setting {
        store,
        sku_prefix: editor::sku_prefix(&slug),
        warehouses: editor::warehouses_of(conn, store).await?,
        leaves,
        names,
        default_category: default_category.filter(|c| {
            // Only a category a product may be in.
            all.iter().any(|k| k.id == *c) && !all.iter().any(|k| k.parent_id == Some(*c))
        }),
        free_items: crate::platform::settings::is_on(conn, crate::platform::settings::FREE_ITEMS).await?,
        moves: HashMap::new(),
    };
    let mut setting = setting;
    // The oldest moment the file's stock figures were read at: every movement since then, in one read.
    let oldest = lines
        .iter()
        .filter_map(|l| l.get(&columns, STOCK_AS_OF))
        .filter_map(crate::platform::clock::parse_rfc3339_ms)
        .min();
    if let Some(since) = oldest {
        for m in crate::inventory::movements::of_store_since(conn, store, since).await? {
            setting
                .moves
                .entry((m.variant_id, m.warehouse_id))
                .or_default()
                .push((m.created_at, m.delta));
        }
    }
    let setting = setting;
    // Each stock column names one of the store's warehouses.
    let mut stock_columns: Vec<(usize, i64, String)> = Vec::new();
    for (at, name) in &columns.stock {
        match setting.warehouses.iter().find(|(_, w)| w.eq_ignore_ascii_case(name)) {
            Some((id, w)) if stock_columns.iter().any(|(_, other, _)| other == id) => report.errors.push(issue(
                1,
                &format!("{STOCK_PREFIX}{name}"),
                format!("Two columns give the stock of the warehouse “{w}”: keep one of them."),
            )),
            Some((id, w)) => stock_columns.push((*at, *id, format!("{STOCK_PREFIX}{w}"))),
            None => report.errors.push(issue(
                1,
                &format!("{STOCK_PREFIX}{name}"),
                format!(
                    "Your store has no warehouse named “{name}”. Name one of: {} (or add it in Store settings).",
                    setting
                        .warehouses
                        .iter()
                        .map(|(_, w)| w.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    if !stock_columns.is_empty() && columns.at.contains_key(QUANTITY) {
        report.notices.push(issue(
            1,
            QUANTITY,
            "Variant Inventory Qty (the total) is not read: the units of each warehouse are read from the Bazaar \
             Stock columns.",
        ));
    }
    if lines.iter().any(|l| l.has(&columns, TAGS)) {
        report.notices.push(issue(
            1,
            TAGS,
            "Bazaar does not use tags yet; the Tags column was ignored.",
        ));
    }

    // The file's products, in the order they first appear.
    let mut groups: Vec<(String, Vec<&Line>)> = Vec::new();
    let mut by_handle: HashMap<String, usize> = HashMap::new();
    for line in &lines {
        let handle = line.get(&columns, HANDLE).unwrap_or_default().to_lowercase();
        if handle.is_empty() {
            report.errors.push(issue(
                line.row,
                HANDLE,
                "Give the product's handle (its address, like copper-kettle); rows of one product share it.",
            ));
            continue;
        }
        match by_handle.get(&handle) {
            Some(&g) => groups[g].1.push(line),
            None => {
                by_handle.insert(handle.clone(), groups.len());
                groups.push((handle, vec![line]));
            }
        }
    }
    let existing = products_by_handle(conn, groups.iter().map(|(h, _)| h.as_str())).await?;
    let mut definitions: HashMap<i64, Vec<AttributeDefinition>> = HashMap::new();
    let mut file_skus: HashMap<String, usize> = HashMap::new();
    let mut products = Vec::new();
    for (handle, rows) in &groups {
        let first = rows[0].row;
        if !handle_ok(handle) {
            report.errors.push(issue(
                first,
                HANDLE,
                "A handle uses lowercase letters, digits and '-' (like copper-kettle), at most 150 characters.",
            ));
            continue;
        }
        let stored = match existing.get(handle) {
            Some(&(id, seller)) if seller == store => Some(editor::load_form(conn, store, id).await?),
            Some(_) => {
                report.errors.push(issue(
                    first,
                    HANDLE,
                    // Said the same whatever holds it (published or not): a handle is an address all stores
                    // share, and nothing more of the other product is told.
                    format!("The handle {handle} is taken (addresses are shared by every store); choose another."),
                ));
                continue;
            }
            None => None,
        };
        let staged = stage(
            &setting,
            &columns,
            &stock_columns,
            handle,
            rows,
            stored.as_ref(),
            &mut report,
        );
        let Some(staged) = staged else { continue };
        let category = staged.form.category.parse::<i64>().unwrap_or(0);
        if let std::collections::hash_map::Entry::Vacant(slot) = definitions.entry(category) {
            slot.insert(definitions_for(db, category).await.unwrap_or_default());
        }
        let pictures: Vec<String> = stored
            .as_ref()
            .map(|s| s.images.iter().map(|i| i.key.clone()).collect())
            .unwrap_or_default();
        let cx = Context {
            categories: &setting.leaves,
            attributes: &definitions[&category],
            warehouses: &setting.warehouses,
            pictures: &pictures,
            sku_prefix: &setting.sku_prefix,
            free_items: setting.free_items,
        };
        let grandfathered = stored.as_ref().is_some_and(published_without_picture);
        let mut valid = match check(&staged.form, &cx, grandfathered) {
            Ok(valid) if !staged.refused => valid,
            Ok(_) => continue,
            Err(errors) => {
                for e in errors {
                    let placed = staged.place(&e, &stock_columns);
                    // Once per cell: a refused category is also a rule's complaint.
                    if !report
                        .errors
                        .iter()
                        .any(|r| r.row == placed.row && r.column == placed.column)
                    {
                        report.errors.push(placed);
                    }
                }
                continue;
            }
        };
        if stored.is_none() {
            valid.handle = Some(handle.clone());
        }
        if !skus_free(conn, &setting, &valid, &staged, &mut file_skus, &mut report).await? {
            continue;
        }
        let needs_write = match stored.as_ref().map(|s| check(s, &cx, grandfathered)) {
            None => compare(&setting, &valid, None, &staged, &mut report),
            Some(Ok(before)) => compare(&setting, &valid, Some(&before), &staged, &mut report),
            Some(Err(_)) => {
                // Stored before today's rules (seeded, say): nothing to compare field by field, so it is
                // rewritten from the file.
                report.products.update += 1;
                report.variants.update += valid.variants.len();
                report
                    .changes
                    .push(issue(staged.first, HANDLE, "Rewritten from the file".to_string()));
                true
            }
        };
        if needs_write {
            products.push(valid);
        }
    }
    report.errors.sort_by_key(|e| e.row);
    report.notices.sort_by_key(|e| e.row);
    Ok(Plan { report, products })
}

/// A stored product published before a picture was required (the demo catalog's are).
fn published_without_picture(stored: &ProductForm) -> bool {
    ProductStatus::parse(&stored.status) == Some(ProductStatus::Active) && stored.images.is_empty()
}

/// The editor's rules, except that a product already published without a picture stays published: an import
/// does not unpublish what the file did not change, nor refuse the rest of the product for it.
fn check(form: &ProductForm, cx: &Context<'_>, grandfathered: bool) -> Result<ValidProduct, Vec<RuleError>> {
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

fn handle_ok(handle: &str) -> bool {
    handle.len() <= 150
        && !handle.starts_with('-')
        && handle
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Products of any store with these handles: handle → (id, store).
async fn products_by_handle<'a>(
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
        let mut query = sqlx::query_as::<_, (String, i64, i64)>(&sql);
        for h in chunk {
            query = query.bind(*h);
        }
        for (slug, id, seller) in query.fetch_all(&mut *conn).await? {
            found.insert(slug, (id, seller));
        }
    }
    Ok(found)
}

/// A product of the file as the editor's form, with where each part of it came from in the file.
struct Staged {
    form: ProductForm,
    /// The first row of the product.
    first: usize,
    /// Per variant of the form, its row (a stored variant the file does not mention: the first row).
    variant_rows: Vec<usize>,
    /// Per picture of the form, the row that named it.
    image_rows: Vec<usize>,
    /// Whether a cell was refused while building the form (the errors are in the report).
    refused: bool,
}

impl Staged {
    /// Where a rule's complaint belongs in the file.
    fn place(&self, e: &RuleError, stock_columns: &[(usize, i64, String)]) -> ImportIssue {
        let at_first = |column: &str| issue(self.first, column, e.message.clone());
        match e.field {
            ProductField::Title => at_first(TITLE),
            ProductField::Description => at_first(BODY),
            ProductField::Status => at_first(STATUS),
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
fn first_of<'a>(rows: &[&'a Line], columns: &Columns, column: &str) -> Option<&'a str> {
    rows.iter()
        .filter_map(|l| l.get(columns, column))
        .find(|c| !c.is_empty())
}

fn moved_phrase(moved: i64) -> String {
    match moved {
        1 => "1 unit came in".to_string(),
        -1 => "1 unit went out".to_string(),
        n if n > 0 => format!("{n} units came in"),
        n => format!("{} units went out", -n),
    }
}

/// A whole number of units typed in a cell; a negative count (Shopify allows overselling) reads as 0.
fn units_cell(cell: &str, row: usize, column: &str, report: &mut ImportReport) -> String {
    match cell.parse::<i64>() {
        Ok(n) if n < 0 => {
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
fn stage(
    setting: &Setting,
    columns: &Columns,
    stock_columns: &[(usize, i64, String)],
    handle: &str,
    rows: &[&Line],
    stored: Option<&ProductForm>,
    report: &mut ImportReport,
) -> Option<Staged> {
    let first = rows[0].row;
    let errors_before = report.errors.len();
    let mut form = match stored {
        Some(stored) => stored.clone(),
        None => {
            let mut form = editor::new_form(&setting.warehouses);
            form.variants.clear();
            form
        }
    };
    if let Some(title) = first_of(rows, columns, TITLE) {
        form.title = title.to_string();
    }
    if columns.at.contains_key(BODY) {
        let html = first_of(rows, columns, BODY).unwrap_or_default();
        let description = html_to_markdown(html);
        // What reads the same on the page is no change: the stored text stays as the seller wrote it.
        if stored.is_none() || !same_description(&description, &form.description) {
            form.description = description;
        }
    }
    // The category: ours, else Shopify's Type when it names one of ours, else the stored one, else the one
    // chosen for the file.
    let category = match first_of(rows, columns, CATEGORY) {
        Some(typed) => {
            match setting.category(typed) {
                Some(id) => Some(id),
                None => {
                    report.errors.push(issue(
                    first,
                    CATEGORY,
                    format!("There is no category “{typed}”: use a category's address from the list on the import page."),
                ));
                    None
                }
            }
        }
        None => first_of(rows, columns, TYPE)
            .and_then(|t| setting.category(t))
            .or_else(|| stored.and_then(|s| s.category.parse().ok()))
            .or(setting.default_category),
    };
    match category {
        Some(id) => form.category = id.to_string(),
        None if report.errors.len() == errors_before => report.errors.push(issue(
            first,
            CATEGORY,
            "Name the product's category in a Bazaar Category column, or choose a category for the rows without \
             one when you upload the file.",
        )),
        None => {}
    }
    let active = |form: &ProductForm| ProductStatus::parse(&form.status) == Some(ProductStatus::Active);
    let set_status = |form: &mut ProductForm, status: ProductStatus| form.status = status.as_str().to_string();
    match first_of(rows, columns, STATUS) {
        Some(typed) => match ProductStatus::parse(typed) {
            Some(status) => set_status(&mut form, status),
            None => report
                .errors
                .push(issue(first, STATUS, "Use active, draft or archived.")),
        },
        None => match first_of(rows, columns, PUBLISHED).map(str::to_lowercase) {
            Some(p) if ["true", "yes", "1"].contains(&p.as_str()) => set_status(&mut form, ProductStatus::Active),
            // Unpublished: a live (or new) product is a draft; an archived one stays archived.
            Some(p) if ["false", "no", "0"].contains(&p.as_str()) && (active(&form) || stored.is_none()) => {
                set_status(&mut form, ProductStatus::Draft)
            }
            Some(p) if ["false", "no", "0"].contains(&p.as_str()) => {}
            Some(_) => report.errors.push(issue(first, PUBLISHED, "Use TRUE or FALSE.")),
            None => {}
        },
    }
    // Options: the names the file gives (Shopify's "Title: Default Title" is no option), else the stored ones.
    let names_given = OPTION_NAMES.iter().any(|c| columns.at.contains_key(c));
    let names: Vec<String> = if names_given {
        OPTION_NAMES
            .iter()
            .map_while(|c| first_of(rows, columns, c))
            .filter(|n| *n != DEFAULT_OPTION.0 || first_of(rows, columns, OPTION_VALUES[0]) != Some(DEFAULT_OPTION.1))
            .map(str::to_string)
            .collect()
    } else {
        form.options.iter().map(|o| o.name.clone()).collect()
    };
    if names_given || stored.is_none() {
        form.options = names
            .iter()
            .map(|n| OptionInput {
                name: n.clone(),
                values: String::new(),
            })
            .collect();
    }
    let mut variant_rows = vec![first; form.variants.len()];
    let mut claimed: HashSet<usize> = HashSet::new();
    for line in rows.iter().filter(|l| l.is_variant(columns)) {
        let row = line.row;
        let values: Vec<String> = (0..form.options.len())
            .map(|n| line.get(columns, OPTION_VALUES[n]).unwrap_or_default().to_string())
            .collect();
        let sku = line.get(columns, SKU).unwrap_or_default();
        // The stored variant this row is: by SKU, else (a row without SKU) by its option values.
        let matched = form
            .variants
            .iter()
            .enumerate()
            .filter(|(i, v)| !claimed.contains(i) && !v.id.is_empty())
            .find(|(_, v)| !sku.is_empty() && v.sku.eq_ignore_ascii_case(sku))
            .or_else(|| {
                form.variants.iter().enumerate().find(|(i, v)| {
                    !claimed.contains(i)
                        && !v.id.is_empty()
                        && (sku.is_empty() || v.sku.is_empty())
                        && !values.is_empty()
                        && v.values
                            .iter()
                            .map(|s| s.to_lowercase())
                            .eq(values.iter().map(|s| s.to_lowercase()))
                })
            })
            .map(|(i, _)| i);
        let mut v = match matched {
            Some(i) => form.variants[i].clone(),
            None => VariantInput {
                stock: setting
                    .warehouses
                    .iter()
                    .map(|(w, _)| StockInput {
                        warehouse: w.to_string(),
                        units: "0".into(),
                        was: String::new(),
                    })
                    .collect(),
                ..VariantInput::default()
            },
        };
        if names_given || matched.is_none() {
            v.values = values;
        }
        if !sku.is_empty() {
            v.sku = sku.to_string();
        }
        if let Some(price) = line.get(columns, PRICE).filter(|p| !p.is_empty() || matched.is_none()) {
            v.price = price.to_string();
        }
        if let Some(compare_at) = line.get(columns, COMPARE_AT) {
            // Shopify files often repeat the price (or write 0) as the compare-at price: that is no sale price.
            let price = editor::parse_money(&v.price);
            match editor::parse_money(compare_at) {
                Some(c) if price.is_some_and(|p| c <= p) => {
                    if c > 0 && !v.compare_at.is_empty() {
                        report.notices.push(issue(
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
        if let Some(grams) = line.get(columns, GRAMS).filter(|g| !g.is_empty()) {
            // Shopify writes grams with a decimal point ("250.0").
            v.weight = match grams.parse::<f64>() {
                Ok(g) if g.is_finite() && g >= 0.0 && grams.contains('.') => format!("{}", g.round() as i64),
                _ => grams.to_string(),
            };
        }
        let as_of = line
            .get(columns, STOCK_AS_OF)
            .and_then(crate::platform::clock::parse_rfc3339_ms);
        let variant_id = v.id.parse::<i64>().ok();
        if !stock_columns.is_empty() {
            for (at, warehouse, column) in stock_columns {
                let cell = line.cells.get(*at).map_or("", |c| restore(c.trim()));
                if cell.is_empty() {
                    continue;
                }
                let units = units_cell(cell, row, column, report);
                if let Some(s) = v.stock.iter_mut().find(|s| s.warehouse == warehouse.to_string()) {
                    let at = StockCell {
                        row,
                        column,
                        as_of,
                        variant_id,
                    };
                    setting.lay_stock(&at, s, units, report);
                }
            }
        } else if let Some(quantity) = line.get(columns, QUANTITY).filter(|q| !q.is_empty()) {
            let units = units_cell(quantity, row, QUANTITY, report);
            match v.stock.as_mut_slice() {
                [only] => {
                    let at = StockCell {
                        row,
                        column: QUANTITY,
                        as_of,
                        variant_id,
                    };
                    setting.lay_stock(&at, only, units, report);
                }
                many => {
                    let total: i64 = many.iter().filter_map(|s| s.units.parse::<i64>().ok()).sum();
                    if units.parse::<i64>().ok() != Some(total) {
                        report.errors.push(issue(
                            row,
                            QUANTITY,
                            format!(
                                "Your store keeps stock in {} warehouses: give the units of each in the Bazaar \
                                 Stock columns (export the catalog to see them).",
                                many.len()
                            ),
                        ));
                    }
                }
            }
        }
        match matched {
            Some(i) => {
                claimed.insert(i);
                form.variants[i] = v;
                variant_rows[i] = row;
            }
            None => {
                form.variants.push(v);
                variant_rows.push(row);
            }
        }
    }
    // Pictures: a row's Image Src that is one of the product's pictures carries its alt text; any other address
    // is not downloaded.
    let mut image_rows = vec![first; form.images.len()];
    for line in rows {
        let Some(src) = line.get(columns, IMAGE_SRC).filter(|s| !s.is_empty()) else {
            continue;
        };
        match form.images.iter().position(|i| src.contains(&i.key)) {
            Some(i) => {
                image_rows[i] = line.row;
                if let Some(alt) = line.get(columns, IMAGE_ALT) {
                    form.images[i].alt = alt.to_string();
                }
            }
            None => report.notices.push(issue(
                line.row,
                IMAGE_SRC,
                "Not fetched: Bazaar does not download pictures from addresses in a file. Upload the picture in \
                 the product's editor.",
            )),
        }
    }
    if ProductStatus::parse(&form.status) == Some(ProductStatus::Active)
        && form.images.is_empty()
        && !stored.is_some_and(published_without_picture)
    {
        form.status = ProductStatus::Draft.as_str().into();
        report.notices.push(issue(
            first,
            STATUS,
            "Imported as a draft: a product is published once it has a picture. Upload one in the product's \
             editor, then publish it.",
        ));
    }
    if form.variants.is_empty() {
        report.errors.push(issue(
            first,
            PRICE,
            format!("The product {handle} has no variant row: give at least one row a Variant Price."),
        ));
    }
    if form.variants.is_empty() {
        return None;
    }
    // A product with a refused cell is still checked by the rules, so each of its rows names every problem.
    Some(Staged {
        refused: report.errors.len() > errors_before,
        form,
        first,
        variant_rows,
        image_rows,
    })
}

/// Checks that each SKU is the product's own: not on another row of the file, not another variant's in Bazaar.
async fn skus_free(
    conn: &mut AnyConnection,
    setting: &Setting,
    valid: &ValidProduct,
    staged: &Staged,
    file_skus: &mut HashMap<String, usize>,
    report: &mut ImportReport,
) -> Result<bool, sqlx::Error> {
    let lowered: Vec<String> = valid.variants.iter().map(|v| v.sku.to_lowercase()).collect();
    let marks: Vec<String> = (1..=lowered.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT LOWER(v.sku), v.id, p.seller_id, p.slug FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE LOWER(v.sku) IN ({})",
        marks.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, i64, i64, String)>(&sql);
    for sku in &lowered {
        query = query.bind(sku);
    }
    let taken: HashMap<String, (i64, i64, String)> = query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(sku, id, seller, slug)| (sku, (id, seller, slug)))
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
            let message = if *seller == setting.store {
                format!("The SKU {} belongs to another variant of your product {slug}.", v.sku)
            } else {
                format!("The SKU {} is already used; SKUs are unique across Bazaar.", v.sku)
            };
            report.errors.push(issue(row, SKU, message));
            free = false;
        }
    }
    Ok(free)
}

/// Counts and describes what the import changes for one product against how it is stored (`before`: `None` for
/// a new product). Whether it needs writing.
fn compare(
    setting: &Setting,
    after: &ValidProduct,
    before: Option<&ValidProduct>,
    staged: &Staged,
    report: &mut ImportReport,
) -> bool {
    let first = staged.first;
    let Some(before) = before else {
        report.products.create += 1;
        report.variants.create += after.variants.len();
        report.stock_changes += after
            .variants
            .iter()
            .flat_map(|v| &v.stock)
            .filter(|(_, units, _)| *units > 0)
            .count();
        report.changes.push(issue(
            first,
            HANDLE,
            format!(
                "New product “{}” with {} variant(s), {}",
                after.title,
                after.variants.len(),
                after.status.as_str()
            ),
        ));
        return true;
    };
    let mut changed = false;
    let mut say = |row: usize, column: &str, message: String| {
        report.changes.push(issue(row, column, message));
        changed = true;
    };
    if before.title != after.title {
        say(first, TITLE, format!("Title “{}” → “{}”", before.title, after.title));
    }
    if before.description != after.description {
        say(first, BODY, "Description changed".into());
    }
    if before.status != after.status {
        say(
            first,
            STATUS,
            format!("Status {} → {}", before.status.as_str(), after.status.as_str()),
        );
    }
    if before.category_id != after.category_id {
        say(
            first,
            CATEGORY,
            format!(
                "Category {} → {}",
                setting.category_name(before.category_id),
                setting.category_name(after.category_id)
            ),
        );
    }
    for (i, (b, a)) in before.images.iter().zip(&after.images).enumerate() {
        if b.1 != a.1 {
            let row = staged.image_rows.get(i).copied().unwrap_or(first);
            say(row, IMAGE_ALT, format!("Alt text of picture {} changed", i + 1));
        }
    }
    let product_changed = changed;
    let mut variants_changed = false;
    for (i, v) in after.variants.iter().enumerate() {
        let row = staged.variant_rows.get(i).copied().unwrap_or(first);
        let old = v.id.and_then(|id| before.variants.iter().find(|b| b.id == Some(id)));
        let Some(old) = old else {
            report.variants.create += 1;
            report.stock_changes += v.stock.iter().filter(|(_, units, _)| *units > 0).count();
            report.changes.push(issue(
                row,
                SKU,
                format!(
                    "New variant {} ({}) at {}",
                    v.sku,
                    v.title(),
                    editor::money_text(v.price)
                ),
            ));
            variants_changed = true;
            continue;
        };
        let mut parts = variant_changes(old, v);
        let stock: Vec<String> = v
            .stock
            .iter()
            .filter_map(|(w, units, _)| {
                let was = old.stock.iter().find(|(ow, _, _)| ow == w).map_or(0, |(_, u, _)| *u);
                (was != *units).then(|| {
                    let name = setting
                        .warehouses
                        .iter()
                        .find(|(id, _)| id == w)
                        .map_or("a warehouse", |(_, n)| n.as_str());
                    format!("{name} {was} → {units} units")
                })
            })
            .collect();
        report.stock_changes += stock.len();
        parts.extend(stock);
        if parts.is_empty() {
            report.variants.unchanged += 1;
        } else {
            report.variants.update += 1;
            variants_changed = true;
            report
                .changes
                .push(issue(row, SKU, format!("{}: {}", v.sku, parts.join("; "))));
        }
    }
    if product_changed || variants_changed {
        report.products.update += 1;
        true
    } else {
        report.products.unchanged += 1;
        false
    }
}

/// What differs in a variant's own fields, one phrase each.
fn variant_changes(old: &ValidVariant, new: &ValidVariant) -> Vec<String> {
    let mut parts = Vec::new();
    if old.sku != new.sku {
        parts.push(format!("SKU {} → {}", old.sku, new.sku));
    }
    if old.options != new.options {
        parts.push(format!("options {} → {}", old.title(), new.title()));
    }
    if old.price != new.price {
        parts.push(format!(
            "price {} → {}",
            editor::money_text(old.price),
            editor::money_text(new.price)
        ));
    }
    if old.compare_at != new.compare_at {
        let text = |c: Option<i64>| c.map_or_else(|| "none".to_string(), editor::money_text);
        parts.push(format!(
            "compare-at price {} → {}",
            text(old.compare_at),
            text(new.compare_at)
        ));
    }
    if old.weight != new.weight {
        parts.push(format!("weight {} g → {} g", old.weight, new.weight));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_read_back() {
        for cell in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-50% off",
            "@SUM(A1)",
            "\tx",
            "＝HYPERLINK(1)",
            "＋1",
            "－2",
            "＠A1",
        ] {
            let out = neutralise(cell);
            assert!(out.starts_with('\''), "{out}");
            assert_eq!(restore(&out), cell);
        }
        assert_eq!(neutralise("Copper kettle"), "Copper kettle");
        assert_eq!(restore("'quoted"), "'quoted");
    }

    #[test]
    fn html_becomes_our_markdown_and_scripts_vanish() {
        let html = "<h2>Care</h2><p>Hand <b>wash</b> only&nbsp;&amp; dry.<br>Made in Italy.</p>\
                    <ul><li>1.5 litres</li><li><strong>Induction</strong> ready</li></ul>\
                    <script>alert(1)</script><style>p{}</style><p onclick=\"x()\">Fin<!-- note --></p>";
        assert_eq!(
            html_to_markdown(html),
            "**Care**\n\nHand **wash** only & dry.\n\nMade in Italy.\n\n- 1.5 litres\n- **Induction** ready\n\nFin"
        );
        assert_eq!(html_to_markdown("plain text, no tags"), "plain text, no tags");
        assert_eq!(html_to_markdown("&lt;script&gt; stays text"), "<script> stays text");
        assert_eq!(html_to_markdown(""), "");
    }

    #[test]
    fn text_beyond_ascii_is_never_cut_inside_a_character() {
        // Each of these once sliced a byte position inside a character (a 500 for the whole upload).
        assert_eq!(decode_entities("Café &amp; thé — crème"), "Café & thé — crème");
        assert_eq!(decode_entities("茶&amp;茶器のセット"), "茶&茶器のセット");
        assert_eq!(decode_entities("&茶器のセット;"), "&茶器のセット;");
        assert_eq!(decode_entities("🎁&🎁🎁🎁;"), "🎁&🎁🎁🎁;");
        assert_eq!(
            html_to_markdown(&markdown_to_html("Café & thé — crème 🍵 茶")),
            "Café & thé — crème 🍵 茶"
        );
        assert_eq!(strip_prefix_any_case("Prix barré (€)", STOCK_PREFIX), None);
        assert_eq!(strip_prefix_any_case("Bazaar Stöck", STOCK_PREFIX), None);
        assert_eq!(
            strip_prefix_any_case("bazaar stock: Lager Köln", STOCK_PREFIX),
            Some("Lager Köln")
        );
    }

    #[test]
    fn our_descriptions_survive_the_round_trip() {
        for md in [
            "Hammered copper.\n\n- 1.5 litres\n- **Induction** ready",
            "A line\nwrapped  here, <b>not</b> bold & fine.",
            "**Bold start** then text",
            "Odd **marker",
        ] {
            let back = html_to_markdown(&markdown_to_html(md));
            assert!(same_description(md, &back), "{md:?} came back as {back:?}");
        }
        assert!(!same_description("One", "Two"));
    }
}
