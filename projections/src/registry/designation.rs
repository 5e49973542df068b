//! [`Designation`]: one unit as the registry shows it (DESIGN.md §4), now or as of an
//! earlier log position.

use liangye_events::catalogue::{
    Batch, CertificateNo, CityCode, CreditCode, DivisionCode, Sector, Status, UnitKind, Year, ZoneCode,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::timeline::Timeline;
use crate::decision_state::{Award, Commendation, Delisting, Evaluation, IndicatorReport, Subsidy, Unit};

/// One unit as the registry shows it: who it is, where it stands, its award, evaluations
/// and commendations. Owned, so it can leave the lock the live registry sits behind.
///
/// Built either from the unit as it stands ([`Designation::current`]) or as it stood at an
/// earlier log position ([`Designation::at`]); the two agree whenever that position is the
/// registry's own (property-tested against a replay of the log up to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Designation {
    pub id: Uuid,
    pub name: String,
    pub kind: UnitKind,
    pub city: CityCode,
    pub status: Status,
    /// A county's own code, or the county an industrial zone lies in.
    pub division_code: Option<DivisionCode>,
    pub credit_code: Option<CreditCode>,
    /// The credit code failed its check character and was accepted on the override.
    pub credit_code_check_overridden: bool,
    pub zone_code: Option<ZoneCode>,
    pub industries: Vec<String>,
    pub sectors: Vec<Sector>,
    /// The county-level division the unit lies in, when known.
    pub county_code: Option<DivisionCode>,
    pub pilot_batch: Batch,
    /// The year of the attempt in progress: set exactly while the status is `RECOMMENDED`.
    pub recommended_year: Option<Year>,
    pub award: Option<Award>,
    /// In log order.
    pub evaluations: Vec<Evaluation>,
    /// In log order.
    pub commendations: Vec<Commendation>,
    pub delisting: Option<Delisting>,
    /// Monitoring reports, in log order.
    pub indicators: Vec<IndicatorReport>,
    /// Subsidies, in log order.
    pub subsidies: Vec<Subsidy>,
    /// The version of the unit's stream (that of its last event).
    pub version: i64,
    /// The log position of the unit's last event.
    pub last_position: i64,
    /// The log position of the unit's `PilotListed`.
    pub listed_at: i64,
}

/// The year of the attempt in progress at `at` (now when `None`), for a unit whose
/// status then was `status`: set exactly while RECOMMENDED.
pub(super) fn recommended_year_at(unit: &Unit, status: Status, at: Option<i64>) -> Option<Year> {
    let at = match at {
        None => return unit.current_attempt,
        Some(at) => at,
    };
    if status != Status::Recommended {
        return None;
    }
    unit.recommendations
        .iter()
        .filter(|r| r.position <= at)
        .max_by_key(|r| r.position)
        .map(|r| r.year)
}

impl Designation {
    /// The unit as it stands.
    pub fn current(unit: &Unit, timeline: &Timeline) -> Self {
        Self::of(
            unit,
            timeline,
            unit.status,
            unit.current_attempt,
            unit.version,
            |_| true,
        )
    }

    /// The unit as it stood at log position `at`; `None` if it was not listed yet.
    ///
    /// Every decision about a unit carries its position, and the timeline its status after
    /// each event, so this is a filter over what the unit holds now: a unit's recorded
    /// decisions are only ever added to, never replaced (the decide step refuses a second
    /// recommendation or evaluation for the same year).
    pub fn at(unit: &Unit, timeline: &Timeline, at: i64) -> Option<Self> {
        let status = timeline.status_at(at)?;
        let recommended_year = recommended_year_at(unit, status, Some(at));
        let version = timeline.version_at(at);
        Some(Self::of(
            unit,
            timeline,
            status,
            recommended_year,
            version,
            |position| position <= at,
        ))
    }

