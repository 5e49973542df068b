//! 列入试点 and 撤销试点: listing a unit as a pilot, and revoking a pilot.

use liangye_events::catalogue::{
    CityCode, CreditCode, Decision, DivisionCode, PilotListed, PilotRevoked, Status, UnitKind, ZoneCode,
    county_from_identifiers, unit_stream,
};
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Unit;
use uuid::Uuid;

use super::command::{ListPilot, RevokePilot};
use super::error::DomainError;
use super::limits::NAME_MAX;
use super::target::{self, describe};
use super::text;

/// Lists a new unit. Checks the kind's identifiers, the credit code's check character
/// (unless overridden with a note), and that no unit already holds the identifier.
pub(super) fn list(state: &DecisionState, command: &ListPilot) -> Result<PilotListed, DomainError> {
    let name = text::line("name", &command.name, NAME_MAX)?;
    let decision = text::decision(&command.decision)?;
    let industries = text::industries(&command.industries)?;
    let sectors = text::sectors(&command.sectors)?;
    let identifiers = Identifiers::of_listing(command);
    check_identifiers(&identifiers)?;
    let county_code = match command.county_code {
        Some(county) => Some(check_county(
            command.kind,
            command.city_code,
            command.division_code,
            county,
        )?),
        None => county_from_identifiers(command.kind, command.division_code),
    };
    let overridden = check_credit_code(command.credit_code, command.accept_invalid_credit_code)?;
    require_override_note(overridden, &decision)?;

    if let Some(existing) = state.unit(command.unit_id) {
        return Err(DomainError::Duplicate(format!(
            "a unit with id {} already exists ({}); generate a new unitId",
            command.unit_id, existing.name
        )));
    }
    target::check_version(|| unit_stream(command.unit_id), command.expected_version, 0)?;
    check_unique(state, &identifiers, &name, None)?;

    Ok(PilotListed {
        unit_id: command.unit_id,
        name,
        kind: command.kind,
        city_code: command.city_code,
        division_code: command.division_code,
        credit_code: command.credit_code,
        credit_code_check_overridden: overridden,
        zone_code: command.zone_code,
        industries,
        sectors,
        county_code,
        batch: command.batch,
        decision,
    })
}

/// A unit's county: a county-level division inside its city; a COUNTY's is its own code
/// and an INDUSTRIAL_ZONE's the county its division code names.
pub(super) fn check_county(
    kind: UnitKind,
    city: CityCode,
    division: Option<DivisionCode>,
    county: DivisionCode,
) -> Result<DivisionCode, DomainError> {
    county
        .check_in(city)
        .map_err(|e| DomainError::validation("countyCode", e))?;
    if matches!(kind, UnitKind::County | UnitKind::IndustrialZone)
        && let Some(division) = division
        && division != county
    {
        let whose = if kind == UnitKind::County {
            "a COUNTY lies in itself: its countyCode is its own divisionCode"
        } else {
            "an INDUSTRIAL_ZONE lies in the county its divisionCode names"
        };
        return Err(DomainError::validation(
            "countyCode",
            format!(
                "{county} differs from divisionCode {division}; {whose} (leave countyCode out to use it)"
            ),
        ));
    }
    Ok(county)
}

/// A unit's identifiers: as a listing gives them, or as an amendment leaves them.
pub(super) struct Identifiers {
    pub kind: UnitKind,
    pub city: CityCode,
    pub division_code: Option<DivisionCode>,
    pub credit_code: Option<CreditCode>,
    pub zone_code: Option<ZoneCode>,
    pub accept_invalid_credit_code: bool,
}

impl Identifiers {
    fn of_listing(command: &ListPilot) -> Self {
        Self {
            kind: command.kind,
            city: command.city_code,
            division_code: command.division_code,
            credit_code: command.credit_code,
            zone_code: command.zone_code,
            accept_invalid_credit_code: command.accept_invalid_credit_code,
        }
    }
}

/// A credit code accepted on the override needs a note saying why.
pub(super) fn require_override_note(overridden: bool, decision: &Decision) -> Result<(), DomainError> {
    if overridden && decision.note.is_none() {
        return Err(DomainError::validation(
            "note",
            "is required with acceptInvalidCreditCode: say why the credit code is accepted \
             although it fails the check (e.g. as registered on the business licence)",
        ));
    }
    Ok(())
}

