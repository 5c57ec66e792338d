//! Domain integration tests. Every test in `db_tests!` runs twice: on SQLite and on PostgreSQL.

mod harness;

mod accounts;
mod cart;
mod catalog;
mod checkout;
mod database;
mod meili;
mod search;
mod sessions;
