//! The payload of every event type of DESIGN.md §3, in today's schema version (see
//! [`super::EventType::schema_version`]; older versions are read through `catalogue::upcast`).
//!
//! Field names are camelCase on the wire. Optional fields are omitted when absent (and read
//! as absent when `null`). Every decision payload embeds [`Decision`] flattened, so
//! `decidedOn`, `documentRef` and `note` sit beside the event's own fields. Unit events
//! carry `unitId`, the unit's UUID; their stream is `unit-{unitId}`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::bounded::{BasisPoints, Batch, MarketShareRank, Score, Year, Yuan};
use super::certificate::CertificateNo;
use super::city::CityCode;
use super::credit_code::CreditCode;
use super::division::DivisionCode;
use super::domain_event::EventType;
use super::enums::{DelistGround, Grade, ReviewOutcome, ReviewStage, Role, Sector, UnitKind};
use super::secret::SecretSha256;
use super::zone_code::ZoneCode;

/// What every decision records besides its own content: the date on the decision document,
/// its reference number (文号, e.g. 苏发改服务发〔2024〕123号) and a free note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub decided_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Decision {
    /// A decision dated `decided_on`, with no reference or note.
    pub fn on(decided_on: NaiveDate) -> Self {
        Self {
            decided_on,
            document_ref: None,
            note: None,
        }
    }
}

/// 列入试点: a unit enters the provincial pilot list (省级两业深度融合试点名单).
///
/// Which identifiers are present depends on `kind`: a `COUNTY` has `divisionCode` (its
/// own code); an `ENTERPRISE` has `creditCode`; an `INDUSTRIAL_ZONE` has `divisionCode` (the
/// county it lies in); a `DEVELOPMENT_ZONE` is identified by `name` (its catalogue name) and
/// may have `zoneCode`. `creditCodeCheckOverridden` is true when the credit code failed its
/// check character and was accepted on the `acceptInvalidCreditCode` override.
/// `batch` is the pilot batch number (第N批), an integer from 1.
///
/// `sectors` (one or more, closed list) and `countyCode` (the county-level division the unit
/// lies in, inside its city; a COUNTY's own code) arrived with schema version 2. Schema
/// version 0 was the pre-release shape, 1 the first release's; see `catalogue::upcast`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PilotListed {
    pub unit_id: Uuid,
    pub name: String,
    pub kind: UnitKind,
    pub city_code: CityCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division_code: Option<DivisionCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<CreditCode>,
    pub credit_code_check_overridden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_code: Option<ZoneCode>,
    pub industries: Vec<String>,
    pub sectors: Vec<Sector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_code: Option<DivisionCode>,
    pub batch: Batch,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 撤销试点: a pilot is taken off the pilot list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PilotRevoked {
    pub unit_id: Uuid,
    #[serde(flatten)]
    pub decision: Decision,
}

/// The figures a recommendation is judged on (policy §四(二)). Absent figures count as
/// unmet. Region kinds use GDP, revenue and manufacturing share; enterprises use revenue
/// and market-share rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    /// Annual revenue (年营业收入), whole yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_yuan: Option<Yuan>,
    /// Regional GDP, whole yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gdp_yuan: Option<Yuan>,
    /// Manufacturing value added as a share of GDP (制造业增加值占比), basis points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturing_share_bp: Option<BasisPoints>,
    /// National market-share rank in the enterprise's niche, 1 = first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_share_rank: Option<MarketShareRank>,
}

/// 推荐: a city's development and reform commission (or the province) puts a pilot forward
/// for `year`. `cityCode` is the recommending city, which is always the unit's own city;
/// who recorded it is in the event metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommended {
    pub unit_id: Uuid,
    pub year: Year,
    pub city_code: CityCode,
    #[serde(flatten)]
    pub figures: Figures,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 评审: one review stage of `year`'s attempt. `score` is present for `EXPERT`;
