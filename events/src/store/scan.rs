//! Reading the log for projection rebuilds: only the canonical text of each event, which
//! holds everything a fold needs (it is the hashed truth; the other columns are derived from
//! it when the event is appended). Fetching and decoding one text column costs the driver a
//! fraction of twelve, and a rebuild reads every row of the log.

use super::{EventStore, Pools, StoreError};

impl EventStore {
    /// The canonical texts of up to `limit` events with position > `after`, in order.
    pub async fn read_canonical_from(&self, after: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        Ok(match &self.inner.pools {
            Pools::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT canonical FROM events WHERE position > ? ORDER BY position LIMIT ?",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(p.readers())
                .await?
            }
            Pools::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT canonical FROM events WHERE position > $1 ORDER BY position LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(p.pool())
                .await?
            }
        })
    }
}
