//! The event log of the Liangye Registry: the envelope and its canonical form (RFC 8785),
//! RFC 6962 hashing, and the [`store::EventStore`] on SQLite and PostgreSQL.

pub mod bundle;
pub mod canonical;
pub mod catalogue;
pub mod checkpoint;
pub mod envelope;
pub mod hash;
pub mod integrity;
pub mod merkle;
pub mod store;

pub use envelope::{Envelope, Metadata, NewEvent, StoredEvent};
pub use store::{
    AppendBatch, AppendOutcome, Backend, EventStore, Head, StoreError, StoredCheckpoint, WriteTx,
};
