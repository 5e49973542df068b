//! SQLite backend: WAL, `synchronous=FULL`, a busy timeout, one writer connection that
//! always begins with `BEGIN IMMEDIATE`, and a pool of read-only readers.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, Transaction};
use uuid::Uuid;

use super::rows::{self, columns};
use super::{Head, StoreError};
use liangye_events::envelope::StoredEvent;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

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
        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(base.read_only(true))
            .await?;
        Ok(Self { writer, readers })
    }

    /// The single writer connection's pool (for writes outside the log, e.g. snapshots).
    pub(super) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// The read-only pool.
    pub(super) fn readers(&self) -> &SqlitePool {
        &self.readers
    }

    pub(super) async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    pub(super) async fn begin_write(&self) -> Result<(Transaction<'static, Sqlite>, Head), StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let head = head(&mut tx).await?;
        Ok((tx, head))
    }

    pub(super) async fn head(&self) -> Result<Head, StoreError> {
        let mut conn = self.readers.acquire().await?;
        head(&mut conn).await
    }

    pub(super) async fn read_from(&self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let mut conn = self.readers.acquire().await?;
        read_from(&mut conn, after, limit).await
    }

    pub(super) async fn read_stream(
        &self,
        stream_id: &str,
        after: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
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

    pub(super) async fn find_command(&self, id: Uuid) -> Result<Vec<StoredEvent>, StoreError> {
        let mut conn = self.readers.acquire().await?;
        find_command(&mut conn, id).await
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

pub(super) async fn read_from(
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

pub(super) async fn find_command(
    conn: &mut SqliteConnection,
    id: Uuid,
) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM events WHERE command_id = ? ORDER BY position"
    );
    let rows = sqlx::query(sql).bind(id.to_string()).fetch_all(conn).await?;
    rows.iter().map(rows::decode).collect()
}

pub(super) async fn stream_version(conn: &mut SqliteConnection, stream_id: &str) -> Result<i64, StoreError> {
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(stream_version) FROM events WHERE stream_id = ?")
        .bind(stream_id)
        .fetch_one(conn)
        .await?;
    Ok(v.unwrap_or(0))
}

/// Current versions of the given streams (streams without events are absent).
pub(super) async fn stream_versions(
    conn: &mut SqliteConnection,
    ids: &[String],
) -> Result<Vec<(String, i64)>, StoreError> {
    let ids = serde_json::to_string(ids).map_err(|e| StoreError::InvalidEvent(e.to_string()))?;
    Ok(sqlx::query_as(
        "SELECT stream_id, MAX(stream_version) FROM events \
         WHERE stream_id IN (SELECT value FROM json_each(?)) GROUP BY stream_id",
    )
    .bind(ids)
    .fetch_all(conn)
    .await?)
}

pub(super) async fn insert(conn: &mut SqliteConnection, events: &[StoredEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(concat!("INSERT INTO events (", columns!(), ") "));
    qb.push_values(events, |mut b, ev| {
        b.push_bind(ev.position)
            .push_bind(ev.event_id.to_string())
            .push_bind(ev.stream_id.as_str())
            .push_bind(ev.stream_version)
            .push_bind(ev.event_type.as_str())
            .push_bind(ev.schema_version)
            .push_bind(ev.recorded_at.as_str())
            .push_bind(ev.command_id.map(|c| c.to_string()))
            .push_bind(ev.actor.as_str())
            .push_bind(ev.role.as_str())
            .push_bind(ev.canonical.as_str())
            .push_bind(ev.leaf_hash.as_str());
    });
    qb.build().persistent(false).execute(conn).await?;
    Ok(())
}

/// Stored tree hashes at `indexes` (any order; missing ones are absent).
pub(super) async fn fetch_hashes(
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

pub(super) async fn insert_hashes(
    conn: &mut SqliteConnection,
    rows: &[(i64, [u8; 32])],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(5000) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new("INSERT INTO tree_hashes (idx, hash) ");
        qb.push_values(chunk, |mut b, (idx, hash)| {
            b.push_bind(*idx).push_bind(hash.to_vec());
        });
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

impl SqlitePools {
    pub(super) async fn fetch_hashes(&self, indexes: &[u64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let mut conn = self.readers.acquire().await?;
        fetch_hashes(&mut conn, indexes).await
    }
}
