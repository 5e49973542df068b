//! Applications (申报): one per recommendation of a unit for a year, with its figures,
//! every review stage, and how it ended (DESIGN.md §4, `applications`).
//!
//! The registry keeps, beside each unit, every [`Attempt`] ever recorded for it: the
//! recommendation and each later decision of its year (reviews, a withdrawal or
//! non-selection, the award), each with its log position and, once retracted, the position
//! of the retraction. Nothing is ever removed, so the application as it stood at any
//! position is a filter over what is kept ([`Attempt::at`]), and a page of applications is
//! a walk over the `(year, unit)` index, as it stands or as of any position.

use chrono::NaiveDate;
use liangye_events::catalogue::{
    CertificateNo, CityCode, DomainEvent, Figures, RecordedEvent, ReviewOutcome, ReviewStage, Role, Score,
    UnitKind, Year,
};
use serde::{Deserialize, Serialize};
use thin_vec::ThinVec;
use uuid::Uuid;

/// How an application stands (or ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationResult {
    /// Recommended, not yet decided.
    InReview,
    /// A review stage failed.
    Failed,
    /// The recommendation was withdrawn.
    Withdrawn,
    /// All four stages passed, and it was not chosen (择优遴选).
    NotSelected,
    /// Awarded (授牌).
    Awarded,
}

impl ApplicationResult {
    /// Every result, in declaration order.
    pub const ALL: &'static [Self] = &[
        Self::InReview,
        Self::Failed,
        Self::Withdrawn,
        Self::NotSelected,
        Self::Awarded,
    ];

    /// The wire name, e.g. `IN_REVIEW`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InReview => "IN_REVIEW",
            Self::Failed => "FAILED",
            Self::Withdrawn => "WITHDRAWN",
            Self::NotSelected => "NOT_SELECTED",
            Self::Awarded => "AWARDED",
        }
    }

    /// The Chinese label, e.g. `评审中`.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::InReview => "评审中",
            Self::Failed => "未通过评审",
            Self::Withdrawn => "已撤回",
            Self::NotSelected => "未入选",
            Self::Awarded => "已授牌",
        }
    }
}

/// A decision of an attempt after its recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum StepKind {
    Review {
        stage: ReviewStage,
        outcome: ReviewOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        score: Option<Score>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notice_start: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notice_end: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        objections: Option<Box<str>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<Box<str>>,
    },
    Withdrawn {
        reason: Box<str>,
    },
    NotSelected {
        reason: Box<str>,
    },
    Awarded {
        certificate_no: CertificateNo,
    },
}

/// One decision of an attempt, where it is in the log and, once retracted, where that was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub position: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retracted_at: Option<i64>,
    pub decided_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_ref: Option<Box<str>>,
    pub kind: StepKind,
}

/// One recommendation of a unit for a year, and every decision of that year after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// The log position of the `Recommended` event.
    pub position: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retracted_at: Option<i64>,
    pub year: Year,
    /// The role that recorded the recommendation (CITY or PROVINCIAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    pub figures: Figures,
    pub decided_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_ref: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "ThinVec::is_empty")]
    pub steps: ThinVec<Step>,
}

/// Whether a decision made at `position` (retracted at `retracted_at`) stood at `at` (now
/// when `None`).
fn stood(position: i64, retracted_at: Option<i64>, at: Option<i64>) -> bool {
    match at {
        None => retracted_at.is_none(),
        Some(at) => position <= at && retracted_at.is_none_or(|r| r > at),
    }
}

/// One review stage of an application, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewView {
    pub position: i64,
    pub stage: ReviewStage,
    pub outcome: ReviewOutcome,
    pub score: Option<Score>,
    pub notice_start: Option<NaiveDate>,
    pub notice_end: Option<NaiveDate>,
    pub objections: Option<String>,
    pub reason: Option<String>,
    pub decided_on: NaiveDate,
    pub document_ref: Option<String>,
}

/// An application as it stood at a moment: what `applications` answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub unit_id: Uuid,
    pub year: Year,
    pub city: CityCode,
    pub kind: UnitKind,
    /// The log position of the recommendation.
    pub position: i64,
    pub recommended_by_role: Option<Role>,
    pub recommended_on: NaiveDate,
    pub document_ref: Option<String>,
    pub figures: Figures,
    /// The review stages recorded, in log order.
    pub reviews: Vec<ReviewView>,
    pub result: ApplicationResult,
    /// The date of the decision that ended it (withdrawal, non-selection, failed stage or
    /// award), if one did.
    pub result_on: Option<NaiveDate>,
    /// Why it was withdrawn or not selected, or why its stage failed.
    pub result_reason: Option<String>,
    pub certificate_no: Option<CertificateNo>,
}

