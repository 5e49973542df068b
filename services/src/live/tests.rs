//! Properties of the read side over random valid command sequences, decided by the real
//! `decide` and folded as the writer folds them (retractions of any decision, amendments,
//! withdrawals, non-selections, indicator reports and subsidies among them):
//!
//! - the registry folded event by event equals a replay of the whole log, and equals a
//!   replay from a snapshot taken at any position (through its JSON body) plus the tail;
//! - statistics always equal a recount over the registry;
//! - the registry as of any position (designations, pages, counts, lookups, statistics,
//!   applications, tokens) equals a replay of the log up to that position;
//! - applications and the statistics of sectors, counties, evaluations, subsidies and
//!   monitoring agree with the units themselves;
//! - paging through any filter visits exactly the designations (applications) it selects,
//!   once each.

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};
use liangye_events::canonical::format_timestamp;
use liangye_events::catalogue::{
    Batch, CityCode, DelistGround, DomainEvent, Grade, RecordedEvent, ReviewOutcome, Role, SecretSha256,
    Sector, Status, UnitKind, Year,
};
use liangye_events::envelope::Metadata;
use liangye_projections::applications::{ApplicationFilter, ApplicationResult};
use liangye_projections::registry::{DesignationFilter, PageRequest, UnitCode};
use liangye_projections::{DecisionState, Registry};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use uuid::Uuid;

use crate::decide::{
    Command, Delist, IssueAccess, ListPilot, Principal, RetractDecision, RevokeAccess, decide,
};
use crate::scenario;

/// One step of a random history; indexes pick among the units and tokens listed so far.
#[derive(Debug, Clone)]
enum Action {
    List {
        kind: u8,
        city: u8,
    },
    Recommend {
        unit: usize,
        year: u8,
        eligible: bool,
    },
    Review {
        unit: usize,
        fail: bool,
    },
    Award {
        unit: usize,
    },
    Quota {
        year: u8,
        total: u8,
    },
    Evaluate {
        unit: usize,
        year: u8,
        grade: u8,
    },
    Commend {
        unit: usize,
        year: u8,
    },
    Delist {
        unit: usize,
    },
    RevokePilot {
        unit: usize,
    },
    IssueToken {
        role: u8,
        city: u8,
    },
    RevokeToken {
        token: usize,
    },
    /// Moves one of the latest units along its lifecycle, whatever it needs next.
    Advance {
        unit: usize,
        fail: bool,
        pick: u8,
    },
    /// Retracts the unit's latest decision.
    Retract {
        unit: usize,
    },
    /// Amends the unit's name, sectors, county or identifier.
    Amend {
        unit: usize,
        pick: u8,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let unit = 0usize..64;
    prop_oneof![
        4 => (0u8..4, 0u8..13).prop_map(|(kind, city)| Action::List { kind, city }),
        4 => (unit.clone(), 0u8..4, proptest::bool::weighted(0.9))
            .prop_map(|(unit, year, eligible)| Action::Recommend { unit, year, eligible }),
        8 => (unit.clone(), proptest::bool::weighted(0.1)).prop_map(|(unit, fail)| Action::Review { unit, fail }),
        3 => unit.clone().prop_map(|unit| Action::Award { unit }),
        1 => (0u8..4, 0u8..6).prop_map(|(year, total)| Action::Quota { year, total }),
        2 => (unit.clone(), 0u8..4, 0u8..4).prop_map(|(unit, year, grade)| Action::Evaluate { unit, year, grade }),
        1 => (unit.clone(), 0u8..4).prop_map(|(unit, year)| Action::Commend { unit, year }),
        1 => unit.clone().prop_map(|unit| Action::Delist { unit }),
        1 => unit.clone().prop_map(|unit| Action::RevokePilot { unit }),
        1 => (0u8..4, 0u8..13).prop_map(|(role, city)| Action::IssueToken { role, city }),
        1 => (0usize..8).prop_map(|token| Action::RevokeToken { token }),
        16 => (0usize..4, proptest::bool::weighted(0.08), any::<u8>())
            .prop_map(|(unit, fail, pick)| Action::Advance { unit, fail, pick }),
        2 => unit.clone().prop_map(|unit| Action::Retract { unit }),
        2 => (unit.clone(), any::<u8>()).prop_map(|(unit, pick)| Action::Amend { unit, pick }),
    ]
}

/// A log built by deciding commands and folding what was accepted, as the writer does.
struct Log {
    state: DecisionState,
    events: Vec<RecordedEvent>,
    versions: HashMap<String, i64>,
    units: Vec<Uuid>,
    tokens: Vec<Uuid>,
    serial: u64,
}

fn year(offset: u8) -> i64 {
    2023 + i64::from(offset)
}

fn city(n: u8) -> CityCode {
    CityCode::all()
        .nth(usize::from(n) % 13)
        .unwrap_or(CityCode::Nanjing)
}

impl Log {
    fn new() -> Self {
        Self {
            state: DecisionState::new(),
            events: Vec::new(),
            versions: HashMap::new(),
            units: Vec::new(),
            tokens: Vec::new(),
            serial: 0,
        }
    }

