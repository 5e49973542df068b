//! Checks an auditor relies on, shared by `liangye verify` and `liangye import`: each stored
//! event's leaf hash and canonical form, its columns against its canonical text, and the
//! log's continuity (gapless positions and stream versions, `recordedAt` never going back).

use std::collections::HashMap;

use uuid::Uuid;

use crate::canonical::to_jcs;
use crate::catalogue::{CanonicalEnvelope, RecordedEvent};
use crate::envelope::{Envelope, StoredEvent};
use crate::hash::{Hash, leaf_hash, leaf_hash_hex};
use crate::jcs_check::surely_canonical;

/// What is wrong at one position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("position {position}: {problem}")]
pub struct IntegrityError {
    pub position: i64,
    pub problem: String,
}

fn bad(position: i64, problem: impl Into<String>) -> IntegrityError {
    IntegrityError {
        position,
        problem: problem.into(),
    }
}

/// Build the stored row an exported canonical line stands for (its hash computed here).
pub fn row_from_canonical(line: &str) -> Result<StoredEvent, IntegrityError> {
    let envelope: Envelope =
        serde_json::from_str(line).map_err(|e| bad(0, format!("not a canonical event: {e}")))?;
    Ok(StoredEvent {
        position: envelope.position,
        event_id: envelope.event_id,
        stream_id: envelope.stream_id,
        stream_version: envelope.stream_version,
        event_type: envelope.event_type,
        schema_version: envelope.schema_version,
        recorded_at: envelope.recorded_at,
        command_id: envelope.metadata.command_id,
        actor: envelope.metadata.actor,
        role: envelope.metadata.role,
        canonical: line.to_owned(),
        leaf_hash: leaf_hash_hex(line),
    })
}

/// One event on its own: the leaf hash is SHA-256(0x00 ‖ canonical), the canonical text is
/// exactly RFC 8785 of itself, and every column equals the canonical form's member.
pub fn check_event(ev: &StoredEvent) -> Result<(), IntegrityError> {
    let p = ev.position;
    let expected = leaf_hash_hex(&ev.canonical);
    if ev.leaf_hash != expected {
        return Err(bad(
            p,
            format!(
                "leaf hash {} does not match its canonical text ({expected})",
                ev.leaf_hash
            ),
        ));
    }
    check_canonical_form(p, &ev.canonical)?;
    let env: Envelope = serde_json::from_str(&ev.canonical)
        .map_err(|e| bad(p, format!("canonical text is not an envelope: {e}")))?;
    let columns = [
        ("position", env.position.to_string(), ev.position.to_string()),
        ("event_id", env.event_id.to_string(), ev.event_id.to_string()),
        ("stream_id", env.stream_id.clone(), ev.stream_id.clone()),
        (
            "stream_version",
            env.stream_version.to_string(),
            ev.stream_version.to_string(),
        ),
        ("event_type", env.event_type.clone(), ev.event_type.clone()),
        (
            "schema_version",
            env.schema_version.to_string(),
            ev.schema_version.to_string(),
        ),
        ("recorded_at", env.recorded_at.clone(), ev.recorded_at.clone()),
        (
            "command_id",
            format!("{:?}", env.metadata.command_id),
            format!("{:?}", ev.command_id),
        ),
        ("actor", env.metadata.actor.clone(), ev.actor.clone()),
        ("role", env.metadata.role.clone(), ev.role.clone()),
    ];
    for (column, canonical, stored) in columns {
        if canonical != stored {
            return Err(bad(
                p,
                format!("column {column} is {stored:?} but the canonical form says {canonical:?}"),
            ));
        }
    }
    Ok(())
}

/// The text is exactly RFC 8785 of itself: recognised in one pass when it surely is
/// ([`surely_canonical`]), else parsed, serialized again with JCS and compared.
pub fn check_canonical_form(position: i64, text: &str) -> Result<(), IntegrityError> {
    if surely_canonical(text) {
        return Ok(());
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(position, format!("canonical text is not JSON: {e}")))?;
    match to_jcs(&value) {
        Ok(jcs) if jcs == text => Ok(()),
        Ok(_) => Err(bad(position, "canonical text is not in RFC 8785 form")),
        Err(e) => Err(bad(position, e.to_string())),
    }
}

/// One row of `events` as `verify` reads it: every column as the text the database gives
/// (integers in decimal; `None` for SQL NULL), borrowed from a page of rows.
#[derive(Debug, Clone, Copy)]
pub struct RowText<'a> {
    pub position: Option<&'a str>,
    pub event_id: Option<&'a str>,
    pub stream_id: Option<&'a str>,
    pub stream_version: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub schema_version: Option<&'a str>,
    pub recorded_at: Option<&'a str>,
    pub command_id: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub role: Option<&'a str>,
    pub canonical: Option<&'a str>,
    pub leaf_hash: Option<&'a str>,
}

/// A row that passed [`check_row`]'s checks of the row alone.
#[derive(Debug)]
pub struct CheckedRow {
    /// The recomputed leaf hash (equal to the stored one).
    pub leaf: Hash,
    /// The event decoded from its canonical text, or why it cannot be: an event that is
    /// hashed, canonical and consistent with its columns but not decodable is reported
    /// after the log's continuity up to it (as `verify` always has).
    pub event: Result<RecordedEvent, IntegrityError>,
}

