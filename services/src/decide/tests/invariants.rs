//! Property: whatever commands arrive, by whichever principals, the accepted events keep
//! the registry's invariants, and replaying them rebuilds the same state.

use std::collections::{HashMap, HashSet};

use liangye_events::catalogue::{
    CityCode, DomainEvent, Figures, Grade, RecordedEvent, ReviewOutcome, ReviewStage, Role, Status, UnitKind,
};
use liangye_events::envelope::Metadata;
use liangye_projections::DecisionState;
use proptest::prelude::*;

use super::fixtures::*;
use crate::decide::{Command, ListPilot, Principal, decide};

fn principal_strategy() -> impl Strategy<Value = Principal> {
    prop_oneof![
        6 => Just(provincial()),
        2 => Just(city(HOME)),
        1 => Just(city(AWAY)),
        1 => Just(auditor()),
        1 => Just(reader()),
    ]
}

/// One step: either an arbitrary command, or the command that moves unit `unit` along its
/// lifecycle (listing it, recommending it, its next review stage, its award, supervision),
/// chosen against the state when the step runs. `fail` makes a review stage fail; `pick`
/// chooses among alternatives.
#[derive(Debug, Clone)]
enum Step {
    Any(Box<Command>),
    Advance { unit: u128, fail: bool, pick: u8 },
}

fn command_strategy() -> impl Strategy<Value = Command> {
    let unit = (1u128..=4).prop_map(id);
    let y = 2024i64..=2026;
    let stage = proptest::sample::select(ReviewStage::ALL.to_vec());
    let outcome = prop_oneof![4 => Just(ReviewOutcome::Passed), 1 => Just(ReviewOutcome::Failed)];
    let grade = proptest::sample::select(Grade::ALL.to_vec());
    let figures = prop_oneof![
        Just(eligible_region()),
        Just(eligible_enterprise()),
        Just(Figures::default()),
    ];
    prop_oneof![
        (unit.clone(), 0u8..4).prop_map(|(u, kind)| listing(u, kind).into()),
        unit.clone().prop_map(|u| revoke_pilot(u).into()),
        (unit.clone(), y.clone(), figures).prop_map(|(u, y, f)| recommend(u, y, f).into()),
        (unit.clone(), y.clone(), stage, outcome).prop_map(|(u, y, s, o)| record_review(u, y, s, o).into()),
        (unit.clone(), y.clone()).prop_map(|(u, y)| award(u, y).into()),
        (y.clone(), 0u32..4).prop_map(|(y, t)| set_quota(y, t).into()),
        (unit.clone(), y.clone(), grade).prop_map(|(u, y, g)| evaluate(u, y, g).into()),
        (unit.clone(), y.clone()).prop_map(|(u, y)| commend(u, y, "成效显著").into()),
        (unit, proptest::option::of(y)).prop_map(|(u, y)| delist(u, "不符合标准", y).into()),
    ]
}

fn step_strategy() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => command_strategy().prop_map(|c| Step::Any(Box::new(c))),
        3 => (1u128..=4, proptest::bool::weighted(0.1), any::<u8>())
            .prop_map(|(unit, fail, pick)| Step::Advance { unit, fail, pick }),
    ]
}

/// A valid credit code per unit, so that enterprises can be listed side by side; units 1
/// and 4 share one, to exercise DUPLICATE.
fn credit_code(unit: u128) -> String {
    let body = format!("9132050000000000{}", unit % 3);
    let probe = liangye_events::catalogue::CreditCode::parse_unchecked_checksum(&format!("{body}0")).unwrap();
    format!("{body}{}", probe.expected_check())
}

/// Listing unit `u` as the `kind`-th kind, with identifiers that clash now and then.
fn listing(u: uuid::Uuid, kind: u8) -> ListPilot {
    let n = u.as_u128();
    let county = format!("32058{}", n % 3 + 1);
    match kind % 4 {
        0 => list_county(u, "县", &county),
        1 => list_enterprise(u, &credit_code(n)),
        2 => list_industrial_zone(u, &format!("集中区{}", n % 3), &county),
        _ => ListPilot {
            kind: UnitKind::DevelopmentZone,
            ..list_development_zone(u, &format!("开发区{}", n % 3), None)
        },
    }
}

