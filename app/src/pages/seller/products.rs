//! The seller's products: the index (`/seller/products`: search, filters and sort in the URL, keyset pages, bulk
//! publish / archive) and the archive confirmation. The editor is in `editor`. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::sellers::{ProductFilter, ProductPage, ProductRow};

use crate::api::sellers::{seller_products, BulkProducts};
use crate::components::portal::{NextPage, PortalShell, Section};
use crate::error::AppError;
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

fn status_badge(status: &str) -> impl IntoView {
    let (label, tone) = match status {
        "active" => ("Active", "success"),
        "archived" => ("Archived", "neutral"),
        _ => ("Draft", "warning"),
    };
    view! { <span class=format!("badge badge--{tone}")>{label}</span> }
}

fn filter_from_query() -> ProductFilter {
    let query = leptos_router::hooks::use_query_map();
    query.with_untracked(|q| ProductFilter {
        q: q.get("q").unwrap_or_default(),
        status: q.get("status").unwrap_or_default(),
        category: q.get("category").unwrap_or_default(),
        stock: q.get("stock").unwrap_or_default(),
        tag: q.get("tag").unwrap_or_default(),
        // The filter form's "Sort by" sends both as `order` (`price-asc`); the headers' links send them apart.
        sort: q
            .get("order")
            .and_then(|o| Some(o.split_once('-')?.0.to_string()))
            .or_else(|| q.get("sort"))
            .unwrap_or_default(),
        dir: q
            .get("order")
            .and_then(|o| Some(o.split_once('-')?.1.to_string()))
            .or_else(|| q.get("dir"))
            .unwrap_or_default(),
        after: q.get("after").unwrap_or_default(),
    })
}

/// The index's address for `filter` with `change` applied (the cursor is dropped: a new view starts at page 1).
fn index_href(filter: &ProductFilter, change: impl FnOnce(&mut ProductFilter)) -> String {
    let mut f = filter.clone();
    f.after.clear();
    change(&mut f);
    let pairs = [
        ("q", &f.q),
        ("status", &f.status),
        ("category", &f.category),
        ("stock", &f.stock),
        ("tag", &f.tag),
        ("sort", &f.sort),
        ("dir", &f.dir),
        ("after", &f.after),
    ];
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::url_encode(v)))
        .collect();
    if query.is_empty() {
        "/seller/products".to_string()
    } else {
        format!("/seller/products?{}", query.join("&"))
    }
}

