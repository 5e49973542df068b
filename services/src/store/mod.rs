//! The event store on sqlx: SQLite (embedded default) and PostgreSQL, chosen by URL scheme.
//! One exception: on SQLite, replay and `verify` read whole pages of the log through SQLite's
//! C API (`rusqlite`, on the same bundled SQLite), see `sqlite_pages.rs`.
//!
//! Writes go through a [`WriteTx`]: SQLite takes `BEGIN IMMEDIATE` on its single writer
//! connection; PostgreSQL locks the single `log_head` row for the whole transaction. Either
//! way one transaction at a time assigns positions, so they are gapless and become visible in
//! order. Inside it the caller may read the log's tail (to catch up), look up command ids and
//! stream versions, and append; nothing is visible until [`WriteTx::commit`].

mod backend;
mod c_heap;
mod error;
mod postgres;
mod prepare;
mod rows;
mod scan;
mod snapshots;
mod sqlite;
mod sqlite_pages;
mod tree;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::Stream;
use tokio::sync::watch;
use uuid::Uuid;

use backend::{LogTx, Sql, on_backend, on_tx};
pub use c_heap::{keep_sqlite_buffers_in_the_heap, without_transparent_huge_pages};
pub use error::StoreError;
pub use prepare::{PreparedEvent, prepare, validate_stream_id};
pub use scan::{CanonicalPage, RowsPage};
pub use snapshots::Snapshot;
pub use tree::{ConsistencyProof, InclusionProof, StoredCheckpoint};

use liangye_events::canonical::{self, format_timestamp, now_micros};
use liangye_events::envelope::{NewEvent, StoredEvent};

/// Longest stream id accepted, in bytes.
pub const MAX_STREAM_ID_BYTES: usize = 200;
/// Rows per multi-row INSERT statement.
const INSERT_CHUNK: usize = 1000;
/// Rows per page when the log is read as a stream.
const STREAM_PAGE: i64 = 1000;

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The head of the log: the last position (0 when empty) and its `recordedAt`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Head {
    pub position: i64,
    pub recorded_at: Option<String>,
}

#[derive(Clone)]
enum Pools {
    Sqlite(sqlite::SqlitePools),
    Postgres(postgres::PgPools),
}

struct Inner {
    pools: Pools,
    head: watch::Sender<i64>,
    /// The PostgreSQL LISTEN task, stopped with the store.
    listener: Option<tokio::task::AbortHandle>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(h) = &self.listener {
            h.abort();
        }
    }
}

/// The event log. Cheap to clone; clones share pools and the head watch.
#[derive(Clone)]
pub struct EventStore {
    inner: Arc<Inner>,
}

impl EventStore {
    /// Open (creating a SQLite file if missing) and migrate the database at `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pools = if url.starts_with("sqlite:") {
            Pools::Sqlite(sqlite::SqlitePools::connect(url).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Pools::Postgres(postgres::PgPools::connect(url).await?)
        } else {
            return Err(StoreError::UnknownScheme(url.to_owned()));
        };
        let head = match &pools {
            Pools::Sqlite(p) => Sql::head(p).await?,
            Pools::Postgres(p) => Sql::head(p).await?,
        };
        let (head_tx, _) = watch::channel(head.position);
        let listener = match &pools {
            Pools::Postgres(p) => Some(p.spawn_listener(head_tx.clone())),
            Pools::Sqlite(_) => None,
        };
        let inner = Inner {
            pools,
            head: head_tx,
            listener,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.inner.pools {
            Pools::Sqlite(_) => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// The current head, read from the database.
    pub async fn head(&self) -> Result<Head, StoreError> {
        let head = on_backend!(self, |b| b.head().await?);
        self.inner.head.send_if_modified(|h| {
            let grew = head.position > *h;
            if grew {
                *h = head.position;
            }
            grew
        });
        Ok(head)
    }

    /// A receiver that changes whenever the log grows (value: the newest known position).
    /// On PostgreSQL it also follows other processes' appends (LISTEN/NOTIFY).
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.inner.head.subscribe()
    }

    /// Up to `limit` events with position > `after`, in order.
    pub async fn read_from(&self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        on_backend!(self, |b| b.read_from(after, limit).await)
    }

    /// Every event of one stream with stream version > `after_version`, in order.
    pub async fn read_stream(
        &self,
        stream_id: &str,
        after_version: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        validate_stream_id(stream_id)?;
        on_backend!(self, |b| b.read_stream(stream_id, after_version).await)
    }

    /// Every event of these streams, in position order (one query, whatever their number).
    pub async fn read_streams(&self, stream_ids: &[String]) -> Result<Vec<StoredEvent>, StoreError> {
        for id in stream_ids {
            validate_stream_id(id)?;
        }
        if stream_ids.is_empty() {
            return Ok(Vec::new());
        }
        on_backend!(self, |b| b.read_streams(stream_ids).await)
    }

    /// The events a command id appended, in order (empty if never seen).
    pub async fn find_command(&self, command_id: Uuid) -> Result<Vec<StoredEvent>, StoreError> {
        on_backend!(self, |b| b.find_command(command_id).await)
    }

    /// The log from `after` onwards as an endless stream: pages of what is stored, then each
    /// new event as it is committed.
    pub fn stream_from(
        &self,
        after: i64,
    ) -> impl Stream<Item = Result<StoredEvent, StoreError>> + Send + 'static + use<> {
        let store = self.clone();
        let rx = self.subscribe();
        let state = (store, rx, after, std::collections::VecDeque::<StoredEvent>::new());
        futures::stream::unfold(state, |(store, mut rx, mut after, mut buf)| async move {
            loop {
                if let Some(ev) = buf.pop_front() {
                    after = ev.position;
                    return Some((Ok(ev), (store, rx, after, buf)));
                }
                match store.read_from(after, STREAM_PAGE).await {
                    Err(e) => return Some((Err(e), (store, rx, after, buf))),
                    Ok(page) if !page.is_empty() => buf.extend(page),
                    Ok(_) => {
                        let seen = *rx.borrow_and_update();
                        if seen <= after && rx.changed().await.is_err() {
                            return None;
                        }
                    }
                }
            }
        })
    }

