//! GraphQL object types over the read models.

use async_graphql::{Context, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use liangye_events::StoredEvent;
use liangye_events::catalogue::{DomainEvent, Role as DomainRole};
use liangye_projections::History;
use liangye_projections::history::HistoryEntry as DomainHistoryEntry;
use liangye_projections::policy::{self, Action};
use liangye_projections::registry::Designation as Unit;
use uuid::Uuid;

use super::auth::caller;
use super::enums::{DelistGround, Grade, ReviewOutcome, ReviewStage, Role, Sector, Status, UnitKind};
use super::error::{ApiError, ApiResult};
use super::reads::Figures;
use super::scalars::{Date, YuanScalar};
use super::state::AppState;

/// A unit and its designation, as of a moment of the log.
pub struct Designation {
    pub unit: Unit,
    /// The log position this view is as of (`None`: the live head).
    pub as_of: Option<i64>,
    /// Its history, when it was read with the rest of a page's (`Some(None)`: none).
    pub history: Option<Option<History>>,
}

impl Designation {
    /// The unit as of `as_of`; its history is read when asked for.
    pub fn new(unit: Unit, as_of: Option<i64>) -> Self {
        Self {
            unit,
            as_of,
            history: None,
        }
    }
}

/// A performance evaluation (绩效评价).
#[derive(SimpleObject)]
pub struct EvaluationView {
    pub year: i32,
    pub grade: Grade,
    pub grade_label: &'static str,
    pub score: Option<i32>,
    pub decided_on: Date,
}

/// A commendation (表彰).
#[derive(SimpleObject)]
pub struct CommendationView {
    pub year: i32,
    pub citation: String,
    pub decided_on: Date,
}

/// A monitoring report (统计监测): the figures an awarded unit reported for a year.
#[derive(SimpleObject)]
pub struct IndicatorsView {
    pub year: i32,
    pub revenue_yuan: Option<YuanScalar>,
    pub gdp_yuan: Option<YuanScalar>,
    /// Basis points (3500 = 35.00%).
    pub manufacturing_share_bp: Option<i32>,
    pub market_share_rank: Option<i32>,
    /// 服务收入.
    pub service_revenue_yuan: Option<YuanScalar>,
    /// 研发投入.
    pub rd_expense_yuan: Option<YuanScalar>,
    /// 预警: the figures no longer meet the standard the unit entered on (judged as a
    /// recommendation is; a figure not reported counts as unmet).
    pub below_standard: bool,
    pub decided_on: Date,
}

/// A subsidy (奖励补助).
#[derive(SimpleObject)]
pub struct SubsidyView {
    pub year: i32,
    pub amount_yuan: YuanScalar,
    /// e.g. 省级服务业发展专项资金.
    pub fund: String,
    pub decided_on: Date,
}

#[Object]
impl Designation {
    async fn id(&self) -> Uuid {
        self.unit.id
    }
    async fn name(&self) -> &str {
        &self.unit.name
    }
    async fn kind(&self) -> UnitKind {
        self.unit.kind.into()
    }
    /// 县(市、区), 开发园区, 工业集中区 or 企业.
    async fn kind_label(&self) -> &'static str {
        self.unit.kind.label_zh()
    }
    async fn city_code(&self) -> &'static str {
        self.unit.city.code()
    }
    /// 南京 … 宿迁.
    async fn city_name(&self) -> &'static str {
        self.unit.city.name()
    }
    async fn status(&self) -> Status {
        self.unit.status.into()
    }
    /// 试点, 已推荐, 已授牌, 已摘牌 or 试点已撤销.
    async fn status_label(&self) -> &'static str {
        self.unit.status.label_zh()
    }
    async fn credit_code(&self) -> Option<&str> {
        self.unit.credit_code.as_ref().map(|c| c.as_str())
    }
    /// True when the credit code was accepted although it fails its check character.
    async fn credit_code_check_overridden(&self) -> bool {
        self.unit.credit_code_check_overridden
    }
    async fn division_code(&self) -> Option<String> {
        self.unit.division_code.map(|d| d.to_string())
    }
    async fn zone_code(&self) -> Option<String> {
        self.unit.zone_code.as_ref().map(|z| z.to_string())
    }
    async fn industries(&self) -> &[String] {
        &self.unit.industries
    }
    /// 主要行业领域 (one or more; OTHER for units listed before sectors were recorded).
    async fn sectors(&self) -> Vec<Sector> {
        self.unit.sectors.iter().map(|s| (*s).into()).collect()
    }
    /// The sectors' Chinese labels, in the same order.
    async fn sector_labels(&self) -> Vec<&'static str> {
        self.unit.sectors.iter().map(|s| s.label_zh()).collect()
    }
    /// The county-level division (GB/T 2260) the unit lies in, when known.
    async fn county_code(&self) -> Option<String> {
        self.unit.county_code.map(|c| c.to_string())
    }
    /// The log position of the unit's last event.
    async fn last_position(&self) -> i64 {
        self.unit.last_position
    }
    /// 统计监测: the figures reported each year, oldest first.
    async fn indicators(&self) -> Vec<IndicatorsView> {
        self.unit
            .indicators
            .iter()
            .map(|r| {
                let f = &r.figures;
                IndicatorsView {
                    year: r.year.get(),
                    revenue_yuan: f.figures.revenue_yuan.map(Into::into),
                    gdp_yuan: f.figures.gdp_yuan.map(Into::into),
                    manufacturing_share_bp: f.figures.manufacturing_share_bp.map(|b| i32::from(b.get())),
                    market_share_rank: f
                        .figures
                        .market_share_rank
                        .and_then(|r| i32::try_from(r.get()).ok()),
                    service_revenue_yuan: f.service_revenue_yuan.map(Into::into),
                    rd_expense_yuan: f.rd_expense_yuan.map(Into::into),
                    below_standard: r.below_standard,
                    decided_on: Date(r.decided_on),
                }
            })
            .collect()
    }
    /// 奖励补助, oldest first.
    async fn subsidies(&self) -> Vec<SubsidyView> {
        self.unit
            .subsidies
            .iter()
            .map(|s| SubsidyView {
                year: s.year.get(),
                amount_yuan: s.amount_yuan.into(),
                fund: s.fund.clone(),
                decided_on: Date(s.decided_on),
            })
            .collect()
    }
    async fn pilot_batch(&self) -> i32 {
        i32::from(self.unit.pilot_batch.get())
    }
    async fn award_year(&self) -> Option<i32> {
        self.unit.award.as_ref().map(|a| a.year.get())
    }
    /// `JSLY-{year}-{nnn}`.
    async fn certificate_no(&self) -> Option<String> {
        self.unit.award.as_ref().map(|a| a.certificate_no.to_string())
    }
    /// The version of the unit's stream: pass it as `expectedVersion` to guard a decision.
    async fn version(&self) -> i64 {
        self.unit.version
    }
    /// The year of the attempt in progress (set while RECOMMENDED).
    async fn recommended_year(&self) -> Option<i32> {
        self.unit.recommended_year.map(|y| y.get())
    }
    async fn evaluations(&self) -> Vec<EvaluationView> {
        self.unit
            .evaluations
            .iter()
            .map(|e| EvaluationView {
                year: e.year.get(),
                grade: e.grade.into(),
                grade_label: e.grade.label_zh(),
                score: e.score.map(|s| i32::from(s.get())),
                decided_on: Date(e.decided_on),
            })
            .collect()
    }
    async fn commendations(&self) -> Vec<CommendationView> {
        self.unit
            .commendations
            .iter()
            .map(|c| CommendationView {
                year: c.year.get(),
                citation: c.citation.clone(),
                decided_on: Date(c.decided_on),
            })
            .collect()
    }
    /// Why and when it was delisted (摘牌), if it was.
    async fn delisting_reason(&self) -> Option<&str> {
        self.unit.delisting.as_ref().map(|d| d.reason.as_str())
    }
    /// What the delisting rests on, if it was delisted.
    async fn delisting_ground(&self) -> Option<DelistGround> {
        self.unit.delisting.as_ref().map(|d| d.ground.into())
    }
    /// Every event of the unit's stream, oldest first (as of the same moment as the unit).
    #[graphql(complexity = "crate::limits::HISTORY_COST * child_complexity + 1")]
    async fn history(&self, ctx: &Context<'_>) -> ApiResult<Vec<HistoryEntry>> {
        let state = ctx.data::<AppState>()?;
        let principal = caller(ctx)?;
        let show_actor = policy::allows(principal.role, Action::ReadLog);
        let loaded;
        let history = match &self.history {
            Some(prefetched) => prefetched.as_ref(),
            None => {
                loaded = state
                    .live
                    .history(self.unit.id, self.as_of)
                    .await
                    .map_err(super::read::live_error)?;
                loaded.as_ref()
            }
        };
        history
            .map(|h| {
                h.entries()
                    .iter()
                    .map(|e| HistoryEntry::of(e, show_actor))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()
            .map(Option::unwrap_or_default)
            .map_err(Into::into)
    }
}

/// One event in a unit's history.
#[derive(SimpleObject)]
pub struct HistoryEntry {
    pub position: i64,
    #[graphql(name = "type")]
    pub event_type: String,
    /// 列入试点, 推荐, 评审, 授牌 …
    pub type_label: &'static str,
    pub decided_on: Option<Date>,
    pub recorded_at: DateTime<Utc>,
    pub document_ref: Option<String>,
    pub note: Option<String>,
    /// Who recorded it; shown to PROVINCIAL and AUDITOR tokens only.
    pub actor: Option<String>,
    /// The position of the `DecisionRetracted` that retracted this decision: every
    /// projection folds the unit as if it had never been made.
    pub retracted_by: Option<i64>,
    /// One line in Chinese saying what was decided (an amendment's old → new values).
    pub summary: String,
    /// The year the decision concerns, when it has one.
    pub year: Option<i32>,
    /// A recommendation's figures (推荐) or a monitoring report's (统计监测).
    pub figures: Option<Figures>,
    /// A review's stage and outcome (评审).
    pub review: Option<HistoryReview>,
    /// What an amendment changed (信息变更), each field old → new; empty for the rest.
    pub changes: Vec<FieldChange>,
    /// The reason given (retraction, withdrawal, non-selection, delisting, amendment).
    pub reason: Option<String>,
    /// For a `DecisionRetracted`: the position of the decision it retracted.
    pub retracts_position: Option<i64>,
    /// The event's payload (today's schema version).
    pub payload: Json<serde_json::Value>,
}

/// A review stage as its history entry shows it.
#[derive(SimpleObject)]
pub struct HistoryReview {
    pub stage: ReviewStage,
    pub stage_label: &'static str,
    pub outcome: ReviewOutcome,
    pub outcome_label: &'static str,
    pub score: Option<i32>,
    pub notice_start: Option<Date>,
    pub notice_end: Option<Date>,
    pub objections: Option<String>,
}

/// One field an amendment changed.
#[derive(SimpleObject)]
pub struct FieldChange {
    /// The field's GraphQL name, e.g. `name`, `sectors`, `creditCode`.
    pub field: &'static str,
    /// Its Chinese name, e.g. 名称.
    pub field_label: &'static str,
    /// The value before (lists joined by 、), null when it had none.
    pub from: Option<String>,
    /// The value after.
    pub to: Option<String>,
}

/// The Chinese name of an amendable field.
fn field_label(field: &str) -> &'static str {
    match field {
        "name" => "名称",
        "sectors" => "行业领域",
        "industries" => "行业描述",
        "countyCode" => "县(市、区)代码",
        "creditCode" => "统一社会信用代码",
        "divisionCode" => "行政区划代码",
        "zoneCode" => "开发区代码",
        _ => "其他",
    }
}

