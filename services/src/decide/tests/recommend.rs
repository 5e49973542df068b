//! recommend (推荐): the standards at both sides of every boundary, one per unit and year,
//! only pilots.

use liangye_events::catalogue::{Figures, MarketShareRank, Recommended, ReviewStage};

use super::fixtures::*;
use super::harness::given;
use crate::decide::{DomainError, ErrorCode, Recommend, UnmetCriterion};

/// 100亿元.
const YI_100: i64 = 10_000_000_000;
/// 10亿元.
const YI_10: i64 = 1_000_000_000;

fn region(gdp: Option<i64>, revenue: Option<i64>, share: Option<i64>) -> Figures {
    Figures {
        revenue_yuan: revenue.map(yuan),
        gdp_yuan: gdp.map(yuan),
        manufacturing_share_bp: share.map(bp),
        market_share_rank: None,
    }
}

fn enterprise(revenue: Option<i64>, rank: Option<i64>) -> Figures {
    Figures {
        revenue_yuan: revenue.map(yuan),
        market_share_rank: rank.map(|r| MarketShareRank::new(r).unwrap()),
        ..Figures::default()
    }
}

/// The three region kinds, each listed as unit 1 in 苏州.
fn regions() -> Vec<Vec<liangye_events::catalogue::DomainEvent>> {
    vec![
        vec![county_listed(id(1), "昆山市", "320583")],
        vec![industrial_zone_listed(id(1), "昆山高新技术产业集中区", "320583")],
        vec![development_zone_listed(id(1), "苏州工业园区", None)],
    ]
}

fn recommended_with(figures: Figures) -> liangye_events::catalogue::DomainEvent {
    Recommended {
        figures,
        ..match recommended(id(1), 2024) {
            liangye_events::catalogue::DomainEvent::Recommended(r) => r,
            _ => unreachable!(),
        }
    }
    .into()
}

fn unmet(error: DomainError) -> Vec<UnmetCriterion> {
    match error {
        DomainError::NotEligible { unmet, .. } => unmet,
        other => panic!("not NOT_ELIGIBLE: {other:?}"),
    }
}

#[test]
fn a_region_at_exactly_35_percent_with_gdp_just_above_100_yi_is_eligible() {
    let figures = region(Some(YI_100 + 1), None, Some(3500));
    for history in regions() {
        given(history)
            .when(recommend(id(1), 2024, figures), &provincial())
            .then_events([recommended_with(figures)]);
    }
}

#[test]
fn a_region_at_34_99_percent_is_not_eligible() {
    for history in regions() {
        let error = given(history)
            .when(
                recommend(id(1), 2024, region(Some(YI_100 + 1), None, Some(3499))),
                &provincial(),
            )
            .then_error(ErrorCode::NotEligible);
        assert_eq!(
            unmet(error),
            [UnmetCriterion::ManufacturingShare {
                share: Some(bp(3499))
            }]
        );
    }
}

#[test]
fn a_region_with_gdp_of_exactly_100_yi_is_not_eligible() {
    for history in regions() {
        let error = given(history)
            .when(
                recommend(id(1), 2024, region(Some(YI_100), None, Some(3500))),
                &provincial(),
            )
            .then_error(ErrorCode::NotEligible);
        assert_eq!(
            unmet(error),
            [UnmetCriterion::RegionalScale {
                gdp: Some(yuan(YI_100)),
                revenue: None
            }]
        );
    }
}

#[test]
fn a_region_with_revenue_just_above_100_yi_is_eligible_whatever_its_gdp() {
    for history in regions() {
        given(history)
            .when(
                recommend(id(1), 2024, region(Some(YI_100), Some(YI_100 + 1), Some(3500))),
                &provincial(),
            )
            .then_ok();
    }
}

