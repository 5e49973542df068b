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
//! Every accepted command yields exactly one event today; the signature allows more.

mod access;
mod award;
mod command;
mod eligibility;
mod error;
pub mod fields;
pub mod limits;
mod permissions;
mod pilot;
mod principal;
mod quota;
mod recommendation;
mod review;
mod supervision;
mod target;
mod text;

#[cfg(test)]
mod tests;

use liangye_events::catalogue::DomainEvent;
use liangye_projections::DecisionState;

pub use crate::errors::{Coded, ErrorCode};
pub use command::{
    Award, Command, Commend, Delist, IssueAccess, ListPilot, Recommend, RecordEvaluation, RecordReview,
    RevokeAccess, RevokePilot, SetAnnualQuota,
};
pub use error::{DomainError, UnmetCriterion};
pub use principal::Principal;

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
    let event = match command {
        Command::ListPilot(c) => pilot::list(state, c),
        Command::RevokePilot(c) => pilot::revoke(state, c),
        Command::Recommend(c) => recommendation::recommend(state, c, principal),
        Command::RecordReview(c) => review::record(state, c),
        Command::Award(c) => award::award(state, c),
        Command::SetAnnualQuota(c) => quota::set(state, c),
        Command::RecordEvaluation(c) => supervision::evaluate(state, c),
        Command::Commend(c) => supervision::commend(state, c),
        Command::Delist(c) => supervision::delist(state, c),
        Command::IssueAccess(c) => access::issue(state, c),
        Command::RevokeAccess(c) => access::revoke(state, c),
    }?;
    Ok(vec![(event.stream_id(), event)])
}
