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

/// Declares a decision payload: the struct as written, with a last field `decision`
/// ([`Decision`], serialized flattened beside the others), deserialized in one pass through
/// a wire form that holds the decision's three members beside the struct's own. serde's
/// `flatten` would buffer every member of the payload and read them again: in a replay, that
/// cost more than the rest of the payload's decoding. After `flattening`, a field and the
/// members of its type (all optional: absent reads as `None`) are flattened the same way, as a
/// recommendation's figures are.
macro_rules! decision_payload {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident: $type:ty, )*
        }
        $( flattening $group:ident: $group_type:ident { $($member:ident: $member_type:ty),* $(,)? } )?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $type, )*
            $(
                #[serde(flatten)]
                pub $group: $group_type,
            )?
            #[serde(flatten)]
            pub decision: Decision,
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Wire {
                    $( $(#[$field_meta])* $field: $type, )*
                    $( $( #[serde(default)] $member: $member_type, )* )?
                    #[serde(deserialize_with = "iso_date")]
                    decided_on: NaiveDate,
                    #[serde(default)]
                    document_ref: Option<String>,
                    #[serde(default)]
                    note: Option<String>,
                }
                let Wire { $($field,)* $($($member,)*)? decided_on, document_ref, note } =
                    Wire::deserialize(deserializer)?;
                Ok(Self {
                    $($field,)*
                    $( $group: $group_type { $($member,)* }, )?
                    decision: Decision { decided_on, document_ref, note },
                })
            }
        }
    };
}

/// Reads a date as chrono's `NaiveDate` does (same values, same errors), the common
/// `YYYY-MM-DD` form without chrono's general format parser.
fn iso_date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    struct IsoDate;
    impl serde::de::Visitor<'_> for IsoDate {
        type Value = NaiveDate;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            // chrono's words, so that a wrong type reads as it always has.
            f.write_str("a formatted date string")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<NaiveDate, E> {
            let digits = |range: std::ops::Range<usize>| {
                text.as_bytes()[range].iter().try_fold(0u32, |n, b| {
                    b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
                })
            };
            let quick = (text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-')
                .then(|| NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?))
                .flatten();
            match quick {
                Some(date) => Ok(date),
                None => text.parse().map_err(E::custom),
            }
        }
    }
    deserializer.deserialize_str(IsoDate)
}

decision_payload! {
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
    }
}

decision_payload! {
    /// 撤销试点: a pilot is taken off the pilot list.
    pub struct PilotRevoked {
        pub unit_id: Uuid,
    }
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

decision_payload! {
    /// 推荐: a city's development and reform commission (or the province) puts a pilot forward
    /// for `year`. `cityCode` is the recommending city, which is always the unit's own city;
    /// who recorded it is in the event metadata.
    pub struct Recommended {
        pub unit_id: Uuid,
        pub year: Year,
        pub city_code: CityCode,
    }
    flattening figures: Figures {
        revenue_yuan: Option<Yuan>,
        gdp_yuan: Option<Yuan>,
        manufacturing_share_bp: Option<BasisPoints>,
        market_share_rank: Option<MarketShareRank>,
    }
}

decision_payload! {
    /// 评审: one review stage of `year`'s attempt. `score` is present for `EXPERT`;
    /// `noticeStart`, `noticeEnd` (and optionally `objections`, the objections received, as
    /// text) for `PUBLIC_NOTICE`.
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
    }
}

decision_payload! {
    /// 授牌: the unit becomes a provincial benchmark of `year`, with certificate `certificateNo`.
    pub struct Awarded {
        pub unit_id: Uuid,
        pub year: Year,
        pub certificate_no: CertificateNo,
    }
}

decision_payload! {
    /// 设定年度指标: the number of awards `year` may have. Stream `quota-{year}`.
    pub struct AnnualQuotaSet {
        pub year: Year,
        pub total: u32,
        /// The reference of the year's selection guidelines (评选指南 文号); schema version 2.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub guideline_ref: Option<String>,
    }
}

decision_payload! {
    /// 绩效评价: the annual performance evaluation of an awarded unit.
    pub struct EvaluationRecorded {
        pub unit_id: Uuid,
        pub year: Year,
        pub grade: Grade,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub score: Option<Score>,
    }
}

decision_payload! {
    /// 表彰: an awarded unit is commended.
    pub struct Commended {
        pub unit_id: Uuid,
        pub year: Year,
        pub citation: String,
    }
}

decision_payload! {
    /// 摘牌: an awarded unit loses its designation, on a `ground` (schema version 2; version 1
    /// events read as `OTHER`). `evaluationYear` references the evaluation the decision rests
    /// on: required for `FAILED_EVALUATION`, whose evaluation is graded FAIL.
    pub struct Delisted {
        pub unit_id: Uuid,
        pub reason: String,
        pub ground: DelistGround,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub evaluation_year: Option<Year>,
    }
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

decision_payload! {
    /// 撤销错误决定: the unit's decision at log `position` (its latest one not already
    /// retracted, of type `retractedType`) was a mistake; every projection folds the unit as
    /// if it had never been made. History keeps both.
    pub struct DecisionRetracted {
        pub unit_id: Uuid,
        pub position: i64,
        pub retracted_type: EventType,
        pub reason: String,
    }
}

decision_payload! {
    /// 信息变更: corrects a unit's data. Only the fields present change; identifiers are
    /// checked and unique again. `creditCodeCheckOverridden` is present with `creditCode`.
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
    }
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

decision_payload! {
    /// 撤回推荐: the recommending city (or the province) withdraws `year`'s recommendation;
    /// the unit is PILOT again.
    pub struct RecommendationWithdrawn {
        pub unit_id: Uuid,
        pub year: Year,
        pub reason: String,
    }
}

decision_payload! {
    /// 未入选: a unit whose four review stages of `year` all passed is not chosen (择优遴选);
    /// it is PILOT again and may be recommended in a later year.
    pub struct NotSelected {
        pub unit_id: Uuid,
        pub year: Year,
        pub reason: String,
    }
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

decision_payload! {
    /// 奖励补助: a subsidy of `amountYuan` (> 0) from `fund` to a unit awarded on `decidedOn`.
    pub struct SubsidyGranted {
        pub unit_id: Uuid,
        pub year: Year,
        pub amount_yuan: Yuan,
        pub fund: String,
    }
}
