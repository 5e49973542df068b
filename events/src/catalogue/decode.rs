//! Decoding a stored payload into a [`DomainEvent`]: the one entry point, which sends
//! payloads of older schema versions through the upcasters first.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::domain_event::{DomainEvent, EventType};
use super::upcast;

/// A stored event that cannot be read as a [`DomainEvent`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown event type {0:?}")]
    UnknownType(String),
    #[error(
        "{event_type} schema version {schema_version} cannot be read by this build, which \
         reads versions {oldest} to {current}"
    )]
    UnsupportedSchemaVersion {
        event_type: &'static str,
        schema_version: i32,
        oldest: i32,
        current: i32,
    },
    #[error("malformed {event_type} payload (schema version {schema_version}): {message}")]
    Payload {
        event_type: &'static str,
        schema_version: i32,
        message: String,
    },
    #[error("the stored canonical form cannot be read: {0}")]
    Envelope(String),
    #[error(
        "event at position {position} is inconsistent: {what} is {found:?} where {expected:?} \
         was expected"
    )]
    Inconsistent {
        position: i64,
        what: &'static str,
        found: String,
        expected: String,
    },
}

impl DomainEvent {
    /// Decodes a stored payload of `event_type` written with `schema_version`.
    ///
    /// A payload of today's version is deserialized directly (without copying it); an older
    /// one is first brought to today's shape by the upcasters of `catalogue::upcast`, the one
    /// place where old shapes are known. Versions newer than this build knows are refused.
    pub fn decode(
        event_type: &str,
        schema_version: i32,
        payload: &Value,
    ) -> Result<DomainEvent, DecodeError> {
        decode_value(event_kind(event_type)?, schema_version, payload)
    }

    /// [`DomainEvent::decode`] of a payload still in its JSON text (e.g. borrowed from a
    /// canonical envelope): today's versions are deserialized straight from the text, without
    /// building a [`Value`] first; older ones are parsed and handed to `decode`.
    pub fn decode_text(
        event_type: &str,
        schema_version: i32,
        payload: &str,
    ) -> Result<DomainEvent, DecodeError> {
        let kind = event_kind(event_type)?;
        if schema_version != kind.schema_version() {
            let value: Value = serde_json::from_str(payload).map_err(malformed(kind, schema_version))?;
            return decode_value(kind, schema_version, &value);
        }
        let mut text = serde_json::Deserializer::from_str(payload);
        let malformed = malformed(kind, schema_version);
        let event = decode_current(kind, &mut text).map_err(&malformed)?;
        text.end().map_err(malformed)?;
        Ok(event)
    }
}

/// [`DomainEvent::decode`] once the event type is known.
fn decode_value(kind: EventType, schema_version: i32, payload: &Value) -> Result<DomainEvent, DecodeError> {
    let malformed = malformed(kind, schema_version);
    if schema_version == kind.schema_version() {
        decode_current(kind, payload).map_err(malformed)
    } else {
        let upcast = upcast::to_current(kind, schema_version, payload)?;
        decode_current(kind, &upcast).map_err(malformed)
    }
}

/// The event type called `event_type`, or `UnknownType`.
fn event_kind(event_type: &str) -> Result<EventType, DecodeError> {
    EventType::parse(event_type).map_err(|_| DecodeError::UnknownType(event_type.to_owned()))
}

/// How a payload of `kind` and `schema_version` that does not deserialize is reported.
fn malformed(kind: EventType, schema_version: i32) -> impl Fn(serde_json::Error) -> DecodeError {
    move |error| DecodeError::Payload {
        event_type: kind.as_str(),
        schema_version,
        message: error.to_string(),
    }
}

/// `$body` with `$payload` naming today's payload type of the event type `$kind`.
macro_rules! with_payload_type {
    ($kind:expr, $payload:ident => $body:expr) => {
        with_payload_type!(@ $kind, $payload, $body; PilotListed PilotRevoked Recommended
            ReviewRecorded Awarded AnnualQuotaSet EvaluationRecorded Commended Delisted
            AccessGranted AccessRevoked DecisionRetracted UnitAmended RecommendationWithdrawn
            NotSelected IndicatorsReported SubsidyGranted)
    };
    (@ $kind:expr, $payload:ident, $body:expr; $($variant:ident)*) => {
        match $kind {
            $(EventType::$variant => {
                type $payload = $crate::catalogue::payloads::$variant;
                $body
            })*
        }
    };
}
pub(super) use with_payload_type;

/// Deserializes a payload of today's schema version (from a [`Value`] or from text).
fn decode_current<'de, D: Deserializer<'de>>(kind: EventType, payload: D) -> Result<DomainEvent, D::Error> {
    Ok(with_payload_type!(kind, P => P::deserialize(payload)?.into()))
}