    fn next_id(&mut self) -> Uuid {
        self.serial += 1;
        // Ids in listing order, like UUID v7, but reproducible.
        Uuid::from_u128((0x0190_0000_0000_7000_8000_0000_0000_0000u128) + u128::from(self.serial) * 7919)
    }

    fn unit(&self, pick: usize) -> Option<Uuid> {
        (!self.units.is_empty()).then(|| self.units[pick % self.units.len()])
    }

    fn command(&mut self, action: &Action) -> Option<Command> {
        let on = scenario::day_in(2023, 2, 1);
        Some(match *action {
            Action::List { kind, city: c } => {
                let id = self.next_id();
                let n = self.serial;
                let city = city(c);
                match kind {
                    0 => scenario::list_enterprise(id, &format!("企业{n}"), city, n, 1, on),
                    1 => scenario::list_county(id, &format!("县{n}"), city, u32::try_from(n).ok()?, 1, on),
                    kind => Command::ListPilot(ListPilot {
                        unit_id: id,
                        name: format!("园区{n}"),
                        kind: if kind == 2 {
                            UnitKind::DevelopmentZone
                        } else {
                            UnitKind::IndustrialZone
                        },
                        city_code: city,
                        division_code: (kind == 3).then(|| scenario::county_code(city, 7)),
                        credit_code: None,
                        accept_invalid_credit_code: false,
                        zone_code: None,
                        industries: vec!["现代物流".into()],
                        batch: Batch::new(2).ok()?,
                        decision: scenario::decision(on, 1),
                        expected_version: None,
                        sectors: vec![Sector::Other],
                        county_code: None,
                    }),
                }
            }
            Action::Recommend {
                unit,
                year: y,
                eligible,
            } => {
                let id = self.unit(unit)?;
                let region = self.state.unit(id)?.kind.is_region();
                let figures = match (region, eligible) {
                    (true, true) => scenario::region_figures(20_000_000_000, 4000),
                    (false, true) => scenario::enterprise_figures(1_500_000_000),
                    (true, false) => scenario::region_figures(10_000_000_000, 3000),
                    (false, false) => scenario::enterprise_figures(900_000_000),
                };
                scenario::recommend(id, year(y), figures)
            }
            Action::Review { unit, fail } => {
                let id = self.unit(unit)?;
                let u = self.state.unit(id)?;
                let attempt = u.current_attempt?;
                let stage = u.reviews_of(attempt)?.next_stage()?;
                let outcome = if fail {
                    ReviewOutcome::Failed
                } else {
                    ReviewOutcome::Passed
                };
                scenario::review(id, attempt.get().into(), stage, outcome)
            }
            Action::Award { unit } => {
                let id = self.unit(unit)?;
                let attempt = self.state.unit(id)?.current_attempt?;
                scenario::award(id, attempt.get().into())
            }
            Action::Quota { year: y, total } => scenario::set_quota(year(y), u32::from(total)),
            Action::Evaluate { unit, year: y, grade } => scenario::evaluate(
                self.unit(unit)?,
                year(y),
                Grade::ALL[usize::from(grade) % Grade::ALL.len()],
                Some(60 + i64::from(grade) * 10),
            ),
            Action::Commend { unit, year: y } => {
                scenario::commend(self.unit(unit)?, year(y), "示范带动作用明显")
            }
            Action::Delist { unit } => {
                let id = self.unit(unit)?;
                let evaluation_year = self.state.unit(id)?.evaluations.last().map(|e| e.year);
                Command::Delist(Delist {
                    designation_id: id,
                    reason: "绩效评价不合格".into(),
                    evaluation_year,
                    decision: scenario::decision(scenario::day_in(2027, 2, 1), 800),
                    expected_version: None,
                    ground: DelistGround::Other,
                })
            }
            Action::RevokePilot { unit } => scenario::revoke_pilot(self.unit(unit)?, on),
            Action::IssueToken { role, city: c } => {
                let role = Role::ALL[usize::from(role) % Role::ALL.len()];
                let id = self.next_id();
                let mut secret = [0u8; 32];
                secret[..16].copy_from_slice(&id.as_u128().to_be_bytes());
                Command::IssueAccess(IssueAccess {
                    token_id: id,
                    name: format!("令牌{}", self.serial),
                    role,
                    city: (role == Role::City).then(|| city(c)),
                    secret_sha256: SecretSha256::from_bytes(secret),
                })
            }
            Action::Advance { unit, fail, pick } => {
                let id = *self.units.get(self.units.len().checked_sub(1 + unit)?)?;
                let u = self.state.unit(id)?;
                match u.status {
                    Status::Pilot => {
                        let figures = if u.kind.is_region() {
                            scenario::region_figures(20_000_000_000, 4000)
                        } else {
                            scenario::enterprise_figures(1_500_000_000)
                        };
                        scenario::recommend(id, year(pick % 4), figures)
                    }
                    Status::Recommended => {
                        let attempt = u.current_attempt?;
                        let year_of = i64::from(attempt.get());
                        if pick % 9 == 0 {
                            return Some(scenario::withdraw(id, year_of, latest_date(u)));
                        }
                        match u.reviews_of(attempt)?.next_stage() {
                            None if pick % 5 == 0 => {
                                return Some(scenario::close_selection(id, year_of, latest_date(u)));
                            }
                            Some(stage) => scenario::review(
                                id,
                                attempt.get().into(),
                                stage,
                                if fail {
                                    ReviewOutcome::Failed
                                } else {
                                    ReviewOutcome::Passed
                                },
                            ),
                            None => scenario::award(id, attempt.get().into()),
                        }
                    }
                    Status::Awarded => {
                        let awarded = i64::from(u.award?.year.get());
                        if pick % 7 == 5 {
                            let figures = if u.kind.is_region() {
                                scenario::region_figures(9_000_000_000 + i64::from(pick) * 50_000_000, 3600)
                            } else {
                                scenario::enterprise_figures(800_000_000 + i64::from(pick) * 2_000_000)
                            };
                            return Some(scenario::report_indicators(id, awarded, figures, latest_date(u)));
                        }
                        if pick % 7 == 6 {
                            return Some(scenario::grant_subsidy(id, awarded, 2_000_000, latest_date(u)));
                        }
                        match pick % 4 {
                            0 | 1 => scenario::evaluate(
                                id,
                                awarded + i64::from(pick % 2),
                                Grade::ALL[usize::from(pick / 4) % Grade::ALL.len()],
                                None,
                            ),
                            2 => scenario::commend(id, awarded, "成效显著"),
                            _ => {
                                let evaluation_year = u.evaluations.last().map(|e| e.year);
                                Command::Delist(Delist {
                                    designation_id: id,
                                    reason: "绩效评价不合格".into(),
                                    evaluation_year,
                                    decision: scenario::decision(scenario::day_in(2027, 2, 1), 800),
                                    expected_version: None,
                                    ground: DelistGround::Other,
                                })
                            }
                        }
                    }
                    Status::Delisted | Status::PilotRevoked => return None,
                }
            }
            Action::Retract { unit } => {
                let id = self.unit(unit)?;
                let u = self.state.unit(id)?;
                let latest = u.latest_decision()?;
                Command::RetractDecision(RetractDecision {
                    designation_id: id,
                    position: latest.position,
                    reason: "录入错误".into(),
                    decision: scenario::decision(latest.decided_on, 950),
                    expected_version: None,
                })
            }
            Action::Amend { unit, pick } => {
                let id = self.unit(unit)?;
                let u = self.state.unit(id)?;
                let n = self.serial + 1;
                self.serial = n;
                let mut amend = scenario::amendment(id, "信息变更", scenario::decision(latest_date(u), 960));
                match pick % 4 {
                    0 => amend.name = Some(format!("{}（更名{n}）", u.name)),
                    1 => amend.sectors = Some(vec![Sector::ALL[usize::from(pick) % Sector::ALL.len()]]),
                    2 if u.kind == UnitKind::Enterprise => {
                        amend.credit_code = Some(scenario::credit_code(u.city, n + 5000));
                    }
                    _ => amend.county_code = Some(scenario::county_code(u.city, u32::from(pick) % 90)),
                }
                Command::AmendUnit(amend)
            }
            Action::RevokeToken { token } => {
                let token_id = *self.tokens.get(token % self.tokens.len().max(1))?;
                Command::RevokeAccess(RevokeAccess { token_id })
            }
        })
    }

