//! As-of support in the store: snapshots of the projections, persisted with the position
//! they hold the state after, and finding the position of a `recordedAt` moment.
//!
//! Snapshots live in their own table (`snapshots`); the `events` table stays append-only.
//! A snapshot row copies the leaf hash of the event at its position when it is saved, and
//! is loaded only while that event still has that hash, so a snapshot is never applied to a
//! log it was not taken from (e.g. after an import into a database that held another).

use sqlx::Row;

use super::{EventStore, Pools, StoreError};
use crate::canonical::{format_timestamp, now_micros};

/// A stored snapshot: the body of the projections' state after the event at `position`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub position: i64,
    /// The body's shape; readers use only their own format's snapshots.
    pub format_version: i32,
    /// When it was saved (RFC 3339, microseconds, `Z`).
    pub created_at: String,
    pub body: String,
}

impl EventStore {
    /// Saves a snapshot of the state after the event at `position`. Returns false (and
    /// writes nothing) when one of this format is already stored there. A position with no
    /// event is refused.
    pub async fn save_snapshot(
        &self,
        format_version: i32,
        position: i64,
        body: &str,
    ) -> Result<bool, StoreError> {
        if format_version < 1 {
            return Err(StoreError::InvalidEvent(format!(
                "snapshot format version {format_version} is not positive"
            )));
        }
        let created_at = format_timestamp(now_micros());
        let inserted = match &self.inner.pools {
            Pools::Sqlite(p) => sqlx::query(
                "INSERT INTO snapshots (format_version, position, leaf_hash, created_at, body) \
                 SELECT ?, position, leaf_hash, ?, ? FROM events WHERE position = ? \
                 ON CONFLICT (format_version, position) DO NOTHING",
            )
            .bind(format_version)
            .bind(&created_at)
            .bind(body)
            .bind(position)
            .execute(p.writer())
            .await?
            .rows_affected(),
            Pools::Postgres(p) => sqlx::query(
                "INSERT INTO snapshots (format_version, position, leaf_hash, created_at, body) \
                 SELECT $1, position, leaf_hash, $2, $3 FROM events WHERE position = $4 \
                 ON CONFLICT (format_version, position) DO NOTHING",
            )
            .bind(format_version)
            .bind(&created_at)
            .bind(body)
            .bind(position)
            .execute(p.pool())
            .await?
            .rows_affected(),
        };
        if inserted == 0 && !self.has_snapshot(format_version, position).await? {
            return Err(StoreError::InvalidEvent(format!(
                "no event at position {position} to take a snapshot at"
            )));
        }
        Ok(inserted > 0)
    }

    /// Whether a snapshot of `format_version` is stored at `position`.
    pub async fn has_snapshot(&self, format_version: i32, position: i64) -> Result<bool, StoreError> {
        let found: Option<i64> = match &self.inner.pools {
            Pools::Sqlite(p) => {
                sqlx::query_scalar("SELECT position FROM snapshots WHERE format_version = ? AND position = ?")
                    .bind(format_version)
                    .bind(position)
                    .fetch_optional(p.readers())
                    .await?
            }
            Pools::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT position FROM snapshots WHERE format_version = $1 AND position = $2",
                )
                .bind(format_version)
                .bind(position)
                .fetch_optional(p.pool())
                .await?
            }
        };
        Ok(found.is_some())
    }

    /// The latest snapshot of `format_version` at or before `position` whose event still
    /// has the leaf hash it was taken with.
    pub async fn load_snapshot(
        &self,
        format_version: i32,
        position: i64,
    ) -> Result<Option<Snapshot>, StoreError> {
        const SQLITE: &str = "SELECT s.position, s.format_version, s.created_at, s.body \
             FROM snapshots s JOIN events e ON e.position = s.position \
             WHERE s.format_version = ? AND s.position <= ? AND e.leaf_hash = s.leaf_hash \
             ORDER BY s.position DESC LIMIT 1";
        const POSTGRES: &str = "SELECT s.position, s.format_version, s.created_at, s.body \
             FROM snapshots s JOIN events e ON e.position = s.position \
             WHERE s.format_version = $1 AND s.position <= $2 AND e.leaf_hash = s.leaf_hash \
             ORDER BY s.position DESC LIMIT 1";
        let row = match &self.inner.pools {
            Pools::Sqlite(p) => sqlx::query(SQLITE)
                .bind(format_version)
                .bind(position)
                .fetch_optional(p.readers())
                .await?
                .map(|row| -> Result<Snapshot, sqlx::Error> {
                    Ok(Snapshot {
                        position: row.try_get(0)?,
                        format_version: row.try_get(1)?,
                        created_at: row.try_get(2)?,
                        body: row.try_get(3)?,
                    })
                })
                .transpose()?,
            Pools::Postgres(p) => sqlx::query(POSTGRES)
                .bind(format_version)
                .bind(position)
                .fetch_optional(p.pool())
                .await?
                .map(|row| -> Result<Snapshot, sqlx::Error> {
                    Ok(Snapshot {
                        position: row.try_get(0)?,
                        format_version: row.try_get(1)?,
                        created_at: row.try_get(2)?,
                        body: row.try_get(3)?,
                    })
                })
                .transpose()?,
        };
        Ok(row)
    }

    /// The positions of every stored snapshot of `format_version`, in order.
    pub async fn snapshot_positions(&self, format_version: i32) -> Result<Vec<i64>, StoreError> {
        Ok(match &self.inner.pools {
            Pools::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT position FROM snapshots WHERE format_version = ? ORDER BY position",
                )
                .bind(format_version)
                .fetch_all(p.readers())
                .await?
            }
            Pools::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT position FROM snapshots WHERE format_version = $1 ORDER BY position",
                )
                .bind(format_version)
                .fetch_all(p.pool())
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
