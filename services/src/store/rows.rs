//! The `events` row as both backends read and write it (the columns are the same on both).

use sqlx::{ColumnIndex, Database, Decode, Encode, QueryBuilder, Row, Type};
use uuid::Uuid;

use super::StoreError;
use liangye_events::envelope::StoredEvent;

/// The columns of `events`, in the order [`decode`] reads them (a macro, so that SQL text
/// stays a compile-time constant).
macro_rules! columns {
    () => {
        "position, event_id, stream_id, stream_version, event_type, schema_version, \
         recorded_at, command_id, actor, role, canonical, leaf_hash"
    };
}
pub(super) use columns;

pub(super) fn decode<'r, R>(row: &'r R) -> Result<StoredEvent, StoreError>
where
    R: Row,
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    i32: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    let position: i64 = row.try_get(0)?;
    let corrupt = |reason: String| StoreError::Corrupt { position, reason };
    let event_id: String = row.try_get(1)?;
    let command_id: Option<String> = row.try_get(7)?;
    Ok(StoredEvent {
        position,
        event_id: Uuid::parse_str(&event_id).map_err(|e| corrupt(format!("event_id: {e}")))?,
        stream_id: row.try_get(2)?,
        stream_version: row.try_get(3)?,
        event_type: row.try_get(4)?,
        schema_version: row.try_get(5)?,
        recorded_at: row.try_get(6)?,
        command_id: command_id
            .map(|c| Uuid::parse_str(&c))
            .transpose()
            .map_err(|e| corrupt(format!("command_id: {e}")))?,
        actor: row.try_get(8)?,
        role: row.try_get(9)?,
        canonical: row.try_get(10)?,
        leaf_hash: row.try_get(11)?,
    })
}

/// Rows of the multi-row statements that are prepared once per connection and kept in its
/// statement cache (a bulk append or import inserts 1,000 events a statement, and on SQLite
/// their tree hashes 1,000 a statement; PostgreSQL takes the hashes as two arrays).
/// Statements of other sizes (a group commit's few events, a batch's last rows) are prepared
/// each time, so that they do not crowd the cache.
pub(super) const PREPARED_ROWS: usize = 1000;

/// Whether a multi-row statement of `rows` rows is kept prepared.
pub(super) fn prepared_once(rows: usize) -> bool {
    rows == PREPARED_ROWS
}

/// `INSERT INTO events (columns) VALUES (…), (…)`: one multi-row statement for `events`, in
/// the column order of [`columns!`] (the same text on both backends).
pub(super) fn insert_events<'a, DB>(events: &'a [StoredEvent]) -> QueryBuilder<DB>
where
    DB: Database,
    <DB as Database>::Arguments: Default,
    i64: Encode<'a, DB> + Type<DB>,
    i32: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
    Option<String>: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(concat!("INSERT INTO events (", columns!(), ") "));
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
    qb
}
