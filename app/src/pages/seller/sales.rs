//! The sales dashboard at the top of `/seller`: the period's revenue, orders, units, average order and refunds
//! against the period before, a chart of each day (SVG drawn on the server, no chart script, with its figures as a
//! table), the best sellers and the most viewed products with their conversion (orders per view), and the CSV. Plain links and a GET form, no island.

use leptos::prelude::*;
use model::catalog::Money;
use model::money::{
    change_percent, conversion, rate_tenths, tenths_label, DayFigure, SalesDashboard, SalesFigures, SalesRange,
    TopProduct, HEALTH_THRESHOLDS,
};

use crate::api::sellers::sales_dashboard;
use crate::components::periods::{compared_text, days_before, zone_label, Bar, DayBars, PeriodPicker};
use crate::components::portal::Badge;

#[component]
pub fn SalesSection(range: SalesRange) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="sales-title">
            <h2 id="sales-title">"Sales"</h2>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let r = range.clone();
                    match sales_dashboard(r.range, r.from, r.to).await {
                        Ok(d) => view! { <Dashboard d=d/> }.into_any(),
                        Err(e) => view! {
                            <p class="alert alert--error" role="alert">{e.message_for(&["from", "to"])}</p>
                            <p><a href="/seller">"Show the last 30 days"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Dashboard(d: SalesDashboard) -> impl IntoView {
    let (c, p) = (d.current.clone(), d.previous.clone());
    let compared = |now: i64, before: i64| compared_text(change_percent(now, before), d.days);
    let aov = |f: &model::money::SalesFigures| f.average_order().map_or(0, |m| m.amount);
    let figures = vec![
        (
            "Revenue",
            c.revenue.display(),
            compared(c.revenue.amount, p.revenue.amount),
        ),
        ("Orders", c.orders.to_string(), compared(c.orders, p.orders)),
        ("Units sold", c.units.to_string(), compared(c.units, p.units)),
        (
            "Average order",
            c.average_order().map_or_else(|| "—".to_string(), |m| m.display()),
            compared(aov(&c), aov(&p)),
        ),
        (
            "Refunds",
            c.refunds.display(),
            format!(
                "{} · {}",
                model::count_of(c.refund_count, "refund", "refunds"),
                compared(c.refunds.amount, p.refunds.amount)
            ),
        ),
    ];
    view! {
        <PeriodPicker action="/seller" range=d.range.clone()>
            <a href=d.range.csv_href() download>"Download these days (CSV)"</a>
            <a href=d.range.table_csv_href("summary") download>"Every figure (CSV)"</a>
            <a href=d.range.table_csv_href("products") download>"Every product (CSV)"</a>
        </PeriodPicker>
        <p class="muted">{format!("Paid orders of {} (days in {}), against {}.", d.label, zone_label(&d.time_zone), days_before(d.days))}</p>
        <div class="stats stats--five">
            {figures.into_iter().map(|(name, value, change)| view! {
                <section class="card stat" aria-label=name>
                    <h3 class="stat__label">{name}</h3>
                    <p class="stat__value">{value}</p>
                    <p class="muted">{change}</p>
                </section>
            }).collect_view()}
        </div>
        <Chart days=d.series.clone()/>
        <p class="muted">{format!(
            "Product pages viewed {} {}; {} of views became an order.",
            d.views,
            if d.views == 1 { "time" } else { "times" },
            conversion(d.current.orders, d.views)
        )}</p>
        <Health figures=d.current.clone() label=d.label.clone()/>
        <TopProducts top=d.top.clone() caption="Best sellers"/>
        <TopProducts top=d.viewed.clone() caption="Most viewed"/>
    }
}

/// Revenue per day as bars, with the same figures as a table for screen readers and for reading exact values.
#[component]
fn Chart(days: Vec<DayFigure>) -> impl IntoView {
    let max = days.iter().map(|d| d.revenue.amount).max().unwrap_or(0);
    let first = days.first().map(|d| d.date.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.date.clone()).unwrap_or_default();
    let total: i64 = days.iter().map(|d| d.revenue.amount).sum();
    let currency = days.first().map(|d| d.revenue.currency.clone()).unwrap_or_default();
    let summary = format!(
        "Revenue per day from {first} to {last}: {} in all, the best day {}.",
        Money::new(total, currency.clone()).display(),
        Money::new(max, currency).display()
    );
    let bars = days
        .iter()
        .map(|d| Bar {
            date: d.date.clone(),
            value: d.revenue.amount,
            title: format!("{}: {}", d.date, d.revenue.display()),
        })
        .collect();
    view! {
        <DayBars bars=bars summary=summary id="sales-chart".to_string()/>
        <details>
            <summary>"The chart's figures, day by day"</summary>
            <table class="table table--compact">
                <caption class="visually-hidden">"Sales per day"</caption>
                <thead><tr><th scope="col">"Day"</th><th scope="col" class="num">"Orders"</th><th scope="col" class="num">"Units"</th><th scope="col" class="num">"Revenue"</th><th scope="col" class="num">"Refunds"</th></tr></thead>
                <tbody>
                    {days.into_iter().rev().map(|d| view! {
                        <tr>
                            <th scope="row" data-label="Day">{d.date}</th>
                            <td data-label="Orders" class="num">{d.orders}</td>
                            <td data-label="Units" class="num">{d.units}</td>
                            <td data-label="Revenue" class="num">{d.revenue.display()}</td>
                            <td data-label="Refunds" class="num">{d.refunds.display()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// Cancellations after payment and return requests per order over the period, each against the marketplace's
/// threshold, with its status in words.
#[component]
fn Health(figures: SalesFigures, label: String) -> impl IntoView {
    let counts = [figures.cancelled, figures.returns];
    view! {
        <table class="table table--compact">
            <caption>{format!("Store health over {label}")}</caption>
            <thead><tr>
                <th scope="col">"Measure"</th><th scope="col" class="num">"Orders"</th>
                <th scope="col" class="num">"Rate"</th><th scope="col" class="num">"Threshold"</th>
                <th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {HEALTH_THRESHOLDS.into_iter().zip(counts).map(|((name, limit), count)| {
                    let rate = rate_tenths(count, figures.orders);
                    let (status, tone) = match rate {
                        None => ("No orders yet", "neutral"),
                        Some(r) if r > limit => ("Above the threshold", "danger"),
                        Some(_) => ("Good", "success"),
                    };
                    view! {
                        <tr>
                            <th scope="row" data-label="Measure">{name}</th>
                            <td data-label="Orders" class="num">{format!("{count} of {}", figures.orders)}</td>
                            <td data-label="Rate" class="num">{rate.map_or_else(|| "—".to_string(), tenths_label)}</td>
                            <td data-label="Threshold" class="num">{format!("≤ {}", tenths_label(limit))}</td>
                            <td data-label="Status"><Badge label=status tone=tone/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn TopProducts(top: Vec<TopProduct>, caption: &'static str) -> impl IntoView {
    (!top.is_empty()).then(|| {
        view! {
            <table class="table table--compact">
                <caption>{caption}</caption>
                <thead><tr>
                    <th scope="col">"Product"</th><th scope="col" class="num">"Units"</th>
                    <th scope="col" class="num">"Revenue"</th><th scope="col" class="num">"Views"</th>
                    <th scope="col" class="num">"Conversion"</th>
                </tr></thead>
                <tbody>
                    {top.into_iter().map(|t| view! {
                        <tr>
                            <th scope="row" data-label="Product"><a href=format!("/seller/products/{}", t.product_id)>{t.title}</a></th>
                            <td data-label="Units" class="num">{t.units}</td>
                            <td data-label="Revenue" class="num">{t.revenue.display()}</td>
                            <td data-label="Views" class="num">{t.views}</td>
                            <td data-label="Conversion" class="num">{conversion(t.orders, t.views)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}
