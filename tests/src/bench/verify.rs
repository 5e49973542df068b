//! `verify`: a full `liangye verify` of the N-event log (leaf hashes, canonical forms,
//! columns, continuity, the Merkle tree, replayed projections), beside the plain scan of
//! the table in the same run; and `append_tree`: appending onto the N-event log, whose tree
//! must be extended, beside the same append onto an empty log.

use std::time::Instant;

use liangye_services::EventStore;

use super::{Baseline, Figure, Result, round1};

pub async fn run(log_url: &str, events: usize) -> Result<Figure> {
    let store = EventStore::connect(log_url).await?;
    let start = Instant::now();
    let verified =
        liangye_services::verify::verify_log(&store, &liangye_services::verify::VerifyOptions::default())
            .await?
            .map_err(|e| format!("the benchmark log does not verify: {e}"))?;
    let rate = verified as f64 / start.elapsed().as_secs_f64();
    let (_, scan) = super::rebuild::plain_scan(log_url).await?;
    store.close().await;
    Ok(Figure {
        name: "verify",
        value: round1(rate),
        unit: "events/s",
        baseline: Some(Baseline {
            value: round1(scan),
            what: "plain scan of every column of the table",
        }),
        p99_ms: None,
        goal: match events {
            1_000_000 => "time to verify the whole log of 1,000,000 events (no numeric goal)",
            _ => "time to verify the whole log (no numeric goal)",
        },
    })
}

/// Append `n` events onto the existing log at `log_url`, beside `fresh_rate` (the same
/// append onto an empty log, from `append_bulk`).
pub async fn append_tree(log_url: &str, n: usize, fresh_rate: f64) -> Result<Figure> {
    let events = super::append::sample_events(n);
    let (_, rate) = super::append::through_store(log_url, events).await?;
    Ok(Figure {
        name: "append_tree",
        value: round1(rate),
        unit: "events/s",
        baseline: Some(Baseline {
            value: round1(fresh_rate),
            what: "append_bulk onto an empty log in this run",
        }),
        p99_ms: None,
        goal: "append rate with the Merkle tree of a large log, beside the plain append",
    })
}
