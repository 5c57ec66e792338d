//! `/seller/stock`: units available and reserved per variant per warehouse; add or remove units with a reason or
//! set a counted figure; a variant's low-stock alert level; the movement history. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::sellers::{StockLine, StockPage};

use crate::api::sellers::{seller_stock, AdjustStock, KeptAdjustment, SetStockThreshold};
use crate::components::portal::{NextPage, PortalShell, Section};
use crate::error::AppError;
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

#[component]
pub fn SellerStockPage() -> impl IntoView {
    if let Some(instead) = portal_gate("/seller/stock") {
        return instead;
    }
    let query = leptos_router::hooks::use_query_map();
    let (q, low, after, updated, level) = query.with_untracked(|m| {
        (
            m.get("q").unwrap_or_default(),
            m.get("low").unwrap_or_default(),
            m.get("after").unwrap_or_default(),
            m.get("updated").and_then(|v| v.parse::<i64>().ok()),
            m.get("level"),
        )
    });
    let error = url_error::<AdjustStock>().or_else(url_error::<SetStockThreshold>);
    // Where each form sends the seller back: this view, without the last notice.
    let mut back = String::from("/seller/stock");
    let mut pairs = Vec::new();
    if !q.is_empty() {
        pairs.push(format!("q={}", crate::url_encode(&q)));
    }
    if !low.is_empty() {
        pairs.push("low=1".to_string());
    }
    if !pairs.is_empty() {
        back.push('?');
        back.push_str(&pairs.join("&"));
    }
    view! {
        <Title text="Stock · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match seller_stock(q.clone(), low.clone(), after).await {
                    Ok(screen) => view! {
                        <StockScreen page=screen.page kept=screen.kept q=q low=!low.is_empty() back=back updated=updated.map(|v| (v, level)) error=error/>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// `updated`: the variant the last adjustment changed, and its warehouse's units after it.
#[component]
fn StockScreen(
    page: StockPage,
    kept: Option<KeptAdjustment>,
    q: String,
    low: bool,
    back: String,
    updated: Option<(i64, Option<String>)>,
    error: Option<AppError>,
) -> impl IntoView {
    let notice = updated.and_then(|(v, level)| {
        let line = page.lines.iter().find(|l| l.variant_id == v)?;
        Some(format!(
            "Stock of {} ({}) updated{}.",
            line.product_title,
            line.variant_title,
            level
                .as_ref()
                .map(|l| format!(
                    ": {} in that warehouse now",
                    model::count_of(l.parse::<i64>().unwrap_or(0), "unit", "units")
                ))
                .unwrap_or_default()
        ))
    });
    let message = error.as_ref().map(|e| e.message_for(&["units", "reason", "threshold"]));
    let next = page.next.clone().map(|after| {
        let mut href = format!(
            "{back}{}after={}",
            if back.contains('?') { '&' } else { '?' },
            crate::url_encode(&after)
        );
        href.push_str("#stock-title");
        href
    });
    let default_threshold = page.default_threshold;
    let (shell_name, shell_slug) = (page.store_name.clone(), page.store_slug.clone());
    view! {
        <PortalShell section=Section::Stock store_name=shell_name store_slug=shell_slug>
            <h1 class="page-title" id="stock-title">"Stock"</h1>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            {message.map(|m| view! { <p class="alert alert--error" role="alert">{m}</p> })}
            <form method="get" action="/seller/stock" class="filters card" role="search" aria-label="Filter stock">
                <div class="field">
                    <label for="stock-q">"Search stock"</label>
                    <input id="stock-q" name="q" type="search" value=q.clone() placeholder="Title or SKU"/>
                </div>
                <label class="check" for="stock-low">
                    <input id="stock-low" type="checkbox" name="low" value="1" checked=low/>
                    " Only low or out of stock"
                </label>
                <div class="filters__actions">
                    <button class="button button--secondary" type="submit">"Apply filters"</button>
                    {(!q.is_empty() || low).then(|| view! { <a href="/seller/stock">"Clear filters"</a> })}
                </div>
            </form>
            <p class="muted">{format!("Alert level unless a variant sets its own: {default_threshold} units. Reserved units are held for orders awaiting payment.")}</p>
            {if page.lines.is_empty() {
                view! {
                    <section class="card empty stack">
                        <h2>"No variants here"</h2>
                        <p>{if q.is_empty() && !low { "Add a product first; its variants appear here." } else { "Nothing matches these filters." }}</p>
                        <p><a href="/seller/products/new">"Add product"</a></p>
                    </section>
                }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table stock">
                            <caption class="visually-hidden">"Stock per variant and warehouse"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Variant"</th>
                                    <th scope="col">"Warehouse"</th>
                                    <th scope="col" class="num">"Available"</th>
                                    <th scope="col" class="num">"Reserved"</th>
                                    <th scope="col">"Change"</th>
                                    <th scope="col">"Alert at"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page.lines.into_iter().map(|line| view! { <StockRows line=line kept=kept.clone() back=back.clone()/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <NextPage href=next/>
                }.into_any()
            }}
            <section class="card stack" aria-labelledby="history-title">
                <h2 id="history-title">"Recent movements"</h2>
                {if page.movements.is_empty() {
                    view! { <p class="muted">"No stock has moved yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="table">
                            <caption class="visually-hidden">"Recent stock movements, newest first"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Variant"</th>
                                    <th scope="col">"Warehouse"</th>
                                    <th scope="col" class="num">"Change"</th>
                                    <th scope="col">"Reason"</th>
                                    <th scope="col" class="num">"Level after"</th>
                                    <th scope="col">"Who"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page.movements.into_iter().map(|m| {
                                    let day = model::format_date(m.at);
                                    view! {
                                        <tr>
                                            <td data-label="When"><time datetime=day.clone() title=day.clone()>{day.clone()}</time></td>
                                            <td data-label="Variant">
                                                {format!("{} ({}) · {}", m.product_title, m.variant_title, m.sku)}
                                                {m.variant_removed.then_some(" (removed)")}
                                            </td>
                                            <td data-label="Warehouse">{m.warehouse}{m.warehouse_removed.then_some(" (removed)")}</td>
                                            <td data-label="Change" class="num">{format!("{:+}", m.delta)}</td>
                                            <td data-label="Reason">{m.reason}</td>
                                            <td data-label="Level after" class="num">{m.level_after}</td>
                                            <td data-label="Who">{m.who}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </PortalShell>
    }
}

#[component]
fn StockRows(line: StockLine, kept: Option<KeptAdjustment>, back: String) -> impl IntoView {
    let label = format!("{} / {}", line.product_title, line.variant_title);
    let short = line.variant_title.clone();
    let rows = line.cells.len();
    let status = if line.available <= 0 {
        ("Out of stock", "danger")
    } else if line.available <= line.threshold {
        ("Low", "warning")
    } else {
        ("In stock", "success")
    };
    let variant = line.variant_id;
    line.cells
        .into_iter()
        .enumerate()
        .map(|(i, cell)| {
            let mine = kept.as_ref().filter(|k| k.variant == variant && k.warehouse == cell.warehouse_id);
            let units = mine.map(|k| k.units.clone()).unwrap_or_default();
            // No reason is chosen for the seller: "Received" by default once made removals read as receipts.
            let reason = mine.map(|k| k.reason.clone()).unwrap_or_default();
            let where_ = format!("{label} in {}", cell.warehouse);
            let reasons = [("received", "Received"), ("damaged", "Damaged"), ("returned", "Returned")];
            view! {
                <tr id=(i == 0).then(|| format!("variant-{variant}"))>
                    <th scope="row" data-label="Variant">
                        {(i == 0).then(|| view! {
                            <a href=format!("/seller/products/{}", line.product_id)>{line.product_title.clone()}</a>
                            " · " {short.clone()} <br/>
                            <code>{line.sku.clone()}</code> " "
                            <span class=format!("badge badge--{}", status.1)>{status.0}</span>
                        })}
                        {(i > 0).then(|| view! { <span class="visually-hidden">{label.clone()}</span> })}
                    </th>
                    <td data-label="Warehouse">{cell.warehouse.clone()}</td>
                    <td data-label="Available" class="num">{cell.available}</td>
                    <td data-label="Reserved" class="num">{cell.reserved}</td>
                    <td data-label="Change">
                        <form method="post" action=AdjustStock::url() class="adjust">
                            <input type="hidden" name="variant" value=variant.to_string()/>
                            <input type="hidden" name="warehouse" value=cell.warehouse_id.to_string()/>
                            <input type="hidden" name="back" value=back.clone()/>
                            <input name="units" inputmode="numeric" value=units aria-label=format!("Units of {where_}") aria-invalid=mine.is_some().to_string() placeholder="+5 or -2"/>
                            <select name="reason" aria-label=format!("Reason for {where_}")>
                                <option value="" selected=reason.is_empty()>"Why?"</option>
                                {reasons.iter().map(|(v, l)| view! { <option value=*v selected=reason == *v>{*l}</option> }).collect_view()}
                            </select>
                            <button class="button button--secondary" type="submit" name="mode" value="change" aria-label=format!("Apply the change to {where_}")>"Apply"</button>
                            <button class="button button--secondary" type="submit" name="mode" value="count" aria-label=format!("Set the counted figure of {where_}")>"Set as counted"</button>
                        </form>
                    </td>
                    {(i == 0).then(|| view! {
                        <td data-label="Alert at" rowspan=rows.to_string()>
                            <form method="post" action=SetStockThreshold::url() class="adjust">
                                <input type="hidden" name="variant" value=variant.to_string()/>
                                <input type="hidden" name="back" value=back.clone()/>
                                <input name="threshold" inputmode="numeric" value=line.own_threshold.map(|t| t.to_string()).unwrap_or_default() placeholder=line.threshold.to_string() aria-label=format!("Alert level of {label}")/>
                                <button class="button button--secondary" type="submit" aria-label=format!("Save the alert level of {label}")>"Save"</button>
                            </form>
                        </td>
                    })}
                </tr>
            }
        })
        .collect_view()
}