/// The identifiers each kind must, may and must not carry (DESIGN.md §1, Units).
pub(super) fn check_identifiers(command: &Identifiers) -> Result<(), DomainError> {
    let kind = command.kind;
    let refuse = |field: &'static str, what: &str| {
        DomainError::validation(
            field,
            format!("does not apply to {} ({kind}); {what}", kind.label_zh()),
        )
    };
    match kind {
        UnitKind::County | UnitKind::IndustrialZone if command.division_code.is_none() => {
            let what = if kind == UnitKind::County {
                "a COUNTY is identified by its own 6-digit division code (GB/T 2260)"
            } else {
                "an INDUSTRIAL_ZONE is identified by its name and the 6-digit division code of \
                 the county it lies in"
            };
            return Err(DomainError::validation(
                "divisionCode",
                format!("is required: {what}"),
            ));
        }
        UnitKind::DevelopmentZone if command.division_code.is_some() => {
            return Err(refuse(
                "divisionCode",
                "a DEVELOPMENT_ZONE is identified by its catalogue name and, optionally, its \
                 8-digit zone code",
            ));
        }
        UnitKind::Enterprise if command.credit_code.is_none() => {
            return Err(DomainError::validation(
                "creditCode",
                "is required: an ENTERPRISE is identified by its 18-character unified social \
                 credit code (统一社会信用代码)",
            ));
        }
        _ => {}
    }
    if kind != UnitKind::Enterprise && command.credit_code.is_some() {
        return Err(refuse("creditCode", "only an ENTERPRISE carries a credit code"));
    }
    if kind != UnitKind::Enterprise && command.accept_invalid_credit_code {
        return Err(refuse(
            "acceptInvalidCreditCode",
            "only an ENTERPRISE carries a credit code",
        ));
    }
    if kind != UnitKind::DevelopmentZone && command.zone_code.is_some() {
        return Err(refuse("zoneCode", "only a DEVELOPMENT_ZONE carries a zone code"));
    }
    if let Some(code) = command.division_code {
        code.check_in(command.city)
            .map_err(|e| DomainError::validation("divisionCode", e))?;
    }
    Ok(())
}

/// Whether the credit code's check is waived: `Ok(true)` for a failing code accepted on
/// the override, `Ok(false)` for a code that passes (or none), else the check error.
pub(super) fn check_credit_code(code: Option<CreditCode>, accept_invalid: bool) -> Result<bool, DomainError> {
    match code {
        Some(code) => match code.verify_check() {
            Ok(()) => Ok(false),
            Err(_) if accept_invalid => Ok(true),
            Err(e) => Err(DomainError::validation("creditCode", e)),
        },
        None => Ok(false),
    }
}

/// One unit per identifier, for ever: no unit but `except` (the unit being amended) holds
/// any of `command`'s identifiers or, for a zone, its name in its city.
pub(super) fn check_unique(
    state: &DecisionState,
    command: &Identifiers,
    name: &str,
    except: Option<Uuid>,
) -> Result<(), DomainError> {
    let other = |holder: &&Unit| Some(holder.id) != except;
    let taken = |what: String, holder: &Unit| {
        DomainError::Duplicate(format!(
            "{what} already belongs to {} ({} {}, {}); a unit is listed once, whatever its status",
            describe(holder),
            holder.kind.label_zh(),
            holder.kind,
            holder.status.label_zh()
        ))
    };
    if let Some(code) = &command.credit_code
        && let Some(holder) = state.unit_by_credit_code(code).filter(other)
    {
        return Err(taken(format!("credit code {code}"), holder));
    }
    if command.kind == UnitKind::County
        && let Some(code) = &command.division_code
        && let Some(holder) = state.unit_by_division_code(code).filter(other)
    {
        return Err(taken(format!("division code {code}"), holder));
    }
    if command.kind.is_zone()
        && let Some(holder) = state.zone_by_name(command.city, name).filter(other)
    {
        return Err(taken(
            format!("the zone name {name:?} in {}", command.city.name()),
            holder,
        ));
    }
    if let Some(code) = &command.zone_code
        && let Some(holder) = state.unit_by_zone_code(code).filter(other)
    {
        return Err(taken(format!("zone code {code}"), holder));
    }
    Ok(())
}

/// Revokes a pilot; only a unit that is `PILOT` (not recommended, awarded or revoked).
pub(super) fn revoke(state: &DecisionState, command: &RevokePilot) -> Result<PilotRevoked, DomainError> {
    let decision = text::decision(&command.decision)?;
    let unit = target::current_in(state, command, Status::Pilot, "revokePilot")?;
    Ok(PilotRevoked {
        unit_id: unit.id,
        decision,
    })
}
