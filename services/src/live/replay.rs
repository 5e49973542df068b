//! Replaying the log into the registry: page by page in position order, each page decoded
//! on a blocking thread while the pages before it are folded (decoding — parsing the
//! canonical JSON and the payload — costs far more than folding, so on two cores reading,
//! decoding and folding overlap). Used for start-up, for standalone as-of replay (nearest
//! snapshot, then the tail), and for full rebuilds.

use crate::EventStore;
use crate::store::CanonicalPage;
use liangye_events::StoredEvent;
use liangye_events::catalogue::RecordedEvent;
use liangye_projections::Registry;
use liangye_projections::registry::{SNAPSHOT_FORMAT, SnapshotLoader};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::LiveError;

/// Events read per query while replaying.
pub const REPLAY_PAGE: i64 = 4000;
/// Pages read and being decoded ahead of the fold, at most.
const READ_AHEAD: usize = 6;
/// Pages smaller than this are decoded in place rather than on a blocking thread.
const DECODE_INLINE_BELOW: usize = 64;

/// Decodes stored events, naming the first that fails.
pub fn decode_page(page: &[StoredEvent]) -> Result<Vec<RecordedEvent>, LiveError> {
    page.iter()
        .map(|stored| {
            RecordedEvent::from_stored(stored).map_err(|e| LiveError::Decode {
                position: stored.position,
                message: e.to_string(),
            })
        })
        .collect()
}

/// Decodes a page of canonical texts of the events after `after`, checking that they
/// continue the log without a gap.
pub fn decode_canonical(after: i64, page: &CanonicalPage) -> Result<Vec<RecordedEvent>, LiveError> {
    // Sized for the page up front: a page of decoded events is megabytes, and growing it by
    // doubling reallocated and moved it again and again (in a `perf` profile of the harness's
    // `stages`, most of this function's time outside `from_canonical`).
    let mut events = Vec::with_capacity(page.len());
    let mut expected = after;
    for text in page.texts() {
        expected += 1;
        let undecodable = |message: String| LiveError::Decode {
            position: expected,
            message,
        };
        let event = RecordedEvent::from_canonical(text).map_err(|e| undecodable(e.to_string()))?;
        if event.position != expected {
            return Err(undecodable(format!(
                "its canonical form says position {}",
                event.position
            )));
        }
        events.push(event);
    }
    Ok(events)
}

/// Reads and decodes the next page of the log after `after` (at most `limit` events),
/// decoding on a blocking thread when the page is large enough to be worth one.
pub async fn read_page(store: &EventStore, after: i64, limit: i64) -> Result<Vec<RecordedEvent>, LiveError> {
    let page = store.read_canonical_from(after, limit).await?;
    if page.len() < DECODE_INLINE_BELOW {
        return decode_canonical(after, &page);
    }
    tokio::task::spawn_blocking(move || decode_canonical(after, &page))
        .await
        .map_err(|e| LiveError::Storage(format!("decoding task failed: {e}")))?
}

enum Ahead {
    Decoding(JoinHandle<Result<Vec<RecordedEvent>, LiveError>>),
    Failed(LiveError),
}

/// Folds every event after `after` up to and including `until` (to the end of the log when
/// `None`) into `apply`, page by page, in order. Returns the position of the last event
/// folded (`after` when there was none).
pub async fn replay_range(
    store: &EventStore,
    after: i64,
    until: Option<i64>,
    mut apply: impl FnMut(&[RecordedEvent]),
) -> Result<i64, LiveError> {
    let (tx, mut rx) = mpsc::channel::<Ahead>(READ_AHEAD);
    let reader_store = store.clone();
    let reader = tokio::spawn(async move {
        let mut next = after;
        loop {
            let limit = until.map_or(REPLAY_PAGE, |until| (until - next).min(REPLAY_PAGE));
            if limit <= 0 {
                break;
            }
            let item = match reader_store.read_canonical_from(next, limit).await {
                Err(e) => Ahead::Failed(e.into()),
                Ok(page) if page.is_empty() => break,
                Ok(page) => {
                    let after = next;
                    next += i64::try_from(page.len()).unwrap_or(i64::MAX);
                    Ahead::Decoding(tokio::task::spawn_blocking(move || {
                        decode_canonical(after, &page)
                    }))
                }
            };
            let failed = matches!(item, Ahead::Failed(_));
            if tx.send(item).await.is_err() || failed {
                break;
            }
        }
    });
    let mut last = after;
    let result = async {
        while let Some(item) = rx.recv().await {
            let page = match item {
                Ahead::Failed(e) => return Err(e),
                Ahead::Decoding(handle) => handle
                    .await
                    .map_err(|e| LiveError::Storage(format!("decoding task failed: {e}")))??,
            };
            apply(&page);
            if let Some(event) = page.last() {
                last = event.position;
            }
        }
        Ok(last)
    }
    .await;
    drop(rx);
    reader.abort();
    result
}

