//! The pure core of the Liangye Registry's event log: the catalogue of events and value
//! types, the envelope and its canonical form (RFC 8785), RFC 6962 leaf hashes and Merkle
//! math, C2SP signed notes and proof bundles. No I/O: the store that keeps the log lives in
//! `liangye-services`.

pub mod bundle;
pub mod canonical;
pub mod catalogue;
pub mod checkpoint;
pub mod envelope;
/// Event fixtures for tests (this crate's, and others' through `features = ["fixtures"]`).
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod hash;
pub mod integrity;
pub mod jcs_check;
pub mod merkle;
#[cfg(test)]
mod test_json;

pub use envelope::{Envelope, Metadata, NewEvent, StoredEvent};
