//! [`DomainEvent`], the sum of every event payload, and [`EventType`], the names.

use super::bounded::Year;
use serde_json::Value;
use uuid::Uuid;

use super::labelled::labelled_enum;
use super::payloads::{
    AccessGranted, AccessRevoked, AnnualQuotaSet, Awarded, Commended, Decision, DecisionRetracted, Delisted,
    EvaluationRecorded, IndicatorsReported, NotSelected, PilotListed, PilotRevoked, RecommendationWithdrawn,
    Recommended, ReviewRecorded, SubsidyGranted, UnitAmended,
};
use super::streams::{ACCESS_STREAM, quota_stream, unit_stream};

labelled_enum! {
    /// The name of an event type, as stored in `events.event_type` and in the canonical
    /// form's `type`.
    EventType, what = "event type" {
        PilotListed = "PilotListed", "列入试点";
        PilotRevoked = "PilotRevoked", "撤销试点";
        Recommended = "Recommended", "推荐";
        ReviewRecorded = "ReviewRecorded", "评审";
        Awarded = "Awarded", "授牌";
        AnnualQuotaSet = "AnnualQuotaSet", "设定年度指标";
        EvaluationRecorded = "EvaluationRecorded", "绩效评价";
        Commended = "Commended", "表彰";
        Delisted = "Delisted", "摘牌";
        AccessGranted = "AccessGranted", "授予访问权限";
        AccessRevoked = "AccessRevoked", "撤销访问权限";
        DecisionRetracted = "DecisionRetracted", "撤销错误决定";
        UnitAmended = "UnitAmended", "信息变更";
        RecommendationWithdrawn = "RecommendationWithdrawn", "撤回推荐";
        NotSelected = "NotSelected", "未入选";
        IndicatorsReported = "IndicatorsReported", "统计监测";
        SubsidyGranted = "SubsidyGranted", "奖励补助";
    }
}

impl EventType {
    /// The schema version this type is written with today. Older versions are read through
    /// the upcasters in `catalogue::upcast`.
    pub const fn schema_version(self) -> i32 {
        match self {
            EventType::PilotListed
            | EventType::ReviewRecorded
            | EventType::AnnualQuotaSet
            | EventType::Delisted => 2,
            EventType::PilotRevoked
            | EventType::Recommended
            | EventType::Awarded
            | EventType::EvaluationRecorded
            | EventType::Commended
            | EventType::AccessGranted
            | EventType::AccessRevoked
            | EventType::DecisionRetracted
            | EventType::UnitAmended
            | EventType::RecommendationWithdrawn
            | EventType::NotSelected
            | EventType::IndicatorsReported
            | EventType::SubsidyGranted => 1,
        }
    }
}

/// One event of the domain, decoded into today's payload type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainEvent {
    PilotListed(PilotListed),
    PilotRevoked(PilotRevoked),
    Recommended(Recommended),
    ReviewRecorded(ReviewRecorded),
    Awarded(Awarded),
    AnnualQuotaSet(AnnualQuotaSet),
    EvaluationRecorded(EvaluationRecorded),
    Commended(Commended),
    Delisted(Delisted),
    AccessGranted(AccessGranted),
    AccessRevoked(AccessRevoked),
    DecisionRetracted(DecisionRetracted),
    UnitAmended(UnitAmended),
    RecommendationWithdrawn(RecommendationWithdrawn),
    NotSelected(NotSelected),
    IndicatorsReported(IndicatorsReported),
    SubsidyGranted(SubsidyGranted),
}

