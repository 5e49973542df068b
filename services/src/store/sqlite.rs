//! SQLite backend: WAL, `synchronous=FULL`, a busy timeout, one writer connection that
//! always begins with `BEGIN IMMEDIATE`, and a pool of read-only readers. Every SQLite
//! statement of the store is here (see `backend.rs`).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, Transaction};
use uuid::Uuid;

use super::backend::{LogTx, SnapshotChunk, Sql};
use super::rows::{self, columns};
use super::scan::{CanonicalPage, RowsPage};
use super::snapshots::Snapshot;
use super::sqlite_pages::PageReaders;
use super::tree::StoredCheckpoint;
use super::{Head, StoreError};
use liangye_events::envelope::StoredEvent;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Read-only connections at most: sqlx's reader pool, and replay's and `verify`'s pages.
const READERS: u32 = 8;

/// Why a SQLite file cannot be opened, in words: its directory missing or not writable,
/// else SQLite's own message.
fn cannot_open(file: &std::path::Path, e: sqlx::Error) -> StoreError {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let cause = match std::fs::metadata(&dir) {
        Err(io) if io.kind() == std::io::ErrorKind::NotFound => {
            format!("the directory {} does not exist", dir.display())
        }
        Err(io) => format!("the directory {} cannot be read: {io}", dir.display()),
        Ok(m) if !m.is_dir() => format!("{} is not a directory", dir.display()),
        Ok(_) => match std::fs::metadata(file) {
            Ok(m) if m.is_dir() => format!("{} is a directory", file.display()),
            Ok(m) if m.permissions().readonly() => format!("{e} (the file is read-only)"),
            Ok(_) => e.to_string(),
            Err(_) => format!(
                "{e} (the file cannot be created in {}: check its permissions)",
                dir.display()
            ),
        },
    };
    StoreError::Unreachable {
        target: file.display().to_string(),
        cause,
    }
}

#[derive(Clone)]
pub(super) struct SqlitePools {
    writer: SqlitePool,
    readers: SqlitePool,
    /// Replay's and `verify`'s whole pages (`sqlite_pages.rs`).
    pages: Arc<PageReaders>,
}

impl SqlitePools {
    pub(super) async fn connect(url: &str) -> Result<Self, StoreError> {
        let base = SqliteConnectOptions::from_str(url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        // The writer's index pages stay hot in a 64 MiB cache; readers keep SQLite's small
        // default (the OS page cache holds the file), so eight of them cost little memory.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(600))
            .connect_with(
                base.clone()
                    .create_if_missing(true)
                    .pragma("cache_size", "-65536"),
            )
            .await
            .map_err(|e| cannot_open(base.get_filename(), e))?;
        MIGRATOR.run(&writer).await?;
        let pages = PageReaders::new(base.get_filename().to_path_buf(), BUSY_TIMEOUT, READERS);
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(base.read_only(true))
            .await?;
        Ok(Self {
            writer,
            readers,
            pages,
        })
    }
}

/// The columns of a complete snapshot (every chunk stored, its event's leaf hash unchanged).
const COMPLETE_SNAPSHOTS: &str = "SELECT s.position, s.format_version, s.chunks, MIN(s.created_at) \
     FROM snapshots s JOIN events e ON e.position = s.position AND e.leaf_hash = s.leaf_hash \
     WHERE s.format_version = ? AND s.position <= ? \
     GROUP BY s.position, s.format_version, s.chunks HAVING COUNT(*) = s.chunks";

impl Sql for SqlitePools {
    type Tx = Transaction<'static, Sqlite>;

    async fn begin_write(&self) -> Result<(Self::Tx, Head), StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let head = head(&mut tx).await?;
        Ok((tx, head))
    }

    async fn head(&self) -> Result<Head, StoreError> {
        let mut conn = self.readers.acquire().await?;
        head(&mut conn).await
    }

    async fn read_from(&self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let mut conn = self.readers.acquire().await?;
        read_from(&mut conn, after, limit).await
    }

