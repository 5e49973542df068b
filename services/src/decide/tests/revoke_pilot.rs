//! revokePilot (撤销试点): pilots only.

use super::fixtures::*;
use super::harness::given;
use crate::decide::{ErrorCode, RevokePilot};

#[test]
fn a_pilot_is_revoked() {
    given(pilot(id(1)))
        .when(revoke_pilot(id(1)), &provincial())
        .then_events([pilot_revoked(id(1))]);
}

#[test]
fn only_a_pilot_is_revoked() {
    for history in [
        in_review(id(1), 2024),
        benchmark(id(1), 2024, 1),
        [benchmark(id(1), 2024, 1), vec![delisted(id(1), "摘牌", None)]].concat(),
        [pilot(id(1)), vec![pilot_revoked(id(1))]].concat(),
    ] {
        given(history)
            .when(revoke_pilot(id(1)), &provincial())
            .then_error(ErrorCode::InvalidTransition);
    }
}

#[test]
fn an_unknown_unit_is_not_found() {
    given([])
        .when(revoke_pilot(id(404)), &provincial())
        .then_refused(ErrorCode::NotFound, "no unit has id");
}

#[test]
fn a_stale_version_is_a_conflict() {
    let command = RevokePilot {
        expected_version: Some(0),
        ..revoke_pilot(id(1))
    };
    given(pilot(id(1)))
        .when(command, &provincial())
        .then_error(ErrorCode::Conflict);
}