impl DomainEvent {
    /// The event's type.
    pub const fn kind(&self) -> EventType {
        match self {
            DomainEvent::PilotListed(_) => EventType::PilotListed,
            DomainEvent::PilotRevoked(_) => EventType::PilotRevoked,
            DomainEvent::Recommended(_) => EventType::Recommended,
            DomainEvent::ReviewRecorded(_) => EventType::ReviewRecorded,
            DomainEvent::Awarded(_) => EventType::Awarded,
            DomainEvent::AnnualQuotaSet(_) => EventType::AnnualQuotaSet,
            DomainEvent::EvaluationRecorded(_) => EventType::EvaluationRecorded,
            DomainEvent::Commended(_) => EventType::Commended,
            DomainEvent::Delisted(_) => EventType::Delisted,
            DomainEvent::AccessGranted(_) => EventType::AccessGranted,
            DomainEvent::AccessRevoked(_) => EventType::AccessRevoked,
            DomainEvent::DecisionRetracted(_) => EventType::DecisionRetracted,
            DomainEvent::UnitAmended(_) => EventType::UnitAmended,
            DomainEvent::RecommendationWithdrawn(_) => EventType::RecommendationWithdrawn,
            DomainEvent::NotSelected(_) => EventType::NotSelected,
            DomainEvent::IndicatorsReported(_) => EventType::IndicatorsReported,
            DomainEvent::SubsidyGranted(_) => EventType::SubsidyGranted,
        }
    }