impl HistoryEntry {
    pub fn of(entry: &DomainHistoryEntry, show_actor: bool) -> Result<Self, ApiError> {
        Ok(HistoryEntry {
            position: entry.position,
            event_type: entry.event_type.as_str().to_owned(),
            type_label: entry.event_type.label_zh(),
            decided_on: entry.decided_on.map(Date),
            recorded_at: parse_time(&entry.recorded_at)?,
            document_ref: entry.document_ref.clone(),
            note: entry.note.clone(),
            actor: show_actor.then(|| entry.actor.clone()),
            retracted_by: entry.retracted_by,
            summary: entry.summary_zh(),
            year: entry.event.year().map(|y| y.get()),
            figures: match &entry.event {
                DomainEvent::Recommended(e) => Some(e.figures.into()),
                DomainEvent::IndicatorsReported(e) => Some(e.figures.figures.into()),
                _ => None,
            },
            review: match &entry.event {
                DomainEvent::ReviewRecorded(e) => Some(HistoryReview {
                    stage: e.stage.into(),
                    stage_label: e.stage.label_zh(),
                    outcome: e.outcome.into(),
                    outcome_label: e.outcome.label_zh(),
                    score: e.score.map(|s| i32::from(s.get())),
                    notice_start: e.notice_start.map(Date),
                    notice_end: e.notice_end.map(Date),
                    objections: e.objections.clone(),
                }),
                _ => None,
            },
            changes: entry
                .changes
                .iter()
                .map(|c| FieldChange {
                    field: c.field,
                    field_label: field_label(c.field),
                    from: c.from.clone(),
                    to: c.to.clone(),
                })
                .collect(),
            reason: match &entry.event {
                DomainEvent::DecisionRetracted(e) => Some(e.reason.clone()),
                DomainEvent::RecommendationWithdrawn(e) => Some(e.reason.clone()),
                DomainEvent::NotSelected(e) => Some(e.reason.clone()),
                DomainEvent::Delisted(e) => Some(e.reason.clone()),
                DomainEvent::UnitAmended(e) => Some(e.reason.clone()),
                DomainEvent::ReviewRecorded(e) => e.reason.clone(),
                _ => None,
            },
            retracts_position: match &entry.event {
                DomainEvent::DecisionRetracted(e) => Some(e.position),
                _ => None,
            },
            payload: Json(redact(&entry.event)),
        })
    }
}

