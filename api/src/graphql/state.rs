//! What resolvers share: the store, the engine, the live read model, metrics.

use std::sync::Arc;

use liangye_services::EventStore;
use liangye_services::engine::Engine;
use liangye_services::live::Live;

use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub store: EventStore,
    pub engine: Engine,
    pub live: Live,
    pub metrics: Arc<Metrics>,
}
