//! What the decision state knows about one unit.

use chrono::NaiveDate;
use liangye_events::catalogue::{
    Batch, CertificateNo, CityCode, CreditCode, DivisionCode, Figures, Grade, ReviewStage, Score, Status,
    UnitKind, Year, ZoneCode,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One unit (designation subject): who it is, where it stands, and the decisions about it
/// that later decisions are judged against. Every recorded decision carries the log
/// position it was made at, so that read models can tell what held at an earlier moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    pub id: Uuid,
    pub name: String,
    pub kind: UnitKind,
    pub city: CityCode,
    /// A county's own code, or the county an industrial zone lies in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division_code: Option<DivisionCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<CreditCode>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credit_code_check_overridden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_code: Option<ZoneCode>,
    pub industries: Vec<String>,
    pub pilot_batch: Batch,
    pub status: Status,
    /// The version of the unit's stream: that of its last event.
    pub version: i64,
    /// The year of the attempt in progress; set exactly while the status is `RECOMMENDED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_attempt: Option<Year>,
    /// Every recommendation (one per year), in log order; see [`Unit::recommendation`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recommendations: Vec<Recommendation>,
    /// The reviews of each year's attempt, in log order; see [`Unit::reviews_of`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<ReviewProgress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub award: Option<Award>,
    /// Every performance evaluation (one per year), in log order; see [`Unit::evaluation`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluations: Vec<Evaluation>,
    /// Every commendation, in log order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commendations: Vec<Commendation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delisting: Option<Delisting>,
}

impl Unit {
    /// The recommendation for `year`.
    pub fn recommendation(&self, year: Year) -> Option<&Recommendation> {
        self.recommendations.iter().find(|r| r.year == year)
    }

    /// The reviews of `year`'s attempt.
    pub fn reviews_of(&self, year: Year) -> Option<&ReviewProgress> {
        self.reviews.iter().find(|r| r.year == year)
    }

    /// The reviews of `year`'s attempt, started if there were none.
    pub(super) fn reviews_of_mut(&mut self, year: Year) -> &mut ReviewProgress {
        let index = match self.reviews.iter().position(|r| r.year == year) {
            Some(index) => index,
            None => {
                self.reviews.reserve_exact(1);
                self.reviews.push(ReviewProgress::new(year));
                self.reviews.len() - 1
            }
        };
        &mut self.reviews[index]
    }

    /// The evaluation for `year`.
    pub fn evaluation(&self, year: Year) -> Option<&Evaluation> {
        self.evaluations.iter().find(|e| e.year == year)
    }
}

/// A recommendation and the figures it was judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// The log position of the `Recommended` event.
    pub position: i64,
    pub year: Year,
    pub city: CityCode,
    pub figures: Figures,
    pub decided_on: NaiveDate,
}

/// How far one year's attempt has come through the review stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewProgress {
    pub year: Year,
    /// How many stages passed: stages pass strictly in order, so these are the first
    /// `passed_count` of [`ReviewStage::ALL`].
    passed_count: u8,
    /// The stage that failed and ended the attempt, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<ReviewStage>,
    /// The expert review's score, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expert_score: Option<Score>,
}

impl ReviewProgress {
    /// A new attempt with no stage recorded.
    pub fn new(year: Year) -> Self {
        Self {
            year,
            passed_count: 0,
            failed: None,
            expert_score: None,
        }
    }

    /// The stages passed, in order.
    pub fn passed(&self) -> &'static [ReviewStage] {
        ReviewStage::ALL
            .get(..usize::from(self.passed_count))
            .unwrap_or(ReviewStage::ALL)
    }

    /// Records that `stage` passed (with every stage before it).
    pub(super) fn pass(&mut self, stage: ReviewStage) {
        let count = u8::try_from(stage.ordinal() + 1).unwrap_or(u8::MAX);
        self.passed_count = self.passed_count.max(count);
    }

    /// The stage to record next: `None` once a stage failed or all four passed.
    pub fn next_stage(&self) -> Option<ReviewStage> {
        if self.failed.is_some() {
            return None;
        }
        match self.passed().last() {
            None => Some(ReviewStage::FIRST),
            Some(last) => last.next(),
        }
    }

    /// Whether all four stages passed, in order.
    pub fn is_complete(&self) -> bool {
        self.failed.is_none() && self.passed() == ReviewStage::ALL
    }
}

/// The award (授牌).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Award {
    /// The log position of the `Awarded` event.
    pub position: i64,
    pub year: Year,
    pub certificate_no: CertificateNo,
    pub decided_on: NaiveDate,
}

/// A performance evaluation (绩效评价).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// The log position of the `EvaluationRecorded` event.
    pub position: i64,
    pub year: Year,
    pub grade: Grade,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    pub decided_on: NaiveDate,
}

/// A commendation (表彰).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commendation {
    /// The log position of the `Commended` event.
    pub position: i64,
    pub year: Year,
    pub citation: String,
    pub decided_on: NaiveDate,
}

/// The delisting (摘牌).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delisting {
    /// The log position of the `Delisted` event.
    pub position: i64,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_year: Option<Year>,
    pub decided_on: NaiveDate,
}
