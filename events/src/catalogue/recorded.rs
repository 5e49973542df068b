//! [`RecordedEvent`]: a stored event decoded for folds.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::bounded::Year;
use super::decode::DecodeError;
use super::decode::with_payload_type;
use super::domain_event::{DomainEvent, EventType};
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
        let event = match envelope.payload {
            Payload::Decoded(event) => event,
            Payload::Text(text) => {
                DomainEvent::decode_text(&envelope.event_type, envelope.schema_version, text.get())?
            }
        };
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
/// payload either already decoded (in the same pass over the text) or left as a slice of the
/// text until its type is known.
#[derive(Debug)]
pub struct CanonicalEnvelope<'a> {
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: Cow<'a, str>,
    pub stream_version: i64,
    pub event_type: Cow<'a, str>,
    pub schema_version: i32,
    pub recorded_at: Cow<'a, str>,
    pub metadata: Metadata,
    payload: Payload<'a>,
    /// The reading proved the text is in RFC 8785 form.
    surely_canonical: bool,
}

#[derive(Debug)]
enum Payload<'a> {
    /// Read in the same pass as the envelope, in the type its `type` names.
    Decoded(DomainEvent),
    /// Not read yet (an older schema version, or a text the one pass could not read).
    Text(&'a RawValue),
}

/// The envelope's members in the canonical text, with the payload read as `P`.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct Members<'a, P> {
    position: i64,
    event_id: Uuid,
    #[serde(borrow)]
    stream_id: Cow<'a, str>,
    stream_version: i64,
    #[serde(rename = "type", borrow)]
    event_type: Cow<'a, str>,
    schema_version: i32,
    #[serde(borrow)]
    recorded_at: Cow<'a, str>,
    payload: P,
    metadata: Metadata,
}

impl<'a, P> Members<'a, P> {
    fn envelope(
        self,
        payload: impl FnOnce(P) -> Payload<'a>,
        surely_canonical: bool,
    ) -> CanonicalEnvelope<'a> {
        CanonicalEnvelope {
            position: self.position,
            event_id: self.event_id,
            stream_id: self.stream_id,
            stream_version: self.stream_version,
            event_type: self.event_type,
            schema_version: self.schema_version,
            recorded_at: self.recorded_at,
            metadata: self.metadata,
            payload: payload(self.payload),
            surely_canonical,
        }
    }
}

impl<'a> CanonicalEnvelope<'a> {
    /// Reads the envelope of a canonical text, and its payload with it when it can.
    ///
    /// The canonical members are in RFC 8785 order, so `type` and `schemaVersion` come after
    /// the payload. `type` is the last member, so it is read off the end of the text first;
    /// when it names a type, the payload is read as today's shape of that type in the same
    /// pass. That reading is kept only when the envelope then says that type and today's
    /// schema version; otherwise (an older version, an unknown type, any error) the text is
    /// read again the general way, payload left as text, so results and errors are exactly
    /// those of reading the envelope first and the payload after it.
    pub fn parse(text: &'a str) -> Result<Self, DecodeError> {
        Self::read(text, false)
    }

    /// [`CanonicalEnvelope::parse`], noting on the way whether the reading proves the text
    /// is in RFC 8785 form ([`CanonicalEnvelope::surely_canonical`]), as `verify` asks. The
    /// proof costs a comparison of each key with the one before it.
    pub fn parse_proving_form(text: &'a str) -> Result<Self, DecodeError> {
        Self::read(text, true)
    }

    fn read(text: &'a str, prove_form: bool) -> Result<Self, DecodeError> {
        if let Some(envelope) = type_at_end(text).and_then(|kind| in_one_pass(kind, text, prove_form)) {
            return Ok(envelope);
        }
        let members: Members<'a, &'a RawValue> =
            serde_json::from_str(text).map_err(|e| DecodeError::Envelope(e.to_string()))?;
        Ok(members.envelope(Payload::Text, false))
    }

    /// Whether reading the text proved it is in RFC 8785 form (the quick reader's proof:
    /// keys in order, plain strings, short integers, no whitespace), when the reading was
    /// asked to ([`CanonicalEnvelope::parse_proving_form`]). `false` only says "not
    /// proven": [`crate::integrity::check_canonical_form`] decides.
    pub fn surely_canonical(&self) -> bool {
        self.surely_canonical
    }

    /// Whether the payload was read in the same pass as the envelope.
    #[cfg(test)]
    pub(crate) fn read_in_one_pass(&self) -> bool {
        matches!(self.payload, Payload::Decoded(_))
    }
}

/// The event type a canonical text names in its last member, `"type":"…"}`, if it is one.
fn type_at_end(text: &str) -> Option<EventType> {
    let body = text.strip_suffix("\"}")?;
    let (before, name) = body.split_at(body.rfind('"')? + 1);
    before
        .ends_with(",\"type\":\"")
        .then(|| EventType::parse(name).ok())?
}

/// The envelope with its payload read as today's shape of `kind`, when the text reads that
/// way and says `kind` and today's schema version. The quick reader reads it when it can (a
/// text without escapes: nearly every event); `serde_json` otherwise.
fn in_one_pass(kind: EventType, text: &str, prove_form: bool) -> Option<CanonicalEnvelope<'_>> {
    fn read_as<'a, P>(kind: EventType, text: &'a str, prove_form: bool) -> Option<CanonicalEnvelope<'a>>
    where
        P: Deserialize<'a> + Into<DomainEvent>,
    {
        let mut canonical = false;
        let quick = match prove_form {
            true => super::quick_read::from_str_checking_form(text, &mut canonical),
            false => super::quick_read::from_str(text),
        };
        let members: Members<'a, P> = match quick {
            Some(members) => members,
            None => {
                canonical = false;
                serde_json::from_str(text).ok()?
            }
        };
        if members.event_type != kind.as_str() || members.schema_version != kind.schema_version() {
            return None;
        }
        Some(members.envelope(|payload| Payload::Decoded(payload.into()), canonical))
    }
    with_payload_type!(kind, P => read_as::<P>(kind, text, prove_form))
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
