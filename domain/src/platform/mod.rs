//! What every context stands on: the database handle and its write transactions, ids, the clock, the outbox
//! (the change log contexts write to in their own transactions) and the [`Actor`] every use case acts for.

pub mod actor;
pub mod audit;
pub mod clock;
pub mod db;
pub mod ids;
pub mod outbox;
pub mod problem;
pub mod settings;
pub mod split;
pub mod text;
pub mod zones;

pub use actor::{Actor, ActorKind};
pub use db::{is_unique_violation, Backend, Db, DbError, SqliteSync, WriteTx};
pub use problem::Problem;
