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
use super::enums::{Grade, Role, Status, UnitKind};
use super::error::{ApiError, ApiResult};
use super::scalars::Date;
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
    /// Every event of the unit's stream, oldest first (as of the same moment as the unit).
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
    /// The event's payload (today's schema version).
    pub payload: Json<serde_json::Value>,
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