#[test]
fn a_region_with_revenue_of_exactly_100_yi_and_no_gdp_is_not_eligible() {
    let error = given(pilot(id(1)))
        .when(
            recommend(id(1), 2024, region(None, Some(YI_100), Some(5000))),
            &provincial(),
        )
        .then_error(ErrorCode::NotEligible);
    assert_eq!(
        unmet(error),
        [UnmetCriterion::RegionalScale {
            gdp: None,
            revenue: Some(yuan(YI_100))
        }]
    );
}

#[test]
fn a_region_failing_both_standards_hears_of_both() {
    let error = given(pilot(id(1)))
        .when(
            recommend(id(1), 2024, region(Some(YI_100), Some(5), Some(3499))),
            &provincial(),
        )
        .then_error(ErrorCode::NotEligible);
    let message = error.to_string();
    assert_eq!(
        message,
        "县1 does not meet the standards for a provincial benchmark (不符合标杆引领典型基本条件): \
         (1) manufacturing value added must be at least 35.00% of GDP (制造业增加值占比达35%以上); \
         manufacturingShareBp is 34.99%; \
         (2) GDP or annual revenue must exceed 10000000000 yuan (100亿元) \
         (区域GDP或年营业收入超过100亿元); gdpYuan is 10000000000 yuan (100亿元), revenueYuan is 5 yuan"
    );
    assert_eq!(unmet(error).len(), 2);
}

#[test]
fn missing_region_figures_count_as_unmet() {
    let error = given(pilot(id(1)))
        .when(recommend(id(1), 2024, Figures::default()), &provincial())
        .then_refused(ErrorCode::NotEligible, "manufacturingShareBp is not given");
    assert_eq!(
        unmet(error),
        [
            UnmetCriterion::ManufacturingShare { share: None },
            UnmetCriterion::RegionalScale {
                gdp: None,
                revenue: None
            }
        ]
    );
}

#[test]
fn an_enterprise_with_revenue_of_exactly_10_yi_is_eligible() {
    given([enterprise_listed(id(1), VALID_CREDIT_CODE)])
        .when(
            recommend(id(1), 2024, enterprise(Some(YI_10), None)),
            &provincial(),
        )
        .then_events([recommended_with(enterprise(Some(YI_10), None))]);
}

#[test]
fn an_enterprise_with_revenue_of_999_999_999_is_not_eligible() {
    let error = given([enterprise_listed(id(1), VALID_CREDIT_CODE)])
        .when(
            recommend(id(1), 2024, enterprise(Some(YI_10 - 1), None)),
            &provincial(),
        )
        .then_error(ErrorCode::NotEligible);
    assert_eq!(
        unmet(error),
        [UnmetCriterion::EnterpriseStanding {
            revenue: Some(yuan(999_999_999)),
            rank: None
        }]
    );
}

#[test]
fn an_enterprise_ranked_5th_is_eligible_and_6th_is_not() {
    let history = [enterprise_listed(id(1), VALID_CREDIT_CODE)];
    given(history.clone())
        .when(
            recommend(id(1), 2024, enterprise(Some(1), Some(5))),
            &provincial(),
        )
        .then_ok();
    given(history.clone())
        .when(recommend(id(1), 2024, enterprise(None, Some(1))), &provincial())
        .then_ok();
    let error = given(history)
        .when(
            recommend(id(1), 2024, enterprise(Some(1), Some(6))),
            &provincial(),
        )
        .then_error(ErrorCode::NotEligible);
    let message = error.to_string();
    assert!(
        message.contains("revenueYuan is 1 yuan, marketShareRank is 6"),
        "{message}"
    );
}

#[test]
fn an_enterprise_ranked_6th_with_10_yi_revenue_is_eligible() {
    given([enterprise_listed(id(1), VALID_CREDIT_CODE)])
        .when(
            recommend(id(1), 2024, enterprise(Some(YI_10), Some(6))),
            &provincial(),
        )
        .then_ok();
}

#[test]
fn an_enterprise_without_figures_is_not_eligible() {
    let error = given([enterprise_listed(id(1), VALID_CREDIT_CODE)])
        .when(recommend(id(1), 2024, Figures::default()), &provincial())
        .then_error(ErrorCode::NotEligible);
    assert_eq!(
        unmet(error),
        [UnmetCriterion::EnterpriseStanding {
            revenue: None,
            rank: None
        }]
    );
}