/// A row's own checks, without building or re-serializing a JSON value where the text is
/// surely canonical: the leaf hash is SHA-256(0x00 ‖ canonical), the text is exactly RFC 8785
/// of itself (proven by the same reading that decodes the envelope, where it can be), every
/// column equals the canonical form's member; then the event is decoded from that reading.
/// `expected` is the position the row should have (named when its own position column
/// cannot be read).
pub fn check_row(row: &RowText<'_>, expected: i64) -> Result<CheckedRow, IntegrityError> {
    let p = row
        .position
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(expected);
    let canonical = row.canonical.ok_or_else(|| bad(p, "column canonical is NULL"))?;
    let leaf = leaf_hash(canonical.as_bytes());
    let mut hex_buf = [0u8; 64];
    let computed = hex::encode_to_slice(leaf, &mut hex_buf)
        .ok()
        .and_then(|()| std::str::from_utf8(&hex_buf).ok())
        .unwrap_or_default();
    if row.leaf_hash != Some(computed) {
        return Err(bad(
            p,
            format!(
                "leaf hash {} does not match its canonical text ({computed})",
                row.leaf_hash.unwrap_or("NULL")
            ),
        ));
    }
    // Read first: a text the quick reader read in one pass is proven canonical by that
    // reading; any other is checked before its reading's result is looked at, so a text
    // that is neither canonical nor an envelope is reported for its form, as always.
    let parsed = CanonicalEnvelope::parse_proving_form(canonical);
    if !parsed.as_ref().is_ok_and(CanonicalEnvelope::surely_canonical) {
        check_canonical_form(p, canonical)?;
    }
    let env = parsed.map_err(|e| bad(p, format!("canonical text is not an envelope: {e}")))?;
    let int = |t: Option<&str>| t.and_then(|t| t.parse::<i64>().ok());
    let uuid = |t: Option<&str>| t.and_then(|t| Uuid::try_parse(t).ok());
    let same = [
        ("position", int(row.position) == Some(env.position)),
        ("event_id", uuid(row.event_id) == Some(env.event_id)),
        ("stream_id", row.stream_id == Some(&*env.stream_id)),
        (
            "stream_version",
            int(row.stream_version) == Some(env.stream_version),
        ),
        ("event_type", row.event_type == Some(&*env.event_type)),
        (
            "schema_version",
            int(row.schema_version) == Some(i64::from(env.schema_version)),
        ),
        ("recorded_at", row.recorded_at == Some(&*env.recorded_at)),
        (
            "command_id",
            match row.command_id {
                None => env.metadata.command_id.is_none(),
                text => uuid(text).is_some() && uuid(text) == env.metadata.command_id,
            },
        ),
        ("actor", row.actor == Some(env.metadata.actor.as_str())),
        ("role", row.role == Some(env.metadata.role.as_str())),
    ];
    if let Some((column, _)) = same.iter().find(|(_, same)| !same) {
        let (stored, canonical) = match *column {
            "position" => (row.position, env.position.to_string()),
            "event_id" => (row.event_id, env.event_id.to_string()),
            "stream_id" => (row.stream_id, env.stream_id.to_string()),
            "stream_version" => (row.stream_version, env.stream_version.to_string()),
            "event_type" => (row.event_type, env.event_type.to_string()),
            "schema_version" => (row.schema_version, env.schema_version.to_string()),
            "recorded_at" => (row.recorded_at, env.recorded_at.to_string()),
            "command_id" => (
                row.command_id,
                env.metadata.command_id.map(|c| c.to_string()).unwrap_or_default(),
            ),
            "actor" => (row.actor, env.metadata.actor.clone()),
            _ => (row.role, env.metadata.role.clone()),
        };
        return Err(bad(
            p,
            format!(
                "column {column} is {} but the canonical form says {canonical:?}",
                stored.map_or("NULL".to_owned(), |s| format!("{s:?}"))
            ),
        ));
    }
    let event = RecordedEvent::from_canonical_envelope(env).map_err(|e| bad(p, e.to_string()));
    Ok(CheckedRow { leaf, event })
}

/// Follows the log in order and checks its continuity.
#[derive(Debug, Default)]
pub struct ContinuityCheck {
    position: i64,
    recorded_at: String,
    /// Each stream's last version, looked up for every event of the log: with foldhash's
    /// per-process seeded hasher rather than SipHash, which was about a fifth of this check's
    /// time in a `perf` profile of `verify` (BENCHMARKS.md, "Ninth run on SQLite").
    versions: HashMap<String, i64, foldhash::fast::RandomState>,
}

impl ContinuityCheck {
    /// A check for a log starting at position 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next event must follow the previous one.
    pub fn next(&mut self, ev: &StoredEvent) -> Result<(), IntegrityError> {
        self.next_event(ev.position, &ev.stream_id, ev.stream_version, &ev.recorded_at)
    }

    /// [`ContinuityCheck::next`] of an event given by its members.
    pub fn next_event(
        &mut self,
        position: i64,
        stream_id: &str,
        stream_version: i64,
        recorded_at: &str,
    ) -> Result<(), IntegrityError> {
        if position != self.position + 1 {
            return Err(bad(
                self.position + 1,
                format!("expected position {} but found {}", self.position + 1, position),
            ));
        }
        // Looked up by reference: a stream's id is copied once, at its first event.
        let version = match self.versions.get_mut(stream_id) {
            Some(v) => v,
            None => self.versions.entry(stream_id.to_owned()).or_insert(0),
        };
        if stream_version != *version + 1 {
            return Err(bad(
                position,
                format!("stream {stream_id} jumps from version {version} to {stream_version}"),
            ));
        }
        if recorded_at < self.recorded_at.as_str() {
            return Err(bad(
                position,
                format!("recordedAt {recorded_at} goes back before {}", self.recorded_at),
            ));
        }
        *version += 1;
        self.position = position;
        self.recorded_at.clear();
        self.recorded_at.push_str(recorded_at);
        Ok(())
    }

    /// The last position checked.
    pub fn position(&self) -> i64 {
        self.position
    }
}
