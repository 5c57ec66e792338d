//! `/admin/payouts`: every store with money on the platform (pending, available or owed, paid out) and, where
//! money is due, a form to record the bank transfer the platform made (its reference). Admins only; plain forms.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::money::PayoutRow;

use crate::api::sellers::{store_payouts, AdjustBalance, KeptMoneyAdjustment, RecordPayout};
use crate::components::portal::{AdminSection, AdminShell, Badge, Notice};
use crate::pages::admin::admin_gate;
use crate::pages::url_error;

#[component]
pub fn PayoutsPage() -> impl IntoView {
    if let Some(instead) = admin_gate("/admin/payouts") {
        return instead;
    }
    let (paid, adjusted) = leptos_router::hooks::use_query_map()
        .with_untracked(|q| (q.get("paid").is_some(), q.get("adjusted").is_some()));
    let notice = if paid {
        Some("Payout recorded: the store's statement shows it and the entries it covers.")
    } else {
        adjusted.then_some("Adjustment booked: the store's statement shows it with its reason.")
    };
    let error = url_error::<RecordPayout>();
    let adjust_error = url_error::<AdjustBalance>();
    view! {
        <Title text="Payouts · Admin"/>
        <AdminShell section=AdminSection::Payouts>
        <div class="stack">
            <h1 class="page-title">"Payouts to stores"</h1>
            <Notice text=notice/>
            {error.map(|e| view! { <p class="alert alert--error" role="alert">{e.message_for(&["reference"])}</p> })}
            {adjust_error.map(|e| view! { <p class="alert alert--error" role="alert">{e.message_for(&["amount", "reason"])}</p> })}
            <p class="lead">"Pay a store its available money by bank transfer, then record the transfer here with its reference."</p>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match store_payouts().await {
                        Ok(screen) if screen.rows.is_empty() => view! {
                            <section class="card empty"><p>"No store has money on the platform yet."</p></section>
                        }.into_any(),
                        Ok(screen) => view! { <PayoutTable rows=screen.rows kept=screen.kept.unwrap_or_default() connect=screen.connect/> }.into_any(),
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
        </AdminShell>
    }
    .into_any()
}

#[component]
fn PayoutTable(rows: Vec<PayoutRow>, kept: KeptMoneyAdjustment, connect: bool) -> impl IntoView {
    view! {
        <table class="table">
            <caption class="visually-hidden">"Stores and their money"</caption>
            <thead><tr>
                <th scope="col">"Store"</th><th scope="col" class="num">"Pending"</th>
                <th scope="col" class="num">"Available"</th><th scope="col" class="num">"Paid out"</th>
                {connect.then(|| view! { <th scope="col">"Stripe"</th> })}<th scope="col">"Payout"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let b = r.balances.clone();
                    let available = if b.owes() {
                        format!("owes {}", model::catalog::Money::new(-b.available.amount, b.available.currency.clone()).display())
                    } else {
                        b.available.display()
                    };
                    view! {
                        <tr>
                            <th scope="row" data-label="Store"><a href=format!("/admin/sellers/{}", r.seller_id)>{r.store_name.clone()}</a></th>
                            <td data-label="Pending" class="num">{b.pending.display()}</td>
                            <td data-label="Available" class="num">{available}</td>
                            <td data-label="Paid out" class="num">{b.paid_out.display()}</td>
                            {connect.then(|| view! {
                                <td data-label="Stripe">{r.stripe.setup.label()}
                                    {r.stripe.failures.first().map(|f| view! {
                                        <p class="field-error">{format!("Bank payout failed {}: {} ({})",
                                            model::format_date(f.at), f.amount.display(), f.message)}</p>
                                    })}
                                </td>
                            })}
                            <td data-label="Payout">{if r.held {
                                view! { <Badge label="Payouts held" tone="warning"/> }.into_any()
                            } else if r.stripe.setup == model::money::PayoutSetup::Ready {
                                view! { <span class="muted">"Paid through its Stripe account"</span> }.into_any()
                            } else if b.available.amount > 0 && b.available.amount >= r.min_transfer.amount {
                                view! { <PayoutForm row=r.clone()/> }.into_any()
                            } else if b.available.amount > 0 {
                                let least = format!("Below the least payout ({})", r.min_transfer.display());
                                view! { <span class="muted">{least}</span> }.into_any()
                            } else {
                                view! { <span class="muted">"Nothing due"</span> }.into_any()
                            }}
                            <AdjustForm row=r kept=kept.clone()/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn PayoutForm(row: PayoutRow) -> impl IntoView {
    let field = format!("reference-{}", row.seller_id);
    let amount = row.balances.available.clone();
    view! {
        <form method="post" action=RecordPayout::url() class="adjust">
            <input type="hidden" name="seller_id" value=row.seller_id.to_string()/>
            <input type="hidden" name="amount" value=amount.amount.to_string()/>
            <input type="hidden" name="form_key" value=row.form_key.clone()/>
            <label for=field.clone()>{format!("Bank reference for {}", row.store_name)}</label>
            <input id=field name="reference" required maxlength="100" autocomplete="off"/>
            <button class="button" type="submit">{format!("Record payout of {}", amount.display())}</button>
        </form>
    }
}

/// An amount in or out of the store's money with its reason, behind a disclosure (open again with what was typed
/// when it was refused).
#[component]
fn AdjustForm(row: PayoutRow, kept: KeptMoneyAdjustment) -> impl IntoView {
    let mine = kept.seller_id == row.seller_id;
    let (amount, reason) = if mine {
        (kept.amount, kept.reason)
    } else {
        (String::new(), String::new())
    };
    let amount_id = format!("adjust-amount-{}", row.seller_id);
    let reason_id = format!("adjust-reason-{}", row.seller_id);
    view! {
        <details class="reject" open=mine>
            <summary>{format!("Adjust {}'s money…", row.store_name)}</summary>
            <form method="post" action=AdjustBalance::url() class="form" novalidate>
                <input type="hidden" name="seller_id" value=row.seller_id.to_string()/>
                <input type="hidden" name="form_key" value=row.adjust_key.clone()/>
                <div class="field">
                    <label for=amount_id.clone()>{format!("Amount for {} (12.50 to add, -12.50 to take)", row.store_name)}</label>
                    <input id=amount_id name="amount" inputmode="decimal" required value=amount autocomplete="off"/>
                </div>
                <div class="field">
                    <label for=reason_id.clone()>{format!("Reason {} reads", row.store_name)}</label>
                    <input id=reason_id name="reason" required maxlength="200" value=reason autocomplete="off"/>
                </div>
                <button class="button button--secondary" type="submit">"Book the adjustment"</button>
            </form>
        </details>
    }
}
