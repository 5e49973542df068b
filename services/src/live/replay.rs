//! Replaying the log into the registry: page by page in position order, each page decoded
//! on a blocking thread while the pages before it are folded (decoding — parsing the
//! canonical JSON and the payload — costs far more than folding, so on two cores reading,
//! decoding and folding overlap). Used for start-up, for standalone as-of replay (nearest
//! snapshot, then the tail), and for full rebuilds.

use liangye_events::catalogue::RecordedEvent;
use liangye_events::{EventStore, StoredEvent};
use liangye_projections::Registry;
use liangye_projections::registry::SNAPSHOT_FORMAT;
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

/// Decodes a page, on a blocking thread when it is large enough to be worth one.
pub async fn decode_page_off_thread(page: Vec<StoredEvent>) -> Result<Vec<RecordedEvent>, LiveError> {
    if page.len() < DECODE_INLINE_BELOW {
        return decode_page(&page);
    }
    tokio::task::spawn_blocking(move || decode_page(&page))
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
            let item = match reader_store.read_from(next, limit).await {
                Err(e) => Ahead::Failed(e.into()),
                Ok(page) if page.is_empty() => break,
                Ok(page) => {
                    next = page.last().map_or(next, |e| e.position);
                    Ahead::Decoding(tokio::task::spawn_blocking(move || decode_page(&page)))
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

/// The registry held by the latest usable snapshot at or before `position`. A snapshot
/// whose body cannot be read is skipped with a warning (the caller replays instead).
pub async fn load_snapshot(store: &EventStore, position: i64) -> Result<Option<Registry>, LiveError> {
    let Some(snapshot) = store.load_snapshot(SNAPSHOT_FORMAT, position).await? else {
        return Ok(None);
    };
    let at = snapshot.position;
    let restored = tokio::task::spawn_blocking(move || Registry::from_snapshot(&snapshot.body))
        .await
        .map_err(|e| LiveError::Snapshot(format!("snapshot task failed: {e}")))?;
    match restored {
        Ok(registry) if registry.position() == at => Ok(Some(registry)),
        Ok(registry) => {
            tracing::warn!(
                position = at,
                body_position = registry.position(),
                "snapshot body is of another position; replaying instead"
            );
            Ok(None)
        }
        Err(e) => {
            tracing::warn!(position = at, error = %e, "snapshot cannot be used; replaying instead");
            Ok(None)
        }
    }
}

/// Saves a snapshot of `registry` (at its position). Returns false when one was already
/// stored there.
pub async fn save_snapshot(store: &EventStore, registry: &Registry) -> Result<bool, LiveError> {
    let body = registry
        .to_snapshot()
        .map_err(|e| LiveError::Snapshot(e.to_string()))?;
    Ok(store
        .save_snapshot(SNAPSHOT_FORMAT, registry.position(), &body)
        .await?)
}
