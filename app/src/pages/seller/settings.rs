//! `/seller/settings`: the store's profile and policies, its warehouses (add, rename, remove an empty one) and
//! shipping rates (the ones checkout quotes). Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::orders::{country_name, COUNTRIES};
use model::sellers::{RateKind, RateView, StoreSettings, WarehouseView};

use crate::api::sellers::{
    store_settings, AddShippingRate, AddWarehouse, RemoveShippingRate, RemoveStoreLogo, RemoveWarehouse,
    RenameWarehouse, SaveOrderPolicy, SaveStockPolicy, SaveStoreProfile,
};
use crate::components::forms::{error_for, ErrorSummary, Field, SelectField, TextAreaField};
use crate::components::portal::{PortalShell, Section};
use crate::error::AppError;
use crate::pages::seller::portal_gate;
use crate::pages::url_error;

const PROFILE_FIELDS: &[(&str, &str)] = &[
    ("store_name", "Store name"),
    ("description", "Description"),
    ("support_email", "Support email"),
    ("return_days", "Return window"),
    ("return_policy", "Return policy"),
    ("low_stock_default", "Low-stock alert level"),
    ("handling_days", "Handling time"),
    ("time_zone", "Time zone"),
];

#[component]
pub fn SellerSettingsPage() -> impl IntoView {
    if let Some(instead) = portal_gate("/seller/settings") {
        return instead;
    }
    let saved = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("saved"));
    let profile_error = url_error::<SaveStoreProfile>();
    let other_error = url_error::<AddWarehouse>()
        .or_else(url_error::<RenameWarehouse>)
        .or_else(url_error::<RemoveWarehouse>)
        .or_else(url_error::<AddShippingRate>)
        .or_else(url_error::<RemoveShippingRate>)
        .or_else(url_error::<SaveStockPolicy>)
        .or_else(url_error::<SaveOrderPolicy>);
    view! {
        <Title text="Store settings · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match store_settings().await {
                    Ok(settings) => view! { <Settings settings=settings saved=saved profile_error=profile_error other_error=other_error/> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Settings(
    settings: StoreSettings,
    saved: Option<String>,
    profile_error: Option<AppError>,
    other_error: Option<AppError>,
) -> impl IntoView {
    let notice = match saved.as_deref() {
        Some("profile") => Some("Store profile saved."),
        Some("warehouse") => Some("Warehouse saved."),
        Some("removed") => Some("Warehouse removed."),
        Some("rate") => Some("Shipping rates saved."),
        Some("logo") => Some("Logo saved."),
        Some("stock") => Some("Stock and import settings saved."),
        Some("orders") => Some("Order settings saved."),
        _ => None,
    };
    let other_message = other_error.map(|e| {
        e.message_for(&[
            "name",
            "country",
            "rate_name",
            "rate_country",
            "kind",
            "amount",
            "free_over",
            "days",
            "default_warehouse",
        ])
    });
    let p = settings.profile.clone();
    let err = {
        let e = profile_error.clone();
        move |name: &str| error_for(&e, name)
    };
    let countries: Vec<(String, String)> = COUNTRIES.iter().map(|(c, n)| (c.to_string(), n.to_string())).collect();
    let home = settings.country.clone();
    let zones: Vec<(String, String)> = settings
        .time_zones
        .iter()
        .map(|z| (z.clone(), z.replace('_', " ")))
        .collect();
    let (shell_name, shell_slug) = (settings.store_name.clone(), settings.slug.clone());
    view! {
        <PortalShell section=Section::Settings store_name=shell_name store_slug=shell_slug>
            <h1 class="page-title">"Store settings"</h1>
            <div role="status">{notice.map(|n| view! { <p class="alert alert--success">{n}</p> })}</div>
            {other_message.map(|m| view! { <p class="alert alert--error" role="alert">{m}</p> })}
            <section class="card stack" aria-labelledby="profile-title">
                <h2 id="profile-title">"Profile and policies"</h2>
                <p class="muted">{format!("Your store's address is /store/{} and it ships from {}.", settings.slug, country_name(&settings.country))}</p>
                <form method="post" action=SaveStoreProfile::url() class="form" novalidate aria-labelledby="profile-title">
                    <ErrorSummary error=profile_error.clone() fields=PROFILE_FIELDS/>
                    <Field name="store_name" label="Store name" value=p.store_name maxlength=60 error=err("store_name")/>
                    <TextAreaField name="description" label="Description" value=p.description maxlength=2000 error=err("description")/>
                    <Field name="support_email" label="Support email" kind="email" value=p.support_email error=err("support_email")/>
                    <Field name="return_days" label="Return window (days)" inputmode="numeric" value=p.return_days error=err("return_days")/>
                    <TextAreaField name="return_policy" label="Return policy" value=p.return_policy maxlength=2000 error=err("return_policy")/>
                    <Field name="low_stock_default" label="Low-stock alert level (units)" inputmode="numeric" value=p.low_stock_default hint="You are emailed once when a variant falls to this many units, unless it sets its own level." error=err("low_stock_default")/>
                    <Field name="handling_days" label="Handling time (business days)" inputmode="numeric" value=p.handling_days hint="A paid order is to ship within this many business days (Monday to Friday): it sets each order's ship-by date." error=err("handling_days")/>
                    <SelectField name="time_zone" label="Time zone (the days of your sales figures and statement)" options=zones value=p.time_zone error=err("time_zone")/>
                    <div class="form-actions"><button class="button" type="submit">"Save profile"</button></div>
                </form>
            </section>
            <section class="card stack" aria-labelledby="logo-title">
                <h2 id="logo-title">"Logo"</h2>
                {match settings.logo_url.clone() {
                    Some(url) => view! {
                        <img class="store-logo" src=url alt=format!("{} logo", settings.store_name) width="80" height="80"/>
                        <form method="post" action=RemoveStoreLogo::url()>
                            <button class="button button--secondary" type="submit">"Remove the logo"</button>
                        </form>
                    }.into_any(),
                    None => view! { <p class="muted">"No logo yet: your storefront shows your store's name alone."</p> }.into_any(),
                }}
                <form method="post" action="/seller/settings/logo" enctype="multipart/form-data" class="stack">
                    <div class="field">
                        <label for="field-logo">"Logo picture (JPEG, PNG or WebP, up to 10 MB; square looks best)"</label>
                        {settings.logo_refused.clone().map(|m| view! { <p id="field-logo-error" class="field__error">{m}</p> })}
                        <input id="field-logo" type="file" name="logo" accept="image/jpeg,image/png,image/webp" required
                            aria-invalid=settings.logo_refused.is_some().then_some("true")
                            aria-describedby=settings.logo_refused.is_some().then_some("field-logo-error")/>
                    </div>
                    <p><button class="button button--secondary" type="submit">"Upload logo"</button></p>
                </form>
            </section>
            <WarehousesCard warehouses=settings.warehouses.clone() countries=countries.clone() home=home.clone()/>
            <OrderPolicyCard accept=settings.accept_orders/>
            <StockPolicyCard settings=settings.clone()/>
            <ShippingRatesCard rates=settings.rates.clone() countries=countries/>
        </PortalShell>
    }
}

/// The rates checkout quotes for the store: add one, remove one.
#[component]
fn ShippingRatesCard(rates: Vec<RateView>, countries: Vec<(String, String)>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="shipping-title">
            <h2 id="shipping-title">"Shipping rates"</h2>
            <p class="muted">"Checkout offers your rates for the shopper's country; a rate for one country replaces the rate of the same name for everywhere."</p>
            {if rates.is_empty() {
                view! { <p>"No rates yet: shoppers cannot check out your products until you add one."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <caption class="visually-hidden">"Your shipping rates"</caption>
                        <thead><tr><th scope="col">"Rate"</th><th scope="col">"Country"</th><th scope="col">"Cost"</th><th scope="col">"Free over"</th><th scope="col">"Days"</th><th scope="col">"Remove"</th></tr></thead>
                        <tbody>
                            {rates.iter().map(|r| {
                                let cost = format!("{}{}", r.amount.display(), if r.kind == RateKind::PerItem { " per item" } else { "" });
                                let country = if r.country == "*" { "Everywhere".to_string() } else { country_name(&r.country).to_string() };
                                view! {
                                    <tr>
                                        <td data-label="Rate">{r.name.clone()}</td>
                                        <td data-label="Country">{country.clone()}</td>
                                        <td data-label="Cost">{cost}</td>
                                        <td data-label="Free over">{r.free_over.as_ref().map(|f| f.display()).unwrap_or_else(|| "—".into())}</td>
                                        <td data-label="Days">{format!("{}–{}", r.days_min, r.days_max)}</td>
                                        <td data-label="Remove">
                                            <form method="post" action=RemoveShippingRate::url()>
                                                <input type="hidden" name="id" value=r.id.to_string()/>
                                                <button class="button button--secondary" type="submit">{format!("Remove {} ({country})", r.name)}</button>
                                            </form>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <form method="post" action=AddShippingRate::url() class="form" aria-label="Add a shipping rate">
                <h3>"Add a shipping rate"</h3>
                <div class="field-row">
                    <div class="field"><label for="rate-name">"Rate name"</label><input id="rate-name" name="name" maxlength="40" placeholder="Standard"/></div>
                    <div class="field">
                        <label for="rate-country">"Destination"</label>
                        <select id="rate-country" name="country">
                            <option value="*">"Everywhere"</option>
                            {countries.iter().map(|(c, n)| view! { <option value=c.clone()>{n.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="rate-kind">"Charged"</label>
                        <select id="rate-kind" name="kind">
                            {RateKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field"><label for="rate-amount">"Cost (USD)"</label><input id="rate-amount" name="amount" inputmode="decimal" placeholder="4.99"/></div>
                </div>
                <div class="field-row">
                    <div class="field"><label for="rate-free">"Free over (USD, optional)"</label><input id="rate-free" name="free_over" inputmode="decimal"/></div>
                    <div class="field-row">
                        <div class="field"><label for="rate-min">"Days from"</label><input id="rate-min" name="days_min" inputmode="numeric" value="2"/></div>
                        <div class="field"><label for="rate-max">"Days to"</label><input id="rate-max" name="days_max" inputmode="numeric" value="5"/></div>
                    </div>
                </div>
                <p><button class="button button--secondary" type="submit">"Add rate"</button></p>
            </form>
        </section>
    }
}

/// The store's warehouses: rename each, remove an empty one, add another.
#[component]
fn WarehousesCard(warehouses: Vec<WarehouseView>, countries: Vec<(String, String)>, home: String) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="warehouses-title">
            <h2 id="warehouses-title">"Warehouses"</h2>
            <ul class="plain-list stack">
                {warehouses.iter().map(|w| {
                    let rename_id = format!("warehouse-{}-name", w.id);
                    view! {
                        <li class="warehouse">
                            <form method="post" action=RenameWarehouse::url() class="adjust">
                                <input type="hidden" name="id" value=w.id.to_string()/>
                                <label for=rename_id.clone()>{format!("Name of the warehouse in {}", country_name(&w.country))}</label>
                                <input id=rename_id name="name" value=w.name.clone() maxlength="60"/>
                                <button class="button button--secondary" type="submit">"Rename"</button>
                            </form>
                            <p class="muted">{format!("{} held", model::count_of(w.units, "unit", "units"))}</p>
                            {if w.units == 0 {
                                view! {
                                    <details class="reject">
                                        <summary class="button button--secondary">{format!("Remove {}…", w.name)}</summary>
                                        <form method="post" action=RemoveWarehouse::url() class="stack">
                                            <input type="hidden" name="id" value=w.id.to_string()/>
                                            <p>{format!("Remove {}? It holds no stock; this cannot be undone.", w.name)}</p>
                                            <button class="button button--danger" type="submit">{format!("Remove {}", w.name)}</button>
                                        </form>
                                    </details>
                                }.into_any()
                            } else {
                                view! { <p class="muted">"A warehouse holding stock cannot be removed."</p> }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form method="post" action=AddWarehouse::url() class="form" aria-label="Add a warehouse">
                <h3>"Add a warehouse"</h3>
                <div class="field-row">
                    <div class="field">
                        <label for="new-warehouse-name">"Warehouse name"</label>
                        <input id="new-warehouse-name" name="name" maxlength="60"/>
                    </div>
                    <div class="field">
                        <label for="new-warehouse-country">"Warehouse country"</label>
                        <select id="new-warehouse-country" name="country">
                            {countries.iter().map(|(c, n)| view! { <option value=c.clone() selected=*c == home>{n.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <p><button class="button button--secondary" type="submit">"Add warehouse"</button></p>
            </form>
        </section>
    }
}

/// Whether new orders wait for the store to accept them.
#[component]
fn OrderPolicyCard(accept: bool) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="orders-title">
            <h2 id="orders-title">"Orders"</h2>
            <form method="post" action=SaveOrderPolicy::url() class="form" aria-labelledby="orders-title">
                <div class="field field--check">
                    <input id="accept-orders" type="checkbox" name="accept_orders" value="on" checked=accept aria-describedby="accept-orders-hint"/>
                    <label for="accept-orders">"Accept each new order before shipping it"</label>
                    <p id="accept-orders-hint" class="field__hint">"A paid order then waits for you to accept it. One not accepted within 72 hours is cancelled and refunded, and the shopper is emailed why. Turning this off accepts the orders waiting now."</p>
                </div>
                <div class="form-actions"><button class="button" type="submit">"Save order settings"</button></div>
            </form>
        </section>
    }
}

/// Where an import's stock goes, whether variants may keep selling when out of stock, and how strict an import
/// is with a repeated SKU.
#[component]
fn StockPolicyCard(settings: StoreSettings) -> impl IntoView {
    let policy = settings.stock_policy;
    view! {
        <section class="card stack" aria-labelledby="stock-title">
            <h2 id="stock-title">"Stock and imports"</h2>
            <form method="post" action=SaveStockPolicy::url() class="form" aria-labelledby="stock-title">
                <div class="field">
                    <label for="default-warehouse">"Default warehouse"</label>
                    <p id="default-warehouse-hint" class="field__hint">"An import's Variant Inventory Qty goes here, and units sold beyond your stock are counted here."</p>
                    <select id="default-warehouse" name="default_warehouse" aria-describedby="default-warehouse-hint">
                        {settings.warehouses.iter().map(|w| view! {
                            <option value=w.id.to_string() selected=w.id == policy.default_warehouse>{w.name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field field--check">
                    <input id="backorders" type="checkbox" name="backorders" value="on" checked=policy.backorders aria-describedby="backorders-hint"/>
                    <label for="backorders">"Allow backorders"</label>
                    <p id="backorders-hint" class="field__hint">"Variants you mark “Keep selling when out of stock” stay on sale at 0 units; the units sold beyond your stock show below zero. Turning this off stops every variant selling beyond its stock."</p>
                </div>
                <div class="field field--check">
                    <input id="strict-skus" type="checkbox" name="strict_import_skus" value="on" checked=policy.strict_import_skus aria-describedby="strict-skus-hint"/>
                    <label for="strict-skus">"Refuse repeated SKUs in imports"</label>
                    <p id="strict-skus-hint" class="field__hint">"Off: a SKU already on an earlier row of the file is left out of the later variant, with a notice. On: the later row's product is skipped instead."</p>
                </div>
                <div class="form-actions"><button class="button" type="submit">"Save stock settings"</button></div>
            </form>
        </section>
    }
}
