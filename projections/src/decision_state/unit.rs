//! What the decision state knows about one unit.

use chrono::NaiveDate;
use liangye_events::catalogue::{
    Batch, CertificateNo, CityCode, CreditCode, DelistGround, DivisionCode, EventType, Figures, Grade,
    IndicatorFigures, ReviewStage, Score, Sector, Status, UnitKind, Year, Yuan, ZoneCode,
};
use serde::{Deserialize, Serialize};
use thin_vec::ThinVec;
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
    pub industries: ThinVec<String>,
    /// One or more sectors (`[OTHER]` for units listed before sectors existed).
    pub sectors: ThinVec<Sector>,
    /// The county-level division the unit lies in, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_code: Option<DivisionCode>,
    pub pilot_batch: Batch,
    pub status: Status,
    /// The version of the unit's stream: that of its last event.
    pub version: i64,
    /// The year of the attempt in progress; set exactly while the status is `RECOMMENDED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_attempt: Option<Year>,
    /// Every recommendation (one per year), in log order; see [`Unit::recommendation`].
    #[serde(default, skip_serializing_if = "ThinVec::is_empty")]
    pub recommendations: ThinVec<Recommendation>,
    /// The reviews of each year's attempt, in log order; see [`Unit::reviews_of`].
    #[serde(default, skip_serializing_if = "ThinVec::is_empty")]
    pub reviews: ThinVec<ReviewProgress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub award: Option<Award>,
    /// Every performance evaluation (one per year), in log order; see [`Unit::evaluation`].
    #[serde(default, skip_serializing_if = "ThinVec::is_empty")]
    pub evaluations: ThinVec<Evaluation>,
    /// Every commendation, in log order.
    #[serde(default, skip_serializing_if = "ThinVec::is_empty")]
    pub commendations: ThinVec<Commendation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delisting: Option<Delisting>,
    /// Every monitoring report (one per year), in log order.
    #[serde(default, skip_serializing_if = "ThinVec::is_empty")]
    pub indicators: ThinVec<IndicatorReport>,
    /// Every subsidy, in log order.
    #[serde(default, skip_serializing_if = "ThinVec::is_empty")]
    pub subsidies: ThinVec<Subsidy>,
    /// What each amendment not retracted replaced, in log order (to undo it).
    #[serde(default, skip_serializing_if = "ThinVec::is_empty")]
    pub amendments: ThinVec<Amendment>,
    /// Every decision about the unit that stands (not retracted), in log order. Its last is
    /// the one `retractDecision` may undo, and the date a next decision may not precede.
    pub decisions: ThinVec<DecisionRef>,
    /// The unit's latest retraction, whose date a next decision may not precede either.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_retraction: Option<DecisionRef>,
}

impl Unit {
    /// Gives back the spare capacity of every list the unit holds (a unit read from a
    /// snapshot is built by growing each list, which leaves up to half of it unused).
    pub fn shrink_to_fit(&mut self) {
        self.name.shrink_to_fit();
        self.industries.iter_mut().for_each(String::shrink_to_fit);
        self.industries.shrink_to_fit();
        self.sectors.shrink_to_fit();
        self.recommendations.shrink_to_fit();
        self.reviews.shrink_to_fit();
        self.evaluations.shrink_to_fit();
        self.commendations.shrink_to_fit();
        self.indicators.shrink_to_fit();
        self.subsidies.shrink_to_fit();
        self.amendments.shrink_to_fit();
        self.decisions.shrink_to_fit();
    }

    /// The decision whose date a next decision about the unit may not precede: the unit's
    /// latest decision that stands, or its latest retraction if that is dated later. For a
    /// retraction (`retracting`), the decision before the one it retracts counts instead of
    /// that one, so a decision recorded with a mistaken (too late) date can be retracted and
    /// recorded again with the right one. `None` for a unit without decisions.
    pub fn date_floor(&self, retracting: bool) -> Option<DecisionRef> {
        let standing = if retracting {
            self.decisions
                .len()
                .checked_sub(2)
                .and_then(|i| self.decisions.get(i))
        } else {
            self.decisions.last()
        };
        match (standing, self.last_retraction) {
            (Some(d), Some(r)) if r.decided_on > d.decided_on => Some(r),
            (None, r) => r,
            (d, _) => d.copied(),
        }
    }

