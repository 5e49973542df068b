//! `as_of`: as-of queries at random points of the log, answered by the live registry: resolve
//! the moment (half by position, half by `recordedAt`), then the first page of
//! `designations(first: 50)`, `statistics` (with its sectors, counties, evaluations,
//! subsidies and monitoring), the first page of `applications(first: 50)` and of one year's,
//! one `designation` and its `history`, all as of that moment. p99 of the whole, beside the same queries about the registry as it stands
//! (no `asOf`) in the same run.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use liangye_projections::applications::ApplicationFilter;
use liangye_projections::registry::{DesignationFilter, PageRequest};
use liangye_services::EventStore;
use liangye_services::live::{AsOf, Live, LiveConfig};

use super::{Baseline, Figure, Result, rebuild::ensure_log, round1};

/// Random points queried.
const POINTS: usize = 400;

/// A small deterministic generator (xorshift64*), so runs query the same points.
struct Points(u64);

impl Points {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % below.max(1)
    }
}

fn p99(mut samples: Vec<Duration>) -> f64 {
    samples.sort_unstable();
    let index = (samples.len() * 99).div_ceil(100).saturating_sub(1);
    samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// One as-of query set; `as_of` = `None` asks about the registry as it stands.
async fn query(live: &Live, as_of: Option<AsOf>) -> Result<()> {
    let at = match as_of {
        Some(as_of) => Some(live.resolve(as_of).await?.position),
        None => None,
    };
    let page = live.designations(
        &DesignationFilter::default(),
        PageRequest {
            first: 50,
            after: None,
        },
        at,
    );
    let statistics = live.statistics(at);
    std::hint::black_box(&statistics);
    let applications = live.applications(&ApplicationFilter::default(), 50, None, at);
    let year = applications.items.first().map(|(a, _)| a.year);
    let of_year = ApplicationFilter {
        year,
        ..ApplicationFilter::default()
    };
    std::hint::black_box((applications, live.applications(&of_year, 50, None, at)));
    if let Some(first) = page.page.items.last() {
        let designation = live.designation(first.id, at);
        let history = live.history(first.id, at).await?;
        std::hint::black_box((designation, history));
    }
    Ok(())
}

/// Run the workload on a log of `n` events in `target`.
pub async fn run(target: &super::Target, n: usize) -> Result<Figure> {
    let url = ensure_log(target, n).await?;
    let store = EventStore::connect(&url).await?;
    let live = Live::start(
        store.clone(),
        LiveConfig {
            snapshot_every: None,
            ..LiveConfig::default()
        },
    )
    .await?;
    let head = live.position();
    let mut points = Points(0x9E37_79B9_7F4A_7C15);
    let mut as_of = Vec::with_capacity(POINTS);
    let mut now = Vec::with_capacity(POINTS);
    for i in 0..POINTS {
        let position = 1 + points.next(head as u64) as i64;
        let moment = if i % 2 == 0 {
            AsOf::Position(position)
        } else {
            let recorded = store.recorded_at_of(position).await?.unwrap_or_default();
            AsOf::RecordedAt(DateTime::parse_from_rfc3339(&recorded)?.with_timezone(&Utc))
        };
        let t = Instant::now();
        query(&live, Some(moment)).await?;
        as_of.push(t.elapsed());
        let t = Instant::now();
        query(&live, None).await?;
        now.push(t.elapsed());
    }
    drop(live);
    store.close().await;
    Ok(Figure {
        name: "as_of",
        value: round1(p99(as_of.clone())),
        unit: "ms p99",
        baseline: Some(Baseline {
            value: round1(p99(now)),
            what: "the same queries about the registry as it stands (no asOf)",
        }),
        p99_ms: Some(round1(p99(as_of))),
        also: Vec::new(),
        goal: "p99 <= 50 ms at random points of a 1000000-event log",
    })
}
