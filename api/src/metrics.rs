//! Prometheus metrics (`/metrics`, text format): requests and errors by code, write batch
//! sizes, the log head and the projection lag.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabel {
    pub code: String,
}

/// The server's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    pub requests: Counter,
    pub errors: Family<CodeLabel, Counter>,
    pub decisions: Counter,
    pub log_head: Gauge,
    pub projection_position: Gauge,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("liangye");
        let requests = Counter::default();
        let errors = Family::<CodeLabel, Counter>::default();
        let decisions = Counter::default();
        let log_head = Gauge::default();
        let projection_position = Gauge::default();
        registry.register("graphql_requests", "GraphQL requests served", requests.clone());
        registry.register(
            "graphql_errors",
            "GraphQL errors by extensions.code",
            errors.clone(),
        );
        registry.register(
            "decisions",
            "Decisions accepted through this node",
            decisions.clone(),
        );
        registry.register("log_head_position", "Position of the log head", log_head.clone());
        registry.register(
            "projection_position",
            "Position the live read model has applied (lag = head - this)",
            projection_position.clone(),
        );
        Self {
            registry,
            requests,
            errors,
            decisions,
            log_head,
            projection_position,
        }
    }

    /// Count one error by its code.
    pub fn error(&self, code: &str) {
        self.errors
            .get_or_create(&CodeLabel {
                code: code.to_owned(),
            })
            .inc();
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Metrics {
    /// The text exposition with the writer's batch-size histogram (kept by the engine).
    pub fn render_with_batches(&self, stats: &liangye_services::engine::BatchStats) -> String {
        use std::fmt::Write;
        let mut out = self.render();
        // prometheus-client ends the exposition with "# EOF"; put the histogram before it.
        let eof = out.rfind("# EOF").unwrap_or(out.len());
        let mut h = String::new();
        let _ = writeln!(
            h,
            "# HELP liangye_write_batch_size Commands decided per write transaction."
        );
        let _ = writeln!(h, "# TYPE liangye_write_batch_size histogram");
        for (le, count) in stats.cumulative() {
            let _ = writeln!(h, "liangye_write_batch_size_bucket{{le=\"{le}\"}} {count}");
        }
        let _ = writeln!(
            h,
            "liangye_write_batch_size_bucket{{le=\"+Inf\"}} {}",
            stats.batches()
        );
        let _ = writeln!(h, "liangye_write_batch_size_sum {}", stats.commands());
        let _ = writeln!(h, "liangye_write_batch_size_count {}", stats.batches());
        out.insert_str(eof, &h);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
