//! retractDecision (撤销错误决定) and amendUnit (信息变更).

use liangye_events::catalogue::{
    DivisionCode, DomainEvent, EventType, ReviewOutcome, ReviewStage, Sector, Status, UnitKind,
};

use super::fixtures::*;
use super::harness::given;
use crate::decide::{AmendUnit, ErrorCode, RetractDecision};

/// `history` followed by the event the command yields.
fn then(history: &[DomainEvent], events: Vec<DomainEvent>) -> Vec<DomainEvent> {
    [history.to_vec(), events].concat()
}

#[test]
fn the_latest_decision_is_retracted_and_folded_as_never_made() {
    // Listing 1, recommendation 2, reviews 3–6, award 7.
    let history = benchmark(id(1), 2024, 1);
    let events = given(history.clone())
        .when(retract(id(1), 7), &provincial())
        .then_ok();
    assert_eq!(events, [retracted(id(1), 7, EventType::Awarded)]);

    let after = given(then(&history, events));
    let unit = after.state().unit(id(1)).unwrap();
    let before = given(history[..6].to_vec());
    let never_awarded = before.state().unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::Recommended);
    assert_eq!(unit.award, None);
    assert_eq!(unit.current_attempt, never_awarded.current_attempt);
    assert_eq!(unit.reviews, never_awarded.reviews);
    assert_eq!(unit.decisions, never_awarded.decisions);
    // The quota place is free again; the certificate number is never issued again.
    let year = after.state().year(year(2024));
    assert_eq!(year.awards_made, 0);
    assert_eq!(year.last_serial, 1);
    after
        .when(award(id(1), 2024), &provincial())
        .then_events([awarded(id(1), 2024, 2)]);
}

