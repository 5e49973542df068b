//! The events the projections' tests are written with: the one set of event fixtures every
//! crate's tests use (`liangye_events::fixtures`).

pub use liangye_events::fixtures::*;
