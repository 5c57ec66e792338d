//! Bazaar's domain: business rules and persistence, shared by the web app, the REST API and the CLI.
//! No Leptos here: server functions are thin wrappers over these use cases.
//!
//! One folder per bounded context; a context writes only its own tables. A change that must span contexts in one
//! transaction is a workflow (`workflows/`), which passes the same connection to each context's functions. See
//! docs/architecture.md.

pub mod platform;

pub mod accounts;
pub mod admin;
pub mod analytics;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod discovery;
pub mod inventory;
pub mod money;
pub mod notifications;
pub mod orders;
pub mod payments;
pub mod reviews;
pub mod search;
pub mod sellers;
pub mod wishlist;

pub mod workflows;

pub mod seed;
#[cfg(feature = "testing")]
pub mod testing;

pub use platform::{Actor, ActorKind, Backend, Db, DbError, SqliteSync, WriteTx};
