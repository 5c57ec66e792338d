//! A store's catalog as CSV, one row per variant, in the columns of Shopify's product CSV so a Shopify export
//! imports as it is: Handle, Title, Body (HTML), Vendor, Type, Tags, Published, Option1 Name … Option3 Value,
//! Variant SKU, Variant Grams, Variant Inventory Qty, Variant Price, Variant Compare At Price, Image Src, Image
//! Alt Text, Status, SEO Title, SEO Description (and Shopify's Product Category path, read, not written). Columns
//! of our own: `Bazaar Category` (a category's address, e.g. `kettles`) and one
//! `Bazaar Stock: <warehouse>` per warehouse, with `Bazaar Stock Exported` (the figures the export wrote, so an
//! import never puts back units sold since). Other columns are ignored and the report says which.
//!
//! An import is planned before anything is written: each product of the file is turned into the product form a
//! seller would have sent (starting from the stored product when its Handle exists), checked by the editor's own
//! rules (`editor::validate`), and compared with what is stored. The plan is the dry run's report; applying runs
//! the same plan again inside the write transaction and writes each changed product through the editor's save
//! step, so an import can do nothing a seller could not do in the editor, and importing a file twice (or an
//! export, unchanged) changes nothing.
//!
//! - `columns`: the columns' names and the cells (formulas neutralised on the way out, read back on the way in);
//! - `export`: the streamed export and what the import page lists;
//! - `sheet`: reading a file (its encoding, separator, header, rows; SKUs as stores write them);
//! - `plan`: planning an import (the store's setting, each product checked by the editor's rules, the digest);
//! - `stage`: one product of the file as the editor's form, laid over the stored one;
//! - `diff`: what the plan changes, phrase by phrase, for the report.

mod columns;
mod diff;
mod export;
mod plan;
mod sheet;
mod stage;

pub use columns::neutralise;
pub use export::{export, export_bytes, export_name, guide};
pub use plan::{plan, Plan, Planned};
pub use sheet::decode;

/// The largest file an import reads.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The most product rows one file may hold.
pub const MAX_ROWS: usize = 50_000;
