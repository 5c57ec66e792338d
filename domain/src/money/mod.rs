//! The money context (seller money, issue 21): the platform's commission, frozen on each order line when the order
//! is paid; each store's append-only ledger with its running balance (sales, commission and its tax, refunds and
//! the commission they give back, payouts, disputes); the balances and statement a seller reads; payouts; disputes
//! (each store's share held or reversed, and its evidence); with Stripe Connect, the stores' accounts and the
//! transfer sweep. Owns `commission_rates`, `money_policy`,
//! `seller_ledger`, `seller_balances`, the products' days (`product_daily_sales`, with the page views counted
//! in memory by `views`), `seller_transfers`, `seller_transfer_items`, `seller_transfer_reversals`, `seller_stripe_accounts`,
//! `seller_payout_failures`, `work_leases`, `disputes`, `dispute_shares`,
//! the `discount`, `commission_bp`, `commission` columns of `order_lines`, and `funds_release_at` and
//! `dispute_hold` of `orders`.

pub mod adjustments;
pub mod commission;
pub mod connect;
pub mod dashboard;
pub mod dispute_screens;
pub mod disputes;
pub mod ledger;
pub mod policy;
pub mod rollups;
pub mod sales;
pub mod statement;
pub mod store_rate;
mod stripe_moves;
pub mod stripe_transfers;
pub mod transfers;
pub mod views;
