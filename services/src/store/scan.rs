//! Reading the log for projection rebuilds: only the canonical text of each event, which
//! holds everything a fold needs (it is the hashed truth; the other columns are derived from
//! it when the event is appended). A rebuild reads every row of the log, so the driver's
//! per-row cost matters: on SQLite a page of texts comes back as one row, joined by newlines
//! in the database (sqlx hands each SQLite row from its worker thread through a channel);
//! PostgreSQL's rows stream cheaply and are joined as they arrive.

use futures::TryStreamExt;

use super::{EventStore, Pools, StoreError};

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

    /// Adds the next text.
    fn push(&mut self, text: &str) {
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

/// SQLite aggregates the rows of the subquery in the order the subquery yields them (a
/// subquery with `LIMIT` is never flattened into an aggregate): an `ORDER BY` inside
/// `group_concat` would sort the page again through a temporary B-tree (a rebuild of
/// 1,000,000 events took about a quarter longer with it). The order is still checked: every
/// text names its position, and replay refuses a page whose positions do not follow on.
const PAGE_SQLITE: &str = "SELECT group_concat(canonical, char(10)), count(*) \
     FROM (SELECT canonical FROM events WHERE position > ? ORDER BY position LIMIT ?)";
/// PostgreSQL's driver streams rows cheaply, and `string_agg` would make the server sort and
/// copy the page once more: there the page is joined as the rows arrive.
const PAGE_POSTGRES: &str = "SELECT canonical FROM events WHERE position > $1 ORDER BY position LIMIT $2";

impl EventStore {
    /// The canonical texts of up to `limit` events with position > `after`, in order.
    pub async fn read_canonical_from(&self, after: i64, limit: i64) -> Result<CanonicalPage, StoreError> {
        match &self.inner.pools {
            Pools::Sqlite(p) => {
                let (joined, count): (Option<String>, i64) = sqlx::query_as(PAGE_SQLITE)
                    .bind(after)
                    .bind(limit)
                    .fetch_one(p.readers())
                    .await?;
                Ok(CanonicalPage {
                    joined: joined.unwrap_or_default(),
                    count: usize::try_from(count).unwrap_or(0),
                })
            }
            Pools::Postgres(p) => {
                let mut rows = sqlx::query_scalar::<_, String>(PAGE_POSTGRES)
                    .bind(after)
                    .bind(limit)
                    .fetch(p.pool());
                let mut page = CanonicalPage::default();
                while let Some(text) = rows.try_next().await? {
                    page.push(&text);
                }
                Ok(page)
            }
        }
    }
}
