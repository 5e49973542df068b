//! Turning a [`NewEvent`] into a stored row in two steps:
//! - [`prepare`] validates the event and canonicalizes its payload and metadata (RFC 8785):
//!   the part that costs, which needs nothing but the event;
//! - [`PreparedEvent::seal`] places the members known only once the event has its place in
//!   the log (position, stream version, `recordedAt`) and the other fixed members around them
//!   in JCS order, and computes the leaf hash.
//!
//! The engine's writer prepares a command's events inside its write transaction, right after
//! deciding them (they exist only once decided against the caught-up state), and seals them
//! as it stages them; [`super::WriteTx::append`] does both in one go.
//!
//! The envelope's members are known, so their JCS order is fixed: `eventId`, `metadata`,
//! `payload`, `position`, `recordedAt`, `schemaVersion`, `streamId`, `streamVersion`, `type`
//! (RFC 8785 §3.2.3 sorts by UTF-16 code units; these are ASCII). A test checks the result
//! equals JCS of the whole envelope, byte for byte.

use uuid::Uuid;

use super::{MAX_STREAM_ID_BYTES, StoreError};
use liangye_events::canonical::{check_integers, push_jcs_string, value_to_jcs};
use liangye_events::envelope::{Metadata, NewEvent, StoredEvent};
use liangye_events::hash::leaf_hash_hex;

/// A validated event whose payload and metadata are already in canonical form.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedEvent {
    pub event_id: Uuid,
    pub stream_id: String,
    pub event_type: String,
    pub schema_version: i32,
    pub metadata: Metadata,
    payload_jcs: String,
    metadata_jcs: String,
}

/// Validate an event and canonicalize its payload and metadata.
pub fn prepare(ev: NewEvent) -> Result<PreparedEvent, StoreError> {
    validate_new_event(&ev)?;
    let canonical_err = |source| StoreError::Canonical {
        event_type: ev.event_type.clone(),
        source,
    };
    let payload_jcs = value_to_jcs(&ev.payload).map_err(canonical_err)?;
    let metadata = serde_json::to_value(&ev.metadata).map_err(|e| {
        canonical_err(liangye_events::canonical::CanonicalError::Serialize(
            e.to_string(),
        ))
    })?;
    let metadata_jcs = value_to_jcs(&metadata).map_err(canonical_err)?;
    Ok(PreparedEvent {
        event_id: ev.event_id,
        stream_id: ev.stream_id,
        event_type: ev.event_type,
        schema_version: ev.schema_version,
        metadata: ev.metadata,
        payload_jcs,
        metadata_jcs,
    })
}

impl PreparedEvent {
    /// The canonical text and leaf hash of this event at its place in the log.
    pub fn seal(self, position: i64, stream_version: i64, recorded_at: &str) -> StoredEvent {
        let mut c = String::with_capacity(self.payload_jcs.len() + self.metadata_jcs.len() + 256);
        c.push_str("{\"eventId\":\"");
        c.push_str(&self.event_id.hyphenated().to_string());
        c.push_str("\",\"metadata\":");
        c.push_str(&self.metadata_jcs);
        c.push_str(",\"payload\":");
        c.push_str(&self.payload_jcs);
        c.push_str(",\"position\":");
        c.push_str(&position.to_string());
        c.push_str(",\"recordedAt\":");
        push_json_string(&mut c, recorded_at);
        c.push_str(",\"schemaVersion\":");
        c.push_str(&self.schema_version.to_string());
        c.push_str(",\"streamId\":");
        push_json_string(&mut c, &self.stream_id);
        c.push_str(",\"streamVersion\":");
        c.push_str(&stream_version.to_string());
        c.push_str(",\"type\":");
        push_json_string(&mut c, &self.event_type);
        c.push('}');
        StoredEvent {
            position,
            leaf_hash: leaf_hash_hex(&c),
            canonical: c,
            event_id: self.event_id,
            stream_id: self.stream_id,
            stream_version,
            event_type: self.event_type,
            schema_version: self.schema_version,
            recorded_at: recorded_at.to_owned(),
            command_id: self.metadata.command_id,
            actor: self.metadata.actor,
            role: self.metadata.role,
        }
    }
}

/// A JSON string as RFC 8785 writes it.
fn push_json_string(out: &mut String, s: &str) {
    push_jcs_string(out, s);
}

pub fn validate_stream_id(id: &str) -> Result<(), StoreError> {
    let reason = if id.is_empty() {
        Some("it is empty")
    } else if id.len() > MAX_STREAM_ID_BYTES {
        Some("it is longer than 200 bytes")
    } else if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("it contains whitespace or control characters")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(StoreError::InvalidStreamId {
            id: id.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

pub(super) fn validate_new_event(ev: &NewEvent) -> Result<(), StoreError> {
    validate_stream_id(&ev.stream_id)?;
    if ev.event_type.is_empty() || ev.event_type.len() > 100 {
        return Err(StoreError::InvalidEvent(format!(
            "event type {:?} must be 1–100 characters",
            ev.event_type
        )));
    }
    if ev.schema_version < 0 {
        return Err(StoreError::InvalidEvent(format!(
            "schema version {} of {} is negative",
            ev.schema_version, ev.event_type
        )));
    }
    if ev.metadata.actor.is_empty() || ev.metadata.role.is_empty() {
        return Err(StoreError::InvalidEvent(format!(
            "{} has no actor or role in its metadata",
            ev.event_type
        )));
    }
    check_integers(&ev.payload).map_err(|source| StoreError::Canonical {
        event_type: ev.event_type.clone(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use liangye_events::canonical::to_jcs;
    use liangye_events::envelope::Envelope;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-(1i64 << 53) + 1..(1i64 << 53)).prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Sealing places the members exactly where JCS of the whole envelope puts them.
        #[test]
        fn sealed_text_is_jcs_of_the_envelope(
            payload in arb_json(),
            stream in "[a-z0-9-]{1,40}|\\PC{1,20}",
            actor in "\\PC{1,20}",
            position in 1i64..(1 << 53),
            version in 1i64..(1 << 40),
        ) {
            let payload = json!({ "p": payload });
            let ev = NewEvent {
                event_id: Uuid::now_v7(),
                stream_id: stream.clone(),
                event_type: "Awarded".into(),
                schema_version: 1,
                payload: payload.clone(),
                metadata: Metadata { actor: actor.clone(), role: "PROVINCIAL".into(), command_id: Some(Uuid::now_v7()), ..Default::default() },
            };
            let Ok(prepared) = prepare(ev.clone()) else { return Ok(()); };
            let stored = prepared.seal(position, version, "2024-05-06T07:08:09.123456Z");
            let envelope = Envelope {
                position,
                event_id: ev.event_id,
                stream_id: stream,
                stream_version: version,
                event_type: "Awarded".into(),
                schema_version: 1,
                recorded_at: "2024-05-06T07:08:09.123456Z".into(),
                payload,
                metadata: ev.metadata,
            };
            prop_assert_eq!(&stored.canonical, &to_jcs(&envelope).unwrap());
            prop_assert_eq!(stored.envelope().unwrap(), envelope);
        }
    }
}
