//! [`DomainError`], why a command was rejected. Its client-facing code is given in
//! [`crate::errors`], with every other error's.

use std::fmt;

use liangye_events::catalogue::{BasisPoints, MarketShareRank, Year, Yuan};

use super::eligibility::{
    BEST_QUALIFYING_RANK, ENTERPRISE_REVENUE_AT_LEAST, MIN_MANUFACTURING_SHARE_BP, REGIONAL_SCALE_EXCEEDS,
};
use uuid::Uuid;

/// One standard of policy §四(二) that a recommendation does not meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmetCriterion {
    /// Region kinds: manufacturing value added must be at least 35.00% of GDP.
    ManufacturingShare { share: Option<BasisPoints> },
    /// Region kinds: GDP or annual revenue must exceed 100亿元.
    RegionalScale {
        gdp: Option<Yuan>,
        revenue: Option<Yuan>,
    },
    /// Enterprises: annual revenue of at least 10亿元, or a national market-share rank of
    /// 1 to 5 in the niche.
    EnterpriseStanding {
        revenue: Option<Yuan>,
        rank: Option<MarketShareRank>,
    },
}

impl UnmetCriterion {
    /// A stable name for the criterion, for clients that list unmet criteria.
    pub const fn code(&self) -> &'static str {
        match self {
            UnmetCriterion::ManufacturingShare { .. } => "MANUFACTURING_SHARE",
            UnmetCriterion::RegionalScale { .. } => "REGIONAL_SCALE",
            UnmetCriterion::EnterpriseStanding { .. } => "ENTERPRISE_STANDING",
        }
    }
}

impl UnmetCriterion {
    /// What the standard requires, in the API's units (yuan, basis points), with its
    /// Chinese wording.
    pub fn required(&self) -> String {
        match self {
            UnmetCriterion::ManufacturingShare { .. } => {
                format!(
                    "manufacturingShareBp >= {MIN_MANUFACTURING_SHARE_BP} ({})",
                    Self::SHARE_ZH
                )
            }
            UnmetCriterion::RegionalScale { .. } => {
                let exceeds = REGIONAL_SCALE_EXCEEDS.get();
                format!(
                    "gdpYuan > {exceeds} or revenueYuan > {exceeds} ({})",
                    Self::SCALE_ZH
                )
            }
            UnmetCriterion::EnterpriseStanding { .. } => format!(
                "revenueYuan >= {} or marketShareRank <= {BEST_QUALIFYING_RANK} ({})",
                ENTERPRISE_REVENUE_AT_LEAST.get(),
                Self::STANDING_ZH
            ),
        }
    }

    /// The policy's wording of each standard (policy §四(二)).
    const SHARE_ZH: &'static str = "制造业增加值占比达35%以上";
    const SCALE_ZH: &'static str = "区域GDP或年营业收入超过100亿元";
    const STANDING_ZH: &'static str = "年营业收入10亿元以上，或细分行业市场占有率位列全国前5名";

    /// The figures given for it (`not given` for a missing one).
    pub fn actual(&self) -> String {
        match *self {
            UnmetCriterion::ManufacturingShare { share } => {
                format!("manufacturingShareBp = {}", Given(share.map(BasisPoints::get)))
            }
            UnmetCriterion::RegionalScale { gdp, revenue } => format!(
                "gdpYuan = {}, revenueYuan = {}",
                Given(gdp.map(Yuan::get)),
                Given(revenue.map(Yuan::get))
            ),
            UnmetCriterion::EnterpriseStanding { revenue, rank } => format!(
                "revenueYuan = {}, marketShareRank = {}",
                Given(revenue.map(Yuan::get)),
                Given(rank.map(MarketShareRank::get))
            ),
        }
    }
}

/// `Some(x)` shown as `x`, `None` as "not given".
struct Given<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Given<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(value) => write!(f, "{value}"),
            None => f.write_str("not given"),
        }
    }
}

impl fmt::Display for UnmetCriterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            UnmetCriterion::ManufacturingShare { share } => write!(
                f,
                "manufacturing value added must be at least {}.{:02}% of GDP ({}); \
                 manufacturingShareBp is {}",
                MIN_MANUFACTURING_SHARE_BP / 100,
                MIN_MANUFACTURING_SHARE_BP % 100,
                Self::SHARE_ZH,
                Given(share)
            ),
            UnmetCriterion::RegionalScale { gdp, revenue } => write!(
                f,
                "GDP or annual revenue must exceed {REGIONAL_SCALE_EXCEEDS} ({}); gdpYuan is {}, \
                 revenueYuan is {}",
                Self::SCALE_ZH,
                Given(gdp),
                Given(revenue)
            ),
            UnmetCriterion::EnterpriseStanding { revenue, rank } => write!(
                f,
                "annual revenue must be at least {ENTERPRISE_REVENUE_AT_LEAST}, or the national \
                 market-share rank 1 to {BEST_QUALIFYING_RANK} ({}); revenueYuan is {}, \
                 marketShareRank is {}",
                Self::STANDING_ZH,
                Given(revenue),
                Given(rank)
            ),
        }
    }
}

fn numbered(unmet: &[UnmetCriterion]) -> String {
    unmet
        .iter()
        .enumerate()
        .map(|(i, criterion)| format!("({}) {criterion}", i + 1))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a command was rejected. Every message says what to change; [`crate::errors`] maps
/// it to the client-facing code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The principal's token is unknown or revoked.
    #[error("{0}")]
    Unauthenticated(String),
    /// The principal's role (or city) may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// An input is malformed or out of bounds; `field` is its GraphQL input name.
    #[error("{field}: {message}")]
    Validation { field: &'static str, message: String },
    /// The unit does not meet the recommendation standards; every unmet one is listed.
    #[error(
        "{unit_name} does not meet the standards for a provincial benchmark \
         (不符合标杆引领典型基本条件): {}",
        numbered(.unmet)
    )]
    NotEligible {
        unit_id: Uuid,
        unit_name: String,
        unmet: Vec<UnmetCriterion>,
    },
    /// The unit's lifecycle does not allow this now.
    #[error("{0}")]
    InvalidTransition(String),
    /// `expectedVersion` is not the stream's current version.
    #[error(
        "{stream_id} is at version {actual}, not the expected {expected}: someone recorded a \
         decision meanwhile; reload and decide again"
    )]
    Conflict {
        stream_id: String,
        expected: i64,
        actual: i64,
    },
    /// A `commandId` already used by another principal or for another command; the first
    /// decision is not described.
    #[error(
        "commandId {0} was already used for another decision; a repeat must come from the same \
         token with the same command. Use a new commandId for a new decision"
    )]
    CommandIdReused(Uuid),
    /// The year's award quota is used up.
    #[error(
        "the {year} quota of {quota} awards (年度指标) is used up ({awarded} awarded); raise it \
         with setAnnualQuota first"
    )]
    QuotaExceeded { year: Year, quota: u32, awarded: u32 },
    /// The identifier, recommendation, evaluation or token already exists.
    #[error("{0}")]
    Duplicate(String),
    /// The unit or token does not exist.
    #[error("{0}")]
    NotFound(String),
}

impl DomainError {
    /// A validation error on `field`.
    pub fn validation(field: &'static str, message: impl fmt::Display) -> Self {
        DomainError::Validation {
            field,
            message: message.to_string(),
        }
    }
}
