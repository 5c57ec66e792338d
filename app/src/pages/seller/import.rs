//! The catalog import: `/seller/products/import` (what a file holds, the upload) and
//! `/seller/products/import/{id}` (the dry run's report: every refused row with its column and why, each change,
//! the totals, and "Apply"). Plain forms, no island. The upload posts to the server's multipart handler.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::sellers::{ImportIssue, ImportReport, ImportTally, ImportView};

use super::import_pictures::PicturesSection;
use crate::api::sellers::{import_page, import_report, ApplyImport, ImportPageData};
use crate::components::portal::{PortalShell, Section};
use crate::error::AppError;
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

/// Rows of each table per page of the report; every row is on some page (`?page=2`).
const SHOWN: usize = 500;

/// The columns a file may hold, and what each means here.
const COLUMNS: &[(&str, &str)] = &[
    ("Handle", "The product's address (copper-kettle). Rows of one product share it; it is how an import finds a product again."),
    ("Title", "The product's name (the first row of a product)."),
    ("Body (HTML)", "The description. Paragraphs, lists and bold are kept; other markup is dropped."),
    ("Type", "Used as the category when it names one of ours and there is no Bazaar Category."),
    ("Published / Status", "Status: active, draft or archived (Published TRUE or FALSE when there is no Status)."),
    ("Option1 Name … Option3 Value", "Up to three options (Size, Colour) and each variant's values."),
    ("Variant SKU", "Any text up to 64 characters, unique in your store (a repeated one is kept on its first row and suggested anew on the others, or, if your store refuses repeated SKUs in Store settings, its product is skipped); suggested when empty. With the Handle, it finds a variant again."),
    ("Variant Price / Compare At Price", "Prices like 24.50. The compare-at price is kept but not shown to shoppers: a crossed-out \"was\" price shows only when a price is below the lowest of the 30 days before it (the EU's Omnibus rule)."),
    ("Variant Grams", "The weight in grams (Shopify's Variant Weight Unit only says how Shopify shows it)."),
    ("Variant Weight / Variant Weight Unit", "A weight in g, kg, lb or oz, converted to grams (read when there is no Variant Grams)."),
    ("Variant Barcode", "GTIN, UPC, EAN or ISBN, up to 64 characters (a spreadsheet's apostrophe before a number is taken off)."),
    ("Cost per item", "What the variant costs you, like 12.40: shown to you only, never to shoppers."),
    ("Tags", "Words shoppers find the product by, separated by commas; you can filter your products by them."),
    ("Variant Inventory Qty", "Units in stock; with several warehouses, your default warehouse's (Store settings; the Bazaar Stock columns set each)."),
    ("Variant Inventory Policy", "continue keeps the variant selling when out of stock (if your store allows backorders, in Store settings); deny stops it at 0."),
    ("Image Src / Image Alt Text / Image Position", "Pictures by address (http or https), in their position's order, with their alt text: fetched in the background after the import, once per address, from public sites only (up to 10 MB each, as uploads). A product the file publishes goes live with its first picture. The alt text of pictures already here can be changed."),
    ("Variant Image", "Fetched as one of the product's pictures (a picture shows for the whole product)."),
    ("Bazaar Category", "The category's address from the list below. Without it: Type, else Shopify's Product Category path (its most precise part that is one of ours), else the category chosen below."),
    ("SEO Title / SEO Description", "What search engines show: the page's title (up to 70 characters) and description (up to 320)."),
    ("Bazaar Stock: <warehouse>", "Units in stock in that warehouse, one column per warehouse."),
    ("Bazaar Stock Exported", "The stock figures as the export wrote them (leave it as it is). A figure you did not change is left as it is now, so units sold since the export are never put back; a figure you changed over units that moved since is refused (export again)."),
];