    /// The stored `event_type`, e.g. `"Awarded"`.
    pub const fn event_type(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The schema version the payload is written with (today's, since a `DomainEvent`
    /// always holds today's shape).
    pub const fn schema_version(&self) -> i32 {
        self.kind().schema_version()
    }

    /// The Chinese name of the event, e.g. `授牌`.
    pub const fn label_zh(&self) -> &'static str {
        self.kind().label_zh()
    }

    /// The stream the event belongs to: `unit-{uuid}`, `quota-{year}` or `access`.
    pub fn stream_id(&self) -> String {
        match self {
            DomainEvent::AnnualQuotaSet(e) => quota_stream(e.year),
            DomainEvent::AccessGranted(_) | DomainEvent::AccessRevoked(_) => ACCESS_STREAM.to_owned(),
            other => match other.unit_id() {
                Some(id) => unit_stream(id),
                // Unreachable: every other variant is a unit event.
                None => ACCESS_STREAM.to_owned(),
            },
        }
    }

    /// The unit a unit event is about; `None` for quota and access events.
    pub const fn unit_id(&self) -> Option<Uuid> {
        match self {
            DomainEvent::PilotListed(e) => Some(e.unit_id),
            DomainEvent::PilotRevoked(e) => Some(e.unit_id),
            DomainEvent::Recommended(e) => Some(e.unit_id),
            DomainEvent::ReviewRecorded(e) => Some(e.unit_id),
            DomainEvent::Awarded(e) => Some(e.unit_id),
            DomainEvent::EvaluationRecorded(e) => Some(e.unit_id),
            DomainEvent::Commended(e) => Some(e.unit_id),
            DomainEvent::Delisted(e) => Some(e.unit_id),
            DomainEvent::DecisionRetracted(e) => Some(e.unit_id),
            DomainEvent::UnitAmended(e) => Some(e.unit_id),
            DomainEvent::RecommendationWithdrawn(e) => Some(e.unit_id),
            DomainEvent::NotSelected(e) => Some(e.unit_id),
            DomainEvent::IndicatorsReported(e) => Some(e.unit_id),
            DomainEvent::SubsidyGranted(e) => Some(e.unit_id),
            DomainEvent::AnnualQuotaSet(_)
            | DomainEvent::AccessGranted(_)
            | DomainEvent::AccessRevoked(_) => None,
        }
    }

    /// The year a decision concerns (a recommendation's, review's, award's, evaluation's,
    /// commendation's, closure's, report's or subsidy's year; the quota's year; a
    /// delisting's evaluation year); `None` for the rest.
    pub const fn year(&self) -> Option<Year> {
        match self {
            DomainEvent::Recommended(e) => Some(e.year),
            DomainEvent::ReviewRecorded(e) => Some(e.year),
            DomainEvent::Awarded(e) => Some(e.year),
            DomainEvent::AnnualQuotaSet(e) => Some(e.year),
            DomainEvent::EvaluationRecorded(e) => Some(e.year),
            DomainEvent::Commended(e) => Some(e.year),
            DomainEvent::RecommendationWithdrawn(e) => Some(e.year),
            DomainEvent::NotSelected(e) => Some(e.year),
            DomainEvent::IndicatorsReported(e) => Some(e.year),
            DomainEvent::SubsidyGranted(e) => Some(e.year),
            DomainEvent::Delisted(e) => e.evaluation_year,
            _ => None,
        }
    }

    /// The decision part (`decidedOn`, `documentRef`, `note`); `None` for access events.
    pub const fn decision(&self) -> Option<&Decision> {
        match self {
            DomainEvent::PilotListed(e) => Some(&e.decision),
            DomainEvent::PilotRevoked(e) => Some(&e.decision),
            DomainEvent::Recommended(e) => Some(&e.decision),
            DomainEvent::ReviewRecorded(e) => Some(&e.decision),
            DomainEvent::Awarded(e) => Some(&e.decision),
            DomainEvent::AnnualQuotaSet(e) => Some(&e.decision),
            DomainEvent::EvaluationRecorded(e) => Some(&e.decision),
            DomainEvent::Commended(e) => Some(&e.decision),
            DomainEvent::Delisted(e) => Some(&e.decision),
            DomainEvent::DecisionRetracted(e) => Some(&e.decision),
            DomainEvent::UnitAmended(e) => Some(&e.decision),
            DomainEvent::RecommendationWithdrawn(e) => Some(&e.decision),
            DomainEvent::NotSelected(e) => Some(&e.decision),
            DomainEvent::IndicatorsReported(e) => Some(&e.decision),
            DomainEvent::SubsidyGranted(e) => Some(&e.decision),
            DomainEvent::AccessGranted(_) | DomainEvent::AccessRevoked(_) => None,
        }
    }

    /// The payload as JSON, in today's schema version.
    pub fn to_payload(&self) -> Value {
        let result = match self {
            DomainEvent::PilotListed(e) => serde_json::to_value(e),
            DomainEvent::PilotRevoked(e) => serde_json::to_value(e),
            DomainEvent::Recommended(e) => serde_json::to_value(e),
            DomainEvent::ReviewRecorded(e) => serde_json::to_value(e),
            DomainEvent::Awarded(e) => serde_json::to_value(e),
            DomainEvent::AnnualQuotaSet(e) => serde_json::to_value(e),
            DomainEvent::EvaluationRecorded(e) => serde_json::to_value(e),
            DomainEvent::Commended(e) => serde_json::to_value(e),
            DomainEvent::Delisted(e) => serde_json::to_value(e),
            DomainEvent::AccessGranted(e) => serde_json::to_value(e),
            DomainEvent::AccessRevoked(e) => serde_json::to_value(e),
            DomainEvent::DecisionRetracted(e) => serde_json::to_value(e),
            DomainEvent::UnitAmended(e) => serde_json::to_value(e),
            DomainEvent::RecommendationWithdrawn(e) => serde_json::to_value(e),
            DomainEvent::NotSelected(e) => serde_json::to_value(e),
            DomainEvent::IndicatorsReported(e) => serde_json::to_value(e),
            DomainEvent::SubsidyGranted(e) => serde_json::to_value(e),
        };
        // Payloads are structs of strings, integers, booleans and string lists: serializing
        // them to a `Value` cannot fail.
        result.expect("catalogue payloads always serialize to JSON")
    }
}

macro_rules! from_payload {
    ($($variant:ident),+) => {
        $(impl From<$variant> for DomainEvent {
            fn from(payload: $variant) -> Self {
                DomainEvent::$variant(payload)
            }
        })+
    };
}

from_payload!(
    PilotListed,
    PilotRevoked,
    Recommended,
    ReviewRecorded,
    Awarded,
    AnnualQuotaSet,
    EvaluationRecorded,
    Commended,
    Delisted,
    AccessGranted,
    AccessRevoked,
    DecisionRetracted,
    UnitAmended,
    RecommendationWithdrawn,
    NotSelected,
    IndicatorsReported,
    SubsidyGranted
);
