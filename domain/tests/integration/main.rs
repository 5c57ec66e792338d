//! Domain integration tests. Every test in `db_tests!` runs twice: on SQLite and on PostgreSQL.

mod harness;
mod inventory;

mod accounts;
mod addresses;
mod cart;
mod catalog;
mod catalog_import;
mod catalog_import_shopify;
mod catalog_import_stock;
mod catalog_rules;
mod catalog_tags;
mod checkout;
mod database;
mod meili;
mod money_commission;
mod money_disputes;
mod money_invariant;
mod money_ledger;
mod picture_fetches;
mod promo;
mod search;
mod seller_acceptance;
mod seller_messages;
mod seller_orders;
mod seller_products;
mod seller_promotions;
mod seller_refunds;
mod seller_returns;
mod sellers;
mod sessions;
mod smtp;
mod stock;
mod stock_policy;
mod stripe_disputes;
mod stripe_payments;
