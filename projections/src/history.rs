//! [`History`]: every event of one unit's stream, as the registry shows it (DESIGN.md §4,
//! `Designation.history`).
//!
//! Histories are not kept in memory for every unit: a unit's history is built on demand by
//! folding its own stream (a short, indexed read), optionally only up to an as-of position.

use chrono::NaiveDate;
use liangye_events::catalogue::{DomainEvent, EventType, RecordedEvent};
use serde_json::{Value, json};
use uuid::Uuid;

/// One event of a unit's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub position: i64,
    pub stream_version: i64,
    pub event_type: EventType,
    /// RFC 3339, microseconds, `Z`.
    pub recorded_at: String,
    /// The date on the decision document.
    pub decided_on: Option<NaiveDate>,
    /// 文号, e.g. 苏发改服务发〔2024〕123号.
    pub document_ref: Option<String>,
    pub note: Option<String>,
    /// Who recorded it. Shown to PROVINCIAL and AUDITOR only.
    pub actor: String,
    /// The role they recorded it in.
    pub role: String,
    /// The event itself, in today's payload shape.
    pub event: DomainEvent,
    /// The position of the `DecisionRetracted` that retracted this decision, if one did.
    pub retracted_by: Option<i64>,
    /// For a `UnitAmended`: each field it changed, with the value before and after.
    pub changes: Vec<FieldChange>,
}

/// One field an amendment changed: `field` (its GraphQL name), the value before and after,
/// as text (lists joined by 、; `None` when it had no value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl HistoryEntry {
    /// Builds an entry from a decoded event.
    pub fn of(recorded: &RecordedEvent) -> Self {
        let decision = recorded.event.decision();
        Self {
            position: recorded.position,
            stream_version: recorded.stream_version,
            event_type: recorded.event.kind(),
            recorded_at: recorded.recorded_at.clone(),
            decided_on: decision.map(|d| d.decided_on),
            document_ref: decision.and_then(|d| d.document_ref.clone()),
            note: decision.and_then(|d| d.note.clone()),
            actor: recorded.metadata.actor.clone(),
            role: recorded.metadata.role.clone(),
            event: recorded.event.clone(),
            retracted_by: None,
            changes: Vec::new(),
        }
    }

    /// The event type's Chinese name, e.g. `授牌`.
    pub fn label_zh(&self) -> &'static str {
        self.event_type.label_zh()
    }

    /// One line in Chinese saying what was decided, e.g. `2024年度专家评审通过（86分）`.
    pub fn summary_zh(&self) -> String {
        match &self.event {
            DomainEvent::PilotListed(e) => format!("列入第{}批省级两业深度融合试点名单", e.batch),
            DomainEvent::PilotRevoked(_) => "撤销试点".to_owned(),
            DomainEvent::Recommended(e) => {
                format!(
                    "{}市发展改革委推荐参评{}年度标杆引领典型",
                    e.city_code.name(),
                    e.year
                )
            }
            DomainEvent::ReviewRecorded(e) => {
                let score = e.score.map(|s| format!("（{s}分）")).unwrap_or_default();
                format!(
                    "{}年度{}{}{score}",
                    e.year,
                    e.stage.label_zh(),
                    e.outcome.label_zh()
                )
            }
            DomainEvent::Awarded(e) => format!("授牌，证书编号 {}", e.certificate_no),
            DomainEvent::AnnualQuotaSet(e) => format!("{}年度指标 {} 个", e.year, e.total),
            DomainEvent::EvaluationRecorded(e) => {
                format!("{}年度绩效评价：{}", e.year, e.grade.label_zh())
            }
            DomainEvent::Commended(e) => format!("{}年度表彰：{}", e.year, e.citation),
            DomainEvent::Delisted(e) => format!("摘牌：{}", e.reason),
            DomainEvent::AccessGranted(e) => format!("授予访问权限：{}", e.name),
            DomainEvent::AccessRevoked(_) => "撤销访问权限".to_owned(),
            DomainEvent::DecisionRetracted(e) => format!(
                "撤销位置 {} 的{}决定：{}",
                e.position,
                e.retracted_type.label_zh(),
                e.reason
            ),
            DomainEvent::UnitAmended(e) => {
                let changes: Vec<String> = self
                    .changes
                    .iter()
                    .map(|c| {
                        format!(
                            "{}：{} → {}",
                            c.field,
                            c.from.as_deref().unwrap_or("（无）"),
                            c.to.as_deref().unwrap_or("（无）")
                        )
                    })
                    .collect();
                format!("信息变更（{}）：{}", e.reason, changes.join("；"))
            }
            DomainEvent::RecommendationWithdrawn(e) => format!("撤回{}年度推荐：{}", e.year, e.reason),
            DomainEvent::NotSelected(e) => format!("{}年度择优遴选未入选：{}", e.year, e.reason),
            DomainEvent::IndicatorsReported(e) => format!(
                "报送{}年度统计监测数据{}",
                e.year,
                if e.below_standard {
                    "（低于入选标准，预警）"
                } else {
                    ""
                }
            ),
            DomainEvent::SubsidyGranted(e) => {
                format!("{}年度奖励补助 {} 元（{}）", e.year, e.amount_yuan, e.fund)
            }
        }
    }

    /// The entry as JSON (`position`, `type`, `label`, `summary`, `decidedOn`, `recordedAt`,
    /// `documentRef`, `note`, `payload`, and `actor`/`role` when `with_actor`).
    pub fn to_json(&self, with_actor: bool) -> Value {
        let mut value = json!({
            "position": self.position,
            "version": self.stream_version,
            "type": self.event_type,
            "label": self.label_zh(),
            "summary": self.summary_zh(),
            "decidedOn": self.decided_on,
            "recordedAt": self.recorded_at,
            "documentRef": self.document_ref,
            "note": self.note,
            "payload": self.event.to_payload(),
            "retractedBy": self.retracted_by,
        });
        if with_actor && let Value::Object(map) = &mut value {
            map.insert("actor".to_owned(), Value::String(self.actor.clone()));
            map.insert("role".to_owned(), Value::String(self.role.clone()));
        }
        value
    }
}

