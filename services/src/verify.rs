//! Verifying the log as an auditor would (`liangye verify`, the benchmark harness): recompute
//! every leaf hash and the RFC 6962 tree, check canonical forms, columns, continuity and
//! decoding, compare the stored tree and checkpoints (and a pinned one) with the recomputed
//! ones, replay the projections and compare them with what snapshots give.
//!
//! One pass over the log does it all. Pages of every column, as text in one buffer
//! ([`RowsPage`]), are read ahead; each page's rows are checked on a blocking thread — leaf
//! hash, RFC 8785 form (recognised in one pass, or parsed and serialized again when the
//! recogniser cannot tell), every column against the envelope, and the event decoded from
//! that same parse — so on two cores two pages are checked at once while the next is read.
//! In position order the pass then follows continuity, extends the recomputed tree and folds
//! the decoded events into the registry: the projections are replayed once, in the same pass,
//! and compared with the registry the latest snapshot and the tail after it give (loaded
//! meanwhile). A log without snapshots has nothing else to compare with: its registry would
//! be the same full replay again.

use liangye_events::checkpoint::{VerifierKey, open_note};
use liangye_events::integrity::{CheckedRow, ContinuityCheck, IntegrityError, check_row};
use liangye_events::merkle::{MemoryTree, MerkleError, split_stored_hash_index};
use liangye_projections::Registry;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::live::LiveError;
use crate::store::{EventStore, RowsPage, StoreError};

/// Events read per round trip.
const PAGE: i64 = 4096;
/// Stored tree hashes read per round trip.
const HASH_PAGE: i64 = 65_536;
/// Pages read and being checked ahead of the in-order part of the pass, at most.
const READ_AHEAD: usize = 4;

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

/// A page and its rows' own checks, in row order.
type Checked = (RowsPage, Vec<Result<CheckedRow, IntegrityError>>);

enum Ahead {
    Checking(JoinHandle<Checked>),
    Failed(StoreError),
}

/// The in-order part of the pass: continuity, the recomputed tree, the replayed registry.
struct Pass {
    check: ContinuityCheck,
    tree: MemoryTree,
    registry: Registry,
}

impl Pass {
    /// Reads every event after the last one checked, checking rows on blocking threads
    /// while later pages are read.
    async fn read_to_end(&mut self, store: &EventStore) -> Result<Result<(), IntegrityError>, VerifyError> {
        let (tx, mut rx) = mpsc::channel::<Ahead>(READ_AHEAD);
        let reader_store = store.clone();
        let from = self.check.position();
        let reader = tokio::spawn(async move {
            let mut after = from;
            loop {
                let item = match reader_store.read_rows_from(after, PAGE).await {
                    Err(e) => Ahead::Failed(e),
                    Ok(page) if page.is_empty() => break,
                    Ok(page) => {
                        let first = after + 1;
                        // The next page starts after this one's last position column; one
                        // that cannot be read ends the reading (its row is reported).
                        let last = page.row(page.len() - 1).position;
                        let next = last.and_then(|p| p.parse::<i64>().ok()).filter(|p| *p > after);
                        let handle = tokio::task::spawn_blocking(move || {
                            let checks = (0..page.len())
                                .map(|i| check_row(&page.row(i), first + i as i64))
                                .collect();
                            (page, checks)
                        });
                        match next {
                            Some(next) => after = next,
                            None => {
                                let _ = tx.send(Ahead::Checking(handle)).await;
                                break;
                            }
                        }
                        Ahead::Checking(handle)
                    }
                };
                let failed = matches!(item, Ahead::Failed(_));
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
        let result = async {
            while let Some(item) = rx.recv().await {
                let (page, checks) = match item {
                    Ahead::Failed(e) => return Err(e.into()),
                    Ahead::Checking(handle) => handle
                        .await
                        .map_err(|e| VerifyError::Corrupt(format!("checking task failed: {e}")))?,
                };
                for (i, checked) in checks.into_iter().enumerate() {
                    let checked = match checked {
                        Ok(checked) => checked,
                        Err(e) => return Ok(Err(e)),
                    };
                    let followed = match &checked.event {
                        Ok(ev) => self.check.next_event(
                            ev.position,
                            &ev.stream_id,
                            ev.stream_version,
                            &ev.recorded_at,
                        ),
                        // Its columns equal its canonical members (checked), so they read.
                        Err(_) => {
                            let row = page.row(i);
                            let int = |t: Option<&str>| t.and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
                            self.check.next_event(
                                int(row.position),
                                row.stream_id.unwrap_or_default(),
                                int(row.stream_version),
                                row.recorded_at.unwrap_or_default(),
                            )
                        }
                    };
                    if let Err(e) = followed {
                        return Ok(Err(e));
                    }
                    // Folded where it lies: a finding ends the pass, so what the registry
                    // holds then does not matter.
                    match checked.event {
                        Ok(ev) => self.registry.apply(&ev),
                        Err(e) => return Ok(Err(e)),
                    }
                    self.tree.push(checked.leaf)?;
                }
            }
            Ok(Ok(()))
        }
        .await;
        drop(rx);
        reader.abort();
        result
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
    // The latest snapshot is loaded while the log is read.
    let snapshot = {
        let store = store.clone();
        tokio::spawn(async move { crate::live::load_snapshot(&store, head).await })
    };
    let mut pass = Pass {
        check: ContinuityCheck::new(),
        tree: MemoryTree::with_capacity(u64::try_from(head).unwrap_or(0)),
        registry: Registry::new(),
    };
    loop {
        if let Err(e) = pass.read_to_end(store).await? {
            snapshot.abort();
            return Ok(Err(e));
        }
        if pass.check.position() < head {
            snapshot.abort();
            return Ok(Err(finding(
                pass.check.position() + 1,
                format!("missing: the head is at {head}"),
            )));
        }
        let now = store.head().await?.position;
        if now <= pass.check.position() {
            break;
        }
        head = now;
    }
    let Pass {
        check,
        tree,
        registry,
    } = pass;
    let head = check.position();
    let snapshot = snapshot
        .await
        .map_err(|e| VerifyError::Corrupt(format!("snapshot task failed: {e}")))??;
    if let Err(e) = compare_tree(store, &tree).await? {
        return Ok(Err(e));
    }
    if let Err(e) = compare_checkpoints(store, &tree, options).await? {
        return Ok(Err(e));
    }
    if let Some(mut from_snapshot) = snapshot {
        crate::live::replay_range(store, from_snapshot.position(), Some(head), |page| {
            from_snapshot.apply_all(page);
        })
        .await?;
        if registry != from_snapshot {
            return Ok(Err(finding(
                head,
                "the projections rebuilt from snapshots differ from a full replay of the log",
            )));
        }
    }
    Ok(Ok(head))
}

/// Every stored tree hash equals the recomputed one, and there are no more of them.
async fn compare_tree(
    store: &EventStore,
    tree: &MemoryTree,
) -> Result<Result<(), IntegrityError>, VerifyError> {
    let expected = tree.stored_hashes();
    let mut idx = 0u64;
    loop {
        let rows = store.tree_hash_page(idx, HASH_PAGE).await?;
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
