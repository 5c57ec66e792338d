//! Reading a file: its separator, its header (which column is where) and its rows.

use std::collections::HashMap;

use std::borrow::Cow;

use model::sellers::{ImportIssue, ImportReport};

use super::columns::*;
use super::MAX_ROWS;

/// The header: where each column we read is, and the stock columns' warehouse names.
pub(super) struct Columns {
    pub(super) at: HashMap<&'static str, usize>,
    /// (position, warehouse name as written).
    pub(super) stock: Vec<(usize, String)>,
}

/// One product row of the file.
pub(super) struct Line {
    pub(super) row: usize,
    pub(super) cells: Vec<String>,
}

impl Line {
    /// The trimmed cell of `column`; `None` when the file has no such column.
    pub(super) fn get(&self, columns: &Columns, column: &str) -> Option<&str> {
        let at = *columns.at.get(column)?;
        Some(self.cells.get(at).map_or("", |c| restore(c.trim())))
    }

    pub(super) fn has(&self, columns: &Columns, column: &str) -> bool {
        self.get(columns, column).is_some_and(|c| !c.is_empty())
    }

    /// Whether the row describes a variant (rather than only one more picture).
    pub(super) fn is_variant(&self, columns: &Columns) -> bool {
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

/// The separator of a file, from its first row: a comma, or the semicolon that spreadsheets write where a comma
/// is the decimal mark (much of Europe), or a tab. A column name never holds any of them.
pub(super) fn separator(body: &str) -> u8 {
    let header = body.lines().next().unwrap_or_default();
    let count = |c: char| header.matches(c).count();
    [b';', b'\t']
        .into_iter()
        .find(|&s| count(s as char) > count(','))
        .unwrap_or(b',')
}

/// Reads the header and rows; a file that cannot be read at all is one error at the row where it failed.
pub(super) fn read_sheet(body: &str, report: &mut ImportReport) -> Option<(Columns, Vec<Line>)> {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let delimiter = separator(body);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(body.as_bytes());
    let by = match delimiter {
        b';' => Some("semicolons"),
        b'\t' => Some("tabs"),
        _ => None,
    };
    if let Some(by) = by {
        report
            .notices
            .push(issue(1, "", format!("Read as columns separated by {by}.")));
    }
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
    let columns = read_columns(&header, report)?;
    let lines = read_lines(records, report)?;
    report.rows = lines.len();
    Some((columns, lines))
}

/// Where each column of the header is; `None` (and an error) without a Handle column. Columns Bazaar does not
/// use are named in a notice.
fn read_columns(header: &csv::StringRecord, report: &mut ImportReport) -> Option<Columns> {
    let mut at = HashMap::new();
    let mut stock = Vec::new();
    let mut ignored = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if name.eq_ignore_ascii_case(LEGACY_STOCK_AS_OF) {
            report.errors.push(issue(
                1,
                LEGACY_STOCK_AS_OF,
                "This file was exported by an earlier version of Bazaar, whose stock figures cannot be checked \
                 against the sales since: export the catalog again and make your changes in the new file.",
            ));
            return None;
        }
        if let Some(known) = KNOWN.iter().chain(&READ_ONLY).find(|k| k.eq_ignore_ascii_case(name)) {
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
    Some(Columns { at, stock })
}

/// The rows after the header that hold anything; `None` (and an error) for a file over [`MAX_ROWS`] rows. A row
/// that cannot be read is an error and is left out.
fn read_lines(
    records: impl Iterator<Item = csv::Result<csv::StringRecord>>,
    report: &mut ImportReport,
) -> Option<Vec<Line>> {
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
    Some(lines)
}

/// SKUs as stores write them. Excel's apostrophe before a number (it keeps leading zeros; Shopify's own exports
/// carry it) is taken off. A SKU already on an earlier row stays there and is left out here, so this variant is
/// given one of its own (Shopify allows a SKU twice; a store in Bazaar finds its variants by SKU). Each is said.
/// A `strict` store keeps the repeat, so planning refuses the later row's product for it; a notice says which
/// setting did that.
pub(super) fn tidy_skus(columns: &Columns, lines: &mut [Line], report: &mut ImportReport, strict: bool) {
    let Some(&at) = columns.at.get(SKU) else {
        return;
    };
    let mut apostrophes = Vec::new();
    let mut first_row: HashMap<String, usize> = HashMap::new();
    for line in lines.iter_mut() {
        let Some(cell) = line.cells.get_mut(at) else {
            continue;
        };
        let kept = crate::catalog::editor::typed_code(cell);
        if kept.len() + 1 == cell.trim().len() {
            *cell = kept.to_string();
            apostrophes.push(line.row);
        }
        let sku = restore(cell.trim()).to_string();
        if sku.is_empty() {
            continue;
        }
        match first_row.get(&crate::catalog::editor::sku_key(&sku)) {
            Some(&earlier) if strict => report.notices.push(issue(
                line.row,
                SKU,
                format!(
                    "The SKU {sku} is also on row {earlier}: your store refuses repeated SKUs in imports (Store \
                     settings), so this row's product is skipped."
                ),
            )),
            Some(&earlier) => {
                report.notices.push(issue(
                    line.row,
                    SKU,
                    format!("The SKU {sku} is also on row {earlier}: it stays there, and this variant is given one of its own."),
                ));
                cell.clear();
            }
            None => {
                first_row.insert(crate::catalog::editor::sku_key(&sku), line.row);
            }
        }
    }
    if let Some(&first) = apostrophes.first() {
        let mut rows: Vec<String> = apostrophes.iter().take(10).map(usize::to_string).collect();
        if apostrophes.len() > 10 {
            rows.push("…".into());
        }
        report.notices.push(issue(
            first,
            SKU,
            format!(
                "Excel's apostrophe before a number was taken off {} ({} {}).",
                model::count_of(apostrophes.len() as i64, "SKU", "SKUs"),
                if apostrophes.len() == 1 { "row" } else { "rows" },
                rows.join(", ")
            ),
        ));
    }
}

/// A file's text, whatever a spreadsheet saved it as: UTF-8 (with or without its byte-order mark), UTF-16 with its
/// byte-order mark (Excel's "Unicode text"), else Windows-1252 (Excel's "CSV" on Windows, in which every byte is a
/// character). Answers the text and, when it was not UTF-8, the notice that says how it was read; a file that says
/// what it is and is not is refused with why.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Option<ImportIssue>), String> {
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some(encoding_rs::UTF_16LE),
        [0xFE, 0xFF, ..] => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    if let Some(encoding) = utf16 {
        let (text, damaged) = encoding.decode_without_bom_handling(&bytes[2..]);
        if damaged {
            return Err(
                "The file starts as UTF-16 text (Excel's “Unicode text”) but is damaged further on. Save \
                        it again from your spreadsheet, as “CSV UTF-8” if you can, and upload it again."
                    .into(),
            );
        }
        let notice = issue(1, "", "Read as UTF-16 text (Excel's “Unicode text”).");
        return Ok((Cow::Owned(text.into_owned()), Some(notice)));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((Cow::Borrowed(text), None)),
        // UTF-8 that breaks further on (its mark, or accented letters as UTF-8 before the break): reading it as
        // Windows-1252 would garble every accent, so it is refused with the row.
        Err(e) if bytes.starts_with(b"\xEF\xBB\xBF") || !bytes[..e.valid_up_to()].is_ascii() => {
            let row = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            Err(format!(
                "The file is UTF-8 text, but row {row} is not. In your spreadsheet, save the file as “CSV UTF-8”, \
                 then upload it again."
            ))
        }
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            let notice = issue(
                1,
                "",
                "The file is not UTF-8 text: it was read as Windows-1252 (Excel's “CSV” on Windows). If accented \
                 letters look wrong in the changes below, save it as “CSV UTF-8” and upload it again.",
            );
            Ok((Cow::Owned(text.into_owned()), Some(notice)))
        }
    }
}
