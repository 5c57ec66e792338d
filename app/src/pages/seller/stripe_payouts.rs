//! The money screen's Stripe payouts card (Stripe Connect, decision 0031): where the store's Stripe account stands,
//! the way to Stripe's onboarding pages (a plain form: no island), and the bank payouts Stripe reported failed.

use leptos::prelude::*;
use model::money::{PayoutSetup, StripePayouts};

#[component]
pub fn StripePayoutsCard(payouts: StripePayouts, problem: Option<String>) -> impl IntoView {
    let problem = match problem.as_deref() {
        Some("unreachable") => Some("Stripe could not be reached just now. Nothing was lost: try again in a minute."),
        Some("region") => Some(
            "Stripe payouts are not open to stores in your country on this marketplace: an administrator pays you \
             by bank transfer instead.",
        ),
        _ => None,
    };
    let (state, action) = match payouts.setup {
        PayoutSetup::NotStarted => (
            "The marketplace pays you through Stripe. Set up your Stripe account to receive payouts: Stripe asks \
             for your details and bank account on its own pages.",
            Some("Set up payouts with Stripe"),
        ),
        PayoutSetup::Incomplete => (
            "Stripe still needs some of your details before it can pay you.",
            Some("Continue on Stripe"),
        ),
        PayoutSetup::InReview => (
            "Stripe has your details and is checking them. Payouts start once Stripe enables them.",
            Some("Check your details on Stripe"),
        ),
        PayoutSetup::Ready => (
            "Available money is transferred to your Stripe account; Stripe pays it into your bank on your payout \
             schedule.",
            None,
        ),
    };
    view! {
        <section class="card stack" aria-labelledby="stripe-payouts-title">
            <h2 id="stripe-payouts-title">"Payouts through Stripe"</h2>
            {problem.map(|text| view! { <p class="alert alert--error" role="alert">{text}</p> })}
            <p><strong>{format!("Status: {}.", payouts.setup.label())}</strong> " " {state}</p>
            {action.map(|label| view! {
                <form method="post" action="/seller/money/stripe/onboard">
                    <button class="button" type="submit">{label}</button>
                </form>
            })}
            {(!payouts.failures.is_empty()).then(|| view! {
                <div class="alert alert--error" role="status">
                    <p><strong>"Bank payouts that failed"</strong></p>
                    <ul>
                        {payouts.failures.iter().map(|f| view! {
                            <li>{format!("{}: {} — {}", model::format_date(f.at), f.amount.display(), f.message)}</li>
                        }).collect_view()}
                    </ul>
                    <p>"The money stays on your Stripe balance until your bank details are right."</p>
                </div>
            })}
        </section>
    }
}
