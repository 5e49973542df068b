//! Who may do what (DESIGN.md §1): a presented token must be active; `PROVINCIAL` may do
//! everything; `CITY` may only recommend, withdraw a recommendation and report indicators,
//! and only for units of its own city; `AUDITOR` and `READER` may change nothing.

use liangye_events::catalogue::Role;
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;

use super::command::Command;
use super::error::DomainError;
use super::principal::Principal;

/// A principal that presented a token must hold an active token whose role and city are
/// the principal's. Operators (no token) pass.
pub(super) fn authenticate(state: &DecisionState, principal: &Principal) -> Result<(), DomainError> {
    let Some(token_id) = principal.token_id else {
        return Ok(());
    };
    let Some(token) = state.token(token_id) else {
        return Err(DomainError::Unauthenticated(format!(
            "access token {token_id} is not known to the registry; ask 省发展改革委 for a token"
        )));
    };
    if token.revoked {
        return Err(DomainError::Unauthenticated(format!(
            "access token {token_id} ({}) has been revoked; ask 省发展改革委 for a new token",
            token.name
        )));
    }
    if token.role != principal.role || token.city != principal.city {
        return Err(DomainError::Unauthenticated(format!(
            "access token {token_id} was issued for role {} {}, not for the role and city \
             presented",
            token.role,
            token.city.map(|c| c.code()).unwrap_or_default()
        )));
    }
    Ok(())
}

/// Whether the principal's role may issue this command at all. A `CITY` principal's city
/// is checked against the unit by [`city_scope`].
pub(super) fn authorize(command: &Command, principal: &Principal) -> Result<(), DomainError> {
    let role = principal.role;
    match role {
        Role::Provincial => Ok(()),
        Role::City if city_may(command) => {
            if principal.city.is_some() {
                Ok(())
            } else {
                Err(DomainError::Forbidden(format!(
                    "a CITY principal without a city may not {}; its token must name the \
                     city it acts for",
                    command.name()
                )))
            }
        }
        Role::City => Err(DomainError::Forbidden(format!(
            "{} ({role}) may only recommend, withdraw recommendations and report indicators \
             for units of its own city; {} is decided by 省发展改革委 (PROVINCIAL)",
            role.label_zh(),
            command.name()
        ))),
        Role::Auditor | Role::Reader => Err(DomainError::Forbidden(format!(
            "{} ({role}) tokens are read-only; {} is decided by 省发展改革委 (PROVINCIAL)",
            role.label_zh(),
            command.name()
        ))),
    }
}

/// The commands a `CITY` principal may issue (for units of its own city).
pub(super) fn city_may(command: &Command) -> bool {
    matches!(
        command,
        Command::Recommend(_) | Command::WithdrawRecommendation(_) | Command::ReportIndicators(_)
    )
}

/// A `CITY` principal acts only on units of its own city.
pub(super) fn city_scope(principal: &Principal, unit: &Unit) -> Result<(), DomainError> {
    if principal.role != Role::City || principal.city == Some(unit.city) {
        return Ok(());
    }
    let acting = principal.city.map_or("(no city)", |c| c.name());
    Err(DomainError::Forbidden(format!(
        "{acting} 设区市发展改革委 may act only for units of {acting}; {} is in {} ({})",
        unit.name,
        unit.city.name(),
        unit.city.code()
    )))
}
