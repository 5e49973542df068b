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
//! be the same full replay again. The stored tree hashes are read ahead meanwhile too and
//! compared as the recomputed tree completes them (see [`StoredTree`]), so that no second
//! pass over them follows the first.

use liangye_events::checkpoint::{VerifierKey, open_note};
use liangye_events::integrity::{CheckedRow, ContinuityCheck, IntegrityError, check_row};
use std::collections::VecDeque;

use liangye_events::hash::Hash;
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

/// The in-order part of the pass: continuity, the recomputed tree, the stored tree compared
/// with it, the replayed registry.
struct Pass {
    check: ContinuityCheck,
    tree: MemoryTree,
    stored: StoredTree,
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
                self.stored.follow(&self.tree).await?;
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
        stored: StoredTree::new(store, HASH_PAGE),
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
        stored,
        registry,
    } = pass;
    let head = check.position();
    let snapshot = snapshot
        .await
        .map_err(|e| VerifyError::Corrupt(format!("snapshot task failed: {e}")))??;
    if let Err(e) = stored.finish(&tree).await? {
        return Ok(Err(e));
    }
    if let Err(e) = compare_checkpoints(store, &tree, options).await? {
        return Ok(Err(e));
    }
    let mut answer = Ok(head);
    if let Some(mut from_snapshot) = snapshot {
        crate::live::replay_range(store, from_snapshot.position(), Some(head), |page| {
            from_snapshot.apply_all(page);
        })
        .await?;
        if registry != from_snapshot {
            answer = Err(finding(
                head,
                "the projections rebuilt from snapshots differ from a full replay of the log",
            ));
        }
        free_elsewhere(from_snapshot);
    }
    free_elsewhere((registry, tree, check));
    Ok(answer)
}

/// Frees what the pass built (a replayed registry of a large log is hundreds of MiB in
/// millions of allocations: about a tenth of a second of one core for 1,000,000 events) on
/// a thread of its own, so that the answer does not wait for it; `liangye verify` prints the
/// answer and exits meanwhile. If no thread can be started, the value is freed here, as the
/// refused closure that holds it is dropped.
fn free_elsewhere<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new()
        .name("verify-free".into())
        .spawn(move || drop(value));
    if let Err(e) = spawned {
        tracing::debug!(error = %e, "no thread to free the pass's state on; freed it here");
    }
}

/// Stored tree hashes with their indexes, in index order.
type HashPage = Vec<(u64, Hash)>;

/// The stored tree hashes, compared with the recomputed tree while the log is read: every
/// stored hash must equal the recomputed one, none may be missing, and there may be no more
/// of them (but those of events committed after the log was read, on a live server).
///
/// A page of stored hashes is read ahead on its own task while events are checked; after
/// each page of events the hashes the recomputed tree has completed are compared. The first
/// finding is kept, and reported once the pass has read the whole log without a finding in
/// the rows (which come first, as when the tree was compared after the pass).
struct StoredTree {
    store: EventStore,
    /// Stored hashes read at a time.
    page: i64,
    /// The next stored index to compare.
    next: u64,
    /// Stored hashes read and not compared yet (the tree has not computed them), in order.
    held: VecDeque<(u64, Hash)>,
    /// Where the next page of stored hashes starts.
    from: u64,
    /// The page being read ahead, from `from`.
    ahead: Option<JoinHandle<Result<HashPage, StoreError>>>,
    /// Once known: the first finding, or that every stored hash was compared.
    outcome: Option<Result<(), IntegrityError>>,
}

impl StoredTree {
    fn new(store: &EventStore, page: i64) -> Self {
        Self {
            store: store.clone(),
            page,
            next: 0,
            held: VecDeque::new(),
            from: 0,
            ahead: None,
            outcome: None,
        }
    }

    fn read_ahead(&mut self) {
        let (store, from, page) = (self.store.clone(), self.from, self.page);
        self.ahead = Some(tokio::spawn(
            async move { store.tree_hash_page(from, page).await },
        ));
    }

