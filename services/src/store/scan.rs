//! Reading the log for projection rebuilds: only the canonical text of each event, which
//! holds everything a fold needs (it is the hashed truth; the other columns are derived from
//! it when the event is appended). A rebuild reads every row of the log, so the driver's
//! per-row cost matters: each backend reads a page the way it does best (`sqlite.rs`,
//! `postgres.rs`).

use liangye_events::hash::Hash;
use liangye_events::integrity::RowText;

use super::backend::{Sql, on_backend};
use super::{EventStore, StoreError};

/// The canonical texts of consecutive events, one after the other in one buffer, with where
/// each ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CanonicalPage {
    text: String,
    ends: Vec<usize>,
}

impl CanonicalPage {
    /// How many events the page holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the page holds no event.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// An empty page with room for `rows` texts of `bytes` in all.
    pub(super) fn with_capacity(rows: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
        }
    }

    /// Adds the next text.
    pub(super) fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.ends.push(self.text.len());
    }

    /// The texts, in position order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| self.text.get(start..end).unwrap_or_default())
    }
}

impl EventStore {
    /// The canonical texts of up to `limit` events with position > `after`, in order.
    pub async fn read_canonical_from(&self, after: i64, limit: i64) -> Result<CanonicalPage, StoreError> {
        on_backend!(self, |b| b.read_canonical_from(after, limit).await)
    }
}

/// Rows reserved for a page of `limit` events before reading it: `limit`, up to a page of
/// 4,096 (a larger one grows as it is read).
pub(super) fn page_rows(limit: i64) -> usize {
    usize::try_from(limit.clamp(0, 4096)).unwrap_or(0)
}

/// Bytes reserved for a page of `limit` events before reading it: an event's canonical text
/// and columns are a few hundred bytes; a larger one grows the page's buffer.
pub(super) fn page_bytes(limit: i64) -> usize {
    page_rows(limit) * 768
}

/// Every column of consecutive rows of `events`, as text, for `verify`: one buffer per page,
/// each row's columns copied into it as the rows come and borrowed from it
/// ([`RowsPage::row`]), nothing decoded.
#[derive(Debug, Clone, Default)]
pub struct RowsPage {
    text: String,
    /// `COLUMNS` spans (start, end) of `text` per row; `None` for SQL NULL.
    spans: Vec<Option<(usize, usize)>>,
}

/// Columns per row of a [`RowsPage`], in the order of `rows::columns!`.
pub(super) const COLUMNS: usize = 12;

impl RowsPage {
    /// How many rows the page holds.
    pub fn len(&self) -> usize {
        self.spans.len() / COLUMNS
    }

    /// True when the page holds no row.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The columns of row `i` (0-based) as text.
    pub fn row(&self, i: usize) -> RowText<'_> {
        let field = |c: usize| {
            self.spans
                .get(i * COLUMNS + c)
                .copied()
                .flatten()
                .and_then(|(a, b)| self.text.get(a..b))
        };
        RowText {
            position: field(0),
            event_id: field(1),
            stream_id: field(2),
            stream_version: field(3),
            event_type: field(4),
            schema_version: field(5),
            recorded_at: field(6),
            command_id: field(7),
            actor: field(8),
            role: field(9),
            canonical: field(10),
            leaf_hash: field(11),
        }
    }

    /// An empty page with room for `rows` rows of `bytes` in all.
    pub(super) fn with_capacity(rows: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            spans: Vec::with_capacity(rows.saturating_mul(COLUMNS)),
        }
    }

    /// Adds a row given column by column (in the order of `rows::columns!`).
    pub(super) fn push_row(&mut self, columns: [Option<&str>; COLUMNS]) {
        for column in columns {
            let span = column.map(|c| {
                let start = self.text.len();
                self.text.push_str(c);
                (start, self.text.len())
            });
            self.spans.push(span);
        }
    }
}

impl EventStore {
    /// Every column of up to `limit` events with position > `after`, in order (for `verify`).
    pub async fn read_rows_from(&self, after: i64, limit: i64) -> Result<RowsPage, StoreError> {
        on_backend!(self, |b| b.read_rows_from(after, limit).await)
    }

    /// Up to `limit` stored tree hashes from storage index `from` on, in one piece when they
    /// are consecutive and 32 bytes each (else row by row, as [`EventStore::tree_hashes_from`]
    /// gives them).
    pub async fn tree_hash_page(&self, from: u64, limit: i64) -> Result<Vec<(u64, Hash)>, StoreError> {
        let packed = on_backend!(self, |b| b.tree_hashes_packed(from, limit).await?);
        if let Some((first, count, bytes)) = packed
            && bytes.len() == count * 32
            && first == from
        {
            return Ok(bytes
                .chunks_exact(32)
                .zip(first..)
                .map(|(h, i)| {
                    let mut hash = [0u8; 32];
                    hash.copy_from_slice(h);
                    (i, hash)
                })
                .collect());
        }
        self.tree_hashes_from(from, limit).await
    }
}

/// A page of stored tree hashes as both backends read it in one row — (smallest index, rows,
/// largest index, the hashes joined) — as (first index, rows, hashes) when the indexes from
/// the smallest to the largest are all there.
pub(super) fn packed(
    (min, count, max, bytes): (Option<i64>, i64, Option<i64>, Option<Vec<u8>>),
) -> Option<(u64, usize, Vec<u8>)> {
    let (min, max, bytes) = (min?, max?, bytes?);
    let count = usize::try_from(count).ok()?;
    let first = u64::try_from(min).ok()?;
    (max - min + 1 == count as i64).then_some((first, count, bytes))
}