#[component]
pub fn SellerImportPage() -> impl IntoView {
    if let Some(instead) = portal_gate("/seller/products/import") {
        return instead;
    }
    view! {
        <Title text="Import products · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match import_page().await {
                    Ok(page) => view! { <ImportForm page=page/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ImportForm(page: ImportPageData) -> impl IntoView {
    let guide = page.guide;
    let error_id = "field-file-error";
    let invalid = page.refused.is_some().then_some("true");
    view! {
        <PortalShell section=Section::Products store_name=guide.store_name.clone() store_slug=guide.store_slug.clone()>
            <div class="page-head">
                <h1 class="page-title">"Import products"</h1>
                <a href="/seller/products/export.csv" download>"Export your catalog (CSV)"</a>
            </div>
            <p>"Upload a CSV file with one row per variant, such as a Shopify product export or a Bazaar export: UTF-8 text (a byte-order mark is fine), separated by commas, semicolons or tabs, up to 20 MB and 50,000 rows. First you see what would change and every row that needs fixing; nothing is written until you apply it, and then all of it is, or none."</p>
            <section class="card stack" aria-labelledby="upload">
                <h2 id="upload">"Upload a file"</h2>
                <form method="post" action="/seller/products/import" enctype="multipart/form-data" class="stack">
                    <div class="field">
                        <label for="field-file">"Catalog file (CSV, up to 20 MB)"</label>
                        {page.refused.clone().map(|m| view! { <p id=error_id class="field__error">{m}</p> })}
                        <input id="field-file" type="file" name="file" accept=".csv,text/csv" required
                            aria-invalid=invalid aria-describedby=page.refused.is_some().then_some(error_id)/>
                    </div>
                    <div class="field">
                        <label for="field-category">"Category for rows that name none"</label>
                        <select id="field-category" name="category">
                            <option value="">"None: every row names its category"</option>
                            {guide.categories.iter().map(|(id, _, label)| view! { <option value=id.to_string()>{label.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <p class="actions">
                        <button class="button" type="submit">"Check the file"</button>
                        <a href="/seller/products">"Cancel"</a>
                    </p>
                </form>
            </section>
            <section class="card stack" aria-labelledby="columns">
                <h2 id="columns">"What a file holds"</h2>
                <p>"The column names are Shopify's, so its product export imports as it is; other columns are ignored, and the report says which. Cells a spreadsheet would run as a formula are exported with an apostrophe in front and read back without it."</p>
                <div class="table-scroll">
                    <table class="table">
                        <caption class="visually-hidden">"Columns of a catalog file"</caption>
                        <thead><tr><th scope="col">"Column"</th><th scope="col">"Meaning"</th></tr></thead>
                        <tbody>
                            {COLUMNS.iter().map(|(c, m)| view! { <tr><th scope="row">{*c}</th><td>{*m}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p>"Your store's stock columns: " {guide.stock_columns.join(", ")} "."</p>
                <details>
                    <summary>{format!("Category addresses ({})", guide.categories.len())}</summary>
                    <ul class="columns">
                        {guide.categories.iter().map(|(_, slug, label)| view! { <li><code>{slug.clone()}</code>" · "{label.clone()}</li> }).collect_view()}
                    </ul>
                </details>
            </section>
        </PortalShell>
    }
}

#[component]
pub fn ImportReportPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let raw = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    if let Some(instead) = portal_gate(&format!("/seller/products/import/{raw}")) {
        return instead;
    }
    let Ok(id) = raw.parse::<i64>() else {
        return view! { <crate::pages::errors::NotFoundPage/> }.into_any();
    };
    let (applied, replanned, page, retried) = leptos_router::hooks::use_query_map().with_untracked(|q| {
        let page = q.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).max(1);
        let retried = q.get("retried").and_then(|n| n.parse::<u64>().ok());
        (q.get("applied").is_some(), q.get("replanned").is_some(), page, retried)
    });
    let error = url_error::<ApplyImport>();
    view! {
        <Title text="Import report · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match import_report(id).await {
                    Ok(view) => view! { <Report view=view applied=applied replanned=replanned page=page retried=retried error=error.clone()/> }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::pages::errors::NotFoundPage/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

fn tally_row(label: &'static str, t: ImportTally) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{label}</th>
            <td class="num" data-label="To create">{t.create}</td>
            <td class="num" data-label="To update">{t.update}</td>
            <td class="num" data-label="Unchanged">{t.unchanged}</td>
            <td class="num" data-label="Skipped">{t.skipped}</td>
        </tr>
    }
}

/// One list of findings (problems, changes, notes) as a table: row, column, what; page `page` of it, with links
/// to the pages before and after, so every finding can be read before "Apply".
#[component]
fn IssueTable(
    caption: &'static str,
    what: &'static str,
    items: Vec<ImportIssue>,
    id: i64,
    page: usize,
) -> impl IntoView {
    let total = items.len();
    let pages = total.div_ceil(SHOWN).max(1);
    let page = page.min(pages);
    let first = (page - 1) * SHOWN;
    let link = move |p: usize| format!("/seller/products/import/{id}?page={p}");
    view! {
        <div class="table-scroll">
            <table class="table">
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr><th scope="col" class="num">"Row"</th><th scope="col">"Column"</th><th scope="col">{what}</th></tr></thead>
                <tbody>
                    {items.into_iter().skip(first).take(SHOWN).map(|i| view! {
                        <tr>
                            <td class="num" data-label="Row">{i.row}</td>
                            <td data-label="Column">{i.column}</td>
                            <td data-label=what>{i.message}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(pages > 1).then(|| view! {
            <nav class="pagination" aria-label=format!("{caption}: pages")>
                <span>{format!("{}–{} of {total}", first + 1, (first + SHOWN).min(total))}</span>
                {(page > 1).then(|| view! { <a href=link(page - 1)>"Previous 500"</a> })}
                {(page < pages).then(|| view! { <a href=link(page + 1)>"Next 500"</a> })}
            </nav>
        })}
    }
}

/// Where an import that was started stands: finished, running (a large file takes a while), or stopped. A running
/// one shows its bar and a link that reads it again (the portal runs no script, and a page that reloads itself
/// is one a screen reader loses its place in).
fn progress_note(progress: &model::sellers::ImportProgress, started: i64, id: i64) -> AnyView {
    if let Some(finished) = progress.finished_at {
        let when = model::format_date(finished);
        return view! { <p class="alert">"This file was imported on " <time datetime=when.clone()>{when.clone()}</time> ". Upload it again to see what it would change now."</p> }.into_any();
    }
    let when = model::format_date(started);
    let (done, of) = (progress.done, progress.planned);
    if progress.stopped {
        view! { <p class="alert alert--error" role="alert">{format!("This import started on {when} stopped after {done} of {of} products (the shop restarted, or could not write the next ones). What was written stays written; upload the file again: its check shows what is left to import.")}</p> }.into_any()
    } else {
        view! {
            <div class="alert stack">
                <label for="import-progress">{format!("Importing: {done} of {of} products written.")}</label>
                <progress id="import-progress" max=of.max(1).to_string() value=done.to_string()>{format!("{done} of {of}")}</progress>
                <p>"The import goes on if you leave this page. " <a href=format!("/seller/products/import/{id}?applied=1")>"Check progress"</a></p>
            </div>
        }.into_any()
    }
}

/// What the summary says of the file as a whole: stopped by its columns, products skipped, or nothing to change.
fn summary_note(report: &ImportReport, applied: bool) -> Option<(&'static str, String)> {
    let problems = model::count_of(report.errors.len() as i64, "problem", "problems");
    let skipped = model::count_of(report.products.skipped as i64, "product is", "products are");
    if report.file_refused() {
        Some(("alert alert--error", "Nothing can be imported until the file's first row (its columns) is right: fix it and upload the file again.".into()))
    } else if !report.errors.is_empty() && report.changes_anything() {
        Some((
            "alert alert--error",
            format!(
                "{problems} to fix: {skipped} skipped, the rest can be applied. Or fix the file and upload it again."
            ),
        ))
    } else if !report.errors.is_empty() {
        Some((
            "alert alert--error",
            format!("{problems} to fix, and nothing else to change: fix the file and upload it again."),
        ))
    } else if !report.changes_anything() && !applied {
        Some((
            "alert",
            "Nothing to change: your catalog already matches this file.".into(),
        ))
    } else {
        None
    }
}

/// What the file would do (or did): the tallies, stock figures and pictures, and "Apply" while it can be.
#[component]
fn SummarySection(report: ImportReport, id: i64, applied: bool, can_apply: bool, changes: usize) -> impl IntoView {
    view! {
    <section class="card stack" aria-labelledby="summary">
        <h2 id="summary">{if applied { "What the import did" } else { "What the import would do" }}</h2>
        <p>{format!("{} read.", model::count_of(report.rows as i64, "row", "rows"))}</p>
        <div class="table-scroll">
            <table class="table">
                <caption class="visually-hidden">"Summary"</caption>
                <thead><tr><th scope="col">""</th><th scope="col" class="num">"To create"</th><th scope="col" class="num">"To update"</th><th scope="col" class="num">"Unchanged"</th><th scope="col" class="num">"Skipped (problems)"</th></tr></thead>
                <tbody>
                    {tally_row("Products", report.products)}
                    {tally_row("Variants", report.variants)}
                </tbody>
            </table>
        </div>
        <p>{format!("Stock figures to set: {}.", report.stock_changes)}</p>
        {(report.pictures > 0 && !applied).then(|| view! {
            <p>{format!("Pictures to fetch from their addresses after the import: {}. They are fetched in the background; each product the file publishes goes live with its first picture.", report.pictures)}</p>
        })}
        {summary_note(&report, applied).map(|(class, note)| view! { <p class=class>{note}</p> })}
        {can_apply.then(|| view! {
            <form method="post" action=ApplyImport::url() class="actions">
                <input type="hidden" name="id" value=id.to_string()/>
                <button class="button" type="submit">{format!("Apply {}", model::count_of(changes as i64, "change", "changes"))}</button>
                <a href="/seller/products">"Cancel"</a>
            </form>
        })}
    </section>
    }
}

#[component]
fn Report(
    view: ImportView,
    applied: bool,
    replanned: bool,
    page: usize,
    retried: Option<u64>,
    error: Option<AppError>,
) -> impl IntoView {
    let report = view.report;
    let problems = report.errors.len();
    let can_apply = !report.file_refused() && report.changes_anything() && view.applied_at.is_none();
    let changes = report.changes.len();
    let progress = view.progress.clone();
    let left_out = progress.left_out.len();
    let notice = if progress.finished_at.is_some() && applied {
        Some(format!(
            "Imported: {} created, {} updated; {} created, {} updated.{}",
            model::count_of(report.products.create as i64, "product", "products"),
            report.products.update,
            model::count_of(report.variants.create as i64, "variant", "variants"),
            report.variants.update,
            if left_out > 0 {
                format!(
                    " {} changed after the check and {} left as {}: see below.",
                    model::count_of(left_out as i64, "product", "products"),
                    if left_out == 1 { "was" } else { "were" },
                    if left_out == 1 { "it was" } else { "they were" }
                )
            } else {
                String::new()
            }
        ))
    } else {
        None
    };
    view! {
        <PortalShell section=Section::Products store_name=view.store_name.clone() store_slug=view.store_slug.clone()>
            <div class="page-head">
                <h1 class="page-title">{format!("Import of {}", view.file_name)}</h1>
                <a href="/seller/products/import">"Upload another file"</a>
            </div>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            {error.map(|e| view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> })}
            {replanned.then(|| view! {
                <p class="alert alert--error" role="alert">"Nothing was imported: your catalog changed since the file was checked (another save or an order). Below is a new check; apply it if it is right."</p>
            })}
            {(view.applied_at.is_some() && !(applied && view.progress.finished_at.is_some()))
                .then(|| progress_note(&view.progress, view.applied_at.unwrap_or_default(), view.id))}
            <SummarySection report=report.clone() id=view.id applied=view.applied_at.is_some() can_apply=can_apply changes=changes/>
            {(view.pictures.fetched + view.pictures.failed + view.pictures.waiting > 0).then(|| view! {
                <PicturesSection id=view.id pictures=view.pictures.clone() retried=retried/>
            })}
            {(problems > 0).then(|| view! {
                <section class="card stack" aria-labelledby="problems">
                    <h2 id="problems">{format!("Problems ({problems})")}</h2>
                    <IssueTable caption="Rows to fix" what="Problem" items=report.errors.clone() id=view.id page=page/>
                </section>
            })}
            {(left_out > 0).then(|| view! {
                <section class="card stack" aria-labelledby="left-out">
                    <h2 id="left-out">{format!("Left as they were ({left_out})")}</h2>
                    <IssueTable caption="Products left as they were" what="Why" items=progress.left_out.clone() id=view.id page=page/>
                </section>
            })}
            {(changes > 0).then(|| view! {
                <section class="card stack" aria-labelledby="changes">
                    <h2 id="changes">{format!("Changes ({changes})")}</h2>
                    <IssueTable caption="Changes" what="Change" items=report.changes.clone() id=view.id page=page/>
                </section>
            })}
            {(!report.notices.is_empty()).then(|| view! {
                <section class="card stack" aria-labelledby="notes">
                    <h2 id="notes">{format!("Notes ({})", report.notices.len())}</h2>
                    <IssueTable caption="Notes" what="Note" items=report.notices.clone() id=view.id page=page/>
                </section>
            })}
        </PortalShell>
    }
}
