//! Ids, principals, events and commands the decide tests are written with, on top of the
//! shared event fixtures (`liangye_events::fixtures`). An event fixture is exactly what
//! deciding the command fixture of the same name yields, so tests can say "when
//! `list_county(…)` then `county_listed(…)`".

use chrono::NaiveDate;
use liangye_events::catalogue::{
    AccessGranted, AccessRevoked, Batch, CityCode, CreditCode, Decision, DelistGround, DivisionCode,
    DomainEvent, EvaluationRecorded, Figures, Grade, IndicatorFigures, IndicatorsReported, NotSelected,
    PilotListed, PilotRevoked, RecommendationWithdrawn, Recommended, ReviewOutcome, ReviewRecorded,
    ReviewStage, Role, Score, SecretSha256, Sector, SubsidyGranted, UnitAmended, UnitKind, Yuan, ZoneCode,
};
use uuid::Uuid;

/// The shared event fixtures these add commands and principals to: the ids, years, the one
/// decision every fixture carries, and the events whose command fixtures are here too.
pub use liangye_events::fixtures::{awarded, date, decided, delisted, id, quota_set, retracted, year};

use crate::decide::{
    AmendUnit, Award, CloseSelection, Commend, Delist, GrantSubsidy, IssueAccess, ListPilot, Principal,
    Recommend, RecordEvaluation, RecordReview, ReportIndicators, RetractDecision, RevokeAccess, RevokePilot,
    SetAnnualQuota, WithdrawRecommendation,
};

/// A real credit code that passes the GB 32100-2015 check.
pub const VALID_CREDIT_CODE: &str = "91350100M000100Y43";
/// The same code with a wrong check character (the right one is `3`).
pub const BAD_CHECK_CREDIT_CODE: &str = "91350100M000100Y44";

/// The city most tests' units are in.
pub const HOME: CityCode = CityCode::Suzhou;
/// Another city.
pub const AWAY: CityCode = CityCode::Nanjing;

pub fn yuan(amount: i64) -> Yuan {
    Yuan::new(amount).unwrap()
}

// ---- principals ----

pub fn provincial() -> Principal {
    Principal {
        token_id: None,
        name: "省发展改革委服务业处".into(),
        role: Role::Provincial,
        city: None,
    }
}

pub fn city(city: CityCode) -> Principal {
    Principal {
        token_id: None,
        name: format!("{}市发展改革委", city.name()),
        role: Role::City,
        city: Some(city),
    }
}

pub fn auditor() -> Principal {
    Principal {
        token_id: None,
        name: "省审计厅".into(),
        role: Role::Auditor,
        city: None,
    }
}

pub fn reader() -> Principal {
    Principal {
        token_id: None,
        name: "省统计局".into(),
        role: Role::Reader,
        city: None,
    }
}

/// The principal holding token `token_id`, as granted by [`token_granted`].
pub fn holder(token_id: Uuid, role: Role, city: Option<CityCode>) -> Principal {
    Principal {
        token_id: Some(token_id),
        name: format!("token {token_id}"),
        role,
        city,
    }
}

// ---- figures ----

/// Figures that make any region eligible: 40.00% manufacturing, GDP 200亿元.
pub fn eligible_region() -> Figures {
    Figures {
        revenue_yuan: None,
        gdp_yuan: Some(yuan(20_000_000_000)),
        manufacturing_share_bp: Some(bp(4000)),
        market_share_rank: None,
    }
}

/// Figures that make an enterprise eligible: revenue 20亿元.
pub fn eligible_enterprise() -> Figures {
    Figures {
        revenue_yuan: Some(yuan(2_000_000_000)),
        ..Figures::default()
    }
}

pub fn bp(value: i64) -> liangye_events::catalogue::BasisPoints {
    liangye_events::catalogue::BasisPoints::new(value).unwrap()
}

// ---- listing ----

/// Who a listing fixture lists: the kind, name, city and identifiers, and the county the
/// listing records (a county's own code, an industrial zone's county).
struct Listed {
    kind: UnitKind,
    name: String,
    city: CityCode,
    division_code: Option<DivisionCode>,
    credit_code: Option<CreditCode>,
    zone_code: Option<ZoneCode>,
    county_code: Option<DivisionCode>,
}

impl Listed {
    fn new(kind: UnitKind, name: &str, city: CityCode) -> Self {
        Listed {
            kind,
            name: name.into(),
            city,
            division_code: None,
            credit_code: None,
            zone_code: None,
            county_code: None,
        }
    }

