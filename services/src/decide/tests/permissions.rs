//! The whole permission matrix: every mutation × PROVINCIAL, CITY of the unit's city, CITY
//! of another city, AUDITOR, READER — with principals holding real tokens — and the token
//! checks.

use liangye_events::catalogue::{CityCode, DomainEvent, Grade, ReviewOutcome, ReviewStage, Role};

use super::fixtures::*;
use super::harness::given;
use crate::decide::{AmendUnit, Command, ErrorCode, Principal};

const PROVINCIAL_TOKEN: u128 = 0xA1;
const HOME_CITY_TOKEN: u128 = 0xA2;
const AWAY_CITY_TOKEN: u128 = 0xA3;
const AUDITOR_TOKEN: u128 = 0xA4;
const READER_TOKEN: u128 = 0xA5;
const SPARE_TOKEN: u128 = 0xA6;

/// The tokens of the five principals (and a spare one to revoke).
fn tokens() -> Vec<DomainEvent> {
    vec![
        token_granted(id(PROVINCIAL_TOKEN), Role::Provincial, None),
        token_granted(id(HOME_CITY_TOKEN), Role::City, Some(HOME)),
        token_granted(id(AWAY_CITY_TOKEN), Role::City, Some(AWAY)),
        token_granted(id(AUDITOR_TOKEN), Role::Auditor, None),
        token_granted(id(READER_TOKEN), Role::Reader, None),
        token_granted(id(SPARE_TOKEN), Role::Reader, None),
    ]
}

