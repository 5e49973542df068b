//! The standards a recommendation is judged on (policy §四(二); DESIGN.md §1).
//!
//! "以上" includes the figure and "超过" excludes it: a manufacturing share of exactly 35.00%
//! passes, exactly 10亿元 of enterprise revenue passes, exactly 100亿元 of regional GDP or
//! revenue does not. A missing figure counts as unmet.

use liangye_events::catalogue::{BasisPoints, Figures, UnitKind, Yuan};

use super::error::UnmetCriterion;

/// 制造业增加值占比达35%以上.
pub(super) const MIN_MANUFACTURING_SHARE_BP: u16 = 3500;
/// 区域GDP或年营业收入超过100亿元.
pub(super) const REGIONAL_SCALE_EXCEEDS: Yuan = Yuan::YI_100;
/// 年营业收入10亿元以上.
pub(super) const ENTERPRISE_REVENUE_AT_LEAST: Yuan = Yuan::YI_10;
/// 细分行业市场占有率位列全国前5名.
pub(super) const BEST_QUALIFYING_RANK: u32 = 5;

/// Every standard `figures` do not meet for a unit of `kind`; empty when eligible.
pub(super) fn unmet_criteria(kind: UnitKind, figures: &Figures) -> Vec<UnmetCriterion> {
    let mut unmet = Vec::new();
    if kind.is_region() {
        let share = figures.manufacturing_share_bp;
        let share_met = share.is_some_and(|s: BasisPoints| s.get() >= MIN_MANUFACTURING_SHARE_BP);
        if !share_met {
            unmet.push(UnmetCriterion::ManufacturingShare { share });
        }
        let exceeds = |amount: Option<Yuan>| amount.is_some_and(|a| a > REGIONAL_SCALE_EXCEEDS);
        if !exceeds(figures.gdp_yuan) && !exceeds(figures.revenue_yuan) {
            unmet.push(UnmetCriterion::RegionalScale {
                gdp: figures.gdp_yuan,
                revenue: figures.revenue_yuan,
            });
        }
    } else {
        let revenue = figures
            .revenue_yuan
            .is_some_and(|r| r >= ENTERPRISE_REVENUE_AT_LEAST);
        let rank = figures
            .market_share_rank
            .is_some_and(|r| r.get() <= BEST_QUALIFYING_RANK);
        if !revenue && !rank {
            unmet.push(UnmetCriterion::EnterpriseStanding {
                revenue: figures.revenue_yuan,
                rank: figures.market_share_rank,
            });
        }
    }
    unmet
}
