//! Whole pages of the SQLite log for replay and `verify`, read through SQLite's C API
//! (`rusqlite`) on a blocking thread instead of through sqlx.
//!
//! Replay and `verify` read every row of the log, so the cost of each value matters. sqlx runs
//! each SQLite connection on a worker thread and sends every row through a channel, copying
//! each value twice (`sqlite3_value_dup`, then into a `String`); the store used to avoid the
//! per-row channel by reading a page as one row of `group_concat` texts, which costs SQLite
//! an aggregate step per value and a growing buffer per column. Here each value is copied
//! once, straight from SQLite's row into the page's buffer (BENCHMARKS.md, "Fifth run").
//!
//! These connections are read-only, opened on the same file as the sqlx pools with the same
//! busy timeout, as many at once at most as sqlx's reader pool holds (as-of queries replay
//! concurrently; more wait their turn), kept idle between pages (at most [`MAX_IDLE`]) and
//! closed with the store. Every other statement of the store runs on sqlx.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use super::StoreError;
use super::scan::{COLUMNS, CanonicalPage, RowsPage, page_bytes, page_rows};

/// Connections kept open between pages (a replay or `verify` reads one page at a time).
const MAX_IDLE: usize = 2;

/// The canonical texts of a page, in position order.
const CANONICAL_PAGE: &str = "SELECT canonical FROM events WHERE position > ?1 ORDER BY position LIMIT ?2";

/// A page of stored tree hashes, in index order.
const TREE_HASH_PAGE: &str = "SELECT idx, hash FROM tree_hashes WHERE idx >= ?1 ORDER BY idx LIMIT ?2";

/// Every column of a page, in the order of `rows::columns!`.
const ROWS_PAGE: &str = concat!(
    "SELECT ",
    super::rows::columns!(),
    " FROM events WHERE position > ?1 ORDER BY position LIMIT ?2"
);

/// Read-only connections to one SQLite file for reading pages.
pub(super) struct PageReaders {
    file: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    /// One permit per page being read.
    reading: Arc<Semaphore>,
    closed: AtomicBool,
}

impl PageReaders {
    /// Readers of `file`, at most `at_once` pages read at once (each on its own connection).
    pub(super) fn new(file: PathBuf, busy_timeout: Duration, at_once: u32) -> Arc<Self> {
        Arc::new(Self {
            file,
            busy_timeout,
            idle: Mutex::new(Vec::new()),
            reading: Arc::new(Semaphore::new(at_once as usize)),
            closed: AtomicBool::new(false),
        })
    }

    /// Closes the idle connections; reads after this fail as sqlx's closed pools do.
    pub(super) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.reading.close();
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.file,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(self.busy_timeout)?;
        Ok(conn)
    }

    /// Runs `read` on a blocking thread with an idle connection, or a new one.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let closed = || StoreError::Database(sqlx::Error::PoolClosed);
        let permit = Arc::clone(&self.reading)
            .acquire_owned()
            .await
            .map_err(|_| closed())?;
        let readers = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            if readers.closed.load(Ordering::SeqCst) {
                return Err(closed());
            }
            let idle = readers.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let conn = match idle {
                Some(conn) => conn,
                None => readers.open().map_err(|e| readers.failed(e))?,
            };
            let out = read(&conn).map_err(|e| readers.failed(e))?;
            let mut idle = readers.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE && !readers.closed.load(Ordering::SeqCst) {
                idle.push(conn);
            }
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Pages {
            file: self.file.display().to_string(),
            cause: format!("the reading task failed: {e}"),
        })?
    }

    fn failed(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Pages {
            file: self.file.display().to_string(),
            cause: e.to_string(),
        }
    }

    /// The canonical texts of up to `limit` events with position > `after`, in order.
    pub(super) async fn canonical(
        self: &Arc<Self>,
        after: i64,
        limit: i64,
    ) -> Result<CanonicalPage, StoreError> {
        self.run(move |conn| {
            let mut page = CanonicalPage::with_capacity(page_rows(limit), page_bytes(limit));
            let mut statement = conn.prepare(CANONICAL_PAGE)?;
            let mut rows = statement.query((after, limit))?;
            let mut scratch = Scratch::default();
            while let Some(row) = rows.next()? {
                page.push(text(row.get_ref(0)?, &mut scratch).unwrap_or_default());
            }
            Ok(page)
        })
        .await
    }

    /// Every column of up to `limit` events with position > `after`, as text, in order.
    pub(super) async fn rows(self: &Arc<Self>, after: i64, limit: i64) -> Result<RowsPage, StoreError> {
        self.run(move |conn| {
            let mut page = RowsPage::with_capacity(page_rows(limit), page_bytes(limit));
            let mut statement = conn.prepare(ROWS_PAGE)?;
            let mut rows = statement.query((after, limit))?;
            let mut scratch: [Scratch; COLUMNS] = Default::default();
            while let Some(row) = rows.next()? {
                let mut columns = [None; COLUMNS];
                let mut values = [ValueRef::Null; COLUMNS];
                for (c, value) in values.iter_mut().enumerate() {
                    *value = row.get_ref(c)?;
                }
                for ((column, value), scratch) in columns.iter_mut().zip(values).zip(&mut scratch) {
                    *column = text(value, scratch);
                }
                page.push_row(columns);
            }
            Ok(page)
        })
        .await
    }
}

