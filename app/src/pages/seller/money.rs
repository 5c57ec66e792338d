//! `/seller/money`: the store's balances (pending, available or owed, paid out), the statement with a running
//! balance, filtered by dates and kind, the period's totals, and the CSV of the same entries. Read only, no island.

use leptos::prelude::*;
use leptos_meta::Title;
use model::money::{Balances, EntryKind, KindTotal, MoneyScreen, StatementEntry, StatementFilter};

use crate::api::sellers::store_money;
use crate::components::portal::{PortalShell, Section};
use crate::pages::seller::disputes::DisputeList;
use crate::pages::seller::portal_gate;
use crate::pages::seller::stripe_payouts::StripePayoutsCard;

#[component]
pub fn SellerMoneyPage() -> impl IntoView {
    if let Some(instead) = portal_gate("/seller/money") {
        return instead;
    }
    let (filter, after, stripe_problem) = leptos_router::hooks::use_query_map().with_untracked(|m| {
        let get = |name: &str| m.get(name).unwrap_or_default();
        let filter = StatementFilter {
            from: get("from"),
            to: get("to"),
            kind: get("kind"),
        };
        (filter, get("after"), Some(get("stripe")).filter(|s| !s.is_empty()))
    });
    view! {
        <Title text="Money · Seller portal"/>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let f = filter.clone();
                match store_money(f.from, f.to, f.kind, after).await {
                    Ok(screen) => view! { <Money screen=screen stripe_problem=stripe_problem.clone()/> }.into_any(),
                    Err(e) => view! {
                        <h1 class="page-title">"Money"</h1>
                        <p class="alert alert--error" role="alert">{e.to_string()}</p>
                        <p><a href="/seller/money">"Show the whole statement"</a></p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Money(screen: MoneyScreen, stripe_problem: Option<String>) -> impl IntoView {
    let filter = screen.filter.clone();
    let next = screen.next.clone().map(|after| filter.href(&after));
    let narrowed = filter != StatementFilter::default();
    view! {
        <PortalShell section=Section::Money store_name=screen.store_name.clone() store_slug=screen.store_slug.clone()>
            <div class="page-head">
                <h1 class="page-title">"Money"</h1>
                <a class="button button--secondary" href=filter.csv_href() download>"Download statement (CSV)"</a>
            </div>
            {(!screen.problem.is_empty()).then(|| {
                let why: Vec<String> = screen.problem.iter().map(|f| f.message.clone()).collect();
                view! {
                    <p class="alert alert--error" role="alert">
                        {format!("These filters were not used: {} The whole statement is shown.", why.join(" "))}
                    </p>
                }
            })}
            <BalanceCards balances=screen.balances.clone()/>
            {screen.stripe.clone().map(|payouts| view! { <StripePayoutsCard payouts=payouts problem=stripe_problem.clone()/> })}
            {(!screen.disputes.is_empty()).then(|| view! { <DisputeList rows=screen.disputes.clone()/> })}
            <StatementFilters filter=filter.clone() bad=screen.problem.iter().map(|f| f.field.clone()).collect()/>
            {(!screen.totals.is_empty()).then(|| view! { <PeriodTotals totals=screen.totals.clone() narrowed=narrowed/> })}
            <section class="stack" aria-labelledby="statement-title">
                <h2 id="statement-title">"Statement"</h2>
                {if screen.entries.is_empty() {
                    let empty = if narrowed {
                        "No entry matches these dates and kind."
                    } else {
                        "No money has moved yet. Each paid order adds its sale and the commission here."
                    };
                    view! { <section class="card empty"><p>{empty}</p></section> }.into_any()
                } else {
                    view! { <StatementTable entries=screen.entries.clone()/> }.into_any()
                }}
                {next.map(|href| view! { <p><a class="button button--secondary" href=href>"Older entries"</a></p> })}
            </section>
        </PortalShell>
    }
}

#[component]
fn BalanceCards(balances: Balances) -> impl IntoView {
    let release = balances
        .next_release
        .map(|at| format!("Next release: {}.", model::format_date(at)));
    let available_label = if balances.owes() { "You owe" } else { "Available" };
    let available = if balances.owes() {
        model::catalog::Money::new(-balances.available.amount, balances.available.currency.clone()).display()
    } else {
        balances.available.display()
    };
    let owes_note = balances
        .owes()
        .then_some("Refunds or disputes came after money was paid out to you: this is taken from your next payouts.");
    view! {
        <section class="stats" aria-label="Balances">
            <section class="card stat" aria-labelledby="balance-pending">
                <h2 class="stat__label" id="balance-pending">"Pending"</h2>
                <p class="stat__value">{balances.pending.display()}</p>
                <p class="muted">{format!("Held until {} days after delivery.", balances.hold_days)} " " {release}</p>
            </section>
            <section class="card stat" aria-labelledby="balance-available">
                <h2 class="stat__label" id="balance-available">{available_label}</h2>
                <p class="stat__value">{available}</p>
                <p class="muted">{owes_note.unwrap_or("Paid out to you by the marketplace.")}</p>
            </section>
            <section class="card stat" aria-labelledby="balance-paid">
                <h2 class="stat__label" id="balance-paid">"Paid out so far"</h2>
                <p class="stat__value">{balances.paid_out.display()}</p>
                <p class="muted">{format!("Balance: {}.", balances.total().display())}</p>
            </section>
        </section>
    }
}

/// The dates and the kind, in the address (a GET form).
#[component]
fn StatementFilters(filter: StatementFilter, bad: Vec<String>) -> impl IntoView {
    let narrowed = filter != StatementFilter::default();
    let invalid = move |field: &str| bad.iter().any(|b| b == field).then_some("true");
    view! {
        <form method="get" action="/seller/money" class="filters card" role="search" aria-label="Filter the statement">
            <div class="field">
                <label for="money-from">"From"</label>
                <input id="money-from" name="from" type="date" value=filter.from.clone() aria-invalid=invalid("from")/>
            </div>
            <div class="field">
                <label for="money-to">"Until"</label>
                <input id="money-to" name="to" type="date" value=filter.to.clone() aria-invalid=invalid("to")/>
            </div>
            <div class="field">
                <label for="money-kind">"Kind"</label>
                <select id="money-kind" name="kind" aria-invalid=invalid("kind")>
                    <option value="" selected=filter.kind.is_empty()>"Every kind"</option>
                    {EntryKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=filter.kind == k.as_str()>{k.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="filters__actions">
                <button class="button button--secondary" type="submit">"Show"</button>
                {narrowed.then(|| view! { <a href="/seller/money">"Clear filters"</a> })}
            </div>
        </form>
    }
}

#[component]
fn PeriodTotals(totals: Vec<KindTotal>, narrowed: bool) -> impl IntoView {
    let net: i64 = totals
        .iter()
        .filter(|t| t.kind != EntryKind::Transfer)
        .map(|t| t.amount.amount)
        .sum();
    let currency = totals.first().map(|t| t.amount.currency.clone()).unwrap_or_default();
    let title = if narrowed { "Totals for these filters" } else { "Totals" };
    view! {
        <section class="card stack" aria-labelledby="totals-title">
            <h2 id="totals-title">{title}</h2>
            <table class="table table--compact">
                <caption class="visually-hidden">{title}</caption>
                <thead><tr><th scope="col">"Kind"</th><th scope="col" class="num">"Entries"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                <tbody>
                    {totals.into_iter().map(|t| view! {
                        <tr>
                            <th scope="row" data-label="Kind">{t.kind.label()}</th>
                            <td data-label="Entries" class="num">{t.entries}</td>
                            <td data-label="Amount" class="num">{t.amount.display()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr>
                    <th scope="row">"Earned (before payouts)"</th><td></td>
                    <td class="num">{model::catalog::Money::new(net, currency).display()}</td>
                </tr></tfoot>
            </table>
        </section>
    }
}

#[component]
fn StatementTable(entries: Vec<StatementEntry>) -> impl IntoView {
    view! {
        <table class="table">
            <caption class="visually-hidden">"Statement, newest first"</caption>
            <thead><tr>
                <th scope="col">"Date"</th><th scope="col">"Entry"</th><th scope="col">"Details"</th>
                <th scope="col" class="num">"Amount"</th><th scope="col" class="num">"Balance"</th>
            </tr></thead>
            <tbody>
                {entries.into_iter().map(|e| {
                    let day = e.date.clone();
                    let tone = if e.amount.amount < 0 { "num money--out" } else { "num money--in" };
                    view! {
                        <tr>
                            <td data-label="Date"><time datetime=day.clone()>{day.clone()}</time></td>
                            <th scope="row" data-label="Entry">{e.kind.label()}</th>
                            <td data-label="Details">{e.order.map(|n| view! {
                                "Order " <a href=format!("/seller/orders/{}", crate::url_encode(&n))>{n.clone()}</a>
                            })}{(!e.note.is_empty()).then(|| view! { <span class="muted">{e.note.clone()}</span> })}</td>
                            <td data-label="Amount" class=tone>{e.amount.display()}</td>
                            <td data-label="Balance" class="num">{e.balance.display()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