    async fn read_stream(&self, stream_id: &str, after: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version"
        );
        let rows = sqlx::query(sql)
            .bind(stream_id)
            .bind(after)
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(rows::decode).collect()
    }

    async fn read_streams(&self, stream_ids: &[String]) -> Result<Vec<StoredEvent>, StoreError> {
        let ids = serde_json::to_string(stream_ids).map_err(|e| StoreError::InvalidEvent(e.to_string()))?;
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM events WHERE stream_id IN (SELECT value FROM json_each(?)) ORDER BY position"
        );
        let rows = sqlx::query(sql).bind(ids).fetch_all(&self.readers).await?;
        rows.iter().map(rows::decode).collect()
    }

    async fn find_command(&self, id: Uuid) -> Result<Vec<StoredEvent>, StoreError> {
        let mut conn = self.readers.acquire().await?;
        find_command(&mut conn, id).await
    }

    async fn read_canonical_from(&self, after: i64, limit: i64) -> Result<CanonicalPage, StoreError> {
        self.pages.canonical(after, limit).await
    }

    async fn read_rows_from(&self, after: i64, limit: i64) -> Result<RowsPage, StoreError> {
        self.pages.rows(after, limit).await
    }

    async fn tree_hashes_packed(
        &self,
        from: u64,
        limit: i64,
    ) -> Result<Option<(u64, usize, Vec<u8>)>, StoreError> {
        let row = self.pages.tree_hashes(from, limit).await?;
        Ok(super::scan::packed(row))
    }

    async fn close(&self) {
        self.pages.close();
        self.readers.close().await;
        self.writer.close().await;
    }

    async fn fetch_hashes(&self, indexes: &[u64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let mut conn = self.readers.acquire().await?;
        fetch_hashes(&mut conn, indexes).await
    }

    async fn tree_hashes_from(&self, from: u64, limit: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT idx, hash FROM tree_hashes WHERE idx >= ? ORDER BY idx LIMIT ?")
                .bind(from as i64)
                .bind(limit)
                .fetch_all(&self.readers)
                .await?,
        )
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        let row: Option<(i64, String, String, String)> = sqlx::query_as(
            "SELECT size, root_hash, note, signed_at FROM checkpoints ORDER BY size DESC LIMIT 1",
        )
        .fetch_optional(&self.readers)
        .await?;
        Ok(row.map(StoredCheckpoint::from_row))
    }

    async fn save_checkpoint(&self, c: &StoredCheckpoint) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO checkpoints (size, root_hash, note, signed_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(c.size)
        .bind(&c.root_hash)
        .bind(&c.note)
        .bind(&c.signed_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn insert_snapshot_chunk(&self, c: &SnapshotChunk<'_>) -> Result<u64, StoreError> {
        Ok(sqlx::query(
            "INSERT INTO snapshots (format_version, position, chunk, chunks, leaf_hash, created_at, body) \
             SELECT ?, position, ?, ?, leaf_hash, ?, ? FROM events WHERE position = ? \
             ON CONFLICT (format_version, position, chunk) DO NOTHING",
        )
        .bind(c.format_version)
        .bind(c.chunk)
        .bind(c.chunks)
        .bind(c.created_at)
        .bind(c.body)
        .bind(c.position)
        .execute(&self.writer)
        .await?
        .rows_affected())
    }

    async fn complete_snapshots(
        &self,
        format_version: i32,
        position: i64,
        newest_first: bool,
        limit: i64,
    ) -> Result<Vec<Snapshot>, StoreError> {
        let order = if newest_first {
            " ORDER BY s.position DESC LIMIT ?"
        } else {
            " ORDER BY s.position LIMIT ?"
        };
        let rows: Vec<(i64, i32, i32, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{COMPLETE_SNAPSHOTS}{order}")))
                .bind(format_version)
                .bind(position)
                .bind(limit)
                .fetch_all(&self.readers)
                .await?;
        Ok(rows.into_iter().map(Snapshot::from_row).collect())
    }

    async fn load_snapshot_chunk(
        &self,
        format_version: i32,
        position: i64,
        chunk: i32,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT body FROM snapshots WHERE format_version = ? AND position = ? AND chunk = ?",
        )
        .bind(format_version)
        .bind(position)
        .bind(chunk)
        .fetch_optional(&self.readers)
        .await?)
    }

    async fn position_at(&self, recorded_at: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT position FROM events WHERE recorded_at <= ? \
             ORDER BY recorded_at DESC, position DESC LIMIT 1",
        )
        .bind(recorded_at)
        .fetch_optional(&self.readers)
        .await?)
    }

    async fn recorded_at_of(&self, position: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT recorded_at FROM events WHERE position = ?")
                .bind(position)
                .fetch_optional(&self.readers)
                .await?,
        )
    }
}

