//! issueAccess and revokeAccess (授予/撤销访问权限).

use liangye_events::catalogue::{CityCode, Role};

use super::fixtures::*;
use super::harness::given;
use crate::decide::{ErrorCode, IssueAccess, Principal};

#[test]
fn tokens_are_issued_for_every_role() {
    for (role, city) in [
        (Role::Provincial, None),
        (Role::City, Some(CityCode::Xuzhou)),
        (Role::Auditor, None),
        (Role::Reader, None),
    ] {
        given([])
            .when(issue_access(id(1), role, city), &Principal::operator("console"))
            .then_events([token_granted(id(1), role, city)]);
    }
}

#[test]
fn a_city_token_names_its_city_and_no_other_token_does() {
    given([])
        .when(issue_access(id(1), Role::City, None), &provincial())
        .then_invalid("city");
    for role in [Role::Provincial, Role::Auditor, Role::Reader] {
        given([])
            .when(issue_access(id(1), role, Some(CityCode::Xuzhou)), &provincial())
            .then_invalid("city");
    }
}

#[test]
fn a_token_needs_a_name() {
    let command = IssueAccess {
        name: " ".into(),
        ..issue_access(id(1), Role::Reader, None)
    };
    given([]).when(command, &provincial()).then_invalid("name");
}

#[test]
fn token_ids_and_secrets_are_never_reused() {
    let history = [token_granted(id(1), Role::Reader, None)];
    given(history.clone())
        .when(issue_access(id(1), Role::Auditor, None), &provincial())
        .then_error(ErrorCode::Duplicate);
    let same_secret = IssueAccess {
        secret_sha256: secret(1),
        ..issue_access(id(2), Role::Reader, None)
    };
    given(history.clone())
        .when(same_secret, &provincial())
        .then_error(ErrorCode::Duplicate);
    // Not even after revocation.
    given([history[0].clone(), token_revoked(id(1))])
        .when(issue_access(id(1), Role::Reader, None), &provincial())
        .then_error(ErrorCode::Duplicate);
}

#[test]
fn a_token_is_revoked_once() {
    let history = [token_granted(id(1), Role::Reader, None)];
    given(history.clone())
        .when(revoke_access(id(1)), &provincial())
        .then_events([token_revoked(id(1))]);
    given([history[0].clone(), token_revoked(id(1))])
        .when(revoke_access(id(1)), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    given([])
        .when(revoke_access(id(1)), &provincial())
        .then_error(ErrorCode::NotFound);
}

#[test]
fn a_provincial_token_may_revoke_itself_and_then_acts_no_more() {
    let history = vec![token_granted(id(1), Role::Provincial, None)];
    let principal = holder(id(1), Role::Provincial, None);
    given(history.clone())
        .when(revoke_access(id(1)), &principal)
        .then_events([token_revoked(id(1))]);
    given([history, vec![token_revoked(id(1))]].concat())
        .when(issue_access(id(2), Role::Reader, None), &principal)
        .then_error(ErrorCode::Unauthenticated);
}
