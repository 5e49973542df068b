//! Row decoding shared by both backends (the columns are the same on both).

use sqlx::{ColumnIndex, Decode, Row, Type};
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
