//! Finding the unit a command is about and checking that the caller's view of it is current
//! and that its lifecycle allows the command.

use liangye_events::catalogue::{Status, Year, unit_stream};
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;
use uuid::Uuid;

use super::command::AboutUnit;
use super::error::DomainError;

/// The unit with this id, or `NOT_FOUND`.
pub(super) fn unit(state: &DecisionState, id: Uuid) -> Result<&Unit, DomainError> {
    state.unit(id).ok_or_else(|| {
        DomainError::NotFound(format!(
            "no unit has id {id}; list it with listPilot first, or check designationId"
        ))
    })
}

/// `CONFLICT` unless `expected` is absent or equals `actual`.
pub(super) fn check_version(
    stream_id: impl FnOnce() -> String,
    expected: Option<i64>,
    actual: i64,
) -> Result<(), DomainError> {
    match expected {
        Some(expected) if expected != actual => Err(DomainError::Conflict {
            stream_id: stream_id(),
            expected,
            actual,
        }),
        _ => Ok(()),
    }
}

/// `CONFLICT` unless `expected` is absent or equals the unit's version.
pub(super) fn check_unit_version(unit: &Unit, expected: Option<i64>) -> Result<(), DomainError> {
    check_version(|| unit_stream(unit.id), expected, unit.version)
}

/// The unit `command` is about, if the caller's view of it is current: `NOT_FOUND`, then
/// `CONFLICT`, otherwise.
pub(super) fn current<'s>(
    state: &'s DecisionState,
    command: &impl AboutUnit,
) -> Result<&'s Unit, DomainError> {
    let unit = unit(state, command.designation_id())?;
    check_unit_version(unit, command.expected_version())?;
    Ok(unit)
}

/// [`current`], and then `INVALID_TRANSITION` unless the unit is in `status`.
pub(super) fn current_in<'s>(
    state: &'s DecisionState,
    command: &impl AboutUnit,
    status: Status,
    action: &str,
) -> Result<&'s Unit, DomainError> {
    let unit = current(state, command)?;
    require_status(unit, status, action)?;
    Ok(unit)
}

/// `INVALID_TRANSITION` unless the unit is `RECOMMENDED` for `year`; `rule` ends the message
/// when its attempt is of another year (e.g. `"; reviews belong to …"`).
pub(super) fn recommended_for(unit: &Unit, year: Year, action: &str, rule: &str) -> Result<(), DomainError> {
    require_status(unit, Status::Recommended, action)?;
    if unit.current_attempt != Some(year) {
        let attempt = unit
            .current_attempt
            .map_or_else(|| "no year".to_owned(), |y| y.to_string());
        return Err(DomainError::InvalidTransition(format!(
            "{} is recommended for {attempt}, not {year}{rule}",
            describe(unit)
        )));
    }
    Ok(())
}

/// How a unit is named in messages.
pub(super) fn describe(unit: &Unit) -> String {
    format!("{} [{}]", unit.name, unit.id)
}

/// `INVALID_TRANSITION` unless the unit is in `status`.
pub(super) fn require_status(unit: &Unit, status: Status, action: &str) -> Result<(), DomainError> {
    if unit.status == status {
        Ok(())
    } else {
        Err(DomainError::InvalidTransition(format!(
            "{} is {} ({}); {action} applies only to a unit that is {} ({})",
            describe(unit),
            unit.status.label_zh(),
            unit.status,
            status.label_zh(),
            status
        )))
    }
}