fn advance(state: &DecisionState, n: u128, fail: bool, pick: u8) -> Command {
    let u = id(n);
    let Some(unit) = state.unit(u) else {
        return listing(u, pick).into();
    };
    match unit.status {
        Status::Pilot => {
            let next_year = 2024 + unit.recommendations.len() as i64;
            if next_year > 2026 {
                return revoke_pilot(u).into();
            }
            let figures = if unit.kind.is_region() {
                eligible_region()
            } else {
                eligible_enterprise()
            };
            recommend(u, next_year, figures).into()
        }
        Status::Recommended => {
            let y = unit.current_attempt.unwrap();
            match unit.reviews_of(y).and_then(|r| r.next_stage()) {
                Some(stage) => {
                    let outcome = if fail {
                        ReviewOutcome::Failed
                    } else {
                        ReviewOutcome::Passed
                    };
                    record_review(u, i64::from(y.get()), stage, outcome).into()
                }
                None => award(u, i64::from(y.get())).into(),
            }
        }
        Status::Awarded => {
            let award_year = i64::from(unit.award.unwrap().year.get());
            let y = (award_year + unit.evaluations.len() as i64).min(2100);
            match pick % 4 {
                0 | 1 => evaluate(u, y, Grade::ALL[usize::from(pick) % 4]).into(),
                2 => commend(u, award_year, "成效显著").into(),
                _ => delist(
                    u,
                    "不符合标准",
                    unit.evaluations.last().map(|e| i64::from(e.year.get())),
                )
                .into(),
            }
        }
        Status::Delisted | Status::PilotRevoked => set_quota(2024, u32::from(pick % 4)).into(),
    }
}

/// Applies `events` to `state` as the next entries of the log.
fn append(state: &mut DecisionState, log: &mut Vec<RecordedEvent>, events: Vec<(String, DomainEvent)>) {
    for (stream_id, event) in events {
        let stream_version = log.iter().filter(|e| e.stream_id == stream_id).count() as i64 + 1;
        let recorded = RecordedEvent {
            position: log.len() as i64 + 1,
            stream_id,
            stream_version,
            recorded_at: String::new(),
            metadata: Metadata::default(),
            event,
        };
        state.apply(&recorded);
        log.push(recorded);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn accepted_events_keep_every_invariant(
        steps in proptest::collection::vec((step_strategy(), principal_strategy()), 1..120)
    ) {
        let mut state = DecisionState::new();
        let mut log = Vec::new();
        for (step, principal) in steps {
            let command = match step {
                Step::Any(command) => *command,
                Step::Advance { unit, fail, pick } => advance(&state, unit, fail, pick),
            };
            let before = state.clone();
            let Ok(events) = decide(&state, &command, &principal) else {
                continue;
            };
            // Only the province decides, except a city recommending its own units.
            match principal.role {
                Role::Provincial => {}
                Role::City => {
                    prop_assert!(matches!(command, Command::Recommend(_)));
                    let unit = before.unit(command.designation_id().unwrap()).unwrap();
                    prop_assert_eq!(Some(unit.city), principal.city);
                }
                Role::Auditor | Role::Reader => prop_assert!(false, "{:?} decided", principal.role),
            }
            append(&mut state, &mut log, events);

            // Quotas hold.
            for (year, record) in state.years() {
                if let Some(quota) = record.quota {
                    prop_assert!(record.awards_made <= quota, "{} over quota", year);
                }
            }
        }

        // Certificates are unique and sequential per year; one award per unit.
        let mut certificates = HashSet::new();
        let mut awarded_units = HashSet::new();
        let mut serials: HashMap<i32, Vec<u32>> = HashMap::new();
        for recorded in &log {
            if let DomainEvent::Awarded(a) = &recorded.event {
                prop_assert!(certificates.insert(a.certificate_no));
                prop_assert!(awarded_units.insert(a.unit_id));
                serials.entry(a.year.get()).or_default().push(a.certificate_no.serial());
            }
        }
        for serials in serials.values() {
            let expected: Vec<u32> = (1..=serials.len() as u32).collect();
            prop_assert_eq!(serials, &expected);
        }

        // One unit per identifier.
        let mut identifiers: HashSet<String> = HashSet::new();
        for unit in state.units() {
            if let Some(code) = unit.credit_code {
                prop_assert!(identifiers.insert(code.to_string()));
            }
            if unit.kind == UnitKind::County {
                prop_assert!(identifiers.insert(unit.division_code.unwrap().to_string()));
            }
            if unit.kind.is_zone() {
                let zone = format!("{}/{}", unit.city, unit.name);
                prop_assert!(identifiers.insert(zone));
            }
            // The attempt in progress exists exactly while recommended.
            prop_assert_eq!(unit.current_attempt.is_some(), unit.status == Status::Recommended);
            prop_assert_eq!(unit.award.is_some(), matches!(unit.status, Status::Awarded | Status::Delisted));
            prop_assert!(unit.city == CityCode::Suzhou);
        }

        // Replaying the log rebuilds exactly the live state.
        let mut replayed = DecisionState::new();
        replayed.apply_all(&log);
        prop_assert_eq!(replayed, state);
    }
}
