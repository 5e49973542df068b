//! Finding the unit a command is about and checking that the caller's view of it is current
//! and that its lifecycle allows the command.

use liangye_events::catalogue::{Status, unit_stream};
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;
use uuid::Uuid;

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
