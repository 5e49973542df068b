//! Structured logs through `tracing`; `RUST_LOG` sets the filter (default `info`).
//!
//! Warnings and errors are throttled per call site: at most [`BURST`] from one place in
//! [`WINDOW`]; the rest are counted and reported as one line per place and window (a
//! database pool that warns for every request under load, or an accept loop out of file
//! handles, must not fill the disk).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tracing::Level;
use tracing::callsite::Identifier;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// Warnings and errors one call site may log in a [`WINDOW`].
pub const BURST: u32 = 10;
/// The throttling window.
pub const WINDOW: Duration = Duration::from_secs(10);

struct Site {
    started: Instant,
    logged: u32,
    suppressed: u64,
    target: String,
    name: String,
}

fn sites() -> &'static Mutex<HashMap<Identifier, Site>> {
    static SITES: OnceLock<Mutex<HashMap<Identifier, Site>>> = OnceLock::new();
    SITES.get_or_init(Default::default)
}

/// Whether an event at `meta` may be logged now.
fn admit(meta: &tracing::Metadata<'_>) -> bool {
    if !meta.is_event() || *meta.level() > Level::WARN {
        return true;
    }
    let Ok(mut sites) = sites().lock() else {
        return true;
    };
    let now = Instant::now();
    let site = sites.entry(meta.callsite()).or_insert_with(|| Site {
        started: now,
        logged: 0,
        suppressed: 0,
        target: meta.target().to_owned(),
        name: meta.name().to_owned(),
    });
    if now.duration_since(site.started) >= WINDOW && site.suppressed == 0 {
        site.started = now;
        site.logged = 0;
    }
    if site.logged < BURST {
        site.logged += 1;
        true
    } else {
        site.suppressed += 1;
        false
    }
}

/// Report and reset the places that were throttled in the window that ended.
fn report_suppressed() {
    let reports: Vec<(String, String, u64)> = {
        let Ok(mut sites) = sites().lock() else { return };
        let now = Instant::now();
        sites
            .values_mut()
            .filter(|s| s.suppressed > 0 && now.duration_since(s.started) >= WINDOW)
            .map(|s| {
                let report = (s.target.clone(), s.name.clone(), s.suppressed);
                s.started = now;
                s.logged = 0;
                s.suppressed = 0;
                report
            })
            .collect()
    };
    for (target, name, suppressed) in reports {
        tracing::warn!(
            suppressed,
            source_target = %target,
            source = %name,
            "repeated log lines suppressed (at most {BURST} a place every {} s)",
            WINDOW.as_secs()
        );
    }
}

/// Install the global subscriber once: human-readable, or JSON lines with `--log-json`.
pub fn init(json: bool) {
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let layer = if json {
        fmt::layer().json().with_writer(std::io::stderr).boxed()
    } else {
        fmt::layer().with_writer(std::io::stderr).boxed()
    };
    let layer = layer.with_filter(filter()).with_filter(filter_fn(admit));
    if tracing_subscriber::registry().with(layer).try_init().is_ok() {
        let _ = std::thread::Builder::new().name("log-throttle".into()).spawn(|| {
            loop {
                std::thread::sleep(WINDOW);
                report_suppressed();
            }
        });
    }
}
