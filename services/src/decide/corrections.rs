//! Corrections (DESIGN.md §1, Corrections and closures): 撤销错误决定 undoes a unit's latest
//! decision; 信息变更 corrects its data.

use liangye_events::catalogue::{DecisionRetracted, DomainEvent, UnitAmended, UnitKind};
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;

use super::command::{AmendUnit, RetractDecision};
use super::error::DomainError;
use super::limits::{NAME_MAX, PARAGRAPH_MAX};
use super::pilot;
use super::target::{self, describe};
use super::text;

/// Retracts the unit's latest decision that stands. Decisions are undone newest first; a
/// retraction is not itself retracted (the decision is recorded again instead).
pub(super) fn retract(state: &DecisionState, command: &RetractDecision) -> Result<DomainEvent, DomainError> {
    let reason = text::paragraph("reason", &command.reason, PARAGRAPH_MAX)?;
    let decision = text::decision(&command.decision)?;
    if command.position < 1 {
        return Err(DomainError::validation(
            "position",
            format!(
                "{} is not a log position; positions start at 1 (see the unit's history)",
                command.position
            ),
        ));
    }
    let unit = target::unit(state, command.designation_id)?;
    target::check_unit_version(unit, command.expected_version)?;
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
    }
    .into())
}

/// Amends a unit's data: any of name, sectors, industries, county, identifiers, with a
/// reason. New identifiers are checked as a listing's are, and must be free.
pub(super) fn amend(state: &DecisionState, command: &AmendUnit) -> Result<DomainEvent, DomainError> {
    let reason = text::paragraph("reason", &command.reason, PARAGRAPH_MAX)?;
    let decision = text::decision(&command.decision)?;
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
    let unit = target::unit(state, command.designation_id)?;
    target::check_unit_version(unit, command.expected_version)?;
    let kind = unit.kind;
    let refuse = |field: &'static str, what: &str| {
        DomainError::validation(
            field,
            format!("does not apply to {} ({kind}); {what}", kind.label_zh()),
        )
    };
    if command.credit_code.is_some() && kind != UnitKind::Enterprise {
        return Err(refuse("creditCode", "only an ENTERPRISE carries a credit code"));
    }
    if command.accept_invalid_credit_code && command.credit_code.is_none() {
        return Err(DomainError::validation(
            "acceptInvalidCreditCode",
            "applies only together with a new creditCode",
        ));
    }
    if command.zone_code.is_some() && kind != UnitKind::DevelopmentZone {
        return Err(refuse("zoneCode", "only a DEVELOPMENT_ZONE carries a zone code"));
    }
    if command.division_code.is_some() && kind == UnitKind::DevelopmentZone {
        return Err(refuse(
            "divisionCode",
            "a DEVELOPMENT_ZONE is identified by its catalogue name and, optionally, its zone code",
        ));
    }
    if let Some(code) = command.division_code {
        code.check_in(unit.city)
            .map_err(|e| DomainError::validation("divisionCode", e))?;
    }
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
    let overridden = match command.credit_code {
        Some(code) => pilot::check_credit_code(Some(code), command.accept_invalid_credit_code)?,
        None => false,
    };
    if overridden && decision.note.is_none() {
        return Err(DomainError::validation(
            "note",
            "is required with acceptInvalidCreditCode: say why the credit code is accepted \
             although it fails the check (e.g. as registered on the business licence)",
        ));
    }
    check_free(state, unit, command, name.as_deref())?;
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
    }
    .into())
}

/// A new identifier must not belong to another unit.
fn check_free(
    state: &DecisionState,
    unit: &Unit,
    command: &AmendUnit,
    name: Option<&str>,
) -> Result<(), DomainError> {
    let taken = |what: String, holder: &Unit| {
        Err(DomainError::Duplicate(format!(
            "{what} already belongs to {}; one unit per identifier",
            describe(holder)
        )))
    };
    if let Some(code) = &command.credit_code
        && let Some(holder) = state.unit_by_credit_code(code)
        && holder.id != unit.id
    {
        return taken(format!("credit code {code}"), holder);
    }
    if unit.kind == UnitKind::County
        && let Some(code) = &command.division_code
        && let Some(holder) = state.unit_by_division_code(code)
        && holder.id != unit.id
    {
        return taken(format!("division code {code}"), holder);
    }
    if unit.kind.is_zone()
        && let Some(name) = name
        && let Some(holder) = state.zone_by_name(unit.city, name)
        && holder.id != unit.id
    {
        return taken(format!("the zone name {name:?} in {}", unit.city.name()), holder);
    }
    if let Some(code) = &command.zone_code
        && let Some(holder) = state.unit_by_zone_code(code)
        && holder.id != unit.id
    {
        return taken(format!("zone code {code}"), holder);
    }
    Ok(())
}