#[test]
fn decisions_are_retracted_newest_first_and_a_retraction_is_not_retracted() {
    let history = benchmark(id(1), 2024, 1);
    let error = given(history.clone())
        .when(retract(id(1), 6), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    assert!(
        error.to_string().contains("is not its latest decision")
            && error.to_string().contains("授牌 (Awarded) at position 7"),
        "{error}"
    );
    let retracted_award = then(&history, vec![retracted(id(1), 7, EventType::Awarded)]);
    // The retraction (position 8) is not retracted; the public notice (6) is next.
    given(retracted_award.clone())
        .when(retract(id(1), 8), &provincial())
        .then_refused(ErrorCode::InvalidTransition, "record the decision again");
    given(retracted_award.clone())
        .when(retract(id(1), 7), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    given(retracted_award)
        .when(retract(id(1), 6), &provincial())
        .then_events([retracted(id(1), 6, EventType::ReviewRecorded)]);
}

#[test]
fn retracting_a_listing_frees_the_identifier() {
    let history = pilot(id(1));
    let events = given(history.clone())
        .when(retract(id(1), 1), &provincial())
        .then_ok();
    let after = given(then(&history, events));
    assert!(after.state().unit(id(1)).is_none());
    after
        .when(retract(id(1), 1), &provincial())
        .then_error(ErrorCode::NotFound);
    // The code 320583 (昆山市, as `pilot(id(1))` lists it) may be listed again.
    let code = format!("3205{:02}", 81 + 1);
    after
        .when(list_county(id(2), "昆山市", &code), &provincial())
        .then_events([county_listed(id(2), "昆山市", &code)]);
}

#[test]
fn a_retraction_needs_a_reason_and_a_position() {
    let state = given(pilot(id(1)));
    state
        .when(
            RetractDecision {
                reason: "  ".into(),
                ..retract(id(1), 1)
            },
            &provincial(),
        )
        .then_invalid("reason");
    state
        .when(retract(id(1), 0), &provincial())
        .then_invalid("position");
    state
        .when(retract(id(404), 1), &provincial())
        .then_error(ErrorCode::NotFound);
}

#[test]
fn a_retracted_recommendation_frees_its_year_and_a_retracted_withdrawal_restores_it() {
    let history = in_review(id(1), 2024);
    let after = given(then(&history, vec![retracted(id(1), 2, EventType::Recommended)]));
    assert_eq!(after.state().unit(id(1)).unwrap().status, Status::Pilot);
    after
        .when(recommend(id(1), 2024, eligible_region()), &provincial())
        .then_events([recommended(id(1), 2024)]);

    let withdrawn_history = then(&history, vec![withdrawn(id(1), 2024)]);
    let restored = given(then(
        &withdrawn_history,
        vec![retracted(id(1), 3, EventType::RecommendationWithdrawn)],
    ));
    let unit = restored.state().unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::Recommended);
    assert_eq!(unit.current_attempt, Some(year(2024)));
    assert_eq!(unit.recommendation(year(2024)).unwrap().closed, None);
}

#[test]
fn a_unit_is_amended_and_the_amendment_can_be_retracted() {
    let history = pilot(id(1));
    let command = AmendUnit {
        name: Some(" 昆山市（县级市） ".into()),
        sectors: Some(vec![
            Sector::IntegratedCircuits,
            Sector::IntegratedCircuits,
            Sector::Logistics,
        ]),
        ..amend(id(1))
    };
    let event = liangye_events::catalogue::UnitAmended {
        name: Some("昆山市（县级市）".into()),
        sectors: Some(vec![Sector::IntegratedCircuits, Sector::Logistics]),
        ..amended(id(1))
    };
    given(history.clone())
        .when(command, &provincial())
        .then_events([event.clone().into()]);
    let amended_history = then(&history, vec![event.into()]);
    let after = given(amended_history.clone());
    let unit = after.state().unit(id(1)).unwrap();
    assert_eq!(unit.name, "昆山市（县级市）");
    assert_eq!(unit.sectors, [Sector::IntegratedCircuits, Sector::Logistics]);

    let undone = given(then(
        &amended_history,
        vec![retracted(id(1), 2, EventType::UnitAmended)],
    ));
    let unit = undone.state().unit(id(1)).unwrap();
    assert_eq!(unit.name, "县1");
    assert_eq!(unit.sectors, [Sector::Other]);
}

#[test]
fn an_amended_identifier_is_checked_and_unique_again() {
    let history = [
        enterprise_listed(id(1), VALID_CREDIT_CODE),
        county_listed(id(2), "昆山市", "320583"),
        county_listed(id(3), "太仓市", "320585"),
    ];
    let state = given(history);
    // Nothing to change.
    state.when(amend(id(2)), &provincial()).then_invalid("input");
    // A county has no credit code; its new code is unique and inside its city.
    state
        .when(
            AmendUnit {
                credit_code: Some(liangye_events::catalogue::CreditCode::parse(VALID_CREDIT_CODE).unwrap()),
                ..amend(id(2))
            },
            &provincial(),
        )
        .then_invalid("creditCode");
    state
        .when(
            AmendUnit {
                division_code: Some(DivisionCode::parse("320585").unwrap()),
                ..amend(id(2))
            },
            &provincial(),
        )
        .then_error(ErrorCode::Duplicate);
    state
        .when(
            AmendUnit {
                division_code: Some(DivisionCode::parse("320115").unwrap()),
                ..amend(id(2))
            },
            &provincial(),
        )
        .then_invalid("divisionCode");
    // A county's county is its own code.
    state
        .when(
            AmendUnit {
                county_code: Some(DivisionCode::parse("320585").unwrap()),
                ..amend(id(2))
            },
            &provincial(),
        )
        .then_invalid("countyCode");
    // A new free code moves the county with it, and frees the old code.
    let moved = state
        .when(
            AmendUnit {
                division_code: Some(DivisionCode::parse("320586").unwrap()),
                ..amend(id(2))
            },
            &provincial(),
        )
        .then_ok();
    let DomainEvent::UnitAmended(e) = &moved[0] else {
        panic!("not UnitAmended")
    };
    assert_eq!(e.county_code, Some(DivisionCode::parse("320586").unwrap()));
    let history = [
        enterprise_listed(id(1), VALID_CREDIT_CODE),
        county_listed(id(2), "昆山市", "320583"),
        county_listed(id(3), "太仓市", "320585"),
        moved[0].clone(),
    ];
    given(history)
        .when(list_county(id(4), "昆山市", "320583"), &provincial())
        .then_ok();
    // An enterprise's sectors may not be emptied.
    let error = state
        .when(
            AmendUnit {
                sectors: Some(vec![]),
                ..amend(id(1))
            },
            &provincial(),
        )
        .then_invalid("sectors");
    assert!(error.contains("INTEGRATED_CIRCUITS 集成电路"), "{error}");
    assert_eq!(state.state().unit(id(1)).unwrap().kind, UnitKind::Enterprise);
}

#[test]
fn each_retraction_restores_the_unit_as_it_stood_before_the_decision() {
    // Newest first, every decision of a benchmark's life is retracted in turn; after each,
    // the unit is exactly what it was before that decision (its version aside, and the
    // retraction remembered: its date is the floor of the next decision's).
    let mut history = benchmark(id(1), 2024, 1);
    for position in (2..=7).rev() {
        let before = given(history[..position as usize - 1].to_vec());
        let events = given(history.clone())
            .when(retract(id(1), position), &provincial())
            .then_ok();
        history.extend(events);
        let after = given(history.clone());
        let (mut unit, expected) = (
            after.state().unit(id(1)).unwrap().clone(),
            before.state().unit(id(1)).unwrap(),
        );
        unit.version = expected.version;
        let retraction = unit.last_retraction.take().expect("the retraction is remembered");
        // The retraction is the history's last event.
        assert_eq!(retraction.position, history.len() as i64);
        assert_eq!(&unit, expected, "after retracting position {position}");
    }
}

#[test]
fn a_retracted_failed_expert_review_takes_its_score_with_it() {
    let mut history = [
        pilot(id(1)),
        vec![
            recommended(id(1), 2024),
            review_recorded(id(1), 2024, ReviewStage::Material, ReviewOutcome::Passed),
        ],
    ]
    .concat();
    let before = given(history.clone());
    history.push(review_recorded(
        id(1),
        2024,
        ReviewStage::Expert,
        ReviewOutcome::Failed,
    ));
    let events = given(history.clone())
        .when(retract(id(1), 4), &provincial())
        .then_ok();
    history.extend(events);
    let after = given(history);
    assert_eq!(
        after.state().unit(id(1)).unwrap().reviews,
        before.state().unit(id(1)).unwrap().reviews
    );
}
