//! What a sales dashboard (a store's on `/seller`, the marketplace's on `/admin`) shows its period with: the
//! period's chips and day fields (a GET form: the period lives in the address), and a bar per day (SVG drawn on
//! the server, no chart script; each page puts the same figures in a table beside it).

use leptos::prelude::*;
use model::money::{SalesRange, SALES_RANGES};

/// The period as the address gives it.
pub fn range_from_query() -> SalesRange {
    leptos_router::hooks::use_query_map().with_untracked(|q| SalesRange {
        range: q.get("range").unwrap_or_default(),
        from: q.get("from").unwrap_or_default(),
        to: q.get("to").unwrap_or_default(),
    })
}

/// The period's chips (today, 7, 30, 90 days) and its first and last day, sent to `action`; `children` are the
/// form's other actions (its downloads).
#[component]
pub fn PeriodPicker(action: &'static str, range: SalesRange, children: Children) -> impl IntoView {
    let custom = !range.from.is_empty() || !range.to.is_empty();
    let chosen = match range.range.as_str() {
        _ if custom => "",
        "" => "30",
        key => key,
    }
    .to_string();
    view! {
        <nav aria-label="Sales period">
            <ul class="chips">
                {SALES_RANGES.iter().map(|(key, label, _)| {
                    let current = (*key == chosen).then_some("page");
                    view! { <li><a class="chip" href=format!("{action}?range={key}") aria-current=current>{*label}</a></li> }
                }).collect_view()}
            </ul>
        </nav>
        <form method="get" action=action class="filters" aria-label="Choose the days">
            <div class="field">
                <label for="sales-from">"First day"</label>
                <input id="sales-from" name="from" type="date" value=range.from.clone()/>
            </div>
            <div class="field">
                <label for="sales-to">"Last day"</label>
                <input id="sales-to" name="to" type="date" value=range.to.clone()/>
            </div>
            <div class="filters__actions">
                <button class="button button--secondary" type="submit">"Show these days"</button>
                {children()}
            </div>
        </form>
    }
}

/// One bar of [`DayBars`]: its date, its height (a count or minor units), and what its tooltip says.
pub struct Bar {
    pub date: String,
    pub value: i64,
    pub title: String,
}

/// A bar per day, its first and last date under it; `summary` says in words what it shows (the caption, which
/// names the image: `id` is the caption's, unique on the page).
#[component]
pub fn DayBars(bars: Vec<Bar>, summary: String, id: String) -> impl IntoView {
    const W: i64 = 720;
    const H: i64 = 160;
    let n = bars.len().max(1) as i64;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let step = W / n;
    let width = (step - 2).max(1);
    let first = bars.first().map(|b| b.date.clone()).unwrap_or_default();
    let last = bars.last().map(|b| b.date.clone()).unwrap_or_default();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {}", H + 20) role="img" aria-labelledby=id.clone()>
                <line x1="0" y1={H} x2={W} y2={H} class="chart__axis"/>
                {bars.into_iter().enumerate().map(|(i, b)| {
                    let h = b.value.max(0) * (H - 4) / max;
                    view! {
                        <rect x={i as i64 * step + 1} y={H - h} width={width} height={h} class="chart__bar">
                            <title>{b.title}</title>
                        </rect>
                    }
                }).collect_view()}
                <text x="0" y={H + 16} class="chart__label">{first}</text>
                <text x={W} y={H + 16} text-anchor="end" class="chart__label">{last}</text>
            </svg>
            <figcaption class="muted" id=id>{summary}</figcaption>
        </figure>
    }
}

/// "the 30 days before", "the day before".
pub fn days_before(days: i64) -> String {
    if days == 1 {
        "the day before".to_string()
    } else {
        format!("the {days} days before")
    }
}

/// "+12 % on the 30 days before", or why there is no figure: no change is shown without a base.
pub fn compared_text(change: Option<i64>, days: i64) -> String {
    match change {
        Some(pc) => format!("{}{pc} % on {}", if pc > 0 { "+" } else { "" }, days_before(days)),
        None => "Nothing before to compare".to_string(),
    }
}

/// The zone as the page names it: "UTC", or "Europe/Berlin time".
pub fn zone_label(zone: &str) -> String {
    if zone == "UTC" {
        zone.to_string()
    } else {
        format!("{zone} time")
    }
}
