//! Structured logs through `tracing`; `RUST_LOG` sets the filter (default `info`).

use tracing_subscriber::EnvFilter;

/// Install the global subscriber once: human-readable, or JSON lines with `--log-json`.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
