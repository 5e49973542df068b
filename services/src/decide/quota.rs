//! 设定年度指标: the number of awards a year may have.

use liangye_events::catalogue::{AnnualQuotaSet, quota_stream};
use liangye_projections::DecisionState;

use super::command::SetAnnualQuota;
use super::error::DomainError;
use super::limits::DOCUMENT_REF_MAX;
use super::target;
use super::text;

/// Sets a year's quota; it may not be below the awards already made that year.
pub(super) fn set(state: &DecisionState, command: &SetAnnualQuota) -> Result<AnnualQuotaSet, DomainError> {
    let decision = text::decision(&command.decision)?;
    let guideline_ref = command
        .guideline_ref
        .as_deref()
        .map(|r| text::optional_line("guidelineRef", r, DOCUMENT_REF_MAX))
        .transpose()?
        .flatten();
    let record = state.year(command.year);
    target::check_version(
        || quota_stream(command.year),
        command.expected_version,
        record.quota_version,
    )?;
    if command.total < record.awards_made {
        return Err(DomainError::validation(
            "total",
            format!(
                "{} is below the {} awards already made in {}; the quota cannot be set lower",
                command.total, record.awards_made, command.year
            ),
        ));
    }
    Ok(AnnualQuotaSet {
        year: command.year,
        total: command.total,
        guideline_ref,
        decision,
    })
}
