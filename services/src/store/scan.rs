//! Reading the log for projection rebuilds: only the canonical text of each event, which
//! holds everything a fold needs (it is the hashed truth; the other columns are derived from
//! it when the event is appended). A rebuild reads every row of the log, so the driver's
//! per-row cost matters: each backend reads a page the way it does best (`sqlite.rs`,
//! `postgres.rs`).

use super::backend::{Sql, on_backend};
use super::{EventStore, StoreError};

/// The canonical texts of consecutive events, joined by `\n` (which canonical JSON never
/// holds: RFC 8785 writes no whitespace between tokens and escapes control characters in
/// strings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CanonicalPage {
    joined: String,
    count: usize,
}

impl CanonicalPage {
    /// How many events the page holds.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when the page holds no event.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// A page of `count` texts already joined by `\n`.
    pub(super) fn joined(joined: String, count: usize) -> Self {
        Self { joined, count }
    }

    /// Adds the next text.
    pub(super) fn push(&mut self, text: &str) {
        if self.count > 0 {
            self.joined.push('\n');
        }
        self.joined.push_str(text);
        self.count += 1;
    }

    /// The texts, in position order. A stored text holding a raw newline (which no
    /// canonical text can) splits in two here, and its pieces fail to decode.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let joined = (self.count > 0).then_some(self.joined.as_str());
        joined.into_iter().flat_map(|joined| joined.split('\n'))
    }
}

impl EventStore {
    /// The canonical texts of up to `limit` events with position > `after`, in order.
    pub async fn read_canonical_from(&self, after: i64, limit: i64) -> Result<CanonicalPage, StoreError> {
        on_backend!(self, |b| b.read_canonical_from(after, limit).await)
    }
}