impl Attempt {
    /// Gives back the spare capacity of its steps.
    pub fn shrink_to_fit(&mut self) {
        self.steps.shrink_to_fit();
    }

    /// The attempt a `Recommended` event starts.
    pub fn recommended(recorded: &RecordedEvent) -> Option<Self> {
        let DomainEvent::Recommended(e) = &recorded.event else {
            return None;
        };
        Some(Self {
            position: recorded.position,
            retracted_at: None,
            year: e.year,
            role: Role::parse(&recorded.metadata.role).ok(),
            figures: e.figures,
            decided_on: e.decision.decided_on,
            document_ref: e.decision.document_ref.as_deref().map(Box::from),
            steps: ThinVec::new(),
        })
    }

    /// The step an event of an attempt adds, with the year it concerns.
    pub fn step(recorded: &RecordedEvent) -> Option<(Year, Step)> {
        let (year, decision, kind) = match &recorded.event {
            DomainEvent::ReviewRecorded(e) => (
                e.year,
                &e.decision,
                StepKind::Review {
                    stage: e.stage,
                    outcome: e.outcome,
                    score: e.score,
                    notice_start: e.notice_start,
                    notice_end: e.notice_end,
                    objections: e.objections.as_deref().map(Box::from),
                    reason: e.reason.as_deref().map(Box::from),
                },
            ),
            DomainEvent::RecommendationWithdrawn(e) => (
                e.year,
                &e.decision,
                StepKind::Withdrawn {
                    reason: e.reason.as_str().into(),
                },
            ),
            DomainEvent::NotSelected(e) => (
                e.year,
                &e.decision,
                StepKind::NotSelected {
                    reason: e.reason.as_str().into(),
                },
            ),
            DomainEvent::Awarded(e) => (
                e.year,
                &e.decision,
                StepKind::Awarded {
                    certificate_no: e.certificate_no,
                },
            ),
            _ => return None,
        };
        Some((
            year,
            Step {
                position: recorded.position,
                retracted_at: None,
                decided_on: decision.decided_on,
                document_ref: decision.document_ref.as_deref().map(Box::from),
                kind,
            },
        ))
    }

    /// Marks the decision at `position` (the recommendation or one of its steps) retracted
    /// at `by`; false when it is none of this attempt's.
    pub fn retract(&mut self, position: i64, by: i64) -> bool {
        if self.position == position {
            self.retracted_at.get_or_insert(by);
            return true;
        }
        match self.steps.iter_mut().find(|s| s.position == position) {
            Some(step) => {
                step.retracted_at.get_or_insert(by);
                true
            }
            None => false,
        }
    }

    /// Whether the recommendation stood at `at` (now when `None`).
    pub fn stood_at(&self, at: Option<i64>) -> bool {
        stood(self.position, self.retracted_at, at)
    }

    /// The result as of `at` (now when `None`), if the recommendation stood then.
    pub fn result_at(&self, at: Option<i64>) -> Option<ApplicationResult> {
        Some(self.ended_at(at)?.0)
    }

    /// The result as of `at`, and the step that decided it (none while in review).
    fn ended_at(&self, at: Option<i64>) -> Option<(ApplicationResult, Option<&Step>)> {
        if !self.stood_at(at) {
            return None;
        }
        let mut result = (ApplicationResult::InReview, None);
        for step in self
            .steps
            .iter()
            .filter(|s| stood(s.position, s.retracted_at, at))
        {
            let ended = match &step.kind {
                StepKind::Review {
                    outcome: ReviewOutcome::Failed,
                    ..
                } => ApplicationResult::Failed,
                StepKind::Review { .. } => continue,
                StepKind::Withdrawn { .. } => ApplicationResult::Withdrawn,
                StepKind::NotSelected { .. } => ApplicationResult::NotSelected,
                StepKind::Awarded { .. } => ApplicationResult::Awarded,
            };
            result = (ended, Some(step));
        }
        Some(result)
    }