/// The payload as shown over GraphQL: access events never show the secret's hash.
fn redact(event: &DomainEvent) -> serde_json::Value {
    let mut payload = event.to_payload();
    if let (DomainEvent::AccessGranted(_), Some(map)) = (event, payload.as_object_mut()) {
        map.remove("secretSha256");
    }
    payload
}

pub fn parse_time(s: &str) -> Result<DateTime<Utc>, ApiError> {
    liangye_events::canonical::parse_timestamp(s).map_err(ApiError::internal)
}

/// One event of the raw log (PROVINCIAL and AUDITOR).
pub struct Event(pub StoredEvent);

#[Object]
impl Event {
    async fn position(&self) -> i64 {
        self.0.position
    }
    async fn event_id(&self) -> Uuid {
        self.0.event_id
    }
    async fn stream_id(&self) -> &str {
        &self.0.stream_id
    }
    async fn stream_version(&self) -> i64 {
        self.0.stream_version
    }
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// The event type's Chinese name.
    async fn type_label(&self) -> Option<&'static str> {
        liangye_events::catalogue::EventType::parse(&self.0.event_type)
            .ok()
            .map(|t| t.label_zh())
    }
    async fn schema_version(&self) -> i32 {
        self.0.schema_version
    }
    async fn recorded_at(&self) -> ApiResult<DateTime<Utc>> {
        Ok(parse_time(&self.0.recorded_at)?)
    }
    async fn command_id(&self) -> Option<Uuid> {
        self.0.command_id
    }
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    async fn role(&self) -> Option<Role> {
        DomainRole::parse(&self.0.role).ok().map(Into::into)
    }
    /// The RFC 8785 text that was hashed, byte for byte.
    async fn canonical(&self) -> &str {
        &self.0.canonical
    }
    /// SHA-256(0x00 ‖ canonical), lowercase hex.
    async fn leaf_hash(&self) -> &str {
        &self.0.leaf_hash
    }
}

/// What a mutation answers: the unit after the decision, the events appended and the
/// position of the last one.
#[derive(SimpleObject)]
pub struct DecisionPayload {
    pub designation: Option<Designation>,
    pub events: Vec<Event>,
    pub position: i64,
    /// True when the `commandId` had been seen: these are the first result's events.
    pub duplicate: bool,
}
