//! listPilot (列入试点): identifiers by kind, the credit code check and its override,
//! one unit per identifier, text limits.

use liangye_events::catalogue::{
    CityCode, CreditCode, DivisionCode, DomainEvent, PilotListed, UnitKind, ZoneCode,
};

use super::fixtures::*;
use super::harness::given;
use crate::decide::{ErrorCode, ListPilot};

fn listed(event: DomainEvent) -> PilotListed {
    match event {
        DomainEvent::PilotListed(listed) => listed,
        other => panic!("not PilotListed: {other:?}"),
    }
}

#[test]
fn a_county_with_its_division_code() {
    given([])
        .when(list_county(id(1), "昆山市", "320583"), &provincial())
        .then_events([county_listed(id(1), "昆山市", "320583")]);
}

#[test]
fn a_county_needs_a_division_code_inside_its_city() {
    let missing = ListPilot {
        division_code: None,
        ..list_county(id(1), "昆山市", "320583")
    };
    let message = given([])
        .when(missing, &provincial())
        .then_invalid("divisionCode");
    assert!(message.contains("is required"), "{message}");

    let elsewhere = ListPilot {
        city_code: CityCode::Nanjing,
        ..list_county(id(1), "昆山市", "320583")
    };
    let message = given([])
        .when(elsewhere, &provincial())
        .then_invalid("divisionCode");
    assert!(
        message.contains("320583 lies in 苏州 (320500), not in 南京 (320100)"),
        "{message}"
    );
}

#[test]
fn a_county_carries_no_credit_or_zone_code() {
    let with_credit = ListPilot {
        credit_code: Some(CreditCode::parse(VALID_CREDIT_CODE).unwrap()),
        ..list_county(id(1), "昆山市", "320583")
    };
    given([])
        .when(with_credit, &provincial())
        .then_invalid("creditCode");
    let with_zone = ListPilot {
        zone_code: Some(ZoneCode::parse("32058300").unwrap()),
        ..list_county(id(1), "昆山市", "320583")
    };
    given([]).when(with_zone, &provincial()).then_invalid("zoneCode");
}

#[test]
fn an_enterprise_with_a_valid_credit_code() {
    given([])
        .when(list_enterprise(id(1), VALID_CREDIT_CODE), &provincial())
        .then_events([enterprise_listed(id(1), VALID_CREDIT_CODE)]);
}

#[test]
fn an_enterprise_needs_a_credit_code() {
    let without = ListPilot {
        credit_code: None,
        ..list_enterprise(id(1), VALID_CREDIT_CODE)
    };
    given([]).when(without, &provincial()).then_invalid("creditCode");
}

#[test]
fn an_enterprise_may_name_the_county_it_is_registered_in() {
    let command = ListPilot {
        division_code: Some(DivisionCode::parse("320583").unwrap()),
        ..list_enterprise(id(1), VALID_CREDIT_CODE)
    };
    let event = listed(given([]).when(command, &provincial()).then_ok().remove(0));
    assert_eq!(event.division_code.map(|d| d.to_string()), Some("320583".into()));
}

#[test]
fn a_failing_check_character_is_refused_naming_the_expected_one() {
    let message = given([])
        .when(list_enterprise(id(1), BAD_CHECK_CREDIT_CODE), &provincial())
        .then_invalid("creditCode");
    assert!(
        message.contains("its last character is 4 but the first 17 characters give 3"),
        "{message}"
    );
}

#[test]
fn the_override_admits_a_failing_code_with_a_note() {
    let mut command = ListPilot {
        accept_invalid_credit_code: true,
        ..list_enterprise(id(1), BAD_CHECK_CREDIT_CODE)
    };
    command.decision.note = Some("营业执照所载代码校验位不符，经核实无误".into());
    let event = listed(given([]).when(command, &provincial()).then_ok().remove(0));
    assert!(event.credit_code_check_overridden);
    assert_eq!(
        event.credit_code.map(|c| c.to_string()),
        Some(BAD_CHECK_CREDIT_CODE.into())
    );
}

#[test]
fn the_override_requires_a_note() {
    let mut command = ListPilot {
        accept_invalid_credit_code: true,
        ..list_enterprise(id(1), BAD_CHECK_CREDIT_CODE)
    };
    command.decision.note = Some("   ".into());
    given([]).when(command, &provincial()).then_invalid("note");
}

