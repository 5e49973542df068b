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
//! - `PilotListed` schema version 1, the first release's: no `sectors` and no `countyCode`.
//!   Read as `sectors: ["OTHER"]` and the county known from the identifiers (see
//!   [`county_from_identifiers`]), else none, until a `UnitAmended` says otherwise.
//! - `ReviewRecorded` schema version 1: no `reason` (a FAILED stage needs one from version
//!   2); read unchanged, without a reason.
//! - `AnnualQuotaSet` schema version 1: no `guidelineRef`; read unchanged, without one.
//! - `Delisted` schema version 1: no `ground`; read as `OTHER` (the first release did not
//!   check that a referenced evaluation was graded FAIL, so none is claimed).

use serde_json::Value;

use super::decode::DecodeError;
use super::division::DivisionCode;
use super::domain_event::EventType;
use super::enums::UnitKind;

/// Turns a payload of one schema version into the next version's shape, or says what is
/// wrong with it.
type Upcaster = fn(Value) -> Result<Value, String>;

/// The step from `version` to `version + 1` of `kind`'s payload, if there is one.
fn step(kind: EventType, version: i32) -> Option<Upcaster> {
    match (kind, version) {
        (EventType::PilotListed, 0) => Some(pilot_listed_v0_to_v1),
        (EventType::PilotListed, 1) => Some(pilot_listed_v1_to_v2),
        (EventType::ReviewRecorded | EventType::AnnualQuotaSet, 1) => Some(unchanged),
        (EventType::Delisted, 1) => Some(delisted_v1_to_v2),
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

/// The county-level division a unit lies in, as far as its identifiers tell: a COUNTY's own
/// code, the county an INDUSTRIAL_ZONE lies in, or the county an ENTERPRISE is registered in
/// (its optional division code); none for a DEVELOPMENT_ZONE.
pub fn county_from_identifiers(kind: UnitKind, division_code: Option<DivisionCode>) -> Option<DivisionCode> {
    match kind {
        UnitKind::County | UnitKind::IndustrialZone | UnitKind::Enterprise => division_code,
        UnitKind::DevelopmentZone => None,
    }
}

/// A step that only adds optional fields: the payload reads unchanged.
fn unchanged(payload: Value) -> Result<Value, String> {
    Ok(payload)
}

/// `PilotListed` 1 → 2: `sectors` added as `["OTHER"]`; `countyCode` from the identifiers.
fn pilot_listed_v1_to_v2(mut payload: Value) -> Result<Value, String> {
    let object = payload
        .as_object_mut()
        .ok_or_else(|| "the payload is not a JSON object".to_owned())?;
    let kind: UnitKind = match object.get("kind") {
        Some(kind) => serde_json::from_value(kind.clone()).map_err(|e| format!("kind: {e}"))?,
        None => return Err("missing field `kind`".to_owned()),
    };
    let division: Option<DivisionCode> = match object.get("divisionCode") {
        None | Some(Value::Null) => None,
        Some(code) => Some(serde_json::from_value(code.clone()).map_err(|e| format!("divisionCode: {e}"))?),
    };
    object
        .entry("sectors")
        .or_insert_with(|| Value::Array(vec![Value::String("OTHER".to_owned())]));
    if let Some(county) = county_from_identifiers(kind, division) {
        object
            .entry("countyCode")
            .or_insert_with(|| serde_json::to_value(county).unwrap_or(Value::Null));
    }
    Ok(payload)
}

/// `Delisted` 1 → 2: `ground` added as `OTHER`.
fn delisted_v1_to_v2(mut payload: Value) -> Result<Value, String> {
    let object = payload
        .as_object_mut()
        .ok_or_else(|| "the payload is not a JSON object".to_owned())?;
    object
        .entry("ground")
        .or_insert_with(|| Value::String("OTHER".to_owned()));
    Ok(payload)
}
