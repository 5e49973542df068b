//! recordReview (评审): strictly in order, each stage's own fields, a failure ends the attempt.

use liangye_events::catalogue::{ReviewOutcome, ReviewStage, Score};

use super::fixtures::*;
use super::harness::given;
use crate::decide::{ErrorCode, RecordReview};

use ReviewOutcome::{Failed, Passed};
use ReviewStage::{Expert, Material, PublicNotice, SiteInspection};

#[test]
fn stages_are_recorded_in_order() {
    for stage in ReviewStage::ALL {
        let history = awaiting(id(1), 2024, *stage);
        given(history)
            .when(record_review(id(1), 2024, *stage, Passed), &provincial())
            .then_events([review_recorded(id(1), 2024, *stage, Passed)]);
    }
}

#[test]
fn a_stage_out_of_order_is_an_invalid_transition() {
    let error = given(in_review(id(1), 2024))
        .when(record_review(id(1), 2024, Expert, Passed), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    assert!(
        error
            .to_string()
            .starts_with("专家评审 (EXPERT) cannot be recorded yet: the next review stage of 县1"),
        "{error}"
    );
    assert!(error.to_string().contains("is 材料审查 (MATERIAL)"));
    let history = awaiting(id(1), 2024, SiteInspection);
    given(history)
        .when(record_review(id(1), 2024, PublicNotice, Passed), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}

#[test]
fn a_repeated_stage_is_an_invalid_transition() {
    let history = awaiting(id(1), 2024, Expert);
    given(history)
        .when(record_review(id(1), 2024, Material, Passed), &provincial())
        .then_refused(ErrorCode::InvalidTransition, "was already passed");
}

#[test]
fn nothing_follows_the_public_notice() {
    given(reviewed(id(1), 2024))
        .when(record_review(id(1), 2024, PublicNotice, Passed), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}

#[test]
fn a_failed_stage_ends_the_attempt() {
    let history = awaiting(id(1), 2024, SiteInspection);
    given(history.clone())
        .when(record_review(id(1), 2024, SiteInspection, Failed), &provincial())
        .then_events([review_recorded(id(1), 2024, SiteInspection, Failed)]);

    // The unit is a pilot again: no more reviews or award for that year ...
    let failed = [
        history,
        vec![review_recorded(id(1), 2024, SiteInspection, Failed)],
    ]
    .concat();
    given(failed.clone())
        .when(record_review(id(1), 2024, PublicNotice, Passed), &provincial())
        .then_refused(ErrorCode::InvalidTransition, "is 试点 (PILOT)");
    given(failed.clone())
        .when(award(id(1), 2024), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    // ... it may be revoked as a pilot, and recommended again next year, starting over.
    given(failed.clone())
        .when(revoke_pilot(id(1)), &provincial())
        .then_ok();
    let again = [failed, vec![recommended(id(1), 2025)]].concat();
    given(again)
        .when(record_review(id(1), 2025, Material, Passed), &provincial())
        .then_events([review_recorded(id(1), 2025, Material, Passed)]);
}

#[test]
fn reviews_need_a_recommended_unit() {
    given(pilot(id(1)))
        .when(record_review(id(1), 2024, Material, Passed), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    given(benchmark(id(1), 2024, 1))
        .when(record_review(id(1), 2025, Material, Passed), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    given([])
        .when(record_review(id(404), 2024, Material, Passed), &provincial())
        .then_error(ErrorCode::NotFound);
}

#[test]
fn reviews_belong_to_the_year_of_the_recommendation() {
    given(in_review(id(1), 2024))
        .when(record_review(id(1), 2025, Material, Passed), &provincial())
        .then_refused(ErrorCode::InvalidTransition, "is recommended for 2024, not 2025");
}

#[test]
fn the_expert_review_needs_a_score_of_0_to_100() {
    let history = awaiting(id(1), 2024, Expert);
    let scored = |score: Option<i64>| RecordReview {
        score: score.map(|s| Score::new(s).unwrap()),
        ..record_review(id(1), 2024, Expert, Passed)
    };
    given(history.clone())
        .when(scored(None), &provincial())
        .then_invalid("score");
    given(history.clone())
        .when(scored(Some(0)), &provincial())
        .then_ok();
    given(history.clone())
        .when(scored(Some(100)), &provincial())
        .then_ok();
    // A failed expert review carries its score too.
    given(history)
        .when(
            RecordReview {
                outcome: Failed,
                ..scored(None)
            },
            &provincial(),
        )
        .then_invalid("score");
}

#[test]
fn only_the_expert_review_has_a_score() {
    let command = RecordReview {
        score: Some(Score::new(90).unwrap()),
        ..record_review(id(1), 2024, Material, Passed)
    };
    given(in_review(id(1), 2024))
        .when(command, &provincial())
        .then_invalid("score");
}

#[test]
fn the_public_notice_needs_its_period() {
    let history = awaiting(id(1), 2024, PublicNotice);
    let base = record_review(id(1), 2024, PublicNotice, Passed);
    given(history.clone())
        .when(
            RecordReview {
                notice_start: None,
                ..base.clone()
            },
            &provincial(),
        )
        .then_invalid("noticeStart");
    given(history.clone())
        .when(
            RecordReview {
                notice_end: None,
                ..base.clone()
            },
            &provincial(),
        )
        .then_invalid("noticeEnd");
    let notice = |start, end| RecordReview {
        notice_start: Some(start),
        notice_end: Some(end),
        ..base.clone()
    };
    let message = given(history.clone())
        .when(notice(date(2024, 6, 8), date(2024, 6, 7)), &provincial())
        .then_invalid("noticeEnd");
    assert!(message.contains("2024-06-07 is before noticeStart 2024-06-08"));
    // A one-day notice ends on its start.
    given(history.clone())
        .when(notice(date(2024, 5, 6), date(2024, 5, 6)), &provincial())
        .then_ok();
    // Objections are noted.
    let events = given(history)
        .when(
            RecordReview {
                objections: Some("  收到异议1件，经核查不成立 ".into()),
                ..base
            },
            &provincial(),
        )
        .then_ok();
    let liangye_events::catalogue::DomainEvent::ReviewRecorded(recorded) = &events[0] else {
        panic!("not ReviewRecorded")
    };
    assert_eq!(recorded.objections.as_deref(), Some("收到异议1件，经核查不成立"));
}

#[test]
fn only_the_public_notice_has_a_period_and_objections() {
    let base = record_review(id(1), 2024, Material, Passed);
    let state = given(in_review(id(1), 2024));
    state
        .when(
            RecordReview {
                notice_start: Some(date(2024, 6, 1)),
                ..base.clone()
            },
            &provincial(),
        )
        .then_invalid("noticeStart");
    state
        .when(
            RecordReview {
                notice_end: Some(date(2024, 6, 1)),
                ..base.clone()
            },
            &provincial(),
        )
        .then_invalid("noticeEnd");
    state
        .when(
            RecordReview {
                objections: Some("无".into()),
                ..base
            },
            &provincial(),
        )
        .then_invalid("objections");
}

#[test]
fn a_stale_version_is_a_conflict() {
    let command = RecordReview {
        expected_version: Some(1),
        ..record_review(id(1), 2024, Material, Passed)
    };
    given(in_review(id(1), 2024))
        .when(command, &provincial())
        .then_error(ErrorCode::Conflict);
}