    /// A unit of `kind` in the county `code`, which is also its division code.
    fn in_division(kind: UnitKind, name: &str, code: &str) -> Self {
        let division = DivisionCode::parse(code).unwrap();
        Listed {
            division_code: Some(division),
            county_code: Some(division),
            ..Listed::new(kind, name, division.city())
        }
    }

    /// An enterprise in [`HOME`].
    fn enterprise(credit_code: &str) -> Self {
        Listed {
            credit_code: Some(CreditCode::parse_unchecked_checksum(credit_code).unwrap()),
            ..Listed::new(UnitKind::Enterprise, "江苏某某装备股份有限公司", HOME)
        }
    }

    /// A development zone in [`HOME`].
    fn development_zone(name: &str, zone_code: Option<&str>) -> Self {
        Listed {
            zone_code: zone_code.map(|c| ZoneCode::parse(c).unwrap()),
            ..Listed::new(UnitKind::DevelopmentZone, name, HOME)
        }
    }

    /// What the listing records.
    fn event(self, unit: Uuid) -> DomainEvent {
        PilotListed {
            unit_id: unit,
            name: self.name,
            kind: self.kind,
            city_code: self.city,
            division_code: self.division_code,
            credit_code: self.credit_code,
            credit_code_check_overridden: false,
            zone_code: self.zone_code,
            industries: vec!["智能制造".into(), "工业互联网".into()],
            batch: Batch::new(1).unwrap(),
            sectors: vec![Sector::Other],
            county_code: self.county_code,
            decision: decided(),
        }
        .into()
    }

    /// The command that lists it, leaving the county to the identifiers.
    fn command(self, unit: Uuid) -> ListPilot {
        ListPilot {
            unit_id: unit,
            name: self.name,
            kind: self.kind,
            city_code: self.city,
            division_code: self.division_code,
            credit_code: self.credit_code,
            accept_invalid_credit_code: false,
            zone_code: self.zone_code,
            industries: vec!["智能制造".into(), "工业互联网".into()],
            batch: Batch::new(1).unwrap(),
            decision: decided(),
            expected_version: None,
            sectors: vec![Sector::Other],
            county_code: None,
        }
    }
}

