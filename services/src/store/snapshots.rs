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

use super::{EventStore, Pools, StoreError};
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
macro_rules! complete {
    ($format:literal, $position:literal) => {
        concat!(
            "SELECT s.position, s.format_version, s.chunks, MIN(s.created_at) \
             FROM snapshots s JOIN events e ON e.position = s.position AND e.leaf_hash = s.leaf_hash \
             WHERE s.format_version = ",
            $format,
            " AND s.position <= ",
            $position,
            " GROUP BY s.position, s.format_version, s.chunks HAVING COUNT(*) = s.chunks"
        )
    };
}

type SnapshotRow = (i64, i32, i32, String);

fn snapshot_of((position, format_version, chunks, created_at): SnapshotRow) -> Snapshot {
    Snapshot {
        position,
        format_version,
        chunks,
        created_at,
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
        let inserted = match &self.inner.pools {
            Pools::Sqlite(p) => sqlx::query(
                "INSERT INTO snapshots (format_version, position, chunk, chunks, leaf_hash, created_at, body) \
                 SELECT ?, position, ?, ?, leaf_hash, ?, ? FROM events WHERE position = ? \
                 ON CONFLICT (format_version, position, chunk) DO NOTHING",
            )
            .bind(format_version)
            .bind(chunk)
            .bind(chunks)
            .bind(&created_at)
            .bind(body)
            .bind(position)
            .execute(p.writer())
            .await?
            .rows_affected(),
            Pools::Postgres(p) => sqlx::query(
                "INSERT INTO snapshots (format_version, position, chunk, chunks, leaf_hash, created_at, body) \
                 SELECT $1, position, $2, $3, leaf_hash, $4, $5 FROM events WHERE position = $6 \
                 ON CONFLICT (format_version, position, chunk) DO NOTHING",
            )
            .bind(format_version)
            .bind(chunk)
            .bind(chunks)
            .bind(&created_at)
            .bind(body)
            .bind(position)
            .execute(p.pool())
            .await?
            .rows_affected(),
        };
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
        let row: Option<SnapshotRow> = match &self.inner.pools {
            Pools::Sqlite(p) => {
                sqlx::query_as(concat!(complete!("?", "?"), " ORDER BY s.position DESC LIMIT 1"))
                    .bind(format_version)
                    .bind(position)
                    .fetch_optional(p.readers())
                    .await?
            }
            Pools::Postgres(p) => {
                sqlx::query_as(concat!(
                    complete!("$1", "$2"),
                    " ORDER BY s.position DESC LIMIT 1"
                ))
                .bind(format_version)
                .bind(position)
                .fetch_optional(p.pool())
                .await?
            }
        };
        Ok(row.map(snapshot_of))
    }

    /// Every complete snapshot of `format_version`, oldest first.
    pub async fn snapshots(&self, format_version: i32) -> Result<Vec<Snapshot>, StoreError> {
        let rows: Vec<SnapshotRow> = match &self.inner.pools {
            Pools::Sqlite(p) => {
                sqlx::query_as(concat!(complete!("?", "?"), " ORDER BY s.position"))
                    .bind(format_version)
                    .bind(i64::MAX)
                    .fetch_all(p.readers())
                    .await?
            }
            Pools::Postgres(p) => {
                sqlx::query_as(concat!(complete!("$1", "$2"), " ORDER BY s.position"))
                    .bind(format_version)
                    .bind(i64::MAX)
                    .fetch_all(p.pool())
                    .await?
            }
        };
        Ok(rows.into_iter().map(snapshot_of).collect())
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
        Ok(match &self.inner.pools {
            Pools::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT body FROM snapshots WHERE format_version = ? AND position = ? AND chunk = ?",
                )
                .bind(format_version)
                .bind(position)
                .bind(chunk)
                .fetch_optional(p.readers())
                .await?
            }
            Pools::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT body FROM snapshots WHERE format_version = $1 AND position = $2 AND chunk = $3",
                )
                .bind(format_version)
                .bind(position)
                .bind(chunk)
                .fetch_optional(p.pool())
                .await?
            }
        })
    }

    /// The position of the last event recorded at or before `recorded_at` (in the canonical
    /// fixed format, `YYYY-MM-DDTHH:MM:SS.ffffffZ`); `None` when every event is later.
    pub async fn position_at(&self, recorded_at: &str) -> Result<Option<i64>, StoreError> {
        Ok(match &self.inner.pools {
            Pools::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT position FROM events WHERE recorded_at <= ? \
                     ORDER BY recorded_at DESC, position DESC LIMIT 1",
                )
                .bind(recorded_at)
                .fetch_optional(p.readers())
                .await?
            }
            Pools::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT position FROM events WHERE recorded_at COLLATE \"C\" <= $1 \
                     ORDER BY recorded_at COLLATE \"C\" DESC, position DESC LIMIT 1",
                )
                .bind(recorded_at)
                .fetch_optional(p.pool())
                .await?
            }
        })
    }

    /// The `recordedAt` of the event at `position`, if there is one.
    pub async fn recorded_at_of(&self, position: i64) -> Result<Option<String>, StoreError> {
        Ok(match &self.inner.pools {
            Pools::Sqlite(p) => {
                sqlx::query_scalar("SELECT recorded_at FROM events WHERE position = ?")
                    .bind(position)
                    .fetch_optional(p.readers())
                    .await?
            }
            Pools::Postgres(p) => {
                sqlx::query_scalar("SELECT recorded_at FROM events WHERE position = $1")
                    .bind(position)
                    .fetch_optional(p.pool())
                    .await?
            }
        })
    }
}
