//! setAnnualQuota (设定年度指标).

use super::fixtures::*;
use super::harness::given;
use crate::decide::{ErrorCode, SetAnnualQuota};

#[test]
fn a_quota_is_set_and_reset() {
    given([])
        .when(set_quota(2024, 20), &provincial())
        .then_events([quota_set(2024, 20)]);
    given([quota_set(2024, 20)])
        .when(set_quota(2024, 25), &provincial())
        .then_events([quota_set(2024, 25)]);
    given([])
        .when(set_quota(2024, 0), &provincial())
        .then_events([quota_set(2024, 0)]);
}

#[test]
fn a_quota_below_the_awards_made_is_refused() {
    let history = [benchmark(id(1), 2024, 1), benchmark(id(2), 2024, 2)].concat();
    let message = given(history.clone())
        .when(set_quota(2024, 1), &provincial())
        .then_invalid("total");
    assert_eq!(
        message,
        "1 is below the 2 awards already made in 2024; the quota cannot be set lower"
    );
    given(history.clone())
        .when(set_quota(2024, 2), &provincial())
        .then_ok();
    // Other years are not affected.
    given(history).when(set_quota(2025, 0), &provincial()).then_ok();
}

#[test]
fn expected_version_is_the_quota_streams() {
    let expecting = |version| SetAnnualQuota {
        expected_version: Some(version),
        ..set_quota(2024, 5)
    };
    given([]).when(expecting(0), &provincial()).then_ok();
    given([quota_set(2024, 3)])
        .when(expecting(1), &provincial())
        .then_ok();
    given([quota_set(2024, 3), quota_set(2025, 3)])
        .when(expecting(0), &provincial())
        .then_error(ErrorCode::Conflict);
}