    /// The next page of stored hashes: the one read ahead, or, when that one is empty, the
    /// page read again now (it may have been read before the events it belongs to were
    /// committed; those the pass has read were committed with their hashes).
    async fn next_page(&mut self) -> Result<HashPage, VerifyError> {
        if let Some(ahead) = self.ahead.take() {
            let page = ahead
                .await
                .map_err(|e| VerifyError::Corrupt(format!("tree reading task failed: {e}")))??;
            if !page.is_empty() {
                return Ok(page);
            }
        }
        Ok(self.store.tree_hash_page(self.from, self.page).await?)
    }

    /// Compares every stored hash `tree` has computed so far.
    async fn follow(&mut self, tree: &MemoryTree) -> Result<(), VerifyError> {
        self.compare(tree, false).await
    }

    /// Compares the rest, `tree` being the whole log's, and gives the first finding.
    async fn finish(mut self, tree: &MemoryTree) -> Result<Result<(), IntegrityError>, VerifyError> {
        self.compare(tree, true).await?;
        Ok(self.outcome.take().unwrap_or(Ok(())))
    }

    /// Compares every stored hash `tree` has computed; once the log is read (`whole`), every
    /// stored hash.
    async fn compare(&mut self, tree: &MemoryTree, whole: bool) -> Result<(), VerifyError> {
        let expected = tree.stored_hashes();
        let missing = |idx: u64| {
            let (level, n) = split_stored_hash_index(idx);
            finding(
                (n << level) as i64 + 1,
                format!("stored tree hash {idx} is missing"),
            )
        };
        while self.outcome.is_none() {
            let Some(&(i, hash)) = self.held.front() else {
                if !whole && self.next >= expected.len() as u64 {
                    break;
                }
                let page = self.next_page().await?;
                let Some(&(last, _)) = page.last() else {
                    let short = (self.next as usize) < expected.len();
                    self.outcome = Some(if short { Err(missing(self.next)) } else { Ok(()) });
                    break;
                };
                self.held.extend(page);
                self.from = last + 1;
                self.read_ahead();
                continue;
            };
            if i != self.next {
                self.outcome = Some(Err(missing(self.next)));
                break;
            }
            match expected.get(i as usize) {
                Some(h) if *h == hash => {}
                Some(_) => {
                    let (level, n) = split_stored_hash_index(i);
                    self.outcome = Some(Err(finding(
                        (n << level) as i64 + 1,
                        format!("stored tree hash {i} differs from the one recomputed from the events"),
                    )));
                    break;
                }
                // Not computed yet; once the log is read, hashes of events committed after
                // it was read (a live server).
                None => {
                    if whole {
                        self.outcome = Some(Ok(()));
                    }
                    break;
                }
            }
            self.held.pop_front();
            self.next += 1;
        }
        Ok(())
    }
}

impl Drop for StoredTree {
    fn drop(&mut self) {
        if let Some(ahead) = self.ahead.take() {
            ahead.abort();
        }
    }
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

#[cfg(test)]
mod tests {
    use liangye_events::envelope::{Metadata, NewEvent};
    use liangye_events::hash::parse_hex;
    use serde_json::json;
    use sqlx::sqlite::SqlitePool;

    use super::*;

    struct Log {
        _dir: tempfile::TempDir,
        url: String,
        store: EventStore,
    }

    /// A SQLite log of `n` events, appended ten at a time.
    async fn log_of(n: usize) -> Log {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("log.db").display());
        let store = EventStore::connect(&url).await.unwrap();
        let log = Log {
            _dir: dir,
            url,
            store,
        };
        append(&log.store, 0..n).await;
        log
    }

    async fn append(store: &EventStore, events: std::ops::Range<usize>) {
        let events: Vec<usize> = events.collect();
        for chunk in events.chunks(10) {
            let mut tx = store.begin_write().await.unwrap();
            let events = chunk
                .iter()
                .map(|i| NewEvent {
                    event_id: uuid::Uuid::now_v7(),
                    stream_id: format!("s{}", i % 3),
                    event_type: "TestHappened".into(),
                    schema_version: 1,
                    payload: json!({ "i": i }),
                    metadata: Metadata {
                        actor: "tester".into(),
                        role: "PROVINCIAL".into(),
                        ..Metadata::default()
                    },
                })
                .collect();
            tx.append(events).await.unwrap();
            tx.commit().await.unwrap();
        }
    }

