//! Workloads of the benchmark harness (`--bin bench`). Each prints one JSON object a line:
//! `name`, `value`, `unit`, and where it applies `baseline` (with what it is) and `p99_ms`.

pub mod append;
pub mod as_of;
pub mod decisions;
pub mod http;
pub mod rebuild;
pub mod verify;

use serde::Serialize;

/// A boxed error: enough for a harness.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// One measured figure.
#[derive(Debug, Serialize)]
pub struct Figure {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_ms: Option<f64>,
    /// The goal of DESIGN.md §6 for this figure, in words.
    pub goal: &'static str,
}

/// A baseline measured in the same run.
#[derive(Debug, Serialize)]
pub struct Baseline {
    pub value: f64,
    pub what: &'static str,
}

/// Round to one decimal for printing.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