/// `noticeStart`, `noticeEnd` (and optionally `objections`, the objections received, as
/// text) for `PUBLIC_NOTICE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRecorded {
    pub unit_id: Uuid,
    pub year: Year,
    pub stage: ReviewStage,
    pub outcome: ReviewOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_end: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objections: Option<String>,
    /// Why a `FAILED` stage failed (required for it since schema version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 授牌: the unit becomes a provincial benchmark of `year`, with certificate `certificateNo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Awarded {
    pub unit_id: Uuid,
    pub year: Year,
    pub certificate_no: CertificateNo,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 设定年度指标: the number of awards `year` may have. Stream `quota-{year}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnnualQuotaSet {
    pub year: Year,
    pub total: u32,
    /// The reference of the year's selection guidelines (评选指南 文号); schema version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guideline_ref: Option<String>,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 绩效评价: the annual performance evaluation of an awarded unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationRecorded {
    pub unit_id: Uuid,
    pub year: Year,
    pub grade: Grade,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 表彰: an awarded unit is commended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commended {
    pub unit_id: Uuid,
    pub year: Year,
    pub citation: String,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 摘牌: an awarded unit loses its designation, on a `ground` (schema version 2; version 1
/// events read as `OTHER`). `evaluationYear` references the evaluation the decision rests
/// on: required for `FAILED_EVALUATION`, whose evaluation is graded FAIL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delisted {
    pub unit_id: Uuid,
    pub reason: String,
    pub ground: DelistGround,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_year: Option<Year>,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 授予访问权限: an access token is issued. Only the SHA-256 of its secret is recorded.
/// `city` is present exactly for the `CITY` role. Stream `access`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessGranted {
    pub token_id: Uuid,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<CityCode>,
    pub secret_sha256: SecretSha256,
}

/// 撤销访问权限: an access token stops working. Stream `access`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRevoked {
    pub token_id: Uuid,
}

/// 撤销错误决定: the unit's decision at log `position` (its latest one not already
/// retracted, of type `retractedType`) was a mistake; every projection folds the unit as
/// if it had never been made. History keeps both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionRetracted {
    pub unit_id: Uuid,
    pub position: i64,
    pub retracted_type: EventType,
    pub reason: String,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 信息变更: corrects a unit's data. Only the fields present change; identifiers are
/// checked and unique again. `creditCodeCheckOverridden` is present with `creditCode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitAmended {
    pub unit_id: Uuid,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sectors: Option<Vec<Sector>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industries: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_code: Option<DivisionCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<CreditCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code_check_overridden: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division_code: Option<DivisionCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_code: Option<ZoneCode>,
    #[serde(flatten)]
    pub decision: Decision,
}

impl UnitAmended {
    /// An amendment of `unit_id` for `reason` that changes no field yet: set the ones it
    /// changes (with struct update syntax, `..UnitAmended::new(..)`).
    pub fn new(unit_id: Uuid, reason: impl Into<String>, decision: Decision) -> Self {
        UnitAmended {
            unit_id,
            reason: reason.into(),
            name: None,
            sectors: None,
            industries: None,
            county_code: None,
            credit_code: None,
            credit_code_check_overridden: None,
            division_code: None,
            zone_code: None,
            decision,
        }
    }
}

/// 撤回推荐: the recommending city (or the province) withdraws `year`'s recommendation;
/// the unit is PILOT again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecommendationWithdrawn {
    pub unit_id: Uuid,
    pub year: Year,
    pub reason: String,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 未入选: a unit whose four review stages of `year` all passed is not chosen (择优遴选);
/// it is PILOT again and may be recommended in a later year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotSelected {
    pub unit_id: Uuid,
    pub year: Year,
    pub reason: String,
    #[serde(flatten)]
    pub decision: Decision,
}

/// The figures of a monitoring report (统计监测): the recommendation's figures and two more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorFigures {
    #[serde(flatten)]
    pub figures: Figures,
    /// 服务收入, whole yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_revenue_yuan: Option<Yuan>,
    /// 研发投入, whole yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rd_expense_yuan: Option<Yuan>,
}

/// 统计监测: an awarded unit's figures for `year`. `belowStandard` (预警) is true when the
/// figures no longer meet the unit's entry standard, judged by the same rules as a
/// recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorsReported {
    pub unit_id: Uuid,
    pub year: Year,
    #[serde(flatten)]
    pub figures: IndicatorFigures,
    pub below_standard: bool,
    #[serde(flatten)]
    pub decision: Decision,
}

/// 奖励补助: a subsidy of `amountYuan` (> 0) from `fund` to a unit awarded on `decidedOn`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubsidyGranted {
    pub unit_id: Uuid,
    pub year: Year,
    pub amount_yuan: Yuan,
    pub fund: String,
    #[serde(flatten)]
    pub decision: Decision,
}