#[test]
fn figures_of_the_other_sort_are_refused() {
    let enterprise_history = [enterprise_listed(id(1), VALID_CREDIT_CODE)];
    let with_gdp = Figures {
        gdp_yuan: Some(yuan(YI_100 * 2)),
        ..eligible_enterprise()
    };
    given(enterprise_history.clone())
        .when(recommend(id(1), 2024, with_gdp), &provincial())
        .then_invalid("gdpYuan");
    let with_share = Figures {
        manufacturing_share_bp: Some(bp(5000)),
        ..eligible_enterprise()
    };
    given(enterprise_history)
        .when(recommend(id(1), 2024, with_share), &provincial())
        .then_invalid("manufacturingShareBp");
    let with_rank = Figures {
        market_share_rank: Some(MarketShareRank::new(1).unwrap()),
        ..eligible_region()
    };
    given(pilot(id(1)))
        .when(recommend(id(1), 2024, with_rank), &provincial())
        .then_invalid("marketShareRank");
}

#[test]
fn one_recommendation_per_unit_and_year() {
    given(in_review(id(1), 2024))
        .when(recommend(id(1), 2024, eligible_region()), &provincial())
        .then_refused(ErrorCode::Duplicate, "already recommended for 2024");
}

#[test]
fn a_unit_in_review_for_another_year_cannot_be_recommended() {
    given(in_review(id(1), 2024))
        .when(recommend(id(1), 2025, eligible_region()), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}

#[test]
fn after_a_failed_review_the_pilot_can_be_recommended_the_next_year_not_the_same() {
    let history = failed_at(id(1), 2024, ReviewStage::Material);
    given(history.clone())
        .when(recommend(id(1), 2024, eligible_region()), &provincial())
        .then_error(ErrorCode::Duplicate);
    given(history)
        .when(recommend(id(1), 2025, eligible_region()), &provincial())
        .then_events([recommended(id(1), 2025)]);
}

#[test]
fn only_pilots_are_recommended() {
    given(benchmark(id(1), 2024, 1))
        .when(recommend(id(1), 2025, eligible_region()), &provincial())
        .then_error(ErrorCode::InvalidTransition);
    given([pilot(id(1)), vec![pilot_revoked(id(1))]].concat())
        .when(recommend(id(1), 2024, eligible_region()), &provincial())
        .then_refused(
            ErrorCode::InvalidTransition,
            "is 试点已撤销 (PILOT_REVOKED); recommend applies only to a unit that is 试点 (PILOT)",
        );
}

#[test]
fn an_unknown_unit_is_not_found() {
    given([])
        .when(recommend(id(404), 2024, eligible_region()), &provincial())
        .then_error(ErrorCode::NotFound);
    given([])
        .when(recommend(id(404), 2024, eligible_region()), &city(HOME))
        .then_error(ErrorCode::NotFound);
}

#[test]
fn expected_version_must_be_the_units() {
    let expecting = |version| Recommend {
        expected_version: Some(version),
        ..recommend(id(1), 2024, eligible_region())
    };
    given(pilot(id(1))).when(expecting(1), &provincial()).then_ok();
    let error = given(pilot(id(1)))
        .when(expecting(2), &provincial())
        .then_error(ErrorCode::Conflict);
    assert_eq!(
        error,
        DomainError::Conflict {
            stream_id: format!("unit-{}", id(1)),
            expected: 2,
            actual: 1
        }
    );
}

#[test]
fn eligibility_is_judged_after_the_lifecycle() {
    // An awarded unit with poor figures hears that it is awarded, not that it is ineligible.
    given(benchmark(id(1), 2024, 1))
        .when(recommend(id(1), 2025, Figures::default()), &provincial())
        .then_error(ErrorCode::InvalidTransition);
}
