//! Parsing input fields (what GraphQL passes) into value types, and the error codes.

use super::fixtures::*;
use super::harness::given;
use crate::decide::fields;
use crate::decide::{Command, DomainError, ErrorCode, ListPilot};

fn field<T: std::fmt::Debug>(result: Result<T, DomainError>) -> &'static str {
    match result {
        Err(DomainError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn codes_parse_with_the_field_named_in_the_error() {
    assert!(fields::city("cityCode", "320500").is_ok());
    assert_eq!(field(fields::city("cityCode", "310100")), "cityCode");
    assert_eq!(
        field(fields::credit_code("creditCode", Some("9135010"))),
        "creditCode"
    );
    assert_eq!(
        field(fields::division_code("divisionCode", Some("3205"))),
        "divisionCode"
    );
    assert_eq!(field(fields::zone_code("zoneCode", Some("3205"))), "zoneCode");
    assert_eq!(field(fields::batch("batch", 0)), "batch");
    // A blank optional code is absent.
    assert_eq!(fields::zone_code("zoneCode", Some(" ")).unwrap(), None);
}

#[test]
fn a_failing_check_character_parses_and_decide_refuses_it_unless_overridden() {
    let credit = fields::credit_code("creditCode", Some(BAD_CHECK_CREDIT_CODE)).unwrap();
    let command = |accept: bool, note: Option<&str>| -> Command {
        let mut c: ListPilot = list_enterprise(id(1), VALID_CREDIT_CODE);
        c.credit_code = credit;
        c.accept_invalid_credit_code = accept;
        c.decision.note = note.map(str::to_owned);
        c.into()
    };
    let message = given([])
        .when(command(false, None), &provincial())
        .then_invalid("creditCode");
    assert!(message.contains("give 3"), "{message}");
    given([])
        .when(command(true, Some("以营业执照为准")), &provincial())
        .then_ok();
}

#[test]
fn amounts_are_decimal_strings_of_yuan() {
    assert_eq!(
        fields::yuan("gdpYuan", Some("20000000000"))
            .unwrap()
            .map(|y| y.get()),
        Some(20_000_000_000)
    );
    for bad in ["2e10", "20,000,000,000", "200亿", "-1", "1.5"] {
        assert_eq!(field(fields::yuan("gdpYuan", Some(bad))), "gdpYuan", "{bad}");
    }
    assert_eq!(
        field(fields::yuan("revenueYuan", Some("9007199254740992"))),
        "revenueYuan"
    );
}

#[test]
fn numbers_are_range_checked() {
    assert_eq!(
        field(fields::basis_points("manufacturingShareBp", Some(10_001))),
        "manufacturingShareBp"
    );
    assert_eq!(
        field(fields::market_share_rank("marketShareRank", Some(0))),
        "marketShareRank"
    );
    assert_eq!(field(fields::year("year", 1999)), "year");
    assert_eq!(
        field(fields::optional_year("evaluationYear", Some(1999))),
        "evaluationYear"
    );
    assert!(fields::score("score", Some(100)).is_ok());
    assert_eq!(field(fields::score("score", Some(101))), "score");
    assert_eq!(field(fields::score("score", Some(-1))), "score");
    assert_eq!(fields::award_count("total", 0).unwrap(), 0);
    assert_eq!(field(fields::award_count("total", -1)), "total");
}

#[test]
fn token_ids_parse_as_typed_on_the_command_line() {
    assert_eq!(
        fields::revoke_access(" 00000000-0000-0000-0000-000000000007 ").unwrap(),
        revoke_access(id(7)).into()
    );
    assert_eq!(field(fields::revoke_access("seven")), "tokenId");
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