    /// The application as it stood at `at` (now when `None`); `None` if its
    /// recommendation did not stand then.
    pub fn at(&self, unit_id: Uuid, city: CityCode, kind: UnitKind, at: Option<i64>) -> Option<Application> {
        let (result, ended_by) = self.ended_at(at)?;
        let reviews = self
            .steps
            .iter()
            .filter(|s| stood(s.position, s.retracted_at, at))
            .filter_map(|step| match &step.kind {
                StepKind::Review {
                    stage,
                    outcome,
                    score,
                    notice_start,
                    notice_end,
                    objections,
                    reason,
                } => Some(ReviewView {
                    position: step.position,
                    stage: *stage,
                    outcome: *outcome,
                    score: *score,
                    notice_start: *notice_start,
                    notice_end: *notice_end,
                    objections: objections.as_deref().map(str::to_owned),
                    reason: reason.as_deref().map(str::to_owned),
                    decided_on: step.decided_on,
                    document_ref: step.document_ref.as_deref().map(str::to_owned),
                }),
                _ => None,
            })
            .collect();
        let (result_reason, certificate_no) = match ended_by.map(|s| &s.kind) {
            Some(StepKind::Withdrawn { reason } | StepKind::NotSelected { reason }) => {
                (Some(reason.to_string()), None)
            }
            Some(StepKind::Review { reason, .. }) => (reason.as_deref().map(str::to_owned), None),
            Some(StepKind::Awarded { certificate_no }) => (None, Some(*certificate_no)),
            None => (None, None),
        };
        Some(Application {
            unit_id,
            year: self.year,
            city,
            kind,
            position: self.position,
            recommended_by_role: self.role,
            recommended_on: self.decided_on,
            document_ref: self.document_ref.as_deref().map(str::to_owned),
            figures: self.figures,
            reviews,
            result,
            result_on: ended_by.map(|s| s.decided_on),
            result_reason,
            certificate_no,
        })
    }
}

/// What a walk over the applications judges a filter by, held in the `(year, unit)` index so
/// that walking it never looks a unit up: the unit's city and kind, and the application's
/// result after each decision that changed it (`None` while no recommendation stood).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationIndex {
    pub city: CityCode,
    pub kind: UnitKind,
    results: Vec<(i64, Option<ApplicationResult>)>,
}

impl ApplicationIndex {
    /// Gives back the spare capacity of its results.
    pub fn shrink_to_fit(&mut self) {
        self.results.shrink_to_fit();
    }

    /// An entry with no result yet.
    pub fn new(city: CityCode, kind: UnitKind) -> Self {
        Self {
            city,
            kind,
            results: Vec::new(),
        }
    }

    /// Records the result after the event at `position`, if it changed.
    pub fn follow(&mut self, position: i64, result: Option<ApplicationResult>) {
        if self.results.last().map(|(_, r)| *r) != Some(result) {
            // Exact growth: the registry keeps one of these per application.
            self.results.reserve_exact(1);
            self.results.push((position, result));
        }
    }

    /// The result as of `at` (now when `None`); `None` when no recommendation stood then.
    pub fn result_at(&self, at: Option<i64>) -> Option<ApplicationResult> {
        let count = match at {
            None => self.results.len(),
            Some(at) => self.results.partition_point(|(p, _)| *p <= at),
        };
        count.checked_sub(1).and_then(|i| self.results[i].1)
    }
}

/// The result of the application of `year` among `attempts` as of `at` (now when `None`).
pub fn result_among(attempts: &[Attempt], year: Year, at: Option<i64>) -> Option<ApplicationResult> {
    attempts
        .iter()
        .rev()
        .find(|a| a.year == year && a.stood_at(at))
        .and_then(|a| a.result_at(at))
}

impl Attempt {
    /// Every position at which this attempt's result may have changed, in no order.
    pub fn positions(&self) -> impl Iterator<Item = i64> + '_ {
        [Some(self.position), self.retracted_at]
            .into_iter()
            .chain(self.steps.iter().flat_map(|s| [Some(s.position), s.retracted_at]))
            .flatten()
    }
}

/// Which applications to list; every given criterion must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApplicationFilter {
    pub year: Option<Year>,
    pub city: Option<CityCode>,
    pub kind: Option<UnitKind>,
    pub result: Option<ApplicationResult>,
}

/// The cursor of an application: `year:unit-id`.
pub fn encode_application_cursor(year: Year, unit_id: Uuid) -> String {
    format!("{year}:{}", unit_id.as_hyphenated())
}

/// Reads a cursor made by [`encode_application_cursor`].
pub fn decode_application_cursor(cursor: &str) -> Option<(Year, Uuid)> {
    let (year, id) = cursor.split_once(':')?;
    let year = Year::new(year.parse().ok()?).ok()?;
    Some((year, Uuid::parse_str(id).ok()?))
}

/// A page of applications.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplicationPage {
    pub items: Vec<Application>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// How many applications the filter selects in all.
    pub total: usize,
}
