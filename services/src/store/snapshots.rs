//! As-of support in the store: snapshots of the projections, persisted with the position
//! they hold the state after, and finding the position of a `recordedAt` moment.
//!
//! Snapshots live in their own table (`snapshots`); the `events` table stays append-only.
//! A snapshot's body is saved as `chunks` rows, numbered from 0, each a self-contained piece
//! of text, so that neither saving nor loading one holds more than a chunk in memory at a
//! time; a snapshot counts only once all its chunks are stored. Each row copies the leaf
//! hash of the event at its position when it is saved, and a snapshot is loaded only while
//! that event still has that hash, so it is never applied to a log it was not taken from
//! (e.g. after an import into a database that held another).

use super::backend::{SnapshotChunk, Sql, on_backend};
use super::{EventStore, StoreError};
use liangye_events::canonical::{format_timestamp, now_micros};

/// A complete stored snapshot (its chunks are read one by one with
/// [`EventStore::load_snapshot_chunk`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The state is the state after the event at this position.
    pub position: i64,
    /// The body's shape; readers use only their own format's snapshots.
    pub format_version: i32,
    /// How many chunks the body has.
    pub chunks: i32,
    /// When its first chunk was saved (RFC 3339, microseconds, `Z`).
    pub created_at: String,
}

/// The complete snapshots with the event they were taken at unchanged (SQLite and
/// PostgreSQL spell it alike but for the placeholders).
impl Snapshot {
    /// From the row `(position, format_version, chunks, created_at)`.
    pub(super) fn from_row((position, format_version, chunks, created_at): (i64, i32, i32, String)) -> Self {
        Self {
            position,
            format_version,
            chunks,
            created_at,
        }
    }
}

impl EventStore {
    /// Saves chunk `chunk` (of `chunks`) of the snapshot of `format_version` after the event
    /// at `position`. Returns false (and writes nothing) when that chunk is already stored.
    /// A position with no event is refused, and so are chunk numbers out of range.
    pub async fn save_snapshot_chunk(
        &self,
        format_version: i32,
        position: i64,
        chunk: i32,
        chunks: i32,
        body: &str,
    ) -> Result<bool, StoreError> {
        if format_version < 1 || chunk < 0 || chunk >= chunks {
            return Err(StoreError::InvalidEvent(format!(
                "snapshot format {format_version}, chunk {chunk} of {chunks}: the format must be \
                 positive and the chunk between 0 and the number of chunks"
            )));
        }
        let created_at = format_timestamp(now_micros());
        let chunk = SnapshotChunk {
            format_version,
            position,
            chunk,
            chunks,
            created_at: &created_at,
            body,
        };
        let inserted = on_backend!(self, |b| b.insert_snapshot_chunk(&chunk).await?);
        if inserted == 0 && self.recorded_at_of(position).await?.is_none() {
            return Err(StoreError::InvalidEvent(format!(
                "no event at position {position} to take a snapshot at"
            )));
        }
        Ok(inserted > 0)
    }

    /// The latest complete snapshot of `format_version` at or before `position` whose event
    /// still has the leaf hash it was taken with.
    pub async fn latest_snapshot(
        &self,
        format_version: i32,
        position: i64,
    ) -> Result<Option<Snapshot>, StoreError> {
        let newest = on_backend!(self, |b| b
            .complete_snapshots(format_version, position, true, 1)
            .await?);
        Ok(newest.into_iter().next())
    }

    /// Every complete snapshot of `format_version`, oldest first.
    pub async fn snapshots(&self, format_version: i32) -> Result<Vec<Snapshot>, StoreError> {
        on_backend!(self, |b| b
            .complete_snapshots(format_version, i64::MAX, false, i64::MAX)
            .await)
    }

    /// Whether a complete snapshot of `format_version` is stored at `position`.
    pub async fn has_snapshot(&self, format_version: i32, position: i64) -> Result<bool, StoreError> {
        Ok(self
            .latest_snapshot(format_version, position)
            .await?
            .is_some_and(|s| s.position == position))
    }

    /// The text of one chunk of a snapshot, if stored.
    pub async fn load_snapshot_chunk(
        &self,
        format_version: i32,
        position: i64,
        chunk: i32,
    ) -> Result<Option<String>, StoreError> {
        on_backend!(self, |b| b
            .load_snapshot_chunk(format_version, position, chunk)
            .await)
    }

    /// The position of the last event recorded at or before `recorded_at` (in the canonical
    /// fixed format, `YYYY-MM-DDTHH:MM:SS.ffffffZ`); `None` when every event is later.
    pub async fn position_at(&self, recorded_at: &str) -> Result<Option<i64>, StoreError> {
        on_backend!(self, |b| b.position_at(recorded_at).await)
    }

    /// The `recordedAt` of the event at `position`, if there is one.
    pub async fn recorded_at_of(&self, position: i64) -> Result<Option<String>, StoreError> {
        on_backend!(self, |b| b.recorded_at_of(position).await)
    }
}