    /// The unit's latest decision that stands (`None` once its listing is retracted).
    pub fn latest_decision(&self) -> Option<&DecisionRef> {
        self.decisions.last()
    }

    /// The date of the unit's listing.
    pub fn listed_on(&self) -> Option<chrono::NaiveDate> {
        self.decisions.first().map(|d| d.decided_on)
    }

    /// The monitoring report for `year`.
    pub fn indicators_of(&self, year: Year) -> Option<&IndicatorReport> {
        self.indicators.iter().find(|r| r.year == year)
    }

    /// The unit's data that an amendment may change.
    pub fn data(&self) -> UnitData {
        UnitData {
            name: self.name.clone(),
            sectors: self.sectors.to_vec(),
            industries: self.industries.to_vec(),
            county_code: self.county_code,
            credit_code: self.credit_code,
            credit_code_check_overridden: self.credit_code_check_overridden,
            division_code: self.division_code,
            zone_code: self.zone_code,
        }
    }

    /// Puts back data an amendment replaced.
    pub(super) fn restore_data(&mut self, data: UnitData) {
        self.name = data.name;
        self.sectors = data.sectors.into();
        self.industries = data.industries.into();
        self.county_code = data.county_code;
        self.credit_code = data.credit_code;
        self.credit_code_check_overridden = data.credit_code_check_overridden;
        self.division_code = data.division_code;
        self.zone_code = data.zone_code;
    }

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
    /// How the attempt was closed without a decision on its merits, if it was: by a
    /// `RecommendationWithdrawn` or a `NotSelected`, at this position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<(i64, EventType)>,
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
    /// The date of the passed site inspection, once recorded (the public notice may not
    /// start before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_inspection_on: Option<NaiveDate>,
}

impl ReviewProgress {
    /// A new attempt with no stage recorded.
    pub fn new(year: Year) -> Self {
        Self {
            year,
            passed_count: 0,
            failed: None,
            expert_score: None,
            site_inspection_on: None,
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

    /// Takes back the last stage passed (its decision was retracted).
    pub(super) fn unpass(&mut self) {
        self.passed_count = self.passed_count.saturating_sub(1);
        match ReviewStage::ALL.get(usize::from(self.passed_count)) {
            Some(ReviewStage::Expert) => self.expert_score = None,
            Some(ReviewStage::SiteInspection) => self.site_inspection_on = None,
            _ => {}
        }
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
    pub ground: DelistGround,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_year: Option<Year>,
    pub decided_on: NaiveDate,
}

/// A decision about a unit that stands: where it is in the log, its type, the year it
/// concerns (when it has one) and the date on its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionRef {
    pub position: i64,
    pub event_type: EventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<Year>,
    pub decided_on: NaiveDate,
}

/// A monitoring report (统计监测).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorReport {
    /// The log position of the `IndicatorsReported` event.
    pub position: i64,
    pub year: Year,
    pub figures: IndicatorFigures,
    pub below_standard: bool,
    pub decided_on: NaiveDate,
}

/// A subsidy (奖励补助).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subsidy {
    /// The log position of the `SubsidyGranted` event.
    pub position: i64,
    pub year: Year,
    pub amount_yuan: Yuan,
    pub fund: String,
    pub decided_on: NaiveDate,
}

/// The data of a unit an amendment may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitData {
    pub name: String,
    pub sectors: Vec<Sector>,
    pub industries: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_code: Option<DivisionCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<CreditCode>,
    #[serde(default)]
    pub credit_code_check_overridden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division_code: Option<DivisionCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_code: Option<ZoneCode>,
}

/// An amendment that stands, and the data it replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Amendment {
    /// The log position of the `UnitAmended` event.
    pub position: i64,
    pub previous: UnitData,
}