impl PageReaders {
    /// Up to `limit` stored tree hashes from index `from` on, as
    /// (smallest index, rows, largest index, the hashes joined) — what
    /// [`super::scan::packed`] takes — or no hashes joined when one is not a blob.
    pub(super) async fn tree_hashes(
        self: &Arc<Self>,
        from: u64,
        limit: i64,
    ) -> Result<(Option<i64>, i64, Option<i64>, Option<Vec<u8>>), StoreError> {
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        self.run(move |conn| {
            let mut statement = conn.prepare(TREE_HASH_PAGE)?;
            let mut rows = statement.query((from, limit))?;
            let (mut min, mut count, mut max) = (None, 0i64, None);
            let mut bytes = Some(Vec::with_capacity(page_rows(limit).saturating_mul(32)));
            while let Some(row) = rows.next()? {
                let idx: i64 = row.get(0)?;
                min = min.or(Some(idx));
                max = Some(idx);
                count += 1;
                match row.get_ref(1)? {
                    ValueRef::Blob(hash) => {
                        if let Some(bytes) = &mut bytes {
                            bytes.extend_from_slice(hash);
                        }
                    }
                    _ => bytes = None,
                }
            }
            Ok((min, count, max, bytes))
        })
        .await
    }
}

/// Where [`text`] writes a value that is not already text: one per column, reused row after
/// row.
#[derive(Default)]
struct Scratch {
    integer: itoa::Buffer,
    other: String,
}

/// A value as the text SQLite would give for it (`None` for NULL): integers and reals in
/// decimal, written into `scratch`; text and blobs as they are, a blob or text that is not
/// UTF-8 with its bad bytes replaced (it then matches nothing it is checked against).
///
/// Every text of the log passes here, so its UTF-8 check is simdutf8's (the same answer as
/// the standard library's, with SIMD): the standard one takes the Chinese characters of a
/// canonical text one by one, and was about 3% of the instructions of the harness's
/// `stages` (BENCHMARKS.md, "Ninth run on SQLite").
fn text<'a>(value: ValueRef<'a>, scratch: &'a mut Scratch) -> Option<&'a str> {
    match value {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(scratch.integer.format(i)),
        ValueRef::Real(r) => {
            scratch.other = r.to_string();
            Some(scratch.other.as_str())
        }
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => match simdutf8::basic::from_utf8(bytes) {
            Ok(s) => Some(s),
            Err(_) => {
                scratch.other = String::from_utf8_lossy(bytes).into_owned();
                Some(scratch.other.as_str())
            }
        },
    }
}