#[test]
fn the_override_on_a_valid_code_records_no_override() {
    let command = ListPilot {
        accept_invalid_credit_code: true,
        ..list_enterprise(id(1), VALID_CREDIT_CODE)
    };
    let event = listed(given([]).when(command, &provincial()).then_ok().remove(0));
    assert!(!event.credit_code_check_overridden);
}

#[test]
fn the_override_applies_to_enterprises_only() {
    let command = ListPilot {
        accept_invalid_credit_code: true,
        ..list_county(id(1), "昆山市", "320583")
    };
    given([])
        .when(command, &provincial())
        .then_invalid("acceptInvalidCreditCode");
}

#[test]
fn an_industrial_zone_with_name_and_county() {
    given([])
        .when(
            list_industrial_zone(id(1), "昆山高新技术产业集中区", "320583"),
            &provincial(),
        )
        .then_events([industrial_zone_listed(id(1), "昆山高新技术产业集中区", "320583")]);
    let without_county = ListPilot {
        division_code: None,
        ..list_industrial_zone(id(1), "昆山高新技术产业集中区", "320583")
    };
    given([])
        .when(without_county, &provincial())
        .then_invalid("divisionCode");
}

#[test]
fn a_development_zone_with_or_without_a_zone_code() {
    given([])
        .when(
            list_development_zone(id(1), "苏州工业园区", Some("32051100")),
            &provincial(),
        )
        .then_events([development_zone_listed(id(1), "苏州工业园区", Some("32051100"))]);
    given([])
        .when(list_development_zone(id(1), "苏州工业园区", None), &provincial())
        .then_events([development_zone_listed(id(1), "苏州工业园区", None)]);
    let with_division = ListPilot {
        division_code: Some(DivisionCode::parse("320583").unwrap()),
        ..list_development_zone(id(1), "苏州工业园区", None)
    };
    given([])
        .when(with_division, &provincial())
        .then_invalid("divisionCode");
}

#[test]
fn a_second_unit_with_the_same_credit_code_is_a_duplicate() {
    given([enterprise_listed(id(1), VALID_CREDIT_CODE)])
        .when(list_enterprise(id(2), VALID_CREDIT_CODE), &provincial())
        .then_refused(
            ErrorCode::Duplicate,
            "credit code 91350100M000100Y43 already belongs to",
        );
}

#[test]
fn identifiers_stay_taken_after_revocation() {
    given([enterprise_listed(id(1), VALID_CREDIT_CODE), pilot_revoked(id(1))])
        .when(list_enterprise(id(2), VALID_CREDIT_CODE), &provincial())
        .then_error(ErrorCode::Duplicate);
}

#[test]
fn a_second_county_with_the_same_division_code_is_a_duplicate() {
    given([county_listed(id(1), "昆山市", "320583")])
        .when(list_county(id(2), "昆山", "320583"), &provincial())
        .then_error(ErrorCode::Duplicate);
}

#[test]
fn zones_in_a_county_do_not_take_the_county_code() {
    given([industrial_zone_listed(id(1), "昆山高新技术产业集中区", "320583")])
        .when(list_county(id(2), "昆山市", "320583"), &provincial())
        .then_events([county_listed(id(2), "昆山市", "320583")]);
    given([
        industrial_zone_listed(id(1), "昆山高新技术产业集中区", "320583"),
        county_listed(id(2), "昆山市", "320583"),
    ])
    .when(
        list_industrial_zone(id(3), "昆山精密机械产业集中区", "320583"),
        &provincial(),
    )
    .then_events([industrial_zone_listed(id(3), "昆山精密机械产业集中区", "320583")]);
}

#[test]
fn the_same_zone_name_in_the_same_city_is_a_duplicate() {
    // Even in another county of the city, and across the two zone kinds, and spelled with
    // other spaces or parentheses.
    let history = [industrial_zone_listed(
        id(1),
        "高新技术产业集中区（北区）",
        "320583",
    )];
    given(history.clone())
        .when(
            list_industrial_zone(id(2), "高新技术产业集中区(北区)", "320581"),
            &provincial(),
        )
        .then_error(ErrorCode::Duplicate);
    given(history.clone())
        .when(
            list_development_zone(id(2), "高新技术产业集中区 （北区）", None),
            &provincial(),
        )
        .then_error(ErrorCode::Duplicate);
    // The same name in another city is another zone.
    given(history)
        .when(
            list_industrial_zone(id(2), "高新技术产业集中区（北区）", "320115"),
            &provincial(),
        )
        .then_ok();
}