    /// Decides the action's command; folds and records the events if accepted.
    fn act(&mut self, action: &Action) {
        let Some(command) = self.command(action) else {
            return;
        };
        let events = match decide(&self.state, &command, &Principal::operator("省发展改革委")) {
            Ok(events) => events,
            Err(error) => {
                if std::env::var("LY_DEBUG").is_ok() {
                    eprintln!("refused {}: {error}", command.name());
                }
                return;
            }
        };
        for (stream_id, event) in events {
            match &event {
                DomainEvent::PilotListed(e) => self.units.push(e.unit_id),
                DomainEvent::AccessGranted(e) => self.tokens.push(e.token_id),
                _ => {}
            }
            let version = self.versions.entry(stream_id.clone()).or_default();
            *version += 1;
            let position = i64::try_from(self.events.len()).unwrap_or(i64::MAX) + 1;
            let start = Utc
                .with_ymd_and_hms(2024, 5, 6, 7, 8, 9)
                .single()
                .unwrap_or_default();
            let recorded = RecordedEvent {
                position,
                stream_id,
                stream_version: *version,
                recorded_at: format_timestamp(start + Duration::seconds(position / 3)),
                metadata: Metadata {
                    actor: "省发展改革委服务业处".into(),
                    role: "PROVINCIAL".into(),
                    ..Metadata::default()
                },
                event,
            };
            self.state.apply(&recorded);
            self.events.push(recorded);
        }
    }
}

/// The date of the unit's latest decision (a next decision may bear it).
fn latest_date(unit: &liangye_projections::decision_state::Unit) -> chrono::NaiveDate {
    unit.latest_decision()
        .map_or_else(|| scenario::day_in(2023, 2, 1), |d| d.decided_on)
}

fn build(actions: &[Action]) -> Log {
    let mut log = Log::new();
    for action in actions {
        log.act(action);
    }
    log
}

fn replay(events: &[RecordedEvent]) -> Registry {
    let mut registry = Registry::new();
    registry.apply_all(events);
    registry
}

/// The registry after `actions`, and the positions to read it at: the head (`None`) and
/// the position `cut` picks in the log (none in an empty log).
fn replayed_with_cut(actions: &[Action], cut: prop::sample::Index) -> (Registry, [Option<i64>; 2]) {
    let log = build(actions);
    let head = replay(&log.events);
    let at = (!log.events.is_empty()).then(|| cut.index(log.events.len()) as i64 + 1);
    (head, [None, at])
}

fn filter_strategy() -> impl Strategy<Value = DesignationFilter> {
    (
        (
            proptest::option::of(0u8..13),
            proptest::option::of(proptest::sample::select(UnitKind::ALL.to_vec())),
            proptest::option::of(proptest::sample::select(Status::ALL.to_vec())),
            proptest::option::of(0u8..4),
            proptest::option::of(proptest::sample::select(vec!["企业", "园区", "县1", "", "x"])),
        ),
        (
            proptest::option::of(proptest::sample::select(Sector::ALL.to_vec())),
            proptest::option::of((0u8..13, 0u32..90)),
            proptest::option::of(1u16..3),
            proptest::option::of(0u8..4),
            proptest::option::of(0i64..120),
        ),
    )
        .prop_map(
            |((c, kind, status, y, name), (sector, county, batch, recommended, changed))| DesignationFilter {
                city: c.map(city),
                kind,
                status,
                award_year: y.and_then(|y| Year::new(year(y)).ok()),
                name_contains: name.map(str::to_owned),
                sector,
                county: county.map(|(c, n)| scenario::county_code(city(c), n)),
                pilot_batch: batch.and_then(|b| Batch::new(i64::from(b)).ok()),
                recommended_year: recommended.and_then(|y| Year::new(year(y)).ok()),
                changed_after: changed,
            },
        )
}

fn application_filter_strategy() -> impl Strategy<Value = ApplicationFilter> {
    (
        proptest::option::of(0u8..4),
        proptest::option::of(0u8..13),
        proptest::option::of(proptest::sample::select(UnitKind::ALL.to_vec())),
        proptest::option::of(proptest::sample::select(ApplicationResult::ALL.to_vec())),
    )
        .prop_map(|(y, c, kind, result)| ApplicationFilter {
            year: y.and_then(|y| Year::new(year(y)).ok()),
            city: c.map(city),
            kind,
            result,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn live_equals_a_replay_and_a_replay_from_any_snapshot(
        actions in proptest::collection::vec(action(), 1..160),
        cut in any::<prop::sample::Index>(),
    ) {
        let log = build(&actions);
        // Live: folded one event at a time, as the follower does.
        let mut live = Registry::new();
        for event in &log.events {
            live.apply(event);
        }
        prop_assert_eq!(&live, &replay(&log.events));
        // The decision state inside is the writer's.
        prop_assert_eq!(live.decision_state(), &log.state);
        // A snapshot at any position, through its JSON body, then the tail.
        let k = cut.index(log.events.len() + 1);
        let at_k = replay(&log.events[..k]);
        let body = at_k.to_snapshot().unwrap();
        let mut restored = Registry::from_snapshot(&body).unwrap();
        prop_assert_eq!(&restored, &at_k);
        restored.apply_all(&log.events[k..]);
        prop_assert_eq!(&restored, &live);
    }

    #[test]
    fn statistics_always_equal_a_recount(actions in proptest::collection::vec(action(), 1..160)) {
        let log = build(&actions);
        let mut live = Registry::new();
        for event in &log.events {
            live.apply(event);
            let kept = live.statistics(None);
            prop_assert_eq!(&kept, &live.recount_statistics(None));
            // Counts over the units themselves.
            let units = live.all_designations(None);
            prop_assert_eq!(kept.units, units.len() as u64);
            for status in Status::ALL {
                let n = units.iter().filter(|d| d.status == *status).count() as u64;
                prop_assert_eq!(kept.by_status.get(*status), n);
            }
            for c in &kept.by_city {
                prop_assert_eq!(c.total, units.iter().filter(|d| d.city == c.city).count() as u64);
            }
            for k in &kept.by_kind {
                prop_assert_eq!(k.total, units.iter().filter(|d| d.kind == k.kind).count() as u64);
            }
            for q in &kept.quotas {
                prop_assert_eq!(u64::from(live.decision_state().year(q.year).awards_made), q.used);
                prop_assert_eq!(q.quota, live.decision_state().year(q.year).quota);
            }
            prop_assert_eq!(
                kept.target.awarded,
                units.iter().filter(|d| d.status == Status::Awarded).count() as u64
            );
            prop_assert_eq!(
                kept.target.awards_made,
                units.iter().filter(|d| d.award.is_some()).count() as u64
            );
            for s in &kept.by_sector {
                let of = |d: &&liangye_projections::registry::Designation| d.sectors.contains(&s.sector);
                prop_assert_eq!(s.total, units.iter().filter(of).count() as u64);
                prop_assert_eq!(
                    s.by_status.awarded,
                    units.iter().filter(of).filter(|d| d.status == Status::Awarded).count() as u64
                );
            }
            prop_assert_eq!(
                kept.by_county.iter().map(|c| c.total).sum::<u64>(),
                units.iter().filter(|d| d.county_code.is_some()).count() as u64
            );
            for c in &kept.by_county {
                prop_assert_eq!(c.total, units.iter().filter(|d| d.county_code == Some(c.county)).count() as u64);
            }
            for e in &kept.evaluations {
                let n = units
                    .iter()
                    .flat_map(|d| &d.evaluations)
                    .filter(|v| v.year == e.year && v.grade == e.grade)
                    .count() as u64;
                prop_assert_eq!(e.count, n);
            }
            prop_assert_eq!(
                kept.evaluations.iter().map(|e| e.count).sum::<u64>(),
                units.iter().map(|d| d.evaluations.len() as u64).sum::<u64>()
            );
            for s in &kept.subsidies {
                let of: Vec<_> = units
                    .iter()
                    .filter(|d| d.city == s.city)
                    .flat_map(|d| &d.subsidies)
                    .filter(|v| v.year == s.year)
                    .collect();
                prop_assert_eq!(s.count, of.len() as u64);
                prop_assert_eq!(s.total_yuan, of.iter().map(|v| v.amount_yuan.get() as u64).sum::<u64>());
            }
            prop_assert_eq!(
                kept.subsidies.iter().map(|s| s.count).sum::<u64>(),
                units.iter().map(|d| d.subsidies.len() as u64).sum::<u64>()
            );
            for m in &kept.monitoring {
                let of: Vec<_> = units.iter().flat_map(|d| &d.indicators).filter(|r| r.year == m.year).collect();
                prop_assert_eq!(m.reported, of.len() as u64);
                prop_assert_eq!(m.below_standard, of.iter().filter(|r| r.below_standard).count() as u64);
            }
            prop_assert_eq!(
                kept.monitoring.iter().map(|m| m.reported).sum::<u64>(),
                units.iter().map(|d| d.indicators.len() as u64).sum::<u64>()
            );
            // Applications: one per recommendation the decision state holds, with its result.
            let applications = live.applications(&ApplicationFilter::default(), usize::MAX, None, None);
            let state = live.decision_state();
            let recommendations: usize = state.units().iter().map(|u| u.recommendations.len()).sum();
            prop_assert_eq!(applications.items.len(), recommendations);
            prop_assert_eq!(applications.total, recommendations);
            for app in &applications.items {
                let unit = state.unit(app.unit_id).expect("an application's unit is listed");
                let rec = unit.recommendation(app.year).expect("its recommendation stands");
                prop_assert_eq!(rec.figures, app.figures);
                prop_assert_eq!(rec.position, app.position);
                let failed = unit.reviews_of(app.year).is_some_and(|r| r.failed.is_some());
                let expected = if unit.award.is_some_and(|a| a.year == app.year) {
                    ApplicationResult::Awarded
                } else if let Some((_, how)) = rec.closed {
                    if how == liangye_events::catalogue::EventType::NotSelected {
                        ApplicationResult::NotSelected
                    } else {
                        ApplicationResult::Withdrawn
                    }
                } else if failed {
                    ApplicationResult::Failed
                } else {
                    ApplicationResult::InReview
                };
                prop_assert_eq!(app.result, expected);
                let passed = unit.reviews_of(app.year).map_or(0, |r| r.passed().len());
                let passed_views = app
                    .reviews
                    .iter()
                    .filter(|r| r.outcome == ReviewOutcome::Passed)
                    .count();
                prop_assert_eq!(passed_views, passed);
                if app.result == ApplicationResult::InReview {
                    prop_assert_eq!(unit.current_attempt, Some(app.year));
                }
            }
        }
    }

    #[test]
    fn the_registry_as_of_any_position_equals_a_replay_up_to_it(
        actions in proptest::collection::vec(action(), 1..120),
        filter in filter_strategy(),
        applications in application_filter_strategy(),
        first in 0usize..7,
    ) {
        let log = build(&actions);
        let head = replay(&log.events);
        for p in 1..=log.events.len() {
            let position = i64::try_from(p).unwrap();
            let then = replay(&log.events[..p]);
            let at = Some(position);
            prop_assert_eq!(head.all_designations(at), then.all_designations(None));
            prop_assert_eq!(head.statistics(at), then.statistics(None));
            prop_assert_eq!(head.tokens(at), then.tokens(None));
            prop_assert_eq!(head.unit_count(at), then.unit_count(None));
            prop_assert_eq!(head.count(&filter, at), then.count(&filter, None));
            let page = PageRequest { first, after: None };
            prop_assert_eq!(head.designations(&filter, page, at), then.designations(&filter, page, None));
            prop_assert_eq!(
                head.applications(&applications, first, None, at),
                then.applications(&applications, first, None, None)
            );
            prop_assert_eq!(head.application_years(at), then.application_years(None));
            for id in &log.units {
                prop_assert_eq!(head.designation(*id, at), then.designation(*id, None));
                if let Some(code) = head.designation(*id, None).and_then(|d| d.credit_code) {
                    prop_assert_eq!(
                        head.designation_by_code(&UnitCode::Credit(code), at),
                        then.designation_by_code(&UnitCode::Credit(code), None)
                    );
                }
            }
            for token in head.decision_state().tokens() {
                let sha = token.secret_sha256;
                prop_assert_eq!(head.authenticate(&sha, at), then.authenticate(&sha, None));
            }
        }
    }

    #[test]
    fn paging_visits_every_selected_designation_once(
        actions in proptest::collection::vec(action(), 1..160),
        filter in filter_strategy(),
        first in 1usize..6,
        cut in any::<prop::sample::Index>(),
    ) {
        let (head, ats) = replayed_with_cut(&actions, cut);
        for at in ats {
            let expected: Vec<Uuid> = head
                .all_designations(at)
                .into_iter()
                .filter(|d| filter.matches(d))
                .map(|d| d.id)
                .collect();
            prop_assert_eq!(head.count(&filter, at), expected.len());
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = head.designations(&filter, PageRequest { first, after }, at);
                prop_assert!(page.items.len() <= first);
                prop_assert_eq!(page.has_previous_page, after.is_some());
                seen.extend(page.items.iter().map(|d| d.id));
                if !page.has_next_page {
                    break;
                }
                after = page.items.last().map(|d| d.id);
            }
            prop_assert_eq!(seen, expected);
        }
    }

    #[test]
    fn paging_visits_every_selected_application_once(
        actions in proptest::collection::vec(action(), 1..160),
        filter in application_filter_strategy(),
        first in 1usize..6,
        cut in any::<prop::sample::Index>(),
    ) {
        let (head, ats) = replayed_with_cut(&actions, cut);
        for at in ats {
            let all = head.applications(&ApplicationFilter::default(), usize::MAX, None, at);
            let expected: Vec<(Year, Uuid)> = all
                .items
                .iter()
                .filter(|a| {
                    filter.year.is_none_or(|y| y == a.year)
                        && filter.city.is_none_or(|c| c == a.city)
                        && filter.kind.is_none_or(|k| k == a.kind)
                        && filter.result.is_none_or(|r| r == a.result)
                })
                .map(|a| (a.year, a.unit_id))
                .collect();
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = head.applications(&filter, first, after, at);
                prop_assert!(page.items.len() <= first);
                prop_assert_eq!(page.total, expected.len());
                seen.extend(page.items.iter().map(|a| (a.year, a.unit_id)));
                if !page.has_next_page {
                    break;
                }
                after = page.items.last().map(|a| (a.year, a.unit_id));
            }
            prop_assert_eq!(seen, expected);
        }
    }
}

#[test]
fn a_random_history_reaches_every_status() {
    // The generator is worth its name: a long history exercises the whole lifecycle.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let actions = proptest::collection::vec(action(), 600)
        .new_tree(&mut runner)
        .map(|tree| tree.current())
        .unwrap_or_default();
    let log = build(&actions);
    let stats = replay(&log.events).statistics(None);
    for status in Status::ALL {
        assert!(stats.by_status.get(*status) > 0, "no unit is {status}: {stats:?}");
    }
    assert!(!stats.quotas.is_empty());
    // … and the corrections, closures, monitoring and subsidies.
    let kinds: std::collections::BTreeSet<&str> = log.events.iter().map(|e| e.event.event_type()).collect();
    for kind in [
        "DecisionRetracted",
        "UnitAmended",
        "RecommendationWithdrawn",
        "NotSelected",
        "IndicatorsReported",
        "SubsidyGranted",
    ] {
        assert!(kinds.contains(kind), "no {kind} in {kinds:?}");
    }
    let retracted: std::collections::BTreeSet<_> = log
        .events
        .iter()
        .filter_map(|e| match &e.event {
            DomainEvent::DecisionRetracted(r) => Some(r.retracted_type),
            _ => None,
        })
        .collect();
    assert!(
        retracted.len() >= 5,
        "retractions of too few kinds: {retracted:?}"
    );
}
