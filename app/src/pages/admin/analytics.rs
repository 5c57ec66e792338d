//! `/admin/analytics`: what shoppers did over a period — the funnel from visit to paid (totals with each step's
//! share of the one before, and each day), page views by page type, the top searches and the searches that found
//! nothing — each table downloadable as CSV. Plain links and a GET form, no island.

use leptos::prelude::*;
use leptos_meta::Title;
use model::admin_analytics::{Analytics, AnalyticsTable, FunnelDay, SearchCount};

use super::admin_gate;
use crate::api::admin::admin_analytics;
use crate::components::periods::{range_from_query, zone_label, Bar, DayBars, PeriodPicker};
use crate::components::portal::{AdminSection, AdminShell};

#[component]
pub fn AdminAnalyticsPage() -> impl IntoView {
    if let Some(gate) = admin_gate("/admin/analytics") {
        return gate;
    }
    let range = range_from_query();
    view! {
        <Title text="Analytics"/>
        <AdminShell section=AdminSection::Analytics>
        <h1 class="page-title">"Analytics"</h1>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let r = range.clone();
                match admin_analytics(r.range, r.from, r.to).await {
                    Ok(a) => view! { <Screen a=a/> }.into_any(),
                    Err(e) => view! {
                        <p class="alert alert--error" role="alert">{e.message_for(&["from", "to"])}</p>
                        <p><a href="/admin/analytics">"Show the last 30 days"</a></p>
                    }.into_any(),
                }
            })}
        </Suspense>
        </AdminShell>
    }
    .into_any()
}

#[component]
fn Screen(a: Analytics) -> impl IntoView {
    let csv = |table| a.csv_href(table);
    let (funnel_csv, pages_csv) = (csv(AnalyticsTable::Funnel), csv(AnalyticsTable::Pages));
    let (searches_csv, empty_csv) = (csv(AnalyticsTable::Searches), csv(AnalyticsTable::EmptySearches));
    view! {
        <PeriodPicker action="/admin/analytics" range=a.range.clone()>
            <a href=funnel_csv download>"Download the funnel (CSV)"</a>
        </PeriodPicker>
        <p class="muted">{format!(
            "What shoppers did: {}, days in {}. A visitor is known for one day only, so one who comes back \
             another day counts again; browsers that ask not to be tracked (Global Privacy Control or Do Not \
             Track) are not counted.",
            a.label, zone_label(&a.time_zone)
        )}</p>
        <Funnel total=a.total.clone() days=a.funnel.clone()/>
        <section class="card stack" aria-labelledby="pages-title">
            <h2 id="pages-title">"Traffic by page type"</h2>
            {if a.pages.is_empty() {
                view! { <p>"No page views in this period."</p> }.into_any()
            } else {
                view! {
                    <table class="table table--compact">
                        <caption class="visually-hidden">"Page views by page type"</caption>
                        <thead><tr><th scope="col">"Page type"</th><th scope="col" class="num">"Views"</th></tr></thead>
                        <tbody>
                            {a.pages.into_iter().map(|p| view! {
                                <tr><th scope="row" data-label="Page type">{p.label}</th><td data-label="Views" class="num">{p.views}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <p><a href=pages_csv download>"Download traffic by page type (CSV)"</a></p>
        </section>
        <Searches id="searches" title="Top searches" list=a.top_searches csv=searches_csv
            none="Nobody searched in this period."/>
        <Searches id="no-results" title="Searches that found nothing" list=a.empty_searches csv=empty_csv
            none="Every search in this period found something." synonyms=true/>
    }
}

/// The funnel's totals, each step as a share of the one before, and visits per day with every day's steps.
#[component]
fn Funnel(total: FunnelDay, days: Vec<FunnelDay>) -> impl IntoView {
    let steps = total.steps();
    let rows = steps
        .iter()
        .enumerate()
        .map(|(i, (name, n))| {
            let share = match i.checked_sub(1).map(|before| steps[before].1) {
                None => "—".to_string(),
                Some(0) => "—".to_string(),
                Some(before) => format!("{:.1} %", *n as f64 * 100.0 / before as f64),
            };
            view! {
                <tr>
                    <th scope="row" data-label="Step">{*name}</th>
                    <td data-label="Visitors (each day's, added up)" class="num">{*n}</td>
                    <td data-label="Of the step before" class="num">{share}</td>
                </tr>
            }
        })
        .collect_view();
    let bars = days
        .iter()
        .map(|d| Bar {
            date: d.date.clone(),
            value: d.visits,
            title: format!("{}: {} visits", d.date, d.visits),
        })
        .collect();
    let best = days.iter().map(|d| d.visits).max().unwrap_or(0);
    let summary = format!("Visits per day: {} in all, the busiest day {best}.", total.visits);
    view! {
        <section class="card stack" aria-labelledby="funnel-title">
            <h2 id="funnel-title">"From visit to paid"</h2>
            <table class="table table--compact">
                <caption class="visually-hidden">"Visitors at each step of buying"</caption>
                <thead><tr>
                    <th scope="col">"Step"</th><th scope="col" class="num">"Visitors (each day's, added up)"</th>
                    <th scope="col" class="num">"Of the step before"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <DayBars bars=bars summary=summary id="visits-chart".to_string()/>
            <details>
                <summary>"Each day's steps"</summary>
                <table class="table table--compact">
                    <caption class="visually-hidden">"Visitors at each step, day by day"</caption>
                    <thead><tr>
                        <th scope="col">"Day"</th>
                        {total.steps().into_iter().map(|(name, _)| view! { <th scope="col" class="num">{name}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {days.into_iter().rev().map(|d| view! {
                            <tr>
                                <th scope="row" data-label="Day">{d.date.clone()}</th>
                                {d.steps().into_iter().map(|(name, n)| view! { <td data-label=name class="num">{n}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}

/// A list of searches with how often each was made and found nothing.
#[component]
fn Searches(
    id: &'static str,
    title: &'static str,
    list: Vec<SearchCount>,
    csv: String,
    none: &'static str,
    /// Each search offers to add a synonym for it (what it should have found).
    #[prop(optional)]
    synonyms: bool,
) -> impl IntoView {
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    view! {
        <section class="card stack" aria-labelledby=labelled_by>
            <h2 id=heading>{title}</h2>
            {if list.is_empty() {
                view! { <p>{none}</p> }.into_any()
            } else {
                view! {
                    <table class="table table--compact">
                        <caption class="visually-hidden">{title}</caption>
                        <thead><tr>
                            <th scope="col">"Search"</th><th scope="col" class="num">"Searches"</th>
                            <th scope="col" class="num">"Found nothing"</th>
                            {synonyms.then(|| view! { <th scope="col"><span class="visually-hidden">"Fix"</span></th> })}
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|s| view! {
                                <tr>
                                    <th scope="row" data-label="Search">{s.query.clone()}</th>
                                    <td data-label="Searches" class="num">{s.searches}</td>
                                    <td data-label="Found nothing" class="num">{s.empty}</td>
                                    {synonyms.then(|| view! {
                                        <td data-label="Fix">
                                            <a href=format!("/admin/search?term={}#add", crate::url_encode(&s.query))>
                                                {format!("Add a synonym for “{}”", s.query)}
                                            </a>
                                        </td>
                                    })}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <p><a href=csv download>{format!("Download {} (CSV)", title.to_lowercase())}</a></p>
        </section>
    }
}
