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

pub use decision_state::DecisionState;
pub use history::History;
pub use registry::Registry;
pub use statistics::Statistics;