#[test]
fn a_second_development_zone_with_the_same_zone_code_is_a_duplicate() {
    given([development_zone_listed(id(1), "苏州工业园区", Some("32051100"))])
        .when(
            list_development_zone(id(2), "苏州高新技术产业开发区", Some("32051100")),
            &provincial(),
        )
        .then_error(ErrorCode::Duplicate);
}

#[test]
fn a_reused_unit_id_is_a_duplicate() {
    given([county_listed(id(1), "昆山市", "320583")])
        .when(list_enterprise(id(1), VALID_CREDIT_CODE), &provincial())
        .then_error(ErrorCode::Duplicate);
}

#[test]
fn a_new_unit_is_at_version_0() {
    let expecting = |version| ListPilot {
        expected_version: Some(version),
        ..list_county(id(1), "昆山市", "320583")
    };
    given([]).when(expecting(0), &provincial()).then_ok();
    given([])
        .when(expecting(1), &provincial())
        .then_error(ErrorCode::Conflict);
}

#[test]
fn text_is_trimmed_and_blank_optionals_dropped() {
    let mut command = list_county(id(1), "  昆山市 ", "320583");
    command.industries = vec![" 智能制造".into(), "工业互联网 ".into(), "智能制造".into()];
    command.decision.document_ref = Some("  ".into());
    command.decision.note = Some(" 第一批 \n 试点 ".into());
    let event = listed(given([]).when(command, &provincial()).then_ok().remove(0));
    assert_eq!(event.name, "昆山市");
    assert_eq!(event.industries, ["智能制造", "工业互联网"]);
    assert_eq!(event.decision.document_ref, None);
    assert_eq!(event.decision.note.as_deref(), Some("第一批 \n 试点"));
}

#[test]
fn names_are_required_single_lines_of_at_most_200_characters() {
    let named = |name: String| list_county(id(1), &name, "320583");
    given([])
        .when(named(" ".into()), &provincial())
        .then_invalid("name");
    given([])
        .when(named("昆山\n市".into()), &provincial())
        .then_invalid("name");
    given([]).when(named("县".repeat(200)), &provincial()).then_ok();
    let message = given([])
        .when(named("县".repeat(201)), &provincial())
        .then_invalid("name");
    assert_eq!(message, "is 201 characters long; at most 200 are allowed");
}

#[test]
fn notes_and_document_refs_are_bounded() {
    let mut command = list_county(id(1), "昆山市", "320583");
    command.decision.note = Some("注".repeat(2000));
    given([]).when(command.clone(), &provincial()).then_ok();
    command.decision.note = Some("注".repeat(2001));
    given([])
        .when(command.clone(), &provincial())
        .then_invalid("note");
    command.decision.note = None;
    command.decision.document_ref = Some("号".repeat(201));
    given([]).when(command, &provincial()).then_invalid("documentRef");
}

#[test]
fn industries_must_not_be_blank_or_too_many() {
    let mut command = list_county(id(1), "昆山市", "320583");
    command.industries = vec!["智能制造".into(), " ".into()];
    given([])
        .when(command.clone(), &provincial())
        .then_invalid("industries");
    command.industries = (0..51).map(|i| format!("行业{i}")).collect();
    given([])
        .when(command.clone(), &provincial())
        .then_invalid("industries");
    command.industries = vec![];
    given([]).when(command, &provincial()).then_ok();
}

#[test]
fn an_implausible_decision_date_is_refused() {
    let mut command = list_county(id(1), "昆山市", "320583");
    command.decision.decided_on = date(1999, 12, 31);
    given([])
        .when(command.clone(), &provincial())
        .then_invalid("decidedOn");
    command.decision.decided_on = date(2101, 1, 1);
    given([]).when(command, &provincial()).then_invalid("decidedOn");
}

#[test]
fn kinds_list_as_given() {
    for (command, kind) in [
        (list_county(id(1), "昆山市", "320583"), UnitKind::County),
        (list_enterprise(id(1), VALID_CREDIT_CODE), UnitKind::Enterprise),
        (
            list_industrial_zone(id(1), "昆山高新技术产业集中区", "320583"),
            UnitKind::IndustrialZone,
        ),
        (
            list_development_zone(id(1), "苏州工业园区", None),
            UnitKind::DevelopmentZone,
        ),
    ] {
        let event = listed(given([]).when(command, &provincial()).then_ok().remove(0));
        assert_eq!(event.kind, kind);
        assert_eq!(event.city_code, HOME);
    }
}
