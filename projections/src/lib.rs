//! Pure folds over the event log. No I/O: every projection is built by applying
//! [`liangye_events::catalogue::RecordedEvent`]s in position order, so replaying the log
//! always rebuilds exactly the live state.
//!
//! - [`decision_state`]: what commands are decided against;
//! - [`registry`]: the read model of the registry, now and as of any earlier position;
//! - [`statistics`]: counts by status, city, kind and award year, quotas, the target;
//! - [`applications`]: one node per recommendation (unit × year) and its reviews;
//! - [`history`]: one unit's events, folded on demand from its stream;
//! - [`access`]: which token may do what, at any moment;
//! - [`policy`]: the one table of who may do what.

pub mod access;
pub mod applications;
pub mod decision_state;
pub mod history;
pub mod policy;
pub mod registry;
pub mod statistics;

/// The projections' hash map: std's, with foldhash's per-process seeded hasher instead of
/// SipHash. Ids and codes are looked up several times for every event folded, and SipHash
/// was about a sixth of a fold's instructions (BENCHMARKS.md, "Eighth run on SQLite").
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

pub use decision_state::DecisionState;
pub use history::History;
pub use registry::Registry;
pub use statistics::Statistics;
