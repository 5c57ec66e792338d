//! The sales dashboard at the top of `/seller`: the period's revenue, orders, units, average order and refunds
//! against the period before, a chart of each day (SVG drawn on the server, no chart script, with its figures as a
//! table), the best sellers and the most viewed products with their conversion (orders per view), and the CSV. Plain links and a GET form, no island.

use leptos::prelude::*;
use model::catalog::Money;
use model::money::{
    change_percent, conversion, rate_tenths, tenths_label, DayFigure, SalesDashboard, SalesFigures, SalesRange,
    TopProduct, HEALTH_THRESHOLDS, SALES_RANGES,
};

use crate::api::sellers::sales_dashboard;
use crate::components::portal::Badge;

/// The period as the address gives it.
pub fn range_from_query() -> SalesRange {
    leptos_router::hooks::use_query_map().with_untracked(|q| SalesRange {
        range: q.get("range").unwrap_or_default(),
        from: q.get("from").unwrap_or_default(),
        to: q.get("to").unwrap_or_default(),
    })
}

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
    let custom = !d.range.from.is_empty() || !d.range.to.is_empty();
    let chosen = if custom { "" } else { d.range.range.as_str() };
    let chosen = if chosen.is_empty() && !custom { "30" } else { chosen };
    let (c, p) = (d.current.clone(), d.previous.clone());
    let compared = |now: i64, before: i64| match change_percent(now, before) {
        Some(pc) => format!("{}{pc} % on the {} days before", if pc > 0 { "+" } else { "" }, d.days),
        None => "Nothing before to compare".to_string(),
    };
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
        <nav aria-label="Sales period">
            <ul class="chips">
                {SALES_RANGES.iter().map(|(key, label, _)| {
                    let current = (*key == chosen).then_some("page");
                    view! { <li><a class="chip" href=format!("/seller?range={key}") aria-current=current>{*label}</a></li> }
                }).collect_view()}
            </ul>
        </nav>
        <form method="get" action="/seller" class="filters" aria-label="Choose the days">
            <div class="field">
                <label for="sales-from">"First day"</label>
                <input id="sales-from" name="from" type="date" value=d.range.from.clone()/>
            </div>
            <div class="field">
                <label for="sales-to">"Last day"</label>
                <input id="sales-to" name="to" type="date" value=d.range.to.clone()/>
            </div>
            <div class="filters__actions">
                <button class="button button--secondary" type="submit">"Show these days"</button>
                <a href=d.range.csv_href() download>"Download these days (CSV)"</a>
                <a href=d.range.table_csv_href("summary") download>"Every figure (CSV)"</a>
                <a href=d.range.table_csv_href("products") download>"Every product (CSV)"</a>
            </div>
        </form>
        <p class="muted">{format!("Paid orders of {} (days in {}), against the {} days before.", d.label, zone_label(&d.time_zone), d.days)}</p>
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
    const W: i64 = 720;
    const H: i64 = 160;
    let n = days.len().max(1) as i64;
    let max = days.iter().map(|d| d.revenue.amount).max().unwrap_or(0).max(1);
    let step = W / n;
    let bar = (step - 2).max(1);
    let first = days.first().map(|d| d.date.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.date.clone()).unwrap_or_default();
    let total: i64 = days.iter().map(|d| d.revenue.amount).sum();
    let currency = days.first().map(|d| d.revenue.currency.clone()).unwrap_or_default();
    let summary = format!(
        "Revenue per day from {first} to {last}: {} in all, the best day {}.",
        Money::new(total, currency.clone()).display(),
        Money::new(if total > 0 { max } else { 0 }, currency).display()
    );
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {}", H + 20) role="img" aria-label=summary.clone()>
                <line x1="0" y1={H} x2={W} y2={H} class="chart__axis"/>
                {days.iter().enumerate().map(|(i, d)| {
                    let h = d.revenue.amount * (H - 4) / max;
                    view! {
                        <rect x={i as i64 * step + 1} y={H - h} width={bar} height={h} class="chart__bar">
                            <title>{format!("{}: {}", d.date, d.revenue.display())}</title>
                        </rect>
                    }
                }).collect_view()}
                <text x="0" y={H + 16} class="chart__label">{first.clone()}</text>
                <text x={W} y={H + 16} text-anchor="end" class="chart__label">{last.clone()}</text>
            </svg>
            <figcaption class="muted">{summary}</figcaption>
        </figure>
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

/// The zone as the page names it: "UTC", or "Europe/Berlin time".
fn zone_label(zone: &str) -> String {
    if zone == "UTC" {
        zone.to_string()
    } else {
        format!("{zone} time")
    }
}
