//! `stages`: where the time of `rebuild` and `verify` goes. Each stage runs alone, one after
//! the other on one core, over the N-event log, page by page:
//! - reading the canonical texts;
//! - decoding them;
//! - folding the events into a fresh registry, then again into a second one (the second time
//!   into memory the process already holds);
//! - reading every column, and checking each row as `verify` does; two parts of a check are
//!   also timed on their own over the same texts: the leaf hash, and the separate
//!   recognition of the RFC 8785 form (which the check runs only for a text whose reading
//!   did not already prove its form: on this log, none).
//!
//! The two pipelines overlap these stages on two cores. Each figure is the seconds one stage
//! takes for the whole log (BENCHMARKS.md, "What the profile shows").

use std::time::{Duration, Instant};

use liangye_events::hash::leaf_hash;
use liangye_events::integrity::{check_canonical_form, check_row};
use liangye_projections::Registry;
use liangye_services::EventStore;
use liangye_services::live::{REPLAY_PAGE, decode_canonical};

use super::{Baseline, Figure, Result};

/// Seconds, to the millisecond.
fn seconds(d: Duration) -> f64 {
    super::round3(d.as_secs_f64())
}

fn figure(name: &'static str, took: Duration, also: Vec<Baseline>, goal: &'static str) -> Figure {
    Figure {
        name,
        value: seconds(took),
        unit: "s on one core",
        baseline: None,
        p99_ms: None,
        also,
        goal,
    }
}

/// `work`'s output, the time it took added to `total`.
async fn timed<T>(total: &mut Duration, work: impl std::future::Future<Output = T>) -> T {
    let start = Instant::now();
    let out = work.await;
    *total += start.elapsed();
    out
}

pub async fn run(log_url: &str) -> Result<Vec<Figure>> {
    let store = EventStore::connect(log_url).await?;
    let (mut read, mut decode) = (Duration::ZERO, Duration::ZERO);
    let mut folds = [Duration::ZERO; 2];
    for fold in &mut folds {
        let mut registry = Registry::new();
        let mut after = 0i64;
        loop {
            let page = timed(&mut read, store.read_canonical_from(after, REPLAY_PAGE)).await?;
            if page.is_empty() {
                break;
            }
            let events = timed(&mut decode, async { decode_canonical(after, &page) }).await?;
            timed(fold, async { registry.apply_all(&events) }).await;
            after += events.len() as i64;
        }
        std::hint::black_box(&registry);
    }
    // Read and decoded twice: once per fold.
    let (read, decode) = (read / 2, decode / 2);
    let (mut read_rows, mut check) = (Duration::ZERO, Duration::ZERO);
    let (mut hash, mut form) = (Duration::ZERO, Duration::ZERO);
    let mut after = 0i64;
    loop {
        let page = timed(&mut read_rows, store.read_rows_from(after, REPLAY_PAGE)).await?;
        if page.is_empty() {
            break;
        }
        // Each row's canonical text and its position.
        let texts =
            || (0..page.len()).map(|i| (page.row(i).canonical.unwrap_or_default(), after + 1 + i as i64));
        timed(&mut hash, async {
            texts().for_each(|(text, _)| {
                std::hint::black_box(leaf_hash(text.as_bytes()));
            })
        })
        .await;
        timed(&mut form, async {
            texts().try_for_each(|(text, position)| check_canonical_form(position, text))
        })
        .await?;
        timed(&mut check, async {
            for i in 0..page.len() {
                let checked = check_row(&page.row(i), after + 1 + i as i64)?;
                checked.event?;
            }
            Result::<()>::Ok(())
        })
        .await?;
        after += page.len() as i64;
    }
    store.close().await;
    let goal = "none: where the time of rebuild and verify goes";
    Ok(vec![
        figure("stage_read_canonical", read, Vec::new(), goal),
        figure("stage_decode", decode, Vec::new(), goal),
        figure(
            "stage_fold",
            folds[0],
            vec![Baseline {
                value: seconds(folds[1]),
                what: "the same fold again, into memory the process already holds",
            }],
            goal,
        ),
        figure("stage_read_rows", read_rows, Vec::new(), goal),
        figure("stage_check", check, Vec::new(), goal),
        figure("stage_check_leaf_hash", hash, Vec::new(), goal),
        figure("stage_check_canonical_form", form, Vec::new(), goal),
    ])
}