/// Declares, for each kind of listing, the event fixture and the command fixture of the
/// same unit (`county_listed` is what deciding `list_county` yields).
macro_rules! listings {
    ($($(#[$meta:meta])* $event:ident, $command:ident ($($arg:ident: $type:ty),*) => $listed:expr;)+) => {$(
        $(#[$meta])*
        pub fn $event(unit: Uuid, $($arg: $type),*) -> DomainEvent {
            $listed.event(unit)
        }

        $(#[$meta])*
        pub fn $command(unit: Uuid, $($arg: $type),*) -> ListPilot {
            $listed.command(unit)
        }
    )+};
}

listings! {
    /// A county in the city its code lies in.
    county_listed, list_county(name: &str, code: &str) => Listed::in_division(UnitKind::County, name, code);
    /// An enterprise in [`HOME`].
    enterprise_listed, list_enterprise(credit_code: &str) => Listed::enterprise(credit_code);
    /// An industrial zone in the county `code`.
    industrial_zone_listed, list_industrial_zone(name: &str, code: &str) =>
        Listed::in_division(UnitKind::IndustrialZone, name, code);
    /// A development zone in [`HOME`].
    development_zone_listed, list_development_zone(name: &str, zone_code: Option<&str>) =>
        Listed::development_zone(name, zone_code);
}

// ---- a unit's life ----

/// A county of [`HOME`] (苏州) listed as a pilot: 昆山市 320583, or another county for other
/// ids.
pub fn pilot(unit: Uuid) -> Vec<DomainEvent> {
    let code = format!("3205{:02}", 81 + unit.as_u128() % 9);
    vec![county_listed(unit, &format!("县{}", unit.as_u128()), &code)]
}

pub fn recommended(unit: Uuid, y: i64) -> DomainEvent {
    Recommended {
        unit_id: unit,
        year: year(y),
        city_code: HOME,
        figures: eligible_region(),
        decision: decided(),
    }
    .into()
}

pub fn review_recorded(unit: Uuid, y: i64, stage: ReviewStage, outcome: ReviewOutcome) -> DomainEvent {
    let RecordReview {
        score,
        notice_start,
        notice_end,
        reason,
        ..
    } = record_review(unit, y, stage, outcome);
    ReviewRecorded {
        unit_id: unit,
        year: year(y),
        stage,
        outcome,
        score,
        notice_start,
        notice_end,
        objections: None,
        reason,
        decision: decided(),
    }
    .into()
}

pub fn all_passed(unit: Uuid, y: i64) -> Vec<DomainEvent> {
    ReviewStage::ALL
        .iter()
        .map(|s| review_recorded(unit, y, *s, ReviewOutcome::Passed))
        .collect()
}

/// A pilot recommended for `y`.
pub fn in_review(unit: Uuid, y: i64) -> Vec<DomainEvent> {
    [pilot(unit), vec![recommended(unit, y)]].concat()
}

/// A pilot recommended for `y` whose attempt awaits `stage`: the stages before it passed.
pub fn awaiting(unit: Uuid, y: i64, stage: ReviewStage) -> Vec<DomainEvent> {
    let passed = ReviewStage::ALL
        .iter()
        .take_while(|s| **s != stage)
        .map(|s| review_recorded(unit, y, *s, ReviewOutcome::Passed));
    in_review(unit, y).into_iter().chain(passed).collect()
}

/// A pilot recommended for `y` whose attempt failed at `stage` (the stages before it passed).
pub fn failed_at(unit: Uuid, y: i64, stage: ReviewStage) -> Vec<DomainEvent> {
    [
        awaiting(unit, y, stage),
        vec![review_recorded(unit, y, stage, ReviewOutcome::Failed)],
    ]
    .concat()
}

/// A pilot recommended for `y` that passed all four stages.
pub fn reviewed(unit: Uuid, y: i64) -> Vec<DomainEvent> {
    [in_review(unit, y), all_passed(unit, y)].concat()
}

/// A unit awarded in `y` with certificate serial `serial`.
pub fn benchmark(unit: Uuid, y: i64, serial: u32) -> Vec<DomainEvent> {
    [reviewed(unit, y), vec![awarded(unit, y, serial)]].concat()
}

pub fn evaluated(unit: Uuid, y: i64, grade: Grade) -> DomainEvent {
    EvaluationRecorded {
        unit_id: unit,
        year: year(y),
        grade,
        score: None,
        decision: decided(),
    }
    .into()
}

pub fn pilot_revoked(unit: Uuid) -> DomainEvent {
    PilotRevoked {
        unit_id: unit,
        decision: decided(),
    }
    .into()
}

pub fn secret(n: u8) -> SecretSha256 {
    SecretSha256::from_bytes([n; 32])
}

pub fn token_granted(token: Uuid, role: Role, city: Option<CityCode>) -> DomainEvent {
    AccessGranted {
        token_id: token,
        name: format!("token {token}"),
        role,
        city,
        secret_sha256: secret(u8::try_from(token.as_u128() % 256).unwrap()),
    }
    .into()
}

pub fn token_revoked(token: Uuid) -> DomainEvent {
    AccessRevoked { token_id: token }.into()
}

// ---- commands ----

pub fn revoke_pilot(unit: Uuid) -> RevokePilot {
    RevokePilot {
        designation_id: unit,
        decision: decided(),
        expected_version: None,
    }
}

pub fn recommend(unit: Uuid, y: i64, figures: Figures) -> Recommend {
    Recommend {
        designation_id: unit,
        year: year(y),
        figures,
        decision: decided(),
        expected_version: None,
    }
}

/// A review command with the stage's required fields filled in: score 88 for EXPERT, a
/// one-day notice on the fixtures' decision date (2024-05-06) for PUBLIC_NOTICE (it may
/// not start before the site inspection, nor end after its own decision), and a reason
/// for a FAILED outcome.
pub fn record_review(unit: Uuid, y: i64, stage: ReviewStage, outcome: ReviewOutcome) -> RecordReview {
    let notice = stage == ReviewStage::PublicNotice;
    RecordReview {
        designation_id: unit,
        year: year(y),
        stage,
        outcome,
        score: (stage == ReviewStage::Expert).then(|| Score::new(88).unwrap()),
        notice_start: notice.then(|| date(2024, 5, 6)),
        notice_end: notice.then(|| date(2024, 5, 6)),
        objections: None,
        decision: decided(),
        expected_version: None,
        reason: (outcome == ReviewOutcome::Failed).then(|| "材料不完整".to_owned()),
    }
}

pub fn award(unit: Uuid, y: i64) -> Award {
    Award {
        designation_id: unit,
        year: year(y),
        decision: decided(),
        expected_version: None,
    }
}

pub fn set_quota(y: i64, total: u32) -> SetAnnualQuota {
    SetAnnualQuota {
        year: year(y),
        total,
        decision: decided(),
        expected_version: None,
        guideline_ref: None,
    }
}

pub fn evaluate(unit: Uuid, y: i64, grade: Grade) -> RecordEvaluation {
    RecordEvaluation {
        designation_id: unit,
        year: year(y),
        grade,
        score: None,
        decision: decided(),
        expected_version: None,
    }
}

pub fn commend(unit: Uuid, y: i64, citation: &str) -> Commend {
    Commend {
        designation_id: unit,
        year: year(y),
        citation: citation.into(),
        decision: decided(),
        expected_version: None,
    }
}

pub fn delist(unit: Uuid, reason: &str, evaluation_year: Option<i64>) -> Delist {
    Delist {
        designation_id: unit,
        reason: reason.into(),
        evaluation_year: evaluation_year.map(year),
        decision: decided(),
        expected_version: None,
        ground: DelistGround::Other,
    }
}

pub fn issue_access(token: Uuid, role: Role, city: Option<CityCode>) -> IssueAccess {
    IssueAccess {
        token_id: token,
        name: format!("token {token}"),
        role,
        city,
        secret_sha256: secret(u8::try_from(token.as_u128() % 256).unwrap()),
    }
}

pub fn revoke_access(token: Uuid) -> RevokeAccess {
    RevokeAccess { token_id: token }
}

// ---- corrections, closures, monitoring, subsidies ----

pub fn retract(unit: Uuid, position: i64) -> RetractDecision {
    RetractDecision {
        designation_id: unit,
        position,
        reason: "录入错误".into(),
        decision: decided(),
        expected_version: None,
    }
}

/// An amendment that changes nothing yet (set the fields to change).
pub fn amend(unit: Uuid) -> AmendUnit {
    crate::scenario::amendment(unit, "信息有误", decided())
}

/// The event of an amendment that changes nothing yet.
pub fn amended(unit: Uuid) -> UnitAmended {
    UnitAmended::new(unit, "信息有误", decided())
}

pub fn withdraw(unit: Uuid, y: i64) -> WithdrawRecommendation {
    WithdrawRecommendation {
        designation_id: unit,
        year: year(y),
        reason: "申报材料需补充完善".into(),
        decision: decided(),
        expected_version: None,
    }
}

pub fn withdrawn(unit: Uuid, y: i64) -> DomainEvent {
    RecommendationWithdrawn {
        unit_id: unit,
        year: year(y),
        reason: "申报材料需补充完善".into(),
        decision: decided(),
    }
    .into()
}

pub fn close_selection(unit: Uuid, y: i64) -> CloseSelection {
    CloseSelection {
        designation_id: unit,
        year: year(y),
        reason: "择优遴选未入选".into(),
        decision: decided(),
        expected_version: None,
    }
}

pub fn not_selected(unit: Uuid, y: i64) -> DomainEvent {
    NotSelected {
        unit_id: unit,
        year: year(y),
        reason: "择优遴选未入选".into(),
        decision: decided(),
    }
    .into()
}

/// A region's indicators report with `figures`.
pub fn report(unit: Uuid, y: i64, figures: Figures) -> ReportIndicators {
    ReportIndicators {
        designation_id: unit,
        year: year(y),
        figures: IndicatorFigures {
            figures,
            service_revenue_yuan: Some(yuan(3_000_000_000)),
            rd_expense_yuan: None,
        },
        decision: decided(),
        expected_version: None,
    }
}

pub fn reported(unit: Uuid, y: i64, figures: Figures, below_standard: bool) -> DomainEvent {
    IndicatorsReported {
        unit_id: unit,
        year: year(y),
        figures: IndicatorFigures {
            figures,
            service_revenue_yuan: Some(yuan(3_000_000_000)),
            rd_expense_yuan: None,
        },
        below_standard,
        decision: decided(),
    }
    .into()
}

pub fn grant(unit: Uuid, y: i64, amount: i64) -> GrantSubsidy {
    GrantSubsidy {
        designation_id: unit,
        year: year(y),
        amount_yuan: yuan(amount),
        fund: "省级服务业发展专项资金".into(),
        decision: decided(),
        expected_version: None,
    }
}

pub fn granted(unit: Uuid, y: i64, amount: i64) -> DomainEvent {
    SubsidyGranted {
        unit_id: unit,
        year: year(y),
        amount_yuan: yuan(amount),
        fund: "省级服务业发展专项资金".into(),
        decision: decided(),
    }
    .into()
}

/// A decision dated `on` (the fixtures' others are dated 2024-05-06).
pub fn dated(on: NaiveDate) -> Decision {
    Decision {
        decided_on: on,
        ..decided()
    }
}
