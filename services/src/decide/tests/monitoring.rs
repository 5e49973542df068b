//! reportIndicators (统计监测) and grantSubsidy (奖励补助).

use liangye_events::catalogue::{DomainEvent, Figures, IndicatorFigures, MarketShareRank, Yuan};

use super::fixtures::*;
use super::harness::given;
use crate::decide::{ErrorCode, GrantSubsidy, ReportIndicators};

fn region(gdp: i64, share_bp: i64) -> Figures {
    Figures {
        gdp_yuan: Some(yuan(gdp)),
        manufacturing_share_bp: Some(bp(share_bp)),
        ..Figures::default()
    }
}

#[test]
fn an_awarded_unit_reports_its_figures_once_a_year() {
    let history = benchmark(id(1), 2024, 1);
    given(history.clone())
        .when(report(id(1), 2024, eligible_region()), &provincial())
        .then_events([reported(id(1), 2024, eligible_region(), false)]);
    let reported_history = [
        history.clone(),
        vec![reported(id(1), 2024, eligible_region(), false)],
    ]
    .concat();
    given(reported_history.clone())
        .when(report(id(1), 2024, eligible_region()), &provincial())
        .then_error(ErrorCode::Duplicate);
    given(reported_history)
        .when(report(id(1), 2025, eligible_region()), &provincial())
        .then_ok();
    given(history.clone())
        .when(report(id(1), 2023, eligible_region()), &provincial())
        .then_invalid("year");
    given(in_review(id(2), 2024))
        .when(report(id(2), 2024, eligible_region()), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}

/// `belowStandard` is the recommendation's eligibility, judged by the same function: at
/// every boundary, a report is below standard exactly when a recommendation with the same
/// figures is `NOT_ELIGIBLE`.
#[test]
fn below_standard_is_judged_by_the_recommendation_rules() {
    let cases = [
        (region(10_000_000_001, 3500), false), // 35.00% passes, GDP just over 100亿元
        (region(10_000_000_001, 3499), true),  // 34.99% does not
        (region(10_000_000_000, 4000), true),  // exactly 100亿元 does not exceed it
        (Figures::default(), true),            // figures not reported count as unmet
    ];
    for (figures, below) in cases {
        let events = given(benchmark(id(1), 2024, 1))
            .when(report(id(1), 2024, figures), &provincial())
            .then_ok();
        let DomainEvent::IndicatorsReported(e) = &events[0] else {
            panic!("not IndicatorsReported")
        };
        assert_eq!(e.below_standard, below, "{figures:?}");
        let recommendation = given(pilot(id(2))).when(recommend(id(2), 2024, figures), &provincial());
        if below {
            recommendation.then_error(ErrorCode::NotEligible);
        } else {
            recommendation.then_ok();
        }
    }
}

#[test]
fn a_report_names_at_least_one_figure_of_the_units_kind() {
    let state = given(benchmark(id(1), 2024, 1));
    state
        .when(
            ReportIndicators {
                figures: IndicatorFigures::default(),
                ..report(id(1), 2024, Figures::default())
            },
            &provincial(),
        )
        .then_invalid("input");
    state
        .when(
            report(
                id(1),
                2024,
                Figures {
                    market_share_rank: Some(MarketShareRank::new(1).unwrap()),
                    ..eligible_region()
                },
            ),
            &provincial(),
        )
        .then_invalid("marketShareRank");
}

#[test]
fn a_subsidy_goes_to_a_unit_awarded_on_its_date() {
    let history = benchmark(id(1), 2024, 1);
    given(history.clone())
        .when(grant(id(1), 2024, 2_000_000), &provincial())
        .then_events([granted(id(1), 2024, 2_000_000)]);
    // The award is dated 2024-05-06: the same day passes, the day before does not.
    let error = given(history.clone())
        .when(
            GrantSubsidy {
                decision: dated(date(2024, 5, 5)),
                ..grant(id(1), 2024, 2_000_000)
            },
            &provincial(),
        )
        .then_invalid("decidedOn");
    assert!(error.contains("2024-05-06"), "{error}");
    given(history.clone())
        .when(
            GrantSubsidy {
                amount_yuan: Yuan::MIN,
                ..grant(id(1), 2024, 1)
            },
            &provincial(),
        )
        .then_invalid("amountYuan");
    given(history.clone())
        .when(grant(id(1), 2024, 1), &provincial())
        .then_ok();
    given(history)
        .when(
            GrantSubsidy {
                fund: " ".into(),
                ..grant(id(1), 2024, 1)
            },
            &provincial(),
        )
        .then_invalid("fund");
    given(in_review(id(2), 2024))
        .when(grant(id(2), 2024, 1_000_000), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}