/// The registry rebuilt from the whole log, without snapshots (what `verify` compares the
/// live registry with).
pub async fn rebuild(store: &EventStore) -> Result<Registry, LiveError> {
    let mut registry = Registry::new();
    replay_range(store, 0, None, |page| registry.apply_all(page)).await?;
    Ok(registry)
}

/// The registry as of position `position` (after its event), from the nearest snapshot at
/// or before it and the tail after that. The caller checks that `position` exists.
pub async fn registry_at(store: &EventStore, position: i64) -> Result<Registry, LiveError> {
    let mut registry = load_snapshot(store, position).await?.unwrap_or_default();
    replay_range(store, registry.position(), Some(position), |page| {
        registry.apply_all(page);
    })
    .await?;
    Ok(registry)
}

/// The registry held by the latest usable snapshot at or before `position`, loaded chunk by
/// chunk. A snapshot that cannot be read is skipped with a warning (the caller replays
/// instead).
pub async fn load_snapshot(store: &EventStore, position: i64) -> Result<Option<Registry>, LiveError> {
    let Some(snapshot) = store.latest_snapshot(SNAPSHOT_FORMAT, position).await? else {
        return Ok(None);
    };
    let at = snapshot.position;
    let unusable = |reason: String| {
        tracing::warn!(position = at, %reason, "snapshot cannot be used; replaying instead");
        Ok(None)
    };
    let mut loader = SnapshotLoader::default();
    for chunk in 0..snapshot.chunks {
        let Some(text) = store.load_snapshot_chunk(SNAPSHOT_FORMAT, at, chunk).await? else {
            return unusable(format!("chunk {chunk} is gone"));
        };
        let added = tokio::task::spawn_blocking(move || loader.add(&text).map(|()| loader))
            .await
            .map_err(|e| LiveError::Snapshot(format!("snapshot task failed: {e}")))?;
        loader = match added {
            Ok(loader) => loader,
            Err(e) => return unusable(e.to_string()),
        };
    }
    match loader.finish() {
        Ok(registry) if registry.position() == at => Ok(Some(registry)),
        Ok(registry) => unusable(format!("its body is of position {}", registry.position())),
        Err(e) => unusable(e.to_string()),
    }
}

/// Saves a snapshot of `registry` (at its position), chunk by chunk. Returns false when it
/// was already stored whole.
pub async fn save_snapshot(store: &EventStore, registry: &Registry) -> Result<bool, LiveError> {
    let position = registry.position();
    let chunks = registry.snapshot_chunks();
    let total = i32::try_from(chunks).map_err(|_| LiveError::Snapshot(format!("{chunks} chunks")))?;
    let mut after = None;
    let mut wrote = false;
    for chunk in 0..chunks {
        let (text, last) = registry
            .snapshot_chunk(chunk, after)
            .map_err(|e| LiveError::Snapshot(e.to_string()))?;
        after = last;
        let number = i32::try_from(chunk).unwrap_or(i32::MAX);
        wrote |= store
            .save_snapshot_chunk(SNAPSHOT_FORMAT, position, number, total, &text)
            .await?;
    }
    Ok(wrote)
}
