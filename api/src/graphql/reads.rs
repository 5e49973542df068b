//! The Wave 2 reads of DESIGN.md §4: `applications`, the statistics by sector, county,
//! city × year, evaluations, subsidies and monitoring (converted with the rest of the
//! statistics in `super::query`), and the typed parts of a history entry (a
//! recommendation's figures, a review's stage and outcome, an amendment's changes).

use async_graphql::{Enum, InputObject, Object, SimpleObject};
use liangye_events::catalogue::{CityCode, Figures as DomainFigures, Year};
use liangye_projections::applications::{
    Application as DomainApplication, ApplicationFilter, ApplicationResult as DomainResult,
    ReviewView as DomainReview, decode_application_cursor, encode_application_cursor,
};

use super::enums::{Grade, ReviewOutcome, ReviewStage, Role, Sector, UnitKind};
use super::error::ApiError;
use super::query::{PageInfo, connection};
use super::scalars::{Date, YuanScalar};
use super::types::Designation;

/// How an application stands (or ended).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "DomainResult")]
pub enum ApplicationResult {
    /// 评审中: recommended, not yet decided.
    InReview,
    /// 未通过评审: a review stage failed.
    Failed,
    /// 已撤回: the recommendation was withdrawn.
    Withdrawn,
    /// 未入选: all four stages passed, and it was not chosen (择优遴选).
    NotSelected,
    /// 已授牌.
    Awarded,
}

/// The figures a recommendation was judged on.
#[derive(SimpleObject)]
pub struct Figures {
    /// 年营业收入 (enterprises).
    pub revenue_yuan: Option<YuanScalar>,
    /// 地区生产总值 (regions).
    pub gdp_yuan: Option<YuanScalar>,
    /// 制造业增加值占比, basis points (3500 = 35.00%).
    pub manufacturing_share_bp: Option<i32>,
    /// 细分行业市场占有率全国排名.
    pub market_share_rank: Option<i32>,
}

impl From<DomainFigures> for Figures {
    fn from(f: DomainFigures) -> Self {
        Self {
            revenue_yuan: f.revenue_yuan.map(Into::into),
            gdp_yuan: f.gdp_yuan.map(Into::into),
            manufacturing_share_bp: f.manufacturing_share_bp.map(|b| i32::from(b.get())),
            market_share_rank: f.market_share_rank.and_then(|r| i32::try_from(r.get()).ok()),
        }
    }
}

/// One review stage of an application (评审).
#[derive(SimpleObject)]
pub struct ApplicationReview {
    /// The log position of the `ReviewRecorded`.
    pub position: i64,
    pub stage: ReviewStage,
    /// 材料审查, 专家评审, 现场察看 or 社会公示.
    pub stage_label: &'static str,
    pub outcome: ReviewOutcome,
    /// 通过 or 未通过.
    pub outcome_label: &'static str,
    /// The expert review's score.
    pub score: Option<i32>,
    /// The public notice's period (社会公示).
    pub notice_start: Option<Date>,
    pub notice_end: Option<Date>,
    /// Objections received during the public notice.
    pub objections: Option<String>,
    /// Why a stage failed.
    pub reason: Option<String>,
    pub decided_on: Date,
    pub document_ref: Option<String>,
}

impl From<&DomainReview> for ApplicationReview {
    fn from(r: &DomainReview) -> Self {
        Self {
            position: r.position,
            stage: r.stage.into(),
            stage_label: r.stage.label_zh(),
            outcome: r.outcome.into(),
            outcome_label: r.outcome.label_zh(),
            score: r.score.map(|s| i32::from(s.get())),
            notice_start: r.notice_start.map(Date),
            notice_end: r.notice_end.map(Date),
            objections: r.objections.clone(),
            reason: r.reason.clone(),
            decided_on: Date(r.decided_on),
            document_ref: r.document_ref.clone(),
        }
    }
}

/// One recommendation of a unit for a year (申报) and how far it came.
pub struct Application {
    pub application: DomainApplication,
    pub designation: Designation,
}

#[Object]
impl Application {
    /// The unit, as of the same moment.
    async fn designation(&self) -> &Designation {
        &self.designation
    }
    async fn year(&self) -> i32 {
        self.application.year.get()
    }
    /// The log position of the recommendation.
    async fn position(&self) -> i64 {
        self.application.position
    }
    /// CITY (a city's 发展改革委) or PROVINCIAL.
    async fn recommended_by_role(&self) -> Option<Role> {
        self.application.recommended_by_role.map(Into::into)
    }
    async fn recommended_on(&self) -> Date {
        Date(self.application.recommended_on)
    }
    /// The recommendation's 文号.
    async fn document_ref(&self) -> Option<&str> {
        self.application.document_ref.as_deref()
    }
    async fn figures(&self) -> Figures {
        self.application.figures.into()
    }
    /// The stages recorded, in log order.
    async fn reviews(&self) -> Vec<ApplicationReview> {
        self.application.reviews.iter().map(Into::into).collect()
    }
    async fn result(&self) -> ApplicationResult {
        self.application.result.into()
    }
    /// 评审中, 未通过评审, 已撤回, 未入选 or 已授牌.
    async fn result_label(&self) -> &'static str {
        self.application.result.label_zh()
    }
    /// The date of the decision that ended it, if one did.
    async fn result_on(&self) -> Option<Date> {
        self.application.result_on.map(Date)
    }
    /// Why it was withdrawn or not selected, or why its stage failed.
    async fn result_reason(&self) -> Option<&str> {
        self.application.result_reason.as_deref()
    }
    /// The certificate, once awarded.
    async fn certificate_no(&self) -> Option<String> {
        self.application.certificate_no.map(|c| c.to_string())
    }
}

