//! 评审: the four review stages of a year's attempt, strictly in order.

use liangye_events::catalogue::{ReviewOutcome, ReviewRecorded, ReviewStage};
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;

use super::command::RecordReview;
use super::error::DomainError;
use super::limits::PARAGRAPH_MAX;
use super::target::{self, describe};
use super::text;

/// Records one stage. The unit must be `RECOMMENDED` for the command's year and the stage
/// must be the next one (MATERIAL, EXPERT, SITE_INSPECTION, PUBLIC_NOTICE); a `FAILED`
/// outcome ends the attempt (the fold puts the unit back to `PILOT`).
pub(super) fn record(state: &DecisionState, command: &RecordReview) -> Result<ReviewRecorded, DomainError> {
    let decision = text::decision(&command.decision)?;
    let objections = text::optional_paragraph("objections", command.objections.as_deref(), PARAGRAPH_MAX)?;
    let reason = text::optional_paragraph("reason", command.reason.as_deref(), PARAGRAPH_MAX)?;
    check_stage_fields(command, objections.is_some())?;
    if command.outcome == ReviewOutcome::Failed && reason.is_none() {
        return Err(DomainError::validation(
            "reason",
            format!(
                "is required for a FAILED (未通过) {} stage: say why it failed",
                command.stage.label_zh()
            ),
        ));
    }
    let unit = target::current(state, command)?;
    target::recommended_for(
        unit,
        command.year,
        "recordReview",
        "; reviews belong to the year of the recommendation",
    )?;
    let next = unit
        .reviews_of(command.year)
        .map_or(Some(ReviewStage::FIRST), |progress| progress.next_stage());
    if next != Some(command.stage) {
        let expected = next.map_or_else(
            || "no further stage".to_owned(),
            |s| format!("{} ({s})", s.label_zh()),
        );
        let verb = if next.is_some_and(|n| command.stage < n) {
            "was already passed"
        } else {
            "cannot be recorded yet"
        };
        return Err(DomainError::InvalidTransition(format!(
            "{} ({}) {verb}: the next review stage of {}'s {} attempt is {expected}; stages go \
             材料审查 MATERIAL → 专家评审 EXPERT → 现场察看 SITE_INSPECTION → 社会公示 PUBLIC_NOTICE",
            command.stage.label_zh(),
            command.stage,
            describe(unit),
            command.year
        )));
    }
    if command.stage == ReviewStage::PublicNotice {
        check_notice_dates(unit, command)?;
    }
    Ok(ReviewRecorded {
        unit_id: unit.id,
        year: command.year,
        stage: command.stage,
        outcome: command.outcome,
        score: command.score,
        notice_start: command.notice_start,
        notice_end: command.notice_end,
        objections,
        reason,
        decision,
    })
}

/// 社会公示 starts on or after the site inspection's date, and is decided on or after its
/// last day.
fn check_notice_dates(unit: &Unit, command: &RecordReview) -> Result<(), DomainError> {
    let (Some(start), Some(end)) = (command.notice_start, command.notice_end) else {
        return Ok(());
    };
    let site = unit
        .reviews_of(command.year)
        .and_then(|progress| progress.site_inspection_on);
    if let Some(site) = site
        && start < site
    {
        return Err(DomainError::validation(
            "noticeStart",
            format!(
                "{start} is before the site inspection (现场察看) of {}, decided on {site}; the public notice starts on or after it",
                describe(unit)
            ),
        ));
    }
    if command.decision.decided_on < end {
        return Err(DomainError::validation(
            "decidedOn",
            format!(
                "{} is before the public notice ends on {end}; record the 社会公示 stage on or after its last day",
                command.decision.decided_on
            ),
        ));
    }
    Ok(())
}

/// EXPERT carries a score; PUBLIC_NOTICE carries its period (and objections); no other
/// stage carries either.
fn check_stage_fields(command: &RecordReview, has_objections: bool) -> Result<(), DomainError> {
    let stage = command.stage;
    let only_for = |field: &'static str, owner: ReviewStage| {
        DomainError::validation(
            field,
            format!(
                "belongs to the {} ({owner}) stage, not to {} ({stage})",
                owner.label_zh(),
                stage.label_zh()
            ),
        )
    };
    if stage == ReviewStage::Expert {
        if command.score.is_none() {
            return Err(DomainError::validation(
                "score",
                "is required for 专家评审 (EXPERT): give the experts' score, 0 to 100",
            ));
        }
    } else if command.score.is_some() {
        return Err(only_for("score", ReviewStage::Expert));
    }
    if stage == ReviewStage::PublicNotice {
        let (Some(start), Some(end)) = (command.notice_start, command.notice_end) else {
            let field = if command.notice_start.is_none() {
                "noticeStart"
            } else {
                "noticeEnd"
            };
            return Err(DomainError::validation(
                field,
                "is required for 社会公示 (PUBLIC_NOTICE): give the first and last day of the \
                 public notice",
            ));
        };
        text::date("noticeStart", start)?;
        text::date("noticeEnd", end)?;
        if end < start {
            return Err(DomainError::validation(
                "noticeEnd",
                format!("{end} is before noticeStart {start}; the notice must end on or after its start"),
            ));
        }
    } else {
        if command.notice_start.is_some() {
            return Err(only_for("noticeStart", ReviewStage::PublicNotice));
        }
        if command.notice_end.is_some() {
            return Err(only_for("noticeEnd", ReviewStage::PublicNotice));
        }
        if has_objections {
            return Err(only_for("objections", ReviewStage::PublicNotice));
        }
    }
    Ok(())
}
