//! [`RecordedEvent`]: a stored event decoded for folds.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::bounded::Year;
use super::decode::DecodeError;
use super::domain_event::DomainEvent;
use crate::envelope::{Envelope, Metadata, StoredEvent};

/// A decoded event as folds see it: where it sits in the log and its stream, when it was
/// recorded, by whom, and what it says (in today's payload shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// 1, 2, 3 … gapless across the log.
    pub position: i64,
    pub stream_id: String,
    /// 1-based within the stream; a unit's version is the version of its last event.
    pub stream_version: i64,
    /// RFC 3339 with 6 fractional digits and `Z`, e.g. `2024-05-06T07:08:09.123456Z`.
    pub recorded_at: String,
    pub metadata: Metadata,
    pub event: DomainEvent,
}

impl RecordedEvent {
    /// `events` as a log would hold them, from its start: positions 1, 2, 3 …, each stream's
    /// versions counted from 1, a second apart in `recordedAt` from
    /// 2024-05-06T07:08:00Z, with `metadata` on every event. For fixtures and sample logs.
    pub fn sequence(
        events: impl IntoIterator<Item = DomainEvent>,
        metadata: &Metadata,
    ) -> Vec<RecordedEvent> {
        let mut versions: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        events
            .into_iter()
            .zip(1i64..)
            .map(|(event, position)| {
                let stream_id = event.stream_id();
                let version = versions.entry(stream_id.clone()).or_default();
                *version += 1;
                RecordedEvent {
                    position,
                    stream_id,
                    stream_version: *version,
                    recorded_at: crate::canonical::format_timestamp(
                        chrono::DateTime::<chrono::Utc>::UNIX_EPOCH
                            + chrono::Duration::seconds(1_714_979_280 + position - 1),
                    ),
                    metadata: metadata.clone(),
                    event,
                }
            })
            .collect()
    }

    /// Decodes a stored row from its canonical text (the hashed truth), checking that the
    /// row's columns agree with it.
    pub fn from_stored(stored: &StoredEvent) -> Result<Self, DecodeError> {
        let envelope = stored
            .envelope()
            .map_err(|e| DecodeError::Envelope(e.to_string()))?;
        // Each member of the canonical text must be the row's column of the same name.
        macro_rules! check {
            ($member:literal, $field:ident) => {
                agree(
                    stored.position,
                    concat!("the canonical ", $member),
                    &envelope.$field,
                    &stored.$field,
                )?
            };
        }
        check!("position", position);
        check!("streamVersion", stream_version);
        check!("schemaVersion", schema_version);
        check!("streamId", stream_id);
        check!("type", event_type);
        check!("recordedAt", recorded_at);
        Self::from_envelope(envelope)
    }

    /// Decodes an envelope (e.g. one line of an export), checking that the payload belongs
    /// to the stream it was recorded in.
    pub fn from_envelope(envelope: Envelope) -> Result<Self, DecodeError> {
        let event = DomainEvent::decode(&envelope.event_type, envelope.schema_version, &envelope.payload)?;
        Self::assemble(
            envelope.position,
            envelope.stream_id,
            envelope.stream_version,
            envelope.recorded_at,
            envelope.metadata,
            event,
        )
    }

    /// Decodes the canonical text of an event (what replay reads): the same envelope and the
    /// same checks as [`Envelope`] then [`RecordedEvent::from_envelope`], in one pass over
    /// the text — the payload is deserialized straight into its type, never into a `Value`.
    pub fn from_canonical(text: &str) -> Result<Self, DecodeError> {
        Self::from_canonical_envelope(CanonicalEnvelope::parse(text)?)
    }

    /// Decodes an envelope already read by [`CanonicalEnvelope::parse`] (whose members a
    /// caller may have looked at first, as `verify` does with the row's columns).
    pub fn from_canonical_envelope(envelope: CanonicalEnvelope<'_>) -> Result<Self, DecodeError> {
        let event = DomainEvent::decode_text(
            &envelope.event_type,
            envelope.schema_version,
            envelope.payload.get(),
        )?;
        Self::assemble(
            envelope.position,
            envelope.stream_id.into_owned(),
            envelope.stream_version,
            envelope.recorded_at.into_owned(),
            envelope.metadata,
            event,
        )
    }

    /// The decoded event, once its payload is known to belong to its stream.
    fn assemble(
        position: i64,
        stream_id: String,
        stream_version: i64,
        recorded_at: String,
        metadata: Metadata,
        event: DomainEvent,
    ) -> Result<Self, DecodeError> {
        if !belongs_to(&event, &stream_id) {
            return Err(DecodeError::Inconsistent {
                position,
                what: "the streamId",
                found: stream_id,
                expected: event.stream_id(),
            });
        }
        Ok(Self {
            position,
            stream_id,
            stream_version,
            recorded_at,
            metadata,
            event,
        })
    }
}

/// The canonical envelope as [`RecordedEvent::from_canonical`] reads it: the members of
/// [`Envelope`], its strings borrowed from the text where they hold no escape, and the
/// payload left as a slice of the text until its type is known.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CanonicalEnvelope<'a> {
    pub position: i64,
    pub event_id: Uuid,
    #[serde(borrow)]
    pub stream_id: Cow<'a, str>,
    pub stream_version: i64,
    #[serde(rename = "type", borrow)]
    pub event_type: Cow<'a, str>,
    pub schema_version: i32,
    #[serde(borrow)]
    pub recorded_at: Cow<'a, str>,
    #[serde(borrow)]
    pub payload: &'a RawValue,
    pub metadata: Metadata,
}

impl<'a> CanonicalEnvelope<'a> {
    /// Reads the envelope of a canonical text (its payload is not looked at).
    pub fn parse(text: &'a str) -> Result<Self, DecodeError> {
        serde_json::from_str(text).map_err(|e| DecodeError::Envelope(e.to_string()))
    }
}

/// `Ok` if the canonical text's `found` member is the row's `expected` column, else the
/// `Inconsistent` error naming `what` at `position`.
fn agree<T: PartialEq + ToString>(
    position: i64,
    what: &'static str,
    found: &T,
    expected: &T,
) -> Result<(), DecodeError> {
    if found == expected {
        Ok(())
    } else {
        Err(DecodeError::Inconsistent {
            position,
            what,
            found: found.to_string(),
            expected: expected.to_string(),
        })
    }
}

/// Whether `event` belongs in `stream_id`, without building the expected id.
fn belongs_to(event: &DomainEvent, stream_id: &str) -> bool {
    match event {
        DomainEvent::AnnualQuotaSet(e) => stream_id
            .strip_prefix("quota-")
            .and_then(|y| y.parse::<i64>().ok())
            .and_then(|y| Year::new(y).ok())
            .is_some_and(|y| y == e.year && stream_id.len() == "quota-".len() + 4),
        DomainEvent::AccessGranted(_) | DomainEvent::AccessRevoked(_) => {
            stream_id == super::streams::ACCESS_STREAM
        }
        other => match (other.unit_id(), stream_id.strip_prefix("unit-")) {
            // The id's own form: 36 characters, hyphenated, lower case.
            (Some(id), Some(text)) => text == id.hyphenated().encode_lower(&mut Uuid::encode_buffer()),
            _ => false,
        },
    }
}
