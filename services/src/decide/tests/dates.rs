//! Dates and grounds (DESIGN.md §1): each rule at its boundary — the same day passes, the
//! day before fails.

use liangye_events::catalogue::{
    DelistGround, DomainEvent, EventType, Grade, PilotRevoked, ReviewOutcome, ReviewStage,
};

use super::fixtures::*;
use super::harness::given;
use crate::decide::{
    Commend, Delist, ErrorCode, ListPilot, Recommend, RecordReview, RetractDecision, RevokePilot,
};

#[test]
fn every_date_lies_in_2000_to_2100() {
    let on = |d| ListPilot {
        decision: dated(d),
        ..list_county(id(1), "昆山市", "320583")
    };
    given([]).when(on(date(2000, 1, 1)), &provincial()).then_ok();
    given([]).when(on(date(2100, 12, 31)), &provincial()).then_ok();
    given([])
        .when(on(date(1999, 12, 31)), &provincial())
        .then_invalid("decidedOn");
    given([])
        .when(on(date(2101, 1, 1)), &provincial())
        .then_invalid("decidedOn");

    let history = awaiting(id(1), 2024, ReviewStage::PublicNotice);
    let notice = |start, end| RecordReview {
        notice_start: Some(start),
        notice_end: Some(end),
        ..record_review(id(1), 2024, ReviewStage::PublicNotice, ReviewOutcome::Passed)
    };
    // Refused for its range, not (only) for preceding the site inspection.
    let message = given(history.clone())
        .when(notice(date(1999, 12, 31), date(2024, 5, 6)), &provincial())
        .then_invalid("noticeStart");
    assert!(message.contains("is not a plausible date"), "{message}");
    let message = given(history)
        .when(notice(date(2024, 5, 6), date(2101, 1, 1)), &provincial())
        .then_invalid("noticeEnd");
    assert!(message.contains("is not a plausible date"), "{message}");
}

#[test]
fn a_decision_is_not_dated_before_the_units_previous_one() {
    // The listing is dated 2024-05-06.
    let revoke = |d| RevokePilot {
        decision: dated(d),
        ..revoke_pilot(id(1))
    };
    given(pilot(id(1)))
        .when(revoke(date(2024, 5, 6)), &provincial())
        .then_ok();
    let message = given(pilot(id(1)))
        .when(revoke(date(2024, 5, 5)), &provincial())
        .then_invalid("decidedOn");
    assert!(
        message.starts_with("2024-05-05 is before 2024-05-06, the date of this unit's previous decision"),
        "{message}"
    );
}

#[test]
fn a_retraction_is_judged_against_the_decision_before_and_its_own_date_counts() {
    // Listing dated 2024-05-06 (position 1); a revocation mistakenly dated 2025-05-06 (2).
    let mistaken: DomainEvent = PilotRevoked {
        unit_id: id(1),
        decision: dated(date(2025, 5, 6)),
    }
    .into();
    let history = [pilot(id(1)), vec![mistaken]].concat();
    let retract_on = |d| RetractDecision {
        decision: dated(d),
        ..retract(id(1), 2)
    };
    // The retraction may be dated before the decision it retracts, not before the one before.
    given(history.clone())
        .when(retract_on(date(2024, 6, 1)), &provincial())
        .then_ok();
    let message = given(history.clone())
        .when(retract_on(date(2024, 5, 5)), &provincial())
        .then_invalid("decidedOn");
    assert!(message.contains("2024-05-06"), "{message}");
    // Once retracted (dated 2024-06-01), the retracted date no longer counts; the
    // retraction's own does.
    let retraction: DomainEvent = liangye_events::catalogue::DecisionRetracted {
        unit_id: id(1),
        position: 2,
        retracted_type: EventType::PilotRevoked,
        reason: "录入错误".into(),
        decision: dated(date(2024, 6, 1)),
    }
    .into();
    let corrected = [history, vec![retraction]].concat();
    let revoke = |d| RevokePilot {
        decision: dated(d),
        ..revoke_pilot(id(1))
    };
    let message = given(corrected.clone())
        .when(revoke(date(2024, 5, 31)), &provincial())
        .then_invalid("decidedOn");
    assert!(
        message.starts_with("2024-05-31 is before 2024-06-01") && message.contains("撤销"),
        "{message}"
    );
    given(corrected)
        .when(revoke(date(2024, 6, 1)), &provincial())
        .then_ok();
}

