//! Corrections (DESIGN.md §1, Corrections and closures): 撤销错误决定 undoes a unit's latest
//! decision; 信息变更 corrects its data.

use liangye_events::catalogue::{DecisionRetracted, UnitAmended, UnitKind};
use liangye_projections::DecisionState;

use super::command::{AmendUnit, RetractDecision};
use super::error::DomainError;
use super::limits::NAME_MAX;
use super::pilot;
use super::pilot::Identifiers;
use super::target::{self, describe};
use super::text;

/// Retracts the unit's latest decision that stands. Decisions are undone newest first; a
/// retraction is not itself retracted (the decision is recorded again instead).
pub(super) fn retract(
    state: &DecisionState,
    command: &RetractDecision,
) -> Result<DecisionRetracted, DomainError> {
    let (reason, decision) = text::reasoned(&command.reason, &command.decision)?;
    if command.position < 1 {
        return Err(DomainError::validation(
            "position",
            format!(
                "{} is not a log position; positions start at 1 (see the unit's history)",
                command.position
            ),
        ));
    }
    let unit = target::current(state, command)?;
    let Some(latest) = unit.latest_decision() else {
        return Err(DomainError::InvalidTransition(format!(
            "{} has no decision left to retract",
            describe(unit)
        )));
    };
    if latest.position != command.position {
        let what = if unit.decisions.iter().any(|d| d.position == command.position) {
            "is not its latest decision: decisions are retracted newest first"
        } else {
            "is not one of its decisions that stand (it may be another unit's, already \
             retracted, or a retraction, which is not retracted: record the decision again \
             instead)"
        };
        return Err(DomainError::InvalidTransition(format!(
            "position {} {what}; the latest decision about {} is {} ({}) at position {}",
            command.position,
            describe(unit),
            latest.event_type.label_zh(),
            latest.event_type,
            latest.position
        )));
    }
    Ok(DecisionRetracted {
        unit_id: unit.id,
        position: latest.position,
        retracted_type: latest.event_type,
        reason,
        decision,
    })
}

/// Amends a unit's data: any of name, sectors, industries, county, identifiers, with a
/// reason. New identifiers are checked as a listing's are, and must be free.
pub(super) fn amend(state: &DecisionState, command: &AmendUnit) -> Result<UnitAmended, DomainError> {
    let (reason, decision) = text::reasoned(&command.reason, &command.decision)?;
    let name = command
        .name
        .as_deref()
        .map(|name| text::line("name", name, NAME_MAX))
        .transpose()?;
    let industries = command.industries.as_deref().map(text::industries).transpose()?;
    let sectors = command.sectors.as_deref().map(text::sectors).transpose()?;
    let nothing = name.is_none()
        && sectors.is_none()
        && industries.is_none()
        && command.county_code.is_none()
        && command.credit_code.is_none()
        && command.division_code.is_none()
        && command.zone_code.is_none();
    if nothing {
        return Err(DomainError::validation(
            "input",
            "names nothing to change; give at least one of name, sectors, industries, \
             countyCode, creditCode, divisionCode, zoneCode",
        ));
    }
    let unit = target::current(state, command)?;
    let kind = unit.kind;
    if command.accept_invalid_credit_code && command.credit_code.is_none() {
        return Err(DomainError::validation(
            "acceptInvalidCreditCode",
            "applies only together with a new creditCode",
        ));
    }
    // The identifiers as the amendment leaves them, checked as a listing's are.
    let after = Identifiers {
        kind,
        city: unit.city,
        division_code: command.division_code.or(unit.division_code),
        credit_code: command.credit_code.or(unit.credit_code),
        zone_code: command.zone_code.or(unit.zone_code),
        accept_invalid_credit_code: command.accept_invalid_credit_code,
    };
    pilot::check_identifiers(&after)?;
    let division = command.division_code.or(unit.division_code);
    let county = match command.county_code {
        Some(county) => Some(pilot::check_county(kind, unit.city, division, county)?),
        None if command.division_code.is_some() && kind != UnitKind::DevelopmentZone => {
            // A new own/county division code moves the county with it.
            command.division_code
        }
        None => None,
    };
    if county.is_none()
        && let (Some(current), Some(division)) = (unit.county_code, command.division_code)
        && current != division
        && matches!(kind, UnitKind::County | UnitKind::IndustrialZone)
    {
        return Err(DomainError::validation("countyCode", "must follow divisionCode"));
    }
    let overridden = pilot::check_credit_code(command.credit_code, command.accept_invalid_credit_code)?;
    pilot::require_override_note(overridden, &decision)?;
    let name_after = name.as_deref().unwrap_or(&unit.name);
    pilot::check_unique(state, &after, name_after, Some(unit.id))?;
    Ok(UnitAmended {
        unit_id: unit.id,
        reason,
        name,
        sectors,
        industries,
        county_code: county,
        credit_code: command.credit_code,
        credit_code_check_overridden: command.credit_code.map(|_| overridden),
        division_code: command.division_code,
        zone_code: command.zone_code,
        decision,
    })
}