/// The history of one unit: the events of its stream, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    unit_id: Uuid,
    entries: Vec<HistoryEntry>,
    /// The amendable fields as they stand, as text (to say what an amendment changed).
    fields: Vec<(&'static str, Option<String>)>,
}

impl History {
    /// An empty history of `unit_id`.
    pub fn new(unit_id: Uuid) -> Self {
        Self {
            unit_id,
            entries: Vec::new(),
            fields: Vec::new(),
        }
    }

    /// Folds `events` (the unit's stream, in order) up to and including position `at`
    /// (all of them when `None`). Events about other units are ignored.
    pub fn fold<'a>(
        unit_id: Uuid,
        events: impl IntoIterator<Item = &'a RecordedEvent>,
        at: Option<i64>,
    ) -> Self {
        let mut history = Self::new(unit_id);
        for event in events {
            if at.is_some_and(|at| event.position > at) {
                break;
            }
            history.apply(event);
        }
        history
    }

    /// Folds one event in; events about other units change nothing.
    pub fn apply(&mut self, recorded: &RecordedEvent) {
        if recorded.event.unit_id() != Some(self.unit_id) {
            return;
        }
        let mut entry = HistoryEntry::of(recorded);
        match &recorded.event {
            DomainEvent::PilotListed(e) => {
                self.fields = vec![
                    ("name", Some(e.name.clone())),
                    ("sectors", Some(join(e.sectors.iter().map(|s| s.as_str())))),
                    ("industries", Some(join(e.industries.iter().map(String::as_str)))),
                    ("countyCode", e.county_code.map(|c| c.to_string())),
                    ("creditCode", e.credit_code.map(|c| c.to_string())),
                    ("divisionCode", e.division_code.map(|c| c.to_string())),
                    ("zoneCode", e.zone_code.map(|c| c.to_string())),
                ];
            }
            DomainEvent::UnitAmended(e) => {
                let new = [
                    ("name", e.name.clone()),
                    (
                        "sectors",
                        e.sectors.as_ref().map(|v| join(v.iter().map(|s| s.as_str()))),
                    ),
                    (
                        "industries",
                        e.industries.as_ref().map(|v| join(v.iter().map(String::as_str))),
                    ),
                    ("countyCode", e.county_code.map(|c| c.to_string())),
                    ("creditCode", e.credit_code.map(|c| c.to_string())),
                    ("divisionCode", e.division_code.map(|c| c.to_string())),
                    ("zoneCode", e.zone_code.map(|c| c.to_string())),
                ];
                for (field, to) in new {
                    let Some(to) = to else { continue };
                    let from = self.field(field);
                    self.set_field(field, Some(to.clone()));
                    entry.changes.push(FieldChange {
                        field,
                        from,
                        to: Some(to),
                    });
                }
            }
            DomainEvent::DecisionRetracted(e) => {
                if let Some(retracted) = self.entries.iter_mut().find(|x| x.position == e.position) {
                    retracted.retracted_by = Some(recorded.position);
                    let undo: Vec<(&'static str, Option<String>)> = retracted
                        .changes
                        .iter()
                        .map(|c| (c.field, c.from.clone()))
                        .collect();
                    for (field, from) in undo {
                        self.set_field(field, from);
                    }
                }
            }
            _ => {}
        }
        self.entries.push(entry);
    }

    fn field(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(field, _)| *field == name)
            .and_then(|(_, value)| value.clone())
    }

    fn set_field(&mut self, name: &'static str, value: Option<String>) {
        match self.fields.iter_mut().find(|(field, _)| *field == name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((name, value)),
        }
    }

    /// The unit.
    pub fn unit_id(&self) -> Uuid {
        self.unit_id
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    /// Whether nothing is known of the unit (not listed, or not yet at the as-of moment).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join("、")
}
