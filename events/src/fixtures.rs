//! Event fixtures shared by the tests of several crates (`features = ["fixtures"]` in a
//! dev-dependency): units listed in 苏州, their lifecycle and the years' quotas, each decided
//! on 2024-05-06 under one 文号. The projections' tests fold these directly; the decide tests
//! use them and add, beside their command fixtures, the events those commands yield.

use crate::catalogue::{
    AnnualQuotaSet, Awarded, Batch, CertificateNo, CityCode, Commended, Decision, DecisionRetracted,
    DelistGround, Delisted, DivisionCode, DomainEvent, EvaluationRecorded, EventType, Figures, Grade,
    PilotListed, Recommended, ReviewOutcome, ReviewRecorded, ReviewStage, Score, Sector, UnitKind, Year,
};
use chrono::NaiveDate;
use uuid::Uuid;

pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub fn year(y: i64) -> Year {
    Year::new(y).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The decision part every fixture carries.
pub fn decided() -> Decision {
    Decision {
        decided_on: date(2024, 5, 6),
        document_ref: Some("苏发改服务发〔2024〕123号".into()),
        note: None,
    }
}

/// A unit of `kind` listed in `city` without identifiers (set the ones it needs).
pub fn listed(unit: Uuid, kind: UnitKind, city: CityCode, name: &str) -> PilotListed {
    PilotListed {
        unit_id: unit,
        name: name.into(),
        kind,
        city_code: city,
        division_code: None,
        credit_code: None,
        credit_code_check_overridden: false,
        zone_code: None,
        industries: vec!["智能制造".into()],
        batch: Batch::new(1).unwrap(),
        sectors: vec![Sector::Other],
        county_code: None,
        decision: decided(),
    }
}

/// A county of 苏州 with division code `code`.
pub fn county(unit: Uuid, code: &str, name: &str) -> DomainEvent {
    PilotListed {
        division_code: Some(DivisionCode::parse(code).unwrap()),
        ..listed(unit, UnitKind::County, CityCode::Suzhou, name)
    }
    .into()
}

pub fn recommended(unit: Uuid, y: i64) -> DomainEvent {
    Recommended {
        unit_id: unit,
        year: year(y),
        city_code: CityCode::Suzhou,
        figures: Figures::default(),
        decision: decided(),
    }
    .into()
}

/// A review stage of `y`, the expert stage scored 90.
pub fn review(unit: Uuid, y: i64, stage: ReviewStage, outcome: ReviewOutcome) -> DomainEvent {
    ReviewRecorded {
        unit_id: unit,
        year: year(y),
        stage,
        outcome,
        score: (stage == ReviewStage::Expert).then(|| Score::new(90).unwrap()),
        notice_start: None,
        notice_end: None,
        objections: None,
        reason: None,
        decision: decided(),
    }
    .into()
}

pub fn all_passed(unit: Uuid, y: i64) -> Vec<DomainEvent> {
    ReviewStage::ALL
        .iter()
        .map(|stage| review(unit, y, *stage, ReviewOutcome::Passed))
        .collect()
}

pub fn awarded(unit: Uuid, y: i64, serial: u32) -> DomainEvent {
    Awarded {
        unit_id: unit,
        year: year(y),
        certificate_no: CertificateNo::new(year(y), serial).unwrap(),
        decision: decided(),
    }
    .into()
}

/// A listed unit's way to its award in `y`: recommended, four stages passed, awarded.
pub fn to_award(unit: Uuid, y: i64, serial: u32) -> Vec<DomainEvent> {
    [
        vec![recommended(unit, y)],
        all_passed(unit, y),
        vec![awarded(unit, y, serial)],
    ]
    .concat()
}

pub fn quota_set(y: i64, total: u32) -> DomainEvent {
    AnnualQuotaSet {
        year: year(y),
        total,
        guideline_ref: None,
        decision: decided(),
    }
    .into()
}

pub fn evaluated(unit: Uuid, y: i64, grade: Grade, score: Option<Score>) -> DomainEvent {
    EvaluationRecorded {
        unit_id: unit,
        year: year(y),
        grade,
        score,
        decision: decided(),
    }
    .into()
}

pub fn commended(unit: Uuid, y: i64, citation: &str) -> DomainEvent {
    Commended {
        unit_id: unit,
        year: year(y),
        citation: citation.into(),
        decision: decided(),
    }
    .into()
}

/// Delisted on the ground OTHER.
pub fn delisted(unit: Uuid, reason: &str, evaluation_year: Option<i64>) -> DomainEvent {
    Delisted {
        unit_id: unit,
        reason: reason.into(),
        evaluation_year: evaluation_year.map(year),
        ground: DelistGround::Other,
        decision: decided(),
    }
    .into()
}

/// The retraction (a data-entry error, 录入错误) of the decision at `position`.
pub fn retracted(unit: Uuid, position: i64, retracted_type: EventType) -> DomainEvent {
    DecisionRetracted {
        unit_id: unit,
        position,
        retracted_type,
        reason: "录入错误".into(),
        decision: decided(),
    }
    .into()
}
