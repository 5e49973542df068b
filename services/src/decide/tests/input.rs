//! Building commands from plain values (what GraphQL passes), and the error codes.

use liangye_events::catalogue::{DelistGround, Grade, ReviewOutcome, ReviewStage, Role, UnitKind};

use super::fixtures::*;
use super::harness::given;
use crate::decide::input::{
    AwardInput, CommendInput, DecisionInput, DelistInput, IssueAccessInput, ListPilotInput, RecommendInput,
    RecordEvaluationInput, RecordReviewInput, RevokePilotInput, SetAnnualQuotaInput, revoke_access,
};
use crate::decide::{Command, DomainError, ErrorCode};

fn decision() -> DecisionInput {
    DecisionInput {
        decided_on: date(2024, 5, 6),
        document_ref: Some("苏发改服务发〔2024〕123号".into()),
        note: None,
        expected_version: None,
    }
}

fn field(result: Result<Command, DomainError>) -> &'static str {
    match result {
        Err(DomainError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn enterprise_input(credit_code: &str) -> ListPilotInput {
    ListPilotInput {
        unit_id: id(1),
        name: "江苏某某装备股份有限公司".into(),
        kind: UnitKind::Enterprise,
        city_code: "320500".into(),
        division_code: None,
        credit_code: Some(credit_code.into()),
        accept_invalid_credit_code: false,
        zone_code: Some(" ".into()),
        industries: vec!["智能制造".into(), "工业互联网".into()],
        batch: 1,
        decision: decision(),
        sectors: None,
        county_code: None,
    }
}

fn recommend_input() -> RecommendInput {
    RecommendInput {
        designation_id: id(1),
        year: 2024,
        revenue_yuan: None,
        gdp_yuan: Some("20000000000".into()),
        manufacturing_share_bp: Some(4000),
        market_share_rank: None,
        decision: decision(),
    }
}

#[test]
fn list_pilot_from_strings_decides_like_the_typed_command() {
    let command = enterprise_input(VALID_CREDIT_CODE).parse().unwrap();
    assert_eq!(command, list_enterprise(id(1), VALID_CREDIT_CODE).into());
    given([])
        .when(command, &provincial())
        .then_events([enterprise_listed(id(1), VALID_CREDIT_CODE)]);
}

#[test]
fn list_pilot_inputs_are_checked_field_by_field() {
    let bad_city = ListPilotInput {
        city_code: "310100".into(),
        ..enterprise_input(VALID_CREDIT_CODE)
    };
    assert_eq!(field(bad_city.parse()), "cityCode");
    assert_eq!(field(enterprise_input("9135010").parse()), "creditCode");
    let bad_division = ListPilotInput {
        division_code: Some("3205".into()),
        ..enterprise_input(VALID_CREDIT_CODE)
    };
    assert_eq!(field(bad_division.parse()), "divisionCode");
    let bad_zone = ListPilotInput {
        zone_code: Some("3205".into()),
        ..enterprise_input(VALID_CREDIT_CODE)
    };
    assert_eq!(field(bad_zone.parse()), "zoneCode");
    let bad_batch = ListPilotInput {
        batch: 0,
        ..enterprise_input(VALID_CREDIT_CODE)
    };
    assert_eq!(field(bad_batch.parse()), "batch");
}

#[test]
fn a_failing_check_character_parses_and_decide_refuses_it_unless_overridden() {
    let command = enterprise_input(BAD_CHECK_CREDIT_CODE).parse().unwrap();
    let message = given([]).when(command, &provincial()).then_invalid("creditCode");
    assert!(message.contains("give 3"), "{message}");

    let mut overridden = ListPilotInput {
        accept_invalid_credit_code: true,
        ..enterprise_input(BAD_CHECK_CREDIT_CODE)
    };
    overridden.decision.note = Some("以营业执照为准".into());
    given([])
        .when(overridden.parse().unwrap(), &provincial())
        .then_ok();
}

#[test]
fn recommend_amounts_are_decimal_strings_of_yuan() {
    let command = recommend_input().parse().unwrap();
    assert_eq!(command, recommend(id(1), 2024, eligible_region()).into());
    for bad in ["2e10", "20,000,000,000", "200亿", "-1", "1.5"] {
        let input = RecommendInput {
            gdp_yuan: Some(bad.into()),
            ..recommend_input()
        };
        assert_eq!(field(input.parse()), "gdpYuan", "{bad}");
    }
    let input = RecommendInput {
        revenue_yuan: Some("9007199254740992".into()),
        ..recommend_input()
    };
    assert_eq!(field(input.parse()), "revenueYuan");
}

#[test]
fn recommend_numbers_are_range_checked() {
    let share = RecommendInput {
        manufacturing_share_bp: Some(10_001),
        ..recommend_input()
    };
    assert_eq!(field(share.parse()), "manufacturingShareBp");
    let rank = RecommendInput {
        market_share_rank: Some(0),
        ..recommend_input()
    };
    assert_eq!(field(rank.parse()), "marketShareRank");
    let year = RecommendInput {
        year: 2019,
        ..recommend_input()
    };
    assert_eq!(field(year.parse()), "year");
}

#[test]
fn scores_are_0_to_100() {
    let review = |score| RecordReviewInput {
        designation_id: id(1),
        year: 2024,
        stage: ReviewStage::Expert,
        outcome: ReviewOutcome::Passed,
        score: Some(score),
        notice_start: None,
        notice_end: None,
        objections: None,
        decision: decision(),
        reason: None,
    };
    assert!(review(100).parse().is_ok());
    assert_eq!(field(review(101).parse()), "score");
    assert_eq!(field(review(-1).parse()), "score");
    let evaluation = RecordEvaluationInput {
        designation_id: id(1),
        year: 2025,
        grade: Grade::Good,
        score: Some(101),
        decision: decision(),
    };
    assert_eq!(field(evaluation.parse()), "score");
}

#[test]
fn a_negative_quota_is_refused() {
    let quota = |total| SetAnnualQuotaInput {
        year: 2024,
        total,
        decision: decision(),
        guideline_ref: None,
    };
    assert_eq!(quota(0).parse().unwrap(), set_quota(2024, 0).into());
    assert_eq!(field(quota(-1).parse()), "total");
}

#[test]
fn the_other_inputs_parse() {
    assert_eq!(
        RevokePilotInput {
            designation_id: id(1),
            decision: decision()
        }
        .parse()
        .unwrap(),
        revoke_pilot(id(1)).into()
    );
    assert_eq!(
        AwardInput {
            designation_id: id(1),
            year: 2024,
            decision: decision()
        }
        .parse()
        .unwrap(),
        award(id(1), 2024).into()
    );
    assert_eq!(
        CommendInput {
            designation_id: id(1),
            year: 2025,
            citation: "成效显著".into(),
            decision: decision()
        }
        .parse()
        .unwrap(),
        commend(id(1), 2025, "成效显著").into()
    );
    let delist_input = |evaluation_year| DelistInput {
        designation_id: id(1),
        reason: "不合格".into(),
        evaluation_year,
        decision: decision(),
        ground: DelistGround::Other,
    };
    assert_eq!(
        delist_input(Some(2025)).parse().unwrap(),
        delist(id(1), "不合格", Some(2025)).into()
    );
    assert_eq!(field(delist_input(Some(1999)).parse()), "evaluationYear");
}

#[test]
fn access_inputs_parse() {
    let issue = |city: Option<&str>, hash: String| IssueAccessInput {
        token_id: id(7),
        name: "token 00000000-0000-0000-0000-000000000007".into(),
        role: Role::City,
        city: city.map(str::to_owned),
        secret_sha256: hash,
    };
    let hash = "07".repeat(32);
    assert_eq!(
        issue(Some("320300"), hash.clone()).parse().unwrap(),
        issue_access(
            id(7),
            Role::City,
            Some(liangye_events::catalogue::CityCode::Xuzhou)
        )
        .into()
    );
    assert_eq!(field(issue(Some("3203"), hash.clone()).parse()), "city");
    assert_eq!(field(issue(None, "xyz".into()).parse()), "secretSha256");
    assert_eq!(
        revoke_access(" 00000000-0000-0000-0000-000000000007 ").unwrap(),
        super::fixtures::revoke_access(id(7)).into()
    );
    assert_eq!(field(revoke_access("seven")), "tokenId");
}

#[test]
fn error_codes_are_the_contracts_strings() {
    let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "UNAUTHENTICATED",
            "FORBIDDEN",
            "VALIDATION_FAILED",
            "NOT_ELIGIBLE",
            "INVALID_TRANSITION",
            "CONFLICT",
            "QUOTA_EXCEEDED",
            "DUPLICATE",
            "NOT_FOUND",
            "QUERY_TOO_COMPLEX",
            "INTERNAL",
        ]
    );
    assert_eq!(ErrorCode::NotEligible.to_string(), "NOT_ELIGIBLE");
}
