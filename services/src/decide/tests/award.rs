//! award (授牌): four stages passed, the quota, certificate numbering.

use liangye_events::catalogue::{DomainEvent, Grade, ReviewStage};
use uuid::Uuid;

use super::fixtures::*;
use super::harness::given;
use crate::decide::{Award, DomainError, ErrorCode};

#[test]
fn a_unit_that_passed_all_four_stages_is_awarded_the_first_certificate() {
    is_awarded_after(vec![], id(1), 2024, 1);
}

/// `unit`, reviewed for `y` after `history`, is awarded certificate number `serial` of `y`.
fn is_awarded_after(history: Vec<DomainEvent>, unit: Uuid, y: i64, serial: u32) {
    given([history, reviewed(unit, y)].concat())
        .when(award(unit, y), &provincial())
        .then_events([awarded(unit, y, serial)]);
}

#[test]
fn certificates_are_numbered_in_sequence_within_each_year() {
    let history = [
        benchmark(id(1), 2024, 1),
        benchmark(id(2), 2024, 2),
        benchmark(id(3), 2025, 1),
        reviewed(id(4), 2024),
        reviewed(id(5), 2025),
    ]
    .concat();
    let state = given(history);
    state
        .when(award(id(4), 2024), &provincial())
        .then_events([awarded(id(4), 2024, 3)]);
    state
        .when(award(id(5), 2025), &provincial())
        .then_events([awarded(id(5), 2025, 2)]);
    let events = state.when(award(id(4), 2024), &provincial()).then_ok();
    let DomainEvent::Awarded(awarded) = &events[0] else {
        panic!("not Awarded")
    };
    assert_eq!(awarded.certificate_no.to_string(), "JSLY-2024-003");
}

#[test]
fn delisting_never_frees_a_certificate_number() {
    let history = [
        benchmark(id(1), 2024, 1),
        vec![
            evaluated(id(1), 2025, Grade::Fail),
            delisted(id(1), "绩效评价不合格", Some(2025)),
        ],
    ]
    .concat();
    is_awarded_after(history, id(2), 2024, 2);
}

#[test]
fn all_four_stages_must_have_passed() {
    for stage in ReviewStage::ALL {
        let history = awaiting(id(1), 2024, *stage);
        let error = given(history)
            .when(award(id(1), 2024), &provincial())
            .then_error(ErrorCode::InvalidTransition);
        assert!(
            error.to_string().contains(&format!(
                "the next stage to record is {} ({stage})",
                stage.label_zh()
            )),
            "{error}"
        );
    }
}

#[test]
fn a_pilot_or_a_failed_attempt_is_not_awarded() {
    given(pilot(id(1)))
        .when(award(id(1), 2024), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    given(failed_at(id(1), 2024, ReviewStage::PublicNotice))
        .when(award(id(1), 2024), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}

#[test]
fn an_award_is_for_the_year_of_the_recommendation() {
    given(reviewed(id(1), 2024))
        .when(award(id(1), 2025), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}

#[test]
fn an_awarded_unit_is_not_awarded_again() {
    given(benchmark(id(1), 2024, 1))
        .when(award(id(1), 2024), &provincial())
        .then_refused(
            ErrorCode::InvalidTransition,
            "already awarded (2024 已授牌, certificate JSLY-2024-001)",
        );
}

#[test]
fn the_award_that_exactly_fills_the_quota_is_made() {
    let history = [vec![quota_set(2024, 2)], benchmark(id(1), 2024, 1)].concat();
    is_awarded_after(history, id(2), 2024, 2);
}

#[test]
fn an_award_beyond_the_quota_is_refused() {
    let history = [
        vec![quota_set(2024, 2)],
        benchmark(id(1), 2024, 1),
        benchmark(id(2), 2024, 2),
        reviewed(id(3), 2024),
    ]
    .concat();
    let error = given(history)
        .when(award(id(3), 2024), &provincial())
        .then_error(ErrorCode::QuotaExceeded);
    assert_eq!(
        error,
        DomainError::QuotaExceeded {
            year: year(2024),
            quota: 2,
            awarded: 2
        }
    );
    assert_eq!(
        error.to_string(),
        "the 2024 quota of 2 awards (年度指标) is used up (2 awarded); raise it with \
         setAnnualQuota first"
    );
}

#[test]
fn a_quota_of_zero_allows_no_award() {
    given([vec![quota_set(2024, 0)], reviewed(id(1), 2024)].concat())
        .when(award(id(1), 2024), &provincial())
        .then_error(ErrorCode::QuotaExceeded);
}

#[test]
fn without_a_quota_awards_are_unlimited_and_quotas_are_per_year() {
    given([vec![quota_set(2025, 0)], reviewed(id(1), 2024)].concat())
        .when(award(id(1), 2024), &provincial())
        .then_ok();
}

#[test]
fn awards_counted_before_the_quota_was_set_count_against_it() {
    let history = [
        benchmark(id(1), 2024, 1),
        vec![quota_set(2024, 1)],
        reviewed(id(2), 2024),
    ]
    .concat();
    given(history)
        .when(award(id(2), 2024), &provincial())
        .then_error(ErrorCode::QuotaExceeded);
}

#[test]
fn a_stale_version_is_a_conflict() {
    // Listed (1), recommended (2), four stages (3–6).
    let expecting = |version| Award {
        expected_version: Some(version),
        ..award(id(1), 2024)
    };
    given(reviewed(id(1), 2024))
        .when(expecting(6), &provincial())
        .then_ok();
    given(reviewed(id(1), 2024))
        .when(expecting(5), &provincial())
        .then_error(ErrorCode::Conflict);
}

#[test]
fn an_unknown_unit_is_not_found() {
    given([])
        .when(award(id(404), 2024), &provincial())
        .then_error(ErrorCode::NotFound);
}
