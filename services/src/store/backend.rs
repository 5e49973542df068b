//! The seam between the store's logic and its databases: every statement the store runs is
//! a method of [`Sql`] (the pools) or [`LogTx`] (the one write transaction), implemented
//! once per database — all SQLite SQL in `sqlite.rs`, all PostgreSQL SQL in `postgres.rs`.
//! A new query is one trait method and one implementation in each of those two files; the
//! rest of the store (`mod.rs`, `tree.rs`, `snapshots.rs`, `scan.rs`) holds no SQL and
//! reaches the backend through [`on_backend!`] and [`on_tx!`].

use uuid::Uuid;

use super::scan::{CanonicalPage, RowsPage};
use super::snapshots::Snapshot;
use super::tree::StoredCheckpoint;
use super::{Head, StoreError};
use liangye_events::envelope::StoredEvent;

/// Statements on the pools (outside the write transaction).
pub(super) trait Sql {
    type Tx: LogTx;

    /// Begin the one write transaction (waits for the writer lock) and read the head in it.
    async fn begin_write(&self) -> Result<(Self::Tx, Head), StoreError>;
    async fn head(&self) -> Result<Head, StoreError>;
    async fn read_from(&self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError>;
    async fn read_stream(&self, stream_id: &str, after_version: i64) -> Result<Vec<StoredEvent>, StoreError>;
    /// Every event of these streams, in position order.
    async fn read_streams(&self, stream_ids: &[String]) -> Result<Vec<StoredEvent>, StoreError>;
    async fn find_command(&self, id: Uuid) -> Result<Vec<StoredEvent>, StoreError>;
    /// The canonical texts of up to `limit` events after `after` (projection rebuilds).
    async fn read_canonical_from(&self, after: i64, limit: i64) -> Result<CanonicalPage, StoreError>;
    /// Every column of up to `limit` events after `after`, as text (`verify`).
    async fn read_rows_from(&self, after: i64, limit: i64) -> Result<RowsPage, StoreError>;
    /// Up to `limit` stored tree hashes from index `from` in one piece: (first index, rows,
    /// the hashes concatenated); `None` when there are none.
    async fn tree_hashes_packed(
        &self,
        from: u64,
        limit: i64,
    ) -> Result<Option<(u64, usize, Vec<u8>)>, StoreError>;
    async fn close(&self);

    /// Stored tree hashes at `indexes` (any order; missing ones are absent).
    async fn fetch_hashes(&self, indexes: &[u64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError>;
    /// Stored tree hashes from storage index `from` on, in index order.
    async fn tree_hashes_from(&self, from: u64, limit: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError>;
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// Keep a signed checkpoint (a repeat of the same size is ignored).
    async fn save_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError>;

    /// Insert one chunk of a snapshot at the event at `position`, copying its leaf hash;
    /// the rows inserted (0 if already there or no such event).
    async fn insert_snapshot_chunk(&self, chunk: &SnapshotChunk<'_>) -> Result<u64, StoreError>;
    /// Complete snapshots of `format_version` at or before `position`, newest first, at most
    /// `limit` of them, whose event still has the leaf hash they were taken with.
    async fn complete_snapshots(
        &self,
        format_version: i32,
        position: i64,
        newest_first: bool,
        limit: i64,
    ) -> Result<Vec<Snapshot>, StoreError>;
    async fn load_snapshot_chunk(
        &self,
        format_version: i32,
        position: i64,
        chunk: i32,
    ) -> Result<Option<String>, StoreError>;
    /// The last position recorded at or before `recorded_at` (text order is time order).
    async fn position_at(&self, recorded_at: &str) -> Result<Option<i64>, StoreError>;
    async fn recorded_at_of(&self, position: i64) -> Result<Option<String>, StoreError>;
}

/// Statements inside the one write transaction.
pub(super) trait LogTx {
    async fn read_from(&mut self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError>;
    async fn find_command(&mut self, id: Uuid) -> Result<Vec<StoredEvent>, StoreError>;
    async fn stream_version(&mut self, stream_id: &str) -> Result<i64, StoreError>;
    /// Current versions of the given streams (streams without events are absent).
    async fn stream_versions(&mut self, ids: &[String]) -> Result<Vec<(String, i64)>, StoreError>;
    /// Insert sealed events (one multi-row statement per call).
    async fn insert(&mut self, events: &[StoredEvent]) -> Result<(), StoreError>;
    async fn fetch_hashes(&mut self, indexes: &[u64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError>;
    async fn insert_hashes(&mut self, rows: &[(i64, [u8; 32])]) -> Result<(), StoreError>;
    /// Commit, having moved the head to `head` where the backend keeps it.
    async fn commit(self, head: &Head) -> Result<(), StoreError>;
    async fn rollback(self) -> Result<(), StoreError>;
}

/// One chunk of a snapshot to insert.
pub(super) struct SnapshotChunk<'a> {
    pub format_version: i32,
    pub position: i64,
    pub chunk: i32,
    pub chunks: i32,
    pub created_at: &'a str,
    pub body: &'a str,
}

/// Run `$body` with `$b` bound to the store's backend (its [`Sql`]).
macro_rules! on_backend {
    ($store:expr, |$b:ident| $body:expr) => {
        match &$store.inner.pools {
            $crate::store::Pools::Sqlite($b) => $body,
            $crate::store::Pools::Postgres($b) => $body,
        }
    };
}
pub(super) use on_backend;

/// Run `$body` with `$t` bound to the write transaction (its [`LogTx`]).
macro_rules! on_tx {
    ($tx:expr, |$t:ident| $body:expr) => {
        match $tx {
            $crate::store::TxKind::Sqlite($t) => $body,
            $crate::store::TxKind::Postgres($t) => $body,
        }
    };
}
pub(super) use on_tx;
