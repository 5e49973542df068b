//! Supervision of awarded units (policy §四(四)): 绩效评价, 表彰 and 摘牌.

use liangye_events::catalogue::{Commended, DelistGround, Delisted, EvaluationRecorded, Grade, Status, Year};
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;

use super::command::{Commend, Delist, RecordEvaluation};
use super::error::DomainError;
use super::limits::PARAGRAPH_MAX;
use super::target::{self, describe};
use super::text;

/// Records the evaluation of an awarded unit, one per year, not before its award year.
pub(super) fn evaluate(
    state: &DecisionState,
    command: &RecordEvaluation,
) -> Result<EvaluationRecorded, DomainError> {
    let decision = text::decision(&command.decision)?;
    let unit = target::current_in(state, command, Status::Awarded, "recordEvaluation")?;
    not_before_award(unit, command.year)?;
    if unit.evaluation(command.year).is_some() {
        return Err(DomainError::Duplicate(format!(
            "{} already has its {} evaluation; an awarded unit is evaluated once a year (a \
             mistaken evaluation is corrected by a later decision, not a second evaluation)",
            describe(unit),
            command.year
        )));
    }
    Ok(EvaluationRecorded {
        unit_id: unit.id,
        year: command.year,
        grade: command.grade,
        score: command.score,
        decision,
    })
}

/// Commends an awarded unit, not before its award year.
pub(super) fn commend(state: &DecisionState, command: &Commend) -> Result<Commended, DomainError> {
    let citation = text::paragraph("citation", &command.citation, PARAGRAPH_MAX)?;
    let decision = text::decision(&command.decision)?;
    let unit = target::current_in(state, command, Status::Awarded, "commend")?;
    not_before_award(unit, command.year)?;
    match unit.evaluation(command.year) {
        Some(e) if matches!(e.grade, Grade::Excellent | Grade::Good) => {}
        Some(e) => {
            return Err(DomainError::validation(
                "year",
                format!(
                    "{}'s {} evaluation is {} ({}); a commendation rests on that year's evaluation graded 优秀 (EXCELLENT) or 良好 (GOOD)",
                    describe(unit),
                    command.year,
                    e.grade.label_zh(),
                    e.grade
                ),
            ));
        }
        None => {
            return Err(DomainError::validation(
                "year",
                format!(
                    "{} has no evaluation for {}; record it (recordEvaluation) first: a commendation rests on that year's evaluation graded 优秀 (EXCELLENT) or 良好 (GOOD)",
                    describe(unit),
                    command.year
                ),
            ));
        }
    }
    Ok(Commended {
        unit_id: unit.id,
        year: command.year,
        citation,
        decision,
    })
}

/// Delists an awarded unit, for a stated reason, optionally resting on one of its
/// evaluations.
pub(super) fn delist(state: &DecisionState, command: &Delist) -> Result<Delisted, DomainError> {
    let (reason, decision) = text::reasoned(&command.reason, &command.decision)?;
    if command.ground == DelistGround::FailedEvaluation && command.evaluation_year.is_none() {
        return Err(DomainError::validation(
            "evaluationYear",
            "is required with ground FAILED_EVALUATION (经评价不符合标准): name the year whose evaluation was graded 不合格 (FAIL)",
        ));
    }
    let unit = target::current_in(state, command, Status::Awarded, "delist")?;
    if command.ground == DelistGround::FailedEvaluation
        && let Some(year) = command.evaluation_year
        && let Some(evaluation) = unit.evaluation(year)
        && evaluation.grade != Grade::Fail
    {
        return Err(DomainError::validation(
            "evaluationYear",
            format!(
                "{}'s {year} evaluation is {} ({}), not 不合格 (FAIL); ground FAILED_EVALUATION rests on a FAIL grade — use ground OTHER and say why in the reason",
                describe(unit),
                evaluation.grade.label_zh(),
                evaluation.grade
            ),
        ));
    }
    if let Some(year) = command.evaluation_year
        && unit.evaluation(year).is_none()
    {
        let mut years: Vec<Year> = unit.evaluations.iter().map(|e| e.year).collect();
        years.sort_unstable();
        let on_record: Vec<String> = years.iter().map(Year::to_string).collect();
        let on_record = if on_record.is_empty() {
            "none".to_owned()
        } else {
            on_record.join(", ")
        };
        return Err(DomainError::validation(
            "evaluationYear",
            format!(
                "{} has no evaluation for {year} (evaluations on record: {on_record}); \
                 reference one of those or leave evaluationYear out",
                describe(unit)
            ),
        ));
    }
    Ok(Delisted {
        unit_id: unit.id,
        reason,
        ground: command.ground,
        evaluation_year: command.evaluation_year,
        decision,
    })
}

/// Refuses a `year` before the unit's award year: an awarded unit is supervised (evaluated,
/// commended, monitored) from its award year on.
pub(super) fn not_before_award(unit: &Unit, year: Year) -> Result<(), DomainError> {
    match &unit.award {
        Some(award) if year < award.year => Err(DomainError::validation(
            "year",
            format!(
                "{year} is before {}'s award year {}; give {} or later",
                describe(unit),
                award.year,
                award.year
            ),
        )),
        _ => Ok(()),
    }
}