/// Which applications to list; every given criterion must hold.
#[derive(InputObject, Default)]
#[graphql(name = "ApplicationFilter")]
pub struct ApplicationFilterInput {
    pub year: Option<i64>,
    pub city_code: Option<String>,
    pub kind: Option<UnitKind>,
    pub result: Option<ApplicationResult>,
}

impl TryFrom<ApplicationFilterInput> for ApplicationFilter {
    type Error = ApiError;

    fn try_from(f: ApplicationFilterInput) -> Result<Self, ApiError> {
        Ok(Self {
            year: f
                .year
                .map(Year::new)
                .transpose()
                .map_err(|e| ApiError::validation(format!("filter.year: {e}")))?,
            city: f
                .city_code
                .as_deref()
                .map(CityCode::parse)
                .transpose()
                .map_err(|e| ApiError::validation(format!("filter.cityCode: {e}")))?,
            kind: f.kind.map(Into::into),
            result: f.result.map(Into::into),
        })
    }
}

/// An `applications` cursor, read back.
pub fn application_cursor(after: Option<&str>) -> Result<Option<(Year, uuid::Uuid)>, ApiError> {
    after
        .map(|cursor| {
            decode_application_cursor(cursor).ok_or_else(|| {
                ApiError::validation(format!(
                    "after {cursor:?} is not a cursor of this connection; pass an endCursor it returned"
                ))
            })
        })
        .transpose()
}

#[derive(SimpleObject)]
pub struct ApplicationEdge<'a> {
    pub cursor: String,
    pub node: &'a Application,
}

/// A page of applications, in (year, unit) order.
pub struct ApplicationConnection {
    pub items: Vec<Application>,
    pub page_info: PageInfo,
    pub total_count: i64,
    pub position: i64,
}

impl ApplicationConnection {
    pub fn new(
        items: Vec<Application>,
        has_next_page: bool,
        has_previous_page: bool,
        total: usize,
        position: i64,
    ) -> Self {
        let cursor = |a: &Application| encode_application_cursor(a.application.year, a.application.unit_id);
        let page_info = PageInfo {
            has_next_page,
            has_previous_page,
            start_cursor: items.first().map(cursor),
            end_cursor: items.last().map(cursor),
        };
        Self {
            items,
            page_info,
            total_count: i64::try_from(total).unwrap_or(i64::MAX),
            position,
        }
    }
}

connection!(
    ApplicationConnection,
    "How many applications match the filter (at the same moment).",
    {
        async fn edges(&self) -> Vec<ApplicationEdge<'_>> {
            self.items
                .iter()
                .map(|a| ApplicationEdge {
                    cursor: encode_application_cursor(a.application.year, a.application.unit_id),
                    node: a,
                })
                .collect()
        }

        async fn nodes(&self) -> &[Application] {
            &self.items
        }
    }
);

/// The units of one sector (a unit of several sectors counts in each).
#[derive(SimpleObject)]
pub struct SectorCount {
    pub sector: Sector,
    pub sector_label: &'static str,
    pub total: i64,
    /// Of those, AWARDED now.
    pub awarded: i64,
}

/// The units of one county-level division.
#[derive(SimpleObject)]
pub struct CountyCount {
    pub county_code: String,
    pub city_code: &'static str,
    pub city_name: &'static str,
    pub total: i64,
    /// Of those, AWARDED now.
    pub awarded: i64,
}

/// The awards made to a city's units in one year.
#[derive(SimpleObject)]
pub struct CityYearCount {
    pub city_code: &'static str,
    pub city_name: &'static str,
    pub year: i32,
    /// Awards made (delisted ones included).
    pub awarded: i64,
    /// Of those, still AWARDED.
    pub still_awarded: i64,
}

/// The evaluations (绩效评价) of one year with one grade.
#[derive(SimpleObject)]
pub struct EvaluationCount {
    pub year: i32,
    pub grade: Grade,
    pub grade_label: &'static str,
    pub count: i64,
}

/// The subsidies (奖励补助) of one year to one city's units.
#[derive(SimpleObject)]
pub struct SubsidyTotal {
    pub year: i32,
    pub city_code: &'static str,
    pub city_name: &'static str,
    pub total_yuan: YuanScalar,
    pub count: i64,
}

/// The monitoring reports (统计监测) of one year.
#[derive(SimpleObject)]
pub struct MonitoringCount {
    pub year: i32,
    /// Units that reported for the year.
    pub reported: i64,
    /// Of those, below the selection standard (预警).
    pub below_standard: i64,
}
