//! `verify`: a full `liangye verify` of the N-event log (leaf hashes, canonical forms,
//! columns, continuity, the Merkle tree, replayed projections), beside SHA-256 of the
//! canonical texts alone and the plain scan of every column in the same run; and `append_tree`: appending onto the N-event log, whose tree
//! must be extended, beside the same append onto an empty log.

use std::time::Instant;

use super::{Baseline, Figure, Result, round1};

pub async fn run(log_url: &str, events: usize) -> Result<Figure> {
    let timed = super::timed_in_fresh_process("verify", log_url).await?;
    let rate = timed.events as f64 / timed.seconds;
    let busy = timed.baselines("seconds verify took (in a fresh process, as `liangye verify` runs)");
    let (scan, texts) = super::rebuild::scan_all_columns(log_url, true).await?;
    let sha = sha256_alone(&texts);
    Ok(Figure {
        name: "verify",
        value: round1(rate),
        unit: "events/s",
        baseline: Some(Baseline {
            value: round1(sha),
            what: "SHA-256 alone: the leaf hash of every canonical text, in memory, on one core",
        }),
        p99_ms: None,
        also: vec![Baseline {
            value: round1(scan.rate),
            what: match log_url.starts_with("sqlite:") {
                true => {
                    "plain scan of what verify reads: every column of every event, nothing checked (SQLite: one statement stepped through the C API, nothing copied)"
                }
                false => {
                    "plain scan of what verify reads: every column of every event, nothing checked (PostgreSQL: pages of rows streamed through sqlx as text, each value borrowed from its row)"
                }
            },
        }]
        .into_iter()
        .chain(busy)
        .collect(),
        goal: match events {
            1_000_000 => ">= 500000 events/s over the whole log of 1,000,000 events",
            _ => ">= 500000 events/s over the whole log of 1,000,000 events (this run is smaller)",
        },
    })
}

/// Leaf hashes per second of `texts`, one core, nothing else done.
fn sha256_alone(texts: &[String]) -> f64 {
    let start = Instant::now();
    let mut acc = 0u8;
    for text in texts {
        acc ^= liangye_events::hash::leaf_hash(text.as_bytes())[0];
    }
    std::hint::black_box(acc);
    texts.len() as f64 / start.elapsed().as_secs_f64()
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
        also: Vec::new(),
        goal: "append rate with the Merkle tree of a large log, beside the plain append",
    })
}
