//! 推荐: a city (or the province) puts a pilot forward for a year.

use chrono::Datelike;
use liangye_events::catalogue::{Figures, Recommended, Status, UnitKind};
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;

use super::command::{AboutUnit, Recommend};
use super::eligibility::unmet_criteria;
use super::error::DomainError;
use super::permissions;
use super::principal::Principal;
use super::target::{self, describe};
use super::text;

/// Recommends a pilot for a year. One recommendation per unit and year: a second one for
/// the same year is `DUPLICATE` even after that year's attempt failed; a unit that is not
/// `PILOT` (e.g. recommended for another year, or awarded) is `INVALID_TRANSITION`.
pub(super) fn recommend(
    state: &DecisionState,
    command: &Recommend,
    principal: &Principal,
) -> Result<Recommended, DomainError> {
    let decision = text::decision(&command.decision)?;
    let unit = unit_with_figures(state, command, principal, &command.figures)?;
    if unit.recommendation(command.year).is_some() {
        return Err(DomainError::Duplicate(format!(
            "{} was already recommended for {}; a unit is recommended at most once a year",
            describe(unit),
            command.year
        )));
    }
    target::require_status(unit, Status::Pilot, "recommend")?;
    check_year(unit, command)?;
    let unmet = unmet_criteria(unit.kind, &command.figures);
    if !unmet.is_empty() {
        return Err(DomainError::NotEligible {
            unit_id: unit.id,
            unit_name: unit.name.clone(),
            unmet,
        });
    }
    Ok(Recommended {
        unit_id: unit.id,
        year: command.year,
        city_code: unit.city,
        figures: command.figures,
        decision,
    })
}

/// The unit a city (or the province) gives `figures` for: `NOT_FOUND`, then `FORBIDDEN`
/// outside the principal's city, then `VALIDATION_FAILED` for a figure of the other sort
/// ([`check_relevant_figures`]), then `CONFLICT` unless the caller's view is current.
pub(super) fn unit_with_figures<'s>(
    state: &'s DecisionState,
    command: &impl AboutUnit,
    principal: &Principal,
    figures: &Figures,
) -> Result<&'s Unit, DomainError> {
    let unit = target::unit(state, command.designation_id())?;
    permissions::city_scope(principal, unit)?;
    check_relevant_figures(unit.kind, figures)?;
    target::check_unit_version(unit, command.expected_version())?;
    Ok(unit)
}

/// Regions are judged on GDP, revenue and manufacturing share; enterprises on revenue and
/// market-share rank. A figure of the other sort is refused rather than stored unused.
pub(super) fn check_relevant_figures(kind: UnitKind, figures: &Figures) -> Result<(), DomainError> {
    let refuse = |field: &'static str, applies: &str| {
        DomainError::validation(
            field,
            format!(
                "does not apply to {} ({kind}); it is a figure for {applies}",
                kind.label_zh()
            ),
        )
    };
    if kind.is_region() {
        if figures.market_share_rank.is_some() {
            return Err(refuse("marketShareRank", "enterprises"));
        }
    } else {
        if figures.gdp_yuan.is_some() {
            return Err(refuse("gdpYuan", "regions (counties and zones)"));
        }
        if figures.manufacturing_share_bp.is_some() {
            return Err(refuse("manufacturingShareBp", "regions (counties and zones)"));
        }
    }
    Ok(())
}

/// A recommendation's year is not before the year the unit was listed, and not after the
/// year following the decision's date.
fn check_year(unit: &Unit, command: &Recommend) -> Result<(), DomainError> {
    let year = command.year.get();
    let decided = command.decision.decided_on.year();
    if let Some(listed) = unit.listed_on()
        && year < listed.year()
    {
        return Err(DomainError::validation(
            "year",
            format!(
                "{year} is before {}, the year {} was listed ({listed}); recommend it for {} or later",
                listed.year(),
                describe(unit),
                listed.year()
            ),
        ));
    }
    if year > decided + 1 {
        return Err(DomainError::validation(
            "year",
            format!(
                "{year} is more than a year after the decision date {}; a recommendation dated in {decided} is for {decided} or {} at the latest",
                command.decision.decided_on,
                decided + 1
            ),
        ));
    }
    Ok(())
}
