//! withdrawRecommendation (撤回推荐) and closeSelection (未入选): no unit is stuck.

use liangye_events::catalogue::{ReviewStage, Status};

use super::fixtures::*;
use super::harness::given;
use crate::decide::{CloseSelection, ErrorCode, WithdrawRecommendation};

#[test]
fn a_recommendation_is_withdrawn_and_the_unit_is_a_pilot_again() {
    let history = in_review(id(1), 2024);
    given(history.clone())
        .when(withdraw(id(1), 2024), &provincial())
        .then_events([withdrawn(id(1), 2024)]);
    let after = given([history, vec![withdrawn(id(1), 2024)]].concat());
    assert_eq!(after.state().unit(id(1)).unwrap().status, Status::Pilot);
    // One recommendation per unit and year, withdrawn or not; next year is open.
    after
        .when(recommend(id(1), 2024, eligible_region()), &provincial())
        .then_error(ErrorCode::Duplicate);
    after
        .when(recommend(id(1), 2025, eligible_region()), &provincial())
        .then_ok();
}

#[test]
fn only_the_attempt_in_progress_is_withdrawn_with_a_reason() {
    given(pilot(id(1)))
        .when(withdraw(id(1), 2024), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    given(in_review(id(1), 2024))
        .when(withdraw(id(1), 2025), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    given(in_review(id(1), 2024))
        .when(
            WithdrawRecommendation {
                reason: "".into(),
                ..withdraw(id(1), 2024)
            },
            &provincial(),
        )
        .then_invalid("reason");
    given(benchmark(id(1), 2024, 1))
        .when(withdraw(id(1), 2024), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}

#[test]
fn a_unit_that_passed_every_stage_but_is_not_chosen_is_closed() {
    let history = reviewed(id(1), 2024);
    given(history.clone())
        .when(close_selection(id(1), 2024), &provincial())
        .then_events([not_selected(id(1), 2024)]);
    let after = given([history, vec![not_selected(id(1), 2024)]].concat());
    let unit = after.state().unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::Pilot);
    assert_eq!(unit.current_attempt, None);
    after
        .when(award(id(1), 2024), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    after
        .when(recommend(id(1), 2025, eligible_region()), &provincial())
        .then_ok();
}

#[test]
fn only_a_unit_that_passed_all_four_stages_is_closed() {
    let history = awaiting(id(1), 2024, ReviewStage::PublicNotice);
    given(history)
        .when(close_selection(id(1), 2024), &provincial())
        .then_refused(ErrorCode::InvalidTransition, "withdraw the recommendation");
    given(reviewed(id(1), 2024))
        .when(close_selection(id(1), 2023), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    given(reviewed(id(1), 2024))
        .when(
            CloseSelection {
                reason: " ".into(),
                ..close_selection(id(1), 2024)
            },
            &provincial(),
        )
        .then_invalid("reason");
    // A failed attempt is already closed.
    given(failed_at(id(1), 2024, ReviewStage::Material))
        .when(close_selection(id(1), 2024), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}
