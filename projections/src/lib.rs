//! Pure folds over the event log. No I/O: every projection is built by applying
//! [`liangye_events::catalogue::RecordedEvent`]s in position order, so replaying the log
//! always rebuilds exactly the live state.

pub mod decision_state;

pub use decision_state::DecisionState;
