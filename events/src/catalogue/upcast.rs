//! Upcasters: how a payload written with an older schema version becomes today's shape.
//!
//! Stored bytes never change. When a payload's shape changes, its type's schema version in
//! [`EventType::schema_version`] goes up by one, and a step from the previous version is
//! added to [`step`]; reading then walks the steps from the stored version to today's, each
//! a function from one JSON shape to the next. Nothing else in the code base knows old shapes.
//!
//! Known old versions:
//! - `PilotListed` schema version 0, the pre-release shape written by the prototype registry
//!   (its exports may be imported): `industries` was one string of industries separated by
//!   commas (`,` `，`) or enumeration commas (`、`), and there was no
//!   `creditCodeCheckOverridden` (the prototype had no override, so every code it stored
//!   passed the check).

use serde_json::Value;

use super::decode::DecodeError;
use super::domain_event::EventType;

/// Turns a payload of one schema version into the next version's shape, or says what is
/// wrong with it.
type Upcaster = fn(Value) -> Result<Value, String>;

/// The step from `version` to `version + 1` of `kind`'s payload, if there is one.
fn step(kind: EventType, version: i32) -> Option<Upcaster> {
    match (kind, version) {
        (EventType::PilotListed, 0) => Some(pilot_listed_v0_to_v1),
        _ => None,
    }
}

/// The oldest schema version of `kind` this build can read.
pub fn oldest_schema_version(kind: EventType) -> i32 {
    let mut version = kind.schema_version();
    while version > i32::MIN && step(kind, version - 1).is_some() {
        version -= 1;
    }
    version
}

/// Brings `payload`, written with `version` of `kind`, to today's shape.
pub(super) fn to_current(kind: EventType, version: i32, payload: &Value) -> Result<Value, DecodeError> {
    let current = kind.schema_version();
    let unsupported = || DecodeError::UnsupportedSchemaVersion {
        event_type: kind.as_str(),
        schema_version: version,
        oldest: oldest_schema_version(kind),
        current,
    };
    if version > current {
        return Err(unsupported());
    }
    let mut value = payload.clone();
    let mut at = version;
    while at < current {
        let upcast = step(kind, at).ok_or_else(unsupported)?;
        value = upcast(value).map_err(|message| DecodeError::Payload {
            event_type: kind.as_str(),
            schema_version: version,
            message,
        })?;
        at += 1;
    }
    Ok(value)
}

/// `PilotListed` 0 → 1: `industries` from one separated string to a list;
/// `creditCodeCheckOverridden` added as `false`.
fn pilot_listed_v0_to_v1(mut payload: Value) -> Result<Value, String> {
    let object = payload
        .as_object_mut()
        .ok_or_else(|| "the payload is not a JSON object".to_owned())?;
    let industries: Vec<Value> = match object.remove("industries") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(text)) => text
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect(),
        Some(other) => {
            return Err(format!(
                "industries must be a separated string in schema version 0, found {other}"
            ));
        }
    };
    object.insert("industries".to_owned(), Value::Array(industries));
    object
        .entry("creditCodeCheckOverridden")
        .or_insert(Value::Bool(false));
    Ok(payload)
}
