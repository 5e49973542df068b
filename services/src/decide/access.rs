//! 授予访问权限 and 撤销访问权限: issuing and revoking access tokens.

use liangye_events::catalogue::{AccessGranted, AccessRevoked, Role};
use liangye_projections::DecisionState;

use super::command::{IssueAccess, RevokeAccess};
use super::error::DomainError;
use super::limits::NAME_MAX;
use super::text;

/// Issues a token: a `CITY` token names its city, no other role does; ids and secrets are
/// never reused.
pub(super) fn issue(state: &DecisionState, command: &IssueAccess) -> Result<AccessGranted, DomainError> {
    let name = text::line("name", &command.name, NAME_MAX)?;
    match (command.role, command.city) {
        (Role::City, None) => {
            return Err(DomainError::validation(
                "city",
                "is required for a CITY token: give the code of the city it acts for",
            ));
        }
        (role, Some(_)) if role != Role::City => {
            return Err(DomainError::validation(
                "city",
                format!(
                    "applies only to CITY tokens; a {} ({role}) token acts for the whole province",
                    role.label_zh()
                ),
            ));
        }
        _ => {}
    }
    if state.token(command.token_id).is_some() {
        return Err(DomainError::Duplicate(format!(
            "token id {} is already in use; generate a new one",
            command.token_id
        )));
    }
    if state.token_by_secret(&command.secret_sha256).is_some() {
        return Err(DomainError::Duplicate(
            "another token already has this secret; generate a new secret".to_owned(),
        ));
    }
    Ok(AccessGranted {
        token_id: command.token_id,
        name,
        role: command.role,
        city: command.city,
        secret_sha256: command.secret_sha256,
    })
}

/// Revokes an active token.
pub(super) fn revoke(state: &DecisionState, command: &RevokeAccess) -> Result<AccessRevoked, DomainError> {
    let Some(token) = state.token(command.token_id) else {
        return Err(DomainError::NotFound(format!(
            "no token has id {}; `liangye token list` shows the tokens",
            command.token_id
        )));
    };
    if token.revoked {
        return Err(DomainError::InvalidTransition(format!(
            "token {} ({}) is already revoked",
            token.id, token.name
        )));
    }
    Ok(AccessRevoked {
        token_id: command.token_id,
    })
}
