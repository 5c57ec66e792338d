//! Bazaar's domain: business rules and persistence, shared by the web app, the REST API and the CLI.
//! No Leptos here: server functions are thin wrappers over these use cases.

pub mod accounts;
pub mod addresses;
pub mod admin;
pub mod attributes;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod clock;
pub mod db;
pub mod ids;
pub mod images;
pub mod inventory;
pub mod mail;
pub mod orders;
pub mod payments;
pub mod promo;
pub mod search;
pub mod seed;
pub mod sessions;
pub mod shipping;

pub use db::{Backend, Db, DbError, SqliteSync, WriteTx};
