//! Applying who may do what to a command: a presented token must be active, its role must
//! be allowed the command by the policy table ([`liangye_projections::policy`]), and a
//! city-scoped principal acts only on its own city's units.

use liangye_events::catalogue::Role;
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;
use liangye_projections::policy::{Scope, permission};

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

/// Whether the principal's role may issue this command at all, by the policy table
/// ([`liangye_projections::policy`]). A principal whose scope is its own city must name one;
/// its city is checked against the unit by [`city_scope`].
pub(super) fn authorize(command: &Command, principal: &Principal) -> Result<(), DomainError> {
    let role = principal.role;
    let action = command.action();
    match permission(role, action) {
        Some(Scope::Any) => Ok(()),
        Some(Scope::OwnCity) if principal.city.is_some() => Ok(()),
        Some(Scope::OwnCity) => Err(DomainError::Forbidden(format!(
            "a {role} principal without a city may not {}; its token must name the city it acts for",
            action.describe()
        ))),
        None if role == Role::City => Err(DomainError::Forbidden(format!(
            "{} ({role}) may not {}: {} is decided by 省发展改革委 (PROVINCIAL)",
            role.label_zh(),
            action.describe(),
            command.name()
        ))),
        None => Err(DomainError::Forbidden(format!(
            "{} ({role}) tokens are read-only; {} is decided by 省发展改革委 (PROVINCIAL)",
            role.label_zh(),
            command.name()
        ))),
    }
}

/// A `CITY` principal acts only on units of its own city.
pub(super) fn city_scope(principal: &Principal, unit: &Unit) -> Result<(), DomainError> {
    if principal.role != Role::City || principal.city == Some(unit.city) {
        return Ok(());
    }
    let acting = principal.city.map_or("(no city)", |c| c.name());
    Err(DomainError::Forbidden(format!(
        "{acting} 设区市发展改革委 acts only on units of {acting}; {} is in {} ({})",
        unit.name,
        unit.city.name(),
        unit.city.code()
    )))
}
