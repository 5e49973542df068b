//! 授牌: awarding the designation, within the year's quota, with the next certificate number.

use liangye_events::catalogue::{Awarded, Status};
use liangye_projections::DecisionState;

use super::command::Award;
use super::error::DomainError;
use super::target::{self, describe};
use super::text;

/// Awards a unit recommended for the command's year whose four review stages all passed,
/// if the year's quota (when set) has room. The certificate is `JSLY-{year}-{nnn}`, one more
/// than the year's last; numbers of delisted units are never reused.
pub(super) fn award(state: &DecisionState, command: &Award) -> Result<Awarded, DomainError> {
    let decision = text::decision(&command.decision)?;
    let unit = target::current(state, command)?;
    if let (Status::Awarded, Some(award)) = (unit.status, &unit.award) {
        return Err(DomainError::InvalidTransition(format!(
            "{} is already awarded ({} {}, certificate {})",
            describe(unit),
            award.year,
            Status::Awarded.label_zh(),
            award.certificate_no
        )));
    }
    target::recommended_for(
        unit,
        command.year,
        "award",
        "; it can be awarded only for the year of its recommendation",
    )?;
    let progress = unit.reviews_of(command.year);
    if !progress.is_some_and(|p| p.is_complete()) {
        let next = progress.map_or(Some(liangye_events::catalogue::ReviewStage::FIRST), |p| {
            p.next_stage()
        });
        let next = next.map_or_else(String::new, |s| {
            format!("; the next stage to record is {} ({s})", s.label_zh())
        });
        return Err(DomainError::InvalidTransition(format!(
            "{} has not passed all four review stages of {}{next}",
            describe(unit),
            command.year
        )));
    }
    let record = state.year(command.year);
    if let Some(quota) = record.quota
        && record.awards_made >= quota
    {
        return Err(DomainError::QuotaExceeded {
            year: command.year,
            quota,
            awarded: record.awards_made,
        });
    }
    let certificate_no = record.next_certificate(command.year).ok_or_else(|| {
        DomainError::InvalidTransition(format!(
            "the certificate numbers of {} are exhausted",
            command.year
        ))
    })?;
    Ok(Awarded {
        unit_id: unit.id,
        year: command.year,
        certificate_no,
        decision,
    })
}
