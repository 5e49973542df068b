//! Verifying the log as an auditor would (`liangye verify`, the benchmark harness): recompute
//! every leaf hash and the RFC 6962 tree, check canonical forms, columns, continuity and
//! decoding, compare the stored tree and checkpoints (and a pinned one) with the recomputed
//! ones, replay the projections and compare them with what snapshots give.

use liangye_events::catalogue::RecordedEvent;
use liangye_events::checkpoint::{VerifierKey, open_note};
use liangye_events::hash::parse_hex;
use liangye_events::integrity::{ContinuityCheck, IntegrityError, check_event};
use liangye_events::merkle::{MemoryTree, MerkleError, split_stored_hash_index};

use crate::live::LiveError;
use crate::store::{EventStore, StoreError};

/// Events read per round trip.
const PAGE: i64 = 5000;

/// Why the log could not be read to its end (a finding about the log itself is an
/// [`IntegrityError`] instead).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error(transparent)]
    Tree(#[from] MerkleError),
    #[error("--checkpoint: {0}")]
    Checkpoint(String),
    #[error("{0}")]
    Corrupt(String),
}

/// What `verify` checks besides the log itself.
#[derive(Debug, Default)]
pub struct VerifyOptions {
    /// A signed checkpoint the log must extend, and the key it must be signed with.
    pub checkpoint: Option<(String, VerifierKey)>,
}

fn finding(position: i64, problem: impl Into<String>) -> IntegrityError {
    IntegrityError {
        position,
        problem: problem.into(),
    }
}

/// The checks of `verify`; the outer error is a failure to read, the inner one a finding.
pub async fn verify_log(
    store: &EventStore,
    options: &VerifyOptions,
) -> Result<Result<i64, IntegrityError>, VerifyError> {
    // The log may grow while it is verified (a live server): read to its end, then look at
    // the head again, and go on until nothing new was committed meanwhile.
    let mut head = store.head().await?.position;
    let mut check = ContinuityCheck::new();
    let mut tree = MemoryTree::new();
    loop {
        loop {
            let page = store.read_from(check.position(), PAGE).await?;
            if page.is_empty() {
                break;
            }
            for ev in &page {
                if let Err(e) = check_event(ev).and_then(|()| check.next(ev)) {
                    return Ok(Err(e));
                }
                if let Err(e) = RecordedEvent::from_stored(ev) {
                    return Ok(Err(finding(ev.position, e.to_string())));
                }
                let leaf = parse_hex(&ev.leaf_hash).ok_or_else(|| {
                    VerifyError::Corrupt(format!("position {}: leaf hash is not hex", ev.position))
                })?;
                tree.push(leaf)?;
            }
        }
        if check.position() < head {
            return Ok(Err(finding(
                check.position() + 1,
                format!("missing: the head is at {head}"),
            )));
        }
        let now = store.head().await?.position;
        if now <= check.position() {
            break;
        }
        head = now;
    }
    let head = check.position();
    if let Err(e) = compare_tree(store, &tree).await? {
        return Ok(Err(e));
    }
    if let Err(e) = compare_checkpoints(store, &tree, options).await? {
        return Ok(Err(e));
    }
    if head > 0 {
        let mut replayed = liangye_projections::Registry::new();
        crate::live::replay_range(store, 0, Some(head), |page| replayed.apply_all(page)).await?;
        let from_snapshots = crate::live::registry_at(store, head).await?;
        if replayed != from_snapshots {
            return Ok(Err(finding(
                head,
                "the projections rebuilt from snapshots differ from a full replay of the log",
            )));
        }
    }
    Ok(Ok(check.position()))
}

/// Every stored tree hash equals the recomputed one, and there are no more of them.
async fn compare_tree(
    store: &EventStore,
    tree: &MemoryTree,
) -> Result<Result<(), IntegrityError>, VerifyError> {
    let expected = tree.stored_hashes();
    let mut idx = 0u64;
    loop {
        let rows = store.tree_hashes_from(idx, PAGE).await?;
        let Some(&(last, _)) = rows.last() else { break };
        for (i, hash) in rows {
            let position = |i: u64| {
                let (level, n) = split_stored_hash_index(i);
                (n << level) as i64 + 1
            };
            if i != idx {
                return Ok(Err(finding(
                    position(idx),
                    format!("stored tree hash {idx} is missing"),
                )));
            }
            match expected.get(i as usize) {
                Some(h) if *h == hash => {}
                Some(_) => {
                    return Ok(Err(finding(
                        position(i),
                        format!("stored tree hash {i} differs from the one recomputed from the events"),
                    )));
                }
                // Hashes of events committed after the log was read (a live server).
                None => return Ok(Ok(())),
            }
            idx += 1;
        }
        idx = last + 1;
    }
    if (idx as usize) < expected.len() {
        let (level, n) = split_stored_hash_index(idx);
        return Ok(Err(finding(
            (n << level) as i64 + 1,
            format!("stored tree hash {idx} is missing"),
        )));
    }
    Ok(Ok(()))
}

/// Stored checkpoints, and the pinned one if given, match the recomputed tree.
async fn compare_checkpoints(
    store: &EventStore,
    tree: &MemoryTree,
    options: &VerifyOptions,
) -> Result<Result<(), IntegrityError>, VerifyError> {
    let head = tree.size() as i64;
    if let Some((note, key)) = &options.checkpoint {
        let pinned = open_note(note, key).map_err(|e| VerifyError::Checkpoint(e.to_string()))?;
        let size = pinned.size as i64;
        if size > head {
            return Ok(Err(finding(
                head + 1,
                format!(
                    "the log has {head} events but the pinned checkpoint covers {size}: it was truncated"
                ),
            )));
        }
        if tree.root_at(pinned.size)? != pinned.root {
            return Ok(Err(finding(
                size,
                format!("the log's first {size} events do not have the pinned checkpoint's root"),
            )));
        }
    }
    if let Some(latest) = store.latest_checkpoint().await? {
        if latest.size > head {
            // Signed after the log was read (a live server), or the log lost its tail.
            if store.read_from(latest.size - 1, 1).await?.is_empty() {
                return Ok(Err(finding(
                    head + 1,
                    format!("a checkpoint of size {} is beyond the log", latest.size),
                )));
            }
            return Ok(Ok(()));
        }
        if hex::encode(tree.root_at(latest.size as u64)?) != latest.root_hash {
            return Ok(Err(finding(
                latest.size,
                "the latest stored checkpoint's root differs from the log's",
            )));
        }
    }
    Ok(Ok(()))
}
