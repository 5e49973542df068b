//! Closures of a year's attempt without a decision on its merits (DESIGN.md §1,
//! Corrections and closures): 撤回推荐 and 未入选. Either puts the unit back to PILOT.

use liangye_events::catalogue::{NotSelected, RecommendationWithdrawn};
use liangye_projections::DecisionState;

use super::command::{CloseSelection, WithdrawRecommendation};
use super::error::DomainError;
use super::permissions;
use super::principal::Principal;
use super::target::{self, describe};
use super::text;

/// Withdraws the recommendation of the attempt in progress (its city or the province).
pub(super) fn withdraw(
    state: &DecisionState,
    command: &WithdrawRecommendation,
    principal: &Principal,
) -> Result<RecommendationWithdrawn, DomainError> {
    let (reason, decision) = text::reasoned(&command.reason, &command.decision)?;
    let unit = target::unit(state, command.designation_id)?;
    permissions::city_scope(principal, unit)?;
    target::check_unit_version(unit, command.expected_version)?;
    target::recommended_for(unit, command.year, "withdrawRecommendation", "")?;
    Ok(RecommendationWithdrawn {
        unit_id: unit.id,
        year: command.year,
        reason,
        decision,
    })
}

/// Closes the attempt of a unit whose four stages all passed but which is not chosen.
pub(super) fn close(state: &DecisionState, command: &CloseSelection) -> Result<NotSelected, DomainError> {
    let (reason, decision) = text::reasoned(&command.reason, &command.decision)?;
    let unit = target::current(state, command)?;
    target::recommended_for(unit, command.year, "closeSelection", "")?;
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
    })
}
