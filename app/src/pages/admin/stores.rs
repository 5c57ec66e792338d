//! `/admin/sellers`: every store, searched by name and filtered by state and held payouts (keyset pages), with its
//! last 30 days' sales, balance and commission; and `/admin/sellers/{id}`: a store with its owner, standing,
//! payouts hold, commission rate and audit trail, and the forms that change them. Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::admin_stores::{percent, StoreDetail, StoreFilter, StoreList, StoreState, SuspensionGround};

use super::audit::AuditTrail;
use super::{admin_gate, NotLoaded, PasswordAgain};
use crate::api::admin::stores::{
    admin_store, admin_stores, ChangeStoreCommission, HoldStorePayouts, ReactivateStore, SuspendStore,
};
use crate::components::portal::{AdminSection, AdminShell, Badge, NextPage, Notice};
use crate::pages::url_error;

#[component]
pub fn AdminStoresPage() -> impl IntoView {
    let (filter, after) = leptos_router::hooks::use_query_map().with_untracked(|m| {
        let get = |name: &str| m.get(name).unwrap_or_default();
        let filter = StoreFilter {
            q: get("q"),
            state: StoreState::parse(&get("state")),
            held: get("held") == "1",
        };
        (filter, get("after"))
    });
    if let Some(instead) = admin_gate(&filter.href(&after)) {
        return instead;
    }
    view! {
        <Title text="Stores · Admin"/>
        <AdminShell section=AdminSection::Stores>
            <h1 class="page-title">"Stores"</h1>
            <p><a href="/admin/sellers/applications">"Seller applications"</a>" · "<a href="/admin/payouts">"Payouts"</a></p>
            <StoreFilters filter=filter.clone()/>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let f = filter.clone();
                    let state = f.state.map(|s| s.as_str().to_string()).unwrap_or_default();
                    let held = if f.held { "1" } else { "" }.to_string();
                    match admin_stores(f.q.clone(), state, held, after).await {
                        Ok(list) => view! { <StoreTable list=list filter=f/> }.into_any(),
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminShell>
    }
    .into_any()
}

/// The search box, the state select and the held-payouts box, in the address (a GET form).
#[component]
fn StoreFilters(filter: StoreFilter) -> impl IntoView {
    view! {
        <form method="get" action="/admin/sellers" class="filters card" role="search" aria-label="Search stores">
            <div class="field">
                <label for="stores-q">"Store name"</label>
                <input id="stores-q" name="q" type="search" value=filter.q.clone()/>
            </div>
            <div class="field">
                <label for="stores-state">"State"</label>
                <select id="stores-state" name="state">
                    <option value="">"Any state"</option>
                    {StoreState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=filter.state == Some(s)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field field--check">
                <input id="stores-held" name="held" type="checkbox" value="1" checked=filter.held/>
                <label for="stores-held">"Payouts held"</label>
            </div>
            <div class="filters__actions">
                <button class="button button--secondary" type="submit">"Search"</button>
                {filter.narrowed().then(|| view! { <a href="/admin/sellers">"Clear filters"</a> })}
            </div>
        </form>
    }
}

#[component]
fn StoreTable(list: StoreList, filter: StoreFilter) -> impl IntoView {
    if list.rows.is_empty() {
        let why = if filter.narrowed() {
            "No store matches these filters."
        } else {
            "No stores yet: a store opens when its seller application is approved."
        };
        return view! { <section class="card empty"><p>{why}</p></section> }.into_any();
    }
    let next = list.next.as_deref().map(|after| filter.href(after));
    view! {
        <table class="table">
            <caption class="visually-hidden">"Stores, newest first"</caption>
            <thead><tr>
                <th scope="col">"Store"</th><th scope="col">"State"</th>
                <th scope="col" class="num">"Sales, 30 days"</th><th scope="col" class="num">"Balance"</th>
                <th scope="col" class="num">"Commission"</th><th scope="col">"Opened"</th>
            </tr></thead>
            <tbody>
                {list.rows.into_iter().map(|s| {
                    let since = model::format_date(s.created_at);
                    let rate = if s.commission_own { percent(s.commission_bp) } else { format!("{} (platform)", percent(s.commission_bp)) };
                    view! {
                        <tr>
                            <td><a href=format!("/admin/sellers/{}", s.id)>{s.name.clone()}</a></td>
                            <td data-label="State">
                                <Badge label=s.state.label() tone=s.state.tone()/>
                                {s.payouts_held.then(|| view! { " "<Badge label="Payouts held" tone="warning"/> })}
                            </td>
                            <td data-label="Sales, 30 days" class="num">{s.sales_30_days.display()}</td>
                            <td data-label="Balance" class="num">{s.balance.display()}</td>
                            <td data-label="Commission" class="num">{rate}</td>
                            <td data-label="Opened"><time datetime=since.clone()>{since.clone()}</time></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <NextPage href=next/>
    }
    .into_any()
}

#[component]
pub fn AdminStorePage() -> impl IntoView {
    let id = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    if let Some(instead) = admin_gate(&format!("/admin/sellers/{id}")) {
        return instead;
    }
    let notice = match leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("done"))
        .as_deref()
    {
        Some("suspended") => {
            Some("Store suspended: its listings leave the storefront and search, and its seller is emailed the reason.")
        }
        Some("reactivated") => Some("Store reactivated: its active listings are back on sale."),
        Some("held") => Some("Payouts held: no transfer leaves for this store until they are released."),
        Some("released") => Some("Payouts released."),
        Some("commission") => Some("Commission changed: it applies to orders paid from now on."),
        _ => None,
    };
    let error = url_error::<SuspendStore>()
        .or_else(url_error::<ReactivateStore>)
        .or_else(url_error::<HoldStorePayouts>)
        .or_else(url_error::<ChangeStoreCommission>);
    view! {
        <Title text="Store · Admin"/>
        <AdminShell section=AdminSection::Stores>
            <p><a href="/admin/sellers">"← Stores"</a></p>
            <Notice text=notice/>
            {error.map(|e| view! {
                <p class="alert alert--error" role="alert">{e.message_for(&["ground", "reason", "rate", "password"])}</p>
            })}
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match admin_store(id).await {
                        Ok(detail) => view! { <StoreDetailView detail=detail/> }.into_any(),
                        Err(e) => view! { <NotLoaded title="Store" error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminShell>
    }
    .into_any()
}

#[component]
fn StoreDetailView(detail: StoreDetail) -> impl IntoView {
    let s = detail.store.clone();
    let since = model::format_date(s.created_at);
    let owner = match detail.owner_id {
        Some(id) => view! {
            <a href=format!("/admin/users/{id}")>{detail.owner_name.clone()}</a>" · "{detail.owner_email.clone()}
        }
        .into_any(),
        None => view! { <span>"No account runs it (its owner's account is gone)"</span> }.into_any(),
    };
    view! {
        <h1 class="page-title">{s.name.clone()}</h1>
        <section class="card" aria-labelledby="store-title">
            <h2 id="store-title">"Store"</h2>
            <dl class="details">
                <dt>"State"</dt>
                <dd>
                    <Badge label=s.state.label() tone=s.state.tone()/>
                    {s.payouts_held.then(|| view! { " "<Badge label="Payouts held" tone="warning"/> })}
                </dd>
                {(!detail.suspension_note.is_empty()).then(|| view! {
                    <dt>"Statement of reasons"</dt><dd>{detail.suspension_note.clone()}</dd>
                })}
                <dt>"Storefront"</dt><dd><a href=format!("/store/{}", s.slug)>{format!("/store/{}", s.slug)}</a></dd>
                <dt>"Owner"</dt><dd>{owner}</dd>
                <dt>"Products"</dt><dd>{if s.state == StoreState::Active {
                    format!("{} on sale of {}", detail.active_products, detail.products)
                } else {
                    format!("{} active of {}, none on sale while the store does not sell", detail.active_products, detail.products)
                }}</dd>
                <dt>"Sales, last 30 days"</dt><dd>{s.sales_30_days.display()}</dd>
                <dt>"Balance"</dt><dd>{s.balance.display()}" · "<a href="/admin/payouts">"Payouts"</a></dd>
                <dt>"Opened"</dt><dd><time datetime=since.clone()>{since.clone()}</time></dd>
            </dl>
        </section>
        <StandingForms detail=detail.clone()/>
        <CommissionForm detail=detail.clone()/>
        <section class="card stack" aria-labelledby="trail-title">
            <h2 id="trail-title">"Audit trail"</h2>
            <p><a href=format!("/admin/audit?kind=store&subject={}", s.id)>"The store's own entries in the audit log"</a></p>
            <AuditTrail entries=detail.audit.clone()/>
        </section>
    }
}

/// The reason field every change asks for (kept in the audit log).
#[component]
fn Reason(id: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name="reason" type="text" required maxlength="500"/>
        </div>
    }
}

/// Suspend (with a ground from the list) or reactivate, and hold or release the payouts: each a disclosure.
#[component]
fn StandingForms(detail: StoreDetail) -> impl IntoView {
    let s = detail.store;
    let id = s.id.to_string();
    let needs = detail.needs_password;
    let standing = match s.state {
        StoreState::Active => Some(view! {
            <details class="reject">
                <summary class="button button--danger">{format!("Suspend {}…", s.name)}</summary>
                <form method="post" action=SuspendStore::url() class="form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <div class="field">
                        <label for="suspend-ground">"Ground"</label>
                        <select id="suspend-ground" name="ground" required>
                            {SuspensionGround::ALL.into_iter().map(|g| view! { <option value=g.as_str()>{g.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <Reason id="suspend-reason" label="Reason (the seller reads it; kept in the audit log)"/>
                    <PasswordAgain needed=needs id="suspend-password".into()/>
                    <button class="button button--danger" type="submit">"Suspend the store: take its listings off sale"</button>
                </form>
            </details>
        }.into_any()),
        StoreState::Suspended => Some(view! {
            <details class="reject">
                <summary class="button button--secondary">{format!("Reactivate {}…", s.name)}</summary>
                <form method="post" action=ReactivateStore::url() class="form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <Reason id="reactivate-reason" label="Reason (kept in the audit log)"/>
                    <PasswordAgain needed=needs id="reactivate-password".into()/>
                    <button class="button" type="submit">"Reactivate the store"</button>
                </form>
            </details>
        }.into_any()),
        StoreState::Pending => None,
    };
    let (hold, summary, button) = if s.payouts_held {
        ("0", "Release payouts…", "Release the payouts")
    } else {
        ("1", "Hold payouts…", "Hold the payouts")
    };
    view! {
        <section class="card stack" aria-labelledby="standing-title">
            <h2 id="standing-title">"Standing"</h2>
            {standing}
            <details class="reject">
                <summary class="button button--secondary">{summary}</summary>
                <form method="post" action=HoldStorePayouts::url() class="form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="hold" value=hold/>
                    <Reason id="hold-reason" label="Reason (kept in the audit log)"/>
                    <button class="button" type="submit">{button}</button>
                </form>
            </details>
        </section>
    }
}

/// The store's own commission rate: set, changed, or removed (the platform's or the category's applies).
#[component]
fn CommissionForm(detail: StoreDetail) -> impl IntoView {
    let s = detail.store;
    let own = s.commission_own.then_some(s.commission_bp);
    let now = match own {
        Some(bp) => format!("{} (the store's own rate)", percent(bp)),
        None => format!(
            "{} (the platform's rate; a category's own rate applies to its products)",
            percent(detail.platform_bp)
        ),
    };
    let typed = own
        .map(|bp| percent(bp).trim_end_matches(" %").to_string())
        .unwrap_or_default();
    view! {
        <section class="card stack" aria-labelledby="commission-title">
            <h2 id="commission-title">"Commission"</h2>
            <p>{now}</p>
            <details class="reject">
                <summary class="button button--secondary">"Change the commission…"</summary>
                <form method="post" action=ChangeStoreCommission::url() class="form">
                    <input type="hidden" name="id" value=s.id.to_string()/>
                    <input type="hidden" name="seen" value=own.map(|bp| bp.to_string()).unwrap_or_default()/>
                    <div class="field">
                        <label for="commission-rate">"The store's rate, in %"</label>
                        <input id="commission-rate" name="rate" type="text" inputmode="decimal" value=typed maxlength="8"
                            aria-describedby="commission-hint"/>
                        <p class="field__hint" id="commission-hint">"Empty: the platform's or the category's rate. Orders paid from now on pay it; past orders keep theirs."</p>
                    </div>
                    <Reason id="commission-reason" label="Reason (kept in the audit log)"/>
                    <PasswordAgain needed=detail.needs_password id="commission-password".into()/>
                    <button class="button" type="submit">"Change the commission"</button>
                </form>
            </details>
        </section>
    }
}