    /// Begin the one write transaction (waits for the writer lock).
    pub async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let (tx, head) = match &self.inner.pools {
            Pools::Sqlite(p) => p
                .begin_write()
                .await
                .map(|(tx, head)| (TxKind::Sqlite(tx), head))?,
            Pools::Postgres(p) => p
                .begin_write()
                .await
                .map(|(tx, head)| (TxKind::Postgres(tx), head))?,
        };
        Ok(WriteTx {
            tx,
            head,
            versions: HashMap::new(),
            staged: Vec::new(),
            notify: self.inner.head.clone(),
        })
    }

    /// Close the pools (waits for connections to be returned).
    pub async fn close(&self) {
        on_backend!(self, |b| b.close().await)
    }
}

enum TxKind {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// The single write transaction. Dropping it without commit rolls back.
pub struct WriteTx {
    tx: TxKind,
    head: Head,
    versions: HashMap<String, i64>,
    /// Sealed events not yet inserted: written by [`WriteTx::flush`] (and at commit).
    staged: Vec<StoredEvent>,
    notify: watch::Sender<i64>,
}

impl WriteTx {
    /// The head as of this transaction, including what it appended so far.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// Read events after `after` inside the transaction (to catch up to the head).
    pub async fn read_from(&mut self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        on_tx!(&mut self.tx, |t| t.read_from(after, limit).await)
    }

    /// The events a command id appended (empty if never seen).
    pub async fn find_command(&mut self, command_id: Uuid) -> Result<Vec<StoredEvent>, StoreError> {
        on_tx!(&mut self.tx, |t| t.find_command(command_id).await)
    }

    /// The current version of a stream (0 when it has no events).
    pub async fn stream_version(&mut self, stream_id: &str) -> Result<i64, StoreError> {
        if let Some(v) = self.versions.get(stream_id) {
            return Ok(*v);
        }
        let v = on_tx!(&mut self.tx, |t| t.stream_version(stream_id).await?);
        self.versions.insert(stream_id.to_owned(), v);
        Ok(v)
    }

    /// Looks the current versions of these streams up in one query, ahead of [`stage`]
    /// (which looks up the streams it does not know yet, one query per call): a writer that
    /// stages many small appends in one transaction saves a round trip per append. Only a
    /// saving — `stage` still looks up any stream not named here.
    ///
    /// [`stage`]: WriteTx::stage
    pub async fn prefetch_stream_versions(&mut self, stream_ids: &[String]) -> Result<(), StoreError> {
        self.load_stream_versions(stream_ids.iter().map(String::as_str))
            .await
    }

