//! Monitoring and subsidies of awarded units (policy §四(一) 统计监测, §三(五) 奖励补助).

use liangye_events::catalogue::{IndicatorsReported, Status, SubsidyGranted, Yuan};
use liangye_projections::DecisionState;

use super::command::{GrantSubsidy, ReportIndicators};
use super::eligibility::unmet_criteria;
use super::error::DomainError;
use super::limits::NAME_MAX;
use super::principal::Principal;
use super::recommendation::unit_with_figures;
use super::supervision::not_before_award;
use super::target::{self, describe};
use super::text;

/// Records an awarded unit's figures for a year, one report per year. `belowStandard` is
/// judged by the recommendation's own rules ([`unmet_criteria`]): a figure not reported
/// counts as unmet, as it does for a recommendation.
pub(super) fn report(
    state: &DecisionState,
    command: &ReportIndicators,
    principal: &Principal,
) -> Result<IndicatorsReported, DomainError> {
    let decision = text::decision(&command.decision)?;
    let f = &command.figures;
    let empty = f.figures.revenue_yuan.is_none()
        && f.figures.gdp_yuan.is_none()
        && f.figures.manufacturing_share_bp.is_none()
        && f.figures.market_share_rank.is_none()
        && f.service_revenue_yuan.is_none()
        && f.rd_expense_yuan.is_none();
    if empty {
        return Err(DomainError::validation(
            "input",
            "reports no figure; give at least one of revenueYuan, gdpYuan, \
             manufacturingShareBp, marketShareRank, serviceRevenueYuan, rdExpenseYuan",
        ));
    }
    let unit = unit_with_figures(state, command, principal, &f.figures)?;
    target::require_status(unit, Status::Awarded, "reportIndicators")?;
    not_before_award(unit, command.year)?;
    if unit.indicators_of(command.year).is_some() {
        return Err(DomainError::Duplicate(format!(
            "{} already has its {} indicators report; to correct it, retract it \
             (retractDecision) and report again",
            describe(unit),
            command.year
        )));
    }
    let below_standard = !unmet_criteria(unit.kind, &f.figures).is_empty();
    Ok(IndicatorsReported {
        unit_id: unit.id,
        year: command.year,
        figures: *f,
        below_standard,
        decision,
    })
}

/// Grants a subsidy to a unit that is awarded on the decision's date.
pub(super) fn grant(state: &DecisionState, command: &GrantSubsidy) -> Result<SubsidyGranted, DomainError> {
    let fund = text::line("fund", &command.fund, NAME_MAX)?;
    let decision = text::decision(&command.decision)?;
    if command.amount_yuan <= Yuan::MIN {
        return Err(DomainError::validation(
            "amountYuan",
            "must be more than 0 yuan (whole yuan, e.g. \"2000000\" for 200万元)",
        ));
    }
    let unit = target::current_in(state, command, Status::Awarded, "grantSubsidy")?;
    if let Some(award) = &unit.award
        && decision.decided_on < award.decided_on
    {
        return Err(DomainError::validation(
            "decidedOn",
            format!(
                "{} is before {}'s award on {}; a subsidy goes to a unit awarded on its date",
                decision.decided_on,
                describe(unit),
                award.decided_on
            ),
        ));
    }
    Ok(SubsidyGranted {
        unit_id: unit.id,
        year: command.year,
        amount_yuan: command.amount_yuan,
        fund,
        decision,
    })
}
