//! Domain integration tests. Every test in `db_tests!` runs twice: on SQLite and on PostgreSQL.

mod harness;

mod accounts;
mod catalog;
mod database;
mod meili;
mod search;
mod sessions;
