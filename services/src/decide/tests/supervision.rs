//! recordEvaluation (绩效评价), commend (表彰) and delist (摘牌): awarded units only.

use liangye_events::catalogue::{Commended, DomainEvent, EvaluationRecorded, Grade, Score};
use uuid::Uuid;

use super::fixtures::*;
use super::harness::given;

use crate::decide::{Command, Delist, ErrorCode, RecordEvaluation};

#[test]
fn an_awarded_unit_is_evaluated_once_a_year() {
    let command = RecordEvaluation {
        score: Some(Score::new(92).unwrap()),
        ..evaluate(id(1), 2025, Grade::Excellent)
    };
    given(benchmark(id(1), 2024, 1))
        .when(command, &provincial())
        .then_events([EvaluationRecorded {
            unit_id: id(1),
            year: year(2025),
            grade: Grade::Excellent,
            score: Some(Score::new(92).unwrap()),
            decision: decided(),
        }
        .into()]);
    let history = [
        benchmark(id(1), 2024, 1),
        vec![evaluated(id(1), 2025, Grade::Good)],
    ]
    .concat();
    given(history.clone())
        .when(evaluate(id(1), 2025, Grade::Pass), &provincial())
        .then_error(ErrorCode::Duplicate);
    given(history)
        .when(evaluate(id(1), 2026, Grade::Pass), &provincial())
        .then_ok();
}

#[test]
fn the_award_year_itself_may_be_evaluated_but_not_earlier_years() {
    given(benchmark(id(1), 2024, 1))
        .when(evaluate(id(1), 2024, Grade::Good), &provincial())
        .then_ok();
    let message = given(benchmark(id(1), 2024, 1))
        .when(evaluate(id(1), 2023, Grade::Good), &provincial())
        .then_invalid("year");
    assert!(message.contains("before 县1 [") && message.contains("award year 2024"));
}

#[test]
fn only_awarded_units_are_evaluated_commended_or_delisted() {
    let not_awarded = [
        pilot(id(1)),
        in_review(id(1), 2024),
        [benchmark(id(1), 2024, 1), vec![delisted(id(1), "摘牌", None)]].concat(),
        [pilot(id(1)), vec![pilot_revoked(id(1))]].concat(),
    ];
    for history in not_awarded {
        let state = given(history);
        for command in supervision_of(id(1)) {
            state
                .when(command, &provincial())
                .then_error(ErrorCode::InvalidTransition);
        }
    }
}

#[test]
fn unknown_units_are_not_found() {
    let state = given([]);
    for command in supervision_of(id(404)) {
        state.when(command, &provincial()).then_error(ErrorCode::NotFound);
    }
}

/// The three supervision commands (evaluate, commend, delist) for `unit`.
fn supervision_of(unit: Uuid) -> [Command; 3] {
    [
        evaluate(unit, 2025, Grade::Good).into(),
        commend(unit, 2025, "成效显著").into(),
        delist(unit, "不符合标准", None).into(),
    ]
}

#[test]
fn an_awarded_unit_is_commended_with_a_citation() {
    given(
        [
            benchmark(id(1), 2024, 1),
            vec![evaluated(id(1), 2025, Grade::Good)],
        ]
        .concat(),
    )
    .when(
        commend(id(1), 2025, "  两业融合成效显著，示范带动作用明显 "),
        &provincial(),
    )
    .then_events([Commended {
        unit_id: id(1),
        year: year(2025),
        citation: "两业融合成效显著，示范带动作用明显".into(),
        decision: decided(),
    }
    .into()]);
    // More than one commendation a year is fine.
    let history = [
        benchmark(id(1), 2024, 1),
        vec![evaluated(id(1), 2025, Grade::Excellent)],
        vec![DomainEvent::from(Commended {
            unit_id: id(1),
            year: year(2025),
            citation: "成效显著".into(),
            decision: decided(),
        })],
    ]
    .concat();
    given(history)
        .when(commend(id(1), 2025, "新业态新模式"), &provincial())
        .then_ok();
}

#[test]
fn a_citation_is_required_and_bounded() {
    let state = given(benchmark(id(1), 2024, 1));
    state
        .when(commend(id(1), 2025, " \n "), &provincial())
        .then_invalid("citation");
    state
        .when(commend(id(1), 2025, &"表".repeat(2001)), &provincial())
        .then_invalid("citation");
    state
        .when(commend(id(1), 2023, "成效显著"), &provincial())
        .then_invalid("year");
}

#[test]
fn an_awarded_unit_is_delisted_for_a_reason() {
    given(benchmark(id(1), 2024, 1))
        .when(delist(id(1), "经评价不符合标准", None), &provincial())
        .then_events([delisted(id(1), "经评价不符合标准", None)]);
    given(benchmark(id(1), 2024, 1))
        .when(delist(id(1), "  ", None), &provincial())
        .then_invalid("reason");
}

#[test]
fn a_delisting_may_rest_on_an_evaluation_on_record() {
    let history = [
        benchmark(id(1), 2024, 1),
        vec![evaluated(id(1), 2025, Grade::Fail)],
    ]
    .concat();
    given(history.clone())
        .when(delist(id(1), "绩效评价不合格", Some(2025)), &provincial())
        .then_events([delisted(id(1), "绩效评价不合格", Some(2025))]);
    let message = given(history)
        .when(delist(id(1), "绩效评价不合格", Some(2026)), &provincial())
        .then_invalid("evaluationYear");
    assert!(
        message.contains("has no evaluation for 2026 (evaluations on record: 2025)"),
        "{message}"
    );
    let message = given(benchmark(id(1), 2024, 1))
        .when(delist(id(1), "绩效评价不合格", Some(2025)), &provincial())
        .then_invalid("evaluationYear");
    assert!(message.contains("(evaluations on record: none)"), "{message}");
}

#[test]
fn a_stale_version_is_a_conflict() {
    // Listed, recommended, four stages, awarded: version 7.
    let command = Delist {
        expected_version: Some(6),
        ..delist(id(1), "不符合标准", None)
    };
    given(benchmark(id(1), 2024, 1))
        .when(command, &provincial())
        .then_error(ErrorCode::Conflict);
    let command = RecordEvaluation {
        expected_version: Some(7),
        ..evaluate(id(1), 2025, Grade::Good)
    };
    given(benchmark(id(1), 2024, 1))
        .when(command, &provincial())
        .then_ok();
}
