//! The payload of every event type of DESIGN.md §3, schema version 1.
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
use super::enums::{Grade, ReviewOutcome, ReviewStage, Role, UnitKind};
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
/// Schema version 0 was the pre-release shape; see the upcaster in `catalogue::upcast`.
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

/// 摘牌: an awarded unit loses its designation. `evaluationYear` references the evaluation
/// the decision rests on, when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delisted {
    pub unit_id: Uuid,
    pub reason: String,
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