    async fn leaves(store: &EventStore) -> Vec<Hash> {
        let events = store.read_from(0, i64::MAX / 2).await.unwrap();
        events.iter().map(|e| parse_hex(&e.leaf_hash).unwrap()).collect()
    }

    /// The stored tree compared with one recomputed leaf by leaf, followed every `every`
    /// leaves, reading `page` stored hashes at a time.
    async fn compared(
        store: &EventStore,
        leaves: &[Hash],
        page: i64,
        every: usize,
    ) -> Result<(), IntegrityError> {
        let mut tree = MemoryTree::with_capacity(leaves.len() as u64);
        let mut stored = StoredTree::new(store, page);
        for (i, leaf) in leaves.iter().enumerate() {
            tree.push(*leaf).unwrap();
            if (i + 1) % every == 0 {
                stored.follow(&tree).await.unwrap();
            }
        }
        stored.finish(&tree).await.unwrap()
    }

    /// Runs `sql` as an attacker would, the append-only triggers dropped.
    async fn tamper(log: &Log, sql: &str) {
        let db = SqlitePool::connect(&log.url).await.unwrap();
        for t in ["tree_hashes_refuse_update", "tree_hashes_refuse_delete"] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP TRIGGER IF EXISTS {t}")))
                .execute(&db)
                .await
                .unwrap();
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&db)
            .await
            .unwrap();
        db.close().await;
    }

    fn at(idx: u64, problem: &str) -> IntegrityError {
        let (level, n) = split_stored_hash_index(idx);
        finding(
            (n << level) as i64 + 1,
            format!("stored tree hash {idx} {problem}"),
        )
    }

    #[tokio::test]
    async fn a_stored_tree_is_compared_page_by_page_while_the_log_is_read() {
        let log = log_of(45).await;
        let leaves = leaves(&log.store).await;
        // 45 leaves store 87 hashes: pages of 7 and 1,000, followed every leaf or every 4.
        for (page, every) in [(7, 1), (7, 4), (1000, 4), (1000, 45)] {
            assert_eq!(
                compared(&log.store, &leaves, page, every).await,
                Ok(()),
                "{page} {every}"
            );
        }
        // Hashes beyond the tree (events committed after the log was read) are not findings.
        assert_eq!(compared(&log.store, &leaves[..30], 7, 4).await, Ok(()));
    }

    #[tokio::test]
    async fn hashes_stored_after_a_page_was_read_ahead_are_read_again() {
        let log = log_of(20).await;
        let mut tree = MemoryTree::with_capacity(45);
        let mut stored = StoredTree::new(&log.store, 7);
        for leaf in leaves(&log.store).await {
            tree.push(leaf).unwrap();
            stored.follow(&tree).await.unwrap();
        }
        // The page after the last one read was read ahead before these were committed.
        append(&log.store, 20..45).await;
        for leaf in &leaves(&log.store).await[20..] {
            tree.push(*leaf).unwrap();
            stored.follow(&tree).await.unwrap();
        }
        assert_eq!(stored.finish(&tree).await.unwrap(), Ok(()));
    }

    #[tokio::test]
    async fn a_changed_missing_or_cut_off_stored_hash_is_found() {
        let cases = [
            (
                "UPDATE tree_hashes SET hash = zeroblob(32) WHERE idx = 30",
                at(30, "differs from the one recomputed from the events"),
            ),
            ("DELETE FROM tree_hashes WHERE idx = 30", at(30, "is missing")),
            ("DELETE FROM tree_hashes WHERE idx >= 80", at(80, "is missing")),
            (
                "UPDATE tree_hashes SET hash = printf('%032d', 7) WHERE idx = 3",
                at(3, "differs from the one recomputed from the events"),
            ),
        ];
        for (sql, expected) in cases {
            let log = log_of(45).await;
            let leaves = leaves(&log.store).await;
            tamper(&log, sql).await;
            for (page, every) in [(7, 1), (1000, 45)] {
                assert_eq!(
                    compared(&log.store, &leaves, page, every).await,
                    Err(expected.clone()),
                    "{sql}"
                );
            }
        }
    }
}