impl LogTx for Transaction<'static, Sqlite> {
    async fn read_from(&mut self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        read_from(self, after, limit).await
    }

    async fn find_command(&mut self, id: Uuid) -> Result<Vec<StoredEvent>, StoreError> {
        find_command(self, id).await
    }

    async fn stream_version(&mut self, stream_id: &str) -> Result<i64, StoreError> {
        let v: Option<i64> = sqlx::query_scalar("SELECT MAX(stream_version) FROM events WHERE stream_id = ?")
            .bind(stream_id)
            .fetch_one(&mut **self)
            .await?;
        Ok(v.unwrap_or(0))
    }

    async fn stream_versions(&mut self, ids: &[String]) -> Result<Vec<(String, i64)>, StoreError> {
        let ids = serde_json::to_string(ids).map_err(|e| StoreError::InvalidEvent(e.to_string()))?;
        Ok(sqlx::query_as(
            "SELECT stream_id, MAX(stream_version) FROM events \
             WHERE stream_id IN (SELECT value FROM json_each(?)) GROUP BY stream_id",
        )
        .bind(ids)
        .fetch_all(&mut **self)
        .await?)
    }

    async fn insert(&mut self, events: &[StoredEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        rows::insert_events::<Sqlite>(events)
            .build()
            .persistent(rows::prepared_once(events.len()))
            .execute(&mut **self)
            .await?;
        Ok(())
    }

    async fn fetch_hashes(&mut self, indexes: &[u64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        fetch_hashes(self, indexes).await
    }

    async fn insert_hashes(&mut self, rows: &[(i64, [u8; 32])]) -> Result<(), StoreError> {
        for chunk in rows.chunks(rows::PREPARED_ROWS) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new("INSERT INTO tree_hashes (idx, hash) ");
            qb.push_values(chunk, |mut b, (idx, hash)| {
                b.push_bind(*idx).push_bind(hash.to_vec());
            });
            qb.build()
                .persistent(rows::prepared_once(chunk.len()))
                .execute(&mut **self)
                .await?;
        }
        Ok(())
    }

    /// SQLite's head is the last row itself: nothing to move.
    async fn commit(self, _head: &Head) -> Result<(), StoreError> {
        Ok(Transaction::commit(self).await?)
    }

    async fn rollback(self) -> Result<(), StoreError> {
        Ok(Transaction::rollback(self).await?)
    }
}

async fn head(conn: &mut SqliteConnection) -> Result<Head, StoreError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1")
            .fetch_optional(conn)
            .await?;
    Ok(row.map_or_else(Head::default, |(position, recorded_at)| Head {
        position,
        recorded_at: Some(recorded_at),
    }))
}

async fn read_from(
    conn: &mut SqliteConnection,
    after: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM events WHERE position > ? ORDER BY position LIMIT ?"
    );
    let rows = sqlx::query(sql).bind(after).bind(limit).fetch_all(conn).await?;
    rows.iter().map(rows::decode).collect()
}

async fn find_command(conn: &mut SqliteConnection, id: Uuid) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM events WHERE command_id = ? ORDER BY position"
    );
    let rows = sqlx::query(sql).bind(id.to_string()).fetch_all(conn).await?;
    rows.iter().map(rows::decode).collect()
}

async fn fetch_hashes(
    conn: &mut SqliteConnection,
    indexes: &[u64],
) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
    let ids = serde_json::to_string(indexes).map_err(|e| StoreError::InvalidEvent(e.to_string()))?;
    Ok(
        sqlx::query_as("SELECT idx, hash FROM tree_hashes WHERE idx IN (SELECT value FROM json_each(?))")
            .bind(ids)
            .fetch_all(conn)
            .await?,
    )
}