/// (label, principal) for every column of the matrix.
fn principals() -> [(&'static str, Principal); 5] {
    [
        ("PROVINCIAL", holder(id(PROVINCIAL_TOKEN), Role::Provincial, None)),
        (
            "CITY (own city)",
            holder(id(HOME_CITY_TOKEN), Role::City, Some(HOME)),
        ),
        (
            "CITY (other city)",
            holder(id(AWAY_CITY_TOKEN), Role::City, Some(AWAY)),
        ),
        ("AUDITOR", holder(id(AUDITOR_TOKEN), Role::Auditor, None)),
        ("READER", holder(id(READER_TOKEN), Role::Reader, None)),
    ]
}

/// Every mutation, with a history in which PROVINCIAL may carry it out.
fn mutations() -> Vec<(&'static str, Vec<DomainEvent>, Command)> {
    let unit = id(1);
    vec![
        ("listPilot", vec![], list_county(unit, "昆山市", "320583").into()),
        ("revokePilot", pilot(unit), revoke_pilot(unit).into()),
        (
            "recommend",
            pilot(unit),
            recommend(unit, 2024, eligible_region()).into(),
        ),
        (
            "recordReview",
            in_review(unit, 2024),
            record_review(unit, 2024, ReviewStage::Material, ReviewOutcome::Passed).into(),
        ),
        ("award", reviewed(unit, 2024), award(unit, 2024).into()),
        ("setAnnualQuota", vec![], set_quota(2024, 10).into()),
        (
            "recordEvaluation",
            benchmark(unit, 2024, 1),
            evaluate(unit, 2025, Grade::Good).into(),
        ),
        (
            "commend",
            [benchmark(unit, 2024, 1), vec![evaluated(unit, 2025, Grade::Good)]].concat(),
            commend(unit, 2025, "示范带动作用明显").into(),
        ),
        (
            "delist",
            benchmark(unit, 2024, 1),
            delist(unit, "绩效评价不合格", None).into(),
        ),
        (
            "issueAccess",
            vec![],
            issue_access(id(0xB1), Role::Reader, None).into(),
        ),
        ("revokeAccess", vec![], revoke_access(id(SPARE_TOKEN)).into()),
        // The unit's listing is its only decision, at position 7 (after the 6 tokens).
        ("retractDecision", pilot(unit), retract(unit, 7).into()),
        (
            "amendUnit",
            pilot(unit),
            AmendUnit {
                name: Some("昆山市（更正）".into()),
                ..amend(unit)
            }
            .into(),
        ),
        (
            "withdrawRecommendation",
            in_review(unit, 2024),
            withdraw(unit, 2024).into(),
        ),
        (
            "closeSelection",
            reviewed(unit, 2024),
            close_selection(unit, 2024).into(),
        ),
        (
            "reportIndicators",
            benchmark(unit, 2024, 1),
            report(unit, 2024, eligible_region()).into(),
        ),
        (
            "grantSubsidy",
            benchmark(unit, 2024, 1),
            grant(unit, 2024, 2_000_000).into(),
        ),
    ]
}

#[test]
fn every_mutation_by_every_role() {
    let mut checked = 0;
    for (name, history, command) in mutations() {
        assert_eq!(command.name(), name);
        let state = given([tokens(), history].concat());
        for (label, principal) in principals() {
            let allowed = match label {
                "PROVINCIAL" => true,
                "CITY (own city)" => {
                    matches!(name, "recommend" | "withdrawRecommendation" | "reportIndicators")
                }
                _ => false,
            };
            let then = state.when(command.clone(), &principal);
            if allowed {
                assert_eq!(then.then_ok().len(), 1, "{name} by {label}");
            } else {
                let error = then.then_error(ErrorCode::Forbidden);
                assert!(!error.to_string().is_empty(), "{name} by {label}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 17 * 5);
}

#[test]
fn forbidden_messages_say_who_may() {
    let state = given([tokens(), benchmark(id(1), 2024, 1)].concat());
    let error = state
        .when(
            delist(id(1), "绩效评价不合格", None),
            &holder(id(AUDITOR_TOKEN), Role::Auditor, None),
        )
        .then_error(ErrorCode::Forbidden);
    assert_eq!(
        error.to_string(),
        "审计 (AUDITOR) tokens are read-only; delist is decided by 省发展改革委 (PROVINCIAL)"
    );
    state
        .when(
            set_quota(2024, 3),
            &holder(id(HOME_CITY_TOKEN), Role::City, Some(HOME)),
        )
        .then_refused(
            ErrorCode::Forbidden,
            "may not set annual quotas (年度指标): setAnnualQuota is decided by 省发展改革委",
        );
}

#[test]
fn a_city_recommends_only_units_of_its_own_city() {
    let state = given(pilot(id(1)));
    state
        .when(recommend(id(1), 2024, eligible_region()), &city(HOME))
        .then_events([recommended(id(1), 2024)]);
    let error = state
        .when(recommend(id(1), 2024, eligible_region()), &city(AWAY))
        .then_error(ErrorCode::Forbidden);
    assert_eq!(
        error.to_string(),
        "南京 设区市发展改革委 acts only on units of 南京; 县1 is in 苏州 (320500)"
    );
}

#[test]
fn a_city_withdraws_and_reports_only_for_units_of_its_own_city() {
    let in_review = given(in_review(id(1), 2024));
    in_review
        .when(withdraw(id(1), 2024), &city(HOME))
        .then_events([withdrawn(id(1), 2024)]);
    in_review
        .when(withdraw(id(1), 2024), &city(AWAY))
        .then_refused(ErrorCode::Forbidden, "acts only on units of 南京");

    let awarded = given(benchmark(id(1), 2024, 1));
    awarded
        .when(report(id(1), 2024, eligible_region()), &city(HOME))
        .then_events([reported(id(1), 2024, eligible_region(), false)]);
    awarded
        .when(report(id(1), 2024, eligible_region()), &city(AWAY))
        .then_error(ErrorCode::Forbidden);
    // The other new decisions are the province's alone, whatever the city.
    awarded
        .when(grant(id(1), 2024, 1_000_000), &city(HOME))
        .then_error(ErrorCode::Forbidden);
    given(reviewed(id(1), 2024))
        .when(close_selection(id(1), 2024), &city(HOME))
        .then_error(ErrorCode::Forbidden);
    given(pilot(id(1)))
        .when(retract(id(1), 1), &city(HOME))
        .then_error(ErrorCode::Forbidden);
}

#[test]
fn a_city_principal_without_a_city_may_not_recommend() {
    let principal = crate::decide::Principal {
        city: None,
        ..city(HOME)
    };
    given(pilot(id(1)))
        .when(recommend(id(1), 2024, eligible_region()), &principal)
        .then_error(ErrorCode::Forbidden);
}

#[test]
fn forbidden_comes_before_validation_and_not_found() {
    // A blank reason about a unit that does not exist, by a reader: FORBIDDEN.
    given([])
        .when(delist(id(404), " ", None), &reader())
        .then_error(ErrorCode::Forbidden);
}

#[test]
fn an_unknown_token_is_unauthenticated() {
    given(pilot(id(1)))
        .when(
            recommend(id(1), 2024, eligible_region()),
            &holder(id(0xEE), Role::Provincial, None),
        )
        .then_error(ErrorCode::Unauthenticated);
}

#[test]
fn a_revoked_token_is_unauthenticated_even_for_reading_roles() {
    let history = [tokens(), vec![token_revoked(id(PROVINCIAL_TOKEN))], pilot(id(1))].concat();
    given(history.clone())
        .when(
            revoke_pilot(id(1)),
            &holder(id(PROVINCIAL_TOKEN), Role::Provincial, None),
        )
        .then_refused(ErrorCode::Unauthenticated, "has been revoked");

    let history = [tokens(), vec![token_revoked(id(READER_TOKEN))]].concat();
    given(history)
        .when(set_quota(2024, 1), &holder(id(READER_TOKEN), Role::Reader, None))
        .then_error(ErrorCode::Unauthenticated);
}

#[test]
fn a_token_presented_with_another_role_or_city_is_unauthenticated() {
    let state = given([tokens(), pilot(id(1))].concat());
    // A reader's token claiming to be provincial.
    state
        .when(
            revoke_pilot(id(1)),
            &holder(id(READER_TOKEN), Role::Provincial, None),
        )
        .then_error(ErrorCode::Unauthenticated);
    // A Nanjing token claiming to act for Suzhou.
    state
        .when(
            recommend(id(1), 2024, eligible_region()),
            &holder(id(AWAY_CITY_TOKEN), Role::City, Some(CityCode::Suzhou)),
        )
        .then_error(ErrorCode::Unauthenticated);
}

#[test]
fn a_token_issued_earlier_in_the_log_acts() {
    given([tokens(), pilot(id(1))].concat())
        .when(
            revoke_pilot(id(1)),
            &holder(id(PROVINCIAL_TOKEN), Role::Provincial, None),
        )
        .then_events([pilot_revoked(id(1))]);
}

#[test]
fn operators_without_a_token_act_as_given() {
    given(pilot(id(1)))
        .when(revoke_pilot(id(1)), &Principal::operator("console"))
        .then_events([pilot_revoked(id(1))]);
    given(pilot(id(1)))
        .when(revoke_pilot(id(1)), &auditor())
        .then_error(ErrorCode::Forbidden);
}
