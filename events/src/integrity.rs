//! Checks an auditor relies on, shared by `liangye verify` and `liangye import`: each stored
//! event's leaf hash and canonical form, its columns against its canonical text, and the
//! log's continuity (gapless positions and stream versions, `recordedAt` never going back).

use std::collections::HashMap;

use crate::canonical::to_jcs;
use crate::envelope::{Envelope, StoredEvent};
use crate::hash::leaf_hash_hex;

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
    let value: serde_json::Value = serde_json::from_str(&ev.canonical)
        .map_err(|e| bad(p, format!("canonical text is not JSON: {e}")))?;
    match to_jcs(&value) {
        Ok(text) if text == ev.canonical => {}
        Ok(_) => return Err(bad(p, "canonical text is not in RFC 8785 form")),
        Err(e) => return Err(bad(p, e.to_string())),
    }
    let env: Envelope = serde_json::from_value(value)
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

/// Follows the log in order and checks its continuity.
#[derive(Debug, Default)]
pub struct ContinuityCheck {
    position: i64,
    recorded_at: String,
    versions: HashMap<String, i64>,
}

impl ContinuityCheck {
    /// A check for a log starting at position 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next event must follow the previous one.
    pub fn next(&mut self, ev: &StoredEvent) -> Result<(), IntegrityError> {
        if ev.position != self.position + 1 {
            return Err(bad(
                self.position + 1,
                format!(
                    "expected position {} but found {}",
                    self.position + 1,
                    ev.position
                ),
            ));
        }
        let version = self.versions.entry(ev.stream_id.clone()).or_insert(0);
        if ev.stream_version != *version + 1 {
            return Err(bad(
                ev.position,
                format!(
                    "stream {} jumps from version {} to {}",
                    ev.stream_id, version, ev.stream_version
                ),
            ));
        }
        if ev.recorded_at < self.recorded_at {
            return Err(bad(
                ev.position,
                format!(
                    "recordedAt {} goes back before {}",
                    ev.recorded_at, self.recorded_at
                ),
            ));
        }
        *version += 1;
        self.position = ev.position;
        self.recorded_at.clone_from(&ev.recorded_at);
        Ok(())
    }

    /// The last position checked.
    pub fn position(&self) -> i64 {
        self.position
    }
}
