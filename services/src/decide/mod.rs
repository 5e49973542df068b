//! Deciding commands: the pure function from (state, command, principal) to the events to
//! append or the reason for refusal. No I/O, no clock, no randomness: ids and dates come in
//! with the command.
//!
//! Checks run in this order, so a caller learns the most fundamental problem first:
//! 1. the principal's token is active (`UNAUTHENTICATED`);
//! 2. the role may issue this command at all (`FORBIDDEN`);
//! 3. the inputs on their own (`VALIDATION_FAILED`);
//! 4. the unit exists (`NOT_FOUND`), and for a `CITY` principal is in its city (`FORBIDDEN`);
//! 5. `expectedVersion` matches the stream (`CONFLICT`);
//! 6. duplicates and the lifecycle (`DUPLICATE`, `INVALID_TRANSITION`);
//! 7. the standards and the quota (`NOT_ELIGIBLE`, `QUOTA_EXCEEDED`).
//!
//! Last, for a decision about a unit, its date may not precede the unit's previous decision
//! (`VALIDATION_FAILED`, naming that date).
//!
//! Every accepted command yields exactly one event today; the signature allows more.

mod access;
mod award;
mod command;
mod corrections;
mod eligibility;
mod error;
pub mod fields;
pub mod limits;
mod monitoring;
mod permissions;
mod pilot;
mod principal;
mod quota;
mod recommendation;
mod review;
mod selection;
mod supervision;
mod target;
mod text;

#[cfg(test)]
mod tests;

use liangye_events::catalogue::DomainEvent;
use liangye_projections::DecisionState;

pub use crate::errors::{Coded, ErrorCode};
pub use command::{
    AmendUnit, Award, CloseSelection, Command, Commend, Delist, GrantSubsidy, IssueAccess, ListPilot,
    Recommend, RecordEvaluation, RecordReview, ReportIndicators, RetractDecision, RevokeAccess, RevokePilot,
    SetAnnualQuota, WithdrawRecommendation,
};
pub use error::{DomainError, UnmetCriterion};
pub use principal::Principal;

/// Whether `principal` may issue `command` at all: its token active, its role, its city for
/// the unit. The engine checks this before it looks a repeated `commandId` up, so a repeat
/// reveals nothing to a principal the decision itself would be refused to.
pub fn admit(state: &DecisionState, command: &Command, principal: &Principal) -> Result<(), DomainError> {
    permissions::authenticate(state, principal)?;
    permissions::authorize(command, principal)?;
    if let Some(unit) = command.designation_id().and_then(|id| state.unit(id)) {
        permissions::city_scope(principal, unit)?;
    }
    Ok(())
}

/// Decides `command` for `principal` against `state`: the events to append, each with its
/// stream id, or why not. The caller appends them and folds them into the state before
/// deciding the next command.
pub fn decide(
    state: &DecisionState,
    command: &Command,
    principal: &Principal,
) -> Result<Vec<(String, DomainEvent)>, DomainError> {
    permissions::authenticate(state, principal)?;
    permissions::authorize(command, principal)?;
    let event: DomainEvent = match command {
        Command::ListPilot(c) => pilot::list(state, c)?.into(),
        Command::RevokePilot(c) => pilot::revoke(state, c)?.into(),
        Command::Recommend(c) => recommendation::recommend(state, c, principal)?.into(),
        Command::RecordReview(c) => review::record(state, c)?.into(),
        Command::Award(c) => award::award(state, c)?.into(),
        Command::SetAnnualQuota(c) => quota::set(state, c)?.into(),
        Command::RecordEvaluation(c) => supervision::evaluate(state, c)?.into(),
        Command::Commend(c) => supervision::commend(state, c)?.into(),
        Command::Delist(c) => supervision::delist(state, c)?.into(),
        Command::IssueAccess(c) => access::issue(state, c)?.into(),
        Command::RevokeAccess(c) => access::revoke(state, c)?.into(),
        Command::RetractDecision(c) => corrections::retract(state, c)?.into(),
        Command::AmendUnit(c) => corrections::amend(state, c)?.into(),
        Command::WithdrawRecommendation(c) => selection::withdraw(state, c, principal)?.into(),
        Command::CloseSelection(c) => selection::close(state, c)?.into(),
        Command::ReportIndicators(c) => monitoring::report(state, c, principal)?.into(),
        Command::GrantSubsidy(c) => monitoring::grant(state, c)?.into(),
    };
    check_date_order(state, &event)?;
    Ok(vec![(event.stream_id(), event)])
}

/// Along a unit's stream `decidedOn` never goes backwards: a decision may not be dated
/// before the unit's latest decision that stands, nor before its latest retraction. A
/// retraction is judged against the decision before the one it retracts (whose date then
/// no longer counts), so a decision recorded with a mistaken date can be retracted and
/// recorded again with the right one.
fn check_date_order(state: &DecisionState, event: &DomainEvent) -> Result<(), DomainError> {
    let (Some(id), Some(decision)) = (event.unit_id(), event.decision()) else {
        return Ok(());
    };
    let retracting = matches!(event, DomainEvent::DecisionRetracted(_));
    let Some(latest) = state.unit(id).and_then(|unit| unit.date_floor(retracting)) else {
        return Ok(());
    };
    if decision.decided_on < latest.decided_on {
        return Err(DomainError::validation(
            "decidedOn",
            format!(
                "{} is before {}, the date of this unit's previous decision ({} {}, position {}); decisions along a unit's history never go backwards: date it {} or later",
                decision.decided_on,
                latest.decided_on,
                latest.event_type.label_zh(),
                latest.event_type,
                latest.position,
                latest.decided_on
            ),
        ));
    }
    Ok(())
}
