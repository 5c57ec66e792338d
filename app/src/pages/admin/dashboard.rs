//! `/admin`: the marketplace's dashboard: its paid checkouts, GMV, average order and refunds over a period against
//! the period before (per currency), a bar per day with its figures as a table, the accounts and stores that
//! joined, what waits for an admin, and the way to every admin screen. Plain links and a GET form, no island.

use leptos::prelude::*;
use leptos_meta::Title;
use model::admin_dashboard::{Compared, CurrencySales, PlatformDashboard};
use model::catalog::Money;
use model::money::change_percent;

use crate::api::admin::{admin_dashboard, admin_overview};
use crate::components::periods::{compared_text, days_before, zone_label, Bar, DayBars, PeriodPicker};
use crate::components::portal::{AdminSection, AdminShell};
use crate::pages::errors::ForbiddenPage;

#[component]
pub fn AdminPage() -> impl IntoView {
    let Some(user) = crate::request_user() else {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect("/login?next=%2Fadmin");
        return ().into_any();
    };
    if !user.is_admin() {
        return view! { <ForbiddenPage/> }.into_any();
    }
    let range = crate::components::periods::range_from_query();
    view! {
        <Title text="Admin dashboard"/>
        <AdminShell section=AdminSection::Dashboard>
        <h1 class="page-title">"Admin dashboard"</h1>
        <p class="lead">"Signed in as " {user.name.clone()} "."</p>
        <section class="card stack" aria-labelledby="sales-title">
            <h2 id="sales-title">"Marketplace sales"</h2>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let r = range.clone();
                    match admin_dashboard(r.range, r.from, r.to).await {
                        Ok(d) => view! { <Dashboard d=d/> }.into_any(),
                        Err(e) => view! {
                            <p class="alert alert--error" role="alert">{e.message_for(&["from", "to"])}</p>
                            <p><a href="/admin">"Show the last 30 days"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <Screens/>
        </AdminShell>
    }
    .into_any()
}

#[component]
fn Dashboard(d: PlatformDashboard) -> impl IntoView {
    let days = d.days;
    let csv = d.csv_href();
    view! {
        <PeriodPicker action="/admin" range=d.range.clone()>
            <a href=csv download>"Download these days (CSV)"</a>
        </PeriodPicker>
        <p class="muted">{format!(
            "Paid checkouts of {} (days in {}), against {}. Refunds count on the day of the sale they refund.",
            d.label, zone_label(&d.time_zone), days_before(d.days)
        )}</p>
        {d.sales.into_iter().map(|s| view! { <CurrencyFigures s=s days=days/> }).collect_view()}
        <h3>"Who joined"</h3>
        <div class="stats">
            <Tile name="New accounts" value=d.new_accounts.now.to_string() change=people_change(d.new_accounts, days)/>
            <Tile name="New stores" value=d.new_stores.now.to_string() change=people_change(d.new_stores, days)/>
            <section class="card stat" aria-label="Applications waiting">
                <h4 class="stat__label">"Applications waiting"</h4>
                <p class="stat__value">{d.pending_applications}</p>
                <p><a href="/admin/sellers/applications">"Decide on them"</a></p>
            </section>
        </div>
    }
}

fn people_change(c: Compared, days: i64) -> String {
    compared_text(change_percent(c.now, c.before), days)
}

/// A figure with its change; `label` names its region (unique on the page: "Orders in USD").
#[component]
fn Tile(
    name: &'static str,
    value: String,
    change: String,
    #[prop(optional, into)] label: Option<String>,
) -> impl IntoView {
    let label = label.unwrap_or_else(|| name.to_string());
    view! {
        <section class="card stat" aria-label=label>
            <h4 class="stat__label">{name}</h4>
            <p class="stat__value">{value}</p>
            <p class="muted">{change}</p>
        </section>
    }
}

/// One currency's figures and days.
#[component]
fn CurrencyFigures(s: CurrencySales, days: i64) -> impl IntoView {
    let (c, p) = (&s.current, &s.previous);
    let compared = |now: i64, before: i64| compared_text(change_percent(now, before), days);
    let aov = |f: &model::admin_dashboard::PlatformFigures| f.average_order().map_or(0, |m| m.amount);
    let refunds = format!(
        "{} · {}",
        model::count_of(c.refund_count, "refund", "refunds"),
        compared(c.refunds.amount, p.refunds.amount)
    );
    view! {
        <h3>{format!("Sales in {}", s.currency)}</h3>
        <div class="stats stats--four">
            <Tile name="GMV" label=format!("GMV in {}", s.currency) value=c.gmv.display() change=compared(c.gmv.amount, p.gmv.amount)/>
            <Tile name="Orders" label=format!("Orders in {}", s.currency) value=c.orders.to_string() change=compared(c.orders, p.orders)/>
            <Tile name="Average order" label=format!("Average order in {}", s.currency) value=c.average_order().map_or_else(|| "—".to_string(), |m| m.display()) change=compared(aov(c), aov(p))/>
            <Tile name="Refunds" label=format!("Refunds in {}", s.currency) value=c.refunds.display() change=refunds/>
        </div>
        <Chart s=s.clone()/>
    }
}

/// GMV per day as bars, with each day's figures as a table for screen readers and for reading exact values.
#[component]
fn Chart(s: CurrencySales) -> impl IntoView {
    let days = s.days;
    let first = days.first().map(|d| d.date.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.date.clone()).unwrap_or_default();
    let best = days.iter().map(|d| d.gmv.amount).max().unwrap_or(0);
    let summary = format!(
        "GMV per day from {first} to {last}: {} in all, the best day {}.",
        s.current.gmv.display(),
        Money::new(best, s.currency.clone()).display()
    );
    let bars = days
        .iter()
        .map(|d| Bar {
            date: d.date.clone(),
            value: d.gmv.amount,
            title: format!("{}: {}", d.date, d.gmv.display()),
        })
        .collect();
    view! {
        <DayBars bars=bars summary=summary id=format!("gmv-chart-{}", s.currency.to_lowercase())/>
        <details>
            <summary>{format!("The chart's figures, day by day ({})", s.currency)}</summary>
            <table class="table table--compact">
                <caption class="visually-hidden">{format!("Marketplace sales per day in {}", s.currency)}</caption>
                <thead><tr><th scope="col">"Day"</th><th scope="col" class="num">"Orders"</th><th scope="col" class="num">"GMV"</th><th scope="col" class="num">"Refunds"</th></tr></thead>
                <tbody>
                    {days.into_iter().rev().map(|d| view! {
                        <tr>
                            <th scope="row" data-label="Day">{d.date}</th>
                            <td data-label="Orders" class="num">{d.orders}</td>
                            <td data-label="GMV" class="num">{d.gmv.display()}</td>
                            <td data-label="Refunds" class="num">{d.refunds.display()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// The admin's screens, with the accounts there are now.
#[component]
fn Screens() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match admin_overview().await {
                    Ok(o) => view! {
                        <section class="card" aria-labelledby="people-title">
                            <h2 id="people-title">"People"</h2>
                            <dl class="details">
                                <dt>"Shoppers"</dt><dd>{o.shoppers}</dd>
                                <dt>"Sellers"</dt><dd>{o.sellers}</dd>
                                <dt>"Admins"</dt><dd>{o.admins}</dd>
                                <dt>"Signed-in sessions"</dt><dd>{o.active_sessions}</dd>
                            </dl>
                            <p><a href="/admin/users">"Accounts"</a>" · "<a href="/admin/audit">"Audit log"</a></p>
                        </section>
                        <section class="card" aria-labelledby="sellers-title">
                            <h2 id="sellers-title">"Sellers"</h2>
                            <p><a href="/admin/sellers">"Stores"</a></p>
                            <p><a href="/admin/sellers/applications">{format!("Seller applications ({} waiting)", o.pending_applications)}</a></p>
                            <p><a href="/admin/messages">"Flagged messages (contact details or links)"</a></p>
                            <p><a href="/admin/reviews">"Reported reviews"</a></p>
                            <p><a href="/admin/payouts">"Payouts to stores"</a></p>
                            <p><a href="/admin/emails">"Messages the shop sends"</a></p>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