#[test]
fn a_recommendation_year_lies_between_the_listing_and_the_year_after_the_decision() {
    let command = |y, d| Recommend {
        decision: dated(d),
        ..recommend(id(1), y, eligible_region())
    };
    // Listed in 2024.
    given(pilot(id(1)))
        .when(command(2024, date(2024, 5, 6)), &provincial())
        .then_ok();
    let message = given(pilot(id(1)))
        .when(command(2023, date(2024, 5, 6)), &provincial())
        .then_invalid("year");
    assert!(message.contains("before 2024"), "{message}");
    // Decided in 2024: for 2025 at the latest.
    given(pilot(id(1)))
        .when(command(2025, date(2024, 5, 6)), &provincial())
        .then_ok();
    given(pilot(id(1)))
        .when(command(2026, date(2024, 12, 31)), &provincial())
        .then_invalid("year");
    given(pilot(id(1)))
        .when(command(2026, date(2025, 1, 1)), &provincial())
        .then_ok();
}

#[test]
fn the_public_notice_runs_after_the_site_inspection_and_before_its_decision() {
    // The site inspection is dated 2024-05-06.
    let history = awaiting(id(1), 2024, ReviewStage::PublicNotice);
    let notice = |start, end, decided| RecordReview {
        notice_start: Some(start),
        notice_end: Some(end),
        decision: dated(decided),
        ..record_review(id(1), 2024, ReviewStage::PublicNotice, ReviewOutcome::Passed)
    };
    given(history.clone())
        .when(
            notice(date(2024, 5, 6), date(2024, 5, 12), date(2024, 5, 12)),
            &provincial(),
        )
        .then_ok();
    let message = given(history.clone())
        .when(
            notice(date(2024, 5, 5), date(2024, 5, 12), date(2024, 5, 12)),
            &provincial(),
        )
        .then_invalid("noticeStart");
    assert!(message.contains("decided on 2024-05-06"), "{message}");
    given(history.clone())
        .when(
            notice(date(2024, 5, 6), date(2024, 5, 12), date(2024, 5, 11)),
            &provincial(),
        )
        .then_invalid("decidedOn");
    given(history)
        .when(
            notice(date(2024, 5, 7), date(2024, 5, 6), date(2024, 5, 12)),
            &provincial(),
        )
        .then_invalid("noticeEnd");
}

#[test]
fn a_failed_stage_needs_a_reason() {
    let failed = RecordReview {
        reason: None,
        ..record_review(id(1), 2024, ReviewStage::Material, ReviewOutcome::Failed)
    };
    given(in_review(id(1), 2024))
        .when(failed.clone(), &provincial())
        .then_invalid("reason");
    given(in_review(id(1), 2024))
        .when(
            RecordReview {
                reason: Some("申报材料不齐全".into()),
                ..failed
            },
            &provincial(),
        )
        .then_ok();
}

#[test]
fn a_delisting_on_a_failed_evaluation_rests_on_a_fail_grade() {
    let with = |grade| [benchmark(id(1), 2024, 1), vec![evaluated(id(1), 2025, grade)]].concat();
    let on_evaluation = |evaluation_year| Delist {
        ground: DelistGround::FailedEvaluation,
        ..delist(id(1), "经评价不符合标准", evaluation_year)
    };
    given(with(Grade::Fail))
        .when(on_evaluation(Some(2025)), &provincial())
        .then_ok();
    let message = given(with(Grade::Excellent))
        .when(on_evaluation(Some(2025)), &provincial())
        .then_invalid("evaluationYear");
    assert!(
        message.contains("优秀 (EXCELLENT), not 不合格 (FAIL)"),
        "{message}"
    );
    given(with(Grade::Fail))
        .when(on_evaluation(None), &provincial())
        .then_invalid("evaluationYear");
    given(with(Grade::Fail))
        .when(on_evaluation(Some(2024)), &provincial())
        .then_invalid("evaluationYear");
    // Another ground says why in the reason.
    given(with(Grade::Excellent))
        .when(delist(id(1), "重大违法违规", None), &provincial())
        .then_ok();
}

#[test]
fn a_commendation_rests_on_the_same_years_good_evaluation() {
    let with = |grade| [benchmark(id(1), 2024, 1), vec![evaluated(id(1), 2025, grade)]].concat();
    let citation = || commend(id(1), 2025, "示范带动作用明显");
    given(with(Grade::Excellent))
        .when(citation(), &provincial())
        .then_ok();
    given(with(Grade::Good)).when(citation(), &provincial()).then_ok();
    for grade in [Grade::Pass, Grade::Fail] {
        given(with(grade))
            .when(citation(), &provincial())
            .then_invalid("year");
    }
    given(with(Grade::Good))
        .when(
            Commend {
                year: year(2024),
                ..citation()
            },
            &provincial(),
        )
        .then_invalid("year");
    given(benchmark(id(1), 2024, 1))
        .when(citation(), &provincial())
        .then_error(ErrorCode::ValidationFailed);
}