    /// Load the versions of these streams not yet known, in one query.
    async fn load_stream_versions<'a>(
        &mut self,
        stream_ids: impl Iterator<Item = &'a str>,
    ) -> Result<(), StoreError> {
        let mut unknown: Vec<String> = stream_ids
            .filter(|id| !self.versions.contains_key(*id))
            .map(str::to_owned)
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        if unknown.is_empty() {
            return Ok(());
        }
        let found = on_tx!(&mut self.tx, |t| t.stream_versions(&unknown).await?);
        for id in unknown {
            self.versions.entry(id).or_insert(0);
        }
        self.versions.extend(found);
        Ok(())
    }

    /// Append events in order: assigns positions, stream versions and `recordedAt`, builds
    /// the canonical form and leaf hash. Refuses invalid events before writing anything.
    pub async fn append(&mut self, events: Vec<NewEvent>) -> Result<Vec<StoredEvent>, StoreError> {
        let prepared = events.into_iter().map(prepare).collect::<Result<Vec<_>, _>>()?;
        self.append_prepared(prepared).await
    }

    /// Append events prepared (validated and canonicalized) beforehand, outside the lock.
    pub async fn append_prepared(
        &mut self,
        events: Vec<PreparedEvent>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let stored = self.stage(events).await?;
        self.flush().await?;
        Ok(stored)
    }

    /// Seal events at the next positions without writing them yet: they are inserted, many
    /// commands' worth in one statement, by [`WriteTx::flush`] or at commit. The head and
    /// stream versions move at once, so later stages and reads of the head see them.
    pub async fn stage(&mut self, events: Vec<PreparedEvent>) -> Result<Vec<StoredEvent>, StoreError> {
        let recorded_at = self.next_recorded_at()?;
        self.load_stream_versions(events.iter().map(|e| e.stream_id.as_str()))
            .await?;
        let mut stored = Vec::with_capacity(events.len());
        let mut position = self.head.position;
        for ev in events {
            let version = self.versions.get(&ev.stream_id).copied().unwrap_or(0) + 1;
            position += 1;
            self.versions.insert(ev.stream_id.clone(), version);
            stored.push(ev.seal(position, version, &recorded_at));
        }
        if let Some(last) = stored.last() {
            self.head = Head {
                position: last.position,
                recorded_at: Some(last.recorded_at.clone()),
            };
        }
        self.staged.extend(stored.iter().cloned());
        Ok(stored)
    }

    /// Insert everything staged so far.
    pub async fn flush(&mut self) -> Result<(), StoreError> {
        let staged = std::mem::take(&mut self.staged);
        self.extend_tree(&staged).await?;
        self.staged = staged;
        for chunk in self.staged.chunks(INSERT_CHUNK) {
            on_tx!(&mut self.tx, |t| t.insert(chunk).await?);
        }
        self.staged.clear();
        Ok(())
    }

    /// Insert already-sealed events (import): checks that they continue the log exactly.
    pub async fn append_sealed(&mut self, events: &[StoredEvent]) -> Result<(), StoreError> {
        let mut expected = self.head.position;
        for ev in events {
            expected += 1;
            if ev.position != expected {
                return Err(StoreError::InvalidEvent(format!(
                    "position {} does not continue the log at {}",
                    ev.position, expected
                )));
            }
        }
        self.staged.extend_from_slice(events);
        self.flush().await?;
        if let Some(last) = events.last() {
            self.head = Head {
                position: last.position,
                recorded_at: Some(last.recorded_at.clone()),
            };
            self.versions.clear();
        }
        Ok(())
    }

    /// Commit, then wake subscribers.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.flush().await?;
        let position = self.head.position;
        on_tx!(self.tx, |t| LogTx::commit(t, &self.head).await?);
        self.notify.send_if_modified(|h| {
            let grew = position > *h;
            if grew {
                *h = position;
            }
            grew
        });
        Ok(())
    }

    /// Roll back everything this transaction did.
    pub async fn rollback(self) -> Result<(), StoreError> {
        on_tx!(self.tx, |t| LogTx::rollback(t).await)
    }

    /// `recordedAt` for the next append: now, but never before the head's.
    fn next_recorded_at(&self) -> Result<String, StoreError> {
        let now = now_micros();
        let floor: Option<DateTime<Utc>> = match &self.head.recorded_at {
            Some(s) if !s.is_empty() => {
                Some(canonical::parse_timestamp(s).map_err(|e| StoreError::Corrupt {
                    position: self.head.position,
                    reason: e.to_string(),
                })?)
            }
            _ => None,
        };
        Ok(format_timestamp(floor.map_or(now, |f| f.max(now))))
    }
}