#[component]
pub fn SellerProductsPage() -> impl IntoView {
    if let Some(instead) = portal_gate("/seller/products") {
        return instead;
    }
    let filter = filter_from_query();
    let done = leptos_router::hooks::use_query_map().with_untracked(|q| {
        q.get("done").map(|action| {
            let changed = q.get("changed").unwrap_or_default();
            let skipped = q.get("skipped").and_then(|s| s.parse::<usize>().ok()).unwrap_or(0);
            let verb = match action.as_str() {
                "active" => "published",
                "archived" => "archived",
                _ => "moved to drafts",
            };
            let mut text = format!(
                "{} {verb}.",
                model::count_of(changed.parse::<i64>().unwrap_or(0), "product", "products")
            );
            if skipped > 0 {
                text.push_str(&format!(
                    " {skipped} not published: each needs a price and a picture first."
                ));
            }
            text
        })
    });
    let error = url_error::<BulkProducts>();
    let f = filter.clone();
    view! {
        <Title text="Products · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let f2 = f.clone();
                match seller_products(f.q, f.status, f.category, f.stock, f.tag, f.sort, f.dir, f.after).await {
                    Ok(page) => view! { <ProductIndex page=page filter=f2 done=done error=error/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ProductIndex(
    page: ProductPage,
    filter: ProductFilter,
    done: Option<String>,
    error: Option<AppError>,
) -> impl IntoView {
    let (store_name, store_slug) = (page.store_name.clone(), page.store_slug.clone());
    let filtered = [&filter.q, &filter.status, &filter.category, &filter.stock, &filter.tag]
        .iter()
        .any(|f| !f.is_empty());
    let count = page.total;
    let next = page.next.clone().map(|after| index_href(&filter, |f| f.after = after));
    view! {
        <PortalShell section=Section::Products store_name=store_name store_slug=store_slug>
            <div class="page-head">
                <h1 class="page-title">"Products"</h1>
                <div class="actions">
                    <a href="/seller/products/import">"Import CSV"</a>
                    <a href="/seller/products/export.csv" download>"Export CSV"</a>
                    <a class="button" href="/seller/products/new">"Add product"</a>
                </div>
            </div>
            <div role="status">{done.map(|d| view! { <p class="alert alert--success">{d}</p> })}</div>
            {error.map(|e| view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> })}
            <ProductFilters filter=filter.clone() categories=page.categories.clone() tags=page.tags.clone() filtered=filtered/>
            <p class="muted" aria-live="polite">{model::count_of(count, "product", "products")}</p>
            {if page.items.is_empty() {
                view! { <EmptyIndex filtered=filtered/> }.into_any()
            } else {
                view! {
                    <ProductTable items=page.items filter=filter/>
                    <NextPage href=next/>
                }.into_any()
            }}
        </PortalShell>
    }
}

/// The sort orders the filter form offers (every width; the table's headers sort too where they show):
/// `order` values of the address, `{sort}-{dir}`.
const ORDERS: [(&str, &str); 6] = [
    ("updated-desc", "Recently updated"),
    ("updated-asc", "Least recently updated"),
    ("title-asc", "Product, A to Z"),
    ("title-desc", "Product, Z to A"),
    ("price-asc", "Price, low to high"),
    ("price-desc", "Price, high to low"),
];

/// The order the filter shows as chosen (`updated-desc` when none is).
fn chosen_order(filter: &ProductFilter) -> String {
    let sort = if filter.sort.is_empty() {
        "updated"
    } else {
        filter.sort.as_str()
    };
    let dir = match filter.dir.as_str() {
        "asc" | "desc" => filter.dir.as_str(),
        _ if sort == "updated" => "desc",
        _ => "asc",
    };
    format!("{sort}-{dir}")
}

/// Search, filters and sort order: a GET form, so every view has its address.
#[component]
fn ProductFilters(
    filter: ProductFilter,
    categories: Vec<(String, String)>,
    tags: Vec<String>,
    filtered: bool,
) -> impl IntoView {
    let statuses = [
        ("", "All statuses"),
        ("draft", "Drafts"),
        ("active", "Active"),
        ("archived", "Archived"),
    ];
    let stocks = [
        ("", "Any stock"),
        ("in", "In stock"),
        ("low", "Low on stock"),
        ("out", "Out of stock"),
    ];
    let order = chosen_order(&filter);
    view! {
        <form method="get" action="/seller/products" class="filters card" role="search" aria-label="Filter products">
            <div class="field">
                <label for="filter-q">"Search products"</label>
                <input id="filter-q" name="q" type="search" value=filter.q.clone() placeholder="Title or SKU"/>
            </div>
            <div class="field">
                <label for="filter-status">"Status"</label>
                <select id="filter-status" name="status">
                    {statuses.iter().map(|(v, l)| view! { <option value=*v selected=filter.status == *v>{*l}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-category">"Category"</label>
                <select id="filter-category" name="category">
                    <option value="">"All categories"</option>
                    {categories.into_iter().map(|(slug, name)| {
                        let selected = filter.category == slug;
                        view! { <option value=slug selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
            {(!tags.is_empty() || !filter.tag.is_empty()).then(|| view! {
                <div class="field">
                    <label for="filter-tag">"Tag"</label>
                    <select id="filter-tag" name="tag">
                        <option value="">"All tags"</option>
                        {tags.into_iter().map(|tag| {
                            let selected = tag.to_lowercase() == filter.tag.to_lowercase();
                            let label = tag.clone();
                            view! { <option value=tag selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
            })}
            <div class="field">
                <label for="filter-stock">"Stock"</label>
                <select id="filter-stock" name="stock">
                    {stocks.iter().map(|(v, l)| view! { <option value=*v selected=filter.stock == *v>{*l}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-order">"Sort by"</label>
                <select id="filter-order" name="order">
                    {ORDERS.iter().map(|(v, l)| view! { <option value=*v selected=order == *v>{*l}</option> }).collect_view()}
                </select>
            </div>
            <div class="filters__actions">
                <button class="button button--secondary" type="submit">"Apply filters"</button>
                {filtered.then(|| view! { <a href="/seller/products">"Clear filters"</a> })}
            </div>
        </form>
    }
}

/// No products: none match the filters, or the store has none yet.
#[component]
fn EmptyIndex(filtered: bool) -> impl IntoView {
    view! {
        <section class="card empty stack">
            {if filtered {
                view! {
                    <h2>"No products match these filters"</h2>
                    <p><a href="/seller/products">"Clear filters"</a></p>
                }.into_any()
            } else {
                view! {
                    <h2>"No products yet"</h2>
                    <p>"Add your first product (it stays a draft until you publish it), or import a catalog from a CSV file, such as a Shopify product export."</p>
                    <p class="actions"><a class="button" href="/seller/products/new">"Add product"</a><a href="/seller/products/import">"Import CSV"</a></p>
                }.into_any()
            }}
        </section>
    }
}

/// The page's products with the bulk status change; the sortable columns' headers sort by them.
#[component]
fn ProductTable(items: Vec<ProductRow>, filter: ProductFilter) -> impl IntoView {
    let sort_header = move |key: &'static str, label: &'static str| {
        let order = chosen_order(&filter);
        let (active, asc) = (order.starts_with(key), order.ends_with("-asc"));
        let aria = active.then_some(if asc { "ascending" } else { "descending" });
        let href = index_href(&filter, |f| {
            f.sort = key.to_string();
            f.dir = if active && asc {
                "desc"
            } else if active {
                "asc"
            } else {
                ""
            }
            .to_string();
        });
        view! { <th scope="col" aria-sort=aria><a href=href>{label}</a></th> }
    };
    view! {
        <form method="post" action=BulkProducts::url() class="stack">
            <div class="bulk">
                <label for="bulk-action">"With the selected products"</label>
                <select id="bulk-action" name="action">
                    <option value="active">"Publish"</option>
                    <option value="archived">"Archive"</option>
                    <option value="draft">"Move to drafts"</option>
                </select>
                <button class="button button--secondary" type="submit">"Apply to selected"</button>
            </div>
            <table class="table">
                <caption class="visually-hidden">"Your products"</caption>
                <thead>
                    <tr>
                        <th scope="col"><span class="visually-hidden">"Select"</span></th>
                        {sort_header("title", "Product")}
                        <th scope="col">"Status"</th>
                        <th scope="col">"Category"</th>
                        {sort_header("price", "Price")}
                        <th scope="col" class="num">"Stock"</th>
                        {sort_header("updated", "Updated")}
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().enumerate().map(|(i, row)| view! { <ProductIndexRow index=i row=row/> }).collect_view()}
                </tbody>
            </table>
        </form>
    }
}

#[component]
fn ProductIndexRow(index: usize, row: ProductRow) -> impl IntoView {
    let updated = model::format_date(row.updated_at);
    let stock = if row.available == 0 {
        "Out of stock".to_string()
    } else {
        format!("{} in stock", row.available)
    };
    view! {
        <tr>
            <td>
                <input type="checkbox" name=format!("ids[{index}]") value=row.id.to_string() aria-label=format!("Select {}", row.title)/>
            </td>
            <td data-label="Product">
                <a href=format!("/seller/products/{}", row.id)>{row.title.clone()}</a>
                {(!row.has_picture).then(|| view! { <span class="muted">" · no picture"</span> })}
            </td>
            <td data-label="Status">{status_badge(&row.status)}</td>
            <td data-label="Category">{row.category_name.clone()}</td>
            <td data-label="Price">{row.price.map(|p| p.display()).unwrap_or_else(|| "—".into())}</td>
            <td data-label="Stock" class="num">{stock}</td>
            <td data-label="Updated"><time datetime=updated.clone()>{updated.clone()}</time></td>
        </tr>
    }
}

/// `/seller/archive?ids=…`: the confirmation before archiving (it works without JavaScript: a page, not a
/// dialog), naming each product and what archiving does.
#[component]
pub fn ArchiveConfirmPage() -> impl IntoView {
    use crate::api::sellers::products_to_confirm;
    let ids = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("ids").unwrap_or_default());
    if let Some(instead) = portal_gate(&format!("/seller/archive?ids={ids}")) {
        return instead;
    }
    view! {
        <Title text="Archive products · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match products_to_confirm(ids).await {
                    Ok(products) if products.is_empty() => view! {
                        <div class="narrow stack">
                            <h1 class="page-title">"Nothing to archive"</h1>
                            <p><a href="/seller/products">"Back to products"</a></p>
                        </div>
                    }.into_any(),
                    Ok(products) => {
                        let n = products.len();
                        let heading = if n == 1 {
                            format!("Archive {}?", products[0].1)
                        } else {
                            format!("Archive {n} products?")
                        };
                        view! {
                            <div class="narrow stack">
                                <h1 class="page-title">{heading}</h1>
                                <p>"Archived products leave the storefront and search, and shoppers can no longer buy them. Their orders stay. You can publish them again at any time."</p>
                                <ul>{products.iter().map(|(_, t)| view! { <li>{t.clone()}</li> }).collect_view()}</ul>
                                <form method="post" action=BulkProducts::url() class="actions">
                                    {products.iter().enumerate().map(|(i, (id, _))| view! {
                                        <input type="hidden" name=format!("ids[{i}]") value=id.to_string()/>
                                    }).collect_view()}
                                    <input type="hidden" name="action" value="archived"/>
                                    <input type="hidden" name="confirmed" value="1"/>
                                    <button class="button button--danger" type="submit">{if n == 1 { "Archive product".to_string() } else { format!("Archive {n} products") }}</button>
                                    <a href="/seller/products">"Cancel"</a>
                                </form>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
