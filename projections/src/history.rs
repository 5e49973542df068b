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
}

impl History {
    /// An empty history of `unit_id`.
    pub fn new(unit_id: Uuid) -> Self {
        Self {
            unit_id,
            entries: Vec::new(),
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
        if recorded.event.unit_id() == Some(self.unit_id) {
            self.entries.push(HistoryEntry::of(recorded));
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
