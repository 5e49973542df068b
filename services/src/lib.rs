//! The engine: decide commands, run the writer, keep projections live, answer as-of.

pub mod access;
pub mod checkpoints;
pub mod decide;
pub mod engine;
pub mod errors;
pub mod live;
pub mod log_search;
pub mod scenario;
pub mod store;
pub mod verify;

pub use store::{Backend, EventStore, Head, StoreError, StoredCheckpoint, WriteTx};
