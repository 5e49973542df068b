//! Closures of a year's attempt without a decision on its merits (DESIGN.md §1,
//! Corrections and closures): 撤回推荐 and 未入选. Either puts the unit back to PILOT.

use liangye_events::catalogue::{DomainEvent, NotSelected, RecommendationWithdrawn, Status, Year};
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;

use super::command::{CloseSelection, WithdrawRecommendation};
use super::error::DomainError;
use super::limits::PARAGRAPH_MAX;
use super::permissions;
use super::principal::Principal;
use super::target::{self, describe};
use super::text;

/// Withdraws the recommendation of the attempt in progress (its city or the province).
pub(super) fn withdraw(
    state: &DecisionState,
    command: &WithdrawRecommendation,
    principal: &Principal,
) -> Result<DomainEvent, DomainError> {
    let reason = text::paragraph("reason", &command.reason, PARAGRAPH_MAX)?;
    let decision = text::decision(&command.decision)?;
    let unit = target::unit(state, command.designation_id)?;
    permissions::city_scope(principal, unit)?;
    target::check_unit_version(unit, command.expected_version)?;
    attempt_of(unit, command.year, "withdrawRecommendation")?;
    Ok(RecommendationWithdrawn {
        unit_id: unit.id,
        year: command.year,
        reason,
        decision,
    }
    .into())
}

/// Closes the attempt of a unit whose four stages all passed but which is not chosen.
pub(super) fn close(state: &DecisionState, command: &CloseSelection) -> Result<DomainEvent, DomainError> {
    let reason = text::paragraph("reason", &command.reason, PARAGRAPH_MAX)?;
    let decision = text::decision(&command.decision)?;
    let unit = target::unit(state, command.designation_id)?;
    target::check_unit_version(unit, command.expected_version)?;
    attempt_of(unit, command.year, "closeSelection")?;
    if !unit.reviews_of(command.year).is_some_and(|p| p.is_complete()) {
        return Err(DomainError::InvalidTransition(format!(
            "{} has not passed all four review stages of {}; closeSelection (未入选) is for a \
             unit that passed them all but is not chosen; to end an attempt earlier, record \
             the failed stage or withdraw the recommendation",
            describe(unit),
            command.year
        )));
    }
    Ok(NotSelected {
        unit_id: unit.id,
        year: command.year,
        reason,
        decision,
    }
    .into())
}

/// The unit is RECOMMENDED for `year`.
fn attempt_of(unit: &Unit, year: Year, action: &str) -> Result<(), DomainError> {
    target::require_status(unit, Status::Recommended, action)?;
    if unit.current_attempt != Some(year) {
        let attempt = unit
            .current_attempt
            .map_or_else(|| "no year".to_owned(), |y| y.to_string());
        return Err(DomainError::InvalidTransition(format!(
            "{} is recommended for {attempt}, not {year}",
            describe(unit)
        )));
    }
    Ok(())
}