    /// The unit with its status, attempt and version as given, and of its decisions those
    /// made at a position `made` accepts.
    fn of(
        unit: &Unit,
        timeline: &Timeline,
        status: Status,
        recommended_year: Option<Year>,
        version: i64,
        made: impl Fn(i64) -> bool,
    ) -> Self {
        Self {
            id: unit.id,
            name: unit.name.clone(),
            kind: unit.kind,
            city: unit.city,
            status,
            division_code: unit.division_code,
            credit_code: unit.credit_code,
            credit_code_check_overridden: unit.credit_code_check_overridden,
            zone_code: unit.zone_code,
            industries: unit.industries.to_vec(),
            sectors: unit.sectors.to_vec(),
            county_code: unit.county_code,
            pilot_batch: unit.pilot_batch,
            recommended_year,
            award: unit.award.filter(|a| made(a.position)),
            evaluations: unit
                .evaluations
                .iter()
                .filter(|e| made(e.position))
                .copied()
                .collect(),
            commendations: unit
                .commendations
                .iter()
                .filter(|c| made(c.position))
                .cloned()
                .collect(),
            delisting: unit.delisting.clone().filter(|d| made(d.position)),
            indicators: unit
                .indicators
                .iter()
                .filter(|r| made(r.position))
                .copied()
                .collect(),
            subsidies: unit
                .subsidies
                .iter()
                .filter(|s| made(s.position))
                .cloned()
                .collect(),
            version,
            last_position: timeline
                .steps()
                .rev()
                .map(|step| step.position())
                .find(|position| made(*position))
                .unwrap_or_default(),
            listed_at: timeline.listed_at().unwrap_or_default(),
        }
    }

    /// The city's Chinese name, e.g. `苏州`.
    pub fn city_name(&self) -> &'static str {
        self.city.name()
    }

    /// The status in Chinese, e.g. `已授牌`.
    pub fn status_label(&self) -> &'static str {
        self.status.label_zh()
    }

    /// The year of the award, once awarded (kept after delisting).
    pub fn award_year(&self) -> Option<Year> {
        self.award.map(|a| a.year)
    }

    /// The certificate number, once awarded (kept after delisting).
    pub fn certificate_no(&self) -> Option<CertificateNo> {
        self.award.map(|a| a.certificate_no)
    }

    /// The designation as JSON, with the field names of the GraphQL `Designation` type
    /// (`id`, `name`, `kind`, `cityCode`, `cityName`, `status`, `statusLabel`, `creditCode`,
    /// `divisionCode`, `pilotBatch`, `awardYear`, `certificateNo`, `version`, `evaluations`,
    /// `commendations`, …). Absent values are `null`.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "kindLabel": self.kind.label_zh(),
            "cityCode": self.city,
            "cityName": self.city_name(),
            "status": self.status,
            "statusLabel": self.status_label(),
            "creditCode": self.credit_code,
            "creditCodeCheckOverridden": self.credit_code_check_overridden,
            "divisionCode": self.division_code,
            "zoneCode": self.zone_code,
            "industries": self.industries,
            "sectors": self.sectors,
            "sectorLabels": self.sectors.iter().map(|s| s.label_zh()).collect::<Vec<_>>(),
            "countyCode": self.county_code,
            "pilotBatch": self.pilot_batch,
            "recommendedYear": self.recommended_year,
            "awardYear": self.award_year(),
            "certificateNo": self.certificate_no().map(|c| c.to_string()),
            "awardedOn": self.award.map(|a| a.decided_on),
            "version": self.version,
            "listedAt": self.listed_at,
            "evaluations": self.evaluations.iter().map(|e| json!({
                "year": e.year,
                "grade": e.grade,
                "gradeLabel": e.grade.label_zh(),
                "score": e.score,
                "decidedOn": e.decided_on,
            })).collect::<Vec<_>>(),
            "commendations": self.commendations.iter().map(|c| json!({
                "year": c.year,
                "citation": c.citation,
                "decidedOn": c.decided_on,
            })).collect::<Vec<_>>(),
            "indicators": self.indicators.iter().map(|r| json!({
                "year": r.year,
                "revenueYuan": r.figures.figures.revenue_yuan,
                "gdpYuan": r.figures.figures.gdp_yuan,
                "manufacturingShareBp": r.figures.figures.manufacturing_share_bp,
                "marketShareRank": r.figures.figures.market_share_rank,
                "serviceRevenueYuan": r.figures.service_revenue_yuan,
                "rdExpenseYuan": r.figures.rd_expense_yuan,
                "belowStandard": r.below_standard,
                "decidedOn": r.decided_on,
            })).collect::<Vec<_>>(),
            "subsidies": self.subsidies.iter().map(|s| json!({
                "year": s.year,
                "amountYuan": s.amount_yuan,
                "fund": s.fund,
                "decidedOn": s.decided_on,
            })).collect::<Vec<_>>(),
            "delisting": self.delisting.as_ref().map(|d| json!({
                "reason": d.reason,
                "ground": d.ground,
                "evaluationYear": d.evaluation_year,
                "decidedOn": d.decided_on,
            })),
        })
    }
}
